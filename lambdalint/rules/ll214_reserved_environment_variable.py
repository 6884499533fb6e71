"""LL214 reserved-environment-variable: a function environment sets a name Lambda reserves.

Lambda sets these variables itself during initialization; CreateFunction and
UpdateFunctionConfiguration refuse a configuration that sets one ("Lambda was unable to configure
your environment variables because the environment variables you have provided contains reserved
keys"). Names are compared exactly, as Lambda does: ``aws_region`` is an ordinary variable.
Handler code that sets or removes these names (``os.environ["AWS_REGION"] = ...``) is LL214's
part on code, in ``_ll214_in_code`` (``META.code_part``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.findings import Finding
from lambdalint.model import EnvVar, Function, Project
from lambdalint.rules._reserved_env import REFUSED, SETS, suggestion
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
    reports="an environment variable Lambda reserves (AWS_REGION, _HANDLER, AWS_ACCESS_KEY_ID, "
            "...) set by a function's config, or set or removed by its code",
    covers=("yes", "yes", "yes", "yes", "yes"),
    code_part="_ll214_in_code",
)

# The reserved keys of "Defined runtime environment variables", retrieved 2026-12-07:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
Where = Tuple[str, int]


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
                if var.name not in SETS:
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
