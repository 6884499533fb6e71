"""Builders shared by the tests: write real files, run the real CLI, read its JSON.

One module, imported by name (``from helpers import write``; pyproject puts tests/ on the path).
Sections by layer; a builder used by one test file stays in that file.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from click.testing import CliRunner

from lambdalint.cli import cli

REPO = Path(__file__).resolve().parent.parent

# A handler with one LL102 finding, and the file `--fix` makes of it (fix, concurrency tests).
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


def write(root: Path, files: dict) -> Path:
    """Write {relative path: text} under root (text is dedented); returns root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(args: Sequence[str], cwd: Optional[Path] = None) -> Tuple[int, str, str]:
    """Run ``lambdalint ARGS`` in-process (the real click command), in ``cwd``."""
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart already
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    stderr = result.stderr if hasattr(result, "stderr") else ""
    return result.exit_code, result.stdout, stderr


def check_json(paths: Sequence[str], cwd: Path, *extra: str) -> List[dict]:
    """``lambdalint check --format json`` -> the findings list."""
    code, out, err = run_cli(["check", "--format", "json", *extra, *paths], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return json.loads(out)["findings"]


def ids_and_lines(findings: List[dict]) -> List[Tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in findings]


def run_subprocess(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """The installed console entry point, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "lambdalint", *args], cwd=cwd,
                          capture_output=True, text=True, **kwargs)


# -- rules: builders of the rule tests (tests/rules) -------------------------------------------


# Config rules (LL2xx, LL30x): a tree of deployment files checked through the real CLI.


def lint(root: Path, files: Dict[str, str], select: str = "LL2", *extra: str) -> List[dict]:
    """Write ``files`` (and an empty config, so nothing from above applies) and check them with
    the rules ``select`` names; the findings, as JSON."""
    if not any(name.endswith(("lambdalint.toml", "pyproject.toml")) for name in files):
        files = {"lambdalint.toml": "", **files}
    write(root, files)
    return check_json(["."], root, "--select", select, *extra)


def line_of(source: Union[Path, str], needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``source`` (a file, or a text) holding ``needle``."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} is not in {source} {nth} times"
    return hits[nth - 1]


def by_line(findings: List[dict]) -> Dict[Tuple[str, int], dict]:
    return {(f["rule"], f["line"]): f for f in findings}


SAM_HEAD = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    """


def sam(body: str, head: str = SAM_HEAD) -> str:
    """A SAM template: the SAM header, then ``body`` (both dedented)."""
    return textwrap.dedent(head) + textwrap.dedent(body)


CDK_HEAD = """\
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as _lambda


class Orders(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
"""


def cdk_app(stack: str) -> Dict[str, str]:
    """cdk.json and an app.py whose one stack, ``Orders``, runs ``stack`` (the constructor's
    body, dedented) and is synthesized."""
    body = textwrap.indent(textwrap.dedent(stack), " " * 8)
    return {"cdk.json": '{"app": "python3 app.py"}',
            "app.py": CDK_HEAD + body + '\n\napp = App()\nOrders(app, "Orders")\napp.synth()\n'}


def terraform_function(filename: str = '"fn.zip"', body: str = "", before: str = "") -> str:
    """A main.tf with ``aws_lambda_function.fn`` (Python, a 10 s timeout) deploying
    ``filename`` (an HCL expression), with more arguments ``body``, after the blocks ``before``
    (an ``archive_file``...). Each piece is dedented; the function is on line 1 without
    ``before``."""
    parts = [textwrap.dedent(before).strip("\n")] if before.strip() else []
    parts += ['resource "aws_lambda_function" "fn" {', '  function_name = "fn"',
              '  role          = "arn:aws:iam::123456789012:role/fn"',
              '  handler       = "app.handler"', '  runtime       = "python3.12"',
              "  timeout       = 10", f"  filename      = {filename}"]
    if body.strip():
        parts.append(textwrap.indent(textwrap.dedent(body).strip("\n"), "  "))
    return "\n".join(parts) + "\n}\n"


def sam_orders(properties: str, before: str = "") -> str:
    """A SAM template (``sam``): ``before`` (Parameters, Globals), then ``OrdersFunction``
    (app.handler in src/, a 10 s timeout) with more ``properties`` (Policies, Environment)."""
    function = ("Resources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n"
                "    Properties:\n      Handler: app.handler\n      CodeUri: src/\n"
                "      Timeout: 10\n")
    return sam(textwrap.dedent(before) + function
               + textwrap.indent(textwrap.dedent(properties), " " * 6))


# Packages (LL301, LL302, LL304, tests/readers/test_packaging.py).

MB = 1024 * 1024

SAM_FUNCTION = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: {runtime}
          Handler: app.handler
          CodeUri: {code}
          Timeout: 10
    """


def sam_function(runtime: str = "python3.12", code: str = "src/") -> str:
    """A SAM template with one function ``Fn`` (a 10 s timeout) on ``runtime``, code ``code``."""
    return SAM_FUNCTION.format(runtime=runtime, code=code)


def crafted_zip(path: Path, declared: Dict[str, int]) -> Path:
    """A small zip whose central directory declares ``declared`` uncompressed sizes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in declared:
            archive.writestr(name, b"x")
    data = bytearray(buffer.getvalue())
    position = 0
    for size in declared.values():
        position = data.index(b"PK\x01\x02", position)
        struct.pack_into("<I", data, position + 24, size)  # uncompressed size
        position += 4
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def cdk_asset_function(code: str = '"lambda"', name: str = "Fn", extra: str = "",
                       comment: str = "") -> str:
    """A ``lambda_.Function`` of ``OrdersStack`` (see ``cdk_asset_app``) whose code is
    ``Code.from_asset(<code>)``, with one more argument line ``extra`` and a ``comment`` on its
    first line."""
    lines = [f"lambda_.Function({comment}", f'    self, "{name}",',
             "    runtime=lambda_.Runtime.PYTHON_3_12,", '    handler="index.handler",',
             "    timeout=Duration.seconds(10),", f"    code=lambda_.Code.from_asset({code}),"]
    lines += [f"    {extra}"] if extra else []
    return textwrap.indent("\n".join(lines + [")"]), " " * 8)


def cdk_asset_app(*functions: str) -> str:
    """An app.py with the stack ``OrdersStack`` holding ``functions`` (``cdk_asset_function``,
    by default one); the first function is on line 8."""
    body = "\n".join(functions or (cdk_asset_function(),))
    return ("from aws_cdk import App, Duration, Stack\nfrom aws_cdk import aws_lambda as lambda_\n"
            "\n\nclass OrdersStack(Stack):\n    def __init__(self, scope, construct_id):\n"
            "        super().__init__(scope, construct_id)\n" + body
            + '\n\n\napp = App()\nOrdersStack(app, "Orders")\napp.synth()\n')

# -- readers: builders of the reader tests (tests/readers) -------------------------------------


# -- engine: builders of the engine tests (tests/engine) ---------------------------------------


# -- interface: builders of the interface tests (tests/interface) ------------------------------


# -- robustness: builders of the robustness tests (tests/robustness) ---------------------------
