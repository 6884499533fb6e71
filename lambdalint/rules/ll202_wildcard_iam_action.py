"""Wildcard IAM actions (LL202): its logic lives in ``rules.iam`` until the split."""

from __future__ import annotations

from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL202",
    name="wildcard-iam-action",
    severity="error",
    summary="A function's role allows every action of a service, or a full-access managed policy.",
    kind="config",
    tags=("security", "external/cwe/cwe-732", "external/cwe/cwe-269"),
    security_severity="8.0",
    reports="`*` / `service:*` actions, `Allow` + `NotAction`, full-access managed policies",
    covers=("", "yes", "yes", "yes", "yes"),
)


from lambdalint.rules.iam import WildcardIamAction as Rule  # noqa: E402
