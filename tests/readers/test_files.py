"""The one file reader (``lambdalint.files``): its limit, its error shape, and the wording each
reader gives a file it could not read (LL001 records, asserted on the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import read_unit, source_files, write
from lambdalint import files
from lambdalint.files import MAX_FILE_BYTES, ReadFailure
from lambdalint.sources import configs

OVER = f"over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit for one file"


def oversized(path: Path, head: str) -> Path:
    """``head`` then zeros past the limit (sparse: no disk used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(head.encode())
        handle.truncate(MAX_FILE_BYTES + 1024 * 1024)
    return path


def errors_of(root: Path, written: dict) -> list:
    return [(e.path, e.line, e.message) for e in read_unit(root, written).errors]


# -- lambdalint.files ------------------------------------------------------------------------

def test_text_without_its_byte_order_mark(tmp_path):
    path = write(tmp_path, {"a.yaml": b"\xef\xbb\xbfkey: 1\n"}) / "a.yaml"
    assert files.read_bytes(path) == b"\xef\xbb\xbfkey: 1\n"
    assert files.read_text(path) == "key: 1\n"


def test_a_file_over_the_limit_is_a_failure_with_its_head(tmp_path):
    path = oversized(tmp_path / "big.yaml", "Resources:\n")
    failure = files.read_bytes(path)
    assert isinstance(failure, ReadFailure)
    assert (failure.reason, failure.size, failure.partial) == ("too-large", path.stat().st_size, "")
    text = files.read_text(path)
    assert text.reason == "too-large" and text.partial.startswith("Resources:\n")
    assert len(text.partial) == files.HEAD_BYTES
    assert text.message() == f"skipped: 6.0 MiB is {OVER}"
    assert text.note("big.yaml") == f"big.yaml: skipped, 6.0 MiB is {OVER}"


def test_a_smaller_limit_is_the_callers(tmp_path):
    path = write(tmp_path, {"a.txt": "12345"}) / "a.txt"
    assert files.read_bytes(path, limit=5) == b"12345"
    assert files.read_bytes(path, limit=4).reason == "too-large"


@pytest.mark.parametrize("data, line", [(b"a: 1\nb: \xff\n", 2), (b"\xef\xbb\xbf\n\n\xfe", 3)])
def test_not_utf8_says_where(tmp_path, data, line):
    path = write(tmp_path, {"a.yaml": data}) / "a.yaml"
    failure = files.read_text(path)
    assert (failure.reason, failure.line) == ("not-utf8", line)
    assert failure.message() == "not UTF-8 text: invalid start byte"
    assert "\ufffd" in failure.partial


def test_a_directory_and_a_missing_file(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    directory = files.read_text(tmp_path / "dir.yaml")
    assert (directory.reason, directory.message()) == ("directory", "cannot read: Is a directory")
    missing = files.read_bytes(tmp_path / "gone.yaml")
    assert (missing.reason, missing.message()) == ("unreadable",
                                                   "cannot read: No such file or directory")


def test_the_head_of_a_file_of_any_size(tmp_path):
    path = oversized(tmp_path / "app.py", "import aws_cdk\n")
    assert files.read_head(path, 6) == b"import"
    assert files.head_text(path, 14) == "import aws_cdk"
    assert files.head_text(tmp_path / "gone.py", 10) == ""
    assert files.read_head(tmp_path / "gone.py", 10).reason == "unreadable"


# -- each reader's wording -------------------------------------------------------------------

def test_a_deployment_document_over_the_limit_is_reported(tmp_path):
    oversized(tmp_path / "stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n")
    oversized(tmp_path / "notes.yaml", "just: data\n")  # not ours: nothing said
    errors = configs.read_project(source_files(tmp_path, ["notes.yaml", "stack.yaml"]), []).errors
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("stack.yaml", 1, f"skipped: 6.0 MiB is {OVER}")]


def test_a_document_that_is_not_utf8(tmp_path):
    assert errors_of(tmp_path, {
        "template.yaml": b"Resources:\n  F:\n    Type: AWS::Lambda::Function # \xff\n",
        "other.yaml": b"colour: \xff\n",  # not a deployment document: not ours
    }) == [("template.yaml", 1, "not UTF-8 text: invalid start byte")]


def test_a_terraform_file_that_is_not_utf8_in_a_lambda_module(tmp_path):
    assert errors_of(tmp_path, {
        "main.tf": 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n',
        "extra.tf": b'locals {\n  x = "\xff"\n}\n',
    }) == [("extra.tf", 2, "not UTF-8 text: invalid start byte")]


def test_a_terraform_module_without_lambda_says_nothing_of_its_files(tmp_path):
    assert errors_of(tmp_path, {"vpc/main.tf": b'locals {\n  x = "\xff"\n}\n'}) == []


def test_a_cdk_app_over_the_limit_gives_nothing(tmp_path):
    oversized(tmp_path / "app.py", "from aws_cdk import aws_lambda\n")
    project = configs.read_project([], source_files(tmp_path, ["app.py"]))
    assert (project.functions, project.errors) == ([], [])
