"""One JSON object; the keys of a finding are a contract other tools read."""

from __future__ import annotations

import json
from collections import Counter

from lambdalint import __version__
from lambdalint.redact import mask_result


def finding_dict(f) -> dict:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "suggestion": f.suggestion,
        "fixable": f.fixable,
    }


def summary(result) -> dict:
    counts = Counter(f.severity.value for f in result.findings)
    return {
        "files": result.files_checked,
        "findings": len(result.findings),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "notes": counts["note"],
        "fixable": sum(1 for f in result.findings if f.fixable),
        "fixed": result.fixed_count,
    }


def rule_statistics(result) -> list:
    """``--statistics``: findings per rule, most first (as the text format orders them);
    ``fixable`` counts the findings of the rule that ``--fix`` can fix, as the summary does."""
    counts = Counter((f.rule, f.name) for f in result.findings)
    fixable = Counter(f.rule for f in result.findings if f.fixable)
    return [{"id": rule, "name": name, "count": count, "fixable": fixable[rule]}
            for (rule, name), count in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]


def render(result, statistics: bool = False, **_) -> str:
    result = mask_result(result)  # no secret in any text field
    payload = {
        "version": __version__,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": summary(result),
    }
    if statistics:  # only when asked: without it the summary's keys stay as they were
        payload["summary"]["statistics"] = rule_statistics(result)
    return json.dumps(payload, indent=2) + "\n"
