"""Triggers of Terraform functions: what invokes each function of the module.

Read from event source mappings (SQS with its queue's visibility timeout and redrive policy,
Kinesis, DynamoDB, Kafka, MQ, each with its failure handling), API Gateway integrations and
permissions, ALB target attachments, EventBridge targets and schedules, SNS subscriptions, S3
notifications, log subscription filters, IoT topic rules and SES receipt rules, and from the
Lambda module's own ``event_source_mapping`` and ``allowed_triggers``. A permission
(``aws_lambda_permission``, an ``allowed_triggers`` entry) for S3, SNS, EventBridge, CloudWatch
Logs, IoT or SES is an asynchronous trigger of its own when nothing in the module links that
service to the function (the bucket or rule lives elsewhere). Each function's
asynchronous-invocation config (``dead_letter_config``, ``aws_lambda_function_event_invoke_config``,
the module's ``dead_letter_target_arn`` / ``destination_on_failure``) is read here too.
``Events`` is that part of the module reader (``terraform._Reader``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from lambdalint.model import AsyncConfig, EventSource, Function, Value
from lambdalint.sources.terraform.hcl import Block, Node
from lambdalint.sources.terraform.iam import guard
from lambdalint.sources.terraform.module import as_number, target_of

if TYPE_CHECKING:
    from lambdalint.sources.terraform.module import Module

SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"

# The resource type an event source ARN names -> EventSource.kind (model.EVENT_KINDS).
SOURCE_KINDS = {"aws_sqs_queue": "sqs", "aws_kinesis_stream": "kinesis",
                "aws_dynamodb_table": "dynamodb", "aws_msk_cluster": "kafka",
                "aws_msk_serverless_cluster": "kafka", "aws_mq_broker": "mq",
                "aws_docdb_cluster": "documentdb"}
# The service of a literal ARN (arn:aws:<service>:...) -> kind.
SERVICE_KINDS = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka",
                 "mq": "mq", "rds": "documentdb"}
# Retry bounds of an async invoke config (a resource, the Lambda module): argument -> attribute.
ASYNC_BOUNDS = (("maximum_retry_attempts", "max_retries"),
                ("maximum_event_age_in_seconds", "max_event_age"))

Getter = Callable[[str], Optional[Node]]


class Events:
    """Finding each function's triggers among the blocks of ``self.m``."""

    m: "Module"

    def events(self, functions: List[Function]) -> Dict[int, List[EventSource]]:
        """Triggers defined in the module, by function: SQS (and other) event source mappings,
        API Gateway integrations and permissions."""
        by_address = {f.name: f for f in functions}
        found: Dict[int, List[EventSource]] = {}

        def add(function: Optional[Function], event: EventSource, where: Block) -> None:
            if function is None:
                return
            event.path = where.file.display
            events = found.setdefault(id(function), [])
            if not any(e.kind == event.kind and e.line == event.line and e.path == event.path
                       for e in events):
                events.append(event)

        for block in self.m.of_type("aws_lambda_event_source_mapping"):
            function = self._function_of(block.get("function_name"), by_address)
            event = guard(lambda: self._mapping(block.get("event_source_arn"), block.line))
            if event is None and block.children("self_managed_event_source"):
                event = EventSource("kafka", block.line)  # the only self-managed source
            if event:
                guard(lambda: self._mapping_facts(event, block.get, self._block_destination(
                    block, "destination_config", "on_failure", "destination_arn")))
                add(function, event, block)
        permitted: List[Tuple[Optional[Function], EventSource, Block]] = []
        for block in self.m.of_type("aws_lambda_permission"):
            ok, principal, _ = self.m.literal(block.get("principal"))
            kind = permitted_kind(principal) if ok else None
            if kind == "api":
                add(self._function_of(block.get("function_name"), by_address),
                    EventSource("api", block.line), block)
            elif kind is not None:
                permitted.append((self._function_of(block.get("function_name"), by_address),
                                  EventSource(kind, block.line), block))
        for kind, attr in (("aws_apigatewayv2_integration", "integration_uri"),
                           ("aws_api_gateway_integration", "uri")):
            for block in self.m.of_type(kind):
                add(self._function_of(block.get(attr), by_address), EventSource("api", block.line),
                    block)
        # An ALB waits as long as its idle timeout, not API Gateway's 29 s: its own kind.
        for kind, resource, attr in (("alb", "aws_lb_target_group_attachment", "target_id"),
                                     ("eventbridge", "aws_cloudwatch_event_target", "arn"),
                                     ("sns", "aws_sns_topic_subscription", "endpoint")):
            for block in self.m.of_type(resource):
                word = "schedule" if kind == "eventbridge" and self._scheduled(block) else kind
                event = EventSource(word, block.line)
                if kind == "sns":
                    event.source = self._address(block.get("topic_arn"))
                add(self._function_of(block.get(attr), by_address), event, block)
        for block in self.m.of_type("aws_s3_bucket_notification"):
            for target in block.children("lambda_function"):
                event = EventSource("s3", target.line, source=self._address(block.get("bucket")))
                event.key_filter = any(target.get(key) is not None
                                       for key in ("filter_prefix", "filter_suffix"))
                add(self._function_of(target.get("lambda_function_arn"), by_address), event,
                    block)
        for kind, resource, child, attr in ASYNC_BLOCKS:
            for block in self.m.of_type(resource):
                for target in block.children(child) if child else [block]:
                    if self._synchronous(target):
                        continue
                    add(self._function_of(target.get(attr), by_address),
                        EventSource(kind, target.line), block)
        for name, block in self.m.modules.items():
            function = by_address.get(block.address)
            if function is None:
                continue
            mappings = self.m.obj(block.get("event_source_mapping"))
            for entry in mappings.entries if mappings is not None else []:
                obj = self.m.obj(entry.node)
                if obj is not None:
                    event = guard(lambda: self._mapping(obj.get("event_source_arn"), entry.line))
                    if event:
                        destination = obj.get("destination_arn_on_failure")
                        guard(lambda: self._mapping_facts(
                            event, obj.get, self.m.value(destination) if destination else None))
                        add(function, event, block)
            triggers = self.m.obj(block.get("allowed_triggers"))
            for entry in triggers.entries if triggers is not None else []:
                obj = self.m.obj(entry.node)
                if obj is None:
                    continue
                for key in ("service", "principal"):
                    ok, value, _ = self.m.literal(obj.get(key))
                    kind = permitted_kind(value) if ok else None
                    if kind == "api":
                        add(function, EventSource("api", entry.line), block)
                    elif kind is not None:
                        permitted.append((function, EventSource(kind, entry.line), block))
        for function, event, block in permitted:
            # Known only from the permission: the notification, subscription or rule that
            # invokes the function is not in the module (another stack, the console).
            family = ASYNC_FAMILIES.get(event.kind, {event.kind})
            if function is not None and not any(
                    e.kind in family for e in found.get(id(function), [])):
                add(function, event, block)
        return found

    def _function_of(self, node: Optional[Node], by_address: Dict[str, Function]) -> Optional[Function]:
        if node is None:
            return None
        resolved = self.m.resolve(node)
        found = target_of(resolved.node if resolved else node)
        if found is not None:
            if found.kind == "resource" and found.type == "aws_lambda_alias":
                alias = self.m.block_of(found)
                return self._function_of(alias.get("function_name"), by_address) if alias else None
            if found.kind == "resource" and found.type == "aws_lambda_function":
                return by_address.get(f"aws_lambda_function.{found.name}")
            if found.kind == "module" and found.attribute.startswith("lambda_function"):
                return by_address.get(f"module.{found.name}")
            return None
        ok, value, _ = self.m.literal(node)
        if not ok or not isinstance(value, str):
            return None
        for function in by_address.values():
            block = self.m.resources.get(("aws_lambda_function", function.name.split(".", 1)[-1])) \
                if function.name.startswith("aws_lambda_function.") else \
                self.m.modules.get(function.name.split(".", 1)[-1])
            if block is None:
                continue
            ok_name, name, _ = self.m.literal(block.get("function_name"))
            if ok_name and name and (value == name or value.endswith(f":function:{name}")):
                return function
        return None

    def _mapping(self, arn: Optional[Node], line: int) -> Optional[EventSource]:
        if arn is None:
            return None
        resolved = self.m.resolve(arn)
        found = target_of(resolved.node if resolved else arn)
        if found is not None and found.kind == "resource" and found.type == "aws_sqs_queue":
            queue = self.m.block_of(found)
            event = EventSource("sqs", line, source=f"aws_sqs_queue.{found.name}")
            if queue is not None:
                node = queue.get("visibility_timeout_seconds")
                if node is None:
                    event.visibility = Value(
                        SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, queue.file.display, queue.line)
                    event.visibility_defaulted = True
                else:
                    value = self.m.value(node)
                    number = as_number(value.value) if value.literal else None
                    if number is not None:
                        value.value = number
                    event.visibility = value
                event.redrive = self._redriven(queue, found.name)
                event.dead_letter_queue = self._dead_letter_of_another(found.name)
                event.queue_path, event.queue_line = queue.file.display, queue.line
            return event
        if found is not None and found.kind in ("resource", "data"):
            kind = SOURCE_KINDS.get(found.type)
            return EventSource(kind, line) if kind else None
        ok, value, _ = self.m.literal(arn)
        if ok and isinstance(value, str) and value.startswith("arn:"):
            service = value.split(":")[2] if value.count(":") >= 2 else ""
            return EventSource(SERVICE_KINDS.get(service, "other"), line)
        return None

    def _address(self, node: Optional[Node]) -> Optional[str]:
        """The address of the managed resource a value references (``aws_s3_bucket.in``)."""
        if node is None:
            return None
        resolved = self.m.resolve(node)
        found = target_of(resolved.node if resolved else node)
        if found is None or found.kind != "resource":
            return None
        return f"{found.type}.{found.name}"

    def _redriven(self, queue: Block, name: str) -> bool:
        """Whether the queue has a redrive policy: its ``redrive_policy``, or an
        ``aws_sqs_queue_redrive_policy`` whose ``queue_url`` names it."""
        if queue.get("redrive_policy") is not None:
            return True
        for policy in self.m.of_type("aws_sqs_queue_redrive_policy"):
            node = policy.get("queue_url")
            found = target_of(node) if node is not None else None
            if found is not None and found.type == "aws_sqs_queue" and found.name == name:
                return True
        return False

    def _dead_letter_of_another(self, name: str) -> bool:
        """Whether another queue's redrive policy (``redrive_policy``, an
        ``aws_sqs_queue_redrive_policy``) names ``aws_sqs_queue.<name>``."""
        wanted = f"aws_sqs_queue.{name}."
        for kind, attr in (("aws_sqs_queue", "redrive_policy"),
                           ("aws_sqs_queue_redrive_policy", "redrive_policy")):
            for block in self.m.of_type(kind):
                node = block.get(attr)
                if node is None or wanted not in node.text:
                    continue
                if kind == "aws_sqs_queue" and block.labels[1:2] == [name]:
                    continue  # the queue's own policy
                return True
        return False

    def _synchronous(self, action: Block) -> bool:
        """An SES ``lambda_action`` with ``invocation_type = "RequestResponse"``: SES waits."""
        ok, value, _ = self.m.literal(action.get("invocation_type"))
        return ok and isinstance(value, str) and value.strip() == "RequestResponse"

    def _scheduled(self, target: Block) -> bool:
        """An ``aws_cloudwatch_event_target`` whose rule runs on a schedule expression."""
        node = target.get("rule")
        found = target_of(node) if node is not None else None
        rule = self.m.block_of(found) if found is not None and found.kind == "resource" else None
        return rule is not None and rule.get("schedule_expression") is not None

    def _mapping_facts(self, event: EventSource, get: Getter,
                       on_failure: Optional[Value]) -> None:
        """Failure handling of a mapping (a resource, or an entry of the module's
        ``event_source_mapping``: ``get`` reads an argument)."""
        node = get("function_response_types")
        if node is not None:
            event.report_batch_failures = self._response_types(node)
        node = get("bisect_batch_on_function_error")
        if node is not None:
            event.bisect = self.m.value(node)
        self._numbers(event, get, (("maximum_retry_attempts", "max_retries"),
                                   ("maximum_record_age_in_seconds", "max_record_age")))
        event.on_failure = on_failure

    def _response_types(self, node: Node) -> Value:
        """``function_response_types``: True when it lists ReportBatchItemFailures."""
        items = self.m.values(node)
        whole = self.m.value(node)
        if not all(v.literal for v in items):
            return Value(None, whole.text, whole.path, whole.line, whole.column, False)
        for item in items:
            if str(item.value).strip() == REPORT_BATCH_ITEM_FAILURES:
                return Value(True, item.text, item.path, item.line, item.column)
        return Value(False, whole.text, whole.path, whole.line, whole.column)

    def _block_destination(self, block: Block, outer: str, inner: str,
                           attr: str) -> Optional[Value]:
        """``outer { inner { attr = ... } }`` of a block as a Value; a ``dynamic "outer"``
        block is a destination that cannot be read (non-literal)."""
        for config in block.children(outer):
            for failure in config.children(inner):
                node = failure.get(attr)
                if node is not None:
                    return self.m.value(node)
        for dynamic in block.children("dynamic"):
            if dynamic.labels[:1] == [outer]:
                return Value(None, f'dynamic "{outer}"', block.file.display, dynamic.line,
                             dynamic.column, False)
        return None

    # -- asynchronous invocations ------------------------------------------------------------

    def async_configs(self, functions: List[Function]) -> None:
        """Each function's ``async_config``: the resource's ``dead_letter_config``, the
        module's dead-letter and async-event arguments, and the
        ``aws_lambda_function_event_invoke_config`` blocks that name the function."""
        by_address = {f.name: f for f in functions}
        for function in functions:
            kind, _, name = function.name.partition(".")
            if kind == "module":
                block = self.m.modules.get(name)
                if block is not None:
                    guard(lambda: self._module_async(function.async_config, block))
            elif kind == "aws_lambda_function":
                block = self.m.resources.get(("aws_lambda_function", name))
                if block is not None:
                    function.async_config.dead_letter = self._dead_letter(block)
        for block in self.m.of_type("aws_lambda_function_event_invoke_config"):
            function = self._function_of(block.get("function_name"), by_address)
            if function is not None:
                guard(lambda: self._invoke_config(function.async_config, block))

    def _dead_letter(self, block: Block) -> Optional[Value]:
        for config in block.children("dead_letter_config"):
            node = config.get("target_arn")
            if node is not None:
                return self.m.value(node)
        for dynamic in block.children("dynamic"):
            if dynamic.labels[:1] == ["dead_letter_config"]:
                return Value(None, 'dynamic "dead_letter_config"', block.file.display,
                             dynamic.line, dynamic.column, False)
        return None

    def _invoke_config(self, config: AsyncConfig, block: Block) -> None:
        destination = self._block_destination(block, "destination_config", "on_failure",
                                              "destination")
        if destination is not None:
            config.on_failure = destination
        self._numbers(config, block.get, ASYNC_BOUNDS)

    def _module_async(self, config: AsyncConfig, block: Block) -> None:
        node = block.get("dead_letter_target_arn")
        if node is not None:
            config.dead_letter = self.m.value(node)
        node = block.get("destination_on_failure")
        if node is not None:
            create = block.get("create_async_event_config")
            ok, value, _ = self.m.literal(create) if create is not None else (True, False, "")
            if not ok:
                config.unknown = True
            elif value is True or (isinstance(value, str) and value.strip() == "true"):
                config.on_failure = self.m.value(node)
        self._numbers(config, block.get, ASYNC_BOUNDS)

    def _numbers(self, target: object, get: Getter, keys: Tuple[Tuple[str, str], ...]) -> None:
        """Each argument ``get`` finds as a Value (a number when it is one) on ``target``'s
        attribute."""
        for key, attribute in keys:
            node = get(key)
            if node is not None:
                value = self.m.value(node)
                number = as_number(value.value) if value.literal else None
                if number is not None:
                    value.value = number
                setattr(target, attribute, value)


