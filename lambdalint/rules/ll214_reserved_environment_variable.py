"""LL214 reserved-environment-variable: a function environment sets a name Lambda reserves.

Lambda sets these variables itself during initialization; CreateFunction and
UpdateFunctionConfiguration refuse a configuration that sets one ("Lambda was unable to configure
your environment variables because the environment variables you have provided contains reserved
keys"). Names are compared exactly, as Lambda does: ``aws_region`` is an ordinary variable.
Handler code that assigns these names (``os.environ["AWS_REGION"] = ...``) is not covered yet.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.findings import Finding
from lambdalint.model import EnvVar, Function, Project
from lambdalint.rules._wording import names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL214",
    name="reserved-environment-variable",
    severity="error",
    summary="A function's environment sets a variable Lambda reserves, so the deployment fails.",
    kind="config",
    tags=("reliability",),
    reports="an environment variable Lambda reserves (AWS_REGION, _HANDLER, AWS_ACCESS_KEY_ID, ...)",
    covers=("", "yes", "yes", "yes", "yes"),
)

# The reserved keys of "Defined runtime environment variables", retrieved 2026-12-07:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
# (name, what Lambda sets it to). Not here: the names the same page lists as settable (TZ, LANG,
# PATH, LD_LIBRARY_PATH, NODE_OPTIONS, PYTHONPATH, AWS_XRAY_*, ...), and AWS_SECRET_KEY /
# AWS_SECURITY_TOKEN, reserved in AWS's 2018 table but gone from the page.
RESERVED = (
    ("_HANDLER", "the handler location configured on the function"),
    ("_X_AMZN_TRACE_ID", "the X-Ray tracing header of each invocation"),
    ("AWS_DEFAULT_REGION", "the Region the function runs in"),
    ("AWS_REGION", "the Region the function runs in"),
    ("AWS_EXECUTION_ENV", "the runtime identifier (AWS_Lambda_python3.12, ...)"),
    ("AWS_LAMBDA_FUNCTION_NAME", "the function's name"),
    ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "the function's memory in MB"),
    ("AWS_LAMBDA_FUNCTION_VERSION", "the version being executed"),
    ("AWS_LAMBDA_INITIALIZATION_TYPE", "how the environment was initialized (on-demand, ...)"),
    ("AWS_LAMBDA_LOG_GROUP_NAME", "the function's CloudWatch Logs group"),
    ("AWS_LAMBDA_LOG_STREAM_NAME", "the function's CloudWatch Logs stream"),
    ("AWS_ACCESS_KEY", "the access key of the execution role"),
    ("AWS_ACCESS_KEY_ID", "the access key of the execution role"),
    ("AWS_SECRET_ACCESS_KEY", "the access key of the execution role"),
    ("AWS_SESSION_TOKEN", "the session token of the execution role"),
    ("AWS_LAMBDA_RUNTIME_API", "the host and port of the runtime API"),
    ("LAMBDA_TASK_ROOT", "the path to the function's code"),
    ("LAMBDA_RUNTIME_DIR", "the path to the runtime libraries"),
    ("AWS_LAMBDA_MAX_CONCURRENCY", "the concurrency of a Lambda Managed Instances environment"),
    ("AWS_LAMBDA_METADATA_API", "the address of the metadata endpoint"),
    ("AWS_LAMBDA_METADATA_TOKEN", "the token of the metadata endpoint"),
)

_SETS = dict(RESERVED)
REGION = ("AWS_REGION", "AWS_DEFAULT_REGION")
CREDENTIALS = ("AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

REFUSED = ('"Lambda was unable to configure your environment variables because the environment '
           'variables you have provided contains reserved keys"')

Where = Tuple[str, int]


def suggestion(name: str) -> str:
    """Remove it, and what to rely on instead. Never shows the value."""
    if name in REGION:
        return (f"Remove {name}: the Lambda runtime already sets it to the Region the function "
                f'runs in; code reads os.environ["{name}"] as it is. To reach another Region, '
                "use a variable of your own name (TARGET_REGION) and pass it to the client.")
    if name in CREDENTIALS:
        return (f"Remove {name}: the function's execution role provides credentials, and the "
                "runtime sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN "
                "from it. Grant the role what the code needs instead; for another account, "
                "let the code assume a role there (sts:AssumeRole). If the value was a real "
                "key, deactivate and rotate it: it is in the repository history.")
    return (f"Remove {name}: Lambda sets it itself ({_SETS[name]}); code reads "
            f'os.environ["{name}"] as it is. Use a name of your own for a value of your own.')


def _path(function: Function, var: EnvVar) -> str:
    """The file the variable is written in: its value's, when the value is on its line."""
    value = var.value
    return value.path if value.line == var.line and value.path else function.path


class ReservedEnvironmentVariable(ConfigRule):
    """A variable Lambda sets itself cannot be set in the function configuration."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        # SAM Globals, Serverless provider.environment: one line, several functions, one finding.
        found: "OrderedDict[Where, Tuple[EnvVar, List[Function]]]" = OrderedDict()
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            for var in function.environment:
                if var.name not in _SETS:
                    continue
                key = (_path(function, var), var.line)
                if key not in found:
                    found[key] = (var, [])
                if function not in found[key][1]:
                    found[key][1].append(function)
        for (path, line), (var, functions) in found.items():
            yield self.finding(
                None, path, line, var.column,
                f"{var.name} in the environment of {names(functions)} is reserved by Lambda, "
                f"which sets it itself: the deployment is refused ({REFUSED})",
                suggestion(var.name),
            )


Rule = ReservedEnvironmentVariable
