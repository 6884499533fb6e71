"""LL212 stream-failure-unhandled: a Kinesis, DynamoDB Streams or Kafka mapping whose failing
batch blocks its shard (partition) or is dropped, and an SQS queue whose poison message is
retried until the queue's retention ends."""

from __future__ import annotations

from typing import Iterator, List, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import STREAM_EVENT_KINDS, EventSource, Function, Project, Value
from lambdalint.rules._failures import trigger_name
from lambdalint.rules._wording import indent
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL212",
    name="stream-failure-unhandled",
    severity="warning",
    summary="A stream or Kafka mapping without an on-failure destination or retry bounds, or "
            "an SQS queue without a redrive policy: one bad record blocks or loops.",
    kind="config",
    options=(
        Option("require-destination", "bool", True,
               "Report a Kinesis/DynamoDB/Kafka mapping without an on-failure destination even "
               "when its retries are bounded (records past the bounds are then dropped)."),
        Option("check-sqs", "bool", True,
               "Report an SQS queue defined in the project that feeds a function and has no "
               "redrive policy."),
    ),
    tags=("reliability",),
    reports="a stream or Kafka mapping without on-failure destination or retry bounds; an SQS "
            "trigger queue without redrive policy",
    covers=("", "yes", "yes", "yes", "yes"),
)

STREAM_WHY = ("A Kinesis or DynamoDB Streams mapping reads each shard in order: by default it "
              "retries a failing batch until its records expire (MaximumRetryAttempts and "
              "MaximumRecordAgeInSeconds -1), and nothing behind it on the shard is processed "
              "meanwhile; records that give up are dropped unless an on-failure destination "
              "keeps them.")
KAFKA_WHY = ("A Kafka mapping (Amazon MSK or self-managed) reads each partition in order and by "
             "default retries a failing batch until it succeeds or its records expire "
             "(MaximumRetryAttempts -1): the partition waits behind it. An on-failure destination "
             "(an SQS queue, SNS topic, S3 bucket or Kafka topic) keeps what is given up, and "
             "with one Lambda stops retrying after at most 10 attempts; retry bounds and batch "
             "splitting need the mapping's provisioned mode.")
SQS_WHY = ("Without a redrive policy a message that keeps failing is received again after every "
           "visibility timeout until the queue's retention (4 days by default, up to 14) ends, "
           "billed each time and then lost; maxReceiveCount moves it to a dead-letter queue "
           "instead.")


def _number(value: Optional[Value]) -> Optional[float]:
    if value is None or not value.literal or isinstance(value.value, bool):
        return None
    return value.value if isinstance(value.value, (int, float)) else None


def _bounded(value: Optional[Value]) -> bool:
    """A retry count or record age that stops: written, and not -1 (a reference counts)."""
    if value is None:
        return False
    number = _number(value)
    return number is None or number >= 0


def _bisects(value: Optional[Value]) -> bool:
    """BisectBatchOnFunctionError on (true, "true", or a reference that may be)."""
    if value is None:
        return False
    if not value.literal:
        return True
    return value.value is True or str(value.value).strip().lower() == "true"


class StreamFailureUnhandled(ConfigRule):
    """One finding per mapping, on the trigger: what is missing, and the settings that add it
    in the mapping's own format."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        require_destination = bool(self.options.get("require-destination", True))
        check_sqs = bool(self.options.get("check-sqs", True))
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            destinations = dialect_of(function).mapping_destination_kinds
            for event in function.events:
                if event.kind in STREAM_EVENT_KINDS or \
                        (event.kind == "kafka" and event.kind in destinations):
                    yield self._stream(function, event, require_destination)
                elif event.kind == "sqs" and check_sqs and event.redrive is False \
                        and not event.dead_letter_queue:
                    yield self._queue(function, event)

    def _stream(self, function: Function, event: EventSource,
                require_destination: bool) -> Optional[Finding]:
        # Kafka: a destination bounds the retries too (Lambda then retries at most 10 times);
        # retry bounds need provisioned mode, so only the destination is suggested.
        kafka = event.kind == "kafka"
        bounded = _bisects(event.bisect) or _bounded(event.max_retries) \
            or _bounded(event.max_record_age) or (kafka and event.on_failure is not None)
        no_destination = event.on_failure is None and (require_destination or not bounded)
        if bounded and not no_destination:
            return None
        problems: List[str] = []
        if no_destination:
            problems.append("has no on-failure destination")
        if not bounded and kafka:  # its retry bounds need provisioned mode: not asked for
            problems.append("retries a failing batch until its records expire")
        elif not bounded:
            problems.append("retries a failing batch until its records expire, neither "
                            "splitting the batch nor bounding its retries or record age")
        part = "partition" if kafka else "shard"
        if bounded:
            outcome = "a batch that fails past its retry bounds is dropped"
        elif no_destination:
            outcome = f"one bad record blocks its {part} until it expires, then is dropped"
        else:
            outcome = f"one bad record blocks its {part} until it expires"
        settings = dialect_of(function).stream_failure_settings(
            function, event, no_destination, not bounded and not kafka)
        return self.finding(
            function, event.path or function.path, event.line, 1,
            f"The {trigger_name(event.kind)} mapping of {function.name} "
            f"{' and '.join(problems)}: {outcome}",
            f"Add to the mapping:\n{indent(settings)}\n{KAFKA_WHY if kafka else STREAM_WHY}",
        )

    def _queue(self, function: Function, event: EventSource) -> Optional[Finding]:
        queue = f" {event.queue}" if event.queue else ""
        where = f"{event.queue_path}:{event.queue_line}" if event.queue_path else "the queue"
        redrive = dialect_of(function).queue_redrive(event.queue_path or function.path)
        return self.finding(
            function, event.path or function.path, event.line, 1,
            f"The SQS queue{queue} that triggers {function.name} has no redrive policy: a "
            "message that keeps failing is received again and again until the queue's "
            "retention ends, then dropped",
            f"Give the queue ({where}) a dead-letter queue:\n{indent(redrive)}\n{SQS_WHY}",
        )


Rule = StreamFailureUnhandled
