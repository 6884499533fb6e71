"""What the wildcard IAM rules (LL202, LL203) share: each Allow statement once, with the
functions that run with it, and how an action or value reads.

A statement or managed policy can be attached to several functions (one role, many functions):
it is reported once, at its own lines, naming every function that runs with it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import List, Tuple

from lambdalint.model import Function, Project, Value

Location = Tuple[str, int, int]
Shared = "OrderedDict[Location, Tuple[IamStatement, List[Function]]]"


def text(value: Value) -> str:
    """The value as written: its literal, or the text of a reference."""
    return str(value.value) if value.literal and value.value is not None else value.text


def service(action: str) -> str:
    """``s3`` of ``s3:GetObject`` (lower-case); empty for a name without a service."""
    return action.split(":", 1)[0].strip().lower() if ":" in action else ""


def statements(project: Project, rule_id: str, deny: bool = False) -> Shared:
    """Each Allow statement (and Deny statement, with ``deny``) once, with the functions that
    run with it and do not silence ``rule_id``; a statement every function of which silences
    the rule is left out."""
    found: Shared = OrderedDict()
    for function in project.functions:
        for statement in function.statements:
            if not deny and statement.effect.strip().lower() == "deny":
                continue
            key = (statement.path, statement.line, statement.column)
            if key not in found:
                found[key] = (statement, [])
            if not function.ignores(rule_id) and not last_is(found[key][1], function):
                found[key][1].append(function)
    return OrderedDict((k, v) for k, v in found.items() if v[1])


def last_is(functions: List[Function], function: Function) -> bool:
    """Whether ``function`` was just added: the functions are walked one at a time, so a
    statement listed twice for one function repeats it at the end (O(1), unlike ``in``)."""
    return bool(functions) and functions[-1] is function
