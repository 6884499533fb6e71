"""Calls with effects: methods called on constructs after they are built.

``fn.add_to_role_policy(stmt)``, ``role.add_managed_policy(...)``, ``fn.add_environment(k, v)``,
API integrations naming a function... ``_Effects`` is a mixin of ``_AppReader`` (package
``__init__``), whose ``METHODS`` table maps a method name to its ``_do_*`` handler here.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from lambdalint.model import EnvVar, EventSource, IamStatement, Value
from lambdalint.sources.cdk.constructs import (_FUNCTION_CLASSES, _IAM, _LOG_GROUP_CLASSES, _QUEUE,
                                               _Fn, _Policy, _Role, resource_type)
from lambdalint.sources.cdk.exposure import CONSTRUCTS as EXPOSURE_CONSTRUCTS
from lambdalint.sources.cdk.scope import _SKIP, _Env

# Integrations that put a function behind API Gateway or a load balancer: qualified name ->
# (keyword, position) of the function argument.
_API_INTEGRATIONS = {
    "aws_cdk.aws_apigateway.LambdaIntegration": ("handler", 0),
    "aws_cdk.aws_apigateway.LambdaRestApi": ("handler", None),
    "aws_cdk.aws_apigatewayv2_integrations.HttpLambdaIntegration": ("handler", 1),
    "aws_cdk.aws_apigatewayv2_integrations.WebSocketLambdaIntegration": ("handler", 1),
    "aws_cdk.aws_apigatewayv2_integrations.LambdaProxyIntegration": ("handler", None),
    "aws_cdk.aws_elasticloadbalancingv2_targets.LambdaTarget": ("fn", 0),
}

# Targets and subscriptions through which a service invokes a function asynchronously: qualified
# name -> (keyword, position) of the function argument, and the EventSource kind.
_ASYNC_TARGETS = {
    "aws_cdk.aws_events_targets.LambdaFunction": ("handler", 0, "eventbridge"),
    "aws_cdk.aws_sns_subscriptions.LambdaSubscription": ("fn", 0, "sns"),
    "aws_cdk.aws_s3_notifications.LambdaDestination": ("fn", 0, "s3"),
    "aws_cdk.aws_logs_destinations.LambdaDestination": ("fn", 0, "logs"),
    "aws_cdk.aws_scheduler_targets.LambdaInvoke": ("func", 0, "schedule"),
    "aws_cdk.aws_scheduler_targets_alpha.LambdaInvoke": ("func", 0, "schedule"),
    "aws_cdk.aws_iot_actions_alpha.LambdaFunctionAction": ("func", 0, "iot"),
    "aws_cdk.aws_ses_actions.Lambda": ("function", None, "ses"),
}
_EVENT_INVOKE_CONFIG = "aws_cdk.aws_lambda.EventInvokeConfig"

_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NOT_CHILDREN = ("whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines", "header",
                 "footer", "trailing", "equal", "star", "dot")


def _calls_in(node: cst.CSTNode) -> List[cst.Call]:
    """Calls inside one expression or simple statement, outermost first.

    A plain walk over the dataclass fields: LibCST's visitor machinery costs five times more,
    and this runs on every statement of the app.
    """
    calls: List[cst.Call] = []
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            calls.append(current)
        elif isinstance(current, (cst.FunctionDef, cst.ClassDef)) and current is not node:
            continue
        cls = type(current)
        names = _CHILD_FIELDS.get(cls)
        if names is None:
            names = tuple(f.name for f in fields(cls) if not f.name.startswith(_NOT_CHILDREN))
            _CHILD_FIELDS[cls] = names
        children: List[cst.CSTNode] = []
        for name in names:
            value = getattr(current, name, None)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(v for v in value if isinstance(v, cst.CSTNode))
        stack.extend(reversed(children))
    return calls


class _Effects:
    """Calls found in each statement: constructors, integrations and methods with effects."""

    # Method name -> its handler (one of the ``_do_*`` below): filled in by ``_AppReader``.
    METHODS: Dict[str, Callable[..., None]]

    def _on_calls(self, node: cst.CSTNode, env: _Env) -> None:
        for call in _calls_in(node):
            try:
                self._on_call(call, env)
            except _SKIP:
                continue

    def _on_call(self, call: cst.Call, env: _Env) -> None:
        qual = self._qual(call.func, env)
        if qual is not None:
            if qual in _FUNCTION_CLASSES or qual.startswith(_IAM) or qual == _QUEUE \
                    or qual in _LOG_GROUP_CLASSES or resource_type(qual) is not None:
                self._built_by(call, env)  # built where it is written, even if never named
            elif qual in _API_INTEGRATIONS:
                self._api_integration(call, env, qual)
            elif qual in EXPOSURE_CONSTRUCTS:
                self._exposure_construct(call, env, qual)
            elif qual in _ASYNC_TARGETS:
                self._async_target(call, env, qual)
            elif qual == _EVENT_INVOKE_CONFIG:
                target = self._first_function(self._arguments(call, env).get("function"))
                if target is not None:
                    self._async_arguments(target.function.async_config,
                                          self._arguments(call, env))
            return
        if not isinstance(call.func, cst.Attribute):
            return
        method = call.func.attr.value
        action = self.METHODS.get(method)
        if action is None:
            return
        owner = self._object(call.func.value, env)
        if owner is not None:
            action(self, owner, call, env, method)

    def _api_integration(self, call: cst.Call, env: _Env, qual: str) -> None:
        keyword, position = _API_INTEGRATIONS[qual]
        given = self._arguments(call, env).get(keyword, position)
        target = self._object(*given) if given else None
        if isinstance(target, _Fn):
            target.function.events.append(EventSource(
                "api", self._line(call), http_api=qual.endswith(".HttpLambdaIntegration")))

    def _first_function(self, given: Any) -> Optional[_Fn]:
        target = self._object(*given) if given else None
        return target if isinstance(target, _Fn) else None

    def _async_target(self, call: cst.Call, env: _Env, qual: str) -> None:
        """A rule target, subscription or notification destination that names a function:
        its trigger, once per call (``self.notified``: a bucket or topic method that passes it
        names the trigger's source)."""
        if qual not in _ASYNC_TARGETS or id(call) in self.notified:
            return
        keyword, position, kind = _ASYNC_TARGETS[qual]
        args = self._arguments(call, env)
        target = self._first_function(args.get(keyword, position))
        if target is None:
            return
        invocation = args.get("invocation_type")
        written = self._text(invocation[0]) if invocation else ""
        if written.endswith("REQUEST_RESPONSE"):
            return  # an SES action that waits for the function: not asynchronous
        event = EventSource(kind, self._line(call))
        target.function.events.append(event)
        self.notified[id(call)] = (event, target)

    def _do_configure_async_invoke(self, owner: Any, call: cst.Call, env: _Env,
                                   method: str) -> None:
        """``fn.configure_async_invoke(on_failure=..., retry_attempts=...)``."""
        if isinstance(owner, _Fn):
            self._async_arguments(owner.function.async_config, self._arguments(call, env))

    def _argument_statements(self, call: cst.Call, env: _Env) -> List[IamStatement]:
        args = self._arguments(call, env)
        found = []
        for item, item_env in args.positional + list(args.keywords.values()):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                found.append(statement)
        return found

    def _do_add_to_role_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Fn):
            for statement in self._argument_statements(call, env):
                owner.role.statements.append(
                    replace(statement, origin=f"add_to_role_policy on {owner.function.name}"))

    def _do_add_to_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            for statement in self._argument_statements(call, env):
                owner.statements.append(replace(statement, origin=f"{method} on {owner.label}"))

    def _first_object(self, call: cst.Call, env: _Env) -> Any:
        """The construct the call's first argument (positional, else keyword) refers to."""
        args = self._arguments(call, env)
        for item, item_env in args.positional[:1] or list(args.keywords.values())[:1]:
            return self._object(item, item_env)
        return None

    def _do_add_managed_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            self._attach_managed(owner, self._first_object(call, env),
                                 f"add_managed_policy on {owner.label}")

    def _do_attach_inline_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            policy = self._first_object(call, env)
            if isinstance(policy, _Policy):
                owner.policies.append((policy, self.policy_names.get(
                    id(policy), f"attach_inline_policy on {owner.label}")))

    def _do_attach_to_role(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Policy):
            role = self._first_object(call, env)
            if isinstance(role, _Role):
                origin = self.policy_names.get(id(owner), "attach_to_role")
                role.policies.append((owner, origin))

    def _do_add_statements(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Policy):
            owner.statements.extend(self._argument_statements(call, env))

    def _do_statement_change(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, IamStatement):
            return
        if method == "add_all_resources":
            line, column, end_line, end_column = self._span(call)
            owner.resources.append(Value("*", "add_all_resources()", self.display, line, column,
                                         True, end_line, end_column))
            return
        attribute = method[len("add_"):]
        values = getattr(owner, attribute)
        for arg in call.args:
            if arg.keyword is None and arg.star == "*":
                values.extend(self._values(arg.value, env))
            elif arg.keyword is None and not arg.star:
                values.append(self._value(arg.value, env))

    def _do_add_environment(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        args = self._arguments(call, env)
        key, value = args.get("key", 0), args.get("value", 1)
        if key is None or value is None:
            return
        found = self._const(*key)
        if found is None or not isinstance(found.value, str):
            return
        line, column, _, _ = self._span(key[0])
        variable = EnvVar(found.value, self._value(*value), line, column)
        owner.function.environment.append(variable)
        self._refer(variable, *value)

    def _do_add_event_source(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        given = self._arguments(call, env).get("source", 0)
        event = self._event_source(*given) if given else None
        if event is not None:
            owner.function.events.append(event)

    def _do_add_layers(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Fn):
            for arg in call.args:
                if arg.keyword is None and not arg.star:
                    owner.function.layers.append(self._layer(arg.value, env))
