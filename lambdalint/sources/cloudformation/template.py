"""The core of reading one template: resources, values, functions, their code and suppressions.

``_Core`` holds what every part reads (the resource index, parameters, ``Globals``, values with
their provenance) and turns one function resource into a ``Function``; ``_Code`` says where its
code is. IAM and events are mixins of their own (``iam.py``, ``events.py``); the class that puts
them together is ``_Template`` in the package ``__init__``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import registry, suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import (
    CLOUDFORMATION,
    SAM,
    CodeLocation,
    EnvVar,
    EventSource,
    Function,
    IamStatement,
    InlineCode,
    ManagedPolicy,
    Timeout,
    Value,
)
from lambdalint.sources.cloudformation.intrinsics import (
    MAX_WALK_DEPTH,
    Pos,
    _as_dict,
    _intrinsic,
    _is_no_value,
    _items,
    _key_pos,
    _number,
    _pos,
    _pseudo_only,
    _references,
    _short,
    _sub_form,
)
from lambdalint.sources.references import named_resources
from lambdalint.sources.yamlload import YStr, scalar_text

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
DEFAULT_TIMEOUT = 3

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)
ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
QUEUE = "AWS::SQS::Queue"

_RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$")
_RULE_ID = re.compile(r"^LL\d{3}$", re.IGNORECASE)


# -- recognising a template ----------------------------------------------------------------------

def _is_sam_transform(transform: Any) -> bool:
    items = transform if isinstance(transform, list) else [transform]
    return any(isinstance(t, str) and t.strip() == SAM_TRANSFORM for t in items)


def _typed_resources(resources: Any) -> bool:
    if not isinstance(resources, dict):
        return False
    return any(isinstance(r, dict) and isinstance(r.get("Type"), str)
               and _RESOURCE_TYPE.match(r["Type"].strip()) for r in resources.values())


def is_template(data: Any) -> bool:
    """A CloudFormation or SAM template, by content: the format version, the SAM transform, or a
    ``Resources`` mapping whose resources have ``Type: Service::Thing`` names."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data or _is_sam_transform(data.get("Transform")):
        return True
    return _typed_resources(data.get("Resources"))


# -- where a resource ends, how it is built --------------------------------------------------------


def _end_line(node: Any, depth: int = 0) -> int:
    """The last line a value occupies (a literal block ends lines after it starts)."""
    line = getattr(node, "line", 0)
    if isinstance(node, str):
        if getattr(node, "style", None) in ("|", ">"):
            return line + node.rstrip("\n").count("\n") + 1
        return line
    if depth > MAX_WALK_DEPTH:
        return line
    if isinstance(node, dict):
        for key, value in node.items():
            line = max(line, getattr(node, "positions", {}).get(key, (0, 0))[0],
                       _end_line(value, depth + 1))
    elif isinstance(node, list):
        for value in node:
            line = max(line, _end_line(value, depth + 1))
    return line


def _build_method(resource: Any) -> Optional[str]:
    """``Metadata: BuildMethod`` when it names a builder that does not copy the code directory.

    ``sam build`` copies ``CodeUri`` for the Python (``python3.x``) and npm (``nodejs20.x``)
    builders; esbuild, makefile, go1.x, dotnet, rust-cargolambda... write only what they build."""
    method = _as_dict(_as_dict(resource).get("Metadata")).get("BuildMethod")
    if not isinstance(method, str) or not method.strip():
        return None
    method = method.strip()
    if method.lower().startswith(("python", "nodejs")):
        return None
    return f"BuildMethod: {method}"



# -- one template ----------------------------------------------------------------------------------

