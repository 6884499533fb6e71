"""Time lambdalint and its peers on synthetic serverless monorepos of growing size.

    python bench/run.py                         # N = 100, 500, 2000 with the peers
    python bench/run.py --sizes 100 --no-peers  # a quick look at lambdalint alone

For each size it generates the repository (``bench/generate.py``), then times, one command at a
time, each as a child process measured with ``os.wait4`` (wall time, CPU time of the process and
of its workers, peak resident memory of the largest process; the whole process tree's memory is
also sampled):

* lambdalint cold (no cache), cold filling an empty cache, warm (nothing changed), after one
  changed handler file, and on one changed file as pre-commit passes it;
* cfn-lint with cfn-lint-serverless on the SAM/CloudFormation templates alone;
* checkov on the configs (its CloudFormation, Serverless and Terraform frameworks);
* bandit ``-t B105,B106,B107`` (hardcoded passwords) over the Python files, as ``bandit -r``.

The peers are installed from PyPI into their own virtual environments under ``--peers-dir``
(never into the environment that runs lambdalint). ``--no-peers`` or ``--skip checkov`` leave
them out; ``--peer-timeout`` bounds each (checkov takes minutes on a big repository). Each
command runs ``--repeat`` times and the fastest run counts. Results go to stdout as tables and
to ``results.json`` in ``--work-dir``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator beside this script)

PEERS = {
    "cfn-lint": (["cfn-lint", "cfn-lint-serverless"], "cfn-lint"),
    "checkov": (["checkov"], "checkov"),
    "bandit": (["bandit"], "bandit"),
    "ruff": (["ruff"], "ruff"),
}


# -- measuring ----------------------------------------------------------------------------------

def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (Linux /proc), in KiB."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            with open(f"/proc/{current}/task/{current}/children") as handle:
                stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: List[str], cwd: Path, env: Optional[Dict[str, str]] = None,
            timeout: Optional[float] = None) -> Dict[str, float]:
    """Run ``command``; its wall and CPU seconds, peak memory in MiB, and exit code."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    start = time.perf_counter()
    # A session of its own: a timeout ends the whole group (checkov's workers outlived their
    # parent and held stderr open, so the run never ended).
    process = subprocess.Popen(command, cwd=str(cwd), env=full_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak_tree[0] = max(peak_tree[0], _tree_rss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = None
    timed_out = [False]
    if timeout:
        def kill() -> None:
            timed_out[0] = True
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
        timer = threading.Timer(timeout, kill)
        timer.start()
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if timer:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # KiB on Linux: the largest process
        "tree_mb": peak_tree[0] / 1024,
        "code": process.returncode,
        "timed_out": timed_out[0],
        "stderr": stderr.decode("utf-8", "replace")[-2000:],
    }


def best(runs: List[Dict[str, float]]) -> Dict[str, float]:
    return min(runs, key=lambda r: r["wall"])


def repeat(times: int, command: List[str], cwd: Path, env=None, timeout=None,
           before=None) -> Dict[str, float]:
    runs = []
    for _ in range(times):
        if before is not None:
            before()
        runs.append(measure(command, cwd, env, timeout))
    result = best(runs)
    result["runs"] = [round(r["wall"], 3) for r in runs]
    return result


# -- peers --------------------------------------------------------------------------------------

def install_peers(directory: Path, names: List[str]) -> Dict[str, Path]:
    """Each peer in its own venv (created once, reused): name -> its executable."""
    found = {}
    for name in names:
        packages, executable = PEERS[name]
        venv = directory / name
        binary = venv / "bin" / executable
        if not binary.exists():
            print(f"installing {', '.join(packages)} into {venv} ...", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *packages], check=True)
        found[name] = binary
    return found


def peer_version(name: str, binary: Path) -> str:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             timeout=120)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


# -- one size -----------------------------------------------------------------------------------

def lambdalint_command(args, *extra: str) -> List[str]:
    command = [args.python, "-m", "lambdalint", "check", "--exit-zero", "--format", "json",
               "--output", os.devnull]
    if args.jobs:
        command += [f"--jobs={args.jobs}"]
    return command + list(extra)


def _edit(path: Path, original: bytes, mark: str) -> None:
    path.write_bytes(original + f"\n# edited: {mark}\n".encode())


