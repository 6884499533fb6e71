"""LL202 wildcard-iam-action and LL203 wildcard-iam-resource, over the IAM of function roles.

A statement or managed policy can be attached to several functions (one role, many functions):
it is reported once, at its own lines, naming every function that runs with it.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from lambdalint.findings import Finding
from lambdalint.model import (
    CDK,
    CLOUDFORMATION,
    SAM,
    TERRAFORM,
    Function,
    IamStatement,
    ManagedPolicy,
    Project,
    Value,
)
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.iam_tables import (
    is_full_access_policy,
    is_star_only,
    is_wildcard_action,
    star_resource_scope,
)
from lambdalint.rules.ll201_default_timeout import is_json, names

Location = Tuple[str, int, int]
Shared = "OrderedDict[Location, Tuple[IamStatement, List[Function]]]"


def _text(value: Value) -> str:
    return str(value.value) if value.literal and value.value is not None else value.text


def _statements(project: Project, rule_id: str) -> Shared:
    """Each Allow statement once, with the functions that run with it and do not silence
    ``rule_id``; a statement every function of which silences the rule is left out."""
    found: Shared = OrderedDict()
    for function in project.functions:
        for statement in function.statements:
            if statement.effect.strip().lower() == "deny":
                continue
            key = (statement.path, statement.line, statement.column)
            if key not in found:
                found[key] = (statement, [])
            if not function.ignores(rule_id) and not _last_is(found[key][1], function):
                found[key][1].append(function)
    return OrderedDict((k, v) for k, v in found.items() if v[1])


def _last_is(functions: List[Function], function: Function) -> bool:
    """Whether ``function`` was just added: the functions are walked one at a time, so a
    statement listed twice for one function repeats it at the end (O(1), unlike ``in``)."""
    return bool(functions) and functions[-1] is function


def _who(origin: str, functions: List[Function]) -> str:
    """`` for A, B`` unless the origin already names the one function (``Policies of A``)."""
    if len(functions) == 1 and re.search(rf"\b{re.escape(functions[0].name)}$", origin):
        return ""
    return f" for {names(functions)}"


def _service(action: str) -> str:
    return action.split(":", 1)[0].strip().lower() if ":" in action else ""


def _lowercase_hcl(origin: str) -> bool:
    """Terraform statement blocks (policy documents, the module's policy_statements) spell keys
    ``actions``/``resources``; jsonencode and heredoc JSON spell them ``Action``/``Resource``."""
    return "aws_iam_policy_document" in origin or "policy_statements" in origin


def _list_block(key: str, items: List[str], function: Function, origin: str) -> str:
    """``items`` as the statement key ``key`` (Action/Resource) in the statement's own syntax."""
    fmt = function.format
    if fmt == TERRAFORM:
        name = key.lower() + "s" if _lowercase_hcl(origin) else key
        if len(items) == 1 and name == key:
            return f"{name} = {items[0]}"
        return f"{name} = [" + ", ".join(items) + "]"
    if fmt == CDK:
        return f"{key.lower()}s=[" + ", ".join(items) + "],"
    if fmt in (SAM, CLOUDFORMATION) and is_json(function.path):
        shown = [_json_form(item) for item in items]
        return f'"{key}": ' + (shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]")
    if len(items) == 1:
        return f"{key}: {items[0]}"
    return f"{key}:\n" + "\n".join(f"  - {item}" for item in items)


def _json_form(item: str) -> str:
    """A YAML scalar or short-form intrinsic as JSON: ``!GetAtt T.Arn`` is
    ``{"Fn::GetAtt": ["T", "Arn"]}``."""
    text = item.strip()
    if text.startswith("!GetAtt "):
        resource, _, attribute = text[len("!GetAtt "):].partition(".")
        return f'{{"Fn::GetAtt": ["{resource}", "{attribute}"]}}'
    if text.startswith("!Ref "):
        return f'{{"Ref": "{text[len("!Ref "):]}"}}'
    if text.startswith("!Sub "):
        return f'{{"Fn::Sub": {json.dumps(text[len("!Sub "):].strip().strip(chr(34)))}}}'
    return json.dumps(text)


def _quoted(actions: List[str], function: Function) -> List[str]:
    return [f'"{a}"' for a in actions] if function.format in (TERRAFORM, CDK) else list(actions)


def _indent(text: str, spaces: int = 4) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


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


def _called(functions: List[Function], project: Project, service: Optional[str]) -> List[str]:
    """The actions the linked handler code of ``functions`` calls (of ``service`` if given)."""
    called: List[str] = []
    for function in functions:
        if not function.handler_file:
            continue
        key = str(Path(function.handler_file).resolve())
        for action in project.actions_by_file.get(key, []):
            if (service is None or _service(action) == service) and action not in called:
                called.append(action)
    return called


def _least_privilege(functions: List[Function], project: Project, service: Optional[str],
                     origin: str, wildcard: str) -> str:
    """The actions to grant instead of ``wildcard``: those the linked handler code calls."""
    first = functions[0]
    called = _called(functions, project, service)
    if called:
        return ("The handler code calls only these; grant exactly them (add any that other "
                "modules call):\n" + _indent(_list_block("Action", _quoted(called, first), first,
                                                       origin)))
    examples = _EXAMPLE_ACTIONS.get(service or "", [])
    if service and examples:
        return (f"List only the {service} actions the function calls instead of {wildcard}, "
                f"e.g.\n" + _indent(_list_block("Action", _quoted(examples, first), first,
                                                 origin)))
    if service:
        return (f"List only the {service} actions the function calls instead of {wildcard} "
                f"(the Service Authorization Reference names them).")
    return (f"List only the actions the function calls instead of {wildcard}, e.g.\n"
            + _indent(_list_block("Action", _quoted(["s3:GetObject", "dynamodb:PutItem"], first),
                                  first, origin)))


def _scope_words(service: Optional[str]) -> str:
    return "every action of every service" if service is None else f"every {service} action"


class WildcardIamAction(ConfigRule):
    """A role that may do everything a service allows turns any bug or injection in the function
    into full control of that service (or of the account, for ``*``)."""

    ID = "LL202"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        for statement, functions in _statements(project, self.ID).values():
            who = _who(statement.origin, functions)
            for action in statement.actions:
                text = _text(action).strip()
                if not action.literal or not is_wildcard_action(text):
                    continue
                service = None if text in ("*", "*:*") else _service(text)
                yield self.finding_at(
                    None, action,
                    f"{statement.origin} allows {text} ({_scope_words(service)}){who}",
                    _least_privilege(functions, project, service, statement.origin, text),
                )
            if statement.not_actions:
                first = statement.not_actions[0]
                excluded = ", ".join(_text(a) for a in statement.not_actions[:3]) + (
                    f" and {len(statement.not_actions) - 3} more"
                    if len(statement.not_actions) > 3 else "")
                yield self.finding_at(
                    None, first,
                    f"{statement.origin} uses Allow with NotAction{who}: it allows every action "
                    f"except {excluded}, including actions AWS adds later",
                    "Replace NotAction with an Action list of what the function needs. "
                    + _least_privilege(functions, project, None, statement.origin, "NotAction"),
                )
        for policy, functions in _managed_policies(project, self.ID):
            name = is_full_access_policy(_text(policy.name))
            if not name:
                continue
            scope = ("every action on every resource of the account"
                     if name == "AdministratorAccess" else "full access")
            verb = "runs" if len(functions) == 1 else "run"
            yield self.finding_at(
                None, policy.name,
                f"{names(functions)} {verb} with the AWS managed policy {name} "
                f"({policy.origin}), which grants {scope}",
                _managed_suggestion(functions, project, policy.origin),
            )


def _managed_policies(project: Project, rule_id: str) -> List[Tuple[ManagedPolicy, List[Function]]]:
    """Each attached managed policy once, with the functions that run with it."""
    found: "OrderedDict[Location, Tuple[ManagedPolicy, List[Function]]]" = OrderedDict()
    for function in project.functions:
        for policy in function.managed_policies:
            key = (policy.name.path, policy.name.line, policy.name.column)
            found.setdefault(key, (policy, []))
            if not function.ignores(rule_id) and not _last_is(found[key][1], function):
                found[key][1].append(function)
    return [entry for entry in found.values() if entry[1]]


def _managed_suggestion(functions: List[Function], project: Project, origin: str) -> str:
    fmt = functions[0].format
    if fmt == SAM:
        scoped = ("a SAM policy template scoped to one resource (S3ReadPolicy: {BucketName: "
                  "!Ref MyBucket}, DynamoDBCrudPolicy: {TableName: !Ref MyTable}) or a "
                  "statement")
    elif fmt == CDK:
        scoped = ("a grant method (table.grant_read_write_data(fn), bucket.grant_read(fn)) or a "
                  "PolicyStatement")
    else:
        scoped = "a statement"
    called = _called(functions, project, None)
    text = (f"Replace it with {scoped} that lists the actions and resources the function needs.")
    if called:
        text += ("\nThe handler code calls only these actions (add any that other modules "
                 "call):\n" + _indent(_list_block("Action", _quoted(called, functions[0]),
                                                  functions[0], origin)))
    return text


# -- LL203 --------------------------------------------------------------------------------------

# Per service: (CloudFormation/Serverless resource, Terraform resource, CDK resource, CDK grant).
_RESOURCE_EXAMPLES: Dict[str, Tuple[str, str, str, str]] = {
    "s3": ('!Sub "arn:${AWS::Partition}:s3:::${MyBucket}/*"', '"${aws_s3_bucket.my_bucket.arn}/*"',
           'bucket.arn_for_objects("*")', "bucket.grant_read_write(fn)"),
    "dynamodb": ("!GetAtt MyTable.Arn", "aws_dynamodb_table.my_table.arn", "table.table_arn",
                 "table.grant_read_write_data(fn)"),
    "sqs": ("!GetAtt MyQueue.Arn", "aws_sqs_queue.my_queue.arn", "queue.queue_arn",
            "queue.grant_send_messages(fn)"),
    "sns": ("!Ref MyTopic", "aws_sns_topic.my_topic.arn", "topic.topic_arn",
            "topic.grant_publish(fn)"),
    "lambda": ("!GetAtt MyFunction.Arn", "aws_lambda_function.my_function.arn",
               "other_fn.function_arn", "other_fn.grant_invoke(fn)"),
    "secretsmanager": ("!Ref MySecret", "aws_secretsmanager_secret.my_secret.arn",
                       "secret.secret_arn", "secret.grant_read(fn)"),
    "ssm": ('!Sub "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/my-app/*"',
            "aws_ssm_parameter.my_parameter.arn", "parameter.parameter_arn",
            "parameter.grant_read(fn)"),
    "kms": ("!GetAtt MyKey.Arn", "aws_kms_key.my_key.arn", "key.key_arn", "key.grant_decrypt(fn)"),
    "states": ("!Ref MyStateMachine", "aws_sfn_state_machine.my_machine.arn",
               "machine.state_machine_arn", "machine.grant_start_execution(fn)"),
    "kinesis": ("!GetAtt MyStream.Arn", "aws_kinesis_stream.my_stream.arn", "stream.stream_arn",
                "stream.grant_write(fn)"),
    "events": ("!GetAtt MyBus.Arn", "aws_cloudwatch_event_bus.my_bus.arn", "bus.event_bus_arn",
               "bus.grant_put_events_to(fn)"),
    "logs": ('!Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:'
             '/aws/lambda/my-function:*"',
             '"${aws_cloudwatch_log_group.my_group.arn}:*"', "log_group.log_group_arn",
             "log_group.grant_write(fn)"),
}

# A SAM policy template's scope parameter, by the template's name prefix.
_TEMPLATE_PARAMETERS = (("S3", "BucketName", "!Ref MyBucket"),
                        ("DynamoDB", "TableName", "!Ref MyTable"),
                        ("SQS", "QueueName", "!GetAtt MyQueue.QueueName"),
                        ("SNS", "TopicName", "!GetAtt MyTopic.TopicName"),
                        ("Lambda", "FunctionName", "!Ref MyFunction"),
                        ("KMS", "KeyId", "!Ref MyKey"))
_TEMPLATE_ORIGIN = re.compile(r"^SAM policy template (\w+) of ")


def _resource_suggestion(function: Function, statement: IamStatement, services: List[str]) -> str:
    template = _TEMPLATE_ORIGIN.match(statement.origin)
    if template:
        name = template.group(1)
        for prefix, parameter, example in _TEMPLATE_PARAMETERS:
            if name.startswith(prefix):
                return (f"Give the policy template the resource instead of \"*\":\n"
                        + _indent(f"- {name}:\n    {parameter}: {example}"))
        return f"Give the policy template {name} the name of one resource instead of \"*\"."
    fmt = function.format
    known = [s for s in services if s in _RESOURCE_EXAMPLES][:3]
    if not known:
        wanted = " and ".join(services[:3]) or "the"
        return (f"Name the {wanted} resources the function uses instead of \"*\" (their ARNs; the "
                "Service Authorization Reference lists each action's resource types).")
    if fmt == CDK:
        arns = [_RESOURCE_EXAMPLES[s][2] for s in known]
        grants = " or ".join(_RESOURCE_EXAMPLES[s][3] for s in known)
        return ("Name the resources instead of \"*\":\n"
                + _indent(f"resources=[{', '.join(arns)}],")
                + f"\nor use a grant method ({grants}), which writes a scoped policy for you.")
    column = 1 if fmt == TERRAFORM else 0
    arns = [_RESOURCE_EXAMPLES[s][column] for s in known]
    text = "Name the resources instead of \"*\", e.g.\n" + _indent(
        _list_block("Resource", arns, function, statement.origin))
    if fmt == SAM:
        text += ("\n(SAM policy templates such as DynamoDBCrudPolicy and S3ReadPolicy take the "
                 "resource's name and write the scoped statement for you.)")
    return text


class WildcardIamResource(ConfigRule):
    """``Resource: "*"`` lets actions that could be scoped to one table, bucket or queue reach
    every one in the account."""

    ID = "LL203"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        allow_logs = bool(self.options.get("allow-logs-on-star", True))
        for statement, functions in _statements(project, self.ID).values():
            if statement.not_actions:
                continue  # every action but a few: LL202 reports it, and what it allows is unknown
            stars = [(r, star_resource_scope(_text(r))) for r in statement.resources if r.literal]
            stars = [(r, scope) for r, scope in stars if scope]
            if not stars:
                continue
            scoped = [_text(a).strip() for a in statement.actions
                      if a.literal and not is_star_only(_text(a).strip(), allow_logs)]
            if not scoped:
                continue
            shown = ", ".join(scoped[:4])
            if len(scoped) > 4:
                shown += f" and {len(scoped) - 4} more"
            star, scope = stars[0]
            services = []
            for action in scoped:
                service = _service(action)
                if service and service != "*" and service not in services:
                    services.append(service)
            written = '"*"' if _TEMPLATE_ORIGIN.match(statement.origin) else _text(star).strip()
            yield self.finding_at(
                None, star,
                f"{statement.origin} grants {shown} on {written} ({scope})"
                f"{_who(statement.origin, functions)}; these actions can be limited to specific "
                "resources",
                _resource_suggestion(functions[0], statement, services),
            )
