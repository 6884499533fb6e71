"""One Serverless service: its functions with their settings, code and events, and the
CloudFormation of its ``resources`` section.

``_Core`` is the base of ``_Service`` (package ``__init__``), whose other mixins are ``_Values``
and ``_Iam``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from lambdalint import suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import (
    SERVERLESS,
    CodeLocation,
    EnvVar,
    Function,
    IamStatement,
    ManagedPolicy,
    Timeout,
    Value,
)
from lambdalint.sources import cloudformation
from lambdalint.sources.cloudformation.intrinsics import _references
from lambdalint.sources.references import named_resources
from lambdalint.sources.serverless.events import _Events
from lambdalint.sources.serverless.iam import PER_FUNCTION_PLUGIN
from lambdalint.sources.serverless.values import (
    _dict,
    _field,
    _intrinsic,
    _max_line,
    _number,
    _unresolve,
    _unresolve_function,
)
from lambdalint.sources.serverless.variables import Unresolved, resolve
from lambdalint.sources.yamlload import YDict, scalar_text

DEFAULT_TIMEOUT = 6  # seconds: Serverless's own default, not Lambda's 3
DEFAULT_MEMORY = 1024  # MB

# Plugins that bundle Node.js functions (esbuild or webpack) instead of zipping the service.
BUNDLER_PLUGINS = ("serverless-esbuild", "serverless-webpack", "serverless-bundle")


def _bundler(plugins: Any) -> Optional[str]:
    """The plugin that bundles the service's Node.js functions into one file each, if listed.

    These replace the copy of the service directory with their bundle (Node.js functions only;
    a function with a runtime the plugin skips is packaged as usual). serverless-python-requirements
    is not one: it adds the requirements to the usual package."""
    if isinstance(plugins, dict):
        plugins = plugins.get("modules")
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, str) and not isinstance(plugin, Unresolved) \
                and str(plugin).strip() in BUNDLER_PLUGINS:
            return str(plugin).strip()
    return None


class _Core(_Events):
    """The resolved service and what is read once for all its functions."""

    def __init__(self, raw: Dict[Any, Any], source: SourceFile, text: str) -> None:
        self.raw = raw
        self.source = source
        self.text = text
        self.data = resolve(raw, len(text), source.path.parent)
        self.path = source.display
        directory = source.path.parent
        self.base = Path(os.path.abspath(str(directory)))
        self.ignores = suppressions.parse(text).by_line
        provider = self.data.get("provider")
        self.provider: Dict[Any, Any] = provider if isinstance(provider, dict) else {}
        self.package = _dict(self.data.get("package"))
        self.template = self._template()
        self.resources: Dict[Any, Any] = self.template.get("Resources", {})
        self._queues: Dict[str, Optional[Value]] = {}
        self._roles: Dict[str, Tuple[Optional[str], List[IamStatement], List[ManagedPolicy]]] = {}
        custom = _dict(self.data.get("custom"))
        self.default_inherit = _dict(custom.get(PER_FUNCTION_PLUGIN)).get("defaultInherit") is True
        self.bundler = _bundler(self.data.get("plugins"))

    # -- CloudFormation in ``resources`` --------------------------------------------------------

    def _template(self) -> Dict[Any, Any]:
        """``resources`` (a mapping, or a list of them that Serverless merges) as one template."""
        section = self.data.get("resources")
        parts = section if isinstance(section, list) else [section]
        template = YDict()
        for part in parts:
            if not isinstance(part, dict):
                continue
            for key, value in part.items():
                if not isinstance(value, dict):
                    continue
                merged = template.setdefault(key, YDict())
                if isinstance(value, YDict):
                    merged.line, merged.column = value.line, value.column
                for name, item in value.items():
                    merged[name] = item
                    if isinstance(value, YDict):
                        merged.positions[name] = value.pos(name)
                        if name in value.key_positions:
                            merged.key_positions[name] = value.key_positions[name]
        return template

    def visibility_timeout(self, arn: Any) -> Optional[Value]:
        """The visibility timeout of the queue an ``sqs`` event's ARN names, if defined here."""
        if not self.resources or not isinstance(arn, dict):
            return None
        key = scalar_text(arn)
        if key not in self._queues:  # one lookup per queue, however many functions read it
            self._queues[key] = _unresolve(
                cloudformation.queue_visibility(self.template, self.source, arn))
        return self._queues[key]

    def template_functions(self) -> List[Function]:
        """Lambda functions declared in ``resources``, read as the CloudFormation they are."""
        if not any(isinstance(r, dict) and r.get("Type") in
                   ("AWS::Lambda::Function", "AWS::Serverless::Function")
                   for r in self.resources.values()):
            return []
        functions = cloudformation.read_template(self.template, self.source, self.text,
                                                 base_dir=self.base)
        for function in functions:
            _unresolve_function(function)
        return functions

    # -- functions ------------------------------------------------------------------------------

    def function_entries(self) -> Iterator[Tuple[str, Any, Any, int, int]]:
        """(name, resolved definition, written definition, line and column of the name)."""
        functions = self.data.get("functions")
        raw_functions = self.raw.get("functions")
        if isinstance(functions, dict):
            groups = [(functions, raw_functions)]
        elif isinstance(functions, list):
            raw_list = raw_functions if isinstance(raw_functions, list) else []
            groups = [(item, raw_list[i] if i < len(raw_list) else None)
                      for i, item in enumerate(functions)]
        else:
            return
        for group, raw_group in groups:
            if not isinstance(group, dict):
                continue
            for key, definition in group.items():
                if not isinstance(definition, dict) or _intrinsic(definition):
                    continue
                line, column = group.key_positions.get(key, (getattr(definition, "line", 1), 1)) \
                    if isinstance(group, YDict) else (getattr(definition, "line", 1), 1)
                written = raw_group.get(key) if isinstance(raw_group, dict) else None
                yield scalar_text(key), definition, written, line, column

    def read_function(self, name: str, spec: Dict[Any, Any], written: Any, line: int,
                      provider_role: Tuple[Optional[Any], List[IamStatement],
                                           List[ManagedPolicy], str], column: int = 1) -> Function:
        end_line = max(line, _max_line(written if written is not None else spec, [50_000]))
        function = Function(name=name, format=SERVERLESS, path=self.path, line=line,
                             end_line=end_line, column=column)
        function.ignored_rules = set(self.ignores.get(line, frozenset()))
        function.runtime = self.field_value(spec, "runtime") or \
            self.field_value(self.provider, "runtime")
        function.handler = self.field_value(spec, "handler")
        function.timeout = self.timeout(spec, line, column)
        function.memory, function.memory_defaulted = self.memory(spec, line)
        function.tracing = self.tracing(spec)
        function.log_retention = self.field_value(spec, "logRetentionInDays") or \
            self.field_value(self.provider, "logRetentionInDays")
        function.environment = self.environment(spec)
        function.resources = named_resources(function.environment, self.resource_type)
        function.code = self.code(spec)
        runtime = function.runtime
        python = runtime is not None and runtime.literal and \
            str(runtime.value).strip().lower().startswith("python")
        if self.bundler is not None and not python and function.code.kind == "local":
            function.build = f"the {self.bundler} plugin"
        layers, layers_line, layers_column = _field(spec, "layers")
        if layers is None:
            layers, layers_line, layers_column = _field(self.provider, "layers")
        if isinstance(layers, list):
            function.layers = self.values(layers, layers_line, layers_column)
        function.events = self.events(spec)
        function.async_config = self.async_config(name, spec)
        self.iam(function, spec, provider_role)
        self.exposure(function, name, spec)
        return function

    def timeout(self, spec: Dict[Any, Any], line: int, column: int = 1) -> Timeout:
        for mapping, origin in ((spec, "function"), (self.provider, "provider")):
            value = self.field_value(mapping, "timeout")
            if value is None:
                continue
            seconds = _number(value)
            if seconds is None:
                return Timeout(None, "unknown", self.path, value.line, value.column)
            return Timeout(seconds, origin, self.path, value.line, value.column)
        return Timeout(DEFAULT_TIMEOUT, "default", self.path, line, column)

    def memory(self, spec: Dict[Any, Any], line: int) -> Tuple[Value, bool]:
        """The memory size that applies, and whether it is Serverless' default (nothing set)."""
        for mapping in (spec, self.provider):
            value = self.field_value(mapping, "memorySize")
            if value is not None:
                number = _number(value)
                if number is not None:
                    value.value = number
                return value, False
        return Value(DEFAULT_MEMORY, f"{DEFAULT_MEMORY} (Serverless default)", self.path,
                     line), True

    def tracing(self, spec: Dict[Any, Any]) -> Optional[Value]:
        """The function's ``tracing`` (Active, PassThrough), else ``provider.tracing.lambda``
        (true, or a mode)."""
        own = self.field_value(spec, "tracing")
        if own is not None:
            return own
        return self.field_value(_dict(self.provider.get("tracing")), "lambda")

    def environment(self, spec: Dict[Any, Any]) -> List[EnvVar]:
        found: Dict[str, EnvVar] = {}
        for mapping in (self.provider, spec):
            env = _dict(mapping.get("environment"))
            for key, node in env.items():
                if node is None:
                    continue
                name = scalar_text(key)
                key_line, key_column = env.key_positions.get(key, env.pos(key)) \
                    if isinstance(env, YDict) else (1, 1)
                line, column = env.pos(key) if isinstance(env, YDict) else (key_line, key_column)
                value = self.value(node, line, column)
                if value is None:
                    continue
                if value.literal and not isinstance(value.value, str):
                    value.value = scalar_text(value.value)  # Lambda sees every value as text
                refers = sorted(r for r in _references(node) if self.resource_type(r))
                found[name] = EnvVar(name, value, key_line, key_column, refers)
        return list(found.values())

    def resource_type(self, logical_id: str) -> Optional[str]:
        """The type of a resource of ``resources:`` (None for a name it does not define)."""
        resource = self.resources.get(logical_id)
        kind = resource.get("Type") if isinstance(resource, dict) else None
        return kind if isinstance(kind, str) else None

    def code(self, spec: Dict[Any, Any]) -> CodeLocation:
        image = spec.get("image")
        if image is not None:
            if isinstance(image, dict) and not _intrinsic(image):
                image = image.get("uri") or image.get("name")
            value = self.value(image, 0, 0)
            return CodeLocation("image", path=str(value.value)
                                if value is not None and value.literal else None)
        service_package = self.package
        own_package = _dict(spec.get("package"))
        individually = service_package.get("individually") is True \
            or own_package.get("individually") is True
        artifact = own_package.get("artifact") or service_package.get("artifact")
        holder = own_package if own_package.get("artifact") else service_package
        artifact_line = getattr(holder, "key_positions", {}).get("artifact", (0, 0))[0]
        includes: List[str] = []
        excludes: List[str] = []
        packages = [service_package] + ([own_package] if individually else [])
        for package in packages:
            for key in ("patterns", "include", "exclude"):
                items = package.get(key)
                for item in items if isinstance(items, list) else []:
                    if not isinstance(item, str) or isinstance(item, Unresolved):
                        continue
                    pattern = str(item).strip()
                    if key == "exclude":
                        excludes.append(pattern)
                    elif pattern.startswith("!"):
                        excludes.append(pattern[1:])
                    else:
                        includes.append(pattern)
        if artifact is not None:
            if not isinstance(artifact, str) or isinstance(artifact, Unresolved):
                return CodeLocation("unknown", includes=includes, excludes=excludes)
            text = str(artifact).strip()
            if re.match(r"^(s3|https?)://", text):
                return CodeLocation("s3", path=text, includes=includes, excludes=excludes)
            return CodeLocation("zip", path=os.path.normpath(str(self.base / text)),
                                includes=includes, excludes=excludes, line=artifact_line)
        return CodeLocation("local", path=str(self.base), includes=includes, excludes=excludes)
