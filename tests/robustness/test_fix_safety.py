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

from helpers import CLIENT_IN_HANDLER, FIXED, run_cli, write

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


# -- the fixed program does what the original did --------------------------------------------------
#
# Handlers mixing safe and unsafe patterns around a client creation are fixed for real, then the
# original and the fixed module are both executed in a sandbox: their imports get stand-ins for the
# third-party libraries (boto3, requests, httpx) and for ``os`` (a private environment), through a
# custom ``__import__``; nothing else can be imported. Each handler is invoked twice and what an
# outside observer could see is compared: which clients were built (constructor, arguments, the
# environment and default session they saw), every request (the client it went through, headers,
# auth, cookies, closed or not), printed lines, return values and exceptions. How many times a
# client was built is the one difference the fix is for, so constructions compare as a set.
# The tests execute only the code they generated.


class _World:
    """One sandboxed process: its environment, boto3's default session, and the observer's log."""

    def __init__(self) -> None:
        self.environ: Dict[str, str] = {"AWS_DEFAULT_REGION": "eu-central-1"}
        self.default_session: Dict[str, object] = {}
        self.log: List[tuple] = []
        self.built: set = set()

    def build(self, what: str, args: tuple, kwargs: dict) -> tuple:
        desc = (what, repr(args), repr(sorted(kwargs.items())), repr(sorted(self.environ.items())),
                repr(sorted(self.default_session.items())))
        self.built.add(desc)
        return desc

    def modules(self) -> Dict[str, object]:
        world = self
        import json as real_json
        import types

        class Environ(dict):
            pass

        environ = Environ(self.environ)
        self.environ = environ
        fake_os = types.ModuleType("os")
        fake_os.environ = environ
        fake_os.getenv = lambda key, default=None: environ.get(key, default)
        fake_os.putenv = lambda key, value: environ.__setitem__(key, value)
        fake_os.path = os.path

        class Client:
            def __init__(self, desc: tuple) -> None:
                self._desc, self._closed = desc, False

            def close(self) -> None:
                self._closed = True

            def __getattr__(self, method: str):
                if method.startswith("__"):
                    raise AttributeError(method)

                def call(*args, **kwargs):
                    world.log.append(("api", self._desc, method, repr(args), self._closed))
                    return f"{method}-result"
                return call

            def __repr__(self) -> str:
                return f"<client {self._desc}>"

        class Session:
            def __init__(self, *args, **kwargs) -> None:
                self._desc = world.build("boto3.Session", args, kwargs)

            def client(self, *args, **kwargs) -> Client:
                return Client(world.build(f"session.client {self._desc}", args, kwargs))

        fake_boto3 = types.ModuleType("boto3")
        fake_boto3.client = lambda *a, **k: Client(world.build("boto3.client", a, k))
        fake_boto3.Session = Session
        fake_boto3.setup_default_session = lambda **k: world.default_session.update(k)

        def http_module(name: str, raises_when_closed: bool):
            class Http:
                def __init__(self, *args, **kwargs) -> None:
                    self._desc = world.build(f"{name}.{'Session' if name == 'requests' else 'Client'}",
                                             args, kwargs)
                    self.headers: Dict[str, str] = {}
                    self.cookies: Dict[str, str] = {}
                    self.auth = None
                    self._closed = False

                def get(self, url: str) -> str:
                    if self._closed and raises_when_closed:
                        raise RuntimeError("Cannot send a request, as the client has been closed.")
                    world.log.append(("request", self._desc, url, sorted(self.headers.items()),
                                      self.auth, sorted(self.cookies.items()), self._closed))
                    return "response"

                def close(self) -> None:
                    self._closed = True

                def __enter__(self):
                    return self

                def __exit__(self, *exc) -> None:
                    self.close()

                def __repr__(self) -> str:
                    return f"<{name} {self._desc}>"

            module = types.ModuleType(name)
            setattr(module, "Session" if name == "requests" else "Client", Http)
            return module

        return {"os": fake_os, "json": real_json, "boto3": fake_boto3,
                "requests": http_module("requests", False), "httpx": http_module("httpx", True)}


def _observe(source: str, events: List[dict]) -> Tuple[list, frozenset]:
    """Run ``source`` (generated by the test) as a module in a sandbox, invoke its handler."""
    import builtins as real_builtins

    world = _World()
    modules = world.modules()

    def importer(name, globals=None, locals=None, fromlist=(), level=0):
        if name in modules:
            return modules[name]
        raise ImportError(f"the sandbox has no {name}")

    sandbox_builtins = dict(vars(real_builtins))
    sandbox_builtins["__import__"] = importer
    sandbox_builtins["print"] = lambda *args: world.log.append(("print", repr(args)))
    namespace = {"__name__": "app", "__builtins__": sandbox_builtins}
    try:
        exec(compile(source, "app.py", "exec"), namespace)
    except Exception as error:  # noqa: BLE001 - an import failure is an observation too
        world.log.append(("import failed", type(error).__name__, str(error)))
        return world.log, frozenset(world.built)
    for payload in events:
        try:
            result = namespace["handler"](dict(payload), None)
            world.log.append(("returned", repr(result)))
        except Exception as error:  # noqa: BLE001
            world.log.append(("raised", type(error).__name__, str(error)))
    return world.log, frozenset(world.built)


EVENTS = [{}, {"region": "us-west-2", "token": "t1", "name": "a", "flag": True},
          {"region": "eu-north-1", "token": "t2", "alt": True}, {"token": "t3"}]
SAFE_BEFORE = ['print("start")', 'name = event.get("name", "anon")', "body = json.dumps(event)",
               'size = str(len(event))']
