"""LL211 async-failure-unhandled: a function invoked asynchronously whose failed events go
nowhere: after two retries Lambda drops them."""

from __future__ import annotations

from typing import Iterator, List, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import ASYNC_EVENT_KINDS, EventSource, Function, Project
from lambdalint.rules._failures import ASYNC_MAX_AGE_HOURS, ASYNC_RETRIES, trigger_name
from lambdalint.rules._wording import indent
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL211",
    name="async-failure-unhandled",
    severity="warning",
    summary="A function invoked asynchronously has no on-failure destination or dead-letter "
            "queue: failed events are dropped.",
    kind="config",
    options=(
        Option("ignore-triggers", "list", [],
               "Trigger kinds whose lost events the project accepts (s3, sns, eventbridge, "
               "schedule, iot, ses, logs, api for an asynchronous API integration)."),
    ),
    tags=("reliability",),
    reports="an asynchronously invoked function with no on-failure destination or DLQ",
    covers=("", "yes", "yes", "yes", "yes"),
)

WHY = (f"Lambda retries a failed asynchronous invocation {ASYNC_RETRIES} times and keeps an event "
       f"up to {ASYNC_MAX_AGE_HOURS} hours; then the event is dropped, with nothing but a log "
       "line to say it existed.")


def asynchronous(event: EventSource) -> bool:
    """A trigger whose service invokes the function asynchronously (InvocationType Event)."""
    return event.kind in ASYNC_EVENT_KINDS or (event.kind == "api" and event.asynchronous)


class AsyncFailureUnhandled(ConfigRule):
    """An S3 upload, an SNS message, an EventBridge event whose processing fails is lost after
    the retries, unless the function sends it to an on-failure destination or a dead-letter
    queue where someone can see it and replay it."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        ignored = {str(k).strip().lower() for k in self.options.get("ignore-triggers", [])}
        for function in project.functions:
            if function.ignores(self.ID) or function.async_config.handled():
                continue
            triggers = [e for e in function.events if asynchronous(e) and e.kind not in ignored]
            if triggers:
                yield self._report(function, triggers)

    def _report(self, function: Function, triggers: List[EventSource]) -> Optional[Finding]:
        kinds: List[str] = []
        for event in triggers:
            name = trigger_name(event.kind)
            if name not in kinds:
                kinds.append(name)
        by = " and ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
        retries = function.async_config.max_retries
        after = (f"after {retries.text} retries" if retries is not None
                 else f"after {ASYNC_RETRIES} retries")
        return self.finding(
            function, function.path, function.line, 1,
            f"{function.name} is invoked asynchronously by {by} but has neither an on-failure "
            f"destination nor a dead-letter queue: an event that still fails {after} is dropped",
            "Send failed events somewhere you can see and replay them:\n"
            f"{indent(dialect_of(function).async_failure_destination(function))}\n{WHY}",
        )


Rule = AsyncFailureUnhandled
