"""Record everything lambdalint prints for a set of trees, to prove a refactor changes no output.

    python bench/same_output.py record OUT_DIR TREE [TREE ...]
    python bench/same_output.py compare BEFORE_DIR AFTER_DIR

``record`` runs the installed ``lambdalint`` (the one on PATH, or ``$LAMBDALINT``) over each tree
in every output format, with and without the cache, with the pre-filter off, as a pre-commit
style file list, and records ``rules``, ``explain`` for every id and ``--help``. Each output is
one file named by the command; the exit code is its last line. ``compare`` diffs two such
directories and exits 1 on any difference. Nothing here times anything: the bench does that.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List


def _lambdalint() -> List[str]:
    exe = os.environ.get("LAMBDALINT") or shutil.which("lambdalint")
    if not exe:
        sys.exit("same_output: no lambdalint on PATH (set $LAMBDALINT)")
    return [exe]


def _run(args: List[str], cwd: Path, env: dict) -> str:
    done = subprocess.run(_lambdalint() + args, cwd=cwd, env=env, capture_output=True, text=True)
    return done.stdout + "\n--- stderr\n" + done.stderr + f"\n--- exit {done.returncode}\n"


def _files_of(tree: Path, limit: int = 40) -> List[str]:
    """A pre-commit style list: the tree's first Python files and configs, sorted."""
    picked = []
    for path in sorted(tree.rglob("*")):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix in (".py", ".yaml", ".yml", ".json", ".tf"):
            picked.append(str(path.relative_to(tree)))
        if len(picked) >= limit:
            break
    return picked


def record(out: Path, trees: List[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    cache = Path(tempfile.mkdtemp(prefix="same-output-cache-"))
    try:
        for tree in trees:
            tag = hashlib.sha1(str(tree.resolve()).encode()).hexdigest()[:8] + "-" + tree.name
            runs = {
                "json": ["check", "--no-cache", "--format", "json", "--exit-zero", "."],
                "sarif": ["check", "--no-cache", "--format", "sarif", "--exit-zero", "."],
                "github": ["check", "--no-cache", "--format", "github", "--exit-zero", "."],
                "gitlab": ["check", "--no-cache", "--format", "gitlab", "--exit-zero", "."],
                "junit": ["check", "--no-cache", "--format", "junit", "--exit-zero", "."],
                "text-stats": ["check", "--no-cache", "--statistics", "--exit-zero", "."],
                "diff": ["check", "--no-cache", "--diff", "--exit-zero", "."],
                "cold": ["check", "--cache-dir", str(cache / tag), "--format", "json", "."],
                "warm": ["check", "--cache-dir", str(cache / tag), "--format", "json", "."],
                "files": ["check", "--no-cache", "--format", "json", "--"] + _files_of(tree),
            }
            for name, args in runs.items():
                (out / f"{tag}.{name}.txt").write_text(_run(args, tree, env))
            no_filter = dict(env, LAMBDALINT_NO_PREFILTER="1")
            (out / f"{tag}.no-prefilter.txt").write_text(
                _run(runs["json"], tree, no_filter))
        here = Path.cwd()
        (out / "rules.txt").write_text(_run(["rules"], here, env))
        (out / "rules-json.txt").write_text(_run(["rules", "--format", "json"], here, env))
        (out / "help.txt").write_text(_run(["check", "--help"], here, env))
        rules = json.loads(_run(["rules", "--format", "json"], here, env).split("\n--- stderr")[0])
        for rule in rules:
            rid = rule["id"]
            (out / f"explain-{rid}.txt").write_text(_run(["explain", rid], here, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def compare(before: Path, after: Path) -> int:
    """Outputs recorded in both directories must be byte-identical; an output recorded in one
    only (a tree recorded once) is listed and not counted."""
    names = sorted({p.name for p in before.iterdir()} & {p.name for p in after.iterdir()})
    alone = sorted({p.name for p in before.iterdir()} ^ {p.name for p in after.iterdir()})
    differ = 0
    for name in names:
        if (before / name).read_bytes() != (after / name).read_bytes():
            print(f"differs: {name}")
            differ += 1
    if alone:
        print(f"recorded in one directory only (not compared): {len(alone)}")
    print(f"{len(names) - differ} of {len(names)} outputs identical")
    return 1 if differ or not names else 0


def main(argv: List[str]) -> int:
    if len(argv) >= 3 and argv[0] == "record":
        record(Path(argv[1]), [Path(t) for t in argv[2:]])
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