# The services whose permission to invoke a function means an asynchronous trigger (the
# principal ``<service>.amazonaws.com``, a regional ``logs.<region>.amazonaws.com``, the Lambda
# module's ``allowed_triggers`` ``service``) -> EventSource.kind; "apigateway" is a synchronous
# API. EventBridge rules and schedules share a principal: either kind counts as linked.
PERMITTED_KINDS = {"apigateway": "api", "s3": "s3", "sns": "sns", "events": "eventbridge",
                   "logs": "logs", "iot": "iot", "ses": "ses"}
ASYNC_FAMILIES = {"eventbridge": {"eventbridge", "schedule"}}


def permitted_kind(principal: object) -> Optional[str]:
    """The trigger kind a permission's principal (or a module trigger's ``service``) stands
    for, if it is one of ``PERMITTED_KINDS``."""
    if not isinstance(principal, str):
        return None
    parts = principal.strip().lower().split(".")
    if len(parts) > 1 and not principal.strip().lower().endswith(
            (".amazonaws.com", ".amazonaws.com.cn")):
        return None
    return PERMITTED_KINDS.get(parts[0])


# Resources that invoke a function asynchronously: (kind, resource type, the child block that
# names the function or "" for the resource itself, the argument naming it).
ASYNC_BLOCKS: Tuple[Tuple[str, str, str, str], ...] = (
    ("logs", "aws_cloudwatch_log_subscription_filter", "", "destination_arn"),
    ("iot", "aws_iot_topic_rule", "lambda", "function_arn"),
    ("ses", "aws_ses_receipt_rule", "lambda_action", "function_arn"),
    ("schedule", "aws_scheduler_schedule", "target", "arn"),
)
