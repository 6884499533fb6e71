"""What LL201 (the default timeout) and LL206 (a timeout the trigger cannot honour) both know:
the limits callers wait for, a queue's visibility timeout as a number, and where a function's
timeout is written in its own format (asked of its dialect)."""

from __future__ import annotations

from typing import Optional

from lambdalint.dialects import dialect_of
from lambdalint.model import EventSource, Function, Timeout
from lambdalint.rules._wording import indent

LAMBDA_DEFAULT_SECONDS = 3
# API Gateway's integration timeout: REST (and WebSocket) APIs 29 s, which a quota increase can
# raise for regional and private REST APIs; HTTP APIs 30 s, fixed. See lambda-facts.md.
API_GATEWAY_LIMIT_SECONDS = 29
HTTP_API_LIMIT_SECONDS = 30
# AWS asks for a queue visibility timeout of at least six times the function's timeout.
SQS_VISIBILITY_FACTOR = 6


def where_to_set(function: Function, seconds: int, own_first: bool = True) -> str:
    """``on Fn:`` and the line that sets the timeout to ``seconds`` in the function's format;
    then the shared place (Globals, provider), unless ``own_first`` is false."""
    dialect = dialect_of(function)
    own = "on " + function.name + ":\n" + indent(dialect.function_timeout(function, seconds))
    shared = dialect.shared_timeout(seconds)
    if shared is None or not own_first:
        return own
    return own + "\nor once for every function:\n" + indent(shared)


def visibility(event: EventSource) -> Optional[float]:
    """The literal visibility timeout of an SQS trigger's queue, when it is known."""
    value = event.visibility
    if event.kind != "sqs" or value is None or not value.literal:
        return None
    if isinstance(value.value, bool) or not isinstance(value.value, (int, float)):
        return None
    return value.value


def api_limit(event: EventSource, rest_limit: int = API_GATEWAY_LIMIT_SECONDS) -> int:
    """How long the API in front of the function waits: an HTTP API 30 s, REST and WebSocket
    APIs (and an API lambdalint cannot tell apart) ``rest_limit``."""
    return HTTP_API_LIMIT_SECONDS if event.http_api else rest_limit


def known_timeout(function: Function) -> Optional[Timeout]:
    """The function's timeout when lambdalint knows its number of seconds (written, resolved or
    the framework's default); None for one it cannot evaluate."""
    timeout = function.timeout
    if timeout is None or timeout.seconds is None or timeout.origin == "unknown":
        return None
    if isinstance(timeout.seconds, bool):
        return None
    return timeout
