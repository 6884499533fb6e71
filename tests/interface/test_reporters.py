"""The four output formats: exact shapes, GitHub's escaping and limits, SARIF that validates."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import assert_valid_sarif, make_finding, make_result, run_cli, write
from lambdalint import __version__, registry
from lambdalint.findings import Edit, Fix, Severity
from lambdalint.reporters import FORMATS, get
from lambdalint.reporters.github_format import escape_data, escape_property

BROKEN = "def handler(event, context:\n    return 1\n"


def _run(cwd: Path, *args: str):
    code, out, err = run_cli(["check", "--select", "LL001", *args], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return out


def test_every_format_has_a_reporter():
    assert FORMATS == ("text", "json", "github", "sarif", "gitlab", "junit")
    for name in FORMATS:
        assert callable(get(name))


# -- json -----------------------------------------------------------------------------------


def test_json_shape(tmp_path):
    write(tmp_path, {"app.py": BROKEN, "ok.py": "X = 1\n"})
    report = json.loads(_run(tmp_path, "--format", "json"))
    assert set(report) == {"version", "findings", "summary"}
    assert report["version"] == __version__
    (finding,) = report["findings"]
    assert list(finding) == ["rule", "name", "severity", "path", "line", "column", "end_line",
                             "end_column", "message", "suggestion", "fixable"]
    assert (finding["rule"], finding["name"], finding["severity"], finding["path"],
            finding["fixable"]) == ("LL001", "parse-error", "error", "app.py", False)
    assert all(isinstance(finding[k], int) and finding[k] >= 1
               for k in ("line", "column", "end_line", "end_column"))
    assert report["summary"] == {"files": 2, "findings": 1, "errors": 1, "warnings": 0,
                                 "notes": 0, "fixable": 0, "fixed": 0}


def test_json_counts_severities_and_fixes():
    fix = Fix("move it", (Edit(5, 1, 5, 1, "x"),))
    result = make_result(make_finding("LL101"), make_finding(fix=fix), make_finding("LL103", line=9),
                     make_finding("LL103", line=11, severity=Severity.NOTE))
    report = json.loads(get("json")(result))
    assert report["summary"] == {"files": 3, "findings": 4, "errors": 1, "warnings": 2,
                                 "notes": 1, "fixable": 1, "fixed": 0}
    assert [f["fixable"] for f in report["findings"]] == [False, True, False, False]
    assert report["findings"][3]["severity"] == "note"


def test_json_for_a_clean_run(tmp_path):
    write(tmp_path, {"ok.py": "X = 1\n"})
    report = json.loads(_run(tmp_path, "--format", "json"))
    assert (report["findings"], report["summary"]["files"]) == ([], 1)


# -- text -----------------------------------------------------------------------------------


def test_text_layout_with_a_multi_line_suggestion():
    fix = Fix("f", (Edit(1, 1, 1, 1, ""),))
    result = make_result(
        make_finding("LL102", message="boto3.client() runs on every invocation",
                 suggestion="Create it once, at module level:\n\n    s3 = boto3.client('s3')", fix=fix),
        make_finding("LL101", path="src/z.py", line=2, column=1, message="a credential", suggestion=""),
        files=1)
    assert get("text")(result) == (
        "src/app.py:5:10: LL102 [client-per-invocation] boto3.client() runs on every invocation\n"
        "  help: Create it once, at module level:\n"
        "\n"
        "            s3 = boto3.client('s3')\n"
        "src/z.py:2:1: LL101 [hardcoded-credential] a credential\n"
        "Found 2 problems (1 error, 1 warning) in 1 file checked. "
        "1 fixable with `lambdalint check --fix`.\n")


def test_text_summary_after_fixes():
    result = make_result(files=2)
    assert get("text")(result) == "All checks passed (2 files checked).\n"


def test_text_colour_only_when_asked():
    result = make_result(make_finding("LL103", severity=Severity.NOTE))
    assert "\x1b[" not in get("text")(result)
    coloured = get("text")(result, color=True)
    assert "\x1b[36m\x1b[1mLL103\x1b[0m" in coloured  # a note is cyan


# -- github ---------------------------------------------------------------------------------


def test_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"


def test_workflow_command_for_each_severity():
    result = make_result(
        make_finding("LL101", path="a,b:c.py", line=3, column=1, end_line=3, end_column=20,
                 message="password = '***' is 100% visible", suggestion="Read it from\nSecrets Manager"),
        make_finding("LL102", line=7, column=5, end_line=8, end_column=2, message="m1", suggestion=""),
        make_finding("LL103", line=9, column=1, severity=Severity.NOTE, message="m2", suggestion=""),
        files=2)
    assert get("github")(result).splitlines() == [
        "::error file=a%2Cb%3Ac.py,line=3,col=1,endLine=3,endColumn=20,"
        "title=LL101 hardcoded-credential::password = '***' is 100%25 visible%0ARead it from%0ASecrets Manager",
        "::warning file=src/app.py,line=7,col=5,endLine=8,endColumn=2,"
        "title=LL102 client-per-invocation::m1",
        "::notice file=src/app.py,line=9,col=1,endLine=9,endColumn=6,"
        "title=LL103 sync-lambda-invoke::m2",
        "lambdalint: 3 findings in 2 files checked.",
    ]


def test_github_through_the_cli(tmp_path):
    write(tmp_path, {"svc/app.py": BROKEN})
    lines = _run(tmp_path, "--format", "github").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error file=svc/app.py,line=")
    assert ",title=LL001 parse-error::cannot check this file: syntax error" in lines[0]
    assert lines[1] == "lambdalint: 1 finding in 1 file checked."


def test_github_shows_ten_per_level_errors_first_and_says_how_many_more():
    findings = ([make_finding("LL102", path=f"w{i:02d}.py") for i in range(12)]
                + [make_finding("LL101", path=f"e{i:02d}.py") for i in range(11)]
                + [make_finding("LL103", path=f"n{i:02d}.py", severity=Severity.NOTE) for i in range(3)])
    lines = get("github")(make_result(*findings)).splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines]
    # errors first, then warnings, then notes; one notice slot kept for the summary
    assert kinds[:10] == ["::error"] * 10
    assert lines[10] == "e10.py:5:10: LL101 [hardcoded-credential] m"
    assert kinds[11:21] == ["::warning"] * 10
    assert lines[21:23] == ["w10.py:5:10: LL102 [client-per-invocation] m",
                            "w11.py:5:10: LL102 [client-per-invocation] m"]
    assert kinds[23:26] == ["::notice"] * 3
    assert lines[26] == ("::notice title=lambdalint::3 more findings not shown as annotations "
                         "(GitHub shows 10 per level); see the log above or upload SARIF.")
    assert lines[27] == "lambdalint: 26 findings in 3 files checked."
    assert sum(k == "::notice" for k in kinds) <= 10


def test_github_keeps_a_notice_slot_for_the_summary():
    findings = ([make_finding("LL101", path=f"e{i:02d}.py") for i in range(11)]
                + [make_finding("LL103", path=f"n{i:02d}.py", severity=Severity.NOTE) for i in range(10)])
    lines = get("github")(make_result(*findings)).splitlines()
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(notices) == 10
    assert notices[-1].startswith("::notice title=lambdalint::2 more findings")


def test_github_overflow_through_the_cli(tmp_path):
    write(tmp_path, {f"m{i:02d}.py": BROKEN for i in range(12)})
    lines = _run(tmp_path, "--format", "github").splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert lines[10].startswith("m10.py:") and lines[11].startswith("m11.py:")
    assert lines[12].startswith("::notice title=lambdalint::2 more findings not shown")
    assert lines[13] == "lambdalint: 12 findings in 12 files checked."


# -- sarif ----------------------------------------------------------------------------------


def test_sarif_from_the_cli_validates(tmp_path):
    write(tmp_path, {"svc/app.py": BROKEN})
    log = json.loads(_run(tmp_path, "--format", "sarif"))
    assert_valid_sarif(log)
    (run,) = log["runs"]
    (result,) = run["results"]
    assert result["ruleId"] == "LL001"
    assert result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "LL001"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "svc/app.py"
    assert set(location["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}


def test_sarif_driver_and_rules():
    log = json.loads(get("sarif")(make_result()))
    assert_valid_sarif(log)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("lambdalint", __version__)
    assert [r["id"] for r in driver["rules"]] == [r.id for r in registry.RULES]
    for descriptor, info in zip(driver["rules"], registry.RULES):
        assert descriptor["name"] == info.name
        assert descriptor["shortDescription"]["text"] == info.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"]
        assert descriptor["helpUri"] == info.docs_url
        assert descriptor["defaultConfiguration"]["level"] == {
            "error": "error", "warning": "warning", "note": "note"}[info.severity.value]
    ll001 = driver["rules"][0]
    assert ll001["fullDescription"]["text"].startswith("Reports a file that lambdalint was asked")
    assert ll001["help"]["markdown"].startswith("# LL001 parse-error\n")


def test_sarif_fixes_are_artifact_changes():
    fix = Fix("Create the client once, at module level",
              (Edit(1, 1, 1, 1, "import boto3\n"), Edit(5, 5, 5, 29, "")))
    log = json.loads(get("sarif")(make_result(make_finding(fix=fix), make_finding("LL101", line=9))))
    assert_valid_sarif(log)
    with_fix, without = log["runs"][0]["results"]
    assert "fixes" not in without
    assert with_fix["fixes"] == [{
        "description": {"text": "Create the client once, at module level"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [
                {"deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
                 "insertedContent": {"text": "import boto3\n"}},
                {"deletedRegion": {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 29},
                 "insertedContent": {"text": ""}},
            ],
        }],
    }]


def _fingerprints(log: dict):
    return [r["partialFingerprints"]["lambdalint/v1"] for r in log["runs"][0]["results"]]


def test_fingerprint_survives_a_move_down(tmp_path):
    write(tmp_path, {"app.py": BROKEN})
    before = json.loads(_run(tmp_path, "--format", "sarif"))
    write(tmp_path, {"app.py": "import os\n\n\n" + BROKEN})
    after = json.loads(_run(tmp_path, "--format", "sarif"))
    line = lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    assert line(after) == line(before) + 3
    assert _fingerprints(after) == _fingerprints(before)


def test_fingerprints_tell_findings_apart():
    same = [make_finding(line=3), make_finding(line=8)]  # the same problem twice in one file
    other_file = make_finding(path="src/other.py")
    other_rule = make_finding("LL103")
    prints = _fingerprints(json.loads(get("sarif")(make_result(*same, other_file, other_rule))))
    assert len(set(prints)) == 4
    moved = [make_finding(line=13), make_finding(line=18)]
    assert _fingerprints(json.loads(get("sarif")(make_result(*moved, other_file, other_rule)))) == prints


def test_sarif_message_carries_the_suggestion():
    log = json.loads(get("sarif")(make_result(make_finding(message="m", suggestion="do this"))))
    assert log["runs"][0]["results"][0]["message"]["text"] == "m\n\nSuggestion: do this"


def test_escaping_breaks_every_line_break_and_legacy_command():
    # the runner splits on CR and LF; a viewer on the other splitlines() breaks; ##[ is the
    # legacy command syntax, recognised anywhere in a line
    assert escape_data("a\x0bb\x85c\u2028d ##[error]x") == "a%0Bb%C2%85c%E2%80%A8d ##%5Berror]x"
    assert escape_property("::stop-commands::x") == "%3A%3Astop-commands%3A%3Ax"


def test_github_overflow_line_escapes_path_and_message():
    findings = [make_finding("LL101", path=f"e{i:02d}.py") for i in range(10)]
    findings.append(make_finding("LL101", path="z\n::stop-commands::tok.py", message="a\n::error::b"))
    lines = get("github")(make_result(*findings)).split("\n")
    assert lines[10] == ("z%0A%3A%3Astop-commands%3A%3Atok.py:5:10: LL101 [hardcoded-credential] "
                         "a%0A::error::b")
    assert not any(line.startswith("::stop-commands") or line.startswith("::error::")
                   for line in lines)
