"""AWS SAM and CloudFormation templates (YAML or JSON) into ``Function`` records.

The template arrives as ``yamlload`` values (short tags already in long form), so YAML and JSON
are read by the same code. Everything here is an evaluation of what the template says, never a
deployment: intrinsics are followed only as far as the template alone can answer.

Choices the rules depend on:

- Values. A literal is a literal. ``!Ref P`` of a parameter with a ``Default`` is that default
  (``text`` says ``!Ref P (default 3)``, the line is the reference's), except for
  ``AWS::SSM::Parameter::Value<...>`` parameters, whose default names an SSM parameter. A
  ``!Sub`` or ``!Join`` whose only references are pseudo parameters is literal, its value the
  string as ``!Sub`` writes it (``arn:${AWS::Partition}:s3:::*``, ``text`` the short form):
  partition, region and account never make a wildcard narrower. Anything else (``!Sub`` with
  other ``${}``, ``!GetAtt``, ``!If``, ``!FindInMap``, ``!Ref AWS::Region``) is
  ``literal=False`` with the short form in ``text``. A timeout set that way has origin "unknown"
  and no seconds: it was set on purpose, so it is never reported as the default.
- Dynamic references. A string holding ``{{resolve:ssm:...}}`` or ``{{resolve:secretsmanager:...}}``
  is written literally in the file, but CloudFormation replaces it at deploy time, so it is a
  reference, not a value: ``literal=False``, ``value=None``, ``text`` as written. The secret rule
  therefore never sees it as a secret, and need not know the syntax.
- Format: "sam" when the template has the ``AWS::Serverless-2016-10-31`` transform (a string or
  in a list) or the function is an ``AWS::Serverless::Function``, else "cloudformation". A caller
  (the Serverless reader, for ``resources:``) may impose its own.
- IAM: a function gets the statements of the role it runs with: SAM ``Policies`` (ignored by SAM
  when ``Role`` is set, so here too), or the ``AWS::IAM::Role`` its ``Role`` names (``!GetAtt
  R.Arn``, ``!Ref R``, a ``!Sub`` ARN, or an ARN ending in the role's ``RoleName``), with that
  role's inline ``Policies``, ``ManagedPolicyArns``, and the ``AWS::IAM::Policy``,
  ``AWS::IAM::ManagedPolicy`` and ``AWS::IAM::RolePolicy`` resources attached to it through
  ``Roles``/``RoleName``. A role whose trust policy names only other services (states, events,
  apigateway...) is not a Lambda role and is not attached, even if misused; ``Users`` and
  ``Groups`` of a policy never reach a function. SAM policy templates are scoped by their
  parameter and add nothing, unless the parameter is ``"*"``: then a synthetic statement with
  the template's main actions on what SAM would expand it to.
- Events: SAM ``Events`` (Api and HttpApi are "api", SQS is "sqs" with the queue's visibility
  timeout when the queue is in the template, others their type in lower case);
  ``AWS::Lambda::EventSourceMapping`` resources; API Gateway integrations that name the function
  (``AWS::ApiGateway::Method``, ``AWS::ApiGatewayV2::Integration``, and a ``DefinitionBody`` or
  ``Body`` OpenAPI document). Load balancer targets and function URLs are not "api": their
  timeouts are not API Gateway's 29 seconds.
- Inline code: ``ZipFile``/``InlineCode`` written as a literal block (``|``) maps line for line;
  a JSON string or a ``!Join`` of lines cannot be mapped, so it is kind "inline" without text.

The reader is one class, ``_Template``, put together from mixins by concern: ``template``
(resources, values, functions, code, suppression), ``iam``, ``events``,
``observability`` (tracing, log groups), ``exposure`` (URL, invoke permissions, VPC); the
value helpers they
share are in ``intrinsics``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Tuple

from lambdalint.discovery import SourceFile
from lambdalint.model import Function, IamStatement, ManagedPolicy, Value
from lambdalint.sources.cloudformation.events import (
    EVENT_INVOKE_CONFIG,
    SQS_DEFAULT_TEXT,
    SQS_DEFAULT_VISIBILITY,
    _Events,
)
from lambdalint.sources.cloudformation.exposure import _Exposure
from lambdalint.sources.cloudformation.iam import POLICY_TEMPLATES, _Iam
from lambdalint.sources.cloudformation.observability import _Observability
from lambdalint.sources.cloudformation.template import (
    DEFAULT_TIMEOUT,
    FUNCTION_TYPES,
    LAMBDA_FUNCTION,
    MANAGED_POLICY,
    POLICY,
    QUEUE,
    ROLE,
    ROLE_POLICY,
    SAM_FUNCTION,
    SAM_TRANSFORM,
    _Code,
    _Core,
    is_template,
)

__all__ = [
    "DEFAULT_TIMEOUT", "EVENT_INVOKE_CONFIG", "FUNCTION_TYPES", "LAMBDA_FUNCTION", "MANAGED_POLICY", "POLICY",
    "POLICY_TEMPLATES", "QUEUE", "ROLE", "ROLE_POLICY", "SAM_FUNCTION", "SAM_TRANSFORM",
    "SQS_DEFAULT_TEXT", "SQS_DEFAULT_VISIBILITY", "is_template", "queue_redrive", "queue_visibility",
    "read_template", "role_permissions",
]


class _Template(_Core, _Code, _Iam, _Events, _Observability, _Exposure):
    """One template being read (see ``_Core``); each mixin is one concern of the reader."""


# -- entry points ----------------------------------------------------------------------------------

def read_template(data: Any, source: SourceFile, text: str = "", *, format: Optional[str] = None,
                  base_dir: Optional[Path] = None) -> List[Function]:
    """Every Lambda function of a template, with its code, timeout, environment, IAM and events.

    ``data``: the ``yamlload`` result of a whole template, or only part of one: a mapping that
    holds ``Resources`` (a serverless.yml's ``resources:`` section), or a bare ``Resources``
    mapping. ``source``: the file, for paths (``source.display``) and the directory ``CodeUri``
    is relative to. ``text``: the file's text, for ``# lambdalint: ignore`` comments.
    ``format``: impose a format on every function (the Serverless reader passes "serverless");
    by default "sam" or "cloudformation" as the module docstring says. ``base_dir``: the
    directory local code paths are relative to, if not the file's own.
    Never raises on an odd shape: what cannot be read is skipped.
    """
    if not isinstance(data, dict):
        return []
    return list(_Template(data, source, text, format, base_dir).functions())


def role_permissions(data: Any, source: SourceFile, role: Any
                     ) -> Tuple[Optional[str], List[IamStatement], List[ManagedPolicy]]:
    """The IAM of the role that ``role`` names in the template ``data`` (same shapes as
    ``read_template``): a logical id string, ``!GetAtt R.Arn``, ``!Ref R`` or an ARN.
    Returns (role name for messages, statements, managed policies); empty when the role is not
    defined in ``data`` or is not assumable by Lambda. For the Serverless reader's ``role:``."""
    if not isinstance(data, dict):
        return None, [], []
    template = _Template(data, source, "", None, None)
    if isinstance(role, str) and template.type_of(role.strip()) == ROLE:
        role = {"Ref": role.strip()}
    name, role_ids = template.role_targets(role)
    statements: List[IamStatement] = []
    managed: List[ManagedPolicy] = []
    for role_id in role_ids:
        found_statements, found_managed = template.role_iam(role_id)
        statements.extend(found_statements)
        managed.extend(found_managed)
    return name, statements, managed


def queue_visibility(data: Any, source: SourceFile, queue: Any) -> Optional[Value]:
    """The visibility timeout of the ``AWS::SQS::Queue`` in ``data`` that ``queue`` names
    (``!GetAtt Q.Arn``, ``!Ref Q``, a ``!Sub`` with ``${Q.Arn}``), SQS's default of 30 s when the
    queue sets none, None when the queue is not defined there."""
    if not isinstance(data, dict):
        return None
    return _Template(data, source, "", None, None).queue_visibility(queue)


def queue_redrive(data: Any, source: SourceFile, queue: Any) -> Optional[Tuple[bool, int]]:
    """Whether the ``AWS::SQS::Queue`` in ``data`` that ``queue`` names has a ``RedrivePolicy``,
    and the queue's line; None when the queue is not defined there."""
    if not isinstance(data, dict):
        return None
    event = _Template(data, source, "", None, None).sqs_event(queue, 0)
    if event.redrive is None:
        return None
    return event.redrive, event.queue_line
