"""What a dialect answers, and the answers of a format that has no dialect of its own.

A config rule asks the function's dialect (``lambdalint.dialects.dialect_of``) for everything
that is written differently per format; these defaults are what the rules said before dialects
existed for a format they did not know: words instead of syntax, and CloudFormation's YAML where
a snippet was given anyway (a SQS queue's visibility timeout, an IAM list). Each format's module
overrides what its format writes otherwise. Nothing here imports a parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from lambdalint.model import EventSource, Function, IamStatement, ResourceRef

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.packages.ship import Package, _Rules

# Per service: a resource named in CloudFormation's syntax (which SAM and Serverless write too),
# for "name the resources instead of '*'" suggestions.
INTRINSIC_RESOURCES: Dict[str, str] = {
    "s3": '!Sub "arn:${AWS::Partition}:s3:::${MyBucket}/*"',
    "dynamodb": "!GetAtt MyTable.Arn",
    "sqs": "!GetAtt MyQueue.Arn",
    "sns": "!Ref MyTopic",
    "lambda": "!GetAtt MyFunction.Arn",
    "secretsmanager": "!Ref MySecret",
    "ssm": '!Sub "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/my-app/*"',
    "kms": "!GetAtt MyKey.Arn",
    "states": "!Ref MyStateMachine",
    "kinesis": "!GetAtt MyStream.Arn",
    "events": "!GetAtt MyBus.Arn",
    "logs": ('!Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:'
             '/aws/lambda/my-function:*"'),
}


# CloudFormation resource types -> (service, the placeholder of INTRINSIC_RESOURCES that names
# such a resource): a resource the function's settings name replaces the placeholder.
INTRINSIC_TYPES: Dict[str, Tuple[str, str]] = {
    "AWS::S3::Bucket": ("s3", "MyBucket"),
    "AWS::DynamoDB::Table": ("dynamodb", "MyTable"),
    "AWS::DynamoDB::GlobalTable": ("dynamodb", "MyTable"),
    "AWS::Serverless::SimpleTable": ("dynamodb", "MyTable"),
    "AWS::SQS::Queue": ("sqs", "MyQueue"),
    "AWS::SNS::Topic": ("sns", "MyTopic"),
    "AWS::Lambda::Function": ("lambda", "MyFunction"),
    "AWS::Serverless::Function": ("lambda", "MyFunction"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "MySecret"),
    "AWS::KMS::Key": ("kms", "MyKey"),
    "AWS::StepFunctions::StateMachine": ("states", "MyStateMachine"),
    "AWS::Serverless::StateMachine": ("states", "MyStateMachine"),
    "AWS::Kinesis::Stream": ("kinesis", "MyStream"),
    "AWS::Events::EventBus": ("events", "MyBus"),
}


def fill_in(examples: Dict[str, str], types: Dict[str, Tuple[str, str]], service: str,
            resources: Sequence[ResourceRef]) -> Tuple[str, bool]:
    """``examples[service]`` with its placeholder replaced by the first of ``resources`` of that
    service, and whether one was: advice that names the function's own table beats "MyTable"."""
    example = examples[service]
    for ref in resources:
        found = types.get(ref.type)
        if found is not None and found[0] == service and found[1] in example:
            return example.replace(found[1], ref.name), True
    return example, False


def indent(text: str, spaces: int = 4) -> str:
    """Every line of ``text`` indented (the same as ``rules._wording.indent``, which dialects do
    not import: they hold no rule's wording)."""
    return "\n".join(" " * spaces + line for line in text.splitlines())


def known(services: List[str], table: Dict[str, object]) -> List[str]:
    """The first three of ``services`` that ``table`` has an example of."""
    return [s for s in services if s in table][:3]


