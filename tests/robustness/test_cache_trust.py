"""The cache never hides a finding and is never slower than no cache (issue #10, "Trust").

Each test is a case that once went wrong: an edit no time shows (a Terraform ``file()`` target
edited to the same size with its time set back, a template added with its directory's time set
back), a cache inside a Terraform module that made every run a miss, entries of the wrong shape
that ended the run, and one cache file per source file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from helpers import (HANDLER_BY_CONFIG_ONLY, TERRAFORM_FILE_POLICY, age, findings_of, sam_template,
                     where, write)
from lambdalint import cache, engine
from lambdalint.config import load

# The Terraform function with a file() policy, the policy beside main.tf here.
TF_WITH_FILE = TERRAFORM_FILE_POLICY.replace("/policies/p.json", "/policy.json")

NARROW = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",\n'
          '     "Action": "s3:GetObject",\n     "Resource": "arn:aws:s3:::b/*"}\n  ]\n}\n')
WIDE = NARROW.replace('"s3:GetObject"', '"s3:*"' + " " * 8)  # the same size

HANDLER = HANDLER_BY_CONFIG_ONLY
TEMPLATE = sam_template("./", "app.process", "Orders")


def findings(root: Path, *args: str) -> List[Tuple[str, int, str]]:
    return where(findings_of(root, *args))


def set_back(path: Path, stat: os.stat_result) -> None:
    """Put back the times ``path`` had (as ``touch -r``, a checkout or an archive would)."""
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


PACK = "pack.jsonl"


def pack_lines(cache_dir: Path) -> List[List[str]]:
    (pack,) = cache_dir.rglob(PACK)
    header, *lines = pack.read_text(encoding="ascii").splitlines()
    assert header + "\n" == cache.PACK_HEADER
    return [line.split("\t", 3) for line in lines]


def write_pack(cache_dir: Path, lines: List[List[str]]) -> None:
    (pack,) = cache_dir.rglob(PACK)
    pack.write_text(cache.PACK_HEADER + "".join("\t".join(l) + "\n" for l in lines),
                    encoding="ascii")


def entries(cache_dir: Path) -> Dict[Tuple[str, str], str]:
    """(kind, key) -> the value's JSON text, from the pack or from the one-file-per-entry
    layout before it (so that these tests also say what the code before the pack did)."""
    if list(cache_dir.rglob(PACK)):
        return {(kind, digest): value for kind, digest, _, value in pack_lines(cache_dir)}
    found = {}
    for path in cache_dir.rglob("*.json"):
        try:
            value = json.dumps(json.loads(path.read_text(encoding="utf-8"))["value"])
        except ValueError:
            value = ""
        found[(path.parent.parent.name, path.stem)] = value
    return found


def replace_entries(cache_dir: Path, values: Dict[Tuple[str, str], str]) -> None:
    if list(cache_dir.rglob(PACK)):
        write_pack(cache_dir, [[kind, digest, stamp, values.get((kind, digest), value)]
                               for kind, digest, stamp, value in pack_lines(cache_dir)])
        return
    for (kind, digest), text in values.items():
        (path,) = cache_dir.rglob(f"{kind}/{digest[:2]}/{digest}.json")
        path.write_text('{"key": "%s", "value": %s}' % (digest, text), encoding="utf-8")


def count(cache_dir: Path, kind: str = "") -> int:
    return sum(1 for k, _ in entries(cache_dir) if not kind or k == kind)


def snapshot(cache_dir: Path) -> Dict[str, Tuple[int, int]]:
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache_dir.rglob("*")
            if p.is_file()}


# -- 1. a file() target edited to the same size, its time set back ------------------------------

def test_terraform_file_target_edited_with_same_size_and_time_is_read_again(tmp_path):
    root = write(tmp_path, {"main.tf": TF_WITH_FILE, "policy.json": NARROW,
                            "app.py": "def process(event, context):\n    return 1\n"})
    outside = ["--cache-dir", str(tmp_path.parent / (tmp_path.name + "-cache"))]
    assert ("policy.json", 5, "LL202") not in findings(root, *outside, ".")  # fills the cache
    assert findings(root, *outside, ".") == findings(root, "--no-cache", ".")
    policy = root / "policy.json"
    before = policy.stat()
    policy.write_text(WIDE, encoding="utf-8")
    set_back(policy, before)
    assert policy.stat().st_size == before.st_size
    expected = findings(root, "--no-cache", ".")
    assert ("policy.json", 5, "LL202") in expected
    assert findings(root, *outside, ".") == expected


def test_terraform_templatefile_target_edited_with_same_size_and_time_is_read_again(tmp_path):
    tf = TF_WITH_FILE.replace('file("${path.module}/policy.json")',
                              'templatefile("${path.module}/templates/policy.tpl", {})')
    root = write(tmp_path, {"main.tf": tf, "templates/policy.tpl": NARROW})
    outside = ["--cache-dir", str(tmp_path.parent / (tmp_path.name + "-cache"))]
    assert ("templates/policy.tpl", 5, "LL202") not in findings(root, *outside, ".")
    template = root / "templates" / "policy.tpl"
    before, folder = template.stat(), template.parent.stat()
    template.write_text(WIDE, encoding="utf-8")
    set_back(template, before)
    set_back(template.parent, folder)
    expected = findings(root, "--no-cache", ".")
    assert ("templates/policy.tpl", 5, "LL202") in expected
    assert findings(root, *outside, ".") == expected


# -- 2. pre-commit: a template added, its directory's time set back ------------------------------

def test_precommit_sees_a_template_added_with_the_directory_time_set_back(tmp_path):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "src/app.py": HANDLER})
    age(root)
    cache_dir = tmp_path.parent / (tmp_path.name + "-cache")
    assert findings(root, "--cache-dir", str(cache_dir), "src/app.py") == []
    assert count(cache_dir, "walk") == 1  # the walk is kept
    src = root / "src"
    before = src.stat()
    write(root, {"src/template.yaml": TEMPLATE})
    set_back(src / "template.yaml", before)
    set_back(src, before)
    expected = findings(root, "--no-cache", "src/app.py")
    assert expected == [("src/app.py", 5, "LL102")]
    assert findings(root, "--cache-dir", str(cache_dir), "src/app.py") == expected
    assert findings(root, "--cache-dir", str(cache_dir), "src/app.py") == expected


def test_precommit_sees_a_gitignore_edited_with_same_size_and_time(tmp_path):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", ".gitignore": "deploy/\n",
                            "src/app.py": HANDLER,
                            "deploy/template.yaml": TEMPLATE.replace("./", "../src/")})
    age(root)
    cache_dir = tmp_path.parent / (tmp_path.name + "-cache")
    assert findings(root, "--cache-dir", str(cache_dir), "src/app.py") == []  # ignored
    assert count(cache_dir, "walk") == 1  # the walk is kept
    ignore = root / ".gitignore"
    before = ignore.stat()
    ignore.write_text("build/\n", encoding="utf-8")  # same size
    set_back(ignore, before)
    assert findings(root, "--cache-dir", str(cache_dir), "src/app.py") == \
        [("src/app.py", 5, "LL102")]


# -- 3. the cache inside a module that reads files -----------------------------------------------

def _run(root: Path) -> engine.Result:
    old = os.getcwd()
    os.chdir(root)
    try:
        return engine.run(["."], load(["."]))
    finally:
        os.chdir(old)


def test_in_tree_cache_of_a_file_module_hits_and_does_not_grow(tmp_path):
    root = write(tmp_path, {"main.tf": TF_WITH_FILE, "policy.json": NARROW,
                            "app.py": "def process(event, context):\n    return 1\n"})
    first = _run(root)
    assert first.cache_misses > 0
    cache_dir = root / ".lambdalint_cache"
    held, files = count(cache_dir), snapshot(cache_dir)
    second = _run(root)
    assert (second.cache_hits, second.cache_misses) == (first.cache_misses, 0)
    assert count(cache_dir) == held
    assert snapshot(cache_dir) == files  # a run that only hits writes nothing
    assert [(f.path, f.line, f.rule) for f in second.findings] == \
        [(f.path, f.line, f.rule) for f in first.findings]


# -- 4. entries of the wrong shape ---------------------------------------------------------------

SAM = sam_template("src/", "app.process", "Orders", """\
      InlineCode: |
        import boto3
        def process(event, context):
            return boto3.client("s3")