class _Core:
    """One template being read: its resources, parameters and indexes built once."""

    def __init__(self, data: Dict[Any, Any], source: SourceFile, text: str,
                 fmt: Optional[str], base_dir: Optional[Path]) -> None:
        self.source = source
        self.path = source.display
        self.base_dir = Path(base_dir) if base_dir is not None else Path(source.path).parent
        if "Resources" not in data and _typed_resources(data):
            data = {"Resources": data}  # a bare Resources mapping
        self.data = data
        self.resources: Dict[str, Dict[Any, Any]] = {}
        raw = data.get("Resources")
        self.raw_resources = raw if isinstance(raw, dict) else {}
        self.types: Dict[str, str] = {}
        self.lines: Dict[str, int] = {}
        self.columns: Dict[str, int] = {}
        self._service_tokens: Optional[Set[str]] = None
        for key, resource in self.raw_resources.items():
            if isinstance(resource, dict):
                logical_id = str(key)
                self.resources[logical_id] = resource
                kind = resource.get("Type")
                self.types[logical_id] = kind.strip() if isinstance(kind, str) else ""
                self.lines[logical_id], self.columns[logical_id] = _key_pos(self.raw_resources, key)
        self.roles: Set[str] = set(self.ids_of(ROLE))
        self.parameters = _as_dict(data.get("Parameters"))
        self.sam = _is_sam_transform(data.get("Transform"))
        self.forced_format = fmt
        self.globals = _as_dict(_as_dict(data.get("Globals")).get("Function"))
        self.text = text or ""
        self.comments = suppressions.parse(self.text).by_line
        self._lines: Optional[List[str]] = None
        self._role_names = {str(rid): str(name) for rid, name in
                            ((rid, _as_dict(self.properties(rid)).get("RoleName"))
                             for rid in self.ids_of(ROLE)) if isinstance(name, str)}
        self._attached: Optional[Dict[str, List[str]]] = None
        self._role_cache: Dict[str, Tuple[List[IamStatement], List[ManagedPolicy]]] = {}
        self._events: Optional[Dict[str, List[EventSource]]] = None
        self._invoke_configs: Optional[Dict[str, List[Dict[Any, Any]]]] = None
        self._dead_letters: Optional[Set[str]] = None
        self._assumable: Dict[str, bool] = {}

    # -- lookups

    def type_of(self, logical_id: str) -> str:
        return self.types.get(logical_id, "")

    def properties(self, logical_id: str) -> Dict[Any, Any]:
        return _as_dict(self.resources.get(logical_id, {}).get("Properties"))

    def ids_of(self, *types: str) -> List[str]:
        return [rid for rid in self.resources if self.type_of(rid) in types]

    def line_of(self, logical_id: str) -> int:
        return self.lines.get(logical_id, 1)

    # -- values

    def value(self, node: Any, pos: Pos) -> Tuple[Value, str]:
        """A Value, and how it was known: "literal", "parameter" (a default) or "unknown"."""
        line, column = getattr(node, "line", pos[0]), getattr(node, "column", pos[1])
        if isinstance(node, (str, int, float)) or node is None:
            return self._scalar(node, line, column), "literal"
        found = _intrinsic(node)
        if found is not None:
            name, inner = found
            if name == "Ref" and isinstance(inner, str):
                resolved = self._parameter_default(str(inner), line, column)
                if resolved is not None:
                    return resolved, "parameter"
            if name in ("Fn::Sub", "Fn::Join") and _pseudo_only(node):
                value = self._scalar(_sub_form(node), line, column)
                value.text = _short(node)
                return value, "literal"
        return Value(None, _short(node), self.path, line, column, literal=False), "unknown"

    def _scalar(self, node: Any, line: int, column: int) -> Value:
        if node is None:
            return Value(None, "null", self.path, line, column, literal=False)
        if isinstance(node, bool):
            return Value(node, "true" if node else "false", self.path, line, column)
        if isinstance(node, int):
            return Value(int(node), str(int(node)), self.path, line, column)
        if isinstance(node, float):
            return Value(float(node), str(node), self.path, line, column)
        text = str(node)
        if "{{resolve:" in text:
            return Value(None, text, self.path, line, column, literal=False)
        return Value(text, text, self.path, line, column)

    def _parameter_default(self, name: str, line: int, column: int) -> Optional[Value]:
        parameter = self.parameters.get(name)
        if not isinstance(parameter, dict) or "Default" not in parameter:
            return None
        kind = parameter.get("Type")
        default = parameter.get("Default")
        if isinstance(kind, str) and kind.strip().startswith("AWS::SSM::Parameter::Value"):
            return Value(None, f"!Ref {name} (SSM parameter {scalar_text(default)})", self.path,
                         line, column, literal=False)
        if isinstance(default, (dict, list)) or default is None:
            return None
        value = self._scalar(default, line, column)
        value.text = f"!Ref {name} (default {value.text})"
        return value

    def setting(self, props: Dict[Any, Any], key: str, sam: bool) -> Tuple[Any, Any, str]:
        """(value, container, where) of a property, falling back to SAM Globals."""
        if key in props and not _is_no_value(props[key]):
            return props[key], props, "function"
        if sam and key in self.globals and not _is_no_value(self.globals[key]):
            return self.globals[key], self.globals, "globals"
        return None, None, ""

    # -- functions

    def functions(self) -> Iterator[Function]:
        for logical_id in list(self.resources):
            if self.type_of(logical_id) not in FUNCTION_TYPES:
                continue
            try:
                yield self.function(logical_id)
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
                continue  # an odd resource must not lose the others

    def function(self, logical_id: str) -> Function:
        resource = self.resources[logical_id]
        kind = self.type_of(logical_id)
        sam = kind == SAM_FUNCTION
        props = self.properties(logical_id)
        fmt = self.forced_format or (SAM if self.sam or sam else CLOUDFORMATION)
        line = self.line_of(logical_id)
        function = Function(name=logical_id, format=fmt, path=self.path, line=line,
                            end_line=max(line, _end_line(resource)),
                            column=self.columns.get(logical_id, 1))
        for key, attribute in (("Runtime", "runtime"), ("Handler", "handler"),
                               ("MemorySize", "memory"), ("FunctionName", "function_name")):
            node, container, _ = self.setting(props, key, sam)
            if container is not None:
                setattr(function, attribute, self.value(node, _pos(container, key))[0])
        function.timeout = self._timeout(props, sam, function)
        function.environment = self._environment(props, sam)
        function.resources = named_resources(function.environment, self.types.get)
        function.layers = self._layers(props, sam)
        function.tracing = self._tracing(props, sam)
        function.log_group = self._log_group_of(logical_id, props, sam, function)
        if function.log_group is not None:
            function.log_retention = function.log_group.retention
        function.code = self._code(props, sam, function)
        self._iam(logical_id, props, sam, function)
        function.events = self._sam_events(props) if sam else []
        function.events.extend(self.attached_events().get(logical_id, []))
        function.async_config = self.async_config(logical_id, props, sam)
        function.ignored_rules = self._ignored(resource, line)
        function.custom_resource = logical_id in self.service_tokens()
        function.build = _build_method(resource)
        self._exposure(logical_id, props, sam, function)
        return function

    def _timeout(self, props: Dict[Any, Any], sam: bool, function: Function) -> Timeout:
        if _intrinsic(props) is not None or "Fn::Transform" in props:
            # Properties chosen by !If or pulled in by AWS::Include: set, but not knowable here.
            return Timeout(None, "unknown", function.path, getattr(props, "line", function.line))
        node, container, where = self.setting(props, "Timeout", sam)
        if container is None:
            return Timeout(DEFAULT_TIMEOUT, "default", function.path, function.line, function.column)
        value, how = self.value(node, _pos(container, "Timeout"))
        seconds = _number(value)
        if seconds is None:
            return Timeout(None, "unknown", value.path, value.line, value.column)
        return Timeout(seconds, "parameter" if how == "parameter" else where, value.path, value.line,
                       value.column)

    def _variables(self, props: Dict[Any, Any], sam: bool) -> List[Dict[Any, Any]]:
        """The environment's variables: SAM Globals' first, then the function's own."""
        sources = [_as_dict(_as_dict(self.globals.get("Environment")).get("Variables"))] if sam else []
        sources.append(_as_dict(_as_dict(props.get("Environment")).get("Variables")))
        return sources

    def _environment(self, props: Dict[Any, Any], sam: bool) -> List[EnvVar]:
        merged: Dict[str, EnvVar] = {}
        for variables in self._variables(props, sam):
            for key, node in variables.items():
                value, _ = self.value(node, _pos(variables, key))
                line, column = _key_pos(variables, key)
                refers = sorted(r for r in _references(node) if self.types.get(r))
                merged[str(key)] = EnvVar(str(key), value, line, column, refers)
        return list(merged.values())

    def _layers(self, props: Dict[Any, Any], sam: bool) -> List[Value]:
        layers: List[Value] = []
        for container in ([self.globals] if sam else []) + [props]:
            node = container.get("Layers")
            if isinstance(node, list):
                layers.extend(self.value(item, pos)[0] for item, pos in _items(node))
        return layers

    def service_tokens(self) -> Set[str]:
        """The functions custom resources name as their ServiceToken (found once)."""
        if self._service_tokens is None:
            self._service_tokens = set()
            for rid, kind in self.types.items():
                if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
                    self._service_tokens |= _references(self.properties(rid).get("ServiceToken"))
        return self._service_tokens

    # -- suppression

    def _ignored(self, resource: Dict[Any, Any], line: int) -> Set[str]:
        ignored: Set[str] = set(self.comments.get(line, frozenset()))
        settings = _as_dict(_as_dict(resource.get("Metadata")).get("lambdalint"))
        for item, _ in _items(settings.get("ignore")):
            if not isinstance(item, str):
                continue
            for part in re.split(r"[\s,]+", item.strip()):
                if not part:
                    continue
                if part in ("*", "all", "ALL"):
                    ignored.add("*")
                    continue
                rules = registry.match(part)
                if rules:
                    ignored.update(r.id for r in rules)
                elif _RULE_ID.match(part):
                    ignored.add(part.upper())
        return ignored


