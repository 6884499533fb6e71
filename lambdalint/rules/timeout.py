"""LL201 default-timeout: functions left on the framework's default timeout, and timeouts their
event source cannot honour (API Gateway's 29 s, an SQS queue's visibility timeout)."""

from __future__ import annotations

from typing import Iterator, Optional

from lambdalint.findings import Finding
from lambdalint.model import (
    CDK,
    CLOUDFORMATION,
    FORMAT_LABELS,
    SAM,
    SERVERLESS,
    TERRAFORM,
    Function,
    Project,
    Value,
)
from lambdalint.rules.base import ConfigRule

LAMBDA_DEFAULT_SECONDS = 3
API_GATEWAY_LIMIT_SECONDS = 29
SQS_VISIBILITY_FACTOR = 6


def _seconds(value: float) -> str:
    return f"{value:g} s"


def setting(function: Function, seconds: int) -> str:
    """The exact text that sets ``seconds`` in the function's own format."""
    fmt = function.format
    if fmt in (SAM, CLOUDFORMATION):
        return (f"under Properties of {function.name}:\n    Timeout: {seconds}"
                + ("\n(or once for every function, in Globals:\n  Function:\n    Timeout: "
                   f"{seconds})" if fmt == SAM else ""))
    if fmt == SERVERLESS:
        return (f"under the function {function.name}:\n    timeout: {seconds}\n"
                f"(or once for every function, under provider:\n    timeout: {seconds})")
    if fmt == TERRAFORM:
        return f"in {function.name}:\n    timeout = {seconds}"
    if fmt == CDK:
        return f"to the {function.name} construct:\n    timeout=Duration.seconds({seconds}),"
    return f"a timeout of {seconds} seconds"


class DefaultTimeout(ConfigRule):
    """A function that runs on the default timeout was never given one on purpose.

    Three seconds is too short for most work that calls another service (a cold start with a VPC
    or a database connection alone can take that), and a timeout that is longer than the caller
    waits (API Gateway) or than the queue hides a message (SQS) causes retries and duplicates.
    """

    ID = "LL201"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        # A 3 s timeout set once (SAM Globals, Serverless provider) is one finding, not one per
        # function: the user edits one line.
        shared = {}
        for function in project.functions:
            for finding in self._check_function(function):
                if finding is None:
                    continue
                key = (finding.path, finding.line, finding.message.split(" has ", 1)[-1])
                if function.timeout is not None and function.timeout.origin in ("globals", "provider") \
                        and finding.line == function.timeout.line:
                    if key in shared:
                        continue
                    shared[key] = finding
                yield finding

    def _suggested(self, function: Function) -> int:
        kinds = {e.kind for e in function.events}
        if "api" in kinds:
            return 10
        for event in function.events:
            visibility = event.details.get("visibility_timeout")
            if event.kind == "sqs" and isinstance(visibility, Value) and visibility.literal \
                    and isinstance(visibility.value, (int, float)) and visibility.value >= 6:
                return max(1, min(30, int(visibility.value) // SQS_VISIBILITY_FACTOR))
        return 30

    def _check_function(self, function: Function) -> Iterator[Optional[Finding]]:
        timeout = function.timeout
        if timeout is None or timeout.seconds is None or timeout.origin == "unknown":
            return
        label = FORMAT_LABELS.get(function.format, function.format)
        seconds = self._suggested(function)
        how = ("Choose the longest time the work should take at its slowest (its p99 plus "
               "headroom), below what the caller waits for.")
        if timeout.origin == "default":
            yield self.finding(
                function, function.path, function.line, 1,
                f"{function.name} sets no timeout, so it runs with the {label} default of "
                f"{_seconds(timeout.seconds)}",
                f"Set a timeout {setting(function, seconds)}\n{how}",
            )
        elif timeout.seconds == LAMBDA_DEFAULT_SECONDS:
            yield self.finding(
                function, timeout.path, timeout.line, 1,
                f"{function.name} has its timeout set to {LAMBDA_DEFAULT_SECONDS} s, the Lambda "
                "default, which leaves no room for a cold start or a slow dependency",
                f"Set a timeout that fits the work {setting(function, seconds)}\n{how}",
            )
        yield from self._check_event_sources(function)

    def _check_event_sources(self, function: Function) -> Iterator[Optional[Finding]]:
        timeout = function.timeout
        where = (timeout.path, timeout.line) if timeout.origin != "default" else (function.path, function.line)
        synchronous_api = [e for e in function.events
                           if e.kind == "api" and not e.details.get("async")]
        if synchronous_api and timeout.seconds > API_GATEWAY_LIMIT_SECONDS:
            yield self.finding(
                function, where[0], where[1], 1,
                f"{function.name} has a {_seconds(timeout.seconds)} timeout but is called through "
                f"API Gateway, which stops waiting after {API_GATEWAY_LIMIT_SECONDS} s: callers get "
                "a 504 while the function keeps running and billing",
                f"Lower the timeout to at most {API_GATEWAY_LIMIT_SECONDS} s "
                f"{setting(function, min(API_GATEWAY_LIMIT_SECONDS, 29))}\nFor longer work, "
                "accept the request, queue the job, and return 202 (SQS or Step Functions).",
            )
        for event in function.events:
            visibility = event.details.get("visibility_timeout")
            if event.kind != "sqs" or not isinstance(visibility, Value) or not visibility.literal:
                continue
            if not isinstance(visibility.value, (int, float)) or isinstance(visibility.value, bool):
                continue
            needed = SQS_VISIBILITY_FACTOR * timeout.seconds
            if visibility.value < needed:
                yield self.finding(
                    function, where[0], where[1], 1,
                    f"{function.name} has a {_seconds(timeout.seconds)} timeout but its SQS queue "
                    f"hides messages for only {_seconds(visibility.value)} "
                    f"({visibility.text}); AWS asks for at least six times the function timeout "
                    f"({_seconds(needed)}), or messages are delivered again while still in work",
                    f"Raise the queue's visibility timeout to at least {needed:g} seconds "
                    f"(at {visibility.path}:{visibility.line}), or lower the function timeout.",
                )
