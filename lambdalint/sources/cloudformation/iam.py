"""The IAM a template gives a function: its role's policies, SAM ``Policies`` and policy templates.

A mixin of ``_Template`` (package ``__init__``); it reads through ``_Core``'s lookups and values.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from lambdalint.model import Function, IamStatement, ManagedPolicy, Value
from lambdalint.sources.cloudformation.intrinsics import (
    Pos,
    _as_dict,
    _if_branches,
    _intrinsic,
    _is_no_value,
    _items,
    _pos,
    _references,
    _short,
    _sub_form,
)
from lambdalint.sources.cloudformation.template import MANAGED_POLICY, POLICY, ROLE_POLICY

# SAM policy templates whose one parameter, when "*", means every resource of the service:
# template -> (parameter, main actions, the resource SAM expands "*" to). From SAM's
# policy_templates.json; the partition is written "aws" where SAM writes ${AWS::Partition}.
_REGIONAL = "arn:aws:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}"
POLICY_TEMPLATES: Dict[str, Tuple[str, Tuple[str, ...], str]] = {
    "S3ReadPolicy": ("BucketName", ("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",
                                    "s3:GetObjectVersion"), "arn:aws:s3:::*"),
    "S3WritePolicy": ("BucketName", ("s3:PutObject", "s3:PutObjectAcl",
                                     "s3:PutLifecycleConfiguration"), "arn:aws:s3:::*"),
    "S3CrudPolicy": ("BucketName", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                    "s3:ListBucket"), "arn:aws:s3:::*"),
    "S3FullAccessPolicy": ("BucketName", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                                          "s3:PutObjectAcl", "s3:ListBucket"), "arn:aws:s3:::*"),
    "DynamoDBCrudPolicy": ("TableName", ("dynamodb:GetItem", "dynamodb:PutItem",
                                         "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                         "dynamodb:Query", "dynamodb:Scan"),
                           _REGIONAL.format(service="dynamodb", rest="table/*")),
    "DynamoDBReadPolicy": ("TableName", ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
                                         "dynamodb:BatchGetItem"),
                           _REGIONAL.format(service="dynamodb", rest="table/*")),
    "DynamoDBWritePolicy": ("TableName", ("dynamodb:PutItem", "dynamodb:UpdateItem",
                                          "dynamodb:BatchWriteItem"),
                            _REGIONAL.format(service="dynamodb", rest="table/*")),
    "SQSSendMessagePolicy": ("QueueName", ("sqs:SendMessage*",),
                             _REGIONAL.format(service="sqs", rest="*")),
    "SQSPollerPolicy": ("QueueName", ("sqs:ReceiveMessage", "sqs:DeleteMessage",
                                      "sqs:ChangeMessageVisibility"),
                        _REGIONAL.format(service="sqs", rest="*")),
    "SNSPublishMessagePolicy": ("TopicName", ("sns:Publish",),
                                _REGIONAL.format(service="sns", rest="*")),
    "LambdaInvokePolicy": ("FunctionName", ("lambda:InvokeFunction",),
                           _REGIONAL.format(service="lambda", rest="function:*")),
    "KMSDecryptPolicy": ("KeyId", ("kms:Decrypt",), _REGIONAL.format(service="kms", rest="key/*")),
    "KMSEncryptPolicy": ("KeyId", ("kms:Encrypt",), _REGIONAL.format(service="kms", rest="key/*")),
    "AWSSecretsManagerGetSecretValuePolicy": ("SecretArn", ("secretsmanager:GetSecretValue",), "*"),
    "SSMParameterReadPolicy": ("ParameterName", ("ssm:GetParameter", "ssm:GetParameters",
                                                 "ssm:GetParametersByPath"),
                               _REGIONAL.format(service="ssm", rest="parameter/*")),
    "StepFunctionsExecutionPolicy": ("StateMachineName", ("states:StartExecution",),
                                     _REGIONAL.format(service="states", rest="stateMachine:*")),
    "EventBridgePutEventsPolicy": ("EventBusName", ("events:PutEvents",),
                                   _REGIONAL.format(service="events", rest="event-bus/*")),
}


class _Iam:
    """Statements and managed policies of roles, policy resources and SAM ``Policies``."""

    def _iam(self, logical_id: str, props: Dict[Any, Any], sam: bool, function: Function) -> None:
        role = props.get("Role")
        if role is not None and not _is_no_value(role):
            function.role, role_ids = self.role_targets(role)
            for role_id in role_ids:
                statements, managed = self.role_iam(role_id)
                function.statements.extend(statements)
                function.managed_policies.extend(managed)
            branches = _if_branches(role)
            if branches is None or len(branches) == 2:
                return  # else `!If [c, role, !Ref AWS::NoValue]`: SAM's own role in one case
        if sam:
            function.role = f"{logical_id}Role"  # the role SAM creates
            if "Policies" in props:
                self._sam_policies(logical_id, props["Policies"], _pos(props, "Policies"), function)

    def role_targets(self, role: Any) -> Tuple[Optional[str], List[str]]:
        """(name for messages, Lambda roles of this template) that a ``Role`` value names."""
        targets = sorted(r for r in _references(role) if r in self.roles)
        rendered = _sub_form(role)
        if "role/" in rendered:
            name = rendered.rsplit("/", 1)[-1]
            targets += sorted(r for r, n in self._role_names.items() if n == name and r not in targets)
        targets = [r for r in targets if self.assumable_by_lambda(r)]
        if targets:
            return targets[0], targets
        if "role/" in rendered:
            return rendered.rsplit("/", 1)[-1], []
        return _short(role), []

    def assumable_by_lambda(self, role_id: str) -> bool:
        """False only when the trust policy lists principals and none is Lambda."""
        if role_id not in self._assumable:
            self._assumable[role_id] = self._trusts_lambda(role_id)
        return self._assumable[role_id]

    def _trusts_lambda(self, role_id: str) -> bool:
        document = self.properties(role_id).get("AssumeRolePolicyDocument")
        statements = _as_dict(document).get("Statement")
        principals: List[Any] = []
        for statement, _ in _items(statements):
            principal = _as_dict(statement).get("Principal")
            if not isinstance(principal, dict) or _intrinsic(principal) is not None:
                return True
            for kind, value in principal.items():
                if str(kind) != "Service":
                    principals.append(None)
                    continue
                principals.extend(item for item, _ in _items(value))
        if not principals:
            return True
        for principal in principals:
            if principal is None:
                continue
            if not isinstance(principal, str):
                return True  # !Sub lambda.${AWS::URLSuffix} and the like: cannot tell
            if "lambda" in principal.lower():
                return True
        return False

    def role_iam(self, role_id: str) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """Every statement and managed policy of one role, computed once per template."""
        if role_id in self._role_cache:
            return self._role_cache[role_id]
        statements: List[IamStatement] = []
        managed: List[ManagedPolicy] = []
        props = self.properties(role_id)
        for policy, _ in _items(props.get("Policies")):
            policy = _as_dict(policy)
            name = policy.get("PolicyName")
            origin = f"policy {name} of role {role_id}" if isinstance(name, str) \
                else f"Policies of role {role_id}"
            statements.extend(self.statements(policy.get("PolicyDocument"), origin))
        arns = props.get("ManagedPolicyArns")
        for arn, pos in _items(arns):
            for branch, branch_pos in self._branches(arn, pos):
                self._managed_arn(branch, branch_pos, f"ManagedPolicyArns of role {role_id}",
                                  statements, managed)
        for policy_id in self.attached_policies().get(role_id, []):
            policy_props = self.properties(policy_id)
            origin = f"{self.type_of(policy_id)} {policy_id}"
            statements.extend(self.statements(policy_props.get("PolicyDocument"), origin))
        self._role_cache[role_id] = (statements, managed)
        return statements, managed

    def _branches(self, node: Any, pos: Pos) -> List[Tuple[Any, Pos]]:
        branches = _if_branches(node)
        if branches is None:
            return [(node, pos)]
        return [(b, (getattr(b, "line", pos[0]), getattr(b, "column", pos[1]))) for b in branches]

    def _managed_arn(self, node: Any, pos: Pos, origin: str, statements: List[IamStatement],
                     managed: List[ManagedPolicy]) -> None:
        """A managed policy reference: a policy defined here contributes its statements."""
        local = [r for r in _references(node) if self.type_of(r) == MANAGED_POLICY]
        if local:
            for policy_id in local:
                statements.extend(self.statements(self.properties(policy_id).get("PolicyDocument"),
                                                  f"{MANAGED_POLICY} {policy_id}"))
            return
        managed.append(ManagedPolicy(self.value(node, pos)[0], origin))

    def attached_policies(self) -> Dict[str, List[str]]:
        """Role logical id -> the policy resources whose ``Roles``/``RoleName`` name it."""
        if self._attached is None:
            self._attached = {}
            roles = self.roles
            by_name = {name: rid for rid, name in self._role_names.items()}
            for policy_id in self.ids_of(POLICY, MANAGED_POLICY, ROLE_POLICY):
                props = self.properties(policy_id)
                names = props.get("RoleName") if self.type_of(policy_id) == ROLE_POLICY \
                    else props.get("Roles")
                targets: Set[str] = set()
                for item, _ in _items(names):
                    targets |= {r for r in _references(item) if r in roles}
                    if isinstance(item, str) and item in by_name:
                        targets.add(by_name[item])
                for role_id in sorted(targets):
                    self._attached.setdefault(role_id, []).append(policy_id)
        return self._attached

    def statements(self, document: Any, origin: str, depth: int = 0) -> List[IamStatement]:
        """Statements of a policy document ``{Version, Statement}``, a statement list, or one
        statement; both branches of an ``!If``."""
        out: List[IamStatement] = []
        if depth > 20:
            return out
        branches = _if_branches(document)
        if branches is not None:
            for branch in branches:
                out.extend(self.statements(branch, origin, depth + 1))
            return out
        if isinstance(document, dict) and "Statement" in document:
            document = document["Statement"]
        for item, pos in _items(document):
            branches = _if_branches(item)
            if branches is not None:
                for branch in branches:
                    out.extend(self.statements(branch, origin, depth + 1))
                continue
            if isinstance(item, dict) and _intrinsic(item) is None \
                    and any(k in item for k in ("Effect", "Action", "NotAction")):
                out.append(self._statement(item, pos, origin))
        return out

    def _statement(self, item: Dict[Any, Any], pos: Pos, origin: str) -> IamStatement:
        effect = item.get("Effect")
        effect_text = str(effect).strip() if isinstance(effect, str) else "Allow"
        line, column = getattr(item, "line", pos[0]), getattr(item, "column", pos[1])
        return IamStatement(
            effect="Deny" if effect_text.lower() == "deny" else "Allow",
            actions=self._values(item, "Action"),
            not_actions=self._values(item, "NotAction"),
            resources=self._values(item, "Resource"),
            not_resources=self._values(item, "NotResource"),
            path=self.path, line=line, origin=origin, column=column,
            condition_keys=condition_keys(item.get("Condition")),
        )

    def _values(self, container: Dict[Any, Any], key: str) -> List[Value]:
        if key not in container:
            return []
        node = container[key]
        out: List[Value] = []
        items = list(_items(node)) if isinstance(node, list) else [(node, _pos(container, key))]
        for item, pos in items:
            for branch, branch_pos in self._branches(item, pos):
                if isinstance(branch, list):
                    out.extend(self.value(b, p)[0] for b, p in _items(branch))
                elif branch is not None:
                    out.append(self.value(branch, branch_pos)[0])
        return out

    def _sam_policies(self, logical_id: str, policies: Any, pos: Pos, function: Function) -> None:
        origin = f"Policies of {logical_id}"
        items = list(_items(policies)) if isinstance(policies, list) else [(policies, pos)]
        for item, item_pos in items:
            for branch, branch_pos in self._branches(item, item_pos):
                if isinstance(branch, list):
                    self._sam_policies(logical_id, branch, branch_pos, function)
                elif isinstance(branch, str) or _intrinsic(branch) is not None:
                    self._managed_arn(branch, branch_pos, origin, function.statements,
                                      function.managed_policies)
                elif isinstance(branch, dict):
                    if "Statement" in branch or "Effect" in branch or "Action" in branch:
                        function.statements.extend(self.statements(branch, origin))
                    else:
                        self._policy_template(logical_id, branch, function)

    def _policy_template(self, logical_id: str, item: Dict[Any, Any], function: Function) -> None:
        """``{S3CrudPolicy: {BucketName: "*"}}``: a statement only when the scope is "*"."""
        for name, params in item.items():
            known = POLICY_TEMPLATES.get(str(name))
            if known is None or not isinstance(params, dict):
                continue
            parameter, actions, resource = known
            star = params.get(parameter)
            if not isinstance(star, str) or star.strip() != "*":
                continue
            line, column = _pos(params, parameter)
            origin = f"SAM policy template {name} of {logical_id}"
            function.statements.append(IamStatement(
                effect="Allow",
                actions=[Value(a, a, self.path, line, column) for a in actions],
                not_actions=[],
                resources=[Value(resource, resource, self.path, line, column)],
                not_resources=[], path=self.path, line=line, origin=origin, column=column,
                template=name,
            ))


def condition_keys(condition: Any) -> List[str]:
    """The keys of a statement's ``Condition`` (``{StringEquals: {kms:ViaService: ...}}``),
    in order; CloudFormation's and Serverless's statements are the same mappings."""
    keys: List[str] = []
    if not isinstance(condition, dict):
        return keys
    for operator in condition.values():
        if isinstance(operator, dict):
            keys.extend(str(key) for key in operator if str(key) not in keys)
    return keys