class _Code:
    """Where a function's code is: local, a zip, S3, an image, or inline text mapped to the file."""

    def _code(self, props: Dict[Any, Any], sam: bool, function: Function) -> CodeLocation:
        package, _, _ = self.setting(props, "PackageType", sam)
        if isinstance(package, str) and package.strip().lower() == "image":
            uri, _, _ = self.setting(props, "ImageUri", sam)
            if uri is None:
                uri = _as_dict(props.get("Code")).get("ImageUri")
            return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
        if sam:
            inline, container, _ = self.setting(props, "InlineCode", sam)
            if container is not None:
                return self._inline(inline, function)
            uri, container, _ = self.setting(props, "ImageUri", sam)
            if container is not None:
                return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
            uri, container, _ = self.setting(props, "CodeUri", sam)
            if container is None:
                return CodeLocation("local", path=os.path.normpath(str(self.base_dir)))
            return self._artifact(uri, _key_pos(container, "CodeUri")[0])
        code = props.get("Code")
        if not isinstance(code, dict) or _intrinsic(code) is not None:
            # `aws cloudformation package` takes a local path here
            return self._artifact(code, _key_pos(props, "Code")[0])
        if "ZipFile" in code:
            return self._inline(code["ZipFile"], function)
        if "ImageUri" in code:
            uri = code["ImageUri"]
            return CodeLocation("image", path=str(uri) if isinstance(uri, str) else None)
        if "S3Bucket" in code or "S3Key" in code:
            return self._s3(code.get("S3Bucket"), code.get("S3Key"))
        return CodeLocation("unknown")

    def _artifact(self, uri: Any, line: int = 0) -> CodeLocation:
        """A SAM ``CodeUri`` (or a packaged ``Code``): a local path, a zip, or S3. ``line``: where
        it is written, for the note when the path leads out of the checked tree."""
        if isinstance(uri, dict) and _intrinsic(uri) is None:
            return self._s3(uri.get("Bucket"), uri.get("Key"))
        if not isinstance(uri, str) or not uri.strip():
            return CodeLocation("unknown")
        text = uri.strip()
        if text.lower().startswith("s3://"):
            return CodeLocation("s3", path=text)
        if "://" in text or "{{resolve:" in text:
            return CodeLocation("unknown")
        path = os.path.normpath(os.path.join(str(self.base_dir), text))
        kind = "zip" if text.lower().endswith((".zip", ".jar")) else "local"
        return CodeLocation(kind, path=path, line=line)

    @staticmethod
    def _s3(bucket: Any, key: Any) -> CodeLocation:
        if isinstance(bucket, str) and isinstance(key, str):
            return CodeLocation("s3", path=f"s3://{bucket}/{key}")
        return CodeLocation("s3")

    def _inline(self, node: Any, function: Function) -> CodeLocation:
        found = _intrinsic(node)
        if found is not None and found[0] == "Fn::Sub":
            inner = found[1]
            node = inner[0] if isinstance(inner, list) and inner else inner
        runtime = function.runtime
        python = runtime is None or not runtime.literal or \
            str(runtime.value).strip().lower().startswith("python")
        if not python or not isinstance(node, YStr) or node.style != "|":
            return CodeLocation("inline")
        mapped = self._map_block(node)
        if mapped is None:
            return CodeLocation("inline")
        return CodeLocation("inline", inline=InlineCode(str(node), self.path, mapped[0], mapped[1]))

    def _map_block(self, node: YStr) -> Optional[Tuple[int, int]]:
        """(line_offset, column_offset) of a literal block: its first content line is the line
        after the ``|``; checked against the file so a wrong guess maps nothing."""
        lines = self._file_lines()
        offset = node.line  # line n of the text is file line node.line + n
        for number, text_line in enumerate(str(node).split("\n"), start=1):
            if not text_line.strip():
                continue
            index = offset + number - 1
            if index >= len(lines):
                return None
            file_line = lines[index].rstrip("\r")
            if not file_line.endswith(text_line) or file_line[:len(file_line) - len(text_line)].strip():
                return None
            return offset, len(file_line) - len(text_line)
        return None

    def _file_lines(self) -> List[str]:
        if self._lines is None:
            text = self.text
            if not text:
                try:
                    text = Path(self.source.path).read_text(encoding="utf-8-sig", errors="replace")
                except OSError:
                    text = ""
            self._lines = text.split("\n")
        return self._lines
