"""Event sources of CDK functions, and where their failed asynchronous invocations go.

``_EventSources`` is a mixin of ``_Functions`` (``functions.py``): the ``aws_lambda_event_sources``
classes (with an SQS queue's visibility timeout and dead-letter queue, a stream's or Kafka
mapping's failure handling, ``report_batch_item_failures``), and a function's ``on_failure`` /
``dead_letter_queue`` / ``retry_attempts`` arguments.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from lambdalint.model import AsyncConfig, EventSource, Value
from lambdalint.sources.cdk.constructs import _Queue
from lambdalint.sources.cdk.scope import _Env
from lambdalint.sources.cdk.values import _Args

SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set

_EVENT_SOURCES = "aws_cdk.aws_lambda_event_sources."
# aws_lambda_event_sources class -> EventSource.kind (model.EVENT_KINDS).
EVENT_SOURCE_KINDS = {
    "SqsEventSource": "sqs", "KinesisEventSource": "kinesis",
    "KinesisConsumerEventSource": "kinesis", "DynamoEventSource": "dynamodb",
    "S3EventSource": "s3", "S3EventSourceV2": "s3", "SnsEventSource": "sns",
    "ManagedKafkaEventSource": "kafka", "SelfManagedKafkaEventSource": "kafka",
    "ApiEventSource": "api",
}
# Event kinds whose source lambdalint names (EventSource.source) -> the argument naming it.
_SOURCE_ARGUMENTS = {"s3": "bucket", "sqs": "queue", "sns": "topic"}
# Stream event source keywords -> EventSource attribute.
_STREAM_FACTS = (("bisect_batch_on_error", "bisect"), ("retry_attempts", "max_retries"),
                 ("max_record_age", "max_record_age"))


class _EventSources:
    """Event source constructs and a function's asynchronous-invocation arguments."""

    def _event_source(self, expr: cst.BaseExpression, env: _Env) -> Optional[EventSource]:
        target, target_env, _, _ = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None:
            return None
        qual = self._qual(target.func, target_env) or ""
        if not qual.startswith(_EVENT_SOURCES):
            return None
        kind = EVENT_SOURCE_KINDS.get(qual[len(_EVENT_SOURCES):], "other")
        event = EventSource(kind, self._line(target))
        if kind == "api":
            return event
        args = self._arguments(target, target_env)
        if kind in _SOURCE_ARGUMENTS:
            self._source(event, args.get(_SOURCE_ARGUMENTS[kind], 0))
        if kind == "s3":
            given = self._given(args, "filters")
            if given is not None:
                written, _, _, _ = self._deref(*given)
                event.key_filter = self._key_filtered(
                    self._items(*given), not isinstance(written, (cst.List, cst.Tuple)))
        if kind == "sqs":
            queue_arg = args.get("queue", 0)
            queue = self._object(*queue_arg) if queue_arg else None
            if isinstance(queue, _Queue):
                if queue.visibility is not None:
                    event.visibility = queue.visibility
                    event.visibility_defaulted = queue.visibility.text == SQS_DEFAULT_TEXT
                if queue.redrive is not None:
                    event.redrive = queue.redrive
                    event.queue_path, event.queue_line = self.display, queue.line
                event.dead_letter_queue = queue.dead_letter
        given = self._given(args, "report_batch_item_failures")
        if given is not None:
            event.report_batch_failures = self._value(*given)
        if kind in ("kinesis", "dynamodb", "kafka"):
            self._stream_facts(event, args)
            if args.unknown_splat:  # a **props may hold any failure setting: none is missing
                line, column, _, _ = self._span(target)
                unknown = Value(None, "**kwargs", self.display, line, column, False)
                event.on_failure = event.on_failure or unknown
                event.bisect = event.bisect or unknown
        return event

    def _given(self, args: _Args, keyword: str) -> Optional[Tuple[cst.BaseExpression, _Env]]:
        """The argument ``keyword``, unless absent or written ``None`` (the default)."""
        given = args.get(keyword)
        if given is None:
            return None
        written = self._const(*given)
        return None if written is not None and written.value is None else given

    def _stream_facts(self, event: EventSource, args: _Args) -> None:
        for keyword, attribute in _STREAM_FACTS:
            given = self._given(args, keyword)
            if given is None:
                continue
            value = self._value(*given)
            if keyword == "max_record_age":
                seconds, _ = self._duration(*given)
                if seconds is not None:
                    value.value, value.literal = seconds, True
            setattr(event, attribute, value)
        given = self._given(args, "on_failure")
        if given is not None:
            event.on_failure = self._value(*given)

    def _make_queue(self, call: cst.Call, env: _Env) -> _Queue:
        args = self._arguments(call, env)
        line, column, _, _ = self._span(call)
        queue = self._queue(call, env, args, line, column)
        self._register(queue, args, call)
        return queue

    def _queue(self, call: cst.Call, env: _Env, args: _Args, line: int, column: int) -> _Queue:
        redrive: Optional[bool] = True if args.get("dead_letter_queue") is not None else \
            None if args.unknown_splat else False
        if redrive:
            self._mark_dead_letter(*args.keywords["dead_letter_queue"])
        given = args.get("visibility_timeout")
        if given is None:
            if args.unknown_splat:
                return _Queue(None, redrive, line)
            return _Queue(Value(SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, self.display, line,
                                column), redrive, line)
        seconds, via = self._duration(*given)
        v_line, v_column, end_line, end_column = self._span(given[0])
        text = self._text(given[0])
        if seconds is None:
            return _Queue(Value(None, text, self.display, v_line, v_column, False, end_line,
                                end_column), redrive, line)
        return _Queue(Value(seconds, f"{text} (= {seconds} s)", self.display, v_line, v_column,
                            True, end_line, end_column), redrive, line)

    def _mark_dead_letter(self, expr: cst.BaseExpression, env: _Env) -> None:
        """The queue of ``sqs.DeadLetterQueue(queue=..., max_receive_count=...)`` is another
        queue's dead-letter queue."""
        target, target_env, _, _ = self._deref(expr, env)
        if isinstance(target, cst.Call) and target_env is not None:
            given = self._arguments(target, target_env).get("queue")
            queue = self._object(*given) if given else None
            if isinstance(queue, _Queue):
                queue.dead_letter = True

    def _async_arguments(self, config: AsyncConfig, args: _Args) -> None:
        """``on_failure``, ``dead_letter_queue`` / ``dead_letter_topic`` /
        ``dead_letter_queue_enabled=True``, ``retry_attempts``, ``max_event_age`` of a function
        (or of ``configure_async_invoke`` / ``EventInvokeConfig``)."""
        if args.unknown_splat:
            config.unknown = True
        given = self._given(args, "on_failure")
        if given is not None:
            config.on_failure = self._value(*given)
        for keyword in ("dead_letter_queue", "dead_letter_topic", "dead_letter_queue_enabled"):
            given = self._given(args, keyword)
            if given is None:
                continue
            value = self._value(*given)
            if keyword == "dead_letter_queue_enabled" and value.literal and value.value is not True:
                continue
            config.dead_letter = value
            break
        given = self._given(args, "retry_attempts")
        if given is not None:
            config.max_retries = self._value(*given)
        given = self._given(args, "max_event_age")
        if given is not None:
            value = self._value(*given)
            seconds, _ = self._duration(*given)
            if seconds is not None:
                value.value, value.literal = seconds, True
            config.max_event_age = value
