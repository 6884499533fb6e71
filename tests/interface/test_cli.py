"""The command line as a user meets it: options, exit codes, and one-line errors.

Exit codes and error lines are tested through a subprocess (``python -m lambdalint``), since
``lambdalint.cli:main`` is what turns click's errors and internal failures into one line.
A syntax error (LL001) is the stable finding these tests lean on; the few tests that need a
warning or a fix use the canonical LL102 case and are skipped until that rule exists.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from helpers import one_line, one_line_error, run_cli, run_subprocess, write
from lambdalint import __version__, registry

BROKEN = "def handler(event, context:\n    return 1\n"
CLEAN = "def handler(event, context):\n    return 1\n"


def _json_finding(cwd, path="app.py"):
    """LL001's finding as --format json gives it: the parser's wording is not ours to pin."""
    code, out, _ = run_cli(["check", "--select", "LL001", "--format", "json", path], cwd=cwd)
    findings = json.loads(out)["findings"]
    assert code == 1 and len(findings) == 1, out
    return findings[0]


def _text_lines(f):
    """The two lines the text format prints for a finding."""
    return (f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['name']}] {f['message']}",
            f"  help: {f['suggestion']}")


def _rule_available(rule_id: str) -> bool:
    info = registry.get(rule_id)
    module = info.implementation.partition(":")[0] if info else ""
    return bool(module) and importlib.util.find_spec(module) is not None


needs_ll102 = pytest.mark.skipif(not _rule_available("LL102"),
                                 reason="LL102 (client-per-invocation) is not implemented yet")

# The canonical LL102 case: a boto3 client built inside the handler, once per invocation.
CLIENT_IN_HANDLER = (
    "import boto3\n"
    "\n"
    "\n"
    "def handler(event, context):\n"
    "    s3 = boto3.client(\"s3\")\n"
    "    return s3.list_buckets()\n"
)


# -- entry points ---------------------------------------------------------------------------


def test_version_through_python_m(tmp_path):
    proc = run_subprocess(["--version"], cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"lambdalint {__version__}\n", "")


def test_console_script_is_installed_and_runs(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "lambdalint")
    if not os.path.exists(script):
        pytest.skip("no console script next to this interpreter")
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, f"lambdalint {__version__}\n")


def test_no_command_prints_help_and_exits_2(tmp_path):
    proc = run_subprocess([], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Usage: lambdalint [OPTIONS] COMMAND [ARGS]...")
    for command in ("check", "explain", "rules"):
        assert f"\n  {command} " in proc.stderr


def test_check_help_lists_every_option(tmp_path):
    proc = run_subprocess(["check", "--help"], cwd=tmp_path)
    assert proc.returncode == 0
    for option in ("--format", "--output", "--select", "--ignore", "--fix", "--diff",
                   "--exit-zero", "--fail-on", "--config", "--statistics", "--quiet",
                   "--color / --no-color"):
        assert option in proc.stdout, option


# -- findings and exit codes ----------------------------------------------------------------


def test_finding_exits_1_with_text_report(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    finding = _json_finding(tmp_path)
    assert (finding["rule"], finding["path"], finding["severity"]) == ("LL001", "app.py", "error")
    assert finding["message"].startswith("cannot check this file: syntax error")
    proc = run_subprocess(["check", "--select", "LL001"], cwd=tmp_path)
    assert proc.returncode == 1
    line, help_line = _text_lines(finding)
    assert proc.stdout == (f"{line}\n{help_line}\n"
                           "Found 1 problem (1 error) in 1 file checked.\n")
    assert proc.stderr == ""


def test_clean_tree_exits_0(tmp_path):
    write(tmp_path, {"app.py": CLEAN, "lib/util.py": "X = 1\n"})
    proc = run_subprocess(["check", "--select", "LL001", "."], cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0, "All checks passed (2 files checked).\n", "")


def test_exit_zero_keeps_the_report(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    proc = run_subprocess(["check", "--select", "LL001", "--exit-zero"], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith(_text_lines(_json_finding(tmp_path))[0] + "\n")


@pytest.mark.parametrize("fail_on", ["error", "warning", "note"])
def test_an_error_fails_at_every_fail_on_level(tmp_path, fail_on):
    write(tmp_path, {"app.py": BROKEN})
    proc = run_subprocess(["check", "--select", "LL001", "--fail-on", fail_on], cwd=tmp_path)
    assert proc.returncode == 1


@needs_ll102
@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("note", 1)])
def test_a_warning_fails_at_warning_and_below(tmp_path, fail_on, code):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    proc = run_subprocess(["check", "--select", "LL102", "--fail-on", fail_on], cwd=tmp_path)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "app.py:5:" in proc.stdout and "LL102 [client-per-invocation]" in proc.stdout


@needs_ll102
def test_default_fail_on_is_warning(tmp_path):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    assert run_subprocess(["check", "--select", "LL102"], cwd=tmp_path).returncode == 1


# -- rule selection on the command line ------------------------------------------------------


@pytest.mark.parametrize("option, value, found", [
    ("--select", "LL001", True),
    ("--select", "parse-error", True),
    ("--select", "LL0", True),
    ("--select", "ll001", True),
    ("--select", "LL1", False),
    ("--select", "LL1,LL001", True),
    ("--ignore", "LL001", False),
    ("--ignore", "parse-error", False),
    ("--ignore", "LL0", False),
    ("--ignore", "LL1", True),
])
def test_select_and_ignore_take_ids_names_and_prefixes(tmp_path, option, value, found):
    # Only a broken file: no other rule gets to run, whichever is selected.
    write(tmp_path, {"app.py": BROKEN})
    code, out, _ = run_cli(["check", "--format", "json", option, value], cwd=tmp_path)
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert rules == (["LL001"] if found else [])
    assert code == (1 if found else 0)


def test_select_repeated_and_ignore_wins_over_select(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    code, out, _ = run_cli(["check", "--format", "json", "--select", "LL1", "--select", "LL001",
                            "--ignore", "parse-error"], cwd=tmp_path)
    assert (code, json.loads(out)["findings"]) == (0, [])


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_on_the_command_line_is_a_usage_error(tmp_path, option):
    assert one_line_error(["check", option, "LL999"], tmp_path) == (
        f"lambdalint: error: {option}: unknown rule 'LL999'; use an id (LL102), a name, "
        "a prefix (LL1) or ALL; `lambdalint rules` lists them")


# -- usage and input errors: exit 2, one line -------------------------------------------------


def test_unknown_option_is_one_line(tmp_path):
    line = one_line_error(["check", "--bogus"], tmp_path)
    assert line.startswith("lambdalint: error: No such option")
    assert "--bogus" in line


def test_bad_format_is_one_line(tmp_path):
    line = one_line_error(["check", "--format", "xml"], tmp_path)
    assert line.startswith("lambdalint: error: Invalid value for '--format': 'xml' is not one of")
    for choice in ("text", "json", "github", "sarif"):
        assert f"'{choice}'" in line


# (files written first, arguments, the one line after "lambdalint: error: ")
ONE_LINE_ERRORS = [
    ({"app.py": BROKEN}, ["check", "--select", "LL001", "app.py", "nope.py", "gone/"],
     "no such file or directory: nope.py, gone/"),
    ({}, ["check", "--config", "nope.toml"], "--config nope.toml: no such file"),
    ({"conf/x.txt": ""}, ["check", "--config", "conf"],
     "--config conf: is a directory, not a TOML file"),
    ({"lambdalint.toml": b"select = ['\xff']\n"}, ["check"],
     "lambdalint.toml: not valid TOML: it is not UTF-8 text"),
    ({"app.py": BROKEN}, ["check", "--select", "LL001", "--output", "out/report.json"],
     "--output out/report.json: directory out does not exist"),
    ({"out/x.txt": ""}, ["check", "--output", "out"], "--output out: is a directory"),
    ({}, ["lint"], "No such command 'lint'."),
    ({}, ["explain", "LL999"], "unknown rule 'LL999'; `lambdalint rules` lists them"),
    ({}, ["explain"], "Missing argument 'RULE'."),
]


@pytest.mark.parametrize("files, args, message", ONE_LINE_ERRORS,
                         ids=[" ".join(args) or "-" for _, args, _ in ONE_LINE_ERRORS])
def test_usage_and_input_errors_are_one_line_and_exit_2(tmp_path, files, args, message):
    # Nothing is checked: a missing path, a bad --config or --output stop the run before it.
    write(tmp_path, files)
    assert one_line_error(args, tmp_path) == f"lambdalint: error: {message}"


def test_invalid_toml_config(tmp_path):
    write(tmp_path, {"bad.toml": "select = [\"LL001\"\nfail-on = 'error'\n"})
    line = one_line_error(["check", "--config", "bad.toml"], tmp_path)
    assert line.startswith("lambdalint: error: bad.toml: not valid TOML: ")
    assert "line 2" in line


def test_output_writes_the_report_to_the_file(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    proc = run_subprocess(["check", "--select", "LL001", "--format", "json", "-o", "report.json"],
                          cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("LL001", "app.py")]


def test_internal_failure_is_one_line_and_exit_2(tmp_path):
    # A real failure inside a run, raised where the engine would raise it; main() must contain it.
    code = (
        "import sys, lambdalint.engine as engine\n"
        "def run(*args, **kwargs):\n"
        "    raise RuntimeError('boom\\nsecond line')\n"
        "engine.run = run\n"
        "from lambdalint.cli import main\n"
        "main(['check', '.'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "LAMBDALINT_DEBUG"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (
        "lambdalint: internal error: RuntimeError: boom second line "
        "(set LAMBDALINT_DEBUG=1 for the traceback, and please report it)")
    env["LAMBDALINT_DEBUG"] = "1"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr


def test_closed_stdout_is_not_a_traceback(tmp_path):
    # `lambdalint check | head -1`: the reader is gone before lambdalint writes. Click's own
    # convention for a broken pipe is a quiet exit 1.
    write(tmp_path, {f"m{i:03d}.py": BROKEN for i in range(40)})
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "lambdalint", "check", "--select", "LL001"],
                              cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (1, "")


# -- output options ------------------------------------------------------------------------


def test_quiet_prints_findings_only(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    code, out, _ = run_cli(["check", "--select", "LL001", "--quiet"], cwd=tmp_path)
    assert (code, out) == (1, _text_lines(_json_finding(tmp_path))[0] + "\n")


def test_quiet_clean_run_prints_nothing(tmp_path):
    write(tmp_path, {"app.py": CLEAN})
    assert run_cli(["check", "--select", "LL001", "-q"], cwd=tmp_path)[:2] == (0, "")


def test_statistics_counts_per_rule(tmp_path):
    write(tmp_path, {"a.py": BROKEN, "b.py": BROKEN, "c.py": CLEAN})
    code, out, _ = run_cli(["check", "--select", "LL001", "--statistics"], cwd=tmp_path)
    assert code == 1
    assert out == ("    2  LL001  parse-error\n"
                   "Found 2 problems (2 errors) in 3 files checked.\n")


def test_color_only_when_asked_or_on_a_terminal(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    plain = run_subprocess(["check", "--select", "LL001"], cwd=tmp_path)
    assert "\x1b[" not in plain.stdout
    forced = run_subprocess(["check", "--select", "LL001", "--color"], cwd=tmp_path)
    f = _json_finding(tmp_path)
    assert forced.stdout.startswith(f"\x1b[1mapp.py:{f['line']}:{f['column']}:\x1b[0m "
                                    "\x1b[31m\x1b[1mLL001\x1b[0m [parse-error]")
    assert "\x1b[32mhelp:\x1b[0m" in forced.stdout
    off = run_subprocess(["check", "--select", "LL001", "--no-color"], cwd=tmp_path)
    assert off.stdout == plain.stdout


def test_color_is_never_written_into_a_json_report(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    proc = run_subprocess(["check", "--select", "LL001", "--format", "json", "--color"],
                          cwd=tmp_path)
    assert "\x1b[" not in proc.stdout
    assert json.loads(proc.stdout)["findings"][0]["rule"] == "LL001"


# -- --fix and --diff ---------------------------------------------------------------------


@needs_ll102
def test_diff_shows_and_changes_nothing_even_with_fix(tmp_path):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    for args in (["--diff"], ["--diff", "--fix"]):
        proc = run_subprocess(["check", "--select", "LL102", *args], cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
        assert proc.stderr == "lambdalint: 1 file would be changed.\n"
        assert (tmp_path / "app.py").read_text(encoding="utf-8") == CLIENT_IN_HANDLER


@needs_ll102
def test_fix_rewrites_and_reports_what_is_left(tmp_path):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    proc = run_subprocess(["check", "--select", "LL102", "--fix"], cwd=tmp_path)
    assert (tmp_path / "app.py").read_text(encoding="utf-8") != CLIENT_IN_HANDLER
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "Fixed 1 problem. All checks passed (1 file checked).\n"
    again = run_subprocess(["check", "--select", "LL102"], cwd=tmp_path)
    assert again.returncode == 0


def test_diff_with_nothing_to_fix(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    proc = run_subprocess(["check", "--select", "LL001", "--diff"], cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr == "lambdalint: 0 files would be changed.\n"


# -- rules and explain --------------------------------------------------------------------


def test_rules_lists_every_registry_rule(tmp_path):
    proc = run_subprocess(["rules"], cwd=tmp_path)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [r.id for r in registry.RULES]
    assert lines[0].split()[:3] == ["LL001", "parse-error", "error"]


def test_rules_as_json(tmp_path):
    proc = run_subprocess(["rules", "--format", "json"], cwd=tmp_path)
    assert proc.returncode == 0
    rules = json.loads(proc.stdout)
    assert [r["id"] for r in rules] == [r.id for r in registry.RULES]
    assert rules[0] == {
        "id": "LL001", "name": "parse-error", "severity": "error", "fixable": False,
        "summary": "A file could not be read or parsed; it was skipped.",
        "url": "https://github.com/lambdalint/lambdalint/blob/main/rules/LL001.md",
    }
    assert set(rules[0]) == {"id", "name", "severity", "fixable", "summary", "url"}


@pytest.mark.parametrize("name", ["LL001", "ll001", "parse-error"])
def test_explain_prints_the_page(tmp_path, name):
    from lambdalint import docs

    proc = run_subprocess(["explain", name], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == docs.page("LL001").rstrip("\n") + "\n"
    assert proc.stdout.startswith("# LL001 parse-error\n")


# -- no output echoes what a broken file holds ----------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_parse_errors_never_echo_the_file(tmp_path, output_format):
    # Each file breaks inside or right after a secret; the report says where, never what.
    secret = "hunter2-Zq8vX1"
    write(tmp_path, {
        "app.py": f'DB_PASSWORD = "{secret}\n',
        "other.py": f'token = ("{secret}" +\n',
        "template.yaml": f"Resources:\n  Fn:\n    Properties:\n      Password: \"{secret}\n",
        "template.json": f'{{"Password": "{secret}" x}}',
        "main.tf": f'locals {{\n  password = "{secret}\n',
    })
    proc = run_subprocess(["check", "--select", "LL001", "--format", output_format], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "LL001" in proc.stdout
    assert secret not in proc.stdout + proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr
