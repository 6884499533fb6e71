"""AWS SAM templates: CloudFormation plus ``Globals``, policy templates and ``sam build``.

What ``sam build`` copies: the whole ``CodeUri`` except the names aws-lambda-builders' Python
workflow leaves out (``.git``, virtual environments, caches...); it builds each function into
``.aws-sam/build/<Function>/``, which is measured instead when it exists.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence

from lambdalint.dialects.base import indent
from lambdalint.dialects.cloudformation import CloudFormation
from lambdalint.model import Function, IamStatement, ResourceRef

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.packages.ship import _Rules

# aws-lambda-builders, python_pip workflow: names left out of what `sam build` copies (any level).
BUILD_EXCLUDES = (
    ".aws-sam", ".chalice", ".git", ".gitignore", "*.pyc", "__pycache__", "*.so", ".Python",
    "*.egg-info", "*.egg", "pip-log.txt", "pip-delete-this-directory.txt", "htmlcov", ".tox",
    ".nox", ".coverage", ".cache", ".pytest_cache", ".python-version", ".mypy_cache",
    ".dmypy.json", ".pyre", ".env", ".venv", "venv", "venv.bak", "env.bak", "ENV", "env",
    ".vscode", ".idea",
)
_BUILD_EXCLUDED = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in BUILD_EXCLUDES))


class Sam(CloudFormation):
    """A SAM template (``Transform: AWS::Serverless-2016-10-31``)."""

    name = "sam"
    label = "AWS SAM"
    config_store = ("SSM Parameter Store or AWS AppConfig, and pass only its name: "
                    "PARAMETER_NAME: /my-app/config")
    per_function_build = True

    def shared_timeout(self, seconds: int) -> Optional[str]:
        return self._globals(self._key("Timeout", seconds))

    def _globals(self, setting: str) -> str:
        """``setting`` under ``Globals.Function``: every function of the template gets it."""
        if self.json:
            return f'"Globals": {{\n  "Function": {{\n{indent(setting)}\n  }}\n}}'
        return f"Globals:\n  Function:\n{indent(setting)}"

    def shared_memory(self, mb: int) -> Optional[str]:
        return self._globals(self.memory_setting(mb))

    def tracing_setting(self, function: Function) -> str:
        return self._key("Tracing", "Active")

    def shared_tracing(self) -> Optional[str]:
        return self._globals(self._key("Tracing", "Active"))

    def url_auth_setting(self, function: Function) -> str:
        if self.json:
            return '"FunctionUrlConfig": {"AuthType": "AWS_IAM"}'
        return "FunctionUrlConfig:\n  AuthType: AWS_IAM"

    def vpc_removal(self, function: Function, setting: str) -> str:
        if setting.startswith("Globals"):
            # SAM merges a function's VpcConfig into the Globals one (lists add up): a function
            # cannot take it off; it must move to the functions that need it.
            return (f"Move VpcConfig out of Globals and onto the functions that reach the VPC, "
                    f"not {function.name} (SAM adds a function's own VpcConfig lists to those "
                    "of Globals, so a function cannot remove it).")
        return super().vpc_removal(function, setting)

    def scoped_policy_hint(self) -> str:
        return ("a SAM policy template scoped to one resource (S3ReadPolicy: {BucketName: "
                "!Ref MyBucket}, DynamoDBCrudPolicy: {TableName: !Ref MyTable}) or a statement")

    def resource_suggestion(self, services: List[str], statement: IamStatement,
                            resources: Sequence[ResourceRef] = ()) -> Optional[str]:
        text = super().resource_suggestion(services, statement, resources)
        if text is None:
            return None
        return text + ("\n(SAM policy templates such as DynamoDBCrudPolicy and S3ReadPolicy take "
                       "the resource's name and write the scoped statement for you.)")

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        from lambdalint.discovery import display_path

        where = display_path(Path(function.code.path)) if function.code.path else "CodeUri"
        return (f"SAM ships the whole CodeUri ({where}/; sam build drops only .git, virtual "
                "environments and caches). Move these out of it (keep tests and data next to the "
                "function's code directory, not in it) and point CodeUri at a directory that holds "
                "only the code, or build it yourself: Metadata: BuildMethod: makefile, with a "
                f"build-{function.name} target that copies only what the function needs into "
                "$(ARTIFACTS_DIR).")

    def ships(self, rules: "_Rules", rel: str, is_dir: bool) -> bool:
        name = rel.rsplit("/", 1)[-1]
        return not (rules.python and _BUILD_EXCLUDED.match(name))

    def built_artifact(self, function: Function) -> Optional[Path]:
        build = Path(function.path).absolute().parent / ".aws-sam" / "build" / function.name
        return build if build.is_dir() else None

    def code_setting(self, function: Function) -> str:
        return "CodeUri"


YAML = Sam()
JSON = Sam(json_syntax=True)
