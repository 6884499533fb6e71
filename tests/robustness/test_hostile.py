"""Hostile inputs, one test each: lambdalint finishes, quickly, and says what it could not read.

Each test runs the real CLI on files written for it, next to a sentinel handler with a known
finding that must survive. Inputs that once crashed the process (a segfault in LibCST's native
parser on deep nesting) run in a subprocess, so that a regression fails the test instead of
killing the test session.
"""

from __future__ import annotations

import errno
import io
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import List, Tuple

import pytest

from helpers import alias_bomb, run_cli, run_subprocess, write, zip_claiming

SENTINEL = (
    "import boto3\n"
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    "    s3 = boto3.client(\"s3\")\n"
    "    return s3.list_buckets()\n"
)
SENTINEL_FINDING = ("LL102", "sentinel/app.py", 5)

TEMPLATE_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n'


def check(root: Path, *extra: str) -> Tuple[List[dict], str]:
    """Findings (as JSON) and stderr of an in-process run on ``root``, with the sentinel there."""
    write(root, {"sentinel/app.py": SENTINEL})
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", *extra, "."], cwd=root)
    assert code in (0, 1), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    findings = json.loads(out)["findings"]
    assert SENTINEL_FINDING in triples(findings), findings
    return findings, err


def check_subprocess(root: Path, *extra: str, timeout: float = 120) -> Tuple[List[dict], str]:
    write(root, {"sentinel/app.py": SENTINEL})
    proc = run_subprocess(["check", "--no-cache", "--format", "json", *extra, "."], cwd=root,
                          timeout=timeout)
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)  # -11 would be a segfault
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert SENTINEL_FINDING in triples(findings), findings
    return findings, proc.stderr


