"""Issue #13, output formats: SARIF security metadata, GitLab Code Quality, JUnit XML.

Every test runs the real CLI on files written for it (or a reporter on real findings), and
checks exact rule ids, lines and shapes.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

from helpers import assert_valid_sarif, make_finding, make_result, run_cli, write
from lambdalint import registry
from lambdalint.findings import Severity
from lambdalint.reporters import get

KEY_ID = "AKIA2E3MQ4R5T6Y7U2I3"
CREDENTIAL = f'import boto3\n\nKEY = "{KEY_ID}"\n'
SECURITY = {"LL101", "LL202", "LL203", "LL204", "LL215", "LL216", "LL303"}
AREAS = {"performance", "reliability", "maintainability", "cost"}


def _check(cwd, *args: str):
    code, out, err = run_cli(["check", "--no-cache", *args], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return code, out


# -- 1. SARIF: security-severity and tags ---------------------------------------------------


def test_sarif_security_rules_carry_security_severity_and_cwe_tags(tmp_path):
    write(tmp_path, {"app.py": CREDENTIAL})
    _, out = _check(tmp_path, "--select", "LL101", "--format", "sarif", ".")
    log = json.loads(out)
    assert_valid_sarif(log)
    run = log["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "LL101"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    descriptors = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    ll101 = descriptors[result["ruleId"]]["properties"]
    assert ll101["security-severity"] == "9.0"
    assert ll101["tags"][:2] == ["security", "external/cwe/cwe-798"]
    assert descriptors["LL202"]["properties"]["tags"][:3] == [
        "security", "external/cwe/cwe-732", "external/cwe/cwe-269"]
    assert descriptors["LL204"]["properties"]["tags"][:3] == [
        "security", "external/cwe/cwe-798", "external/cwe/cwe-526"]
    assert descriptors["LL303"]["properties"]["tags"][:2] == ["security", "external/cwe/cwe-1395"]
    for rule_id, descriptor in descriptors.items():
        properties = descriptor["properties"]
        if rule_id in SECURITY:
            score = properties["security-severity"]
            # GitHub reads a string holding a number from 0.0 to 10.0
            assert isinstance(score, str) and 0.0 <= float(score) <= 10.0, (rule_id, score)
        else:
            assert "security-severity" not in properties, rule_id
            assert "security" not in properties["tags"], rule_id
            assert AREAS & set(properties["tags"]), rule_id


def test_security_metadata_lives_in_the_registry():
    # the reporter only copies it: one place to change a rule's ranking
    for rule in registry.RULES:
        assert ("security" in rule.tags) == (rule.id in SECURITY), rule.id
        assert bool(rule.security_severity) == (rule.id in SECURITY), rule.id
        assert all(t.startswith("external/cwe/cwe-") for t in rule.tags if t not in
                   AREAS | {"security"}), rule.tags
    # errors about secrets outrank the IAM warning, as GitHub's levels will show them
    ranked = sorted(SECURITY, key=lambda i: -float(registry.get(i).security_severity))
    assert ranked == ["LL101", "LL204", "LL202", "LL303", "LL216", "LL215", "LL203"]


# -- 2. GitLab Code Quality -----------------------------------------------------------------

TWO_KEYS_AND_A_CLIENT = (
    "import boto3\n"
    "\n"
    f'KEY = "{KEY_ID}"\n'
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    '    s3 = boto3.client("s3")\n'
    '    s3 = boto3.client("s3")\n'
    "    return s3.list_buckets()\n"
)


def _gitlab(cwd):
    _, out = _check(cwd, "--format", "gitlab", "--select", "LL001,LL101,LL102", ".")
    assert KEY_ID not in out and KEY_ID[4:] not in out  # masked like every format
    return json.loads(out)


def test_gitlab_code_quality_shape_and_severities(tmp_path):
    write(tmp_path, {"app.py": TWO_KEYS_AND_A_CLIENT,
                     "bad.py": "def handler(event, context:\n    return 1\n"})
    issues = _gitlab(tmp_path)
    assert isinstance(issues, list)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"],
             i["severity"]) for i in issues] == [
        ("LL101", "app.py", 3, "critical"),  # an error of a security rule
        ("LL102", "app.py", 7, "minor"),     # a warning
        ("LL102", "app.py", 8, "minor"),
        ("LL001", "bad.py", 1, "major"),     # any other error
    ]
    for item in issues:
        assert list(item) == ["description", "check_name", "fingerprint", "severity", "location"]
        assert list(item["location"]) == ["path", "lines"]
        assert item["description"].startswith(f"{item['check_name']} [")
    assert issues[0]["description"] == (
        "LL101 [hardcoded-credential] KEY is assigned a hardcoded AWS access key id (AKIA****)")
    # GitLab shows one issue per fingerprint: the same finding twice in a file gets two
    assert issues[1]["description"] == issues[2]["description"]
    assert len({i["fingerprint"] for i in issues}) == 4


def test_gitlab_fingerprints_survive_code_moving_down(tmp_path):
    write(tmp_path, {"app.py": TWO_KEYS_AND_A_CLIENT})
    before = _gitlab(tmp_path)
    write(tmp_path, {"app.py": "import os\n\n" + TWO_KEYS_AND_A_CLIENT})
    after = _gitlab(tmp_path)
    assert [i["location"]["lines"]["begin"] for i in after] == [5, 9, 10]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


def test_gitlab_note_is_info_and_a_clean_run_is_an_empty_array(tmp_path):
    write(tmp_path, {"ok.py": "X = 1\n"})
    code, out = _check(tmp_path, "--format", "gitlab", ".")
    assert (code, json.loads(out)) == (0, [])
    issues = json.loads(get("gitlab")(make_result(make_finding("LL304", severity=Severity.NOTE))))
    assert [i["severity"] for i in issues] == ["info"]


# -- 3. JUnit XML ---------------------------------------------------------------------------


def _junit(cwd, *args: str):
    code, out = _check(cwd, "--format", "junit", *args)
    return code, out, ElementTree.fromstring(out.encode("utf-8"))  # well-formed, or it raises


def test_junit_one_suite_a_failing_testcase_per_finding(tmp_path):
    write(tmp_path, {"app.py": TWO_KEYS_AND_A_CLIENT})
    code, out, root = _junit(tmp_path, "--select", "LL101,LL102", ".")
    assert code == 1 and KEY_ID not in out and KEY_ID[4:] not in out
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "3", "3")
    (suite,) = root
    assert (suite.tag, suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "testsuite", "lambdalint", "3", "3")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("line")) for c in cases] == [
        ("app.py", "LL101 hardcoded-credential at 3:7", "3"),
        ("app.py", "LL102 client-per-invocation at 7:10", "7"),
        ("app.py", "LL102 client-per-invocation at 8:10", "8"),
    ]
    failure = cases[0].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message") == "KEY is assigned a hardcoded AWS access key id (AKIA****)"
    assert failure.text.startswith(
        "app.py:3:7: LL101 [hardcoded-credential] KEY is assigned a hardcoded AWS access key id "
        "(AKIA****)\n")
    assert cases[1].find("failure").get("type") == "warning"


def test_junit_a_clean_run_is_one_passing_testcase(tmp_path):
    write(tmp_path, {"ok.py": "X = 1\n"})
    code, _, root = _junit(tmp_path, ".")
    assert (code, root.get("tests"), root.get("failures")) == (0, "1", "0")
    (case,) = root.iter("testcase")
    assert case.get("name") == "1 file checked, no findings" and len(case) == 0


def test_junit_escapes_file_names_with_markup_and_control_characters(tmp_path):
    name = 'a&<b>\x01"c\x1b.py'
    write(tmp_path, {name: "def handler(event, context:\n    return 1\n"})
    _, out, root = _junit(tmp_path, ".")
    (case,) = root.iter("testcase")
    # markup round-trips; a control character XML cannot hold is shown as \xNN text
    shown = 'a&<b>\\x01"c\\x1b.py'
    assert (case.get("classname"), case.get("file")) == (shown, shown)
    assert case.find("failure").text.startswith(f"{shown}:1:12: LL001 [parse-error] ")
    assert "\x01" not in out and "\x1b" not in out


def test_junit_keeps_line_breaks_and_drops_what_xml_cannot_hold():
    message = "one\r\ntwo\x00three\ud800four\ufffe]]>five"
    out = get("junit")(make_result(make_finding(message=message, suggestion="s1\ns2")))
    (case,) = ElementTree.fromstring(out.encode("utf-8")).iter("testcase")
    failure = case.find("failure")
    assert failure.get("message") == "one\r\ntwo\\x00three\\ud800four\\ufffe]]>five"
    assert failure.text == ("src/app.py:5:10: LL102 [client-per-invocation] "
                            "one\r\ntwo\\x00three\\ud800four\\ufffe]]>five\ns1\ns2")
