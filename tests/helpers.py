"""Builders shared by the tests: write real files, run the real CLI, read its JSON.

One module, imported by name (``from helpers import write``; pyproject puts tests/ on the path).
Sections by layer; a builder used by one test file stays in that file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

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


# -- readers: builders of the reader tests (tests/readers) -------------------------------------


# -- engine: builders of the engine tests (tests/engine) ---------------------------------------

def lint(root: Path, *args: str) -> List[dict]:
    """``lambdalint check --format json --exit-zero ARGS`` run in ``root``: its findings. A run
    that fails, or says a rule failed, fails the test."""
    code, out, err = run_cli(["check", "--format", "json", "--exit-zero", *args], cwd=root)
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err, err
    return json.loads(out)["findings"]


def where(findings: List[dict]) -> List[Tuple[str, int, str]]:
    """(path, line, rule) of each finding: what most cache and engine tests compare."""
    return [(f["path"], f["line"], f["rule"]) for f in findings]


def age(root: Path, seconds: float = 60.0) -> None:
    """Old times on everything, as in a checkout: a walk is kept in the cache only when nothing
    it saw changed in the last seconds."""
    then = os.stat(root).st_mtime - seconds
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".lambdalint_cache"]
        for name in filenames + dirnames:
            os.utime(os.path.join(directory, name), (then, then))
    os.utime(root, (then, then))


# Not a handler by its shape (one argument): only a deployment config naming it makes it one.
HANDLER_BY_CONFIG_ONLY = """
import boto3


def process(payload):
    table = boto3.resource("dynamodb").Table("orders")
    return table.get_item(Key={"id": payload["id"]})
"""


def sam_function(code: str = "src/", handler: str = "app.handler", name: str = "Fn",
                 properties: str = "") -> str:
    """A SAM template of one Python function, code under ``code``; ``properties``: more lines
    under ``Properties:``, indented by six spaces."""
    return ("Transform: AWS::Serverless-2016-10-31\n"
            "Resources:\n"
            f"  {name}:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            "      Runtime: python3.12\n"
            f"      CodeUri: {code}\n"
            f"      Handler: {handler}\n" + properties)


# A SAM function with timeout set (no LL201), its CodeUri on line 8: the code is the subject.
SAM_TIMED = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: {code}
          Timeout: 10
    """

# A Terraform function whose policy comes from a file of the module, by file().
TERRAFORM_FILE_POLICY = """resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = aws_iam_role.r.arn
  handler       = "app.process"
  runtime       = "python3.12"
  timeout       = 10
  filename      = "f.zip"
}
resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = file("${path.module}/policies/p.json")
}
"""


# -- interface: builders of the interface tests (tests/interface) ------------------------------


# -- robustness: builders of the robustness tests (tests/robustness) ---------------------------
