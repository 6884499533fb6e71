"""Values of a resolved service: located scalars into ``Value``, and the CloudFormation reader's
records made honest about variables it could not see.

``_Values`` is a mixin of ``_Service`` (package ``__init__``); the functions are the small
readers every part of the service reader uses.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from lambdalint.model import Function, IamStatement, Value
from lambdalint.sources.serverless.variables import _NUMBER, Unresolved, _has_variable
from lambdalint.sources.yamlload import YDict, YList, scalar_text


def _intrinsic(node: Any) -> bool:
    """A CloudFormation function or reference (``{"Ref": x}``, ``{"Fn::GetAtt": ...}``)."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")
                                      or key.startswith("!"))


def _field(mapping: Any, key: str) -> Tuple[Any, int, int]:
    """The value under ``key`` and the (line, column) it was written at."""
    if not isinstance(mapping, dict) or key not in mapping:
        return None, 0, 0
    line, column = mapping.pos(key) if isinstance(mapping, YDict) else (1, 1)
    return mapping[key], line, column


def _dict(node: Any) -> Dict[Any, Any]:
    return node if isinstance(node, dict) and not _intrinsic(node) else {}


def _plain(node: Any) -> Any:
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _number(value: Optional[Value]) -> Optional[float]:
    if value is None or not value.literal or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)):
        return value.value
    if isinstance(value.value, str) and _NUMBER.match(value.value.strip()):
        text = value.value.strip()
        return float(text) if "." in text else int(text)
    return None


def _max_line(node: Any, budget: List[int]) -> int:
    """The last line a (not yet resolved) value was written on."""
    budget[0] -= 1
    if budget[0] < 0:
        return 0
    best = getattr(node, "line", 0)
    if isinstance(node, dict):
        if isinstance(node, YDict):
            for line, _ in node.positions.values():
                best = max(best, line)
        for value in node.values():
            best = max(best, _max_line(value, budget))
    elif isinstance(node, list):
        if isinstance(node, YList):
            for line, _ in node.positions:
                best = max(best, line)
        for value in node:
            best = max(best, _max_line(value, budget))
    return best


def _logical_id(node: Any) -> Optional[str]:
    """The logical id a ``!GetAtt X.Arn`` or ``!Ref X`` names."""
    if isinstance(node, dict) and len(node) == 1:
        (key, inner), = node.items()
        if key == "Fn::GetAtt":
            if isinstance(inner, list) and inner and isinstance(inner[0], str):
                return str(inner[0])
            if isinstance(inner, str):
                return inner.split(".")[0]
        if key == "Ref" and isinstance(inner, str):
            return str(inner)
    return None


def _unresolve(value: Optional[Value]) -> Optional[Value]:
    """A Value read by the CloudFormation reader from a string with an unresolved Serverless
    variable (``${ssm:...}``) is not the literal it looks like."""
    if value is not None and value.literal and isinstance(value.value, str) \
            and "${" in value.value and _has_variable(value.value):
        value.literal = False
        value.value = None
    return value


def _unresolve_statement(statement: IamStatement) -> None:
    for values in (statement.actions, statement.not_actions, statement.resources,
                   statement.not_resources):
        for value in values:
            _unresolve(value)


def _unresolve_function(function: Function) -> None:
    for value in (function.runtime, function.handler, function.memory):
        _unresolve(value)
    for var in function.environment:
        _unresolve(var.value)
    for value in function.layers:
        _unresolve(value)
    for statement in function.statements:
        _unresolve_statement(statement)
    for policy in function.managed_policies:
        _unresolve(policy.name)
    for event in function.events:
        for detail in (event.visibility, event.batch_size, event.batching_window):
            if detail is not None:
                _unresolve(detail)


class _Values:
    """Values read at a place in the service (``self.path``), resolved variables shown as
    written with what they resolved to."""

    def value(self, node: Any, line: int, column: int) -> Optional[Value]:
        """A Value for a scalar (or a reference) written at ``line``/``column``."""
        if node is None:
            return None
        line = getattr(node, "line", line) or line or 1
        column = getattr(node, "column", column) or column or 1
        if isinstance(node, Unresolved):
            return Value(None, node.written, self.path, line, column, literal=False)
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Fn::Sub"), str) \
                and "${" not in node["Fn::Sub"].replace("${!", ""):
            node = node["Fn::Sub"]  # a !Sub with nothing to substitute is its text
        elif isinstance(node, (dict, list)):
            return Value(None, scalar_text(node), self.path, line, column, literal=False)
        plain = _plain(node)
        written = getattr(node, "written", None)
        if written is None:
            return Value(plain, scalar_text(plain), self.path, line, column)
        how = getattr(node, "how", "")
        shown = scalar_text(plain)
        if how == "default":
            text = f"{written} (default {shown})"
        elif how.startswith("from "):
            text = f"{written} ({shown}, {how})"
        else:
            text = f"{written} (= {shown})"
        return Value(plain, text, self.path, line, column)

    def field_value(self, mapping: Any, key: str) -> Optional[Value]:
        node, line, column = _field(mapping, key)
        return self.value(node, line, column)

    def values(self, node: Any, line: int, column: int) -> List[Value]:
        """A string or a list of them (Action, Resource...), one Value per item."""
        if isinstance(node, list):
            out = []
            for index, item in enumerate(node):
                item_line, item_column = node.pos(index) if isinstance(node, YList) else (line, column)
                value = self.value(item, item_line, item_column)
                if value is not None:
                    out.append(value)
            return out
        value = self.value(node, line, column)
        return [value] if value is not None else []
