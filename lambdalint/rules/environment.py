"""LL204 secret-in-environment: a literal secret in a function's environment variables.

Environment variables are stored with the function configuration and shown in plain text to
anyone who can read it (``lambda:GetFunctionConfiguration``), in the console, and in the
template's own version history.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from lambdalint import secrets
from lambdalint.findings import Finding
from lambdalint.model import CDK, CLOUDFORMATION, SAM, SERVERLESS, TERRAFORM, Function, Project
from lambdalint.rules.base import ConfigRule

# Written as text, but resolved by the deployment tool: never the secret itself.
REFERENCE = re.compile(r"\{\{resolve:|\$\{(ssm|env|file|cf|s3|aws|sls|param|opt|self|secretsmanager)\b"
                       r"|^arn:|^\$\{?var\.|^\$\{?local\.|^\$\{?data\.", re.IGNORECASE)


def suggestion(function: Function, name: str) -> str:
    fmt = function.format
    if fmt in (SAM, CLOUDFORMATION):
        return (f"Keep the secret in Secrets Manager and resolve it at deploy time:\n"
                f"  {name}: '{{{{resolve:secretsmanager:my-app/{name.lower()}:SecretString}}}}'\n"
                "or, better, pass only the secret's ARN and read it at runtime with "
                "secretsmanager.get_secret_value (cached at module scope).")
    if fmt == SERVERLESS:
        return (f"Reference SSM Parameter Store or Secrets Manager instead:\n"
                f"  {name}: ${{ssm:/my-app/{name.lower()}}}\n"
                "or pass the secret's ARN and read it at runtime.")
    if fmt == TERRAFORM:
        return (f"Read it from Secrets Manager instead of writing it:\n"
                f"  {name} = data.aws_secretsmanager_secret_version.{name.lower()}.secret_string\n"
                "or, better, pass the secret's ARN and read it at runtime.")
    if fmt == CDK:
        return (f"Pass the secret's ARN and grant read access instead:\n"
                f"  environment={{\"{name}_ARN\": secret.secret_arn}}, then secret.grant_read(fn)\n"
                "and read it at runtime with secretsmanager.get_secret_value.")
    return "Store the secret in Secrets Manager or SSM Parameter Store and reference it."


class SecretInEnvironment(ConfigRule):
    """A secret written as the literal value of an environment variable."""

    ID = "LL204"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        extra = list(self.options.get("extra-secret-names", []))
        seen = set()
        for function in project.functions:
            for var in function.environment:
                value = var.value
                if not value.literal or not isinstance(value.value, str) or isinstance(value.value, bool):
                    continue
                text = value.value
                if REFERENCE.search(text.strip()):
                    continue
                why = secrets.classify(var.name, text, extra)
                if why is None:
                    continue
                key = (value.path, value.line, value.column)
                if key in seen:
                    continue
                seen.add(key)
                yield self.finding(
                    function, value.path, value.line, value.column,
                    f"environment variable {var.name} of {function.name} holds a {why} in plain "
                    f"text ({secrets.mask(text)})",
                    suggestion(function, var.name),
                )
