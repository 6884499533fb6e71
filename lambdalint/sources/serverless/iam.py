"""The IAM of a Serverless function: the provider's role, a ``role:`` it names, per-function roles.

A mixin of ``_Service`` (package ``__init__``). Roles and policies written in ``resources`` are
read by the CloudFormation reader (``role_permissions``), then unresolved where they hold
variables.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from lambdalint.model import Function, IamStatement, ManagedPolicy
from lambdalint.sources import cloudformation
from lambdalint.sources.cloudformation.iam import condition_keys
from lambdalint.sources.serverless.values import (
    _dict,
    _field,
    _intrinsic,
    _plain,
    _unresolve,
    _unresolve_statement,
)
from lambdalint.sources.serverless.variables import Unresolved
from lambdalint.sources.yamlload import YDict, YList, scalar_text

DEFAULT_ROLE = "IamRoleLambdaExecution"  # the logical id Serverless gives the role it creates
PER_FUNCTION_PLUGIN = "serverless-iam-roles-per-function"


class _Iam:
    """Statements, managed policies and the role name each function runs with."""

    def statements(self, node: Any, origin: str) -> List[IamStatement]:
        if isinstance(node, dict):
            node = YList([node])
        if not isinstance(node, list):
            return []
        out = []
        for index, item in enumerate(node):
            if not isinstance(item, dict) or _intrinsic(item):
                continue
            line, column = node.pos(index) if isinstance(node, YList) else (1, 1)
            effect = item.get("Effect")
            effect_text = str(effect).strip() if isinstance(effect, str) \
                and not isinstance(effect, Unresolved) else "Allow"
            lists = {}
            for key in ("Action", "NotAction", "Resource", "NotResource"):
                value, value_line, value_column = _field(item, key)
                lists[key] = self.values(value, value_line, value_column)
            out.append(IamStatement(
                "Deny" if effect_text.lower() == "deny" else "Allow",
                lists["Action"], lists["NotAction"], lists["Resource"], lists["NotResource"],
                self.path, line, origin, column,
                condition_keys=condition_keys(_plain(item.get("Condition"))),
            ))
        return out

    def managed_policies(self, node: Any, line: int, column: int, origin: str) -> List[ManagedPolicy]:
        if not isinstance(node, list):
            return []
        return [ManagedPolicy(v, origin) for v in self.values(node, line, column)]

    def provider_iam(self) -> Tuple[Optional[Any], List[IamStatement], List[ManagedPolicy], str]:
        """The role every function runs with unless it names its own: (an external role
        reference or None, statements, managed policies, the role's name for messages)."""
        iam = _dict(self.provider.get("iam"))
        role = iam.get("role")
        if role is None:
            role = self.provider.get("role")  # the older spelling
            if role is not None and isinstance(role, dict) and not _intrinsic(role):
                role = None
        if role is not None and (not isinstance(role, dict) or _intrinsic(role)):
            name, statements, managed = self.role_iam(role)
            return role, statements, managed, name or self.role_name(role)
        role = _dict(role)
        statements = self.statements(role.get("statements"), "provider.iam.role.statements")
        statements += self.statements(self.provider.get("iamRoleStatements"),
                                      "provider.iamRoleStatements")
        node, line, column = _field(role, "managedPolicies")
        managed = self.managed_policies(node, line, column, "provider.iam.role.managedPolicies")
        node, line, column = _field(self.provider, "iamManagedPolicies")
        managed += self.managed_policies(node, line, column, "provider.iamManagedPolicies")
        extra_statements, extra_managed = self.default_role_iam()
        name = role.get("name")
        label = str(name) if isinstance(name, str) and not isinstance(name, Unresolved) \
            else DEFAULT_ROLE
        return None, statements + extra_statements, managed + extra_managed, label

    def role_name(self, role: Any) -> str:
        """How messages name a role: an ARN by its name, as the CloudFormation reader does."""
        if isinstance(role, Unresolved):
            return role.written
        text = scalar_text(_plain(role))
        return text.rsplit("/", 1)[-1] if isinstance(role, str) and ":role/" in text else text

    def role_iam(self, role: Any) -> Tuple[Optional[str], List[IamStatement], List[ManagedPolicy]]:
        """(name, statements, managed policies) of the role a ``role:`` setting names, read
        from ``resources`` by the CloudFormation reader; nothing for a role defined elsewhere."""
        if not self.resources:
            return None, [], []
        key = scalar_text(role)
        if key in self._roles:
            name, statements, managed = self._roles[key]
            return name, list(statements), list(managed)
        name, statements, managed = cloudformation.role_permissions(self.template, self.source, role)
        self._roles[key] = (name, list(statements), list(managed))
        for statement in statements:
            _unresolve_statement(statement)
        for policy in managed:
            _unresolve(policy.name)
        return name, statements, managed

    def default_role_iam(self) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """Policies in ``resources`` that name the role Serverless creates (``Roles: [!Ref
        IamRoleLambdaExecution]``) add to it, though the role itself is not written there."""
        if not self.resources:
            return [], []
        template = self.template
        if DEFAULT_ROLE not in self.resources:
            resources = YDict(self.resources)
            resources.positions = dict(getattr(self.resources, "positions", {}))
            resources.key_positions = dict(getattr(self.resources, "key_positions", {}))
            resources[DEFAULT_ROLE] = YDict({"Type": "AWS::IAM::Role"})
            template = YDict(template)
            template["Resources"] = resources
        _, statements, managed = cloudformation.role_permissions(template, self.source,
                                                                 DEFAULT_ROLE)
        for statement in statements:
            _unresolve_statement(statement)
        for policy in managed:
            _unresolve(policy.name)
        return statements, managed

    def per_function_roles(self) -> bool:
        """Whether ``plugins`` declares serverless-iam-roles-per-function: without it
        Serverless ignores a function's ``iamRoleStatements`` and the function runs with the
        provider's role."""
        plugins = self.data.get("plugins")
        if isinstance(plugins, dict):
            plugins = plugins.get("modules")
        return any(isinstance(p, str) and not isinstance(p, Unresolved)
                   and str(p).strip().rstrip("/").split("/")[-1] == PER_FUNCTION_PLUGIN
                   for p in (plugins if isinstance(plugins, list) else []))

    def iam(self, function: Function, spec: Dict[Any, Any],
            provider_role: Tuple[Optional[Any], List[IamStatement], List[ManagedPolicy], str]) -> None:
        own_role = spec.get("role")
        if own_role is not None:
            name, function.statements, function.managed_policies = self.role_iam(own_role)
            function.role = name or self.role_name(own_role)
            return
        external, statements, managed, label = provider_role
        if "iamRoleStatements" in spec and self.per_function_roles():
            # serverless-iam-roles-per-function: the function gets a role of its own, cloned
            # from the service's (so its managed policies), with the provider's statements only
            # when it inherits them.
            inherit = spec.get("iamRoleStatementsInherit")
            own = self.statements(spec.get("iamRoleStatements"),
                                  f"iamRoleStatements of {function.name}")
            if external is not None:
                function.statements = own
            else:
                inherits = inherit is True or (self.default_inherit and inherit is not False)
                function.statements = (list(statements) if inherits else []) + own
                function.managed_policies = list(managed)
            role_name = spec.get("iamRoleStatementsName")
            function.role = str(role_name) if isinstance(role_name, str) \
                and not isinstance(role_name, Unresolved) else f"the role of {function.name}"
            return
        function.statements, function.managed_policies = list(statements), list(managed)
        function.role = label
