"""Issue 16's table on a real repository: lambdalint cold, warm, one file, peak memory, and its peers.

    python bench/real.py /tmp/sp --peers-dir /tmp/llb-peers            # the whole table
    python bench/real.py /tmp/sp --no-peers --repeat 3                 # lambdalint alone
    python bench/real.py /tmp/sp --phases                              # and the phase breakdown

The tree is copied first (``--work-dir``; without ``.git``, an empty one stands in for it so that
``.gitignore`` files are read as in the repository), because the one-file runs edit a handler.
Each command runs as a child process, measured as in ``run.py`` (``os.wait4``: wall, CPU of the
process and its workers, peak memory of the largest process and of the whole tree); lambdalint's
commands run ``--repeat`` times and the median counts, the peers ``--peer-repeat`` times.

* lambdalint cold without a cache, and in one process (``--jobs 1``: the peak memory without
  workers), cold filling an empty cache, warm (nothing changed);
* one changed handler file as pre-commit passes it: with the cache of the earlier runs, and in
  a fresh clone without any cache;
* cfn-lint with cfn-lint-serverless on the SAM/CloudFormation templates alone
  (``template.yaml``/``.yml``/``.json`` outside build output); cfn-lint stops the whole run on a
  template whose ``Resources`` is empty, so such templates are left out of its side and named;
* checkov on the configs (its CloudFormation, Serverless and Terraform frameworks);
* bandit ``-t B105,B106,B107`` and ruff ``--select S105,S106,S107`` (hardcoded passwords) over
  every Python file: ruff is the floor, what reading the same Python costs a linter in Rust.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (measure, repeat, install_peers beside this script)

BUILD_DIRS = {".aws-sam", "cdk.out", "node_modules", ".serverless", ".terraform", ".git"}
_EMPTY_JSON_RESOURCES = re.compile(r'"Resources"\s*:\s*\{\s*\}')


def empty_resources(text: str) -> bool:
    """``Resources:`` with nothing under it (the next line that says something is not
    indented), or ``"Resources": {}``."""
    if _EMPTY_JSON_RESOURCES.search(text):
        return True
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"Resources:[ \t]*(?:#.*)?$", line):
            following = [n for n in lines[index + 1:] if n.strip() and not n.lstrip().startswith("#")]
            return not following or not following[0][:1] in (" ", "\t", "-")
    return False


def copy_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    (target / ".git").mkdir()


def _walk(root: Path, suffixes: tuple) -> List[Path]:
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in BUILD_DIRS)
        found.extend(Path(directory) / f for f in sorted(filenames) if f.endswith(suffixes))
    return found


def templates(root: Path) -> tuple:
    """The SAM/CloudFormation templates cfn-lint can read, and those left out (empty Resources)."""
    kept, left_out = [], []
    for path in _walk(root, (".yaml", ".yml", ".json")):
        if not path.name.startswith("template."):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Resources" not in text:
            continue
        (left_out if empty_resources(text) else kept).append(path.relative_to(root).as_posix())
    return kept, left_out


def median(runs: List[Dict]) -> Dict:
    chosen = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
    return dict(chosen, runs=[round(r["wall"], 2) for r in runs],
                cpu_median=statistics.median(r["cpu"] for r in runs))


def measure_median(times: int, command: List[str], cwd: Path, env=None, before=None,
                   timeout=None) -> Dict:
    runs = []
    for _ in range(times):
        if before is not None:
            before()
        runs.append(run.measure(command, cwd, env, timeout))
    return median(runs)


def handler_file(root: Path) -> Path:
    """A handler a config links to: the first ``app.py`` beside a ``template.yaml``."""
    for path in _walk(root, ("template.yaml",)):
        for candidate in sorted(path.parent.rglob("app.py")):
            if not BUILD_DIRS.intersection(candidate.parts):
                return candidate
    return _walk(root, (".py",))[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--work-dir", default="/tmp/lambdalint-real")
    parser.add_argument("--peers-dir", default="/tmp/lambdalint-bench-peers")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--skip", action="append", default=[], choices=sorted(run.PEERS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-repeat", type=int, default=1)
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    parser.add_argument("--phases", action="store_true", help="also print bench/phases.py's table")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)

    root = Path(args.work_dir) / Path(args.tree).name
    copy_tree(Path(args.tree), root)
    cache = root / ".lambdalint_cache"
    lint = [args.python, "-m", "lambdalint", "check", "--exit-zero", "--format", "json",
            "--output", os.devnull]
    no_cache = {"LAMBDALINT_NO_CACHE": "1"}
    python = _walk(root, (".py",))
    kept, left_out = templates(root)
    load = os.getloadavg()
    print(f"{args.tree}: {len(python)} Python files, {len(kept)} templates for cfn-lint "
          f"({len(left_out)} left out); load average at start {load[0]:.1f} {load[1]:.1f}",
          flush=True)
    results: Dict[str, Dict] = {}

    def record(label: str, result: Dict) -> None:
        results[label] = result
        print(f"  {label:42s} {result['wall']:7.2f} s wall {result['cpu']:7.2f} s CPU "
              f"{result['peak_mb']:5.0f} MB ({result['tree_mb']:.0f} MB tree) runs "
              f"{result.get('runs')}{'  TIMED OUT' if result.get('timed_out') else ''}"
              f"{'' if result['code'] in (0, 1) else '  exit ' + str(result['code'])}", flush=True)

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    record("lambdalint cold (no cache)", measure_median(args.repeat, lint + ["."], root, no_cache))
    record("lambdalint cold, one process (--jobs 1)",
           measure_median(1, lint + ["--jobs", "1", "."], root, no_cache))
    record("lambdalint cold (filling the cache)",
           measure_median(args.repeat, lint + ["."], root, before=clear))
    record("lambdalint warm", measure_median(args.repeat, lint + ["."], root))
    handler = handler_file(root)
    original = handler.read_bytes()
    count = [0]

    def edit() -> None:
        count[0] += 1
        handler.write_bytes(original + f"\n# edited {count[0]}\n".encode())

    rel = handler.relative_to(root).as_posix()
    try:
        record("lambdalint pre-commit, 1 changed file",
               measure_median(args.repeat, lint + [rel], root, before=edit))
        record("lambdalint pre-commit, 1 file, no cache (fresh clone)",
               measure_median(args.repeat, lint + [rel], root, no_cache, before=edit))
    finally:
        handler.write_bytes(original)
    print(f"  (the changed file: {rel})")

    names = [] if args.no_peers else [n for n in run.PEERS if n not in args.skip]
    peers = run.install_peers(Path(args.peers_dir), names) if names else {}
    commands = {
        "cfn-lint": [str(peers.get("cfn-lint")), "-a", "cfn_lint_serverless.rules", "--format",
                     "json", "--", *kept],
        "checkov": [str(peers.get("checkov")), "-d", ".", "--framework", "cloudformation",
                    "serverless", "terraform", "--quiet", "--compact", "--skip-download",
                    "-o", "json"],
        "bandit": [str(peers.get("bandit")), "-q", "-r", ".", "-t", "B105,B106,B107", "-f", "json",
                   "-o", os.devnull],
        "ruff": [str(peers.get("ruff")), "check", "--no-cache", "--exit-zero", "--select",
                 "S105,S106,S107", "--output-format", "json", "."],
    }
    env = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
           "ANONYMOUS_USAGE_STATS": "false"}
    for name in names:
        print(f"  peer: {run.peer_version(name, peers[name])}", flush=True)
        result = measure_median(args.peer_repeat, commands[name], root, env,
                                timeout=args.peer_timeout)
        record(name, result)
    end = os.getloadavg()
    print(f"load average at end {end[0]:.1f} {end[1]:.1f}")
    if left_out:
        print("templates left out of cfn-lint (empty Resources): " + ", ".join(left_out))
    cold = results["lambdalint cold (no cache)"]
    print()
    print("| run | wall s | CPU s | peak MB (largest / tree) | wall / lambdalint cold |")
    print("|---|---:|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} / "
              f"{r['tree_mb']:.0f} | {r['wall'] / cold['wall']:.2f} |")
    if args.phases:
        print()
        subprocess.run([args.python, str(HERE / "phases.py"), "."], cwd=root, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
