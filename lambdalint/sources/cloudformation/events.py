"""The triggers of a function: SAM ``Events``, event source mappings and API Gateway integrations.

A mixin of ``_Template`` (package ``__init__``). An SQS trigger carries the queue's visibility
timeout when the queue is defined in the same template (SQS's default when it sets none).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from lambdalint.model import EventSource, Value
from lambdalint.sources.cloudformation.intrinsics import (
    _as_dict,
    _intrinsic,
    _key_pos,
    _number,
    _pos,
    _references,
    _sub_form,
)
from lambdalint.sources.cloudformation.template import FUNCTION_TYPES, QUEUE

SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set


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
            if kind in ("Api", "HttpApi"):
                out.append(EventSource("api", line, http_api=kind == "HttpApi"))
            elif kind == "SQS":
                queue = _as_dict(_as_dict(event).get("Properties")).get("Queue")
                out.append(self.sqs_event(queue, line))
            else:
                out.append(EventSource(kind.lower(), line))
        return out

    def sqs_event(self, queue: Any, line: int) -> EventSource:
        """An SQS trigger on the queue a value names, with its visibility when defined here."""
        visibility = self.queue_visibility(queue)
        defaulted = visibility is not None and visibility.text == SQS_DEFAULT_TEXT
        return EventSource("sqs", line, visibility=visibility, visibility_defaulted=defaulted)

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

    def attached_events(self) -> Dict[str, List[EventSource]]:
        """Function logical id -> triggers defined as resources of their own."""
        if self._events is not None:
            return self._events
        self._events = {}
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

        for rid in list(self.resources):
            kind = self.type_of(rid)
            props = self.properties(rid)
            line = self.line_of(rid)
            if kind == "AWS::Lambda::EventSourceMapping":
                event = self._mapping_event(props.get("EventSourceArn"), line)
                for function_id in targets(props.get("FunctionName")):
                    self._events.setdefault(function_id, []).append(event)
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
                return EventSource(kind.split("::")[1].lower(), line)
        text = _sub_form(arn)
        service = text.split(":")[2].lower() if text.startswith("arn:") and text.count(":") > 2 else ""
        return EventSource(service if service and "$" not in service else "stream", line)
