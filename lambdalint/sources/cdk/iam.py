"""IAM in a CDK app: policy statements, policies, managed policy references and roles.

``_Iam`` is a mixin of ``_AppReader`` (package ``__init__``); ``_Values._built_by`` calls its
``_make_*`` methods for the ``aws_iam`` constructors.
"""

from __future__ import annotations

from typing import Any, List

import libcst as cst

from lambdalint.model import IamStatement, ManagedPolicy, Value
from lambdalint.sources.cdk.constructs import _ManagedRef, _Policy, _Role
from lambdalint.sources.cdk.scope import _Env


class _Iam:
    """Building IAM constructs and attaching policies to roles."""

    def _make_statement(self, call: cst.Call, env: _Env, from_json: bool) -> IamStatement:
        line, column, _, _ = self._span(call)
        statement = IamStatement("Allow", [], [], [], [], self.display, line, "", column)
        args = self._arguments(call, env)
        if from_json:
            given = args.get("obj", 0)
            fields = {key: (value, value_env) for _, key, value, value_env in
                      (self._entries(*given) if given else []) if key}
            names = {"effect": "Effect", "actions": "Action", "not_actions": "NotAction",
                     "resources": "Resource", "not_resources": "NotResource",
                     "conditions": "Condition"}
        else:
            fields = args.keywords
            names = {k: k for k in ("effect", "actions", "not_actions", "resources",
                                    "not_resources", "conditions")}
        effect = fields.get(names["effect"])
        if effect is not None:
            qual = self._qual(effect[0], effect[1]) or ""
            found = self._const(*effect)
            if qual.endswith("Effect.DENY") or (found is not None and
                                                str(found.value).lower() == "deny"):
                statement.effect = "Deny"
        for attribute in ("actions", "not_actions", "resources", "not_resources"):
            given = fields.get(names[attribute])
            if given is not None:
                getattr(statement, attribute).extend(self._values(*given))
        conditions = fields.get(names["conditions"])
        for _, _, operator, operator_env in (self._entries(*conditions) if conditions else []):
            for _, key, _, _ in self._entries(operator, operator_env):
                if key and key not in statement.condition_keys:
                    statement.condition_keys.append(key)
        return statement

    def _statements(self, expr: cst.BaseExpression, env: _Env) -> List[IamStatement]:
        found = []
        for item, item_env in self._items(expr, env):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                found.append(statement)
        return found

    def _make_policy(self, call: cst.Call, env: _Env, kind: str) -> _Policy:
        args = self._arguments(call, env)
        policy = _Policy()
        given = args.get("statements")
        if given is not None:
            policy.statements.extend(self._statements(*given))
        document = args.get("document")
        if document is not None:
            inner = self._object(*document)
            if isinstance(inner, _Policy):
                policy.statements.extend(inner.statements)
        if kind in ("Policy", "ManagedPolicy"):
            name = self._construct_id(args, call)
            for item, item_env in self._listed(args, "roles"):
                role = self._object(item, item_env)
                if isinstance(role, _Role):
                    role.policies.append((policy, f"iam.{kind} {name}"))
            self.policy_names[id(policy)] = f"iam.{kind} {name}"
        return policy

    def _managed_reference(self, call: cst.Call, env: _Env, method: str) -> Any:
        args = self._arguments(call, env)
        if method == "from_aws_managed_policy_name":
            given = args.get("managed_policy_name", 0)
        elif method == "from_managed_policy_arn":
            given = args.get("managed_policy_arn", 2)
        else:  # from_managed_policy_name: a customer policy, whatever it is called
            return _ManagedRef(Value(None, self._text(call), self.display, self._line(call),
                                     literal=False))
        if given is None:
            return None
        return _ManagedRef(self._value(*given))

    def _make_role(self, call: cst.Call, env: _Env) -> _Role:
        args = self._arguments(call, env)
        name = self._construct_id(args, call)
        role = _Role(f"role {name}", name)
        for item, item_env in self._listed(args, "managed_policies"):
            self._attach_managed(role, self._object(item, item_env),
                                 f"managed_policies of role {name}")
        given = args.get("inline_policies")
        for _, key, value, value_env in (self._entries(*given) if given else []):
            document = self._object(value, value_env)
            if isinstance(document, _Policy):
                label = f"'{key}'" if key else ""
                role.policies.append((document, f"inline policy {label} of role {name}"
                                      .replace("  ", " ")))
        return role

    def _attach_managed(self, role: _Role, built: Any, origin: str) -> None:
        if isinstance(built, _ManagedRef):
            role.managed.append(ManagedPolicy(built.value, origin))
        elif isinstance(built, _Policy):
            role.policies.append((built, self.policy_names.get(id(built), origin)))
