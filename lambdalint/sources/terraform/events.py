"""Triggers of Terraform functions: what invokes each function of the module.

Read from event source mappings (SQS with its queue's visibility timeout, Kinesis, DynamoDB,
Kafka, MQ), API Gateway integrations and permissions, ALB target attachments, EventBridge
targets, SNS subscriptions and S3 notifications, and from the Lambda module's own
``event_source_mapping`` and ``allowed_triggers``. ``Events`` is that part of the module
reader (``terraform._Reader``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from lambdalint.model import EventSource, Function, Value
from lambdalint.sources.terraform.hcl import Node
from lambdalint.sources.terraform.iam import guard
from lambdalint.sources.terraform.module import as_number, target_of

if TYPE_CHECKING:
    from lambdalint.sources.terraform.module import Module

SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set


class Events:
    """Finding each function's triggers among the blocks of ``self.m``."""

    m: "Module"

    def events(self, functions: List[Function]) -> Dict[int, List[EventSource]]:
        """Triggers defined in the module, by function: SQS (and other) event source mappings,
        API Gateway integrations and permissions."""
        by_address = {f.name: f for f in functions}
        found: Dict[int, List[EventSource]] = {}

        def add(function: Optional[Function], event: EventSource) -> None:
            if function is None:
                return
            events = found.setdefault(id(function), [])
            if not any(e.kind == event.kind and e.line == event.line for e in events):
                events.append(event)

        for block in self.m.of_type("aws_lambda_event_source_mapping"):
            function = self._function_of(block.get("function_name"), by_address)
            event = guard(lambda: self._mapping(block.get("event_source_arn"), block.line))
            if event:
                add(function, event)
        for block in self.m.of_type("aws_lambda_permission"):
            ok, principal, _ = self.m.literal(block.get("principal"))
            if ok and isinstance(principal, str) and principal.startswith("apigateway."):
                add(self._function_of(block.get("function_name"), by_address),
                    EventSource("api", block.line))
        for kind, attr in (("aws_apigatewayv2_integration", "integration_uri"),
                           ("aws_api_gateway_integration", "uri")):
            for block in self.m.of_type(kind):
                add(self._function_of(block.get(attr), by_address), EventSource("api", block.line))
        # An ALB waits as long as its idle timeout, not API Gateway's 29 s: its own kind.
        for kind, resource, attr in (("alb", "aws_lb_target_group_attachment", "target_id"),
                                     ("eventbridge", "aws_cloudwatch_event_target", "arn"),
                                     ("sns", "aws_sns_topic_subscription", "endpoint")):
            for block in self.m.of_type(resource):
                add(self._function_of(block.get(attr), by_address), EventSource(kind, block.line))
        for block in self.m.of_type("aws_s3_bucket_notification"):
            for target in block.children("lambda_function"):
                add(self._function_of(target.get("lambda_function_arn"), by_address),
                    EventSource("s3", target.line))
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
                        add(function, event)
            triggers = self.m.obj(block.get("allowed_triggers"))
            for entry in triggers.entries if triggers is not None else []:
                obj = self.m.obj(entry.node)
                if obj is None:
                    continue
                for key in ("service", "principal"):
                    ok, value, _ = self.m.literal(obj.get(key))
                    if ok and isinstance(value, str) and value.startswith("apigateway"):
                        add(function, EventSource("api", entry.line))
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
            event = EventSource("sqs", line)
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
            return event
        if found is not None and found.kind == "resource":
            kind = {"aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb",
                    "aws_msk_cluster": "kafka", "aws_mq_broker": "mq"}.get(found.type)
            return EventSource(kind, line) if kind else None
        ok, value, _ = self.m.literal(arn)
        if ok and isinstance(value, str) and value.startswith("arn:"):
            service = value.split(":")[2] if value.count(":") >= 2 else ""
            return EventSource(service or "unknown", line)
        return None
