"""The triggers of a Serverless function (``events:``) and where its failed asynchronous
invocations go (``destinations``, ``onError``, retry bounds, an ``AWS::Lambda::EventInvokeConfig``
in ``resources``).

``_Events`` is a mixin of ``_Core`` (``service.py``): it reads with the service's value helpers
(``field_value``) and looks queues up in the CloudFormation of ``resources``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from lambdalint.model import AsyncConfig, EventSource, Value
from lambdalint.sources import cloudformation
from lambdalint.sources.serverless.values import _dict, _intrinsic, _logical_id, _number
from lambdalint.sources.yamlload import YList, scalar_text

# Event keys (lower case) -> EventSource.kind (model.EVENT_KINDS). ``stream`` is kinesis or
# dynamodb by its ``type`` or ARN; a key not here is "other".
EVENT_KINDS = {
    "http": "api", "httpapi": "api", "websocket": "api", "alb": "alb", "sqs": "sqs",
    "s3": "s3", "sns": "sns", "schedule": "schedule", "eventbridge": "eventbridge",
    "cloudwatchevent": "eventbridge", "cloudwatchlog": "logs", "iot": "iot",
    "alexaskill": "alexa", "alexasmarthome": "alexa", "cognitouserpool": "cognito",
    "kafka": "kafka", "msk": "kafka", "activemq": "mq", "rabbitmq": "mq",
}
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


def function_logical_id(name: str) -> str:
    """The logical id Serverless gives a function's ``AWS::Lambda::Function``
    (``hello-world`` -> ``HelloDashworldLambdaFunction``)."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaFunction"


