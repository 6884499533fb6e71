"""The one place that says which rules exist: id, name, default severity, and where the code is.

Rule implementations are named by dotted path and imported only when a run selects them, so
``lambdalint --version`` and a run over Python files alone never import the config parsers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from lambdalint.findings import Severity

DOCS_URL = "https://github.com/lambdalint/lambdalint/blob/main/rules/{id}.md"


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    severity: Severity
    summary: str
    fixable: bool
    implementation: str  # "module:Class"; "" for rules the engine itself reports (LL001)
    kind: str  # "python", "config" or "engine"
    # What the rule is about, for tools that group or rank findings (SARIF ``properties.tags``):
    # "security" plus its CWE ids as GitHub spells them ("external/cwe/cwe-798"), or the area
    # ("performance", "reliability", "maintainability").
    tags: Tuple[str, ...] = ()
    # Security rules only: a CVSS-like score "0.0".."10.0" as a string. GitHub code scanning
    # ranks and filters alerts by it (>= 9.0 critical, >= 7.0 high, >= 4.0 medium, else low);
    # empty for rules that are not about security, which GitHub then shows by level alone.
    security_severity: str = ""

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(id=self.id)

    def load(self) -> type:
        module_name, _, class_name = self.implementation.partition(":")
        return getattr(importlib.import_module(module_name), class_name)


def _rule(id, name, severity, summary, implementation, kind, fixable=False, tags=(),
          security_severity="") -> RuleInfo:
    return RuleInfo(id, name, Severity(severity), summary, fixable, implementation, kind,
                    tuple(tags), security_severity)


RULES: List[RuleInfo] = [
    _rule("LL001", "parse-error", "error",
          "A file could not be read or parsed; it was skipped.", "", "engine",
          tags=("reliability",)),
    _rule("LL101", "hardcoded-credential", "error",
          "A credential, password or key is written into the code.",
          "lambdalint.rules.credentials:HardcodedCredential", "python",
          tags=("security", "external/cwe/cwe-798"), security_severity="9.0"),
    _rule("LL102", "client-per-invocation", "warning",
          "An SDK or database client is created on every invocation instead of once per "
          "execution environment.",
          "lambdalint.rules.clients:ClientPerInvocation", "python", fixable=True,
          tags=("performance",)),
    _rule("LL103", "sync-lambda-invoke", "warning",
          "A Lambda function synchronously invokes another Lambda function.",
          "lambdalint.rules.invoke:SyncLambdaInvoke", "python",
          tags=("performance", "reliability")),
    _rule("LL201", "default-timeout", "warning",
          "A function runs with the default timeout, or one its event source cannot honour.",
          "lambdalint.rules.timeout:DefaultTimeout", "config",
          tags=("reliability",)),
    _rule("LL202", "wildcard-iam-action", "error",
          "A function's role allows every action of a service, or a full-access managed policy.",
          "lambdalint.rules.iam:WildcardIamAction", "config",
          tags=("security", "external/cwe/cwe-732", "external/cwe/cwe-269"),
          security_severity="8.0"),
    _rule("LL203", "wildcard-iam-resource", "warning",
          "A function's role grants resource-scoped actions on every resource.",
          "lambdalint.rules.iam:WildcardIamResource", "config",
          tags=("security", "external/cwe/cwe-732", "external/cwe/cwe-269"),
          security_severity="5.5"),
    _rule("LL204", "secret-in-environment", "error",
          "A function's environment variable holds a secret in plain text.",
          "lambdalint.rules.environment:SecretInEnvironment", "config",
          tags=("security", "external/cwe/cwe-798", "external/cwe/cwe-526"),
          security_severity="8.5"),
    _rule("LL205", "environment-too-large", "error",
          "A function's environment variables add up to more than Lambda's 4 KB.",
          "lambdalint.rules.envsize:EnvironmentTooLarge", "config",
          tags=("reliability",)),
    _rule("LL301", "package-size", "error",
          "A deployment package is over Lambda's size limits, or over the cold-start budget.",
          "lambdalint.rules.package:PackageSize", "config",
          tags=("performance", "reliability")),
    _rule("LL302", "bundled-junk", "warning",
          "A deployment ships tests, virtual environments, caches, dev tools or the AWS SDK.",
          "lambdalint.rules.package:BundledJunk", "config",
          tags=("performance", "maintainability")),
    _rule("LL303", "vulnerable-dependency", "error",
          "A pinned dependency has a published vulnerability (checked with --audit).",
          "lambdalint.rules.audit:VulnerableDependency", "config",
          tags=("security", "external/cwe/cwe-1395"),
          security_severity="7.5"),
    _rule("LL304", "unpinned-dependency", "note",
          "A deployment requirement has no exact version.",
          "lambdalint.rules.package:UnpinnedDependency", "config",
          tags=("reliability", "maintainability")),
]

_BY_ID: Dict[str, RuleInfo] = {r.id: r for r in RULES}
_BY_NAME: Dict[str, RuleInfo] = {r.name: r for r in RULES}


def get(id_or_name: str) -> Optional[RuleInfo]:
    key = id_or_name.strip()
    return _BY_ID.get(key.upper()) or _BY_NAME.get(key.lower())


def match(selector: str) -> List[RuleInfo]:
    """Rules a --select/--ignore entry means: an id, a name, an id prefix like ``LL1``, or ALL."""
    key = selector.strip()
    if key.upper() == "ALL":
        return list(RULES)
    rule = get(key)
    if rule is not None:
        return [rule]
    upper = key.upper()
    if upper.startswith("LL") and upper[2:].isdigit():
        return [r for r in RULES if r.id.startswith(upper)]
    return []


def is_known_selector(selector: str) -> bool:
    return bool(match(selector))


def ids(rules: Iterable[RuleInfo]) -> List[str]:
    return [r.id for r in rules]