class Dialect:
    """One deployment format's way of writing things, as the config rules suggest them."""

    name = "generic"
    label = "generic"  # how messages name the format ("AWS SAM")

    # -- timeouts (LL201) ---------------------------------------------------------------------

    def function_timeout(self, function: Function, seconds: int) -> str:
        """The lines that give this one function ``seconds``, with their parents so that the
        user sees where they go."""
        return f"a timeout of {seconds} seconds"

    def shared_timeout(self, seconds: int) -> Optional[str]:
        """The lines that set ``seconds`` for every function of the file, where the format has
        them (SAM ``Globals``, Serverless ``provider``)."""
        return None

    def queue_visibility(self, seconds: int, queue_path: str) -> str:
        """The setting of a queue's visibility timeout. A queue is a CloudFormation resource
        unless the format has its own; JSON when the queue's own file is JSON."""
        if queue_path.lower().endswith(".json"):
            return f'"VisibilityTimeout": {seconds}'
        return f"VisibilityTimeout: {seconds}"

    # -- runtimes (LL213) ---------------------------------------------------------------------

    def runtime_setting(self, runtime: str) -> str:
        """The setting that puts a function on ``runtime`` (a Lambda runtime id), as written
        where the function's runtime is."""
        return f"the runtime {runtime}"

    # -- memory, tracing, log retention (LL208, LL209, LL210) ---------------------------------

    default_memory_mb = 128  # what the framework gives a function that sets no memory size

    def function_setting(self, function: Function, setting: str) -> str:
        """``setting`` (lines in the format's syntax) placed in this one function, with its
        parents so that the user sees where it goes."""
        return setting

    def memory_setting(self, mb: int) -> str:
        """The setting of a function's memory size."""
        return f"a memory size of {mb} MB"

    def shared_memory(self, mb: int) -> Optional[str]:
        """The lines that set the memory of every function of the file, where the format has
        them (SAM ``Globals``, Serverless ``provider``)."""
        return None

    def tracing_setting(self, function: Function) -> str:
        """The setting that turns X-Ray tracing on for the function."""
        return "X-Ray tracing in Active mode"

    def shared_tracing(self) -> Optional[str]:
        """The lines that turn tracing on for every function of the file, where they exist."""
        return None

    def log_retention(self, function: Function, days: int) -> str:
        """What gives the function's log group a retention of ``days`` days: a log group
        resource named after the function, or the format's own setting."""
        return f"a CloudWatch Logs group /aws/lambda/<function name> with a {days}-day retention"

    def retention_setting(self, days: int) -> str:
        """The retention setting of a log group resource the project already defines."""
        return f"a retention of {days} days"

    def shared_log_retention(self, days: int) -> Optional[str]:
        """The lines that set the retention for every function of the file, where they
        exist (Serverless ``provider.logRetentionInDays``)."""
        return None

    # -- exposure: function URLs, invoke permissions, VPC (LL215, LL216, LL218) ---------------

    def url_auth_setting(self, function: Function) -> str:
        """The setting that makes the function's URL require IAM (SigV4) authentication."""
        return "the function URL's auth type AWS_IAM"

    def permission_scope(self, service: str) -> str:
        """The settings that scope an invoke permission for ``service`` (``s3``, ``sns``...) to
        one source resource and the account."""
        return "the permission's source ARN and source account"

    def vpc_removal(self, function: Function, setting: str) -> str:
        """How to detach the function from its VPC; ``setting`` is the setting as the reader
        names it (``VpcConfig``, ``provider.vpc``, ``vpc_config``, ``vpc=...``)."""
        return f"Remove {setting}."

    # -- failure handling (LL211, LL212) ------------------------------------------------------

    def async_failure_destination(self, function: Function) -> str:
        """What sends the function's failed asynchronous invocations to an SQS queue (an
        on-failure destination), with its parents, in the format's syntax."""
        return ("an on-failure destination (an SQS queue or SNS topic) for the function's "
                "asynchronous invocations, or a dead-letter queue")

    # The event source mappings (EventSource.kind) whose on-failure destination the format can
    # write on the mapping itself (LL212): Kinesis, DynamoDB Streams and Kafka (MSK and
    # self-managed) take one; Amazon MQ does not (its broker redelivers and dead-letters).
    mapping_destination_kinds = frozenset({"kinesis", "dynamodb", "kafka"})

    def stream_failure_settings(self, function: Function, event: EventSource,
                                destination: bool, bounds: bool) -> str:
        """The settings of a Kinesis/DynamoDB mapping that add an on-failure destination
        (``destination``) and split and bound the retries of a failing batch (``bounds``)."""
        wanted = (["an on-failure destination (an SQS queue or SNS topic)"] if destination else [])
        wanted += ["BisectBatchOnFunctionError: true and a MaximumRetryAttempts"] if bounds else []
        return " and ".join(wanted)

    def queue_redrive(self, queue_path: str) -> str:
        """A redrive policy (a dead-letter queue after a few receives) on an SQS queue: a
        CloudFormation resource unless the format has its own, JSON in a JSON file."""
        if queue_path.lower().endswith(".json"):
            return ('"RedrivePolicy": {\n  "deadLetterTargetArn": {"Fn::GetAtt": '
                    '["MyDeadLetterQueue", "Arn"]},\n  "maxReceiveCount": 5\n}')
        return ("RedrivePolicy:\n  deadLetterTargetArn: !GetAtt MyDeadLetterQueue.Arn\n"
                "  maxReceiveCount: 5")

    # -- IAM (LL202, LL203) ---------------------------------------------------------------------

    def statement_list(self, key: str, items: List[str],
                       statement: Optional[IamStatement]) -> str:
        """``items`` as the statement key ``key`` (Action/Resource) in the statement's syntax.
        ``statement`` is None for a suggestion that replaces a managed policy."""
        if len(items) == 1:
            return f"{key}: {items[0]}"
        return f"{key}:\n" + "\n".join(f"  - {item}" for item in items)

    def quote_actions(self, actions: List[str]) -> List[str]:
        """Action names as list items: quoted where the syntax needs it."""
        return list(actions)

    def scoped_policy_hint(self) -> str:
        """What replaces a full-access managed policy, scoped."""
        return "a statement"

    def resource_suggestion(self, services: List[str], statement: IamStatement,
                            resources: Sequence[ResourceRef] = ()) -> Optional[str]:
        """How to name the resources of ``services`` instead of ``"*"``, with the project's
        own ``resources`` (those the function's settings name) where they are of a service
        shown; None when the dialect has no example for any of the services."""
        return self.named_resources(services, statement, resources, INTRINSIC_RESOURCES,
                                    INTRINSIC_TYPES)

    def named_resources(self, services: List[str], statement: IamStatement,
                        resources: Sequence[ResourceRef], examples: Dict[str, str],
                        types: Dict[str, Tuple[str, str]]) -> Optional[str]:
        """A Resource list of ``examples`` for ``services``, filled in from ``resources``."""
        shown = known(services, examples)
        if not shown:
            return None
        filled = [fill_in(examples, types, s, resources) for s in shown]
        arns = [arn for arn, _ in filled]
        names = [r.name for r in resources if any(r.name in arn for arn, own in filled if own)]
        lead = ("Name the resources instead of \"*\" (the function's environment names "
                f"{', '.join(names)}):" if names else "Name the resources instead of \"*\", e.g.")
        return lead + "\n" + indent(self.statement_list("Resource", arns, statement))

    # -- environment (LL204, LL205) -------------------------------------------------------------

    def secret_reference(self, name: str, slug: str, arn_name: str, runtime: str) -> str:
        """How to reference the secret in variable ``name`` instead of writing it. ``slug`` names
        a secret after it, ``arn_name`` the variable that passes its ARN, ``runtime`` says how
        the handler reads it."""
        return "Store the secret in Secrets Manager or SSM Parameter Store and reference it."

    config_store = "SSM Parameter Store or AWS AppConfig"  # where large configuration goes

    # -- packages (LL301, LL302, packages.ship) -------------------------------------------------

    image_option = "a container image"  # how a function ships as an image instead
    # A zip named by the config is uploaded directly, where Lambda's 50 MB zipped limit applies.
    direct_upload_zip = False
    # Functions of one template with a built artifact each (``.aws-sam/build/<Function>``) do not
    # share a package even when they share their code directory.
    per_function_build = False

    def node_modules_ship(self, root: Path) -> Optional[bool]:
        """Whether a ``node_modules`` directory in ``root`` ships, when the format decides it
        (None: it ships like any other directory)."""
        return None

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        """How to leave ``entries`` (paths as shipped, directories ending in ``/``) out."""
        return "Leave them out of the package."

    def ships(self, rules: "_Rules", rel: str, is_dir: bool) -> bool:
        """Whether the framework copies ``rel`` of the code directory into the package."""
        return True

    def built_artifact(self, function: Function) -> Optional[Path]:
        """The artifact the format's build left on disk for this function, if any."""
        return None

    def code_setting(self, function: Function) -> str:
        """The setting that names the function's code, for notes about it."""
        return "code path"

    def direct_upload_too_large(self, package: "Package", limit: int) -> bool:
        """Whether ``package`` is a zip uploaded directly and over ``limit`` zipped bytes."""
        return (self.direct_upload_zip and package.kind == "zip"
                and package.zipped_bytes is not None and package.zipped_bytes > limit)
