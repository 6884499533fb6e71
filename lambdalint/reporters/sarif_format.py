"""SARIF 2.1.0 for GitHub code scanning, with fixes as SARIF ``fixes``."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from urllib.parse import quote

from lambdalint import __version__, docs, registry
from lambdalint.redact import mask_result

LEVELS = {"error": "error", "warning": "warning", "note": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/lambdalint/lambdalint"


def _rule_descriptor(rule: registry.RuleInfo) -> dict:
    text = docs.page(rule.id) or ""
    parts = docs.sections(text)
    full = parts.get("What it does", rule.summary)
    why = parts.get("Why is this bad?") or parts.get("Why is this bad") or ""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": (full + ("\n\n" + why if why else "")).strip()},
        "help": {"text": text or rule.summary, "markdown": text or rule.summary},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": _properties(rule),
    }


def _properties(rule: registry.RuleInfo) -> dict:
    """The rule's tags (and, for a security rule, its ``security-severity``) from the registry:
    GitHub code scanning files an alert under Security when the rule is tagged "security",
    ranks it by ``security-severity``, and links the ``external/cwe/cwe-N`` tags."""
    properties = {"tags": [*rule.tags, "aws-lambda", rule.kind], "fixable": rule.fixable}
    if rule.security_severity:
        properties["security-severity"] = rule.security_severity
    return properties


def _region(line, column, end_line, end_column) -> dict:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _stable_message(message: str) -> str:
    """The message without its numbers: a parser's "error at 12:4" moves with the code."""
    return re.sub(r"\d+", "0", message)


def _fingerprint(f, occurrence: int) -> str:
    """Stable across commits: no positions, only what the finding is about and in which file.

    ``occurrence`` tells apart the same finding repeated in one file (counted top to bottom).
    """
    key = f"{f.rule}\0{f.path}\0{_stable_message(f.message)}\0{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render(result, **_) -> str:
    """The SARIF log, every text of a finding masked (``redact``); the fingerprints hash the
    masked message too, so not even a hash of a secret leaves the process.

    A fix whose replacement text held a secret (``Fix.masked``) is left out of the log: with
    the secret masked it is no longer the real change, and a consumer that applies SARIF fixes
    would write ``****`` into the code. Such a finding keeps its message and suggestion, and
    ``lambdalint check --fix`` still applies the real fix to the user's own file.
    """
    result = mask_result(result)
    rules = list(registry.RULES)
    index = {r.id: i for i, r in enumerate(rules)}
    seen = Counter()
    results = []
    for f in result.findings:
        identity = (f.rule, f.path, _stable_message(f.message))
        seen[identity] += 1
        item = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS[f.severity.value],
            "message": {"text": f.message + (f"\n\nSuggestion: {f.suggestion}" if f.suggestion else "")},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
                    "region": _region(f.line, f.column, f.end_line, f.end_column),
                }
            }],
            "partialFingerprints": {"lambdalint/v1": _fingerprint(f, seen[identity])},
        }
        if f.fix is not None and not f.fix.masked:
            item["fixes"] = [{
                "description": {"text": f.fix.description},
                "artifactChanges": [{
                    "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [{
                        "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                        "insertedContent": {"text": e.text},
                    } for e in f.fix.edits],
                }],
            }]
        results.append(item)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lambdalint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule_descriptor(r) for r in rules],
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(log, indent=2) + "\n"
