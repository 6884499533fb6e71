"""AWS CDK apps in Python: construct arguments, ``Duration``, grant methods, and the
``exclude`` globs of ``Code.from_asset`` (``!`` re-includes; the last match wins)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from lambdalint.dialects.base import Dialect, indent, known
from lambdalint.model import EventSource, Function, IamStatement, ResourceRef

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.packages.ship import _Rules

# Per service: (a resource's ARN as a construct attribute, the grant method that scopes it).
RESOURCES: Dict[str, Tuple[str, str]] = {
    "s3": ('bucket.arn_for_objects("*")', "bucket.grant_read_write(fn)"),
    "dynamodb": ("table.table_arn", "table.grant_read_write_data(fn)"),
    "sqs": ("queue.queue_arn", "queue.grant_send_messages(fn)"),
    "sns": ("topic.topic_arn", "topic.grant_publish(fn)"),
    "lambda": ("other_fn.function_arn", "other_fn.grant_invoke(fn)"),
    "secretsmanager": ("secret.secret_arn", "secret.grant_read(fn)"),
    "ssm": ("parameter.parameter_arn", "parameter.grant_read(fn)"),
    "kms": ("key.key_arn", "key.grant_decrypt(fn)"),
    "states": ("machine.state_machine_arn", "machine.grant_start_execution(fn)"),
    "kinesis": ("stream.stream_arn", "stream.grant_write(fn)"),
    "events": ("bus.event_bus_arn", "bus.grant_put_events_to(fn)"),
    "logs": ("log_group.log_group_arn", "log_group.grant_write(fn)"),
}

# The resource types the CDK reader names (``ResourceRef.type``, sources.cdk.constructs) -> the
# service of RESOURCES whose placeholder (the part before the first dot) they fill in.
TYPES: Dict[str, str] = {
    "s3.Bucket": "s3", "dynamodb.Table": "dynamodb", "sqs.Queue": "sqs", "sns.Topic": "sns",
    "secretsmanager.Secret": "secretsmanager", "ssm.StringParameter": "ssm", "kms.Key": "kms",
    "stepfunctions.StateMachine": "states", "kinesis.Stream": "kinesis",
    "events.EventBus": "events",
}


_PYTHON_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _own(service: str, resources: Sequence[ResourceRef]) -> Optional[str]:
    """The Python name of the first of ``resources`` of ``service`` (``self.uploads``); a
    construct no variable holds is named by its quoted id, which is no Python name."""
    return next((r.name for r in resources if TYPES.get(r.type) == service
                 and _PYTHON_NAME.fullmatch(r.name)), None)


def _filled(example: str, name: Optional[str]) -> str:
    """``bucket.arn_for_objects("*")`` with its construct placeholder replaced by ``name``."""
    return name + example[example.index("."):] if name else example


# What each grant method above grants (aws-cdk-lib's grant implementations), so that a grant is
# offered only for statements it covers: ``secret.grant_read`` is no answer to CreateSecret.
GRANTED: Dict[str, Tuple[str, ...]] = {
    "s3": ("s3:getobject*", "s3:getbucket*", "s3:list*", "s3:deleteobject*", "s3:putobject*",
           "s3:abort*"),
    "dynamodb": ("dynamodb:batchgetitem", "dynamodb:getrecords", "dynamodb:getsharditerator",
                 "dynamodb:query", "dynamodb:getitem", "dynamodb:scan",
                 "dynamodb:conditioncheckitem", "dynamodb:batchwriteitem", "dynamodb:putitem",
                 "dynamodb:updateitem", "dynamodb:deleteitem", "dynamodb:describetable"),
    "sqs": ("sqs:sendmessage", "sqs:getqueueattributes", "sqs:getqueueurl"),
    "sns": ("sns:publish",),
    "lambda": ("lambda:invokefunction",),
    "secretsmanager": ("secretsmanager:getsecretvalue", "secretsmanager:describesecret"),
    "ssm": ("ssm:describeparameters", "ssm:getparameter", "ssm:getparameters",
            "ssm:getparameterhistory"),
    "kms": ("kms:decrypt",),
    "states": ("states:startexecution",),
    "kinesis": ("kinesis:listshards", "kinesis:putrecord", "kinesis:putrecords"),
    "events": ("events:putevents",),
    "logs": ("logs:createlogstream", "logs:putlogevents"),
}


def _grant_covers(service: str, statement: IamStatement) -> bool:
    """Whether the grant method of ``service`` grants every action of ``statement`` that
    belongs to that service."""
    import fnmatch

    for value in statement.actions:
        action = str(value.value if value.literal else value.text).strip().lower()
        if action.split(":", 1)[0] == service and not any(
                fnmatch.fnmatchcase(action, p) for p in GRANTED.get(service, ())):
            return False
    return True


# Per service whose principal invokes functions: its source construct's ARN, for source_arn.
_SOURCES: Dict[str, str] = {
    "s3": "bucket.bucket_arn",
    "sns": "topic.topic_arn",
    "events": "rule.rule_arn",
    "apigateway": 'api.arn_for_execute_api()',
    "sqs": "queue.queue_arn",
    "logs": "log_group.log_group_arn",
}


# Retention in days -> the member of aws_logs.RetentionDays that says it.
_RETENTION_MEMBERS = {7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH", 90: "THREE_MONTHS",
                      180: "SIX_MONTHS", 365: "ONE_YEAR"}


class Cdk(Dialect):
    name = "cdk"
    label = "AWS CDK"
    image_option = "lambda_.DockerImageFunction"
    config_store = ("an ssm.StringParameter (or AWS AppConfig), grant_read it, and pass only its "
                    "name")

    def function_timeout(self, function: Function, seconds: int) -> str:
        return (f"timeout=Duration.seconds({seconds}),  # an argument of the {function.name} "
                "construct; from aws_cdk import Duration")

    def function_setting(self, function: Function, setting: str) -> str:
        return f"{setting}  # an argument of the {function.name} construct"

    def memory_setting(self, mb: int) -> str:
        return f"memory_size={mb},"

    def tracing_setting(self, function: Function) -> str:
        return "tracing=lambda_.Tracing.ACTIVE,"

    def log_retention(self, function: Function, days: int) -> str:
        member = _RETENTION_MEMBERS.get(days, "ONE_MONTH")
        return self.function_setting(
            function, f'log_group=logs.LogGroup(self, "{function.name}Logs", '
                      f"retention=logs.RetentionDays.{member}),") + \
            "; from aws_cdk import aws_logs as logs"

    def url_auth_setting(self, function: Function) -> str:
        return "auth_type=lambda_.FunctionUrlAuthType.AWS_IAM,"

    def permission_scope(self, service: str) -> str:
        source = _SOURCES.get(service, "source.arn")
        return f"source_arn={source},\nsource_account=Stack.of(self).account,"

    def vpc_removal(self, function: Function, setting: str) -> str:
        return (f"Remove {setting.split('=')[0]}= (and vpc_subnets=, security_groups=) from the "
                f"{function.name} construct.")

    def runtime_setting(self, runtime: str) -> str:
        # python3.14 -> PYTHON_3_14, nodejs24.x -> NODEJS_24_X, provided.al2023 -> PROVIDED_AL2023
        member = re.sub(r"^([a-z]+)(\d)", r"\1_\2", runtime).replace(".", "_").upper()
        return f"runtime=lambda_.Runtime.{member},  # lambda_: aws_cdk.aws_lambda"

    def queue_visibility(self, seconds: int, queue_path: str) -> str:
        return f"visibility_timeout=Duration.seconds({seconds}),"

    def queue_redrive(self, queue_path: str) -> str:
        return ("dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, "
                "queue=dead_letter_queue),")

    def async_failure_destination(self, function: Function) -> str:
        """``on_failure=`` a queue destination (the CDK grants the role what it needs)."""
        return self.function_setting(
            function, "on_failure=destinations.SqsDestination(failures_queue),") + \
            "; from aws_cdk import aws_lambda_destinations as destinations"

    def stream_failure_settings(self, function: Function, event: EventSource,
                                destination: bool, bounds: bool) -> str:
        """Arguments of the ``KinesisEventSource`` / ``DynamoEventSource``."""
        lines = ["on_failure=lambda_event_sources.SqsDlq(failures_queue),"] if destination else []
        if bounds:
            lines += ["bisect_batch_on_error=True,", "retry_attempts=3,"]
        return "\n".join(lines)

    def statement_list(self, key: str, items: List[str],
                       statement: Optional[IamStatement]) -> str:
        return f"{key.lower()}s=[" + ", ".join(items) + "],"

    def quote_actions(self, actions: List[str]) -> List[str]:
        return [f'"{a}"' for a in actions]

    def scoped_policy_hint(self) -> str:
        return ("a grant method (table.grant_read_write_data(fn), bucket.grant_read(fn)) or a "
                "PolicyStatement")

    def resource_suggestion(self, services: List[str], statement: IamStatement,
                            resources: Sequence[ResourceRef] = ()) -> Optional[str]:
        # The reader names a construct by the variable that holds it (``bucket``,
        # ``self.uploads``): the function's own resources replace the placeholders.
        shown = known(services, RESOURCES)
        if not shown:
            return None
        own = {s: _own(s, resources) for s in shown}
        arns = [_filled(RESOURCES[s][0], own[s]) for s in shown]
        grants = " or ".join(_filled(RESOURCES[s][1], own[s]) for s in shown
                             if _grant_covers(s, statement))
        names = [name for name in own.values() if name]
        lead = (f" (the function's environment names {', '.join(names)})" if names else "")
        return (f"Name the resources instead of \"*\"{lead}:\n"
                + indent(f"resources=[{', '.join(arns)}],")
                + (f"\nor use a grant method ({grants}), which writes a scoped policy for you."
                   if grants else ""))

    def secret_reference(self, name: str, slug: str, arn_name: str, runtime: str) -> str:
        return ("Keep it in Secrets Manager and pass only its ARN:\n"
                + indent(f'"{arn_name}": secret.secret_arn,')
                + "\nwith secret.grant_read(fn), " + runtime)

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        items = ", ".join(f'"{e.rstrip("/")}"' for e in entries)
        return f"Leave them out of the asset: Code.from_asset(..., exclude=[{items}])"

    def ships(self, rules: "_Rules", rel: str, is_dir: bool) -> bool:
        name = rel.rsplit("/", 1)[-1]
        excluded = False
        for negate, raw, regex in rules.negatable:
            hit = bool(regex.match(rel)) or ("/" not in raw and bool(regex.match(name)))
            if hit:
                excluded = not negate
        return not excluded

    def code_setting(self, function: Function) -> str:
        return "Code.from_asset"


DIALECT = Cdk()
