"""The constructs a stack builds, as the reader records them, and the classes that build them.

``_Values._built_by`` turns a constructor call into one of these; the function, IAM and effect
parts fill them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from lambdalint.model import Function, IamStatement, ManagedPolicy, Value

_LAMBDA = "aws_cdk.aws_lambda."
_IAM = "aws_cdk.aws_iam."

# Constructor -> the kind of function it defines.
_FUNCTION_CLASSES = {
    _LAMBDA + "Function": "function",
    _LAMBDA + "SingletonFunction": "function",
    _LAMBDA + "DockerImageFunction": "docker",
    "aws_cdk.aws_lambda_python.PythonFunction": "python",
    "aws_cdk.aws_lambda_nodejs.NodejsFunction": "nodejs",
}

_QUEUE = "aws_cdk.aws_sqs.Queue"

# Constructors of the resources a function's triggers and environment name -> their type as
# ``ResourceRef.type`` (the CDK class as stacks import it). Their ``from_*`` class methods
# (``s3.Bucket.from_bucket_name``) import one: the same type.
RESOURCE_CLASSES = {
    _QUEUE: "sqs.Queue",
    "aws_cdk.aws_s3.Bucket": "s3.Bucket",
    "aws_cdk.aws_sns.Topic": "sns.Topic",
    "aws_cdk.aws_dynamodb.Table": "dynamodb.Table",
    "aws_cdk.aws_dynamodb.TableV2": "dynamodb.Table",
    "aws_cdk.aws_kinesis.Stream": "kinesis.Stream",
    "aws_cdk.aws_secretsmanager.Secret": "secretsmanager.Secret",
    "aws_cdk.aws_ssm.StringParameter": "ssm.StringParameter",
    "aws_cdk.aws_kms.Key": "kms.Key",
    "aws_cdk.aws_stepfunctions.StateMachine": "stepfunctions.StateMachine",
    "aws_cdk.aws_events.EventBus": "events.EventBus",
}


def resource_type(qual: str) -> Optional[str]:
    """The ``RESOURCE_CLASSES`` type a constructor or ``from_*`` import builds, if any."""
    found = RESOURCE_CLASSES.get(qual)
    if found is not None:
        return found
    base, _, method = qual.rpartition(".")
    return RESOURCE_CLASSES.get(base) if method.startswith("from_") else None

_LOGS = "aws_cdk.aws_logs."
# Log group constructors -> the argument that sets their retention.
_LOG_GROUP_CLASSES = {_LOGS + "LogGroup": "retention", _LOGS + "CfnLogGroup": "retention_in_days"}


@dataclass
class _Policy:
    """An ``iam.Policy``, customer ``iam.ManagedPolicy`` or ``iam.PolicyDocument``."""

    statements: List[IamStatement] = field(default_factory=list)


@dataclass
class _Role:
    label: str  # "role LambdaRole", "the role of HelloFunction"
    name: Optional[str] = None
    statements: List[IamStatement] = field(default_factory=list)
    managed: List[ManagedPolicy] = field(default_factory=list)
    policies: List[Tuple[_Policy, str]] = field(default_factory=list)


@dataclass
class _Fn:
    function: Function
    role: _Role
    python: Optional[bool] = None  # runtime family known to be Python (True) / not (False)
    function_name: Optional[str] = None  # the literal function_name=, when given


@dataclass
class _LogGroup:
    """A ``logs.LogGroup`` or ``logs.CfnLogGroup``: where it is, its retention (a LogGroup
    without one keeps logs two years, the CDK default; a CfnLogGroup forever), and whose logs it
    holds: a literal ``log_group_name``, or the function whose ``function_name`` its name
    interpolates (``f"/aws/lambda/{fn.function_name}"``)."""

    line: int
    retention: Optional[Value]
    label: str = "a log group"  # its construct id, for messages
    name: Optional[str] = None
    owner: Optional[_Fn] = None


@dataclass
class _ManagedRef:
    value: Value


@dataclass
class _Queue:
    """An ``sqs.Queue``: its visibility timeout, whether it has a ``dead_letter_queue`` (None:
    a ``**kwargs`` may set one), its line, and whether it is another queue's dead-letter
    queue."""

    visibility: Optional[Value]
    redrive: Optional[bool] = None
    line: int = 0
    dead_letter: bool = False  # another queue's dead_letter_queue names it
    # As a resource triggers and environments name (see _Resource).
    kind: str = "sqs.Queue"
    label: str = ""
    var: Optional[str] = None
    name: str = ""


@dataclass
class _Resource:
    """A bucket, topic, table... built or imported in the app (``RESOURCE_CLASSES``), so that
    a trigger and an environment value that name the same construct can be told apart from
    those that name another. ``label`` is its construct id, ``var`` the first name or
    ``self.`` attribute it is assigned to; ``name`` (set once the app is read) is how the model
    names it: ``var``, else ``label`` in quotes, made unique in the file."""

    kind: str
    line: int
    label: str = ""
    var: Optional[str] = None
    name: str = ""


@dataclass
class _Unknown:
    """A construct we recognise but cannot see into (an imported role, a layer...)."""

    text: str
