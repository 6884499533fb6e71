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


@dataclass
class _Unknown:
    """A construct we recognise but cannot see into (an imported role, a layer...)."""

    text: str
