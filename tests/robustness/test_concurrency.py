"""Runs at the same time: same tree, same cache directory, same findings; fixes applied once.

CI jobs, pre-commit and an editor integration can all start lambdalint on one checkout at the
same moment. Each run here is a real process (``python -m lambdalint``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence

import pytest

from helpers import CLIENT_IN_HANDLER, FIXED, REPO, run_cli, write



def _has_option(option: str) -> bool:
    code, out, _ = run_cli(["check", "--help"])
    return option in out


def project(root: Path) -> Path:
    """The example app plus enough handler files for worker processes."""
    shutil.copytree(REPO / "examples" / "sam-app", root)
    write(root, {f"extra/fn{i}/app.py": CLIENT_IN_HANDLER.replace("s3", f"c{i}") for i in range(24)})
    write(root, {"extra/broken.py": "def f(:\n"})
    return root


def start(args: Sequence[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lambdalint", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: List[subprocess.Popen]) -> List[tuple]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert "Traceback" not in stderr and "internal error" not in stderr, stderr
        out.append((proc.returncode, stdout, stderr))
    return out


def findings(stdout: str) -> List[tuple]:
    return [(f["rule"], f["path"], f["line"], f["column"], f["message"])
            for f in json.loads(stdout)["findings"]]


def test_runs_at_once_with_the_same_cache_dir_find_the_same(tmp_path):
    tree = project(tmp_path / "app")
    cache = ["--cache-dir", str(tmp_path / "cache")] if _has_option("--cache-dir") else []
    (reference,) = finish([start(["check", "--no-cache", "--format", "json", "."], tree)]) \
        if _has_option("--no-cache") else finish([start(["check", "--format", "json", "."], tree)])
    expected = findings(reference[1])
    assert ("LL001", "extra/broken.py", 1, 7) in [f[:4] for f in expected]
    for round_ in ("cold cache", "warm cache", "after an edit"):
        if round_ == "after an edit":
            (tree / "extra" / "fn0" / "app.py").write_text(FIXED)
            expected = [f for f in expected if f[1] != "extra/fn0/app.py"]
        procs = [start(["check", *cache, "--format", "json", *jobs, "."], tree)
                 for jobs in ([], ["--jobs", "2"], [], ["--jobs", "1"])]
        results = finish(procs)
        for code, stdout, stderr in results:
            assert code == reference[0], (round_, stderr)
            assert findings(stdout) == expected, round_


@pytest.mark.skipif(not _has_option("--cache-dir"), reason="no cache directory option")
def test_a_garbled_cache_is_not_trusted(tmp_path):
    tree = project(tmp_path / "app")
    cache_dir = tmp_path / "cache"
    args = ["check", "--cache-dir", str(cache_dir), "--format", "json", "."]
    (first,) = finish([start(args, tree)])
    garbled = 0
    for path in cache_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2] + b"\x00\xff garbage")
            garbled += 1
    assert garbled, "the run left no cache to garble"
    (second,) = finish([start(args, tree)])
    assert second[0] == first[0]
    assert findings(second[1]) == findings(first[1])


def test_two_fixes_at_once_apply_each_fix_once(tmp_path):
    files = {f"fn{i}/app.py": CLIENT_IN_HANDLER for i in range(30)}
    write(tmp_path, files)
    extra = ["--no-cache"] if _has_option("--no-cache") else []
    results = finish([start(["check", *extra, "--select", "LL102", "--fix", "."], tmp_path)
                      for _ in range(2)])
    for code, stdout, stderr in results:
        assert code in (0, 1), stderr
        for line in stderr.splitlines():  # the only complaint allowed: the other run got there first
            assert "it changed on disk while lambdalint ran" in line, stderr
    for rel in files:
        assert (tmp_path / rel).read_text() == FIXED, rel
    assert sorted(p.name for p in (tmp_path / "fn0").iterdir()) == ["app.py"]  # no temporary left
