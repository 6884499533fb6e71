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
    column: int = 1


@dataclass
class EnvVar:
    name: str
    value: Value
    line: int
    column: int = 1
    # The project's resources the value names (logical ids, Terraform addresses): a handler
    # that reads this variable reaches that resource (LL217).
    refers: List[str] = field(default_factory=list)


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


# EventSource.kind: one vocabulary for every reader.
#   api          API Gateway REST, HTTP and WebSocket APIs (synchronous)
#   alb          an Application Load Balancer target (synchronous)
#   sqs          an SQS queue (event source mapping: polled)
#   kinesis      a Kinesis data stream (event source mapping: polled, in order per shard)
#   dynamodb     a DynamoDB stream (event source mapping: polled, in order per shard)
#   kafka        Amazon MSK or self-managed Kafka (event source mapping)
#   mq           Amazon MQ, ActiveMQ or RabbitMQ (event source mapping)
#   documentdb   a DocumentDB change stream (event source mapping)
#   s3           S3 event notifications (asynchronous)
#   sns          an SNS subscription (asynchronous)
#   eventbridge  an EventBridge / CloudWatch Events rule on events (asynchronous)
#   schedule     a schedule: a rule with a schedule expression, EventBridge Scheduler
#                (asynchronous)
#   iot          an IoT topic rule (asynchronous)
#   ses          an SES receipt rule's Lambda action (asynchronous)
#   logs         a CloudWatch Logs subscription filter (asynchronous)
#   cognito      a Cognito user pool trigger (synchronous)
#   alexa        an Alexa skill or smart home trigger (synchronous)
#   other        anything else (CloudFront, a service this reader does not know)
EVENT_KINDS = ("api", "alb", "sqs", "kinesis", "dynamodb", "kafka", "mq", "documentdb", "s3",
               "sns", "eventbridge", "schedule", "iot", "ses", "logs", "cognito", "alexa",
               "other")
# Kinds whose service invokes the function asynchronously (InvocationType Event): Lambda queues
# the event, retries a failed invocation twice, keeps it up to six hours, then drops it unless
# an on-failure destination or a dead-letter queue takes it. An "api" trigger with
# ``asynchronous`` set (Serverless ``async: true``) is asynchronous too.
ASYNC_EVENT_KINDS = frozenset({"s3", "sns", "eventbridge", "schedule", "iot", "ses", "logs"})
# Kinds read in order per shard by an event source mapping: a failing batch is retried, and
# blocks its shard, until it succeeds or its records expire, unless the mapping bounds it.
STREAM_EVENT_KINDS = frozenset({"kinesis", "dynamodb"})