def peak_memory(action) -> int:
    """The most memory Python allocated while ``action`` ran (tracemalloc slows it down: time
    it separately)."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def triples(findings: List[dict]) -> List[Tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["line"]) for f in findings]


def of(findings: List[dict], path: str) -> List[Tuple[str, int, int, str]]:
    return [(f["rule"], f["line"], f["column"], f["message"]) for f in findings if f["path"] == path]


# -- YAML -----------------------------------------------------------------------------------------


def test_yaml_alias_bomb_finishes_in_under_a_second_with_bounded_memory(tmp_path):
    write(tmp_path, {"template.yaml": alias_bomb(), "serverless.yml": (
        "service: s\nprovider:\n  name: aws\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"  a{i}: &a{i} [{', '.join(['*a' + ('' if i == 1 else str(i - 1))] * 10)}]\n"
                  for i in range(1, 10))
        + "functions:\n  f:\n    handler: h.f\n    tags: *a9\n")})
    check(tmp_path)  # warm: imports and first parses are not what is measured
    started = time.process_time()  # this process's CPU: other jobs on the machine do not count
    findings, _ = check(tmp_path)
    elapsed = time.process_time() - started
    assert elapsed < 1.0, elapsed
    assert peak_memory(lambda: check(tmp_path)) < 64 * 1024 * 1024  # 10**9 strings: gigabytes
    for path in ("template.yaml", "serverless.yml"):
        (rule, line, _, message), = of(findings, path)
        assert rule == "LL001" and "alias bomb" in message, findings
        assert 3 <= line <= 13


def test_yaml_merge_key_bomb(tmp_path):
    """Aliases fanned out through mappings and ``<<`` merge keys instead of lists."""
    lines = [TEMPLATE_HEAD.rstrip("\n"), "Metadata:",
             "  m0: &m0 {" + ", ".join(f"k{j}: v" for j in range(20)) + "}"]
    for i in range(1, 12):
        lines.append(f"  m{i}: &m{i}")
        lines.append(f"    <<: *m{i - 1}")
        lines += [f"    k{i}_{j}: *m{i - 1}" for j in range(10)]
    lines.append("Resources: {}")
    write(tmp_path, {"template.yaml": "\n".join(lines) + "\n"})
    started = time.perf_counter()
    findings, _ = check(tmp_path)
    assert time.perf_counter() - started < 5
    (rule, _, _, message), = of(findings, "template.yaml")
    assert rule == "LL001" and "alias bomb" in message


@pytest.mark.parametrize("name, text, line", [
    ("template.yaml", "Resources:\n  X: " + "[" * 100_000 + "]" * 100_000 + "\n", 2),
    ("template.json", '{"Resources": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001, 1),
    ("serverless.yml", "service: s\nprovider:\n" + "".join(
        " " * i + f"k{i}:\n" for i in range(1, 3000)) + "\n", 1001),
], ids=["yaml-flow", "json", "yaml-block"])
def test_deeply_nested_yaml_and_json(tmp_path, name, text, line):
    write(tmp_path, {name: text})
    findings, _ = check_subprocess(tmp_path)
    (rule, found_line, _, message), = of(findings, name)
    assert rule == "LL001"
    # libyaml 0.2.6 stops at its nesting limit, where it is; with an older libyaml lambdalint
    # hands such text to PyYAML's Python composer, which stops at Python's recursion limit.
    assert (found_line, message) in ((line, "cannot check this file: invalid YAML: exceeded "
                                            "maximum nesting depth"),
                                     (1, "cannot check this file: nested too deeply")), message


def test_yaml_tags_that_build_python_objects_build_nothing(tmp_path):
    marker = tmp_path / "PWNED"
    payloads = [
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/apply:subprocess.check_output [['touch', '{marker}']]",
        f"!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:builtins.exec {}",
        "!!set {a, b}",
        "!!binary aGVsbG8=",
        "!!timestamp 2001-13-99",
        "!!int not-a-number",
        "!!float 1e99999",
    ]
    template = TEMPLATE_HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n" \
        "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Tags:\n" \
        + "".join(f"        T{i}: {p}\n" for i, p in enumerate(payloads)) \
        + "      MemorySize: !!python/object/apply:builtins.int ['512']\n"
    serverless = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  tags:\n" \
        f"    a: !!python/object/apply:os.system ['touch {marker}']\n" \
        "functions:\n  f:\n    handler: h.f\n"
    write(tmp_path, {"template.yaml": template, "serverless.yml": serverless})
    findings, _ = check_subprocess(tmp_path)
    assert not marker.exists()
    # Read as what they are, unknown tags: the function is still there and checked (LL201:
    # it sets no timeout).
    assert not [f for f in of(findings, "template.yaml") if f[0] == "LL001"], findings
    assert not [f for f in of(findings, "serverless.yml") if f[0] == "LL001"], findings
    assert ("LL201", "template.yaml", 4) in triples(findings)
    assert ("LL201", "serverless.yml", 8) in triples(findings)


def test_yaml_indented_with_tabs_is_ll001_at_the_tab(tmp_path):
    write(tmp_path, {"template.yaml": TEMPLATE_HEAD + "Resources:\n\tFn:\n\t\tType: AWS::Lambda::Function\n"})
    findings, _ = check(tmp_path)
    assert [f[:3] for f in of(findings, "template.yaml")] == [("LL001", 4, 1)]


# -- Python ---------------------------------------------------------------------------------------


DEEP_PYTHON = {
    "parens.py": "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n",
    "brackets.py": "x = " + "[" * 5_000 + "]" * 5_000 + "\n",
    "plus_chain.py": "x = " + " + ".join(["1"] * 200_000) + "\n",
    "unary.py": "x = " + "-" * 100_000 + "1\n",
    "attributes.py": "x = a" + ".b" * 50_000 + "\n",
    "calls.py": "x = f" + "()" * 50_000 + "\n",
    "conditional.py": "x = " + "1 if a else " * 50_000 + "2\n",
    "lambdas.py": "x = " + "lambda a, b: " * 50_000 + "1\n",
    "nots.py": "x = " + "not " * 100_000 + "1\n",
    "elifs.py": "if a:\n    pass\n" + "elif a:\n    pass\n" * 100_000,
    "fstrings.py": "x = " + "f'{" * 3_000 + "1" + "}'" * 3_000 + "\n",
    "indent.py": "".join(" " * i + "if x:\n" for i in range(1_000)) + " " * 1_000 + "pass\n",
}


def test_deeply_nested_python_is_ll001_and_the_process_survives(tmp_path):
    """LibCST's native parser overflows the C stack on these (a segfault, the whole run lost)
    and is quadratic well before; lambdalint refuses them, quickly."""
    write(tmp_path, {f"deep/{name}": text for name, text in DEEP_PYTHON.items()})
    write(tmp_path, {"deep/handler.py": "def lambda_handler(event, context):\n"
                                        "    return " + " + ".join(["1"] * 200) + "\n"})
    started = time.perf_counter()
    findings, _ = check_subprocess(tmp_path, timeout=300)
    assert time.perf_counter() - started < 60
    for name in DEEP_PYTHON:
        found = of(findings, f"deep/{name}")
        assert [f[0] for f in found] == ["LL001"], (name, found)
    assert of(findings, "deep/parens.py")[0][1:] == (
        1, 205, "cannot check this file: too complex to parse safely: more than 200 nested brackets")
    assert of(findings, "deep/plus_chain.py")[0][3].endswith("an expression nested too deeply")
    # Deep but within bounds: parsed and checked like any file.
    assert of(findings, "deep/handler.py") == []


def test_deep_python_in_a_cdk_app_is_ll001_too(tmp_path):
    write(tmp_path, {"app.py": "from aws_cdk import aws_lambda as lambda_\nFunction = 1\n"
                               "x = " + " + ".join(["1"] * 200_000) + "\n"})
    findings, _ = check_subprocess(tmp_path)
    assert [f[:2] for f in of(findings, "app.py")] == [("LL001", 3)]


def test_a_suppression_comment_on_the_broken_line_does_not_hide_ll001(tmp_path):
    """Found by the fuzz tests: a file cut short after ``except Exception:  # noqa`` was
    reported clean, the parse error silenced by the comment on its line."""
    write(tmp_path, {"cut.py": "def f():\n    try:\n        pass\n    except Exception:  # noqa",
                     "whole.py": "# lambdalint: ignore-file\nx = (1,\n"})
    findings, _ = check(tmp_path)
    assert [f[:2] for f in of(findings, "cut.py")] == [("LL001", 4)]
    assert [f[0] for f in of(findings, "whole.py")] == ["LL001"]


def test_binary_file_named_py(tmp_path):
    write(tmp_path, {"blob.py": bytes(range(256)) * 40, "image.py": b"\x89PNG\r\n\x1a\n" + os.urandom(2000)})
    findings, _ = check(tmp_path)
    assert of(findings, "blob.py") == [
        ("LL001", 1, 1, "cannot check this file: binary file: it contains NUL bytes")]
    assert [f[0] for f in of(findings, "image.py")] == ["LL001"]


def test_invalid_utf8(tmp_path):
    write(tmp_path, {
        "latin.py": b"x = '\xe9t\xe9'\n",
        "template.yaml": TEMPLATE_HEAD.encode() + b"Description: caf\xe9\nResources: {}\n",
        "main.tf": b'resource "aws_lambda_function" "f" {\n  description = "caf\xe9"\n}\n',
    })
    findings, _ = check(tmp_path)
    assert [f[:2] for f in of(findings, "latin.py")] == [("LL001", 1)]
    assert of(findings, "template.yaml") == [
        ("LL001", 1, 1, "cannot check this file: not UTF-8 text: invalid continuation byte")]
    assert [(f[0], f[1], f[3]) for f in of(findings, "main.tf")] == [
        ("LL001", 2, "cannot check this file: not UTF-8 text: invalid continuation byte")]


def test_utf8_bom_keeps_lines_and_columns(tmp_path):
    bom = b"\xef\xbb\xbf"
    write(tmp_path, {
        "bom/app.py": bom + SENTINEL.encode(),
        "template.yaml": bom + (TEMPLATE_HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                                "    Properties:\n      Handler: app.handler\n"
                                "      Runtime: python3.12\n").encode(),
        "tf/main.tf": bom + b'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n}\n',
    })
    findings, _ = check(tmp_path)
    assert [f[:3] for f in of(findings, "bom/app.py")] == [("LL102", 5, 10)]
    assert [f[:2] for f in of(findings, "template.yaml")] == [("LL201", 4)]
    assert [f[:2] for f in of(findings, "tf/main.tf")] == [("LL201", 1)]


def test_crlf_line_endings_keep_lines_and_columns(tmp_path):
    lf = {
        "app.py": SENTINEL.replace("    s3 = ", "    password = 'hunter2-hunter2'\n    s3 = "),
        "template.yaml": TEMPLATE_HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                         "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n"
                         "      Policies:\n        - Statement:\n            - Effect: Allow\n"
                         "              Action: '*'\n              Resource: '*'\n",
        "tf/main.tf": 'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n'
                      '  environment {\n    variables = {\n      API_TOKEN = "tok-7f3a9c2e81"\n    }\n  }\n}\n',
    }
    write(tmp_path / "lf", lf)
    write(tmp_path / "crlf", {k: v.replace("\n", "\r\n").encode() for k, v in lf.items()})
    findings, _ = check(tmp_path)
    lf_found = sorted((f["path"][3:], f["rule"], f["line"], f["column"], f["end_line"], f["end_column"])
                      for f in findings if f["path"].startswith("lf/"))
    crlf_found = sorted((f["path"][5:], f["rule"], f["line"], f["column"], f["end_line"], f["end_column"])
                        for f in findings if f["path"].startswith("crlf/"))
    assert lf_found and lf_found == crlf_found
    assert {(p, r) for p, r, *_ in lf_found} >= {("app.py", "LL101"), ("app.py", "LL102"),
                                                 ("template.yaml", "LL202"), ("tf/main.tf", "LL204")}


def test_tabs_count_as_one_column(tmp_path):
    write(tmp_path, {"tabs/app.py": "import boto3\n\n\ndef lambda_handler(event, context):\n"
                                    "\tif event:\n\t\ts3 = boto3.client('s3')\n\treturn 1\n"})
    findings, _ = check(tmp_path)
    assert [f[:3] for f in of(findings, "tabs/app.py")] == [("LL102", 6, 8)]


# -- files and the file system --------------------------------------------------------------------


def test_huge_files_are_skipped_with_a_note(tmp_path):
    six_mib = 6 * 1024 * 1024
    write(tmp_path, {
        "huge.py": "x = 1\n" * (six_mib // 6),
        "template.yaml": TEMPLATE_HEAD + "Resources:\n" + "".join(
            f"  Q{i}:\n    Type: AWS::SQS::Queue\n" for i in range(six_mib // 30)),
        "package-lock.json": '{"name": "x", "packages": {' + ", ".join(
            f'"p{i}": {{"version": "1.0.{i}"}}' for i in range(six_mib // 30)) + "}}",
        "tf/main.tf": 'resource "aws_lambda_function" "f" {}\n' + "# padding\n" * (six_mib // 10),
    })
    started = time.perf_counter()
    findings, err = check(tmp_path)
    assert time.perf_counter() - started < 15
    assert "lambdalint: huge.py: skipped, 6.0 MiB is over the 5 MiB limit for one file\n" in err, err
    assert of(findings, "huge.py") == []
    (rule, _, _, message), = of(findings, "template.yaml")
    assert rule == "LL001" and "over the 5 MiB limit" in message
    assert of(findings, "package-lock.json") == []  # not a deployment file: nothing to say
    (rule, _, _, message), = of(findings, "tf/main.tf")
    assert rule == "LL001" and "6.0 MiB is over the 5 MiB limit" in message


def test_symlink_loops(tmp_path):
    write(tmp_path, {"code/app.py": SENTINEL})
    os.symlink("loop_b.py", tmp_path / "code" / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "code" / "loop_b.py")
    os.symlink(".", tmp_path / "code" / "self")
    os.symlink("..", tmp_path / "code" / "parent")
    os.symlink("template.yaml", tmp_path / "code" / "template.yaml")  # points at itself
    findings, _ = check_subprocess(tmp_path, timeout=60)
    assert [f for f in triples(findings) if f[1].startswith("code/")] == [("LL102", "code/app.py", 5)]


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside, {"secret.py": SENTINEL, "pkg/handler.py": SENTINEL,
                    "template.yaml": TEMPLATE_HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                                     "    Properties:\n      Handler: a.b\n"})
    tree = tmp_path / "tree"
    write(tree, {"app.py": "x = 1\n"})
    os.symlink(outside / "secret.py", tree / "leak.py")
    os.symlink(outside / "pkg", tree / "pkg")
    os.symlink(outside / "template.yaml", tree / "template.yaml")
    os.symlink("/etc/passwd", tree / "passwd.py")
    findings, _ = check(tree)
    assert [f for f in findings if f["path"] != "sentinel/app.py"] == []


def test_a_file_that_cannot_be_read(tmp_path, monkeypatch):
    """The OS refuses the file: LL001 that says so, and everything else is checked. Tests run as
    root here, where a file's mode does not stop reads, so the refusal is made where the OS makes
    it: ``open`` fails with EACCES for that file, as it would for another user."""
    write(tmp_path, {"locked/app.py": SENTINEL, "locked/template.yaml": TEMPLATE_HEAD + "Resources: {}\n",
                     "locked/main.tf": 'resource "aws_lambda_function" "f" {}\n'})
    real_open = io.open

    def refusing_open(file, *args, **kwargs):
        if "locked" in os.fspath(file) if isinstance(file, (str, os.PathLike)) else False:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", refusing_open)
    findings, _ = check(tmp_path)
    monkeypatch.undo()
    for name in ("app.py", "template.yaml", "main.tf"):
        assert of(findings, f"locked/{name}") == [
            ("LL001", 1, 1, "cannot check this file: cannot read: Permission denied")], name


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads a file whatever its mode (see test_a_file_that_cannot_be_read)")
def test_a_file_with_mode_000(tmp_path):
    write(tmp_path, {"locked/app.py": SENTINEL, "locked/template.yaml": TEMPLATE_HEAD + "Resources: {}\n"})
    for name in ("app.py", "template.yaml"):
        os.chmod(tmp_path / "locked" / name, 0)
    try:
        findings, _ = check(tmp_path)
    finally:
        for name in ("app.py", "template.yaml"):
            os.chmod(tmp_path / "locked" / name, 0o644)
    for name in ("app.py", "template.yaml"):
        assert of(findings, f"locked/{name}") == [
            ("LL001", 1, 1, "cannot check this file: cannot read: Permission denied")], name


def test_a_file_deleted_between_discovery_and_reading(tmp_path, monkeypatch):
    """Simulated where it happens: the file is unlinked just before lambdalint opens it (as a
    concurrent ``git checkout`` would), and the real ``open`` then fails."""
    write(tmp_path, {"gone/app.py": SENTINEL, "gone/template.yaml": TEMPLATE_HEAD + "Resources: {}\n"})
    real_open = io.open

    def deleting_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and "gone" in os.fspath(file):
            try:
                os.unlink(file)
            except FileNotFoundError:
                pass
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", deleting_open)
    findings, _ = check(tmp_path)
    monkeypatch.undo()
    assert not (tmp_path / "gone" / "app.py").exists()
    for name in ("app.py", "template.yaml"):
        assert of(findings, f"gone/{name}") == [
            ("LL001", 1, 1, "cannot check this file: cannot read: No such file or directory")], name


def test_files_deleted_while_a_run_is_going_on(tmp_path):
    """A real race: a thread deletes files while a subprocess run reads them. Whatever the
    interleaving, the run finishes and a deleted file is either checked or reported unreadable."""
    files = {f"pkg{i}/app{j}.py": SENTINEL for i in range(20) for j in range(10)}
    write(tmp_path, files)
    write(tmp_path, {"sentinel/app.py": SENTINEL})

    def delete_soon():
        time.sleep(0.3)
        for rel in sorted(files, reverse=True):
            try:
                os.unlink(tmp_path / rel)
            except FileNotFoundError:
                pass

    deleter = threading.Thread(target=delete_soon)
    deleter.start()
    proc = run_subprocess(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path, timeout=120)
    deleter.join()
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert SENTINEL_FINDING in triples(findings)
    for f in findings:
        if f["path"] in files:
            assert (f["rule"], f["line"]) in (("LL102", 5), ("LL001", 1)), f


def test_directories_named_like_files(tmp_path):
    write(tmp_path, {"x.py/app.py": SENTINEL, "template.yaml/readme.txt": "x",
                     "main.tf/inner.tf": 'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n}\n'})
    findings, _ = check(tmp_path)
    assert ("LL102", "x.py/app.py", 5) in triples(findings)
    assert ("LL201", "main.tf/inner.tf", 1) in triples(findings)
    assert not [f for f in findings if f["path"] in ("x.py", "template.yaml", "main.tf")]


def test_fifo_is_not_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    write(tmp_path, {"code/app.py": SENTINEL})
    os.mkfifo(tmp_path / "code" / "pipe.py")
    os.mkfifo(tmp_path / "template.yaml")
    os.symlink("pipe.py", tmp_path / "code" / "link.py")
    findings, _ = check_subprocess(tmp_path, timeout=60)  # reading a FIFO would block forever
    assert [f for f in triples(findings) if f[1].startswith("code/")] == [("LL102", "code/app.py", 5)]


def test_paths_with_spaces_and_non_ascii_names(tmp_path):
    names = ["my functions/hän dler.py", "日本/处理.py", "with, comma:colon/a%b.py", "emoji 😀/app.py"]
    write(tmp_path, {name: SENTINEL for name in names})
    findings, _ = check(tmp_path)
    for name in names:
        assert ("LL102", name, 5) in triples(findings), name
    code, out, _ = run_cli(["check", "--no-cache", "--format", "sarif", "."], cwd=tmp_path)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]}
    assert all(" " not in uri for uri in uris), uris  # a URI, percent-encoded
    code, out, _ = run_cli(["check", "--no-cache", "--format", "github", "."], cwd=tmp_path)
    assert "file=with%2C comma%3Acolon/a%25b.py,line=5," in out
    code, out, _ = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert "my functions/hän dler.py:5:10: LL102" in out


@pytest.mark.skipif(sys.platform == "darwin" or os.name != "posix",
                    reason="needs a file system that takes any bytes in a name")
def test_a_file_name_that_is_not_utf8(tmp_path):
    directory = os.fsencode(tmp_path) + b"/d\xff"
    os.mkdir(directory)
    with open(directory + b"/h\xfe.py", "wb") as handle:
        handle.write(SENTINEL.encode())
    for output_format in ("text", "json", "github", "sarif"):
        proc = run_subprocess(["check", "--no-cache", "--format", output_format, "."], cwd=tmp_path,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
        assert proc.returncode == 1, (output_format, proc.stderr)
        shown = "d%5Cxff/h%5Cxfe.py" if output_format == "sarif" else "d\\xff/h\\xfe.py"
        assert shown in proc.stdout.replace("\\\\", "\\"), (output_format, proc.stdout)


# -- packages -------------------------------------------------------------------------------------


def test_zip_whose_central_directory_claims_terabytes(tmp_path):
    four_tib = 4 * 1024 ** 4
    write(tmp_path, {
        "function.zip": zip_claiming(four_tib),
        "broken.zip": zip_claiming(four_tib)[:-10],
        "template.yaml": TEMPLATE_HEAD + "Resources:\n" + "".join(
            f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {zip_name}\n"
            "      Handler: app.handler\n      Runtime: python3.12\n      Timeout: 10\n"
            for name, zip_name in (("Big", "function.zip"), ("Broken", "broken.zip"))),
    })
    started = time.perf_counter()
    findings, err = check(tmp_path)
    assert time.perf_counter() - started < 5
    assert peak_memory(lambda: check(tmp_path)) < 64 * 1024 * 1024
    found = of(findings, "template.yaml")
    assert [f[:2] for f in found] == [("LL301", 4)], found
    assert "4194304 MB unzipped as declared in function.zip" in found[0][3]


def test_requirements_file_of_100000_lines(tmp_path):
    lines = [f"p{i}==1" for i in range(100_000)]
    lines[99_998] = "requests"
    write(tmp_path, {
        "fn/requirements.txt": "\n".join(lines) + "\n",
        "fn/app.py": "def handler(event, context):\n    return 1\n",
        "template.yaml": TEMPLATE_HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                         "    Properties:\n      CodeUri: fn/\n      Handler: app.handler\n"
                         "      Runtime: python3.12\n      Timeout: 10\n",
    })
    started = time.perf_counter()
    findings, _ = check(tmp_path, "--fail-on", "error")
    assert time.perf_counter() - started < 60
    assert [f[:2] for f in of(findings, "fn/requirements.txt")] == [("LL304", 99_999)]