def bench_size(args, size: int, peers: Dict[str, Path]) -> Dict[str, Dict]:
    root = Path(args.work_dir) / f"n{size}"
    generate.generate(root, size, args.seed)
    files = generate.inventory(root)
    cache_dir = root / ".lambdalint_cache"
    results: Dict[str, Dict] = {}
    no_cache = {"LAMBDALINT_NO_CACHE": "1"}

    def clear() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    python_count = len(files["python"])
    config_count = len(files["templates"]) + len(files["serverless"]) + len(files["terraform"])
    # What lambdalint reads: the user's Python files (vendored packages skipped) and configs.
    ours = python_count + config_count

    print(f"\n== N = {size}: {python_count} Python files (+{len(files['vendored'])} vendored), "
          f"{len(files['templates'])} templates, {len(files['serverless'])} serverless.yml, "
          f"{len(files['terraform'])} .tf", flush=True)

    def record(label: str, result: Dict, count: int) -> None:
        result["files"] = count
        results[label] = result
        print(f"  {label:34s} {result['wall']:8.2f} s wall {result['cpu']:8.2f} s CPU "
              f"{result['peak_mb']:7.0f} MB ({result['tree_mb']:.0f} MB tree) "
              f"runs {result.get('runs')}{'  TIMED OUT' if result.get('timed_out') else ''}",
              flush=True)
        if result["code"] not in (0, 1) and not result.get("timed_out"):
            print("    exit", result["code"], result["stderr"][-500:], flush=True)

    record("lambdalint cold (no cache)",
           repeat(args.repeat, lambdalint_command(args, "."), root, no_cache), ours)
    if args.single:
        record("lambdalint cold, 1 process",
               repeat(1, lambdalint_command(args, "--jobs=1", "."), root, no_cache), ours)
    record("lambdalint cold (filling the cache)",
           repeat(args.repeat, lambdalint_command(args, "."), root, before=clear), ours)
    record("lambdalint warm", repeat(args.repeat, lambdalint_command(args, "."), root), ours)

    handler = sorted(files["python"], key=lambda p: p.as_posix())
    handler = [p for p in handler if "tests" not in p.parts and "shared" not in p.parts][len(handler) // 3]
    original = handler.read_bytes()
    counter = [0]

    def edit() -> None:
        counter[0] += 1
        _edit(handler, original, f"run {counter[0]}")

    try:
        record("lambdalint, one file changed",
               repeat(args.repeat, lambdalint_command(args, "."), root, before=edit), ours)
        rel = handler.relative_to(root).as_posix()
        record("lambdalint pre-commit, 1 file",
               repeat(args.repeat, lambdalint_command(args, rel), root, before=edit), 1)
        record("lambdalint pre-commit, 1 file, no cache",
               repeat(args.repeat, lambdalint_command(args, rel), root, no_cache, before=edit), 1)
    finally:
        handler.write_bytes(original)

    templates = [p.relative_to(root).as_posix() for p in files["templates"]]
    python = len(files["python"]) + len(files["vendored"])
    commands = {
        "cfn-lint": ([str(peers.get("cfn-lint", "")), "-a", "cfn_lint_serverless.rules",
                      "--format", "json", "--", *templates], len(templates)),
        "checkov": ([str(peers.get("checkov", "")), "-d", ".", "--framework", "cloudformation",
                     "serverless", "terraform", "--quiet", "--compact", "--skip-download",
                     "-o", "json"], config_count),
        "bandit": ([str(peers.get("bandit", "")), "-q", "-r", ".", "-t", "B105,B106,B107",
                    "-f", "json", "-o", os.devnull], python),
    }
    for name, (command, count) in commands.items():
        if name not in peers:
            continue
        env = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
               "ANONYMOUS_USAGE_STATS": "false", "CHECKOV_EXPERIMENTAL_IMAGE_REFERENCING": "false"}
        record(name, repeat(args.peer_repeat, command, root, env, timeout=args.peer_timeout), count)
    return results


# -- report -------------------------------------------------------------------------------------

def table(all_results: Dict[int, Dict[str, Dict]]) -> str:
    lines = ["| N | run | wall s | CPU s | peak MB (largest / tree) | files | files/s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for size, results in all_results.items():
        for label, r in results.items():
            rate = r["files"] / r["wall"] if r["wall"] else 0
            wall = f"{r['wall']:.2f}" + (" (timed out)" if r.get("timed_out") else "")
            lines.append(f"| {size} | {label} | {wall} | {r['cpu']:.2f} | "
                         f"{r['peak_mb']:.0f} / {r['tree_mb']:.0f} | {r['files']} | {rate:.0f} |")
    return "\n".join(lines)


def ratios(all_results: Dict[int, Dict[str, Dict]]) -> str:
    lines = ["| N | peer wall / lambdalint cold wall | warm / cold | pre-commit 1 file | "
             "peak MB | ms per file (cold) |", "|---|---|---:|---:|---:|---:|"]
    for size, results in all_results.items():
        cold = results["lambdalint cold (no cache)"]
        parts = []
        for peer in ("cfn-lint", "checkov", "bandit"):
            if peer in results:
                r = results[peer]
                mark = ">" if r.get("timed_out") else ""
                parts.append(f"{peer} {mark}{r['wall'] / cold['wall']:.1f}x")
        warm = results["lambdalint warm"]["wall"] / cold["wall"]
        one = results["lambdalint pre-commit, 1 file"]["wall"]
        peak = max(r["peak_mb"] for k, r in results.items() if k.startswith("lambdalint"))
        per_file = 1000 * cold["wall"] / cold["files"]
        lines.append(f"| {size} | {', '.join(parts) or 'no peers'} | {warm:.1%} | {one:.2f} s | "
                     f"{peak:.0f} | {per_file:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", default="/tmp/lambdalint-bench")
    parser.add_argument("--peers-dir", default="/tmp/lambdalint-bench-peers")
    parser.add_argument("--no-peers", action="store_true", help="time lambdalint alone")
    parser.add_argument("--skip", action="append", default=[], choices=sorted(PEERS),
                        help="leave out a peer (repeatable)")
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each lambdalint command")
    parser.add_argument("--peer-repeat", type=int, default=1, help="runs of each peer")
    parser.add_argument("--jobs", type=int, default=0, help="lambdalint --jobs (0: its default)")
    parser.add_argument("--single", action="store_true", help="also time lambdalint in 1 process")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter with lambdalint installed [default: this one]")
    args = parser.parse_args(argv)

    names = [] if args.no_peers else [n for n in PEERS if n not in args.skip]
    peers = install_peers(Path(args.peers_dir), names) if names else {}
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")
    for name, binary in peers.items():
        print(f"peer: {peer_version(name, binary)}")
    all_results: Dict[int, Dict[str, Dict]] = {}
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        all_results[size] = bench_size(args, size, peers)
    end_load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    print(f"\nload average at end {end_load[0]:.2f} {end_load[1]:.2f} {end_load[2]:.2f}\n")
    print(table(all_results))
    print()
    print(ratios(all_results))
    out = Path(args.work_dir) / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"load_start": load, "load_end": end_load,
                               "results": {str(k): v for k, v in all_results.items()}},
                              indent=2, default=str))
    print(f"\n(also in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
