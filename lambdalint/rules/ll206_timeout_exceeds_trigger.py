"""LL206 timeout-exceeds-trigger: a timeout the function's event source cannot honour.

API Gateway stops waiting after 29 s (REST, WebSocket) or 30 s (HTTP APIs) and answers 504 while
the function runs on; an SQS queue that hides a message for less than six times the function's
timeout shows it again while it is still being processed, and it is processed twice.
"""

from __future__ import annotations

import math
from typing import Iterator, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import EventSource, Function, Project, Timeout
from lambdalint.rules._timeouts import (API_GATEWAY_LIMIT_SECONDS, SQS_VISIBILITY_FACTOR,
                                        api_limit, known_timeout, visibility,
                                        where_to_set)
from lambdalint.rules._wording import indent
from lambdalint.rules._wording import seconds as _seconds
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL206",
    name="timeout-exceeds-trigger",
    severity="warning",
    summary="A function's timeout is longer than its trigger can wait or hide a message.",
    kind="config",
    options=(
        Option("api-gateway-limit", "int", 29,
               "seconds a REST or WebSocket API waits for the function; raise it only if your "
               "account's integration-timeout quota was raised (REST APIs)"),
        Option("sqs-visibility-factor", "int", 6,
               "how many times the function timeout an SQS queue must hide a message"),
    ),
    tags=("reliability",),
    reports="a timeout longer than API Gateway waits or than the SQS queue hides a message",
    covers=("", "yes", "yes", "yes", "yes"),
)


class TimeoutExceedsTrigger(ConfigRule):
    """Each function's timeout against what its triggers wait for (APIs) or allow (SQS).

    Reported where the timeout is written (a shared Globals/provider value too: one finding per
    function there, each naming its function); a default timeout at the function.
    """

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        rest_limit = int(self.options.get("api-gateway-limit", API_GATEWAY_LIMIT_SECONDS))
        factor = int(self.options.get("sqs-visibility-factor", SQS_VISIBILITY_FACTOR))
        for function in project.functions:
            timeout = known_timeout(function)
            if timeout is None:
                continue
            yield self._api(function, timeout, rest_limit)
            for event in function.events:
                yield self._queue(function, timeout, event, factor)

    @staticmethod
    def _where(function: Function, timeout: Timeout):
        if timeout.origin != "default":
            return timeout.path, timeout.line, timeout.column
        return function.path, function.line, function.column

    def _api(self, function: Function, timeout: Timeout, rest_limit: int) -> Optional[Finding]:
        seconds = timeout.seconds
        synchronous = [e for e in function.events if e.kind == "api" and not e.asynchronous]
        limit = min((api_limit(e, rest_limit) for e in synchronous), default=None)
        if limit is None or seconds <= limit:
            return None
        http_only = all(e.http_api for e in synchronous)
        caller = "an API Gateway HTTP API" if http_only else "API Gateway"
        path, line, column = self._where(function, timeout)
        raised = ("" if http_only else
                  "\nIf your account's REST API integration timeout was raised by a quota "
                  "increase, set the rule's `api-gateway-limit` option to it.")
        return self.finding(
            function, path, line, column,
            f"{function.name} has a {_seconds(seconds)} timeout but is called through "
            f"{caller}, which stops waiting after {limit} s: callers get a 504 while the "
            "function keeps running and billing",
            f"Lower the timeout to at most {limit} s "
            f"{where_to_set(function, limit, own_first=False)}\n"
            "For longer work, accept the request, queue the job (SQS or Step Functions) and "
            f"return 202.{raised}",
        )

    def _queue(self, function: Function, timeout: Timeout, event: EventSource,
               factor: int) -> Optional[Finding]:
        hidden = visibility(event)
        if hidden is None:
            return None
        seconds = timeout.seconds
        needed = factor * seconds
        if hidden >= needed:
            return None
        path, line, column = self._where(function, timeout)
        times = "six" if factor == SQS_VISIBILITY_FACTOR else str(factor)
        who = "AWS asks for" if factor == SQS_VISIBILITY_FACTOR else "the project asks for"
        return self.finding(
            function, path, line, column,
            f"{function.name} has a {_seconds(seconds)} timeout but its SQS queue"
            f"{_queue_name(event)} hides messages for only {_seconds(hidden)}"
            f"{_visibility_origin(event)}; {who} at least {times} times the function "
            f"timeout ({_seconds(needed)}), or a message becomes visible again while still "
            "in work and is processed twice",
            _sqs_suggestion(function, event, math.ceil(needed), factor),
        )


def _queue_name(event: EventSource) -> str:
    return f" {event.queue}" if event.queue else ""


def _visibility_origin(event: EventSource) -> str:
    if event.visibility_defaulted:
        return " (the SQS default: the queue sets no visibility timeout)"
    return ""


def _sqs_suggestion(function: Function, event: EventSource, needed: int, factor: int) -> str:
    value = event.visibility
    assert value is not None  # visibility(event) found it
    line = dialect_of(function).queue_visibility(needed, value.path)
    if event.visibility_defaulted:
        first = (f"Give the queue at {value.path}:{value.line} a visibility timeout of at least "
                 f"{needed} s")
    else:
        first = (f"Raise the visibility timeout at {value.path}:{value.line} to at least "
                 f"{needed} s")
    lower = int((visibility(event) or 0) // factor)
    alternative = (f"\nor lower the function timeout to at most {lower} s." if lower >= 1
                   else "")
    return f"{first}:\n{indent(line)}{alternative}"


Rule = TimeoutExceedsTrigger
