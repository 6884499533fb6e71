"""Serverless Framework services (``serverless.yml``): ``functions:``, ``provider:`` and
``package.patterns``.

What ships: the service directory minus Serverless's default excludes and the service's
``package.patterns``; ``node_modules`` only with runtime ``dependencies`` in package.json; a
``.serverless/*.zip`` left by ``serverless package`` is measured instead when it exists.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Pattern, Tuple

from lambdalint.dialects.base import Dialect, indent
from lambdalint.model import EventSource, Function

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.packages.ship import _Rules

# Serverless Framework's default excludes (package-service), relative to the service.
DEFAULT_EXCLUDES = (
    ".git/**", ".gitignore", ".DS_Store", "npm-debug.log", "yarn-*.log", ".serverless/**",
    ".serverless_plugins/**", "serverless.yml", "serverless.yaml", "serverless.json",
    "serverless.js", "serverless.ts",
)
MAX_CONFIG_BYTES = 5 * 1024 * 1024  # serverless.yml or package.json read again here
_SERVICE = re.compile(
    r"^service\s*:\s*(?:\n\s+name\s*:\s*)?['\"]?([A-Za-z0-9][\w-]*)['\"]?\s*(#.*)?$", re.MULTILINE)


@lru_cache(maxsize=1)
def _default_excludes() -> Tuple[Tuple[str, Pattern[str]], ...]:
    from lambdalint.packages.ship import glob_regex

    return tuple((p, glob_regex(p)) for p in DEFAULT_EXCLUDES)


def service_name(path: Path) -> Optional[str]:
    """The ``service:`` of a serverless.yml, read as text (the name of its built zip)."""
    from lambdalint import confine

    try:
        text = confine.read_text(path, MAX_CONFIG_BYTES)
    except OSError:
        return None
    match = _SERVICE.search(text)
    return match.group(1) if match else None


def _logical_name(name: str) -> str:
    """A function's name as the start of a CloudFormation logical id (``hello-world`` ->
    ``HelloWorld``)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))


class Serverless(Dialect):
    name = "serverless"
    label = "Serverless Framework"
    image_option = "the function's image, built from provider.ecr.images"
    config_store = "SSM Parameter Store or AWS AppConfig, and pass only its name"

    default_memory_mb = 1024

    def function_timeout(self, function: Function, seconds: int) -> str:
        return self.function_setting(function, f"timeout: {seconds}")

    def shared_timeout(self, seconds: int) -> Optional[str]:
        return f"provider:\n  timeout: {seconds}"

    def function_setting(self, function: Function, setting: str) -> str:
        return f"functions:\n  {function.name}:\n{indent(setting)}"

    def memory_setting(self, mb: int) -> str:
        return f"memorySize: {mb}"

    def shared_memory(self, mb: int) -> Optional[str]:
        return f"provider:\n  memorySize: {mb}"

    def tracing_setting(self, function: Function) -> str:
        return "tracing: Active"

    def shared_tracing(self) -> Optional[str]:
        return "provider:\n  tracing:\n    lambda: true"

    def log_retention(self, function: Function, days: int) -> str:
        return self.function_setting(function, f"logRetentionInDays: {days}")

    def shared_log_retention(self, days: int) -> Optional[str]:
        return f"provider:\n  logRetentionInDays: {days}"

    def url_auth_setting(self, function: Function) -> str:
        return self.function_setting(function, "url:\n  authorizer: aws_iam")

    def permission_scope(self, service: str) -> str:
        from lambdalint.dialects.cloudformation import YAML

        return YAML.permission_scope(service) + "  # in the resources section"

    def vpc_removal(self, function: Function, setting: str) -> str:
        if setting == "provider.vpc":
            return ("Remove provider.vpc, or detach this function alone:\n"
                    + indent(self.function_setting(function, "vpc: ~")))
        return f"Remove vpc from {function.name}."

    def async_failure_destination(self, function: Function) -> str:
        """``destinations.onFailure`` of the function (Serverless adds the permission)."""
        queue = _logical_name(function.name) + "Failures"
        return self.function_setting(
            function, "destinations:\n  onFailure:\n    type: sqs\n"
                      f"    arn: !GetAtt {queue}.Arn") + \
            f"\nwith the queue in resources:\n  Resources:\n    {queue}:\n" \
            "      Type: AWS::SQS::Queue"

    # The ``msk`` and ``kafka`` events have no destination setting (serverless/serverless#12458):
    # only ``stream`` events do.
    mapping_destination_kinds = frozenset({"kinesis", "dynamodb"})

    def stream_failure_settings(self, function: Function, event: EventSource,
                                destination: bool, bounds: bool) -> str:
        """Keys of the ``stream`` event."""
        lines = []
        if destination:
            queue = _logical_name(function.name) + "StreamFailures"
            lines.append(f"destinations:\n  onFailure:\n    type: sqs\n"
                         f"    arn: !GetAtt {queue}.Arn")
        if bounds:
            lines += ["bisectBatchOnFunctionError: true", "maximumRetryAttempts: 3"]
        return "\n".join(lines)

    def runtime_setting(self, runtime: str) -> str:
        return f"runtime: {runtime}"

    def secret_reference(self, name: str, slug: str, arn_name: str, runtime: str) -> str:
        return ("Keep it in SSM Parameter Store (SecureString) or Secrets Manager and reference "
                "it:\n" + indent(f"{name}: ${{ssm:/my-app/{slug}}}")
                + "\nor, better, pass only the parameter's name and read it at runtime, once, at "
                "module scope.")

    def node_modules_ship(self, root: Path) -> Optional[bool]:
        """Serverless leaves out devDependencies of node_modules: only runtime dependencies
        ship."""
        from lambdalint import confine

        manifest = root / "package.json"
        if manifest.is_symlink():
            return True  # may lead out of the tree: not read, the default stands
        try:
            data = json.loads(confine.read_text(manifest, MAX_CONFIG_BYTES))
        except (OSError, ValueError):
            return True
        return isinstance(data, dict) and bool(data.get("dependencies"))

    def exclude_advice(self, function: Function, entries: List[str]) -> str:
        lines = "\n".join(f"    - '!{e.rstrip('/')}{'/**' if e.endswith('/') else ''}'"
                          for e in entries)
        return ("Leave them out with package.patterns in serverless.yml:\npackage:\n  patterns:\n"
                + lines)

    def ships(self, rules: "_Rules", rel: str, is_dir: bool) -> bool:
        return rules.longest_pattern_wins(rel, is_dir, _default_excludes())

    def built_artifact(self, function: Function) -> Optional[Path]:
        if function.code.kind != "local":
            return None
        out = Path(function.path).absolute().parent / ".serverless"
        if not out.is_dir():
            return None
        candidates = [out / f"{function.name}.zip"]
        service = service_name(Path(function.path))
        if service:
            candidates.append(out / f"{service}.zip")
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        return None

    def code_setting(self, function: Function) -> str:
        return "the service directory" if function.code.kind == "local" else "package.artifact"


DIALECT = Serverless()
