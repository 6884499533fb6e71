"""LL201 default-timeout: functions left on the framework's default timeout, or on 3 s written
down. A timeout the trigger cannot honour is LL206's."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, Project, Timeout
from lambdalint.rules._timeouts import (LAMBDA_DEFAULT_SECONDS, SQS_VISIBILITY_FACTOR,
                                        known_timeout, visibility, where_to_set)
from lambdalint.rules._wording import indent, names
from lambdalint.rules._wording import seconds as _seconds
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL201",
    name="default-timeout",
    severity="warning",
    summary="A function runs with the default timeout of 3 s.",
    kind="config",
    tags=("reliability",),
    reports="no timeout, or the 3 s default written down",
    covers=("", "yes", "yes", "yes", "yes"),
)

DEFAULT_SUGGESTION_SECONDS = 30
API_SUGGESTION_SECONDS = 10

HOW_TO_CHOOSE = ("Choose the longest time the work should take at its slowest (its p99 plus "
                 "headroom), below what the caller waits for.")

# Where a non-default timeout was written, as the message says it.
_ORIGIN_WORDS = {
    "globals": "set once in Globals",
    "provider": "set once under provider",
    "parameter": "taken from a parameter's default",
    "variable": "taken from a variable or constant",
}


class DefaultTimeout(ConfigRule):
    """A function that runs on the default timeout was never given one on purpose.

    Three seconds is too short for most work that calls another service (a cold start with a VPC
    or a database connection alone can take that).
    """

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        # One place that sets 3 s for several functions (SAM Globals, Serverless provider, a
        # parameter's default used in Globals) is one finding naming them all: one line to edit.
        at_three: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            timeout = known_timeout(function)
            if timeout is None:
                continue
            if timeout.origin == "default":
                yield self._no_timeout(function, timeout)
            elif timeout.seconds == LAMBDA_DEFAULT_SECONDS and not function.ignores(self.ID):
                at_three.setdefault((timeout.path, timeout.line), []).append(function)
        for functions in at_three.values():
            yield self._three_seconds(functions)

    # -- the default, and 3 s written down -------------------------------------------------------

    def _suggested(self, function: Function) -> int:
        if any(e.kind == "api" and not e.asynchronous for e in function.events):
            return API_SUGGESTION_SECONDS
        for event in function.events:
            hidden = visibility(event)
            fits = None if hidden is None else int(hidden // SQS_VISIBILITY_FACTOR)
            if fits is not None and fits > LAMBDA_DEFAULT_SECONDS:
                return min(DEFAULT_SUGGESTION_SECONDS, fits)
        return DEFAULT_SUGGESTION_SECONDS

    def _no_timeout(self, function: Function, timeout: Timeout) -> Optional[Finding]:
        label = dialect_of(function).label
        seconds = self._suggested(function)
        return self.finding(
            function, function.path, function.line, function.column,
            f"{function.name} sets no timeout, so it runs with the {label} default of "
            f"{_seconds(timeout.seconds)}",
            f"Set a timeout {where_to_set(function, seconds)}\n{HOW_TO_CHOOSE}",
        )

    def _three_seconds(self, functions: List[Function]) -> Optional[Finding]:
        first = functions[0]
        timeout = first.timeout
        seconds = min(self._suggested(f) for f in functions)
        origin = timeout.origin
        tail = "the Lambda default, which leaves no room for a cold start or a slow dependency"
        if origin in ("globals", "provider"):
            verb = "runs" if len(functions) == 1 else "run"
            message = (f"{names(functions)} {verb} with a {LAMBDA_DEFAULT_SECONDS} s timeout "
                       f"{_ORIGIN_WORDS[origin]}, {tail}")
            shared = dialect_of(first).shared_timeout(seconds)
            where = ("in Globals" if origin == "globals" else "under provider")
            suggestion = (f"Raise it {where}:\n{indent(shared)}\n"
                          "or give a function that needs another value its own timeout.\n"
                          f"{HOW_TO_CHOOSE}") if shared else \
                f"Set a timeout {where_to_set(first, seconds)}\n{HOW_TO_CHOOSE}"
        elif origin in ("parameter", "variable"):
            message = (f"{names(functions)} {'has' if len(functions) == 1 else 'have'} a "
                       f"{LAMBDA_DEFAULT_SECONDS} s timeout {_ORIGIN_WORDS[origin]}, {tail}")
            thing = ("the parameter's Default" if origin == "parameter"
                     else "that value where it is defined")
            suggestion = (f"Raise {thing} to fit the work, or set a timeout "
                          f"{where_to_set(first, seconds, own_first=False)}\n{HOW_TO_CHOOSE}")
        else:
            has = "has its" if len(functions) == 1 else "have their"
            message = (f"{names(functions)} {has} timeout set to {LAMBDA_DEFAULT_SECONDS} s, "
                       f"{tail}")
            suggestion = (f"Set a timeout that fits the work "
                          f"{where_to_set(first, seconds)}\n{HOW_TO_CHOOSE}")
        return self.finding(None, timeout.path, timeout.line, timeout.column, message, suggestion)


Rule = DefaultTimeout
