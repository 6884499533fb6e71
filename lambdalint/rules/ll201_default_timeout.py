"""LL201 default-timeout: functions left on the framework's default timeout, and timeouts their
event source cannot honour (API Gateway's 29 s, an SQS queue's visibility timeout)."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import EventSource, Function, Project, Timeout
from lambdalint.rules._wording import indent, names
from lambdalint.rules._wording import seconds as _seconds
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL201",
    name="default-timeout",
    severity="warning",
    summary="A function runs with the default timeout, or one its event source cannot honour.",
    kind="config",
    tags=("reliability",),
    reports="no timeout, the 3 s default, or a timeout the trigger cannot honour",
    covers=("", "yes", "yes", "yes", "yes"),
)

LAMBDA_DEFAULT_SECONDS = 3
API_GATEWAY_LIMIT_SECONDS = 29
HTTP_API_LIMIT_SECONDS = 30
SQS_VISIBILITY_FACTOR = 6
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


def _where_to_set(function: Function, seconds: int, own_first: bool = True) -> str:
    dialect = dialect_of(function)
    own = "on " + function.name + ":\n" + indent(dialect.function_timeout(function, seconds))
    shared = dialect.shared_timeout(seconds)
    if shared is None or not own_first:
        return own
    return own + "\nor once for every function:\n" + indent(shared)


class DefaultTimeout(ConfigRule):
    """A function that runs on the default timeout was never given one on purpose.

    Three seconds is too short for most work that calls another service (a cold start with a VPC
    or a database connection alone can take that), and a timeout that is longer than the caller
    waits (API Gateway) or than the queue hides a message (SQS) causes retries and duplicates.
    """

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        # One place that sets 3 s for several functions (SAM Globals, Serverless provider, a
        # parameter's default used in Globals) is one finding naming them all: one line to edit.
        at_three: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            timeout = function.timeout
            if timeout is None or timeout.seconds is None or timeout.origin == "unknown":
                continue
            if isinstance(timeout.seconds, bool):
                continue
            if timeout.origin == "default":
                yield self._no_timeout(function, timeout)
            elif timeout.seconds == LAMBDA_DEFAULT_SECONDS and not function.ignores(self.ID):
                at_three.setdefault((timeout.path, timeout.line), []).append(function)
            yield from self._check_event_sources(function, timeout)
        for functions in at_three.values():
            yield self._three_seconds(functions)

    # -- the default, and 3 s written down -------------------------------------------------------

    def _suggested(self, function: Function) -> int:
        if any(e.kind == "api" and not e.asynchronous for e in function.events):
            return API_SUGGESTION_SECONDS
        for event in function.events:
            visibility = _visibility(event)
            fits = None if visibility is None else int(visibility // SQS_VISIBILITY_FACTOR)
            if fits is not None and fits > LAMBDA_DEFAULT_SECONDS:
                return min(DEFAULT_SUGGESTION_SECONDS, fits)
        return DEFAULT_SUGGESTION_SECONDS

    def _no_timeout(self, function: Function, timeout: Timeout) -> Optional[Finding]:
        label = dialect_of(function).label
        seconds = self._suggested(function)
        return self.finding(
            function, function.path, function.line, 1,
            f"{function.name} sets no timeout, so it runs with the {label} default of "
            f"{_seconds(timeout.seconds)}",
            f"Set a timeout {_where_to_set(function, seconds)}\n{HOW_TO_CHOOSE}",
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
                f"Set a timeout {_where_to_set(first, seconds)}\n{HOW_TO_CHOOSE}"
        elif origin in ("parameter", "variable"):
            message = (f"{names(functions)} {'has' if len(functions) == 1 else 'have'} a "
                       f"{LAMBDA_DEFAULT_SECONDS} s timeout {_ORIGIN_WORDS[origin]}, {tail}")
            thing = ("the parameter's Default" if origin == "parameter"
                     else "that value where it is defined")
            suggestion = (f"Raise {thing} to fit the work, or set a timeout "
                          f"{_where_to_set(first, seconds, own_first=False)}\n{HOW_TO_CHOOSE}")
        else:
            has = "has its" if len(functions) == 1 else "have their"
            message = (f"{names(functions)} {has} timeout set to {LAMBDA_DEFAULT_SECONDS} s, "
                       f"{tail}")
            suggestion = (f"Set a timeout that fits the work "
                          f"{_where_to_set(first, seconds)}\n{HOW_TO_CHOOSE}")
        return self.finding(None, timeout.path, timeout.line, 1, message, suggestion)

    # -- what the trigger can wait for ------------------------------------------------------------

    def _check_event_sources(self, function: Function,
                             timeout: Timeout) -> Iterator[Optional[Finding]]:
        # Reported where the timeout is written (a shared Globals/provider value too: one finding
        # per function there, each naming its function); a default one at the function.
        if timeout.origin != "default":
            path, line = timeout.path, timeout.line
        else:
            path, line = function.path, function.line
        seconds = timeout.seconds
        synchronous_api = [e for e in function.events
                           if e.kind == "api" and not e.asynchronous]
        limit = min((_api_limit(e) for e in synchronous_api), default=None)
        if limit is not None and seconds > limit:
            http_only = all(_api_limit(e) == HTTP_API_LIMIT_SECONDS for e in synchronous_api)
            caller = "an API Gateway HTTP API" if http_only else "API Gateway"
            yield self.finding(
                function, path, line, 1,
                f"{function.name} has a {_seconds(seconds)} timeout but is called through "
                f"{caller}, which stops waiting after {limit} s: callers get a 504 while the "
                "function keeps running and billing",
                f"Lower the timeout to at most {limit} s "
                f"{_where_to_set(function, limit, own_first=False)}\n"
                "For longer work, accept the request, queue the job (SQS or Step Functions) and "
                "return 202.",
            )
        for event in function.events:
            visibility = _visibility(event)
            if visibility is None:
                continue
            needed = SQS_VISIBILITY_FACTOR * seconds
            if visibility >= needed:
                continue
            yield self.finding(
                function, path, line, 1,
                f"{function.name} has a {_seconds(seconds)} timeout but its SQS queue"
                f"{_queue_name(event)} hides messages for only {_seconds(visibility)}"
                f"{_visibility_origin(event)}; AWS asks for at least six times the function "
                f"timeout ({_seconds(needed)}), or a message becomes visible again while still "
                "in work and is processed twice",
                _sqs_suggestion(function, event, math.ceil(needed)),
            )


def _api_limit(event: EventSource) -> int:
    """How long the API in front of the function waits: an HTTP API up to 30 s, REST and
    WebSocket APIs (and an API lambdalint cannot tell apart) 29 s."""
    return HTTP_API_LIMIT_SECONDS if event.http_api else API_GATEWAY_LIMIT_SECONDS


def _visibility(event: EventSource) -> Optional[float]:
    """The literal visibility timeout of an SQS trigger's queue, when it is known."""
    value = event.visibility
    if event.kind != "sqs" or value is None or not value.literal:
        return None
    if isinstance(value.value, bool) or not isinstance(value.value, (int, float)):
        return None
    return value.value


def _queue_name(event: EventSource) -> str:
    return f" {event.queue}" if event.queue else ""


def _visibility_origin(event: EventSource) -> str:
    if event.visibility_defaulted:
        return " (the SQS default: the queue sets no visibility timeout)"
    return ""


def _sqs_suggestion(function: Function, event: EventSource, needed: int) -> str:
    value = event.visibility
    assert value is not None  # _visibility(event) found it
    line = dialect_of(function).queue_visibility(needed, value.path)
    if event.visibility_defaulted:
        first = (f"Give the queue at {value.path}:{value.line} a visibility timeout of at least "
                 f"{needed} s")
    else:
        first = (f"Raise the visibility timeout at {value.path}:{value.line} to at least "
                 f"{needed} s")
    visibility = _visibility(event) or 0
    lower = int(visibility // SQS_VISIBILITY_FACTOR)
    alternative = (f"\nor lower the function timeout to at most {lower} s." if lower >= 1
                   else "")
    return f"{first}:\n{indent(line)}{alternative}"


Rule = DefaultTimeout
