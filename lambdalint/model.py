"""The deployment model: every format's functions, IAM and environment, as one set of records.

Each reader in ``lambdalint.sources`` turns its format into these records; the config rules see
only these records, never YAML, HCL or CDK syntax. Every value keeps the file and line a user
would edit, and whether it was written as a literal (``literal``) or is a reference the linter
cannot know (``!Ref``, ``${ssm:...}``, ``var.x`` without a default...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

# Formats, as they appear in Function.format and in messages.
SAM = "sam"
CLOUDFORMATION = "cloudformation"
SERVERLESS = "serverless"
TERRAFORM = "terraform"
CDK = "cdk"

@dataclass
class Value:
    """A scalar as written in a config file.

    ``value`` is the Python value when ``literal`` is true (a str, int, float or bool); otherwise
    it is None and ``text`` says what was written (``!Ref TableName``, ``${ssm:/db/pw}``).
    """

    value: Any
    text: str
    path: str
    line: int
    column: int = 1
    literal: bool = True
    end_line: Optional[int] = None
    end_column: Optional[int] = None


@dataclass
class InlineCode:
    """Python source written inside a config file (``ZipFile``, ``Code.from_inline``).

    A line ``n`` of ``text`` is line ``line_offset + n`` of ``path``; its columns are shifted by
    ``column_offset`` (the indentation the block scalar removed).
    """

    text: str
    path: str
    line_offset: int
    column_offset: int = 0


@dataclass
class CodeLocation:
    """Where a function's code is. ``kind`` is one of local, zip, inline, image, s3, unknown.

    ``path`` is an absolute filesystem path for local code (a directory or a file) and zips;
    for s3 and image it holds the bucket/key or image URI as written, if literal.
    """

    kind: str
    path: Optional[str] = None
    inline: Optional[InlineCode] = None
    excludes: List[str] = field(default_factory=list)  # CDK exclude=, Serverless patterns "!x"
    includes: List[str] = field(default_factory=list)
    line: int = 0  # the line of the setting that names ``path`` (CodeUri...), 0 if not known


@dataclass
class Timeout:
    """A function's effective timeout in seconds, and where it comes from.

    ``origin`` is one of: function, globals (SAM Globals), provider (Serverless), parameter (a
    CloudFormation parameter's default), variable (a Terraform variable or local), default (the
    framework's default: nothing was set), unknown (set to something lambdalint cannot evaluate).
    ``line`` points at the value, or for ``default`` at the function's first line.
    """

    seconds: Optional[float]
    origin: str
    path: str
    line: int


@dataclass
class EnvVar:
    name: str
    value: Value
    line: int
    column: int = 1


@dataclass
class IamStatement:
    """One IAM policy statement. Values keep their lines; ``origin`` says where it came from
    (``SAM Policies of HelloFunction``, ``AWS::IAM::Policy AppPolicy``, ``aws_iam_role_policy.x``)."""

    effect: str  # "Allow" or "Deny"; a non-literal effect is treated as Allow
    actions: List[Value]
    not_actions: List[Value]
    resources: List[Value]
    not_resources: List[Value]
    path: str
    line: int
    origin: str
    column: int = 1
    # The SAM policy template the statement stands for (``S3CrudPolicy``), when it is one.
    template: Optional[str] = None
    # The statement is an HCL block whose keys are lower-case plurals (``actions``,
    # ``resources``: Terraform policy documents and statement maps), not ``Action``/``Resource``.
    lowercase_keys: bool = False
    # The condition keys of its ``Condition`` (``kms:ViaService``, ``aws:ResourceTag/app``), as
    # written: a condition that pins the resource or the calling service narrows a "*".
    condition_keys: List[str] = field(default_factory=list)


@dataclass
class ManagedPolicy:
    """An attached managed policy: an AWS-managed name (``AmazonS3FullAccess``) or any ARN."""

    name: Value
    origin: str


@dataclass
class EventSource:
    """A trigger of the function. ``kind`` is api (REST/HTTP API, ALB), sqs, or another word.

    The other fields are typed facts a reader fills where its format says them, so that rules
    never parse a format's own names back.
    """

    kind: str
    line: int
    # api: an HTTP API (API Gateway v2), which waits up to 30 s (REST and WebSocket APIs: 29 s).
    http_api: bool = False
    # api: the request is answered at once and the function invoked asynchronously
    # (Serverless ``async: true``); the API's wait does not apply.
    asynchronous: bool = False
    # sqs: the queue's name as the project names it (a logical id), when known.
    queue: Optional[str] = None
    # sqs: the queue's visibility timeout, when the queue is defined in the project. When the
    # queue sets none, ``visibility_defaulted`` is true and the value (SQS's default) points at
    # the queue's own line.
    visibility: Optional[Value] = None
    visibility_defaulted: bool = False
    # sqs: the trigger's batch size and batching window as written, when written.
    batch_size: Optional[Value] = None
    batching_window: Optional[Value] = None


@dataclass
class LogGroup:
    """The CloudWatch Logs group a function writes to, when the project defines or names it.

    ``name`` is how the project names the group (a logical id, a Terraform address, a CDK
    expression); ``path``/``line`` point at its definition. ``followed`` is false when the
    function names a group lambdalint cannot follow (a CDK ``log_group=`` variable, a
    ``LoggingConfig`` reference to a parameter): its retention is then unknown, not missing.
    """

    name: str
    path: str
    line: int
    retention: Optional[Value] = None
    followed: bool = True


@dataclass
class Function:
    name: str
    format: str
    path: str
    line: int
    end_line: int
    runtime: Optional[Value] = None
    handler: Optional[Value] = None
    code: CodeLocation = field(default_factory=lambda: CodeLocation("unknown"))
    timeout: Optional[Timeout] = None
    memory: Optional[Value] = None
    # The memory was not written anywhere and ``memory`` holds the framework's own default
    # (Serverless' 1024 MB); formats whose default is Lambda's leave ``memory`` None instead.
    memory_defaulted: bool = False
    environment: List[EnvVar] = field(default_factory=list)
    statements: List[IamStatement] = field(default_factory=list)
    managed_policies: List[ManagedPolicy] = field(default_factory=list)
    events: List[EventSource] = field(default_factory=list)
    layers: List[Value] = field(default_factory=list)
    # X-Ray tracing mode as written (SAM/CFN ``Active``/``PassThrough``, Serverless ``true``,
    # Terraform ``tracing_config.mode``, CDK ``Tracing.ACTIVE`` read as ``Active``); None: not set.
    tracing: Optional[Value] = None
    # How long the function's logs are kept: ``log_retention`` is the retention that applies
    # wherever it is written (the log group's RetentionInDays / retention_in_days, Serverless
    # logRetentionInDays, CDK log_retention); ``log_group`` is the group the project defines or
    # names for the function, with or without a retention.
    log_retention: Optional[Value] = None
    log_group: Optional[LogGroup] = None
    role: Optional[str] = None  # the role's name as the format names it, for messages
    # The deployed function's name as written (SAM/CFN FunctionName, Terraform function_name,
    # CDK function_name=), when the config writes one; None when AWS or the framework names it.
    function_name: Optional[Value] = None
    # Rules silenced for this whole function: CloudFormation Metadata {lambdalint: {ignore: [...]}}
    # or a "# lambdalint: ignore[...]" comment on its first line. "*" silences every rule.
    ignored_rules: Set[str] = field(default_factory=set)
    # Filled by linking: the Python file and function the handler string names.
    handler_file: Optional[str] = None
    handler_function: Optional[str] = None
    # What builds the package when it is not a copy of the code directory (SAM ``Metadata:
    # BuildMethod: esbuild``, the serverless-esbuild plugin): the package rules then judge only a
    # built artifact, never the sources, which are not what ships.
    build: Optional[str] = None

    def ignores(self, rule_id: str) -> bool:
        return "*" in self.ignored_rules or rule_id in self.ignored_rules


@dataclass
class ReadError:
    """A config file that could not be read or parsed: becomes an LL001 finding."""

    path: str
    line: int
    message: str
    column: int = 1


@dataclass
class Project:
    """Everything the config readers found in one run."""

    functions: List[Function] = field(default_factory=list)
    errors: List[ReadError] = field(default_factory=list)
    # Resolved path of a linked handler file -> the AWS actions its code calls ("s3:GetObject"),
    # filled by the engine from the code analysis, for least-privilege suggestions.
    actions_by_file: Dict[str, List[str]] = field(default_factory=dict)
    # Resolved path of a linked handler file -> what it imports, dotted (analysis.imports), filled
    # the same way: config rules ask whether a function's code uses an SDK without reading it.
    imports_by_file: Dict[str, List[str]] = field(default_factory=dict)
    # The real paths of the checked trees (lambdalint.confine): nothing outside them is read.
    roots: List[str] = field(default_factory=list)


# -- what the code rules learn about the functions that run a handler ------------------------

@dataclass(frozen=True)
class LinkedTrigger:
    """One trigger of a linked function, as far as a code rule asks: what invokes the handler.

    Frozen and made of plain values: it crosses into worker processes and into the cache key of
    the handler's file."""

    kind: str  # EventSource.kind: api, sqs, kinesis, dynamodb, s3, url, ...
    line: int
    http_api: bool = False
    asynchronous: bool = False
    # sqs/kinesis/dynamodb: the mapping's FunctionResponseTypes holds ReportBatchItemFailures
    # (True), does not (False), or lambdalint cannot tell (None).
    report_batch_failures: Optional[bool] = None


@dataclass(frozen=True)
class LinkedFunction:
    """A deployed function whose handler is a function of the file being checked: what the code
    rules may say about it (``PythonContext.linked``), built by ``linking.linked_functions``."""

    name: str  # as the project names it (SAM logical id, Terraform address, CDK construct id)
    path: str  # the config file that defines it, as reported
    line: int
    # The timeout in seconds when lambdalint knows it (written, resolved or the framework's
    # default), with its origin (Timeout.origin) and where it is written.
    timeout: Optional[float] = None
    timeout_origin: str = "unknown"
    timeout_path: str = ""
    timeout_line: int = 0
    triggers: Tuple[LinkedTrigger, ...] = ()
    # The deployed function name when the config writes it as a literal (FunctionName,
    # function_name=), and the environment variables whose literal value is that name.
    function_name: Optional[str] = None
    name_variables: Tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """``Fn (template.yaml:12)``, for messages."""
        return f"{self.name} ({self.path}:{self.line})"