@dataclass
class EventSource:
    """A trigger of the function. ``kind`` is one word of ``EVENT_KINDS`` (see there; which are
    asynchronous is ``ASYNC_EVENT_KINDS``); ``line`` is the trigger's own line.

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
    # api: the event attaches the function to an API whose own OpenAPI definition says how it
    # integrates (SAM ``RestApiId`` of an Api with ``DefinitionBody``): maybe not a proxy.
    defined_api: bool = False
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
    # s3, sqs, sns: the bucket, queue or topic that invokes the function, as the project names
    # it (a logical id, a Terraform address, a Serverless bucket or topic name), when known;
    # s3: whether the notification filters keys by prefix or suffix (input kept apart).
    source: Optional[str] = None
    key_filter: bool = False
    # sqs, kinesis, dynamodb: ``FunctionResponseTypes: [ReportBatchItemFailures]`` of the
    # mapping (SAM event Properties, AWS::Lambda::EventSourceMapping, Serverless
    # ``functionResponseType``, Terraform ``function_response_types``, CDK
    # ``report_batch_item_failures``). None: not written. Otherwise ``value`` is True when the
    # mapping reports item failures, False when the setting is written without them (an empty
    # list, ``=False``), and ``literal`` is False when it cannot be known (a reference).
    report_batch_failures: Optional[Value] = None
    # kinesis, dynamodb: the mapping's failure handling as written, None when not written (the
    # service's default: no destination, no bisect, retry until the record expires (-1)).
    # ``on_failure`` is the destination (an SQS queue, SNS topic, S3 bucket) as written.
    on_failure: Optional[Value] = None
    bisect: Optional[Value] = None  # BisectBatchOnFunctionError (value True/False when literal)
    max_retries: Optional[Value] = None  # MaximumRetryAttempts (-1: until the record expires)
    max_record_age: Optional[Value] = None  # MaximumRecordAgeInSeconds (-1: unbounded)
    # sqs: whether the queue, when the project defines it, has a redrive policy (a dead-letter
    # queue): True or False; None when the queue is not defined in the project (unknown).
    # ``queue_path``/``queue_line`` point at the queue's definition when it is.
    redrive: Optional[bool] = None
    queue_path: Optional[str] = None
    queue_line: int = 0
    # sqs: the queue is the dead-letter queue of another queue of the project (the trigger is
    # the project's own handling of failed messages).
    dead_letter_queue: bool = False
    # The file the trigger is written in, when the reader knows it may not be the function's
    # own (Terraform: any file of the module); None: the function's file.
    path: Optional[str] = None


@dataclass
class AsyncConfig:
    """What happens to a failed asynchronous invocation of a function, as written.

    ``on_failure``: the on-failure destination (SAM ``EventInvokeConfig``,
    ``AWS::Lambda::EventInvokeConfig``, Serverless ``destinations.onFailure``,
    ``aws_lambda_function_event_invoke_config``, CDK ``on_failure``). ``dead_letter``: the
    dead-letter queue or topic (SAM ``DeadLetterQueue``, CFN ``DeadLetterConfig``, Serverless
    ``onError``, Terraform ``dead_letter_config``, CDK ``dead_letter_queue``/``_topic``/
    ``dead_letter_queue_enabled``). ``max_retries`` / ``max_event_age``: the retry bounds
    (Lambda's defaults: 2 retries, 6 hours). ``unknown``: the reader saw a setting it cannot
    follow (a ``**kwargs``, properties chosen by a condition), so nothing is known missing.
    """

    on_failure: Optional[Value] = None
    dead_letter: Optional[Value] = None
    max_retries: Optional[Value] = None
    max_event_age: Optional[Value] = None
    unknown: bool = False

    def handled(self) -> bool:
        """Whether a failed event goes somewhere (or may: ``unknown``) instead of being
        dropped."""
        return self.unknown or self.on_failure is not None or self.dead_letter is not None


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
class FunctionUrl:
    """A function URL (LL215). ``auth_type`` is the auth type as written (``NONE``,
    ``AWS_IAM``); where the format's default applies it is that default, with a ``text`` that
    says so (Serverless ``url: true`` is ``NONE``). ``origin`` names the definition for messages
    (``FunctionUrlConfig``, ``AWS::Lambda::Url OrdersUrl``, ``aws_lambda_function_url.orders``,
    ``url``, ``add_function_url``); ``path``/``line`` point at it."""

    auth_type: Value
    origin: str
    path: str
    line: int


@dataclass
class InvokePermission:
    """A resource-based permission the project writes on the function (LL216):
    ``AWS::Lambda::Permission``, ``aws_lambda_permission``, CDK ``add_permission``. Only what
    the user writes: permissions a framework adds for an event (SAM ``Events``, Serverless
    ``events``, CDK event sources) scope themselves and are not here. The scoping values are
    None when not written."""

    principal: Value
    origin: str
    path: str
    line: int
    action: Optional[Value] = None
    source_arn: Optional[Value] = None
    source_account: Optional[Value] = None
    principal_org_id: Optional[Value] = None
    event_source_token: Optional[Value] = None
    # The permission that makes a function URL public (lambda:InvokeFunctionUrl with
    # FunctionUrlAuthType NONE): LL215 speaks of it, through the URL.
    url_auth_type: Optional[Value] = None


@dataclass
class VpcAttachment:
    """The function is attached to a VPC (LL218): where its ``VpcConfig`` / ``vpc`` /
    ``vpc_config`` / ``vpc=`` is written. ``text`` is how it is written, for messages.
    ``file_system`` is an EFS mount of the function (which needs the VPC), when it has one."""

    text: str
    path: str
    line: int
    file_system: Optional[Value] = None
    column: int = 1


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
    # A CloudFormation custom resource (``Custom::*``, ``AWS::CloudFormation::CustomResource``)
    # names the function as its ServiceToken: it runs when the stack changes, not per request.
    custom_resource: bool = False
    # Resources of the project its settings name, in the order written (see ResourceRef).
    resources: List[ResourceRef] = field(default_factory=list)
    # Where failed asynchronous invocations go (destination, dead-letter queue, retry bounds).
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    # The deployed function's name as written (SAM/CFN FunctionName, Terraform function_name,
    # CDK function_name=), when the config writes one; None when AWS or the framework names it.
    function_name: Optional[Value] = None
    # Exposure (LL215, LL216, LL218): the function's URL, the invoke permissions the project
    # writes on it, its VPC attachment.
    url: Optional[FunctionUrl] = None
    invoke_permissions: List[InvokePermission] = field(default_factory=list)
    vpc: Optional[VpcAttachment] = None
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
    defined_api: bool = False  # EventSource.defined_api: maybe not a proxy integration
    # sqs/kinesis/dynamodb: the mapping's FunctionResponseTypes holds ReportBatchItemFailures
    # (True), does not or is not written (False), or lambdalint cannot tell (None, and for
    # triggers that have no such setting). ``path``/``report_line``: the setting when written,
    # else the trigger.
    report_batch_failures: Optional[bool] = None
    path: str = ""
    report_line: int = 0
    # s3/sqs/sns: the bucket, queue or topic that invokes the function (EventSource.source),
    # the environment variables that name it, and whether an S3 notification filters keys.
    source: Optional[str] = None
    source_variables: Tuple[str, ...] = ()
    key_filter: bool = False


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
    # A CloudFormation custom resource's ServiceToken names the function (Function.custom_resource).
    custom_resource: bool = False

    @property
    def where(self) -> str:
        """``Fn (template.yaml:12)``, for messages."""
        return f"{self.name} ({self.path}:{self.line})"
