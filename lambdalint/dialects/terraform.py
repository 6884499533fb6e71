"""Terraform (HCL): ``aws_lambda_function`` and module arguments, ``archive_file`` excludes,
policy documents whose statement blocks spell their keys ``actions``/``resources``."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from lambdalint.dialects.base import Dialect, indent
from lambdalint.model import Function, IamStatement, ResourceRef

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.packages.ship import _Rules

# Per service: a resource's ARN as a Terraform reference.
RESOURCES: Dict[str, str] = {
    "s3": '"${aws_s3_bucket.my_bucket.arn}/*"',
    "dynamodb": "aws_dynamodb_table.my_table.arn",
    "sqs": "aws_sqs_queue.my_queue.arn",
    "sns": "aws_sns_topic.my_topic.arn",
    "lambda": "aws_lambda_function.my_function.arn",
    "secretsmanager": "aws_secretsmanager_secret.my_secret.arn",
    "ssm": "aws_ssm_parameter.my_parameter.arn",
    "kms": "aws_kms_key.my_key.arn",
    "states": "aws_sfn_state_machine.my_machine.arn",
    "kinesis": "aws_kinesis_stream.my_stream.arn",
    "events": "aws_cloudwatch_event_bus.my_bus.arn",
    "logs": '"${aws_cloudwatch_log_group.my_group.arn}:*"',
}

# Terraform resource types -> (service, the placeholder address of RESOURCES they replace).
TYPES: Dict[str, Tuple[str, str]] = {
    "aws_s3_bucket": ("s3", "aws_s3_bucket.my_bucket"),
    "aws_dynamodb_table": ("dynamodb", "aws_dynamodb_table.my_table"),
    "aws_sqs_queue": ("sqs", "aws_sqs_queue.my_queue"),
    "aws_sns_topic": ("sns", "aws_sns_topic.my_topic"),
    "aws_lambda_function": ("lambda", "aws_lambda_function.my_function"),
    "aws_secretsmanager_secret": ("secretsmanager", "aws_secretsmanager_secret.my_secret"),
    "aws_ssm_parameter": ("ssm", "aws_ssm_parameter.my_parameter"),
    "aws_kms_key": ("kms", "aws_kms_key.my_key"),
    "aws_sfn_state_machine": ("states", "aws_sfn_state_machine.my_machine"),
    "aws_kinesis_stream": ("kinesis", "aws_kinesis_stream.my_stream"),
    "aws_cloudwatch_event_bus": ("events", "aws_cloudwatch_event_bus.my_bus"),
    "aws_cloudwatch_log_group": ("logs", "aws_cloudwatch_log_group.my_group"),
}


# Per service whose principal invokes functions: its source resource's ARN, for source_arn.
_SOURCES: Dict[str, str] = {
    "s3": "aws_s3_bucket.my_bucket.arn",
    "sns": "aws_sns_topic.my_topic.arn",
    "events": "aws_cloudwatch_event_rule.my_rule.arn",
    "apigateway": '"${aws_apigatewayv2_api.my_api.execution_arn}/*"',
    "logs": '"${aws_cloudwatch_log_group.my_group.arn}:*"',
    "sqs": "aws_sqs_queue.my_queue.arn",
    "iot": "aws_iot_topic_rule.my_rule.arn",
    "cognito-idp": "aws_cognito_user_pool.my_pool.arn",
    "elasticloadbalancing": "aws_lb_target_group.my_group.arn",
}


class Terraform(Dialect):
    name = "terraform"
    label = "Terraform"
    image_option = 'package_type = "Image"'
    config_store = "an aws_ssm_parameter (or AWS AppConfig), and pass only its name"
    direct_upload_zip = True  # `filename`: the zip goes to Lambda itself, not through S3

    def function_timeout(self, function: Function, seconds: int) -> str:
        return self.function_setting(function, f"timeout = {seconds}")

    def function_setting(self, function: Function, setting: str) -> str:
        kind, _, name = function.name.rpartition(".")
        if kind == "module":
            return f'module "{name}" {{\n{indent(setting, 2)}\n}}'
        if kind:
            return f'resource "{kind}" "{name}" {{\n{indent(setting, 2)}\n}}'
        return setting

    def memory_setting(self, mb: int) -> str:
        return f"memory_size = {mb}"

    def tracing_setting(self, function: Function) -> str:
        if function.name.startswith("module."):
            return 'tracing_mode          = "Active"\nattach_tracing_policy = true'
        return 'tracing_config {\n  mode = "Active"\n}'

    def retention_setting(self, days: int) -> str:
        return f"retention_in_days = {days}"

    def log_retention(self, function: Function, days: int) -> str:
        kind, _, name = function.name.rpartition(".")
        if kind == "module":
            return self.function_setting(function, f"cloudwatch_logs_retention_in_days = {days}")
        return (f'resource "aws_cloudwatch_log_group" "{name or "function"}" {{\n'
                f'  name              = "/aws/lambda/${{{function.name}.function_name}}"\n'
                f"  retention_in_days = {days}\n}}")

    def url_auth_setting(self, function: Function) -> str:
        return 'authorization_type = "AWS_IAM"'

    def permission_scope(self, service: str) -> str:
        source = _SOURCES.get(service, "aws_xxx.my_source.arn")
        return (f"source_arn     = {source}\n"
                "source_account = data.aws_caller_identity.current.account_id")

    def vpc_removal(self, function: Function, setting: str) -> str:
        if setting == "vpc_subnet_ids":
            return (f"Remove vpc_subnet_ids and vpc_security_group_ids (and "
                    f"attach_network_policy) from {function.name}.")
        return f"Remove the vpc_config block of {function.name}."

    def runtime_setting(self, runtime: str) -> str:
        return f'runtime = "{runtime}"'

    def queue_visibility(self, seconds: int, queue_path: str) -> str:
        return f"visibility_timeout_seconds = {seconds}"

    def statement_list(self, key: str, items: List[str],
                       statement: Optional[IamStatement]) -> str:
        """Statement blocks (policy documents, a module's policy_statements) spell keys
        ``actions``/``resources``; jsonencode and heredoc JSON spell them ``Action`` and
        ``Resource``."""
        lower = statement is not None and statement.lowercase_keys
        name = key.lower() + "s" if lower else key
        if len(items) == 1 and name == key:
            return f"{name} = {items[0]}"
        return f"{name} = [" + ", ".join(items) + "]"

    def quote_actions(self, actions: List[str]) -> List[str]:
        return [f'"{a}"' for a in actions]

    def resource_suggestion(self, services: List[str], statement: IamStatement,
                            resources: Sequence[ResourceRef] = ()) -> Optional[str]:
        return self.named_resources(services, statement, resources, RESOURCES, TYPES)

    def secret_reference(self, name: str, slug: str, arn_name: str, runtime: str) -> str:
        return ("Keep it in Secrets Manager and pass only its ARN:\n"
                + indent(f"{arn_name} = aws_secretsmanager_secret.{slug.replace('-', '_')}.arn")
                + f"\n{runtime}")

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        if function.code.kind == "zip":
            return "Rebuild the zip without them (the build script that writes it decides)."
        items = ", ".join(f'"{e.rstrip("/")}"' for e in entries)
        return f"Leave them out of the archive_file: excludes = [{items}]"

    def ships(self, rules: "_Rules", rel: str, is_dir: bool) -> bool:
        """``archive_file`` excludes: a path, a directory's contents, or a glob."""
        return not any(rel == p or rel.startswith(p + "/") or fnmatch.fnmatchcase(rel, p)
                       for p in rules.excludes)

    def code_setting(self, function: Function) -> str:
        return "source"


DIALECT = Terraform()
