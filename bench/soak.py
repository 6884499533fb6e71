"""Soak lambdalint on any directory tree: crashes, the slowest files, and LL001 counts.

    python bench/soak.py DIR                    # every file lambdalint reads, one at a time
    python bench/soak.py DIR --top 20 --json soak.json
    python bench/soak.py DIR --select LL1       # only the handler-code rules

Every file under DIR that lambdalint reads by its suffix (.py, .yaml, .yml, .json, .template,
.tf) is checked on its own, in this process, with the lambdalint that is installed: nothing is
excluded but version control and lambdalint's cache (no default excludes, no .gitignore, no
skipping of vendored packages), so that a virtual environment's site-packages can be soaked
too; no cache; no worker processes. Each file
is copied alone into a scratch directory and checked there, as a directory run finds it, so
that a time is that file's own, not the walk of the project around it (``lambdalint check
FILE`` would also read the deployment configs of its repository).

A crash is an exception out of the engine (with its traceback), an internal error note, or a
finding that says lambdalint failed on the file. Python's faulthandler is on: should LibCST's
native code ever take the process down, the stack shows which file it was (``--verbose``
names each file before it is checked). The exit code is 1 when there was a crash, else 0.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

from lambdalint import engine
from lambdalint.config import Config
from lambdalint.discovery import SUFFIX_KINDS

# LL001 messages grouped by what went wrong, not by the parser's wording for each file.
_KINDS = [
    ("syntax error", re.compile(r"^syntax error")),
    ("too complex to parse", re.compile(r"^too complex to parse")),
    ("too deeply nested to analyse", re.compile(r"^too deeply nested")),
    ("binary file", re.compile(r"^binary file")),
    ("not decodable", re.compile(r"^(cannot decode|not UTF-8)")),
    ("invalid YAML/JSON", re.compile(r"^(invalid YAML|too many values|an alias|nested too deeply|expected a mapping)")),
    ("invalid HCL", re.compile(r"^cannot (parse|read) HCL|^cannot read the module")),
    ("over the size limit", re.compile(r"skipped: .* over the")),
    ("unreadable", re.compile(r"^cannot read")),
    ("lambdalint failed (a bug)", re.compile(r"lambdalint failed on this file")),
]


def ll001_kind(message: str) -> str:
    text = message.split("cannot check this file: ", 1)[-1]
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return "other: " + text[:60]


# Nothing of the user's: version control and lambdalint's own cache.
SKIPPED_DIRECTORIES = {".git", ".hg", ".svn", ".lambdalint_cache"}


def files_under(root: Path) -> List[Path]:
    found = []
    for directory, dirs, names in os.walk(root):  # symlinked directories are not entered
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRECTORIES)
        for name in sorted(names):
            path = Path(directory, name)
            if os.path.splitext(name)[1].lower() in SUFFIX_KINDS and path.is_file() \
                    and not path.is_symlink():
                found.append(path)
    return found


def check_one(path: Path, scratch: Path, config: Config) -> Dict[str, object]:
    """Copy ``path`` alone into ``scratch`` and check it there; times, findings, crash."""
    target = scratch / path.name
    shutil.copyfile(path, target)
    record: Dict[str, object] = {"path": str(path), "bytes": target.stat().st_size}
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = engine.run([str(scratch)], config, use_cache=False, jobs=1)
    except Exception:  # noqa: BLE001 - what the soak is looking for
        record["crash"] = traceback.format_exc()
        result = None
    record["seconds"] = time.perf_counter() - wall
    record["cpu"] = time.process_time() - cpu
    if result is not None:
        record["findings"] = Counter(f.rule for f in result.findings)
        record["ll001"] = [ll001_kind(f.message) for f in result.findings if f.rule == "LL001"]
        failed = [f.message for f in result.findings if "lambdalint failed on this file" in f.message]
        internal = [n for n in result.notes if "internal error" in n]
        if failed or internal:
            record["crash"] = "\n".join(failed + internal)
    target.unlink()
    return record


def soak(root: Path, select: Optional[List[str]], verbose: bool, limit: Optional[int]) -> dict:
    config = Config(exclude=[])
    if select:
        config.select = select
    files = files_under(root)[:limit]
    records = []
    started = time.perf_counter()
    old_cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="lambdalint-soak-") as tmp:
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        os.chdir(tmp)
        try:
            for index, path in enumerate(files, 1):
                if verbose:
                    print(f"[{index}/{len(files)}] {path}", file=sys.stderr, flush=True)
                records.append(check_one(path, scratch, config))
        finally:
            os.chdir(old_cwd)
    return {"root": str(root), "files": len(records), "seconds": time.perf_counter() - started,
            "records": records}


def report(outcome: dict, top: int) -> str:
    records = outcome["records"]
    crashes = [r for r in records if "crash" in r]
    ll001 = Counter(kind for r in records for kind in r.get("ll001", []))
    by_rule = Counter()
    for r in records:
        by_rule.update(r.get("findings", {}))
    cpu = sum(r["cpu"] for r in records)
    kinds = Counter(os.path.splitext(r["path"])[1].lower() for r in records)
    lines = [
        f"soaked {outcome['root']}: {outcome['files']} files "
        f"({', '.join(f'{n} {k}' for k, n in kinds.most_common())}), "
        f"{sum(r['bytes'] for r in records) / 1e6:.1f} MB, {outcome['seconds']:.1f} s wall, "
        f"{cpu:.1f} s CPU in checks",
        f"crashes: {len(crashes)}",
    ]
    for r in crashes:
        lines.append(f"  {r['path']}")
        lines += ["    " + line for line in str(r["crash"]).rstrip().splitlines()[-6:]]
    lines.append(f"slowest {min(top, len(records))} files by CPU time (wall s, CPU s, bytes):")
    for r in sorted(records, key=lambda r: r["cpu"], reverse=True)[:top]:
        lines.append(f"  {r['seconds']:8.3f} {r['cpu']:8.3f} {r['bytes']:>10,d}  {r['path']}")
    files_with_ll001 = sum(1 for r in records if r.get("ll001"))
    lines.append(f"LL001: {sum(ll001.values())} findings in {files_with_ll001} files")
    for kind, count in ll001.most_common():
        lines.append(f"  {count:6d}  {kind}")
    lines.append("findings by rule: " + (", ".join(f"{k} {v}" for k, v in sorted(by_rule.items()))
                                        or "none"))
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--top", type=int, default=10, help="how many slow files to list")
    parser.add_argument("--select", action="append", help="rules to run (default: all)")
    parser.add_argument("--limit", type=int, help="stop after this many files")
    parser.add_argument("--json", type=Path, help="also write every file's record here")
    parser.add_argument("--verbose", "-v", action="store_true", help="name each file first")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        parser.error(f"{args.directory}: not a directory")
    faulthandler.enable()
    outcome = soak(args.directory.resolve(), args.select, args.verbose, args.limit)
    sys.stdout.write(report(outcome, args.top))
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=1, default=dict))
    return 1 if any("crash" in r for r in outcome["records"]) else 0


if __name__ == "__main__":
    sys.exit(main())
