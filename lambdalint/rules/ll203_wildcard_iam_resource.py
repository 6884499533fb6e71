"""Wildcard IAM resources (LL203): its logic lives in ``rules.iam`` until the split."""

from __future__ import annotations

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


from lambdalint.rules.iam import WildcardIamResource as Rule  # noqa: E402
