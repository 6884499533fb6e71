"""The deployment model: every format's functions, IAM and environment, as one set of records.

Each reader in ``lambdalint.sources`` turns its format into these records; the config rules see
only these records, never YAML, HCL or CDK syntax. Every value keeps the file and line a user
would edit, and whether it was written as a literal (``literal``) or is a reference the linter
cannot know (``!Ref``, ``${ssm:...}``, ``var.x`` without a default...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set

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
    column: int = 1


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
class ResourceRef:
    """A resource of the project that a function's settings name (its environment passes the
    table's name, the bucket's ARN...): least-privilege advice then names that resource instead
    of a placeholder. ``name`` is how the format names it (a logical id, a Terraform address),
    ``type`` its type as written there (``AWS::S3::Bucket``, ``aws_s3_bucket``)."""

    name: str
    type: str


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
    # The column of the function's name where it is defined (the resource's key, the CDK call),
    # so that a finding about the whole function points at the name, not at column 1.
    column: int = 1
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
    # Resources of the project its settings name, in the order written (see ResourceRef).
    resources: List[ResourceRef] = field(default_factory=list)
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
