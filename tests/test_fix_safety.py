"""``--fix`` writes into people's code: property tests on generated handlers, and the write itself.

Handlers are generated with clients created in many shapes (plain, multi-line, annotated, from a
session, with a comment, inside ``if``/``try``/``for``, from event data), with 4 spaces, 2
spaces or tabs, LF or CRLF, with or without a final newline, a UTF-8 BOM or a latin-1 coding
cookie, and a random file mode. After ``lambdalint check --fix``:

* the file still parses, keeps its encoding, its line endings and its mode;
* a second ``--fix`` changes nothing;
* nothing but the hoisted lines moved: no line was added or lost (duplicates of one hoisted
  client may merge into one), and every other line kept its place and its indentation.

Then the write: a temporary file renamed over the original (the inode changes, nothing is left
behind, a reader never sees half a file), never through a symlink, never over a file that changed
on disk since it was read; and ``check`` without ``--fix`` (or with ``--diff``) writes nothing.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import stat
import threading
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from hypothesis import event, given, strategies as st

from conftest import run_cli, write

SERVICES = ["s3", "dynamodb", "sqs", "lambda", "secretsmanager", "ssm"]
NAMES = ["s3", "client", "table", "queue", "sm", "ddb", "c2"]


@st.composite
def client_statement(draw, var: str) -> Tuple[List[str], str]:
    """(lines of a statement that creates a client in ``var``, its shape)."""
    service = draw(st.sampled_from(SERVICES))
    shape = draw(st.sampled_from([
        "plain", "region", "multiline", "resource", "session", "comment", "annotated", "in if",
        "in try", "in for", "from event", "pymysql", "config", "keyword service",
    ]))
    lines = {
        "plain": [f'{var} = boto3.client("{service}")'],
        "region": [f'{var} = boto3.client("{service}", region_name="eu-west-1")'],
        "multiline": [f"{var} = boto3.client(", f'    "{service}",',
                      '    config=Config(retries={"max_attempts": 3}),', ")"],
        "resource": [f'{var} = boto3.resource("dynamodb").Table(TABLE)'],
        "session": ["session = boto3.session.Session()", f'{var} = session.client("{service}")'],
        "comment": [f'{var} = boto3.client("{service}")  # one per call, for now'],
        "annotated": [f'{var}: "object" = boto3.client("{service}")'],
        "in if": ["if event:", f'    {var} = boto3.client("{service}")', "else:",
                  f"    {var} = None"],
        "in try": ["try:", f'    {var} = boto3.client("{service}")', "except Exception:",
                   "    raise"],
        "in for": ['for record in event.get("Records", []):',
                   f'    {var} = boto3.client("{service}")'],
        "from event": [f'{var} = boto3.client("{service}", region_name=event["region"])'],
        "pymysql": [f'{var} = pymysql.connect(host=os.environ["DB_HOST"], user="app")'],
        "config": [f'{var} = boto3.client("{service}", config=CONFIG)'],
        "keyword service": [f'{var} = boto3.client(service_name="{service}")'],
    }[shape]
    return lines, shape


@st.composite
def handler_module(draw) -> Dict[str, object]:
    """A handler module as bytes, with how it was written."""
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    lines: List[str] = []
    if encoding == "latin-1":
        lines.append("# -*- coding: latin-1 -*-")
    lines.append('"""Orders: café, naïve, déjà vu."""')
    lines += ["import os", "", "import boto3", "import pymysql", "from botocore.config import Config",
              "", 'TABLE = os.environ.get("TABLE_NAME", "orders")', "CONFIG = Config(retries={})"]
    if draw(st.booleans()):
        lines.append('existing = boto3.client("sts")')
    shapes = []
    for index in range(draw(st.integers(1, 2))):
        lines += ["", ""]
        if draw(st.booleans()):
            lines.append("@tracer.capture_lambda_handler")
        name = "lambda_handler" if index == 0 else f"handler_{index}"
        lines.append(f"def {name}(event, context):")
        body: List[str] = []
        if draw(st.booleans()):
            body.append('"""Handle one event."""')
        used = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        for var in used:
            statement, shape = draw(client_statement(var))
            shapes.append(shape)
            body += statement
            if draw(st.booleans()):
                body.append(f"print({var})  # é")
        body.append("return {" + ", ".join(f'"{v}": {v}' for v in used) + "}")
        lines += [indent + line.replace("    ", indent) if line else "" for line in body]
    if draw(st.booleans()):
        lines += ["", "", 'if __name__ == "__main__":', indent + "lambda_handler({}, None)"]
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    for shape in shapes:
        event(f"shape: {shape}")
    return {"data": text.encode(encoding), "encoding": encoding, "newline": newline,
            "mode": draw(st.sampled_from([0o644, 0o600, 0o755, 0o664]))}


def _lines(data: bytes, encoding: str) -> List[Tuple[str, str]]:
    """(indentation, content) of every non-blank line."""
    text = data.decode(encoding)
    out = []
    for line in text.splitlines():
        content = line.lstrip(" \t")
        if content:
            out.append((line[:len(line) - len(content)], content))
    return out


def fix(root: Path, *paths: str) -> Tuple[int, str, str]:
    return run_cli(["check", "--no-cache", "--select", "LL102", "--fix", *(paths or ["."])], cwd=root)


@given(handler_module())
def test_fixed_file_parses_keeps_encoding_line_endings_mode_and_moves_only_the_hoisted_lines(
        tmp_path_factory, module):
    root = tmp_path_factory.mktemp("fix")
    path = root / "app.py"
    before: bytes = module["data"]
    path.write_bytes(before)
    os.chmod(path, module["mode"])
    code, out, err = fix(root)
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert "did not re-parse" not in err, err  # a fix that would break the file is a bug too
    after = path.read_bytes()
    event(f"changed: {after != before}")

    # It parses, in its own encoding.
    ast.parse(after)
    encoding = module["encoding"]
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    if encoding == "latin-1":
        assert "café".encode("latin-1") in after and "café".encode("utf-8") not in after
    # Line endings and mode.
    if module["newline"] == "\r\n":
        assert after.count(b"\n") == after.count(b"\r\n"), after
    else:
        assert b"\r" not in after
    assert stat.S_IMODE(path.stat().st_mode) == module["mode"]
    # A second run changes nothing.
    fix(root)
    assert path.read_bytes() == after

    # Nothing but the hoisted lines moved.
    old, new = _lines(before, encoding), _lines(after, encoding)
    added = Counter(c for _, c in new) - Counter(c for _, c in old)
    assert not added, added  # no line was written that was not there
    removed = Counter(c for _, c in old) - Counter(c for _, c in new)
    assert all(content in {c for _, c in new} for content in removed), removed  # merged, not lost
    moved = set(removed) | {c for i, c in new if (i, c) not in old}
    assert [x for x in old if x[1] not in moved] == [x for x in new if x[1] not in moved]
    for indentation, content in new:
        if content in moved and (indentation, content) not in old:
            # Hoisted to module level, or a continuation line of a hoisted call.
            assert indentation == "" or content.startswith(('"', "config=", ")")), (content, after)


# -- the write ------------------------------------------------------------------------------------


CLIENT_IN_HANDLER = (
    "import boto3\n"
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    '    s3 = boto3.client("s3")\n'
    "    return s3.list_buckets()\n"
)
FIXED = (
    "import boto3\n"
    "\n"
    "\n"
    's3 = boto3.client("s3")\n'
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    "    return s3.list_buckets()\n"
)


def test_the_write_is_a_rename_of_a_complete_temporary_file(tmp_path):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER + "# padding\n" * 5_000})
    path = tmp_path / "app.py"
    inode = path.stat().st_ino
    torn: List[int] = []
    stop = threading.Event()
    valid = {len(CLIENT_IN_HANDLER + "# padding\n" * 5_000), len(FIXED + "# padding\n" * 5_000)}

    def reader():
        while not stop.is_set():
            try:
                size = len(path.read_bytes())
            except FileNotFoundError:  # a rename never leaves the name missing
                torn.append(-1)
                continue
            if size not in valid:
                torn.append(size)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        code, out, err = fix(tmp_path)
    finally:
        stop.set()
        thread.join()
    assert (code, err) == (0, ""), err
    assert path.read_text() == FIXED + "# padding\n" * 5_000
    assert path.stat().st_ino != inode  # a new file took the name
    assert torn == []  # no reader saw an empty, partial or missing file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]  # no temporary file left


def test_never_through_a_symlink(tmp_path):
    write(tmp_path, {"real/app.py": CLIENT_IN_HANDLER})
    os.symlink("real/app.py", tmp_path / "link.py")
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    write(outside, {"app.py": CLIENT_IN_HANDLER})
    os.symlink(outside / "app.py", tmp_path / "escape.py")

    code, out, err = fix(tmp_path, "link.py", "escape.py")
    assert "link.py: not written: it is a symlink" in err, err
    assert "escape.py: not written: it is a symlink" in err, err
    assert (tmp_path / "real" / "app.py").read_text() == CLIENT_IN_HANDLER
    assert (outside / "app.py").read_text() == CLIENT_IN_HANDLER
    assert os.readlink(tmp_path / "link.py") == "real/app.py"

    # Walking the tree: the real file is fixed by its own name, the link stays a link.
    code, out, err = fix(tmp_path)
    assert (tmp_path / "real" / "app.py").read_text() == FIXED
    assert os.readlink(tmp_path / "link.py") == "real/app.py"
    assert (outside / "app.py").read_text() == CLIENT_IN_HANDLER


def test_a_file_changed_on_disk_since_it_was_read_is_not_overwritten(tmp_path, monkeypatch):
    """Someone saves the file while lambdalint runs: simulated where it happens, by appending a
    line each time the file is opened, so the text a fix was computed from is never what is on
    disk when it would be written."""
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    path = tmp_path / "app.py"
    real_open = io.open
    edits = []

    def editing_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file) == path and "r" in mode:
            edits.append(len(edits) + 1)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            os.write(fd, f"# saved by the editor {len(edits)}\n".encode())
            os.close(fd)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", editing_open)
    code, out, err = fix(tmp_path)
    monkeypatch.undo()
    assert "app.py: not written: it changed on disk while lambdalint ran; run again" in err, err
    expected = CLIENT_IN_HANDLER + "".join(f"# saved by the editor {n}\n" for n in edits)
    assert path.read_text() == expected  # every edit kept, no fix over them
    assert code == 1  # the finding was not fixed, so it is still reported


def digest_tree(root: Path) -> Dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f" {oct(path.stat().st_mode)}"
        else:
            out[rel] = "dir"
    return out


@pytest.mark.parametrize("extra", [[], ["--diff"], ["--format", "sarif"], ["--statistics"],
                                   ["--fix", "--diff"]])
def test_check_without_fix_never_writes_a_file(tmp_path, extra):
    write(tmp_path, {
        "app.py": CLIENT_IN_HANDLER,
        "crlf.py": CLIENT_IN_HANDLER.replace("\n", "\r\n").encode(),
        "bom.py": b"\xef\xbb\xbf" + CLIENT_IN_HANDLER.encode(),
        "broken.py": "def f(:\n",
        "template.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n'
                         "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                         "      CodeUri: .\n      Handler: app.lambda_handler\n      Runtime: python3.12\n",
        "main.tf": 'resource "aws_lambda_function" "f" {\n  handler = "app.lambda_handler"\n}\n',
        "requirements.txt": "boto3\nrequests==2.31.0\n",
        "pyproject.toml": "[tool.lambdalint]\nignore = [\"LL103\"]\n",
    })
    os.symlink("app.py", tmp_path / "link.py")
    before = digest_tree(tmp_path)
    code, out, err = run_cli(["check", *extra, "."], cwd=tmp_path)
    assert code in (0, 1), err
    after = digest_tree(tmp_path)
    # Only lambdalint's own cache directory may appear; no file of the user's changed.
    new = {k for k in after if k not in before}
    assert all(k.startswith(".lambdalint_cache") for k in new), new
    assert {k: v for k, v in after.items() if k in before} == before
