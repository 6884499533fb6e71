"""Small syntax questions the handler-code rules LL105-LL112 ask of LibCST nodes."""

from __future__ import annotations

from typing import Optional

import libcst as cst

_EMPTY = cst.Module([])


def last_name(func: cst.BaseExpression) -> str:
    """``get`` for ``requests.get`` and for ``get``; "" for anything else (a call, a subscript)."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def literal_string(expr: cst.BaseExpression) -> Optional[str]:
    """The text of a string literal (implicit concatenation included), None for anything else."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def short_code(node: cst.CSTNode, limit: int = 40) -> str:
    """The node's source, its end kept when longer than ``limit`` (the call's name is there)."""
    code = _EMPTY.code_for_node(node)
    return code if len(code) <= limit else "..." + code[-(limit - 3):]
