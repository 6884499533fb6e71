"""LL202 wildcard-iam-action and LL203 wildcard-iam-resource, over the IAM of function roles.

A statement can be attached to several functions (one role, many functions): it is reported once,
at its own lines, naming every function that runs with it.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from lambdalint.findings import Finding
from lambdalint.model import (
    CDK,
    CLOUDFORMATION,
    SAM,
    SERVERLESS,
    TERRAFORM,
    Function,
    IamStatement,
    Project,
    Value,
)
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.iam_tables import (
    STAR_RESOURCE,
    is_full_access_policy,
    is_star_only,
    is_wildcard_action,
)


def _text(value: Value) -> str:
    return str(value.value) if value.literal and value.value is not None else value.text


def _statements(project: Project) -> "OrderedDict[Tuple[str, int, int], Tuple[IamStatement, List[Function]]]":
    """Each Allow statement once, with the functions that run with it."""
    found: "OrderedDict[Tuple[str, int, int], Tuple[IamStatement, List[Function]]]" = OrderedDict()
    for function in project.functions:
        for statement in function.statements:
            if statement.effect.strip().lower() == "deny":
                continue
            key = (statement.path, statement.line, statement.column)
            if key not in found:
                found[key] = (statement, [])
            if function not in found[key][1]:
                found[key][1].append(function)
    return found


def _names(functions: List[Function]) -> str:
    names = [f.name for f in functions]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:3])} and {len(names) - 3} more"


def _actions_block(actions: List[str], fmt: str) -> str:
    if fmt == TERRAFORM:
        return "actions = [" + ", ".join(f'"{a}"' for a in actions) + "]"
    if fmt == CDK:
        return "actions=[" + ", ".join(f'"{a}"' for a in actions) + "],"
    key = "Action" if fmt in (SAM, CLOUDFORMATION, SERVERLESS) else "Action"
    return f"{key}:\n" + "\n".join(f"  - {a}" for a in actions)


def _least_privilege(functions: List[Function], project: Project, service: Optional[str]) -> str:
    """The actions the linked handler code calls, as a replacement list."""
    called: List[str] = []
    for function in functions:
        key = str(Path(function.handler_file).resolve()) if function.handler_file else ""
        for action in project.actions_by_file.get(key, []):
            if (service is None or action.split(":")[0] == service) and action not in called:
                called.append(action)
    if not called:
        return ("List only the actions the function calls, e.g. s3:GetObject and s3:PutObject "
                "instead of s3:*.")
    return ("The handler code calls only these; grant exactly them:\n"
            + _actions_block(called, functions[0].format))


class WildcardIamAction(ConfigRule):
    """A role that may do everything a service allows turns any bug or injection in the function
    into full control of that service (or of the account, for ``*``)."""

    ID = "LL202"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        for statement, functions in _statements(project).values():
            silenced = [f for f in functions if f.ignores(self.ID)]
            if silenced and len(silenced) == len(functions):
                continue
            who = _names(functions)
            for action in statement.actions:
                text = _text(action)
                if not action.literal or not is_wildcard_action(text):
                    continue
                service = None if text.strip() in ("*", "*:*") else text.split(":")[0].lower()
                scope = "every action of every service" if service is None else f"every {service} action"
                yield self.finding_at(
                    None, action,
                    f"{statement.origin} allows {text!s} ({scope}) for {who}",
                    _least_privilege(functions, project, service),
                )
            if statement.not_actions:
                first = statement.not_actions[0]
                yield self.finding_at(
                    None, first,
                    f"{statement.origin} uses Allow with NotAction for {who}: it allows every "
                    "action except the listed ones, including actions AWS adds later",
                    "Replace NotAction with an Action list of what the function needs. "
                    + _least_privilege(functions, project, None),
                )
        seen = set()
        for function in project.functions:
            for policy in function.managed_policies:
                text = _text(policy.name)
                name = is_full_access_policy(text)
                key = (policy.name.path, policy.name.line, policy.name.column)
                if not name or key in seen or function.ignores(self.ID):
                    continue
                seen.add(key)
                yield self.finding_at(
                    None, policy.name,
                    f"{function.name} runs with the AWS managed policy {name} "
                    f"({policy.origin}), which grants full access",
                    "Replace it with a policy that lists the actions and resources the function "
                    "needs (SAM policy templates such as DynamoDBCrudPolicy or S3ReadPolicy scope "
                    "to one resource). " + _least_privilege([function], project, None),
                )


class WildcardIamResource(ConfigRule):
    """``Resource: "*"`` lets actions that could be scoped to one table, bucket or queue reach
    every one in the account."""

    ID = "LL203"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        allow_logs = bool(self.options.get("allow-logs-on-star", True))
        for statement, functions in _statements(project).values():
            if all(f.ignores(self.ID) for f in functions):
                continue
            stars = [r for r in statement.resources if r.literal and STAR_RESOURCE.match(_text(r).strip())]
            if not stars:
                continue
            actions = [a for a in statement.actions if a.literal]
            if statement.not_actions:
                scoped = ["(NotAction)"]
            else:
                scoped = [_text(a) for a in actions if not is_star_only(_text(a), allow_logs)]
            if not scoped and not statement.not_actions:
                continue
            if not actions and not statement.not_actions:
                continue
            shown = ", ".join(scoped[:4]) + (f" and {len(scoped) - 4} more" if len(scoped) > 4 else "")
            star = _text(stars[0])
            yield self.finding_at(
                None, stars[0],
                f"{statement.origin} grants {shown} on {star!s} for {_names(functions)}; "
                "these actions can be limited to specific resources",
                _resource_suggestion(functions[0], scoped),
            )


def _resource_suggestion(function: Function, actions: List[str]) -> str:
    service = actions[0].split(":")[0].lower() if actions and ":" in actions[0] else "service"
    examples: Dict[str, str] = {
        "s3": "arn:aws:s3:::my-bucket/*",
        "dynamodb": "arn:aws:dynamodb:REGION:ACCOUNT:table/my-table",
        "sqs": "arn:aws:sqs:REGION:ACCOUNT:my-queue",
        "sns": "arn:aws:sns:REGION:ACCOUNT:my-topic",
        "lambda": "arn:aws:lambda:REGION:ACCOUNT:function:my-function",
        "secretsmanager": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:my-secret-*",
        "ssm": "arn:aws:ssm:REGION:ACCOUNT:parameter/my-app/*",
        "kms": "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID",
        "logs": "arn:aws:logs:REGION:ACCOUNT:log-group:/aws/lambda/my-function:*",
    }
    arn = examples.get(service, f"the ARN of the {service} resource")
    fmt = function.format
    if fmt in (SAM, CLOUDFORMATION):
        ref = "!GetAtt MyTable.Arn" if service == "dynamodb" else "!Sub arn:aws:s3:::${MyBucket}/*" \
            if service == "s3" else arn
        return f"Name the resources instead of \"*\", e.g.\n  Resource: {ref}\n(SAM policy templates such as " \
               "DynamoDBCrudPolicy and S3ReadPolicy do this for you.)"
    if fmt == TERRAFORM:
        return f"Name the resources instead of \"*\", e.g.\n  resources = [aws_dynamodb_table.my_table.arn]\n(or \"{arn}\")"
    if fmt == CDK:
        return (f"Name the resources instead of \"*\", e.g. resources=[table.table_arn], or use a "
                f"grant method (table.grant_read_data(fn)), which scopes the policy for you.")
    return f"Name the resources instead of \"*\", e.g.\n  Resource: {arn}"
