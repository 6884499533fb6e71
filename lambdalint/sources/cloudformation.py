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
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import registry, suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import (
    CLOUDFORMATION,
    SAM,
    CodeLocation,
    EnvVar,
    EventSource,
    Function,
    IamStatement,
    InlineCode,
    ManagedPolicy,
    Timeout,
    Value,
)
from lambdalint.sources.yamlload import YStr, scalar_text

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
DEFAULT_TIMEOUT = 3
SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)
ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
QUEUE = "AWS::SQS::Queue"

_RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$")
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]*)\}")
_RULE_ID = re.compile(r"^LL\d{3}$", re.IGNORECASE)
MAX_WALK_DEPTH = 200

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

Pos = Tuple[int, int]


# -- recognising a template ----------------------------------------------------------------------

def _is_sam_transform(transform: Any) -> bool:
    items = transform if isinstance(transform, list) else [transform]
    return any(isinstance(t, str) and t.strip() == SAM_TRANSFORM for t in items)


def _typed_resources(resources: Any) -> bool:
    if not isinstance(resources, dict):
        return False
    return any(isinstance(r, dict) and isinstance(r.get("Type"), str)
               and _RESOURCE_TYPE.match(r["Type"].strip()) for r in resources.values())


def is_template(data: Any) -> bool:
    """A CloudFormation or SAM template, by content: the format version, the SAM transform, or a
    ``Resources`` mapping whose resources have ``Type: Service::Thing`` names."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data or _is_sam_transform(data.get("Transform")):
        return True
    return _typed_resources(data.get("Resources"))


# -- intrinsic functions ---------------------------------------------------------------------------

def _intrinsic(node: Any) -> Optional[Tuple[str, Any]]:
    """(name, argument) when ``node`` is a one-key intrinsic (``Ref``, ``Fn::*``, ``Condition``,
    or an unknown tag such as ``!Rain::Embed``)."""
    if isinstance(node, dict) and len(node) == 1:
        (key, inner), = node.items()
        if isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")
                                     or key.startswith("!")):
            return key, inner
    return None


def _getatt_parts(inner: Any) -> Tuple[str, str]:
    if isinstance(inner, str):
        resource, _, attribute = inner.partition(".")
        return resource, attribute
    if isinstance(inner, list) and inner:
        resource = str(inner[0]) if isinstance(inner[0], str) else ""
        attribute = str(inner[1]) if len(inner) > 1 and isinstance(inner[1], str) else ""
        return resource, attribute
    return "", ""


def _sub_form(node: Any, depth: int = 0) -> str:
    """A value as one string, references written ``${X}`` like ``!Sub`` does: how an ARN built
    with ``!Join`` or ``!Sub`` reads, and how a managed policy name stays recoverable."""
    if depth > MAX_WALK_DEPTH:
        return "${...}"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (str, int, float)):
        return str(node)
    found = _intrinsic(node)
    if found is None:
        return "${...}"
    name, inner = found
    if name == "Ref" and isinstance(inner, str):
        return "${%s}" % inner
    if name == "Fn::GetAtt":
        resource, attribute = _getatt_parts(inner)
        return "${%s.%s}" % (resource, attribute)
    if name == "Fn::Sub":
        if isinstance(inner, list) and inner and isinstance(inner[0], str):
            return str(inner[0])
        return str(inner) if isinstance(inner, str) else "${...}"
    if name == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 \
            and isinstance(inner[0], str) and isinstance(inner[1], list):
        return str(inner[0]).join(_sub_form(part, depth + 1) for part in inner[1])
    return "${%s}" % _short(node)


def _short(node: Any) -> str:
    """What was written, in short form: ``!Ref X``, ``!GetAtt A.B``, ``!Sub s``."""
    found = _intrinsic(node)
    if found is None:
        return scalar_text(node)
    name, inner = found
    if name == "Fn::GetAtt":
        return "!GetAtt %s.%s" % _getatt_parts(inner)
    if name == "Fn::Sub":
        return "!Sub " + _sub_form(node)
    if name == "Fn::Join":
        return "!Join " + _sub_form(node)
    try:
        return scalar_text(node)
    except RecursionError:  # pragma: no cover - the loader bounds depth first
        return "!" + name


def _references(node: Any, depth: int = 0) -> Set[str]:
    """Logical ids a value refers to: ``Ref``, ``GetAtt``, and ``${X}`` / ``${X.Attr}`` in
    ``Sub`` strings (a ``Sub``'s own variables excluded), at any depth."""
    found: Set[str] = set()
    if depth > MAX_WALK_DEPTH:
        return found
    if isinstance(node, list):
        for item in node:
            found |= _references(item, depth + 1)
        return found
    if not isinstance(node, dict):
        return found
    intrinsic = _intrinsic(node)
    if intrinsic is not None:
        name, inner = intrinsic
        if name == "Ref" and isinstance(inner, str):
            found.add(str(inner))
            return found
        if name == "Fn::GetAtt":
            resource, _ = _getatt_parts(inner)
            if resource:
                found.add(resource)
            return found
        if name == "Fn::Sub":
            template, variables = inner, {}
            if isinstance(inner, list) and inner:
                template = inner[0]
                variables = inner[1] if len(inner) > 1 and isinstance(inner[1], dict) else {}
                found |= _references(variables, depth + 1)
            if isinstance(template, str):
                for match in _SUB_VARIABLE.finditer(template):
                    target = match.group(1).strip().split(".", 1)[0]
                    if target and target not in variables:
                        found.add(target)
            return found
    for value in node.values():
        found |= _references(value, depth + 1)
    return found


def _pseudo_only(node: Any, depth: int = 0) -> bool:
    """A ``!Sub`` or ``!Join`` whose only references are pseudo parameters (``AWS::Partition``):
    its text is as good as a literal (``arn:${AWS::Partition}:s3:::*`` means every bucket)."""
    if depth > 20:
        return False
    if isinstance(node, (str, int, float)) and not isinstance(node, bool):
        return True
    found = _intrinsic(node)
    if found is None:
        return False
    name, inner = found
    if name == "Ref":
        return isinstance(inner, str) and inner.startswith("AWS::") and inner != "AWS::NoValue"
    if name == "Fn::Sub":
        if isinstance(inner, list):
            if len(inner) != 1:
                return False
            inner = inner[0]
        return isinstance(inner, str) and all(
            m.group(1).strip().startswith("AWS::") for m in _SUB_VARIABLE.finditer(inner))
    if name == "Fn::Join":
        return isinstance(inner, list) and len(inner) == 2 and isinstance(inner[0], str) \
            and isinstance(inner[1], list) and all(_pseudo_only(p, depth + 1) for p in inner[1])
    return False


def _if_branches(node: Any) -> Optional[List[Any]]:
    """The two values of an ``Fn::If`` (``AWS::NoValue`` dropped), or None if it is not one."""
    found = _intrinsic(node)
    if found is None or found[0] != "Fn::If":
        return None
    inner = found[1]
    if not isinstance(inner, list) or len(inner) != 3:
        return []
    return [b for b in inner[1:] if not _is_no_value(b)]


def _is_no_value(node: Any) -> bool:
    found = _intrinsic(node)
    return found is not None and found[0] == "Ref" and found[1] == "AWS::NoValue"


def _end_line(node: Any, depth: int = 0) -> int:
    """The last line a value occupies (a literal block ends lines after it starts)."""
    line = getattr(node, "line", 0)
    if isinstance(node, str):
        if getattr(node, "style", None) in ("|", ">"):
            return line + node.rstrip("\n").count("\n") + 1
        return line
    if depth > MAX_WALK_DEPTH:
        return line
    if isinstance(node, dict):
        for key, value in node.items():
            line = max(line, getattr(node, "positions", {}).get(key, (0, 0))[0],
                       _end_line(value, depth + 1))
    elif isinstance(node, list):
        for value in node:
            line = max(line, _end_line(value, depth + 1))
    return line


def _build_method(resource: Any) -> Optional[str]:
    """``Metadata: BuildMethod`` when it names a builder that does not copy the code directory.

    ``sam build`` copies ``CodeUri`` for the Python (``python3.x``) and npm (``nodejs20.x``)
    builders; esbuild, makefile, go1.x, dotnet, rust-cargolambda... write only what they build."""
    method = _as_dict(_as_dict(resource).get("Metadata")).get("BuildMethod")
    if not isinstance(method, str) or not method.strip():
        return None
    method = method.strip()
    if method.lower().startswith(("python", "nodejs")):
        return None
    return f"BuildMethod: {method}"


def _as_dict(node: Any) -> Dict[Any, Any]:
    return node if isinstance(node, dict) else {}


def _pos(container: Any, key: Any) -> Pos:
    pos = getattr(container, "pos", None)
    if pos is not None:
        try:
            return pos(key)
        except (TypeError, IndexError):
            pass
    return (getattr(container, "line", 1), getattr(container, "column", 1))


def _key_pos(container: Any, key: Any) -> Pos:
    return getattr(container, "key_positions", {}).get(key, _pos(container, key))


def _items(node: Any) -> Iterator[Tuple[Any, Pos]]:
    """A list's items with their positions; a single value as a one-item list."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield item, _pos(node, index)
    elif node is not None:
        yield node, (getattr(node, "line", 1), getattr(node, "column", 1))


def _number(value: Value) -> Optional[float]:
    """Seconds or megabytes from a literal: CloudFormation also takes numbers written as strings."""
    if not value.literal or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)):
        return value.value
    if isinstance(value.value, str):
        try:
            number = float(value.value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


# -- one template ----------------------------------------------------------------------------------

class _Template:
    """One template being read: its resources, parameters and indexes built once."""

    def __init__(self, data: Dict[Any, Any], source: SourceFile, text: str,
                 fmt: Optional[str], base_dir: Optional[Path]) -> None:
        self.source = source
        self.path = source.display
        self.base_dir = Path(base_dir) if base_dir is not None else Path(source.path).parent
        if "Resources" not in data and _typed_resources(data):
            data = {"Resources": data}  # a bare Resources mapping
        self.data = data
        self.resources: Dict[str, Dict[Any, Any]] = {}
        raw = data.get("Resources")
        self.raw_resources = raw if isinstance(raw, dict) else {}
        self.types: Dict[str, str] = {}
        self.lines: Dict[str, int] = {}
        for key, resource in self.raw_resources.items():
            if isinstance(resource, dict):
                logical_id = str(key)
                self.resources[logical_id] = resource
                kind = resource.get("Type")
                self.types[logical_id] = kind.strip() if isinstance(kind, str) else ""
                self.lines[logical_id] = _key_pos(self.raw_resources, key)[0]
        self.roles: Set[str] = set(self.ids_of(ROLE))
        self.parameters = _as_dict(data.get("Parameters"))
        self.sam = _is_sam_transform(data.get("Transform"))
        self.forced_format = fmt
        self.globals = _as_dict(_as_dict(data.get("Globals")).get("Function"))
        self.text = text or ""
        self.comments = suppressions.parse(self.text).by_line
        self._lines: Optional[List[str]] = None
        self._role_names = {str(rid): str(name) for rid, name in
                            ((rid, _as_dict(self.properties(rid)).get("RoleName"))
                             for rid in self.ids_of(ROLE)) if isinstance(name, str)}
        self._attached: Optional[Dict[str, List[str]]] = None
        self._role_cache: Dict[str, Tuple[List[IamStatement], List[ManagedPolicy]]] = {}
        self._events: Optional[Dict[str, List[EventSource]]] = None
        self._assumable: Dict[str, bool] = {}

    # -- lookups

    def type_of(self, logical_id: str) -> str:
        return self.types.get(logical_id, "")

    def properties(self, logical_id: str) -> Dict[Any, Any]:
        return _as_dict(self.resources.get(logical_id, {}).get("Properties"))

    def ids_of(self, *types: str) -> List[str]:
        return [rid for rid in self.resources if self.type_of(rid) in types]

    def line_of(self, logical_id: str) -> int:
        return self.lines.get(logical_id, 1)

    # -- values

    def value(self, node: Any, pos: Pos) -> Tuple[Value, str]:
        """A Value, and how it was known: "literal", "parameter" (a default) or "unknown"."""
        line, column = getattr(node, "line", pos[0]), getattr(node, "column", pos[1])
        if isinstance(node, (str, int, float)) or node is None:
            return self._scalar(node, line, column), "literal"
        found = _intrinsic(node)
        if found is not None:
            name, inner = found
            if name == "Ref" and isinstance(inner, str):
                resolved = self._parameter_default(str(inner), line, column)
                if resolved is not None:
                    return resolved, "parameter"
            if name in ("Fn::Sub", "Fn::Join") and _pseudo_only(node):
                value = self._scalar(_sub_form(node), line, column)
                value.text = _short(node)
                return value, "literal"
        return Value(None, _short(node), self.path, line, column, literal=False), "unknown"

    def _scalar(self, node: Any, line: int, column: int) -> Value:
        if node is None:
            return Value(None, "null", self.path, line, column, literal=False)
        if isinstance(node, bool):
            return Value(node, "true" if node else "false", self.path, line, column)
        if isinstance(node, int):
            return Value(int(node), str(int(node)), self.path, line, column)
        if isinstance(node, float):
            return Value(float(node), str(node), self.path, line, column)
        text = str(node)
        if "{{resolve:" in text:
            return Value(None, text, self.path, line, column, literal=False)
        return Value(text, text, self.path, line, column)

    def _parameter_default(self, name: str, line: int, column: int) -> Optional[Value]:
        parameter = self.parameters.get(name)
        if not isinstance(parameter, dict) or "Default" not in parameter:
            return None
        kind = parameter.get("Type")
        default = parameter.get("Default")
        if isinstance(kind, str) and kind.strip().startswith("AWS::SSM::Parameter::Value"):
            return Value(None, f"!Ref {name} (SSM parameter {scalar_text(default)})", self.path,
                         line, column, literal=False)
        if isinstance(default, (dict, list)) or default is None:
            return None
        value = self._scalar(default, line, column)
        value.text = f"!Ref {name} (default {value.text})"
        return value

    def setting(self, props: Dict[Any, Any], key: str, sam: bool) -> Tuple[Any, Any, str]:
        """(value, container, where) of a property, falling back to SAM Globals."""
        if key in props and not _is_no_value(props[key]):
            return props[key], props, "function"
        if sam and key in self.globals and not _is_no_value(self.globals[key]):
            return self.globals[key], self.globals, "globals"
        return None, None, ""

    # -- functions

    def functions(self) -> Iterator[Function]:
        for logical_id in list(self.resources):
            if self.type_of(logical_id) not in FUNCTION_TYPES:
                continue
            try:
                yield self.function(logical_id)
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
                continue  # an odd resource must not lose the others

    def function(self, logical_id: str) -> Function:
        resource = self.resources[logical_id]
        kind = self.type_of(logical_id)
        sam = kind == SAM_FUNCTION
        props = self.properties(logical_id)
        fmt = self.forced_format or (SAM if self.sam or sam else CLOUDFORMATION)
        line = self.line_of(logical_id)
        function = Function(name=logical_id, format=fmt, path=self.path, line=line,
                            end_line=max(line, _end_line(resource)))
        for key, attribute in (("Runtime", "runtime"), ("Handler", "handler"),
                               ("MemorySize", "memory")):
            node, container, _ = self.setting(props, key, sam)
            if container is not None:
                setattr(function, attribute, self.value(node, _pos(container, key))[0])
        function.timeout = self._timeout(props, sam, function)
        function.environment = self._environment(props, sam)
        function.layers = self._layers(props, sam)
        function.code = self._code(props, sam, function)
        self._iam(logical_id, props, sam, function)
        function.events = self._sam_events(props) if sam else []
        function.events.extend(self.attached_events().get(logical_id, []))
        function.ignored_rules = self._ignored(resource, line)
        function.build = _build_method(resource)
        return function

    def _timeout(self, props: Dict[Any, Any], sam: bool, function: Function) -> Timeout:
        if _intrinsic(props) is not None or "Fn::Transform" in props:
            # Properties chosen by !If or pulled in by AWS::Include: set, but not knowable here.
            return Timeout(None, "unknown", function.path, getattr(props, "line", function.line))
        node, container, where = self.setting(props, "Timeout", sam)
        if container is None:
            return Timeout(DEFAULT_TIMEOUT, "default", function.path, function.line)
        value, how = self.value(node, _pos(container, "Timeout"))
        seconds = _number(value)
        if seconds is None:
            return Timeout(None, "unknown", value.path, value.line)
        return Timeout(seconds, "parameter" if how == "parameter" else where, value.path, value.line)

    def _environment(self, props: Dict[Any, Any], sam: bool) -> List[EnvVar]:
        merged: Dict[str, EnvVar] = {}
        sources = [_as_dict(_as_dict(self.globals.get("Environment")).get("Variables"))] if sam else []
        sources.append(_as_dict(_as_dict(props.get("Environment")).get("Variables")))
        for variables in sources:
            for key, node in variables.items():
                value, _ = self.value(node, _pos(variables, key))
                line, column = _key_pos(variables, key)
                merged[str(key)] = EnvVar(str(key), value, line, column)
        return list(merged.values())

    def _layers(self, props: Dict[Any, Any], sam: bool) -> List[Value]:
        layers: List[Value] = []
        for container in ([self.globals] if sam else []) + [props]:
            node = container.get("Layers")
            if isinstance(node, list):
                layers.extend(self.value(item, pos)[0] for item, pos in _items(node))
        return layers

    # -- code

    def _code(self, props: Dict[Any, Any], sam: bool, function: Function) -> CodeLocation:
        package, _, _ = self.setting(props, "PackageType", sam)
        if isinstance(package, str) and package.strip().lower() == "image":
            uri, _, _ = self.setting(props, "ImageUri", sam)
            if uri is None:
                uri = _as_dict(props.get("Code")).get("ImageUri")
            return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
        if sam:
            inline, container, _ = self.setting(props, "InlineCode", sam)
            if container is not None:
                return self._inline(inline, function)
            uri, container, _ = self.setting(props, "ImageUri", sam)
            if container is not None:
                return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
            uri, container, _ = self.setting(props, "CodeUri", sam)
            if container is None:
                return CodeLocation("local", path=os.path.normpath(str(self.base_dir)))
            return self._artifact(uri, _key_pos(container, "CodeUri")[0])
        code = props.get("Code")
        if not isinstance(code, dict) or _intrinsic(code) is not None:
            # `aws cloudformation package` takes a local path here
            return self._artifact(code, _key_pos(props, "Code")[0])
        if "ZipFile" in code:
            return self._inline(code["ZipFile"], function)
        if "ImageUri" in code:
            uri = code["ImageUri"]
            return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
        if "S3Bucket" in code or "S3Key" in code:
            return self._s3(code.get("S3Bucket"), code.get("S3Key"))
        return CodeLocation("unknown")

    def _artifact(self, uri: Any, line: int = 0) -> CodeLocation:
        """A SAM ``CodeUri`` (or a packaged ``Code``): a local path, a zip, or S3. ``line``: where
        it is written, for the note when the path leads out of the checked tree."""
        if isinstance(uri, dict) and _intrinsic(uri) is None:
            return self._s3(uri.get("Bucket"), uri.get("Key"))
        if not isinstance(uri, str) or not uri.strip():
            return CodeLocation("unknown")
        text = uri.strip()
        if text.lower().startswith("s3://"):
            return CodeLocation("s3", path=text)
        if "://" in text or "{{resolve:" in text:
            return CodeLocation("unknown")
        path = os.path.normpath(os.path.join(str(self.base_dir), text))
        kind = "zip" if text.lower().endswith((".zip", ".jar")) else "local"
        return CodeLocation(kind, path=path, line=line)

    @staticmethod
    def _s3(bucket: Any, key: Any) -> CodeLocation:
        if isinstance(bucket, str) and isinstance(key, str):
            return CodeLocation("s3", path=f"s3://{bucket}/{key}")
        return CodeLocation("s3")

    def _inline(self, node: Any, function: Function) -> CodeLocation:
        found = _intrinsic(node)
        if found is not None and found[0] == "Fn::Sub":
            inner = found[1]
            node = inner[0] if isinstance(inner, list) and inner else inner
        runtime = function.runtime
        python = runtime is None or not runtime.literal or \
            str(runtime.value).strip().lower().startswith("python")
        if not python or not isinstance(node, YStr) or node.style != "|":
            return CodeLocation("inline")
        mapped = self._map_block(node)
        if mapped is None:
            return CodeLocation("inline")
        return CodeLocation("inline", inline=InlineCode(str(node), self.path, mapped[0], mapped[1]))

    def _map_block(self, node: YStr) -> Optional[Tuple[int, int]]:
        """(line_offset, column_offset) of a literal block: its first content line is the line
        after the ``|``; checked against the file so a wrong guess maps nothing."""
        lines = self._file_lines()
        offset = node.line  # line n of the text is file line node.line + n
        for number, text_line in enumerate(str(node).split("\n"), start=1):
            if not text_line.strip():
                continue
            index = offset + number - 1
            if index >= len(lines):
                return None
            file_line = lines[index].rstrip("\r")
            if not file_line.endswith(text_line) or file_line[:len(file_line) - len(text_line)].strip():
                return None
            return offset, len(file_line) - len(text_line)
        return None

    def _file_lines(self) -> List[str]:
        if self._lines is None:
            text = self.text
            if not text:
                try:
                    text = Path(self.source.path).read_text(encoding="utf-8-sig", errors="replace")
                except OSError:
                    text = ""
            self._lines = text.split("\n")
        return self._lines

    # -- IAM

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

    # -- events

    def _sam_events(self, props: Dict[Any, Any]) -> List[EventSource]:
        events = props.get("Events")
        out: List[EventSource] = []
        if not isinstance(events, dict) or _intrinsic(events) is not None:
            return out
        for name, event in events.items():
            kind = _as_dict(event).get("Type")
            if not isinstance(kind, str):
                continue
            line = _key_pos(events, name)[0]
            kind = kind.strip()
            if kind in ("Api", "HttpApi"):
                out.append(EventSource("api", line, http_api=kind == "HttpApi"))
            elif kind == "SQS":
                queue = _as_dict(_as_dict(event).get("Properties")).get("Queue")
                out.append(self.sqs_event(queue, line))
            else:
                out.append(EventSource(kind.lower(), line))
        return out

    def sqs_event(self, queue: Any, line: int) -> EventSource:
        """An SQS trigger on the queue a value names, with its visibility when defined here."""
        visibility = self.queue_visibility(queue)
        defaulted = visibility is not None and visibility.text == SQS_DEFAULT_TEXT
        return EventSource("sqs", line, visibility=visibility, visibility_defaulted=defaulted)

    def queue_visibility(self, queue: Any) -> Optional[Value]:
        """The visibility timeout of the queue a value names, when the queue is defined here."""
        for queue_id in sorted(_references(queue)):
            if self.type_of(queue_id) != QUEUE:
                continue
            props = self.properties(queue_id)
            if "VisibilityTimeout" in props:
                value, _ = self.value(props["VisibilityTimeout"], _pos(props, "VisibilityTimeout"))
                number = _number(value)
                if number is not None:
                    value.value = number
                return value
            return Value(SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, self.path,
                         self.line_of(queue_id))
        return None

    def attached_events(self) -> Dict[str, List[EventSource]]:
        """Function logical id -> triggers defined as resources of their own."""
        if self._events is not None:
            return self._events
        self._events = {}
        functions = set(self.ids_of(*FUNCTION_TYPES))
        by_name = {str(n): rid for rid in functions
                   for n in [self.properties(rid).get("FunctionName")] if isinstance(n, str)}

        def targets(node: Any) -> Set[str]:
            found = {r for r in _references(node) if r in functions}
            if isinstance(node, str):
                name = node.rsplit(":function:", 1)[-1].split(":")[0]
                if name in by_name:
                    found.add(by_name[name])
            return found

        for rid in list(self.resources):
            kind = self.type_of(rid)
            props = self.properties(rid)
            line = self.line_of(rid)
            if kind == "AWS::Lambda::EventSourceMapping":
                event = self._mapping_event(props.get("EventSourceArn"), line)
                for function_id in targets(props.get("FunctionName")):
                    self._events.setdefault(function_id, []).append(event)
                continue
            if kind == "AWS::ApiGateway::Method":
                uri = _as_dict(props.get("Integration")).get("Uri")
            elif kind == "AWS::ApiGatewayV2::Integration":
                uri = props.get("IntegrationUri")
            elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
                uri = props.get("DefinitionBody")
            elif kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
                uri = props.get("Body")
            else:
                continue
            for function_id in sorted(_references(uri) & functions):
                self._events.setdefault(function_id, []).append(EventSource(
                    "api", line,
                    http_api=kind in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api")))
        return self._events

    def _mapping_event(self, arn: Any, line: int) -> EventSource:
        for target in sorted(_references(arn)):
            kind = self.type_of(target)
            if kind == QUEUE:
                return self.sqs_event(arn, line)
            if kind:
                return EventSource(kind.split("::")[1].lower(), line)
        text = _sub_form(arn)
        service = text.split(":")[2].lower() if text.startswith("arn:") and text.count(":") > 2 else ""
        return EventSource(service if service and "$" not in service else "stream", line)

    # -- suppression

    def _ignored(self, resource: Dict[Any, Any], line: int) -> Set[str]:
        ignored: Set[str] = set(self.comments.get(line, frozenset()))
        settings = _as_dict(_as_dict(resource.get("Metadata")).get("lambdalint"))
        for item, _ in _items(settings.get("ignore")):
            if not isinstance(item, str):
                continue
            for part in re.split(r"[\s,]+", item.strip()):
                if not part:
                    continue
                if part in ("*", "all", "ALL"):
                    ignored.add("*")
                    continue
                rules = registry.match(part)
                if rules:
                    ignored.update(r.id for r in rules)
                elif _RULE_ID.match(part):
                    ignored.add(part.upper())
        return ignored


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