UNSAFE_BEFORE = [
    'os.environ["AWS_DEFAULT_REGION"] = event.get("region", "us-west-1")',
    'os.environ.update({"AWS_DEFAULT_REGION": event.get("region", "us-west-1")})',
    'os.environ.setdefault("AWS_REGION", event.get("region", "us-west-1"))',
    'os.putenv("AWS_DEFAULT_REGION", event.get("region", "us-west-1"))',
    'boto3.setup_default_session(region_name=event.get("region", "us-west-1"))',
    "configure(event)",
    "if not event:\n    return \"empty\"",
    "if event.get(\"token\") == \"t3\":\n    raise ValueError(\"bad token\")",
]
SAFE_ARGS = ["", "region_name=REGION", 'region_name=os.environ.get("TARGET", "eu-west-3")']
UNSAFE_ARGS = ['region_name=SETTINGS["region"]', "region_name=LATER"]
HTTP_MUTATIONS = ['c.headers["Authorization"] = event.get("token", "none")',
                  'c.auth = (event.get("name", "user"), "secret")',
                  'c.cookies["session"] = event.get("token", "none")',
                  'c.headers.update({"X-Request": event.get("name", "n")})']
TAILS = ["", 'LATER = "sa-east-1"', 'REGION = "us-east-2"',
         'os.environ["AWS_DEFAULT_REGION"] = "me-south-1"', 'SETTINGS["region"] = "af-south-1"']


def _indent(lines: List[str], by: str = "    ") -> List[str]:
    return [by + line for block in lines for line in block.split("\n")]


@st.composite
def behaviour_module(draw) -> Dict[str, object]:
    """A handler module whose behaviour can be observed, and whether moving its client is safe."""
    import sys

    safe = True
    aim = draw(st.booleans())  # half the modules draw from the safe patterns only

    def pick(good: List[str], bad: List[str]) -> str:
        return draw(st.sampled_from(good if aim else good + bad))

    kind = draw(st.sampled_from(["boto3", "session", "requests", "httpx"]))
    if kind in ("boto3", "session"):
        args = pick(SAFE_ARGS, UNSAFE_ARGS)
        safe &= args in SAFE_ARGS
        sep = ", " if args else ""
        if kind == "boto3":
            create = [f'c = boto3.client("s3"{sep}{args})']
        else:
            create = ["session = boto3.Session()", f'c = session.client("s3"{sep}{args})']
        use = "c.list_buckets()"
    else:
        create = ["c = requests.Session()" if kind == "requests" else "c = httpx.Client(timeout=5)"]
        use = 'c.get("https://example.com")'
    placements = ["if", "try", "for"] + (["match"] if sys.version_info >= (3, 10) else [])
    placement = pick(["top"], placements)
    safe &= placement == "top"
    if placement == "if":
        create = ['if event.get("flag"):', *_indent(create), "else:", "    c = None"]
    elif placement == "try":
        create = ["try:", *_indent(create), "except Exception:", "    raise"]
    elif placement == "for":
        create = ["for _ in range(1):", *_indent(create)]
    elif placement == "match":
        create = ["match event:", '    case {"alt": True}:', *_indent(create, " " * 8),
                  "    case _:", *_indent(create, " " * 8)]
    before = [pick(SAFE_BEFORE, UNSAFE_BEFORE) for _ in range(draw(st.integers(0, 2)))]
    safe &= all(b in SAFE_BEFORE for b in before)
    after = []
    for _ in range(draw(st.integers(0, 2))):
        options = ["c.close()", "del c",
                   'os.environ["AWS_DEFAULT_REGION"] = event.get("region", "us-east-1")']
        if kind in ("requests", "httpx"):
            options += HTTP_MUTATIONS + ["with c:\n    result = c.get(\"https://example.com/w\")"]
        step = pick(["print(c)", "configure(event)"], options)
        after.append(step)
        safe &= step in ("print(c)", "configure(event)") and not (
            step == "configure(event)" and "SETTINGS" in "".join(create))
        if step == "del c":
            break
    in_helper = draw(st.booleans())
    lines = ["import os", "import json", "", "import boto3", "import requests", "import httpx", "",
             'REGION = "eu-west-1"', 'SETTINGS = {"region": "eu-west-1"}', "", "",
             "def configure(event):", '    SETTINGS["region"] = event.get("region", "ca-central-1")',
             "", ""]
    if in_helper:
        lines += ["def make():", *_indent(create), "    return c", "", ""]
        create = ["c = make()"]
    body = before + create + after + ([f"result = {use}"] if "del c" not in after else [])
    body.append("return result" if "del c" not in after else 'return "deleted"')
    lines += ["def handler(event, context):", *_indent(body)]
    tail = pick(TAILS[:2], TAILS[2:])
    safe &= tail in ("", 'LATER = "sa-east-1"')
    if tail:
        lines += ["", "", tail]
    events = draw(st.lists(st.sampled_from(EVENTS), min_size=2, max_size=2))
    event(f"kind: {kind}, placement: {placement}, helper: {in_helper}, safe: {safe}")
    return {"source": "\n".join(lines) + "\n", "events": events, "safe": safe}


@given(behaviour_module())
def test_the_fixed_handler_behaves_like_the_original(tmp_path_factory, generated):
    root = tmp_path_factory.mktemp("behaviour")
    source = generated["source"]
    (root / "app.py").write_text(source, encoding="utf-8")
    code, out, err = fix(root)
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    fixed = (root / "app.py").read_text(encoding="utf-8")
    event(f"fixed: {fixed != source}")
    if generated["safe"]:
        assert fixed != source, "a provably safe move was not offered"
    if fixed == source:
        return
    before = _observe(source, generated["events"])
    after = _observe(fixed, generated["events"])
    assert after == before, (source, fixed)
