"""What LL105 knows of the function's own timeout: which linked function waits least, how its
timeout reads in a message, a client timeout to suggest below it, and the seconds a timeout
argument spells (``timeout=(3.05, 27)``, ``Config(read_timeout=120)``, ``ClientTimeout(total=300)``).
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, List, Optional

import libcst as cst

from lambdalint.model import LinkedFunction

# botocore's defaults (botocore.config.Config): 60 s to connect and 60 s to read.
BOTOCORE_READ_TIMEOUT = 60
MAX_DEPTH = 3

Values = Callable[[str, cst.CSTNode], List[Optional[cst.BaseExpression]]]


def shortest(functions: Iterable[LinkedFunction]) -> Optional[LinkedFunction]:
    """The linked function with the shortest known timeout: the one a slow call hurts first."""
    known = [f for f in functions if f.timeout is not None]
    return min(known, key=lambda f: (f.timeout, f.path, f.line)) if known else None


def _seconds(value: float) -> str:
    return f"{value:g} s"


def describe(function: LinkedFunction) -> str:
    """``OrdersFunction times out after 10 s (template.yaml:9)``; a default says so."""
    where = f"{function.timeout_path or function.path}:{function.timeout_line or function.line}"
    if function.timeout_origin == "default":
        return (f"{function.name} times out after {_seconds(function.timeout or 0)} (the "
                f"default: no timeout is set, {where})")
    return f"{function.name} times out after {_seconds(function.timeout or 0)} ({where})"


def budget(timeout: float) -> tuple:
    """(connect, read) seconds to suggest for a call inside a function of ``timeout`` seconds:
    together at most two thirds of it, leaving time to handle the error and answer."""
    total = max(1.0, math.floor(timeout * 2 / 3))
    connect = min(3.05, max(0.5, round(total / 3, 2)))
    read = max(1, math.floor(total - connect))
    return connect, read


def numbers(expr: Optional[cst.BaseExpression], values: Values, where: cst.CSTNode,
            depth: int = 0) -> List[float]:
    """The seconds a timeout expression spells: a number, a tuple of numbers, a timeout object
    built with numbers (its positional and keyword arguments), or a name bound to one of these.
    Empty when nothing is a literal (a variable from the environment...)."""
    if expr is None or depth > MAX_DEPTH:
        return []
    if isinstance(expr, (cst.Integer, cst.Float)):
        return [float(expr.evaluated_value)]
    if isinstance(expr, cst.UnaryOperation) or isinstance(expr, cst.BinaryOperation):
        return []
    if isinstance(expr, cst.Tuple):
        return [n for e in expr.elements for n in numbers(e.value, values, where, depth + 1)]
    if isinstance(expr, cst.Call):
        return [n for a in expr.args if not a.star
                and (a.keyword is None or a.keyword.value in _TIMEOUT_KEYWORDS)
                for n in numbers(a.value, values, where, depth + 1)]
    if isinstance(expr, cst.Name):
        bound = values(expr.value, where)
        if not bound or any(v is None for v in bound):
            return []
        found = [numbers(v, values, v, depth + 1) for v in bound if v is not None]
        return found[0] if len(found) == 1 else []
    return []


# Keywords of timeout objects that are a duration (httpx.Timeout, urllib3.Timeout,
# aiohttp.ClientTimeout, botocore Config).
_TIMEOUT_KEYWORDS = frozenset({"timeout", "total", "connect", "read", "write", "pool",
                               "sock_read", "sock_connect", "read_timeout", "connect_timeout"})
