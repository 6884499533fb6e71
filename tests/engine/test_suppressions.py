"""Inline suppressions: the comment forms, and that a run honours them (with per-file ignores)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from helpers import run_cli, write
from lambdalint import registry
from lambdalint.suppressions import ALL, parse

ALL_IDS = frozenset(r.id for r in registry.RULES)
BROKEN_AT = "def handler(event, context:\n    return 1\n"


def _by_line(text: str):
    return {line: set(rules) for line, rules in parse(text).by_line.items()}


# -- the comment forms ------------------------------------------------------------------------


@pytest.mark.parametrize("comment, rules", [
    ("# lambdalint: ignore[LL102]", {"LL102"}),
    ("#lambdalint:ignore[LL102]", {"LL102"}),
    ("# LambdaLint: Ignore[ll102]", {"LL102"}),
    ("# lambdalint: ignore[LL101, LL102]", {"LL101", "LL102"}),
    ("# lambdalint: ignore[LL101 LL103]", {"LL101", "LL103"}),
    ("# lambdalint: ignore[client-per-invocation]", {"LL102"}),
    # A prefix means every rule whose id starts with it, as the registry has them.
    ("# lambdalint: ignore[LL1]", {r.id for r in registry.RULES if r.id.startswith("LL1")}),
    ("# lambdalint: ignore", {ALL}),
    ("# lambdalint: ignore because the client is cached by the caller", {ALL}),
    ("# noqa: LL102", {"LL102"}),
    ("# noqa:LL102,LL103", {"LL102", "LL103"}),
    ("# NOQA: LL102", {"LL102"}),
    ("# noqa: E501, LL102", {"LL102"}),
    ("# noqa", {ALL}),
    ("# noqa: E501  # lambdalint: ignore[LL103]", {"LL103"}),
    ("# lambdalint: ignore[LL103]  # noqa: LL101", {"LL101", "LL103"}),
])
def test_line_comments(comment, rules):
    assert _by_line(f"client = make()  {comment}\n") == {1: rules}


@pytest.mark.parametrize("comment", [
    "# noqa: E501",  # another tool's code: not ours to silence
    "# noqa: E501 all of it",  # a word is not a selector
    "# noqa: LL999",
    "# lambdalint: ignore[LL999]",
    "# lambdalint: ignored",
    "# lambdalint-ignore",
    "# noqaxyz",
    "# see the lambdalint docs",
])
def test_comments_that_silence_nothing(comment):
    assert _by_line(f"client = make()  {comment}\n") == {}


def test_line_numbers_follow_the_parsers_line_breaks():
    # A form feed or a Unicode line separator is not a line break for Python, YAML or HCL.
    text = "a = 1\n\x0c\nb = 2\r\nc = '\u2028'  # noqa: LL102\rd = 4  # lambdalint: ignore\n"
    assert _by_line(text) == {4: {"LL102"}, 5: {ALL}}


def test_yaml_and_hcl_comments_work_the_same():
    yaml_text = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function  # lambdalint: ignore[LL101]\n"
    hcl_text = 'resource "aws_lambda_function" "f" {  # noqa: LL101\n}\n'
    assert _by_line(yaml_text) == {3: {"LL101"}}
    assert _by_line(hcl_text) == {1: {"LL101"}}


def test_file_level_comment_near_the_top():
    text = "#!/usr/bin/env python\n# lambdalint: ignore-file[LL101]\nimport os\n"
    result = parse(text)
    assert (result.whole_file, result.by_line) == (frozenset({"LL101"}), {})
    assert result.suppresses("LL101", 300)
    assert not result.suppresses("LL102", 3)


def test_file_level_comment_without_rules_silences_everything():
    result = parse("# lambdalint: ignore-file\nx = 1\n")
    assert result.whole_file == frozenset({ALL})
    assert all(result.suppresses(rule_id, 7) for rule_id in ALL_IDS)


def test_file_level_comment_too_far_down_is_ignored():
    text = "x = 1\n" * 30 + "# lambdalint: ignore-file[LL101]\n"
    result = parse(text)
    assert (result.whole_file, result.by_line) == (frozenset(), {})


def test_suppresses_only_the_named_rule_on_the_named_line():
    result = parse("a()\nb()  # lambdalint: ignore[LL102]\n")
    assert result.suppresses("LL102", 2)
    assert not result.suppresses("LL102", 1)
    assert not result.suppresses("LL101", 2)
    assert result.suppresses("LL102", 1, extra_lines=[2])


def test_text_without_any_marker_is_fast_and_empty():
    result = parse("x = 1  # a comment\n" * 1000)
    assert (result.whole_file, result.by_line) == (frozenset(), {})


# -- through a real run -------------------------------------------------------------------


def _findings(cwd: Path, *args: str):
    code, out, err = run_cli(["check", "--format", "json", *args], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(out)["findings"]]


def _with_comment_on_reported_line(tmp_path: Path, comment: str) -> str:
    """The broken file with ``comment`` at the end of the line LL001 reports."""
    write(tmp_path, {"app.py": BROKEN_AT})
    ((rule, _, line),) = _findings(tmp_path, "--select", "LL001")
    assert rule == "LL001"
    lines = BROKEN_AT.splitlines()
    lines[line - 1] += f"  {comment}"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("comment, silenced", [
    ("# lambdalint: ignore[LL001]", True),
    ("# lambdalint: ignore[parse-error]", True),
    # blanket comments do not silence a parse error: only one that names LL001 does
    ("# lambdalint: ignore", False),
    ("# noqa: LL001", True),
    ("# noqa", False),
    ("# lambdalint: ignore[LL102]", False),
    ("# noqa: E999", False),
])
def test_a_run_honours_line_comments(tmp_path, comment, silenced):
    text = _with_comment_on_reported_line(tmp_path, comment)
    write(tmp_path, {"app.py": text})
    found = _findings(tmp_path, "--select", "LL001")
    assert [f[0] for f in found] == ([] if silenced else ["LL001"])


def test_a_comment_on_another_line_does_not_silence(tmp_path):
    write(tmp_path, {"app.py": "# lambdalint: ignore[LL001] -- not here\n\n\n" + BROKEN_AT})
    assert [f[0] for f in _findings(tmp_path, "--select", "LL001")] == ["LL001"]


def test_a_run_honours_file_level_comments(tmp_path):
    write(tmp_path, {
        "a.py": "# lambdalint: ignore-file[LL001]\n" + BROKEN_AT,
        "b.py": "# lambdalint: ignore-file[LL101]\n" + BROKEN_AT,
    })
    assert [(f[0], f[1]) for f in _findings(tmp_path, "--select", "LL001")] == [("LL001", "b.py")]


def test_per_file_ignores_from_the_configuration(tmp_path):
    write(tmp_path, {
        "pyproject.toml": """
            [tool.lambdalint.per-file-ignores]
            "tests/*" = ["LL001"]
            "scripts/legacy_*.py" = ["parse-error"]
            "vendor_fixtures/*.py" = ["LL1"]
        """,
        "tests/fixtures/broken.py": BROKEN_AT,
        "scripts/legacy_job.py": BROKEN_AT,
        "scripts/new_job.py": BROKEN_AT,
        "vendor_fixtures/x.py": BROKEN_AT,
    })
    assert [(f[0], f[1]) for f in _findings(tmp_path, "--select", "LL001")] == [
        ("LL001", "scripts/new_job.py"), ("LL001", "vendor_fixtures/x.py")]


def _rule_available(rule_id: str) -> bool:
    module = registry.get(rule_id).implementation.partition(":")[0]
    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not _rule_available("LL102"), reason="LL102 is not implemented yet")
@pytest.mark.parametrize("comment, silenced", [
    ("", False),
    ("  # lambdalint: ignore[LL102]", True),
    ("  # noqa: LL102", True),
    ("  # lambdalint: ignore[LL101]", False),
])
def test_a_real_warning_is_silenced_on_its_line(tmp_path, comment, silenced):
    write(tmp_path, {"app.py": (
        "import boto3\n"
        "\n"
        "\n"
        "def handler(event, context):\n"
        f"    s3 = boto3.client(\"s3\"){comment}\n"
        "    return s3.list_buckets()\n"
    )})
    assert _findings(tmp_path, "--select", "LL102") == ([] if silenced else [("LL102", "app.py", 5)])
