"""Start-up: a run imports only what it needs (pre-commit runs lambdalint on every commit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import write

PROBE = """
import sys
from lambdalint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"yaml", "tree_sitter", "tree_sitter_hcl", "libcst"})
print("IMPORTED", ",".join(heavy))
"""


def imported(args, cwd: Path) -> set:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True,
                         text=True, timeout=120).stdout
    line = [l for l in out.splitlines() if l.startswith("IMPORTED")][-1]
    return set(filter(None, line.split(" ", 1)[1].split(",")))


def test_version_imports_no_parser(tmp_path):
    assert imported(["--version"], tmp_path) == set()
    assert imported(["rules"], tmp_path) == set()


def test_a_python_only_run_never_imports_the_config_parsers(tmp_path):
    write(tmp_path, {"app.py": "import boto3\n\ndef handler(event, context):\n"
                               "    return boto3.client('s3')\n",
                     "notes.txt": "not read\n"})
    assert imported(["check", "--no-cache", "app.py"], tmp_path) == {"libcst"}
    assert imported(["check", "--no-cache", "."], tmp_path) == {"libcst"}



def test_a_run_whose_files_no_rule_needs_never_imports_libcst(tmp_path):
    write(tmp_path, {"app.py": "def handler(event, context):\n    return event['n'] + 1\n"})
    assert imported(["check", "--no-cache", "app.py"], tmp_path) == set()
