"""Which bucket, queue or topic a CDK trigger names, and what an environment value references.

LL217 (a function that writes to the resource that triggers it) and LL203's resource advice
need the same facts from every reader: ``EventSource.source`` / ``key_filter`` and
``EnvVar.refers``. In a CDK app a resource is a Python object, so the reader follows the
objects: ``S3EventSource(bucket, filters=[...])``, ``SqsEventSource(queue)``,
``SnsEventSource(topic)``, ``bucket.add_event_notification(EventType..., LambdaDestination(fn),
*filters)``, ``topic.add_subscription(LambdaSubscription(fn))`` name the construct that
triggers; ``environment={"BUCKET": bucket.bucket_name}`` and ``fn.add_environment("QUEUE_URL",
queue.queue_url)`` name the construct the code reaches. Two spellings of one construct
(``bucket`` and ``self.bucket = bucket``) are one object, hence one name.

Names are given once the whole app is read (``_name_resources``): the variable the construct
was first assigned to (``bucket``, ``self.uploads``: how the user's code names it, and how a
suggested ``resources=[...]`` must), else its construct id in quotes (``"Uploads"``), made
unique in the file.

``_Resources`` is a mixin of ``_AppReader`` (package ``__init__``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from lambdalint.model import EnvVar, EventSource, Function
from lambdalint.sources.cdk.constructs import _Fn, _Queue, _Resource
from lambdalint.sources.cdk.scope import _Env
from lambdalint.sources.cdk.values import MAX_DEPTH, _Args
from lambdalint.sources.references import named_resources

Named = Union[_Queue, _Resource]
_KEY_FILTER = "aws_cdk.aws_s3.NotificationKeyFilter"
# Bucket methods that add a notification -> the position of the destination argument (the
# filters follow it).
_NOTIFICATIONS = {"add_event_notification": 1, "add_object_created_notification": 0,
                  "add_object_removed_notification": 0}


def _named(obj: Any) -> bool:
    return isinstance(obj, (_Queue, _Resource))


class _Resources:
    """Resource constructs, what refers to them, and their names."""

    named: List[Named]  # every resource built or imported, in the order written
    env_refs: List[Tuple[EnvVar, List[Named]]]
    event_refs: List[Tuple[EventSource, Named]]
    notified: Dict[int, Tuple[EventSource, _Fn]]  # id(LambdaDestination call) -> its trigger

    def _make_resource(self, call: cst.Call, env: _Env, kind: str) -> _Resource:
        resource = _Resource(kind, self._line(call))
        self._register(resource, self._arguments(call, env), call)
        return resource

    def _register(self, resource: Named, args: _Args, call: cst.Call) -> None:
        resource.label = self._construct_id(args, call)
        self.named.append(resource)

    def _on_bound(self, key: str, value: cst.BaseExpression) -> None:
        """``bucket = s3.Bucket(...)``: the construct's first name."""
        built = self.objects.get(id(value))
        if _named(built) and built.var is None:
            built.var = key

    # -- what refers to them

    def _refer(self, variable: EnvVar, expr: cst.BaseExpression, env: _Env) -> None:
        """Note the resources an environment value names (``bucket.bucket_name``,
        ``f"{queue.queue_url}"``, ``table.table_arn + "/index/*"``)."""
        found = self._referenced(expr, env, 0, set())
        if found:
            self.env_refs.append((variable, found))

    def _referenced(self, expr: cst.BaseExpression, env: _Env, depth: int,
                    seen: Set[int]) -> List[Named]:
        """``seen``: the nodes already followed, each once (``A1 = A0 * A0 * A0``, thirty
        levels deep, must not cost 3 ** 30 steps)."""
        target, target_env, _, ambiguous = self._deref(expr, env)
        if target is None or target_env is None or ambiguous or depth > MAX_DEPTH \
                or id(target) in seen:
            return []
        seen.add(id(target))
        if isinstance(target, cst.Call) and isinstance(target.func, cst.Attribute):
            target = target.func  # bucket.arn_for_objects("*"), bucket.url_for_object()
        if isinstance(target, cst.Attribute):
            owner = self._object(target.value, target_env)
            return [owner] if _named(owner) else []
        parts: Sequence[cst.BaseExpression] = ()
        if isinstance(target, cst.FormattedString):
            parts = [p.expression for p in target.parts
                     if isinstance(p, cst.FormattedStringExpression)]
        elif isinstance(target, cst.BinaryOperation):
            parts = (target.left, target.right)
        found: List[Named] = []
        for part in parts:
            found.extend(r for r in self._referenced(part, target_env, depth + 1, seen)
                         if r not in found)
        return found

    def _source(self, event: EventSource, given: Optional[Tuple[cst.BaseExpression, _Env]]
                ) -> None:
        """Note the resource an event source's argument names as the trigger's source."""
        resource = self._object(*given) if given else None
        if _named(resource):
            self.event_refs.append((event, resource))

    def _key_filtered(self, filters: List[Tuple[cst.BaseExpression, _Env]], unknown: bool
                      ) -> bool:
        """Whether S3 notification ``filters`` set a prefix or suffix. A filter lambdalint
        cannot read counts as one: a missed loop costs less than a false one."""
        if unknown:
            return True
        for expr, env in filters:
            target, target_env, _, _ = self._deref(expr, env)
            if target is None or target_env is None:
                return True
            if isinstance(target, cst.Call) and \
                    self._qual(target.func, target_env) == _KEY_FILTER:
                args = self._arguments(target, target_env)
                given = [args.get(k) for k in ("prefix", "suffix")]
            elif isinstance(target, cst.Dict):
                given = [(v, e) for _, k, v, e in self._entries(target, target_env)
                         if k in ("prefix", "suffix")]
            else:
                return True
            for item in given:
                written = self._const(*item) if item else None
                if item is not None and (written is None or written.value):
                    return True
        return False

    # -- notifications and subscriptions that name the function

    def _notified_event(self, given: Optional[Tuple[cst.BaseExpression, _Env]]
                        ) -> Optional[Tuple[EventSource, _Fn]]:
        """The trigger a ``LambdaDestination(fn)`` / ``LambdaSubscription(fn)`` argument adds
        to its function (made here when the argument is written inline)."""
        if given is None:
            return None
        target, target_env, _, _ = self._deref(*given)
        if not isinstance(target, cst.Call) or target_env is None:
            return None
        qual = self._qual(target.func, target_env)
        if qual is None:
            return None
        self._async_target(target, target_env, qual)
        return self.notified.get(id(target))

    def _attach(self, owner: Named, found: Tuple[EventSource, _Fn], key_filter: bool) -> None:
        """Name ``owner`` as the source of a notification's trigger; a destination object
        shared by two buckets gives each its own trigger."""
        event, record = found
        if any(e is event for e, _ in self.event_refs):
            event = replace(event)
            record.function.events.append(event)
        event.key_filter = key_filter
        self.event_refs.append((event, owner))

    def _do_add_notification(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        """``bucket.add_event_notification(s3.EventType.OBJECT_CREATED,
        s3n.LambdaDestination(fn), s3.NotificationKeyFilter(prefix="in/"))`` and the
        ``add_object_created/removed_notification(dest, *filters)`` forms."""
        if not isinstance(owner, _Resource) or owner.kind != "s3.Bucket":
            return
        args = self._arguments(call, env)
        position = _NOTIFICATIONS[method]
        found = self._notified_event(args.get("dest", position))
        if found is not None:
            filters = args.positional[position + 1:]
            self._attach(owner, found, self._key_filtered(filters, args.unknown_splat))

    def _do_add_subscription(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        """``topic.add_subscription(subs.LambdaSubscription(fn))``."""
        if isinstance(owner, _Resource) and owner.kind == "sns.Topic":
            found = self._notified_event(self._arguments(call, env).get("subscription", 0))
            if found is not None:
                self._attach(owner, found, False)

    # -- names, once the app is read

    def _name_resources(self, functions: List[Function]) -> None:
        """Give each resource its name, then fill ``EnvVar.refers``, ``EventSource.source``
        and each function's ``resources``."""
        types: Dict[str, str] = {}
        for resource in self.named:
            name = resource.var or f'"{resource.label}"'
            if name in types:
                name = f"{name} (line {resource.line})"
            resource.name = name
            types[name] = resource.kind
        for variable, resources in self.env_refs:
            variable.refers = [r.name for r in resources]
        for event, resource in self.event_refs:
            event.source = resource.name
        for function in functions:
            function.resources = named_resources(function.environment, types.get)