class _Events:
    """``events:`` and the asynchronous-invocation settings of one function."""

    resources: Dict[Any, Any]
    template: Dict[Any, Any]
    _invoke_destinations: Optional[Dict[str, Value]] = None

    def events(self, spec: Dict[Any, Any]) -> List[EventSource]:
        events = spec.get("events")
        out: List[EventSource] = []
        if not isinstance(events, list):
            return out
        for index, item in enumerate(events):
            if not isinstance(item, dict) or not item:
                continue
            line = events.pos(index)[0] if isinstance(events, YList) else getattr(item, "line", 1)
            key, body = next(iter(item.items()))
            if not isinstance(key, str):
                continue
            word = key.lower()
            kind = EVENT_KINDS.get(word, "other")
            if word == "stream":
                out.append(self.stream_event(body, line))
            elif kind == "api":
                out.append(EventSource(
                    "api", line, http_api=str(key) == "httpApi",
                    asynchronous=isinstance(body, dict) and body.get("async") is True))
            elif kind == "sqs":
                out.append(self.sqs_event(body, line))
            elif word == "eventbridge" and isinstance(body, dict) and "schedule" in body:
                out.append(EventSource("schedule", line))
            elif kind in ("s3", "sns"):
                out.append(self.notification_event(kind, body, line))
            else:
                out.append(EventSource(kind, line))
        return out

    def notification_event(self, kind: str, body: Any, line: int) -> EventSource:
        """An ``s3`` or ``sns`` event and the bucket or topic that sends it: a name
        (``s3: photos``, ``bucket: photos``, ``topicName``) or a resource of ``resources``
        (``!Ref Uploads``, an ARN's ``!GetAtt``); S3 ``rules`` filter the keys."""
        event = EventSource(kind, line)
        spec = body if isinstance(body, dict) and not _intrinsic(body) else {}
        named = (spec.get("bucket") if kind == "s3" else
                 spec.get("arn") or spec.get("topicName")) if spec else body
        source = _logical_id(named)
        if source is None and isinstance(named, str) and not named.startswith("arn:"):
            source = named.strip()
        event.source = source or None
        event.key_filter = kind == "s3" and bool(spec.get("rules"))
        return event

    def sqs_event(self, body: Any, line: int) -> EventSource:
        arn = body.get("arn") if isinstance(body, dict) and not _intrinsic(body) else body
        event = EventSource("sqs", line)
        visibility = self.visibility_timeout(arn)
        if visibility is not None:
            event.visibility = visibility
            event.visibility_defaulted = visibility.text == cloudformation.SQS_DEFAULT_TEXT
            event.queue = _logical_id(arn)
        event.source = _logical_id(arn)
        redrive = self.queue_redrive(arn)
        if redrive is not None:
            event.redrive, event.queue_line = redrive
            event.queue_path = self.path
        if isinstance(body, dict) and not _intrinsic(body):
            event.batch_size = self.field_value(body, "batchSize")
            event.batching_window = self.field_value(body, "maximumBatchingWindow")
            event.report_batch_failures = self._response_type(body)
        return event

    def queue_redrive(self, arn: Any) -> Optional[Tuple[bool, int]]:
        """Whether the queue an ``sqs`` event names has a redrive policy, and its line, when
        ``resources`` defines it."""
        if not self.resources or not isinstance(arn, dict):
            return None
        return cloudformation.queue_redrive(self.template, self.source, arn)

    def stream_event(self, body: Any, line: int) -> EventSource:
        """A ``stream`` event: kinesis or dynamodb, with its failure handling."""
        spec = body if isinstance(body, dict) and not _intrinsic(body) else {}
        arn = spec.get("arn") if spec else body
        written = spec.get("type")
        kind = str(written).strip().lower() if isinstance(written, str) else ""
        if kind not in ("kinesis", "dynamodb"):
            text = scalar_text(arn) if isinstance(arn, str) else ""
            kind = "dynamodb" if ":dynamodb:" in text or "StreamArn" in scalar_text(arn) \
                else "kinesis" if ":kinesis:" in text else "other"
        event = EventSource(kind, line)
        if not spec:
            return event
        event.report_batch_failures = self._response_type(spec)
        event.bisect = self.field_value(spec, "bisectBatchOnFunctionError")
        for key, attribute in (("maximumRetryAttempts", "max_retries"),
                               ("maximumRecordAgeInSeconds", "max_record_age")):
            value = self.field_value(spec, key)
            number = _number(value)
            if value is not None and number is not None:
                value.value = number
            setattr(event, attribute, value)
        event.on_failure = self._destination(_dict(spec.get("destinations")))
        return event

    def _response_type(self, body: Dict[Any, Any]) -> Optional[Value]:
        """``functionResponseType: ReportBatchItemFailures`` as True (another word: False)."""
        value = self.field_value(body, "functionResponseType")
        if value is not None and value.literal:
            value.value = str(value.value).strip() == REPORT_BATCH_ITEM_FAILURES
        return value

    def _destination(self, destinations: Dict[Any, Any]) -> Optional[Value]:
        """``destinations.onFailure``: an ARN or name, or ``{arn, type}``."""
        failure = destinations.get("onFailure")
        if isinstance(failure, dict) and not _intrinsic(failure) and "arn" in failure:
            return self.field_value(failure, "arn")
        return self.field_value(destinations, "onFailure")

    def async_config(self, name: str, spec: Dict[Any, Any]) -> AsyncConfig:
        """``destinations.onFailure``, ``onError`` (a DLQ), the serverless-plugin-lambda-dead-letter
        ``deadLetter``, ``maximumRetryAttempts``/``maximumEventAge``, and an
        ``AWS::Lambda::EventInvokeConfig`` of ``resources`` naming the function."""
        config = AsyncConfig()
        config.on_failure = self._destination(_dict(spec.get("destinations")))
        config.dead_letter = self.field_value(spec, "onError")
        if config.dead_letter is None and spec.get("deadLetter") is not None:
            config.dead_letter = self.field_value(spec, "deadLetter")
        for key, attribute in (("maximumRetryAttempts", "max_retries"),
                               ("maximumEventAge", "max_event_age")):
            value = self.field_value(spec, key)
            number = _number(value)
            if value is not None and number is not None:
                value.value = number
            setattr(config, attribute, value)
        destination = self.invoke_destinations().get(function_logical_id(name))
        if destination is not None:
            config.on_failure = destination
        return config

    def invoke_destinations(self) -> Dict[str, Value]:
        """Function logical id -> the on-failure destination an ``AWS::Lambda::EventInvokeConfig``
        of ``resources`` gives it (found once per service)."""
        if self._invoke_destinations is None:
            self._invoke_destinations = {}
            for resource in self.resources.values():
                if not isinstance(resource, dict) or resource.get("Type") != \
                        cloudformation.EVENT_INVOKE_CONFIG:
                    continue
                props = _dict(resource.get("Properties"))
                target = _logical_id(props.get("FunctionName"))
                failure = _dict(_dict(_dict(props.get("DestinationConfig")).get("OnFailure")))
                destination = self.field_value(failure, "Destination")
                if target is not None and destination is not None:
                    self._invoke_destinations[target] = destination
        return self._invoke_destinations
