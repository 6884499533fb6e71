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


# -- readers: builders of the reader tests (tests/readers) -------------------------------------


# -- engine: builders of the engine tests (tests/engine) ---------------------------------------


# -- interface: builders of the interface tests (tests/interface) ------------------------------


# -- robustness: builders of the robustness tests (tests/robustness) ---------------------------
