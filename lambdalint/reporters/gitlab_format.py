"""GitLab Code Quality: the JSON array GitLab reads from a job's ``codequality`` report artifact.

Each finding is one issue, ``{description, check_name, fingerprint, severity, location: {path,
lines: {begin}}}``, the subset of the Code Climate issue format GitLab documents. GitLab shows
the issues in the merge request widget and compares them with the target branch's report by
``fingerprint``: an issue whose fingerprint is in both is neither new nor fixed. So the
fingerprint is SARIF's (``sarif_format._fingerprint``): no line or column, which change when
code above moves, and an occurrence count, because GitLab shows only one issue per fingerprint.
Texts are masked (``redact``) before anything is hashed or printed.
"""

from __future__ import annotations

import json
from collections import Counter

from lambdalint import registry
from lambdalint.redact import mask_result
from lambdalint.reporters.sarif_format import _fingerprint, _stable_message

# GitLab's scale is info, minor, major, critical, blocker. An error is "major", or "critical"
# for a security rule (a credential in the code, an IAM wildcard...); "blocker" is left to the
# reviewer, since no static finding stops a deployment by itself.
SEVERITIES = {"error": "major", "warning": "minor", "note": "info"}


def _severity(f) -> str:
    rule = registry.get(f.rule)
    if f.severity.value == "error" and rule is not None and "security" in rule.tags:
        return "critical"
    return SEVERITIES[f.severity.value]


def issue(f, occurrence: int) -> dict:
    """One Code Quality issue; ``occurrence`` counts the same finding within a file."""
    return {
        # as the text format shows it: the widget lists descriptions, not check names
        "description": f"{f.rule} [{f.name}] {f.message}",
        "check_name": f.rule,
        "fingerprint": _fingerprint(f, occurrence),
        "severity": _severity(f),
        "location": {"path": f.path, "lines": {"begin": f.line}},
    }


def render(result, **_) -> str:
    result = mask_result(result)
    seen = Counter()
    issues = []
    for f in result.findings:
        identity = (f.rule, f.path, _stable_message(f.message))
        seen[identity] += 1
        issues.append(issue(f, seen[identity]))
    return json.dumps(issues, indent=2) + "\n"
