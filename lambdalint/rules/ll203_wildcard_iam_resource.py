"""LL203 wildcard-iam-resource: ``Resource: "*"`` for actions that can be scoped.

A statement shared by several functions is reported once (``rules._iam``); the suggestion names
resources in the function's own syntax (its dialect), or the parameter of a SAM policy template.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.dialects.base import INTRINSIC_RESOURCES
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, IamStatement, Project, Value
from lambdalint.rules._iam import service, statements, text
from lambdalint.rules._iam_tables import (is_star_only, pinning_keys, resource_service,
                                          star_resource_scope)
from lambdalint.rules._wording import indent, who
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL203",
    name="wildcard-iam-resource",
    severity="warning",
    summary="A function's role grants resource-scoped actions on every resource.",
    kind="config",
    options=(
        Option("allow-logs-on-star", "bool", True,
               "accept CloudWatch Logs actions on '*' as AWS's basic role does"),
    ),
    tags=("security", "external/cwe/cwe-732", "external/cwe/cwe-269"),
    security_severity="5.5",
    reports='`Resource: "*"` for actions that can be scoped',
    covers=("", "yes", "yes", "yes", "yes"),
)


# A SAM policy template's scope parameter, by the template's name prefix.
_TEMPLATE_PARAMETERS = (("S3", "BucketName", "!Ref MyBucket"),
                        ("DynamoDB", "TableName", "!Ref MyTable"),
                        ("SQS", "QueueName", "!GetAtt MyQueue.QueueName"),
                        ("SNS", "TopicName", "!GetAtt MyTopic.TopicName"),
                        ("Lambda", "FunctionName", "!Ref MyFunction"),
                        ("KMS", "KeyId", "!Ref MyKey"))


def _resource_suggestion(function: Function, statement: IamStatement, services: List[str],
                         scoped: List[str]) -> str:
    name = statement.template
    if name:
        for prefix, parameter, example in _TEMPLATE_PARAMETERS:
            if name.startswith(prefix):
                return ("Give the policy template the resource instead of \"*\":\n"
                        + indent(f"- {name}:\n    {parameter}: {example}"))
        return f"Give the policy template {name} the name of one resource instead of \"*\"."
    suggestion = dialect_of(function).resource_suggestion(services, statement,
                                                          function.resources)
    covered = [s for s in services if s in INTRINSIC_RESOURCES] if suggestion is not None else []
    formats = _arn_formats(scoped, covered)
    if suggestion is not None:
        return suggestion + formats
    wanted = " and ".join(services[:3]) or "the"
    return (f"Name the {wanted} resources the function uses instead of \"*\" (their ARNs; the "
            "Service Authorization Reference lists each action's resource types)." + formats)


def _arn_formats(scoped: List[str], covered: List[str]) -> str:
    """The ARN formats AWS's data gives the scoped actions of services the dialect has no
    example of (``rds-data:ExecuteStatement`` takes a cluster ARN, not a secret's)."""
    from lambdalint.rules import _iam_data

    lines: List[str] = []
    for written in scoped:
        for found in (_iam_data.expand(written) or [])[:3]:
            if found.service in covered or found.star_only:
                continue
            for arn in found.arn_formats[:2]:
                line = f"{found.full}: {arn}"
                if line not in lines:
                    lines.append(line)
    if not lines:
        return ""
    return "\nThe ARN formats these actions take (AWS's data):\n" + indent("\n".join(lines[:6]))


def _first_reached(stars: List[Tuple[Value, str]], scoped: List[str]
                   ) -> Tuple[Optional[Value], str, List[str]]:
    """The first wildcard resource that grants some of ``scoped``, with those actions: an ARN
    of one service (``arn:aws:logs:*:*:*``) grants nothing to another service's actions."""
    for star, scope in stars:
        of = resource_service(text(star)) if star.literal else None
        reached = [a for a in scoped
                   if of is None or service(a) in (of, "*", "") or of in _arn_services(a)]
        if reached:
            return star, scope, reached
    return None, "", []


def _by_power(actions: List[str]) -> List[str]:
    """``actions`` with the most powerful first (Permissions management, Write, Tagging, then
    Read and List, by AWS's access levels); a stable sort, so equals keep their order."""
    from lambdalint.rules import _iam_data

    def rank(action: str) -> int:
        found = _iam_data.expand(action) or []
        return min((_iam_data.rank(a.access) for a in found), default=len(_iam_data.ACCESS_RANK))

    return sorted(actions, key=rank)


def _arn_services(action: str) -> List[str]:
    """The services whose ARNs ``action`` takes (``rds`` for ``rds-data:ExecuteStatement``)."""
    from lambdalint.rules import _iam_data

    found = _iam_data.action(action)
    return [arn.split(":")[2].lower() for arn in (found.arn_formats if found else [])
            if arn.count(":") >= 2]


class WildcardIamResource(ConfigRule):
    """``Resource: "*"`` lets actions that could be scoped to one table, bucket or queue reach
    every one in the account."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        allow_logs = bool(self.options.get("allow-logs-on-star", True))
        for statement, functions in statements(project, self.ID).values():
            if statement.not_actions:
                continue  # every action but a few: LL202 reports it, and what it allows is unknown
            stars = [(r, star_resource_scope(text(r))) for r in statement.resources if r.literal]
            stars = [(r, scope) for r, scope in stars if scope]
            if not statement.resources and statement.not_resources:
                # Allow + NotResource grants every resource but the few it names.
                first = statement.not_resources[0]
                stars = [(first, "every resource except " + ", ".join(
                    text(r) for r in statement.not_resources[:2]))]
            if not stars:
                continue
            scoped = [text(a).strip() for a in statement.actions
                      if a.literal and not is_star_only(text(a).strip(), allow_logs)]
            star, scope, scoped = _first_reached(stars, scoped)
            if not scoped:
                continue
            scoped = _by_power(scoped)
            shown = ", ".join(scoped[:4])
            if len(scoped) > 4:
                shown += f" and {len(scoped) - 4} more"
            services = []
            for action in scoped:
                of = service(action)
                if of and of != "*" and of not in services:
                    services.append(of)
            written = '"*"' if statement.template else text(star).strip()
            if not statement.resources:
                written = "NotResource"
            pins = pinning_keys(statement.condition_keys)
            if pins:
                yield self.finding_at(
                    None, star,
                    f"{statement.origin} grants {shown} on {written} ({scope}), limited by "
                    f"the condition {', '.join(pins[:3])}{who(statement.origin, functions)}",
                    "The condition narrows what \"*\" reaches; naming the resources as well "
                    "makes the limit visible in the policy.", severity=Severity.NOTE,
                )
                continue
            yield self.finding_at(
                None, star,
                f"{statement.origin} grants {shown} on {written} ({scope})"
                f"{who(statement.origin, functions)}; these actions can be limited to specific "
                "resources",
                _resource_suggestion(functions[0], statement, services, scoped),
            )


Rule = WildcardIamResource
