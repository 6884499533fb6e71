"""LL202 wildcard-iam-action: a function's role may do everything a service allows.

A statement or managed policy shared by several functions is reported once, at its own lines,
naming every function that runs with it (``rules._iam``). Suggestions list the actions the linked
handler code calls, in the function's own syntax (its dialect).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, IamStatement, ManagedPolicy, Project
from lambdalint.rules._iam import Location, last_is, service, statements, text
from lambdalint.rules._iam_calls import checked, unmapped_note
from lambdalint.rules._iam_tables import is_full_access_policy, is_wildcard_action
from lambdalint.rules._wording import indent, names, who
from lambdalint.rules.base import ConfigRule
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


# What a service's least privilege usually looks like, for suggestions without linked code.
_EXAMPLE_ACTIONS = {
    "s3": ["s3:GetObject", "s3:PutObject"],
    "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
    "sqs": ["sqs:SendMessage"],
    "sns": ["sns:Publish"],
    "lambda": ["lambda:InvokeFunction"],
    "secretsmanager": ["secretsmanager:GetSecretValue"],
    "ssm": ["ssm:GetParameter"],
    "kms": ["kms:Decrypt"],
    "events": ["events:PutEvents"],
    "states": ["states:StartExecution"],
    "kinesis": ["kinesis:PutRecord"],
}


def _called(functions: List[Function], project: Project,
            of: Optional[str]) -> Tuple[List[str], List[str]]:
    """The actions the linked handler code of ``functions`` calls (of service ``of`` if given),
    each one AWS's data has, and the calls that could not be mapped to one."""
    called: List[str] = []
    for function in functions:
        if not function.handler_file:
            continue
        key = str(Path(function.handler_file).resolve())
        for action in project.actions_by_file.get(key, []):
            if (of is None or service(action) == of) and action not in called:
                called.append(action)
    return checked(called)


def _actions(function: Function, actions: List[str], statement: Optional[IamStatement]) -> str:
    """``actions`` as an Action list of ``statement`` (None: a new one), in the function's
    syntax."""
    dialect = dialect_of(function)
    return indent(dialect.statement_list("Action", dialect.quote_actions(actions), statement))


def _least_privilege(functions: List[Function], project: Project, of: Optional[str],
                     statement: IamStatement, wildcard: str) -> str:
    """The actions to grant instead of ``wildcard``: those the linked handler code calls."""
    first = functions[0]
    called, unmapped = _called(functions, project, of)
    return _least_privilege_text(first, called, of, statement, wildcard) + unmapped_note(unmapped)


def _least_privilege_text(first: Function, called: List[str], of: Optional[str],
                          statement: IamStatement, wildcard: str) -> str:
    if called:
        return ("The handler code calls only these; grant exactly them (add any that other "
                "modules call):\n" + _actions(first, called, statement))
    examples = _EXAMPLE_ACTIONS.get(of or "", [])
    if of and examples:
        return (f"List only the {of} actions the function calls instead of {wildcard}, "
                f"e.g.\n" + _actions(first, examples, statement))
    if of:
        return (f"List only the {of} actions the function calls instead of {wildcard} "
                f"(the Service Authorization Reference names them).")
    return (f"List only the actions the function calls instead of {wildcard}, e.g.\n"
            + _actions(first, ["s3:GetObject", "dynamodb:PutItem"], statement))


def _excludes_everything(statement: IamStatement) -> bool:
    """``Allow`` + ``NotAction: "*"`` grants nothing: every action is excluded."""
    return any(v.literal and text(v).strip() in ("*", "*:*") for v in statement.not_actions)


def _scope_words(of: Optional[str]) -> str:
    return "every action of every service" if of is None else f"every {of} action"


class WildcardIamAction(ConfigRule):
    """A role that may do everything a service allows turns any bug or injection in the function
    into full control of that service (or of the account, for ``*``)."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        for statement, functions in statements(project, self.ID).values():
            for_whom = who(statement.origin, functions)
            for action in statement.actions:
                written = text(action).strip()
                if not action.literal or not is_wildcard_action(written):
                    continue
                of = None if written in ("*", "*:*") else service(written)
                yield self.finding_at(
                    None, action,
                    f"{statement.origin} allows {written} ({_scope_words(of)}){for_whom}",
                    _least_privilege(functions, project, of, statement, written),
                )
            if statement.not_actions and not _excludes_everything(statement):
                first = statement.not_actions[0]
                excluded = ", ".join(text(a) for a in statement.not_actions[:3]) + (
                    f" and {len(statement.not_actions) - 3} more"
                    if len(statement.not_actions) > 3 else "")
                yield self.finding_at(
                    None, first,
                    f"{statement.origin} uses Allow with NotAction{for_whom}: it allows every "
                    f"action except {excluded}, including actions AWS adds later",
                    "Replace NotAction with an Action list of what the function needs. "
                    + _least_privilege(functions, project, None, statement, "NotAction"),
                )
        for policy, functions in _managed_policies(project, self.ID):
            name = is_full_access_policy(text(policy.name))
            if not name:
                continue
            scope = ("every action on every resource of the account"
                     if name == "AdministratorAccess" else "full access")
            verb = "runs" if len(functions) == 1 else "run"
            yield self.finding_at(
                None, policy.name,
                f"{names(functions)} {verb} with the AWS managed policy {name} "
                f"({policy.origin}), which grants {scope}",
                _managed_suggestion(functions, project),
            )


def _managed_policies(project: Project, rule_id: str) -> List[Tuple[ManagedPolicy, List[Function]]]:
    """Each attached managed policy once, with the functions that run with it."""
    found: "OrderedDict[Location, Tuple[ManagedPolicy, List[Function]]]" = OrderedDict()
    for function in project.functions:
        for policy in function.managed_policies:
            key = (policy.name.path, policy.name.line, policy.name.column)
            found.setdefault(key, (policy, []))
            if not function.ignores(rule_id) and not last_is(found[key][1], function):
                found[key][1].append(function)
    return [entry for entry in found.values() if entry[1]]


def _managed_suggestion(functions: List[Function], project: Project) -> str:
    scoped = dialect_of(functions[0]).scoped_policy_hint()
    called, unmapped = _called(functions, project, None)
    suggestion = (f"Replace it with {scoped} that lists the actions and resources the function "
                  "needs.")
    if called:
        suggestion += ("\nThe handler code calls only these actions (add any that other modules "
                       "call):\n" + _actions(functions[0], called, None))
    return suggestion + unmapped_note(unmapped)


Rule = WildcardIamAction
