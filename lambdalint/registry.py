"""Which rules exist: every ``lambdalint/rules/llNNN_<name>.py`` module, by the META it declares.

A rule's facts are written once, in its module (see ``rules.meta``). The registry reads them from
the module's text and imports the module only when a run selects the rule, so ``lambdalint
--version``, ``lambdalint rules`` and a run over deployment configs alone never import LibCST.
Adding a rule adds a module; nothing here changes.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lambdalint.findings import Severity
from lambdalint.rules.meta import Option, RuleMeta

DOCS_URL = "https://github.com/lambdalint/lambdalint/blob/main/rules/{id}.md"


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the rest of lambdalint sees it: its META, and where its code is."""

    meta: RuleMeta
    module: str  # "lambdalint.rules.ll102_client_per_invocation"

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def severity(self) -> Severity:
        return Severity(self.meta.severity)

    @property
    def summary(self) -> str:
        return self.meta.summary

    @property
    def fixable(self) -> bool:
        return self.meta.fixable

    @property
    def kind(self) -> str:
        return self.meta.kind

    @property
    def tags(self) -> Tuple[str, ...]:
        return self.meta.tags

    @property
    def security_severity(self) -> str:
        return self.meta.security_severity

    @property
    def options(self) -> Tuple[Option, ...]:
        return self.meta.options

    @property
    def implementation(self) -> str:
        """"module:Rule"; "" for rules the engine itself reports (LL001)."""
        return "" if self.meta.kind == "engine" else f"{self.module}:Rule"

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(id=self.id)

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), "Rule")


# A rule module's META statement: from ``META = RuleMeta(`` to the first ``)`` at column 0.
_META_STATEMENT = re.compile(r"^META = RuleMeta\(.*?^\)", re.MULTILINE | re.DOTALL)
_MODULE_NAME = re.compile(r"^ll\d{3}_\w+\.py$")


def _literal(node: ast.expr) -> Any:
    """A META value: a literal, or an ``Option(...)`` call of literals (inside tuples)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Option":
        return Option(*[_literal(a) for a in node.args],
                      **{k.arg: _literal(k.value) for k in node.keywords if k.arg})
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    return ast.literal_eval(node)


def read_meta(text: str, where: str) -> RuleMeta:
    """The META a rule module's text declares, without importing the module."""
    found = _META_STATEMENT.search(text)
    if found is None:
        raise RuntimeError(f"{where}: no 'META = RuleMeta(...)' ending with ')' at column 0")
    call = ast.parse(found.group(0)).body[0].value  # type: ignore[attr-defined]
    return RuleMeta(*[_literal(a) for a in call.args],
                    **{k.arg: _literal(k.value) for k in call.keywords if k.arg})


def _scan() -> List[RuleInfo]:
    """Every ``rules/llNNN_*.py`` module's META, sorted by id."""
    # os.listdir, not importlib.resources: that import alone costs more than the scan.
    package = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")
    found = []
    for name in os.listdir(package):
        if _MODULE_NAME.match(name):
            with open(os.path.join(package, name), encoding="utf-8") as handle:
                meta = read_meta(handle.read(), name)
            found.append(RuleInfo(meta, f"lambdalint.rules.{name[:-3]}"))
    return sorted(found, key=lambda info: info.id)


RULES: List[RuleInfo] = _scan()

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