""")

WRONG_SHAPES = {
    # a list where a dict is expected, a dict where a list is, truncated JSON, and the right
    # outline with a field of the wrong type (a line number as text, a timeout as a record)
    "walk": ['[]', '{"stamps": [], "files": [[1, 2, 3, 4]]}', '{"stamps": [], "files": [["a"'],
    "python": ['{"findings": []}', '[[["LL102", "client-per-invocation", "warning", "x.py", "5",'
               ' 1, 5, 1, "m", "s", null]], []]', '[[], [1]]', '[[], ['],
    "inline": ['{}', '[["LL102"]]', '[null]'],
    "unit": ['{}', '[[{"@": "Function", "f": {"name": 1}}], []]',
             '[[{"@": "Timeout", "f": {"seconds": 1, "origin": "x", "path": "p", "line": 1}}], []]',
             '[[{"@": "Function", "f": {"name": "F", "format": "sam", "path": "t.yaml", '
             '"line": 1, "end_line": 2, "timeout": {"@": "Value", "f": {"value": 1, "text": "1",'
             ' "path": "t", "line": "1"}}}}], []]', '[[], [{"@": "ReadError"'],
    "links": ['{}', '[["local"]]', '[[1, 2, null]]', '[["local", null, [true'],
}


@pytest.mark.parametrize("variant", range(5))
def test_wrong_shape_entries_are_misses_and_are_overwritten(tmp_path, variant):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "template.yaml": SAM,
                            "main.tf": TF_WITH_FILE, "policy.json": NARROW.replace(
                                "s3:GetObject", "s3:*"),
                            "src/app.py": HANDLER.replace("payload", "event").replace(
                                "(event)", "(event, context)")})
    age(root)
    expected = findings(root, "--no-cache", ".")
    expected_one = findings(root, "--no-cache", "src/app.py")
    assert ("src/app.py", 5, "LL102") in expected and ("policy.json", 5, "LL202") in expected
    assert findings(root, ".") == expected
    age(root)  # the cache directory made above is new
    assert findings(root, "src/app.py") == expected_one  # the walk and the links are kept too
    cache_dir = root / ".lambdalint_cache"
    held = entries(cache_dir)
    assert {kind for kind, _ in held} == set(WRONG_SHAPES)
    wrong = {name: WRONG_SHAPES[name[0]][variant % len(WRONG_SHAPES[name[0]])] for name in held}
    replace_entries(cache_dir, wrong)
    assert findings(root, ".") == expected
    assert findings(root, "src/app.py") == expected_one
    now = entries(cache_dir)
    assert not [name for name, text in wrong.items() if now.get(name) == text]  # all replaced
    assert findings(root, ".") == expected


# -- 5. many small files: few cache files, a bounded pack ----------------------------------------

def _cache_files(directory: Path) -> List[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def test_the_cache_holds_as_many_files_for_many_sources_as_for_few(tmp_path):
    counts = []
    for n in (3, 300):
        root = write(tmp_path / f"tree{n}", {f"pkg{i // 50}/m{i}.py": f"X{i} = {i}\n"
                                             for i in range(n)})
        assert findings(root, ".") == []
        assert findings(root, ".") == []
        counts.append(len(_cache_files(root / ".lambdalint_cache")))
        assert count(root / ".lambdalint_cache", "python") == n
    assert counts[0] == counts[1] <= 5


def test_the_pack_is_kept_under_its_bound_by_dropping_the_oldest(tmp_path, monkeypatch):
    root = write(tmp_path, {f"old/m{i}.py": f"X{i} = {i}\n" for i in range(40)})
    cache_dir = root / ".lambdalint_cache"
    findings(root, "old")
    (pack,) = cache_dir.rglob(PACK)
    bound = pack.stat().st_size + 10
    lines = pack_lines(cache_dir)
    for line in lines:
        line[2] = "1"  # used long ago
    write_pack(cache_dir, lines)
    monkeypatch.setattr(cache, "MAX_PACK_BYTES", bound)
    write(root, {f"new/n{i}.py": f"Y{i} = {i}\n" for i in range(20)})
    findings(root, "new")
    assert pack.stat().st_size <= bound
    kept = {digest for _, digest, _, _ in pack_lines(cache_dir)}
    old = {line[1] for line in lines}
    assert len(kept - old) == 20  # what this run wrote stays
    assert len(kept & old) < 20  # the entries used longest ago went (down to 3/4 of the bound)
    assert findings(root, ".") == []


def test_four_runs_at_once_lose_no_entry(tmp_path):
    root = write(tmp_path / "tree", {f"pkg{i % 4}/m{i}.py": f"X{i} = {i}\n" for i in range(400)})
    cache_dir = tmp_path / "shared"
    command = [sys.executable, "-m", "lambdalint", "check", "--exit-zero", "--cache-dir",
               str(cache_dir)]
    runs = [subprocess.Popen(command + [f"pkg{i}"], cwd=root, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for i in range(4)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0 and "Traceback" not in err, err
    assert count(cache_dir, "python") == 400
    assert not list(cache_dir.rglob(".tmp-*"))
