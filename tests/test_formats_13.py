"""Issue #13, output formats: SARIF security metadata, GitLab Code Quality, JUnit XML.

Every test runs the real CLI on files written for it (or a reporter on real findings), and
checks exact rule ids, lines and shapes.
"""

from __future__ import annotations

import json

from conftest import run_cli, write
from lambdalint import registry
from test_reporters import _assert_valid

KEY_ID = "AKIA2E3MQ4R5T6Y7U2I3"
CREDENTIAL = f'import boto3\n\nKEY = "{KEY_ID}"\n'
SECURITY = {"LL101", "LL202", "LL203", "LL204", "LL303"}
AREAS = {"performance", "reliability", "maintainability"}


def _check(cwd, *args: str):
    code, out, err = run_cli(["check", "--no-cache", *args], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return code, out


# -- 1. SARIF: security-severity and tags ---------------------------------------------------


def test_sarif_security_rules_carry_security_severity_and_cwe_tags(tmp_path):
    write(tmp_path, {"app.py": CREDENTIAL})
    _, out = _check(tmp_path, "--select", "LL101", "--format", "sarif", ".")
    log = json.loads(out)
    _assert_valid(log)
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
    assert ranked == ["LL101", "LL204", "LL202", "LL303", "LL203"]
