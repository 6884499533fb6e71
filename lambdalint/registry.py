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
from typing import Any, Dict, Iterable, List, Optional

from lambdalint.findings import Severity
from lambdalint.rules.meta import Option, RuleMeta

DOCS_URL = "https://github.com/lambdalint/lambdalint/blob/main/rules/{id}.md"


def _from_meta(name: str) -> property:
    """A RuleInfo attribute that is its META's field of the same name."""
    return property(lambda self: getattr(self.meta, name), doc=f"META.{name}")


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the rest of lambdalint sees it: its META, and where its code is."""

    meta: RuleMeta
    module: str  # "lambdalint.rules.ll102_client_per_invocation"

    id = _from_meta("id")
    name = _from_meta("name")
    summary = _from_meta("summary")
    fixable = _from_meta("fixable")
    kind = _from_meta("kind")
    tags = _from_meta("tags")
    security_severity = _from_meta("security_severity")
    options = _from_meta("options")
    network = _from_meta("network")

    @property
    def severity(self) -> Severity:
        return Severity(self.meta.severity)

    @property
    def implementation(self) -> str:
        """"module:Rule"; "" for rules the engine itself reports (LL001)."""
        return "" if self.meta.kind == "engine" else f"{self.module}:Rule"

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(id=self.id)

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), "Rule")

    @property
    def checks_code(self) -> bool:
        """Runs on handler code: a code rule, or a config rule with a part on code."""
        return self.meta.kind == "python" or bool(self.meta.code_part)

    @property
    def checks_config(self) -> bool:
        return self.meta.kind == "config"

    @property
    def code_module(self) -> str:
        """The module of the rule's visitor on handler code ("" for a rule without one)."""
        if self.meta.kind == "python":
            return self.module
        if self.meta.code_part:
            return f"{self.module.rpartition('.')[0]}.{self.meta.code_part}"
        return ""

    def load_code(self) -> type:
        """The ``PythonRule`` class of the rule's part on handler code."""
        return getattr(importlib.import_module(self.code_module), "Rule")

    def preflight(self, options: Dict[str, Any]) -> Optional[str]:
        """Why a rule that asks a service (META.network) cannot run with these options, from its
        module's ``preflight(options)``; None when it can, or when the module has no such check.
        Imports the rule's module: call it only for a rule the run will use."""
        check = getattr(importlib.import_module(self.module), "preflight", None)
        return check(options) if check is not None else None


# A rule module's META statement: from ``META = RuleMeta(`` to the first ``)`` at column 0.
_META_STATEMENT = re.compile(r"^META = RuleMeta\(.*?^\)", re.MULTILINE | re.DOTALL)
_MODULE_NAME = re.compile(r"^ll\d{3}_\w+\.py$")


def _literal(node: ast.expr) -> Any:
    """A META value: a literal, or an ``Option(...)`` call of literals (inside tuples).

    The common shapes are converted here directly (``ast.literal_eval`` per value costs more
    than the parse at start-up); anything else goes to ``literal_eval``, which refuses what is
    not a literal."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_literal(e) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Option":
        return _called(Option, node)
    return ast.literal_eval(node)


def _called(make: type, call: ast.Call) -> Any:
    """``make(...)`` with the call's literal arguments."""
    return make(*[_literal(a) for a in call.args],
                **{k.arg: _literal(k.value) for k in call.keywords if k.arg})


def _statement(text: str, where: str) -> str:
    found = _META_STATEMENT.search(text)
    if found is None:
        raise RuntimeError(f"{where}: no 'META = RuleMeta(...)' ending with ')' at column 0")
    return found.group(0)


def read_meta(text: str, where: str) -> RuleMeta:
    """The META a rule module's text declares, without importing the module."""
    call = ast.parse(_statement(text, where)).body[0].value  # type: ignore[attr-defined]
    return _called(RuleMeta, call)


def _scan() -> List[RuleInfo]:
    """Every ``rules/llNNN_*.py`` module's META, sorted by id.

    Every start pays for this (``lambdalint rules``, config validation), so the META statements
    are parsed together, in one ``ast.parse``, and nothing is imported."""
    # os.listdir, not importlib.resources: that import alone costs more than the scan.
    package = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")
    names = sorted(name for name in os.listdir(package) if _MODULE_NAME.match(name))
    statements = []
    for name in names:
        with open(os.path.join(package, name), encoding="utf-8") as handle:
            statements.append(_statement(handle.read(), name))
    try:
        calls = [statement.value for statement in ast.parse("\n".join(statements)).body]
    except SyntaxError:
        calls = []
    if len(calls) != len(names):  # a broken META: parse them one by one, to name its module
        calls = [ast.parse(text, name).body[0].value for name, text in zip(names, statements)]
    found = [RuleInfo(_called(RuleMeta, call), f"lambdalint.rules.{name[:-3]}")
             for name, call in zip(names, calls)]
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


def network_rules() -> List[RuleInfo]:
    """The rules that ask a service over the network (META.network): they run only with --audit."""
    return [r for r in RULES if r.network]


def ids(rules: Iterable[RuleInfo]) -> List[str]:
    return [r.id for r in rules]
