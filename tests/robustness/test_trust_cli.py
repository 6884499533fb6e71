"""Trust at the command line (issue #10): what a checked repository can make lambdalint do.

A repository under check is anyone's (a pull request, a cloned project). Its file names must not
become options, its configuration must not turn on the network or name files to read, its
patterns must not crash the run, and what cannot be read must be said, never passed over.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from helpers import (REQUESTS_ADVISORY, check_json, ids_and_lines, needs_pip_audit_with_osv_url, osv_url,
                     run_cli, run_subprocess, sam_function, write)

TEMPLATE = sam_function(name="OrdersFunction")
APP = "def handler(event, context):\n    return {}\n"

HANDLER = "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    return s3\n"


# -- case 1: --output never lands on a file being checked ---------------------------------------


def test_double_dash_reads_an_option_named_file_as_a_file(tmp_path):
    # The pre-commit hooks end with `--`: a staged file named `--output=handler.py` is a path.
    write(tmp_path, {"handler.py": HANDLER, "--output=handler.py": "x = 1\n"})
    proc = run_subprocess(["check", "--", "--output=handler.py", "handler.py"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "handler.py:4:10: LL102" in proc.stdout
    assert (tmp_path / "handler.py").read_text(encoding="utf-8") == HANDLER


def test_an_option_after_double_dash_is_explained(tmp_path):
    write(tmp_path, {"handler.py": HANDLER})
    code, out, err = run_cli(["check", "--", "--fail-on", "handler.py"], cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("lambdalint: error: no such file or directory: --fail-on (after `--`")


@pytest.mark.parametrize("how", ["same", "hardlink", "symlink", "dotted"])
def test_output_is_refused_over_a_checked_file(tmp_path, how):
    write(tmp_path, {"src/handler.py": HANDLER, "template.yaml": TEMPLATE})
    target = {"same": "src/handler.py", "hardlink": "report.txt", "symlink": "report.txt",
              "dotted": "src/../src/handler.py"}[how]
    if how == "hardlink":
        os.link(tmp_path / "src/handler.py", tmp_path / "report.txt")
    elif how == "symlink":
        os.symlink("src/handler.py", tmp_path / "report.txt")
    code, out, err = run_cli(["check", "--output", target, "."], cwd=tmp_path)
    assert code == 2 and out == ""
    assert err == (f"lambdalint: error: --output {target}: is src/handler.py, a file being "
                   "checked; the report is not written over it\n")
    assert (tmp_path / "src/handler.py").read_text(encoding="utf-8") == HANDLER


def test_output_is_refused_over_a_file_named_on_the_command_line(tmp_path):
    write(tmp_path, {"notes/handler.py": HANDLER})
    code, _, err = run_cli(["check", "--fix", "--output", "notes/handler.py", "notes/handler.py"],
                           cwd=tmp_path)
    assert code == 2
    assert "is notes/handler.py, a file being checked" in err
    assert (tmp_path / "notes/handler.py").read_text(encoding="utf-8") == HANDLER  # no fix either


def test_output_over_a_directory_is_refused(tmp_path):
    write(tmp_path, {"handler.py": HANDLER, "out/keep.txt": "x"})
    code, out, err = run_cli(["check", "--output", "out", "handler.py"], cwd=tmp_path)
    assert (code, out, err) == (2, "", "lambdalint: error: --output out: is a directory\n")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_may_replace_its_own_previous_report(tmp_path, fmt):
    # README: `lambdalint check --format json --output lambdalint.json`, run twice in a row.
    name = "lambdalint.json"
    write(tmp_path, {"handler.py": HANDLER})
    for _ in range(2):
        code, out, err = run_cli(["check", "--format", fmt, "--output", name, "."], cwd=tmp_path)
        assert code == 1, err
        assert out == ""
    report = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    assert report["findings"] if fmt == "json" else report["runs"]


def test_output_over_a_json_file_that_is_not_a_report_is_refused(tmp_path):
    write(tmp_path, {"handler.py": HANDLER, "events/event.json": '{"version": "0", "findings": []}'})
    code, _, err = run_cli(["check", "--format", "json", "--output", "events/event.json", "."],
                           cwd=tmp_path)
    assert code == 2
    assert "is events/event.json, a file being checked" in err


# -- case 2: a repository's own configuration cannot turn on the network ------------------------


def _audited_project(root: Path, config: str) -> Path:
    return write(root, {"template.yaml": TEMPLATE, "src/app.py": APP,
                        "src/requirements.txt": "requests==2.19.0\n", "lambdalint.toml": config})


def test_found_config_with_audit_and_osv_url_sends_nothing(tmp_path, osv_server):
    needs_pip_audit_with_osv_url()
    osv_server.advisories[("requests", "2.19.0")] = [REQUESTS_ADVISORY]
    _audited_project(tmp_path, f'audit = true\n[rules.LL303]\nosv-url = "{osv_url(osv_server)}"\n')
    code, out, err = run_cli(["check", "--format", "json", "--select", "LL303", "."], cwd=tmp_path)
    assert osv_server.queries == []
    assert (code, json.loads(out)["findings"]) == (0, [])
    assert err == ("lambdalint: lambdalint.toml asks for --audit (audit, rules.LL303.osv-url); "
                   "--audit was not turned on: a configuration found in the checked repository "
                   "cannot make lambdalint use the network or read files it names; pass --audit "
                   "on the command line, or this file with --config\n")
    # The same file passed with --config is the user's choice: the audit runs there.
    findings = check_json(["."], tmp_path, "--select", "LL303", "--config", "lambdalint.toml")
    assert ids_and_lines(findings) == [("LL303", 1)]
    assert [q[1:] for q in osv_server.queries] == [("requests", "2.19.0")]


def test_found_config_cannot_choose_where_a_command_line_audit_goes(tmp_path, osv_server):
    needs_pip_audit_with_osv_url()
    _audited_project(tmp_path, f'[rules.LL303]\nosv-url = "{osv_url(osv_server)}"\n'
                               'advisories = "/etc/passwd"\nservice = "osv"\ntimeout = 3\n')
    with_cli = f"http://127.0.0.1:{osv_server.server_port}/cli/v1/query"
    code, out, err = run_cli(["check", "--format", "json", "--select", "LL303", "--audit",
                              "--osv-url", with_cli, "."], cwd=tmp_path)
    assert code == 0, err
    assert [q[0] for q in osv_server.queries] == ["/cli/v1/query"]
    assert err.startswith("lambdalint: lambdalint.toml asks for --audit (rules.LL303.osv-url, "
                          "rules.LL303.advisories, rules.LL303.service); its settings were not used")


def test_found_config_cannot_name_an_advisories_file(tmp_path):
    pytest.importorskip("packaging")
    _audited_project(tmp_path, 'audit = true\n[rules.LL303]\nadvisories = "osv.json"\n')
    write(tmp_path, {"osv.json": json.dumps([REQUESTS_ADVISORY])})
    code, out, err = run_cli(["check", "--format", "json", "--select", "LL303", "."], cwd=tmp_path)
    assert (code, json.loads(out)["findings"]) == (0, [])
    assert "asks for --audit (audit, rules.LL303.advisories); --audit was not turned on" in err
    assert ids_and_lines(check_json(["."], tmp_path, "--select", "LL303", "--config",
                                    "lambdalint.toml")) == [("LL303", 1)]


# -- case 3: a pattern pathspec cannot use is a configuration error -----------------------------


@pytest.mark.parametrize("key", ["exclude", "extend-exclude"])
@pytest.mark.parametrize("pattern, why", [
    ("!", "not a valid gitignore pattern"),
    ("legacy\\", "not a valid gitignore pattern"),  # a trailing backslash
    ("[z-a].py", "not a valid gitignore pattern (bad character range z-a)"),
])
def test_bad_exclude_pattern_is_one_line_exit_2(tmp_path, key, pattern, why):
    write(tmp_path, {"app.py": HANDLER,  # a TOML literal string: no escapes
                     "pyproject.toml": f"[tool.lambdalint]\n{key} = ['scripts/', '{pattern}']\n"})
    code, out, err = run_cli(["check", "."], cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == (f"lambdalint: error: pyproject.toml [tool.lambdalint]: '{key}' has "
                   f"{pattern!r}: {why}\n")


def test_bad_line_in_gitignore_is_passed_over_as_git_does(tmp_path):
    write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", ".gitignore": "!\n[z-a]\nbuild_*/\n",
                     "app.py": HANDLER, "build_1/gen.py": HANDLER})
    findings = check_json(["."], tmp_path)
    assert [(f["path"], f["rule"]) for f in findings] == [("app.py", "LL102")]


# -- case 4: what cannot be read is said --------------------------------------------------------


def _too_long_directory(root: Path) -> str:
    """A directory the walk cannot list, even as root: its absolute path is over PATH_MAX
    (made with dir_fd, one short relative step at a time)."""
    name = "d" * 250
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(18):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        created = os.open("broken.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(created, b"def handler(event, context:\n")
        os.close(created)
    finally:
        os.close(fd)
    return "/".join([name] * 18)


@pytest.mark.skipif(sys.platform != "linux", reason="PATH_MAX of Linux")
def test_directory_that_cannot_be_listed_is_ll001(tmp_path):
    write(tmp_path, {"app.py": "def handler(event, context):\n    return 1\n"})
    deep = _too_long_directory(tmp_path)
    code, out, err = run_cli(["check", "--format", "json", "."], cwd=tmp_path)
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert len(findings) == 1
    unreadable = findings[0]
    assert unreadable["rule"] == "LL001"
    assert (tmp_path / unreadable["path"]).parent.name == "d" * 250
    assert deep.startswith(unreadable["path"]) and unreadable["path"].count("/") >= 14
    assert unreadable["message"] == "cannot read directory: File name too long"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_named_on_the_command_line_says_what_it_is(tmp_path):
    os.mkfifo(tmp_path / "events.py")
    code, out, err = run_cli(["check", "events.py"], cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == ("lambdalint: error: events.py: is a named pipe (FIFO), not a file lambdalint "
                   "can check\n")


# -- case 6: a named file of no kind lambdalint reads -------------------------------------------


def test_named_file_of_no_checked_kind_is_said(tmp_path):
    write(tmp_path, {"notes.md": "# notes\n"})
    code, out, err = run_cli(["check", "notes.md"], cwd=tmp_path)
    assert code == 0
    assert err == ("lambdalint: notes.md: not checked, lambdalint reads only files ending in "
                   ".py, .yaml, .yml, .json, .template, .tf\n")
    assert "0 files checked" in out
