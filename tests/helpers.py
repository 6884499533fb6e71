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
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple

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

def source_files(root: Path, names: Sequence[str]) -> list:
    """``SourceFile`` records of files under ``root``, as discovery makes them (kind by suffix,
    shown relative to ``root``)."""
    from lambdalint.discovery import SourceFile, display_path, kind_of

    return [SourceFile((root / name).resolve(), display_path((root / name).resolve(), root),
                       kind_of(root / name) or "") for name in names]


def read_unit(root: Path, files: dict):
    """Write ``files`` under ``root`` and read them as a run does: dispatched into units, each
    read by its format's reader, handlers linked. Returns the ``Project`` (records, not output)."""
    from lambdalint.discovery import PYTHON
    from lambdalint.sources import configs

    write(root, files)
    sources = source_files(root, sorted(files))
    return configs.read_project([s for s in sources if s.kind != PYTHON],
                                [s for s in sources if s.kind == PYTHON])



# CloudFormation, Serverless and CDK: what their reader tests share.

if TYPE_CHECKING:
    from lambdalint.discovery import SourceFile
    from lambdalint.model import Function, Value


def load_document(root: Path, text: str, name: str) -> Tuple[Any, SourceFile, str]:
    """Write ``text`` as ``name`` under ``root`` and load it as a deployment document is
    loaded: (located values, its SourceFile, the text)."""
    from lambdalint.discovery import SourceFile
    from lambdalint.sources import yamlload

    write(root, {name: text})
    path = root / name
    source = SourceFile(path.absolute(), name, "json" if name.endswith(".json") else "yaml")
    body = path.read_text(encoding="utf-8")
    return yamlload.load(body), source, body


def linked_by_name(functions: Iterable[Function]) -> Dict[str, Function]:
    """Functions a reader returned, handlers linked as the engine links them, by name."""
    from lambdalint.sources import configs

    functions = list(functions)
    for function in functions:
        configs.link(function)
    return {f.name: f for f in functions}


def environment_of(function: Function) -> Dict[str, Value]:
    """{variable name: Value} of a function's environment."""
    return {var.name: var.value for var in function.environment}


def values_at(values: Iterable[Value]) -> List[Tuple[object, int]]:
    """(the value, or the text when it is not literal, line) of each Value."""
    return [(v.value if v.literal else v.text, v.line) for v in values]


# -- engine: builders of the engine tests (tests/engine) ---------------------------------------


# -- interface: builders of the interface tests (tests/interface) ------------------------------

UPDATE_SNAPSHOTS = "LAMBDALINT_UPDATE_SNAPSHOTS"


def matches_snapshot(path: Path, actual: str, test: str) -> None:
    """Assert that the committed file ``path`` holds ``actual``; with LAMBDALINT_UPDATE_SNAPSHOTS=1
    write ``actual`` there instead (an intended change of output is one command away)."""
    if os.environ.get(UPDATE_SNAPSHOTS) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert actual == expected, (
        f"the output differs from {path.relative_to(REPO)}; if the change is intended, "
        f"regenerate it with: {UPDATE_SNAPSHOTS}=1 python -m pytest {test}")


def one_line(stderr: str) -> str:
    """What lambdalint says of a failure: one line, never a traceback."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def one_line_error(args: Sequence[str], cwd: Path) -> str:
    """The one stderr line of a ``lambdalint ARGS`` run that must exit 2 and print nothing."""
    proc = run_subprocess(args, cwd=cwd)
    assert (proc.returncode, proc.stdout) == (2, ""), (proc.returncode, proc.stdout, proc.stderr)
    return one_line(proc.stderr)


# -- robustness: builders of the robustness tests (tests/robustness) ---------------------------
