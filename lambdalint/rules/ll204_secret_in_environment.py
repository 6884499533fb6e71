"""LL204 secret-in-environment: a literal secret in a function's environment variables.

Environment variables are stored with the function configuration and shown in plain text to
anyone who can read it (``lambda:GetFunctionConfiguration``), in the console, and in the
template's own version history.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint import secrets
from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import EnvVar, Function, Project
from lambdalint.rules._wording import article, indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules._reserved_env import CREDENTIALS as RESERVED_CREDENTIALS
from lambdalint.rules._reserved_env import suggestion as reserved_suggestion
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL204",
    name="secret-in-environment",
    severity="error",
    summary="A function's environment variable holds a secret in plain text.",
    kind="config",
    options=(
        Option("extra-secret-names", "list", [],
               "more variable name fragments that mark a secret"),
    ),
    tags=("security", "external/cwe/cwe-798", "external/cwe/cwe-526"),
    security_severity="8.5",
    reports="a literal secret in a function's environment variables",
    covers=("", "yes", "yes", "yes", "yes"),
)

Location = Tuple[str, int, int]

# Written as text, but resolved by the deployment tool: never the secret itself.
REFERENCE = re.compile(r"\{\{resolve:"
                       r"|\$\{(ssm|env|file|cf|s3|aws|sls|param|opt|self|secretsmanager)\b"
                       r"|^arn:|^\$\{?var\.|^\$\{?local\.|^\$\{?data\.", re.IGNORECASE)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "secret"


def suggestion(function: Function, name: str) -> str:
    """How to reference the secret instead, in the function's own format."""
    slug = _slug(name)
    arn_name = f"{name}_ARN" if name.upper().endswith("SECRET") else f"{name}_SECRET_ARN"
    runtime = ("and read it once per execution environment, at module scope:\n"
               + indent(f'{name.lower()} = boto3.client("secretsmanager").get_secret_value(\n'
                         f'    SecretId=os.environ["{arn_name}"])["SecretString"]'))
    rotate = "\nThen rotate the secret: the old value stays in the repository history."
    return dialect_of(function).secret_reference(name, slug, arn_name, runtime) + rotate


def role_advice(name: str) -> str:
    """For AWS keys: the execution role, never a Secrets Manager reference under the same name.
    Lambda reserves AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY... (LL214), so the advice is
    LL214's own for those names: both findings on the line say the same thing."""
    if name in RESERVED_CREDENTIALS:
        return reserved_suggestion(name)
    return (f"Remove {name}: the function's execution role provides temporary credentials, and "
            "boto3 uses them without configuration. Grant the role what the code needs; for "
            "another account, let the code assume a role there (sts:AssumeRole). If the value "
            "was a real key, deactivate and rotate it: it is in the repository history.")


def _via(var: EnvVar) -> str:
    """`` (through var.api_key)``: the reference a resolved value came from, never the value."""
    value = var.value
    text = value.text or ""
    if not value.literal or not isinstance(value.value, str) or text == value.value:
        return ""
    reference = re.split(r" \(| =", text, maxsplit=1)[0].strip()
    if not reference or value.value in reference or reference == value.value:
        return ""
    return f", through {reference}"


class SecretInEnvironment(ConfigRule):
    """A secret written as the literal value of an environment variable."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        extra = tuple(self.options.get("extra-secret-names", []))
        # provider.environment, SAM Globals: one value, several functions, one finding.
        found: "OrderedDict[Location, Tuple[EnvVar, str, List[Function]]]" = OrderedDict()
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            for var in function.environment:
                value = var.value
                if not value.literal:
                    # !Sub "postgres://app:pw@${Host}/db": the shape alone shows a secret in
                    # the literal part; a name alone does not, the value is not known.
                    found_shape = secrets.find_credential(value.text or "")
                    why = found_shape.kind if found_shape is not None else None
                elif not isinstance(value.value, str) or REFERENCE.search(value.value.strip()):
                    continue
                elif secrets.aws_example_key(value.value):
                    why = secrets.AWS_EXAMPLE  # any name: long-term keys in the configuration
                elif secrets.made_up_aws_key_id(value.value):
                    why = secrets.AWS_MADE_UP  # a key id's form with a fixture's body: the same
                else:
                    why = secrets.classify(var.name, value.value, extra)
                if why is None:
                    continue
                key = (value.path, value.line, value.column)
                if key not in found:
                    found[key] = (var, why, [])
                if not found[key][2] or found[key][2][-1] is not function:
                    found[key][2].append(function)
        for var, why, functions in found.values():
            value = var.value
            via = _via(var)
            text = value.value if value.literal else value.text
            aws = (why.startswith("AWS") or why == secrets.AWS_MADE_UP
                   or secrets.is_aws_key_name(var.name))
            advice = role_advice(var.name) if aws else suggestion(functions[0], var.name)
            if via:
                advice += (f"\nThe value is written where {via[len(', through '):]} points: "
                           "delete it there too.")
            where = f"{var.name} in the environment of {names(functions)}"
            if why in (secrets.AWS_EXAMPLE, secrets.AWS_MADE_UP):
                what = ("AWS's example key" if why == secrets.AWS_EXAMPLE
                        else f"{article(why)} {why}")
                message = (f"{where} holds {what} ({secrets.mask_prefix(text)}{via}): "
                           "the configuration passes long-term keys where the execution role "
                           "should sign; use the execution role")
            else:
                message = (f"{where} holds {article(why)} {why} in plain text "
                           f"({secrets.mask(text)}{via})")
            yield self.finding(None, value.path, value.line, value.column, message,
                               advice, value.end_line, value.end_column)


Rule = SecretInEnvironment
