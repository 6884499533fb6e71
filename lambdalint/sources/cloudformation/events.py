"""The triggers of a function: SAM ``Events``, event source mappings, API Gateway integrations,
and the resources that invoke a function asynchronously (S3 notifications, SNS subscriptions,
EventBridge rules and schedules, IoT topic rules, SES receipt rules, log subscriptions).

A mixin of ``_Template`` (package ``__init__``). An SQS trigger carries the queue's visibility
timeout and whether it has a redrive policy when the queue is defined in the same template
(SQS's default visibility when it sets none); a mapping carries its failure handling
(``DestinationConfig``, ``BisectBatchOnFunctionError``, retry bounds, ``FunctionResponseTypes``);
a function carries its asynchronous-invocation config (``DeadLetterQueue``/``DeadLetterConfig``,
SAM ``EventInvokeConfig``, ``AWS::Lambda::EventInvokeConfig``).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint.model import AsyncConfig, EventSource, Value
from lambdalint.sources.cloudformation.intrinsics import (
    _as_dict,
    _intrinsic,
    _is_no_value,
    _items,
    _key_pos,
    _number,
    _pos,
    _references,
    _sub_form,
)
from lambdalint.sources.cloudformation.template import FUNCTION_TYPES, QUEUE

SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"

# SAM event Type (lower case) -> EventSource.kind (model.EVENT_KINDS).
SAM_EVENT_KINDS = {
    "api": "api", "httpapi": "api", "sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb",
    "msk": "kafka", "selfmanagedkafka": "kafka", "mq": "mq", "documentdb": "documentdb",
    "s3": "s3", "sns": "sns", "cloudwatchevent": "eventbridge", "eventbridgerule": "eventbridge",
    "schedule": "schedule", "schedulev2": "schedule", "iotrule": "iot", "cloudwatchlogs": "logs",
    "cognito": "cognito", "alexaskill": "alexa",
}
# The service of an event source ARN (arn:aws:<service>:...) or resource type -> kind.
SERVICE_KINDS = {
    "sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka",
    "msk": "kafka", "mq": "mq", "amazonmq": "mq", "docdb": "documentdb", "rds": "documentdb",
    "documentdb": "documentdb",
}
EVENT_INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
BUCKET = "AWS::S3::Bucket"
TOPIC = "AWS::SNS::Topic"


class _Events:
    """Event sources read from the function and from resources that name it."""

    def _sam_events(self, props: Dict[Any, Any]) -> List[EventSource]:
        events = props.get("Events")
        out: List[EventSource] = []
        if not isinstance(events, dict) or _intrinsic(events) is not None:
            return out
        for name, event in events.items():
            kind = _as_dict(event).get("Type")
            if not isinstance(kind, str):
                continue
            line = _key_pos(events, name)[0]
            kind = kind.strip()
            word = SAM_EVENT_KINDS.get(kind.lower(), "other")
            properties = _as_dict(_as_dict(event).get("Properties"))
            if word == "api":
                out.append(EventSource("api", line, http_api=kind == "HttpApi",
                                       defined_api=self._defined_api(properties)))
                continue
            subscription = properties.get("SqsSubscription") if word == "sns" else None
            if word == "sqs":
                found = self.sqs_event(properties.get("Queue"), line)
            elif subscription is not None and subscription is not False:
                # SNS delivers to a queue the function polls: an SQS trigger, not asynchronous
                found = self.sqs_event(_as_dict(subscription).get("QueueArn"), line)
            else:
                found = EventSource(word, line)
            if word == "s3":
                found.source = self.defined(properties.get("Bucket"), BUCKET)
                found.key_filter = properties.get("Filter") is not None
            elif word == "sns":
                found.source = self.defined(properties.get("Topic"), TOPIC)
            self.mapping_facts(found, properties)
            out.append(found)
        return out

    def _defined_api(self, properties: Dict[Any, Any]) -> bool:
        """The event's ``RestApiId``/``ApiId`` names an API of the template whose own OpenAPI
        definition (``DefinitionBody``, ``DefinitionUri``) says how it integrates."""
        api = properties.get("RestApiId", properties.get("ApiId"))
        for target in sorted(_references(api)) if api is not None else ():
            props = self.properties(target) if self.type_of(target) else {}
            if isinstance(props, dict) and ("DefinitionBody" in props or "DefinitionUri" in props):
                return True
        return False

    def sqs_event(self, queue: Any, line: int) -> EventSource:
        """An SQS trigger on the queue a value names, with its visibility when defined here."""
        visibility = self.queue_visibility(queue)
        defaulted = visibility is not None and visibility.text == SQS_DEFAULT_TEXT
        event = EventSource("sqs", line, visibility=visibility, visibility_defaulted=defaulted)
        queue_id = self.queue_defined(queue)
        event.source = queue_id
        if queue_id is not None:
            props = self.properties(queue_id)
            event.redrive = "RedrivePolicy" in props and not _is_no_value(props["RedrivePolicy"])
            event.queue_path, event.queue_line = self.path, self.line_of(queue_id)
            event.dead_letter_queue = queue_id in self.dead_letter_queues()
        return event

    def dead_letter_queues(self) -> Set[str]:
        """Logical ids of the queues another queue's ``RedrivePolicy`` names (found once)."""
        if self._dead_letters is None:
            self._dead_letters = set()
            for queue_id in self.ids_of(QUEUE):
                policy = self.properties(queue_id).get("RedrivePolicy")
                self._dead_letters |= _references(policy) - {queue_id}
        return self._dead_letters

    def queue_defined(self, queue: Any) -> Optional[str]:
        """The logical id of the ``AWS::SQS::Queue`` of this template a value names, if any."""
        return self.defined(queue, QUEUE)

    def defined(self, node: Any, kind: str) -> Optional[str]:
        """The logical id of the resource of type ``kind`` of this template a value names."""
        for resource_id in sorted(_references(node)):
            if self.type_of(resource_id) == kind:
                return resource_id
        return None

    def mapping_facts(self, event: EventSource, props: Dict[Any, Any]) -> None:
        """What a mapping (SAM event Properties, an ``AWS::Lambda::EventSourceMapping``) says
        about failures: batch item failures, destination, bisect, retry bounds."""
        if "FunctionResponseTypes" in props:
            event.report_batch_failures = self._response_types(props)
        destination = _as_dict(_as_dict(_as_dict(props.get("DestinationConfig"))
                                         .get("OnFailure")))
        if "Destination" in destination and not _is_no_value(destination["Destination"]):
            event.on_failure = self.value(destination["Destination"],
                                          _pos(destination, "Destination"))[0]
        if "BisectBatchOnFunctionError" in props \
                and not _is_no_value(props["BisectBatchOnFunctionError"]):
            event.bisect = self.value(props["BisectBatchOnFunctionError"],
                                      _pos(props, "BisectBatchOnFunctionError"))[0]
        self._numbers(event, props, (("MaximumRetryAttempts", "max_retries"),
                                     ("MaximumRecordAgeInSeconds", "max_record_age")))

    def _numbers(self, target: object, props: Dict[Any, Any],
                 keys: Tuple[Tuple[str, str], ...]) -> None:
        """Each property written in ``props`` as a Value (a number when it is one) on
        ``target``'s attribute."""
        for key, attribute in keys:
            if key in props and not _is_no_value(props[key]):
                value = self.value(props[key], _pos(props, key))[0]
                number = _number(value)
                if number is not None:
                    value.value = number
                setattr(target, attribute, value)

    def _response_types(self, props: Dict[Any, Any]) -> Value:
        """``FunctionResponseTypes``: True when it lists ReportBatchItemFailures."""
        node = props["FunctionResponseTypes"]
        value = self.value(node, _pos(props, "FunctionResponseTypes"))[0]
        if not isinstance(node, list) or _is_no_value(node):
            if value.literal:  # a lone string
                value.value = str(value.value).strip() == REPORT_BATCH_ITEM_FAILURES
            return value
        items = list(_items(node))
        if not all(isinstance(item, str) for item, _ in items):
            return Value(None, value.text, value.path, value.line, value.column, literal=False)
        for item, pos in items:
            if item.strip() == REPORT_BATCH_ITEM_FAILURES:
                return Value(True, item.strip(), self.path, pos[0], pos[1])
        line, column = _key_pos(props, "FunctionResponseTypes")
        return Value(False, "[]" if not items else ", ".join(items), self.path, line, column)

    def queue_visibility(self, queue: Any) -> Optional[Value]:
        """The visibility timeout of the queue a value names, when the queue is defined here."""
        for queue_id in sorted(_references(queue)):
            if self.type_of(queue_id) != QUEUE:
                continue
            props = self.properties(queue_id)
            if "VisibilityTimeout" in props:
                value, _ = self.value(props["VisibilityTimeout"], _pos(props, "VisibilityTimeout"))
                number = _number(value)
                if number is not None:
                    value.value = number
                return value
            return Value(SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, self.path,
                         self.line_of(queue_id))
        return None

    def _function_targets(self) -> Callable[[Any], Set[str]]:
        """A function of a value: the logical ids of this template's functions it names (a
        reference, or an ARN or name ending in a function's ``FunctionName``)."""
        functions = set(self.ids_of(*FUNCTION_TYPES))
        by_name = {str(n): rid for rid in functions
                   for n in [self.properties(rid).get("FunctionName")] if isinstance(n, str)}

        def targets(node: Any) -> Set[str]:
            found = {r for r in _references(node) if r in functions}
            if isinstance(node, str):
                name = node.rsplit(":function:", 1)[-1].split(":")[0]
                if name in by_name:
                    found.add(by_name[name])
            return found

        return targets

    def attached_events(self) -> Dict[str, List[EventSource]]:
        """Function logical id -> triggers defined as resources of their own."""
        if self._events is not None:
            return self._events
        self._events = {}
        functions = set(self.ids_of(*FUNCTION_TYPES))
        targets = self._function_targets()

        def add(node: Any, event: EventSource) -> None:
            for function_id in sorted(targets(node)):
                self._events.setdefault(function_id, []).append(event)

        for rid in list(self.resources):
            kind = self.type_of(rid)
            props = self.properties(rid)
            line = self.line_of(rid)
            if kind == "AWS::Lambda::EventSourceMapping":
                event = self._mapping_event(props.get("EventSourceArn"), line) \
                    if "SelfManagedEventSource" not in props else EventSource("kafka", line)
                self.mapping_facts(event, props)
                add(props.get("FunctionName"), event)
                continue
            if kind in ASYNC_RESOURCES:
                for node, word, at in ASYNC_RESOURCES[kind](props):
                    event = EventSource(word, getattr(at, "line", 0) or line)
                    if kind in (BUCKET, TOPIC):
                        event.source = rid
                        event.key_filter = kind == BUCKET and _as_dict(at).get("Filter") is not None
                    elif word == "sns":
                        event.source = self.defined(props.get("TopicArn"), TOPIC)
                    add(node, event)
                continue
            if kind == "AWS::ApiGateway::Method":
                uri = _as_dict(props.get("Integration")).get("Uri")
            elif kind == "AWS::ApiGatewayV2::Integration":
                uri = props.get("IntegrationUri")
            elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
                uri = props.get("DefinitionBody")
            elif kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
                uri = props.get("Body")
            else:
                continue
            for function_id in sorted(_references(uri) & functions):
                self._events.setdefault(function_id, []).append(EventSource(
                    "api", line,
                    http_api=kind in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api")))
        return self._events

    def _mapping_event(self, arn: Any, line: int) -> EventSource:
        for target in sorted(_references(arn)):
            kind = self.type_of(target)
            if kind == QUEUE:
                return self.sqs_event(arn, line)
            if kind:
                service = kind.split("::")[1].lower()
                return EventSource(SERVICE_KINDS.get(service, "other"), line)
        text = _sub_form(arn)
        service = text.split(":")[2].lower() if text.startswith("arn:") and text.count(":") > 2 else ""
        return EventSource(SERVICE_KINDS.get(service, "other"), line)

    # -- asynchronous invocations

    def async_config(self, logical_id: str, props: Dict[Any, Any], sam: bool) -> AsyncConfig:
        """Where failed asynchronous invocations of the function go: its own dead-letter
        settings, SAM ``EventInvokeConfig`` (Globals too), and ``AWS::Lambda::EventInvokeConfig``
        resources that name it."""
        config = AsyncConfig()
        if _intrinsic(props) is not None or "Fn::Transform" in props:
            config.unknown = True
            return config
        for key in ("DeadLetterQueue", "DeadLetterConfig"):
            node, container, _ = self.setting(props, key, sam)
            if container is None:
                continue
            target = _as_dict(node)
            if "TargetArn" in target and not _is_no_value(target["TargetArn"]):
                config.dead_letter = self.value(target["TargetArn"], _pos(target, "TargetArn"))[0]
            elif _intrinsic(node) is not None:  # chosen by a condition
                config.dead_letter = self.value(node, _pos(container, key))[0]
        node, container, _ = self.setting(props, "EventInvokeConfig", sam)
        if container is not None:
            self._invoke_config(_as_dict(node), config)
        for own in self.invoke_configs().get(logical_id, []):
            self._invoke_config(own, config)
        return config

    def invoke_configs(self) -> Dict[str, List[Dict[Any, Any]]]:
        """Function logical id -> the Properties of the ``AWS::Lambda::EventInvokeConfig``
        resources that name it (found once per template)."""
        if self._invoke_configs is None:
            self._invoke_configs = {}
            targets = self._function_targets()
            for rid in self.ids_of(EVENT_INVOKE_CONFIG):
                own = self.properties(rid)
                for function_id in sorted(targets(own.get("FunctionName"))):
                    self._invoke_configs.setdefault(function_id, []).append(own)
        return self._invoke_configs

    def _invoke_config(self, props: Dict[Any, Any], config: AsyncConfig) -> None:
        """An event invoke config (SAM's property or the resource): destination and bounds."""
        if _intrinsic(props) is not None:
            config.unknown = True
            return
        failure = _as_dict(_as_dict(props.get("DestinationConfig")).get("OnFailure"))
        for key in ("Destination", "Type"):  # SAM creates the queue or topic a Type names
            if key in failure and not _is_no_value(failure[key]):
                config.on_failure = self.value(failure[key], _pos(failure, key))[0]
                break
        self._numbers(config, props, (("MaximumRetryAttempts", "max_retries"),
                                      ("MaximumEventAgeInSeconds", "max_event_age")))


# Resources that invoke a function asynchronously: type -> a function of its Properties giving
# (the value that names the function, the kind, a node whose line the trigger is on).
AsyncTargets = Iterator[Tuple[Any, str, Any]]


def _s3_targets(props: Dict[Any, Any]) -> AsyncTargets:
    notification = _as_dict(props.get("NotificationConfiguration"))
    for item, _ in _items(notification.get("LambdaConfigurations")):
        yield _as_dict(item).get("Function"), "s3", item


def _sns_subscription(props: Dict[Any, Any]) -> AsyncTargets:
    protocol = props.get("Protocol")
    if isinstance(protocol, str) and protocol.strip().lower() == "lambda":
        yield props.get("Endpoint"), "sns", None


def _sns_topic(props: Dict[Any, Any]) -> AsyncTargets:
    for item, _ in _items(props.get("Subscription")):
        for endpoint, word, _ in _sns_subscription(_as_dict(item)):
            yield endpoint, word, item


def _rule_targets(props: Dict[Any, Any]) -> AsyncTargets:
    word = "schedule" if props.get("ScheduleExpression") is not None else "eventbridge"
    for item, _ in _items(props.get("Targets")):
        yield _as_dict(item).get("Arn"), word, item


def _schedule_target(props: Dict[Any, Any]) -> AsyncTargets:
    target = _as_dict(props.get("Target"))
    yield target.get("Arn"), "schedule", target


def _iot_rule(props: Dict[Any, Any]) -> AsyncTargets:
    payload = _as_dict(props.get("TopicRulePayload"))
    for item, _ in _items(payload.get("Actions")):
        action = _as_dict(_as_dict(item).get("Lambda"))
        yield action.get("FunctionArn"), "iot", item


def _ses_rule(props: Dict[Any, Any]) -> AsyncTargets:
    for item, _ in _items(_as_dict(props.get("Rule")).get("Actions")):
        action = _as_dict(_as_dict(item).get("LambdaAction"))
        invocation = action.get("InvocationType")
        if isinstance(invocation, str) and invocation.strip() == "RequestResponse":
            continue  # SES waits for the answer: not an asynchronous invocation
        yield action.get("FunctionArn"), "ses", item


def _log_subscription(props: Dict[Any, Any]) -> AsyncTargets:
    yield props.get("DestinationArn"), "logs", None


ASYNC_RESOURCES: Dict[str, Callable[[Dict[Any, Any]], AsyncTargets]] = {
    "AWS::S3::Bucket": _s3_targets,
    "AWS::SNS::Subscription": _sns_subscription,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::Events::Rule": _rule_targets,
    "AWS::Scheduler::Schedule": _schedule_target,
    "AWS::IoT::TopicRule": _iot_rule,
    "AWS::SES::ReceiptRule": _ses_rule,
    "AWS::Logs::SubscriptionFilter": _log_subscription,
}
