"""CloudFormation templates, in YAML or JSON: the ``Properties`` of each resource.

The JSON variant writes every snippet as JSON (a JSON template cannot take YAML pasted in):
short-form intrinsics become their ``Fn::`` objects. SAM (``dialects.sam``) builds on these.
"""

from __future__ import annotations

import json
from typing import List, Optional

from lambdalint.dialects.base import Dialect, indent
from lambdalint.model import Function, IamStatement


def json_form(item: str) -> str:
    """A YAML scalar or short-form intrinsic as JSON: ``!GetAtt T.Arn`` is
    ``{"Fn::GetAtt": ["T", "Arn"]}``."""
    text = item.strip()
    if text.startswith("!GetAtt "):
        resource, _, attribute = text[len("!GetAtt "):].partition(".")
        return f'{{"Fn::GetAtt": ["{resource}", "{attribute}"]}}'
    if text.startswith("!Ref "):
        return f'{{"Ref": "{text[len("!Ref "):]}"}}'
    if text.startswith("!Sub "):
        return f'{{"Fn::Sub": {json.dumps(text[len("!Sub "):].strip().strip(chr(34)))}}}'
    return json.dumps(text)


# Per service whose principal invokes functions: the ARN of its source resource, for SourceArn.
_SOURCES = {
    "s3": "!GetAtt MyBucket.Arn",
    "sns": "!Ref MyTopic",
    "events": "!GetAtt MyRule.Arn",
    "apigateway": '!Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${MyApi}/*"',
    "logs": '!Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:my-group:*"',
    "sqs": "!GetAtt MyQueue.Arn",
    "iot": '!Sub "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:rule/MyRule"',
    "ses": '!Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:receipt-rule-set/*"',
    "cognito-idp": "!GetAtt MyUserPool.Arn",
    "elasticloadbalancing": "!Ref MyTargetGroup",
}


class CloudFormation(Dialect):
    """A plain CloudFormation template (``AWS::Lambda::Function``)."""

    name = "cloudformation"
    label = "CloudFormation"
    image_option = "PackageType: Image"
    config_store = "SSM Parameter Store or AWS AppConfig, and pass only its name"

    def __init__(self, json_syntax: bool = False) -> None:
        self.json = json_syntax

    def function_timeout(self, function: Function, seconds: int) -> str:
        return self.function_setting(function, self._key("Timeout", seconds))

    def function_setting(self, function: Function, setting: str) -> str:
        if self.json:
            return (f'"{function.name}": {{\n  "Properties": {{\n{indent(setting)}\n'
                    "  }\n}")
        return f"{function.name}:\n  Properties:\n{indent(setting)}"

    def _key(self, key: str, value: object) -> str:
        """``Key: value`` in the template's syntax (a number, or a word JSON quotes)."""
        if self.json:
            return f'"{key}": {json.dumps(value)}'
        return f"{key}: {value}"

    def memory_setting(self, mb: int) -> str:
        return self._key("MemorySize", mb)

    def tracing_setting(self, function: Function) -> str:
        if self.json:
            return '"TracingConfig": {"Mode": "Active"}'
        return "TracingConfig:\n  Mode: Active"

    def retention_setting(self, days: int) -> str:
        return self._key("RetentionInDays", days)

    def log_retention(self, function: Function, days: int) -> str:
        """A log group named after the function (``!Ref`` of a function is its name)."""
        group = f"{function.name}LogGroup"
        if self.json:
            return (f'"{group}": {{\n  "Type": "AWS::Logs::LogGroup",\n  "Properties": {{\n'
                    f'    "LogGroupName": {{"Fn::Sub": "/aws/lambda/${{{function.name}}}"}},\n'
                    f'    "RetentionInDays": {days}\n  }}\n}}')
        return (f"{group}:\n  Type: AWS::Logs::LogGroup\n  Properties:\n"
                f"    LogGroupName: !Sub /aws/lambda/${{{function.name}}}\n"
                f"    RetentionInDays: {days}")

    def runtime_setting(self, runtime: str) -> str:
        if self.json:
            return f'"Runtime": "{runtime}"'
        return f"Runtime: {runtime}"

    def statement_list(self, key: str, items: List[str],
                       statement: Optional[IamStatement]) -> str:
        if not self.json:
            return super().statement_list(key, items, statement)
        shown = [json_form(item) for item in items]
        return f'"{key}": ' + (shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]")

    def secret_reference(self, name: str, slug: str, arn_name: str, runtime: str) -> str:
        secret = "".join(w.title() for w in slug.split("-")) + "Secret"
        resolve = f"{{{{resolve:secretsmanager:my-app/{slug}:SecretString}}}}"
        if self.json:
            arn_line = f'"{arn_name}": {{"Ref": "{secret}"}}'
            resolve_line = f'"{name}": "{resolve}"'
        else:
            arn_line = f"{arn_name}: !Ref {secret}"
            resolve_line = f"{name}: '{resolve}'"
        return ("Keep it in Secrets Manager and pass only its ARN:\n" + indent(arn_line)
                + f"\n{runtime}\nor let CloudFormation resolve it at deploy time (the value is "
                "then still readable in the function's configuration):\n"
                + indent(resolve_line))

    def url_auth_setting(self, function: Function) -> str:
        return self._key("AuthType", "AWS_IAM") + "  # on the AWS::Lambda::Url"

    def permission_scope(self, service: str) -> str:
        source = _SOURCES.get(service, "!GetAtt MySource.Arn")
        if self.json:
            return (f'"SourceArn": {json_form(source)},\n'
                    '"SourceAccount": {"Ref": "AWS::AccountId"}')
        return f"SourceArn: {source}\nSourceAccount: !Ref AWS::AccountId"

    def vpc_removal(self, function: Function, setting: str) -> str:
        return (f"Remove {setting} from {function.name} (and the ec2 network-interface "
                "permissions, the AWSLambdaVPCAccessExecutionRole policy, it needed).")

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        return ("`aws cloudformation package` zips the whole directory: point Code at a directory "
                "that holds only the function's code.")

    def code_setting(self, function: Function) -> str:
        return "Code"


YAML = CloudFormation()
JSON = CloudFormation(json_syntax=True)
