"""The Serverless Framework reader: a ``serverless.yml`` service into the deployment model.

A service is recognised by what it holds (``service`` with an AWS ``provider`` and/or
``functions``), not by its file name. Serverless variables are resolved inside the file before
anything is read: ``${self:custom.timeout}``, ``${self:provider.stage}``, fallbacks such as
``${opt:stage, 'dev'}`` and nested variables all come down to the literal a deployment would most
likely see. Variables that fetch their value at deploy time (``${ssm:...}``, ``${cf:...}``,
``${file(...)}``...) cannot be known here: they become non-literal values, shown as written, so no
rule ever judges a value it had to guess.

The ``resources`` section is CloudFormation: it supplies the SQS queues behind ``sqs`` events (for
their visibility timeout), the IAM roles that functions name with ``role:``, and Lambda functions
declared there directly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import (
    SERVERLESS,
    CodeLocation,
    EnvVar,
    EventSource,
    Function,
    IamStatement,
    ManagedPolicy,
    Timeout,
    Value,
)
from lambdalint.sources import cloudformation
from lambdalint.sources.yamlload import YDict, YFloat, YInt, YList, YStr, scalar_text

DEFAULT_TIMEOUT = 6  # seconds: Serverless's own default, not Lambda's 3
DEFAULT_MEMORY = 1024  # MB
DEFAULT_ROLE = "IamRoleLambdaExecution"  # the logical id Serverless gives the role it creates
PER_FUNCTION_PLUGIN = "serverless-iam-roles-per-function"

# Event keys that put API Gateway (REST, HTTP API) in front of the function, with its 29 s
# integration timeout. An ``alb`` trigger is kind "alb", as the CloudFormation reader has it:
# a load balancer does not stop waiting at 29 s.
_API_EVENTS = {"http", "httpapi"}


# --------------------------------------------------------------------------------------------
# Recognising a service


# Plugins that bundle Node.js functions (esbuild or webpack) instead of zipping the service.
BUNDLER_PLUGINS = ("serverless-esbuild", "serverless-webpack", "serverless-bundle")


def _intrinsic(node: Any) -> bool:
    """A CloudFormation function or reference (``{"Ref": x}``, ``{"Fn::GetAtt": ...}``)."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")
                                      or key.startswith("!"))


def _aws_provider(provider: Any) -> bool:
    if provider is None:
        return True
    if isinstance(provider, str):
        return provider.strip().lower() == "aws"
    if isinstance(provider, dict):
        name = provider.get("name")
        return name is None or not isinstance(name, str) or name.strip().lower() == "aws" \
            or "${" in name
    return False


def is_serverless(data: Any) -> bool:
    """A Serverless Framework service for AWS, whatever the file is called."""
    if not isinstance(data, dict):
        return False
    has_provider = "provider" in data
    if has_provider and not _aws_provider(data.get("provider")):
        return False
    if "service" in data:
        return has_provider or "functions" in data
    # No ``service``: only a provider that says aws, next to functions, is clearly one.
    provider = data.get("provider")
    return isinstance(provider, dict) and isinstance(provider.get("name"), str) \
        and "functions" in data and "Resources" not in data


# --------------------------------------------------------------------------------------------
# Variables

_OK, _MISSING, _INPUT, _UNKNOWN = "ok", "missing", "input", "unknown"
# Sources whose value is given when deploying (CLI options, the shell, dashboard parameters):
# like a CloudFormation parameter, the fallback written in the file is what lambdalint uses.
_INPUT_SOURCES = {"opt", "env", "param"}
_MAX_TEXT = 10_000  # a resolved string longer than this is treated as unknown
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_SOURCE = re.compile(r"^([A-Za-z][\w-]*)(\([^()]*\))?\s*:(?!:)(.*)$", re.DOTALL)
_FUNCTION_CALL = re.compile(r"^[A-Za-z][\w-]*\(")

_Result = Tuple[str, Any, str]  # (status, value, how the value was found)
_UNKNOWN_RESULT: _Result = (_UNKNOWN, None, "")


def _close(text: str, start: int) -> int:
    """Index of the ``}`` that closes the ``${`` opened just before ``start``, or -1."""
    depth, parens, quote, i = 1, 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif text.startswith("${", i):
            depth += 1
            i += 2
            continue
        elif char == "(":
            parens += 1
        elif char == ")":
            parens = max(0, parens - 1)
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _split_fallbacks(inner: str) -> List[str]:
    """``opt:stage, self:provider.stage, 'dev'`` -> its three parts (commas inside quotes,
    parentheses and nested variables do not split)."""
    parts: List[str] = []
    depth, parens, quote, start, i = 0, 0, "", 0, 0
    while i < len(inner):
        char = inner[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif inner.startswith("${", i):
            depth += 1
            i += 2
            continue
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == "(":
            parens += 1
        elif char == ")":
            parens = max(0, parens - 1)
        elif char == "," and depth == 0 and parens == 0:
            parts.append(inner[start:i])
            start = i + 1
        i += 1
    parts.append(inner[start:])
    return [p.strip() for p in parts]


def _is_variable(inner: str) -> bool:
    """``self:x``, ``opt:stage``, ``file(a.yml):k``, ``strToBool(...)`` are Serverless variables;
    ``AWS::Region`` and ``Bucket.Arn`` are CloudFormation ``Fn::Sub`` names, left alone."""
    stripped = inner.strip()
    return stripped.startswith("${") or bool(_SOURCE.match(stripped)) \
        or bool(_FUNCTION_CALL.match(stripped))


def _as_text(value: Any) -> Optional[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class _Resolver:
    """Resolves Serverless variables against the file itself, with a budget and cycle guard."""

    def __init__(self, data: Dict[Any, Any], budget: int) -> None:
        self.data = data
        self.budget = budget
        self.active: Set[str] = set()
        self.cache: Dict[str, _Result] = {}

    def string(self, text: str) -> _Result:
        """Every variable in ``text`` resolved: (ok, value, how) or (unknown, None, "")."""
        if "${" not in text:
            return (_OK, text, "")
        if text in self.cache:
            return self.cache[text]
        if text in self.active or self.budget <= 0 or len(self.active) > 100:
            return _UNKNOWN_RESULT  # refers to itself, or too much work for one file
        self.budget -= 1
        self.active.add(text)
        try:
            result = self._string(text)
        finally:
            self.active.discard(text)
        self.cache[text] = result
        return result

    def _string(self, text: str) -> _Result:
        if text.startswith("${") and _close(text, 2) == len(text) - 1:
            inner = text[2:-1]
            if not _is_variable(inner):
                return (_OK, text, "")
            status, value, how = self._variable(inner)
            return (status, value, how) if status == _OK else _UNKNOWN_RESULT
        pieces: List[str] = []
        hows: List[str] = []
        i = 0
        while True:
            start = text.find("${", i)
            if start < 0:
                pieces.append(text[i:])
                break
            end = _close(text, start + 2)
            if end < 0:
                pieces.append(text[i:])
                break
            pieces.append(text[i:start])
            inner = text[start + 2:end]
            if _is_variable(inner):
                status, value, how = self._variable(inner)
                piece = _as_text(value) if status == _OK else None
                if piece is None:
                    return _UNKNOWN_RESULT
                pieces.append(piece)
                hows.append(how)
            else:
                pieces.append(text[start:end + 1])
            i = end + 1
            if sum(len(p) for p in pieces) > _MAX_TEXT:
                return _UNKNOWN_RESULT
        joined = "".join(pieces)
        if len(joined) > _MAX_TEXT:
            return _UNKNOWN_RESULT
        return (_OK, joined, "" if joined == text else "resolved")

    def _variable(self, inner: str) -> _Result:
        """One ``${...}``: the first of its comma-separated candidates that has a value."""
        parts = _split_fallbacks(inner)
        waited = False  # an earlier candidate is given at deploy time: the rest are defaults
        for index, part in enumerate(parts):
            status, value, how = self._candidate(part, first=index == 0)
            if status == _OK:
                if value is None and index < len(parts) - 1:
                    continue
                return (_OK, value, "default" if waited else how)
            if status == _UNKNOWN:
                return _UNKNOWN_RESULT
            if status == _INPUT:
                waited = True
        return _UNKNOWN_RESULT

    def _candidate(self, part: str, first: bool) -> _Result:
        if len(part) >= 2 and part[0] in "'\"" and part[-1] == part[0]:
            return (_OK, part[1:-1], "literal")
        if not first:
            if _NUMBER.match(part):
                return (_OK, float(part) if "." in part else int(part), "literal")
            if part in ("true", "false"):
                return (_OK, part == "true", "literal")
            if part == "null":
                return (_OK, None, "literal")
        if part.startswith("${") and _close(part, 2) == len(part) - 1:
            return self.string(part)
        address = part
        if "${" in part:
            status, resolved, _ = self.string(part)
            if status != _OK or not isinstance(resolved, str):
                return _UNKNOWN_RESULT
            address = resolved
        match = _SOURCE.match(address.strip())
        if not match:
            return _UNKNOWN_RESULT
        source, rest = match.group(1), match.group(3).strip()
        if source == "self":
            return self._self(rest)
        if source in _INPUT_SOURCES:
            return (_INPUT, None, "")
        if source == "sls" and rest == "stage":
            return self._variable("opt:stage, self:provider.stage, 'dev'")
        return _UNKNOWN_RESULT

    def _self(self, address: str) -> _Result:
        node: Any = self.data
        segments = address.split(".") if address else []
        for segment in segments:
            if isinstance(node, str) and "${" in node:
                status, node, _ = self.string(node)
                if status != _OK:
                    return _UNKNOWN_RESULT
            if isinstance(node, dict):
                if segment in node:
                    node = node[segment]
                elif segment.lstrip("-").isdigit() and int(segment) in node:
                    node = node[int(segment)]
                else:
                    return (_MISSING, None, "")
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
            else:
                return (_MISSING, None, "")
        if address == "service" and isinstance(node, dict) and isinstance(node.get("name"), str):
            node = node["name"]  # the old ``service: {name: x}`` form
        if isinstance(node, str) and "${" in node:
            status, node, _ = self.string(node)
            if status != _OK:
                return _UNKNOWN_RESULT
        return (_OK, node, f"from {address or 'the file'}")


class Unresolved(YStr):
    """A string whose variables lambdalint cannot resolve: ``written`` is the text as written."""

    written = ""


def _located(value: Any, like: Any) -> Any:
    """``value`` as a located scalar at the position of ``like``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        out: Any = YInt(value)
    elif isinstance(value, float):
        out = YFloat(value)
    elif isinstance(value, str):
        out = YStr(value)
    else:
        return value
    out.line = getattr(like, "line", 1)
    out.column = getattr(like, "column", 1)
    return out


class _Materializer:
    """A copy of the document with every variable resolved (or marked Unresolved).

    Containers a variable points at are copied at each use, so the result is always a tree;
    ``budget`` bounds how much those copies may add, and a variable that points at a mapping
    containing itself is unresolved.
    """

    def __init__(self, resolver: _Resolver, budget: int) -> None:
        self.resolver = resolver
        self.budget = budget
        self.stack: List[int] = []

    def copy(self, node: Any) -> Any:
        if isinstance(node, dict):
            if id(node) in self.stack or len(self.stack) > 200:
                return None
            self.stack.append(id(node))
            try:
                out = YDict()
                out.line, out.column = getattr(node, "line", 1), getattr(node, "column", 1)
                for key, value in node.items():
                    self.budget -= 1
                    out[key] = self.copy(value)
                    if isinstance(node, YDict):
                        if key in node.positions:
                            out.positions[key] = node.positions[key]
                        if key in node.key_positions:
                            out.key_positions[key] = node.key_positions[key]
                return out
            finally:
                self.stack.pop()
        if isinstance(node, list):
            if id(node) in self.stack or len(self.stack) > 200:
                return None
            self.stack.append(id(node))
            try:
                items = YList()
                items.line, items.column = getattr(node, "line", 1), getattr(node, "column", 1)
                for index, value in enumerate(node):
                    self.budget -= 1
                    items.append(self.copy(value))
                    if isinstance(node, YList):
                        items.positions.append(node.pos(index))
                return items
            finally:
                self.stack.pop()
        if isinstance(node, str) and "${" in node:
            return self.scalar(node)
        return node

    def scalar(self, node: str) -> Any:
        status, value, how = self.resolver.string(str(node))
        if status != _OK:
            return self._unresolved(node)
        if isinstance(value, (dict, list)):
            if id(value) in self.stack or self.budget <= 0:
                return self._unresolved(node)
            return self.copy(value)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value == node:
            return node  # only CloudFormation ``${Name}`` inside: nothing to resolve
        out = _located(value, node)
        out.written = str(node)
        out.how = how
        return out

    @staticmethod
    def _unresolved(node: str) -> Unresolved:
        out = Unresolved(node)
        out.line = getattr(node, "line", 1)
        out.column = getattr(node, "column", 1)
        out.written = str(node)
        return out


def resolve(data: Dict[Any, Any], size: int = 0) -> Dict[Any, Any]:
    """``data`` with its Serverless variables resolved; ``size`` (the text's length) sets the
    budget so a hostile file cannot make resolution explode."""
    resolver = _Resolver(data, 20_000 + size)
    out = _Materializer(resolver, 100_000 + size).copy(data)
    return out if isinstance(out, dict) else {}


# --------------------------------------------------------------------------------------------
# Small readers


def _field(mapping: Any, key: str) -> Tuple[Any, int, int]:
    """The value under ``key`` and the (line, column) it was written at."""
    if not isinstance(mapping, dict) or key not in mapping:
        return None, 0, 0
    line, column = mapping.pos(key) if isinstance(mapping, YDict) else (1, 1)
    return mapping[key], line, column


def _dict(node: Any) -> Dict[Any, Any]:
    return node if isinstance(node, dict) and not _intrinsic(node) else {}


def _plain(node: Any) -> Any:
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _number(value: Optional[Value]) -> Optional[float]:
    if value is None or not value.literal or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)):
        return value.value
    if isinstance(value.value, str) and _NUMBER.match(value.value.strip()):
        text = value.value.strip()
        return float(text) if "." in text else int(text)
    return None


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


def _max_line(node: Any, budget: List[int]) -> int:
    """The last line a (not yet resolved) value was written on."""
    budget[0] -= 1
    if budget[0] < 0:
        return 0
    best = getattr(node, "line", 0)
    if isinstance(node, dict):
        if isinstance(node, YDict):
            for line, _ in node.positions.values():
                best = max(best, line)
        for value in node.values():
            best = max(best, _max_line(value, budget))
    elif isinstance(node, list):
        if isinstance(node, YList):
            for line, _ in node.positions:
                best = max(best, line)
        for value in node:
            best = max(best, _max_line(value, budget))
    return best


def _logical_id(node: Any) -> Optional[str]:
    """The logical id a ``!GetAtt X.Arn`` or ``!Ref X`` names."""
    if isinstance(node, dict) and len(node) == 1:
        (key, inner), = node.items()
        if key == "Fn::GetAtt":
            if isinstance(inner, list) and inner and isinstance(inner[0], str):
                return str(inner[0])
            if isinstance(inner, str):
                return inner.split(".")[0]
        if key == "Ref" and isinstance(inner, str):
            return str(inner)
    return None


def _has_variable(text: str) -> bool:
    """Whether a string still holds a Serverless variable (one resolution could not know)."""
    start = text.find("${")
    while start >= 0:
        end = _close(text, start + 2)
        if end < 0:
            return False
        if _is_variable(text[start + 2:end]):
            return True
        start = text.find("${", end + 1)
    return False


def _unresolve(value: Optional[Value]) -> Optional[Value]:
    """A Value read by the CloudFormation reader from a string with an unresolved Serverless
    variable (``${ssm:...}``) is not the literal it looks like."""
    if value is not None and value.literal and isinstance(value.value, str) \
            and "${" in value.value and _has_variable(value.value):
        value.literal = False
        value.value = None
    return value


def _unresolve_statement(statement: IamStatement) -> None:
    for values in (statement.actions, statement.not_actions, statement.resources,
                   statement.not_resources):
        for value in values:
            _unresolve(value)


def _unresolve_function(function: Function) -> None:
    for value in (function.runtime, function.handler, function.memory):
        _unresolve(value)
    for var in function.environment:
        _unresolve(var.value)
    for value in function.layers:
        _unresolve(value)
    for statement in function.statements:
        _unresolve_statement(statement)
    for policy in function.managed_policies:
        _unresolve(policy.name)
    for event in function.events:
        for detail in (event.visibility, event.batch_size, event.batching_window):
            if detail is not None:
                _unresolve(detail)


# --------------------------------------------------------------------------------------------
# The service


class _Service:
    def __init__(self, raw: Dict[Any, Any], source: SourceFile, text: str) -> None:
        self.raw = raw
        self.source = source
        self.text = text
        self.data = resolve(raw, len(text))
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

    # -- values -------------------------------------------------------------------------------

    def value(self, node: Any, line: int, column: int) -> Optional[Value]:
        """A Value for a scalar (or a reference) written at ``line``/``column``."""
        if node is None:
            return None
        line = getattr(node, "line", line) or line or 1
        column = getattr(node, "column", column) or column or 1
        if isinstance(node, Unresolved):
            return Value(None, node.written, self.path, line, column, literal=False)
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Fn::Sub"), str) \
                and "${" not in node["Fn::Sub"].replace("${!", ""):
            node = node["Fn::Sub"]  # a !Sub with nothing to substitute is its text
        elif isinstance(node, (dict, list)):
            return Value(None, scalar_text(node), self.path, line, column, literal=False)
        plain = _plain(node)
        written = getattr(node, "written", None)
        if written is None:
            return Value(plain, scalar_text(plain), self.path, line, column)
        how = getattr(node, "how", "")
        shown = scalar_text(plain)
        if how == "default":
            text = f"{written} (default {shown})"
        elif how.startswith("from "):
            text = f"{written} ({shown}, {how})"
        else:
            text = f"{written} (= {shown})"
        return Value(plain, text, self.path, line, column)

    def field_value(self, mapping: Any, key: str) -> Optional[Value]:
        node, line, column = _field(mapping, key)
        return self.value(node, line, column)

    def values(self, node: Any, line: int, column: int) -> List[Value]:
        """A string or a list of them (Action, Resource...), one Value per item."""
        if isinstance(node, list):
            out = []
            for index, item in enumerate(node):
                item_line, item_column = node.pos(index) if isinstance(node, YList) else (line, column)
                value = self.value(item, item_line, item_column)
                if value is not None:
                    out.append(value)
            return out
        value = self.value(node, line, column)
        return [value] if value is not None else []

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

    def role_iam(self, role: Any) -> Tuple[Optional[str], List[IamStatement], List[ManagedPolicy]]:
        """(name, statements, managed policies) of the role a ``role:`` setting names, read
        from ``resources`` by the CloudFormation reader; nothing for a role defined elsewhere."""
        if not self.resources:
            return None, [], []
        key = scalar_text(role)
        if key in self._roles:
            name, statements, managed = self._roles[key]
            return name, list(statements), list(managed)
        name, statements, managed = cloudformation.role_permissions(self.template, self.source, role)
        self._roles[key] = (name, list(statements), list(managed))
        for statement in statements:
            _unresolve_statement(statement)
        for policy in managed:
            _unresolve(policy.name)
        return name, statements, managed

    def default_role_iam(self) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """Policies in ``resources`` that name the role Serverless creates (``Roles: [!Ref
        IamRoleLambdaExecution]``) add to it, though the role itself is not written there."""
        if not self.resources:
            return [], []
        template = self.template
        if DEFAULT_ROLE not in self.resources:
            resources = YDict(self.resources)
            resources.positions = dict(getattr(self.resources, "positions", {}))
            resources.key_positions = dict(getattr(self.resources, "key_positions", {}))
            resources[DEFAULT_ROLE] = YDict({"Type": "AWS::IAM::Role"})
            template = YDict(template)
            template["Resources"] = resources
        _, statements, managed = cloudformation.role_permissions(template, self.source,
                                                                 DEFAULT_ROLE)
        for statement in statements:
            _unresolve_statement(statement)
        for policy in managed:
            _unresolve(policy.name)
        return statements, managed

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

    # -- IAM ------------------------------------------------------------------------------------

    def statements(self, node: Any, origin: str) -> List[IamStatement]:
        if isinstance(node, dict):
            node = YList([node])
        if not isinstance(node, list):
            return []
        out = []
        for index, item in enumerate(node):
            if not isinstance(item, dict) or _intrinsic(item):
                continue
            line, column = node.pos(index) if isinstance(node, YList) else (1, 1)
            effect = item.get("Effect")
            effect_text = str(effect).strip() if isinstance(effect, str) \
                and not isinstance(effect, Unresolved) else "Allow"
            lists = {}
            for key in ("Action", "NotAction", "Resource", "NotResource"):
                value, value_line, value_column = _field(item, key)
                lists[key] = self.values(value, value_line, value_column)
            out.append(IamStatement(
                "Deny" if effect_text.lower() == "deny" else "Allow",
                lists["Action"], lists["NotAction"], lists["Resource"], lists["NotResource"],
                self.path, line, origin, column,
            ))
        return out

    def managed_policies(self, node: Any, line: int, column: int, origin: str) -> List[ManagedPolicy]:
        if not isinstance(node, list):
            return []
        return [ManagedPolicy(v, origin) for v in self.values(node, line, column)]

    def provider_iam(self) -> Tuple[Optional[Any], List[IamStatement], List[ManagedPolicy], str]:
        """The role every function runs with unless it names its own: (an external role
        reference or None, statements, managed policies, the role's name for messages)."""
        iam = _dict(self.provider.get("iam"))
        role = iam.get("role")
        if role is None:
            role = self.provider.get("role")  # the older spelling
            if role is not None and isinstance(role, dict) and not _intrinsic(role):
                role = None
        if role is not None and (not isinstance(role, dict) or _intrinsic(role)):
            name, statements, managed = self.role_iam(role)
            return role, statements, managed, name or self.role_name(role)
        role = _dict(role)
        statements = self.statements(role.get("statements"), "provider.iam.role.statements")
        statements += self.statements(self.provider.get("iamRoleStatements"),
                                      "provider.iamRoleStatements")
        node, line, column = _field(role, "managedPolicies")
        managed = self.managed_policies(node, line, column, "provider.iam.role.managedPolicies")
        node, line, column = _field(self.provider, "iamManagedPolicies")
        managed += self.managed_policies(node, line, column, "provider.iamManagedPolicies")
        extra_statements, extra_managed = self.default_role_iam()
        name = role.get("name")
        label = str(name) if isinstance(name, str) and not isinstance(name, Unresolved) \
            else DEFAULT_ROLE
        return None, statements + extra_statements, managed + extra_managed, label

    def role_name(self, role: Any) -> str:
        """How messages name a role: an ARN by its name, as the CloudFormation reader does."""
        if isinstance(role, Unresolved):
            return role.written
        text = scalar_text(_plain(role))
        return text.rsplit("/", 1)[-1] if isinstance(role, str) and ":role/" in text else text

    # -- functions ------------------------------------------------------------------------------

    def function_entries(self) -> Iterator[Tuple[str, Any, Any, int]]:
        """(name, resolved definition, written definition, line of the name)."""
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
                line = group.key_positions.get(key, (getattr(definition, "line", 1), 1))[0] \
                    if isinstance(group, YDict) else getattr(definition, "line", 1)
                written = raw_group.get(key) if isinstance(raw_group, dict) else None
                yield scalar_text(key), definition, written, line

    def read_function(self, name: str, spec: Dict[Any, Any], written: Any, line: int,
                      provider_role: Tuple[Optional[Any], List[IamStatement],
                                           List[ManagedPolicy], str]) -> Function:
        end_line = max(line, _max_line(written if written is not None else spec, [50_000]))
        function = Function(name=name, format=SERVERLESS, path=self.path, line=line,
                             end_line=end_line)
        function.ignored_rules = set(self.ignores.get(line, frozenset()))
        function.runtime = self.field_value(spec, "runtime") or \
            self.field_value(self.provider, "runtime")
        function.handler = self.field_value(spec, "handler")
        function.timeout = self.timeout(spec, line)
        function.memory = self.memory(spec, line)
        function.environment = self.environment(spec)
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
        self.iam(function, spec, provider_role)
        return function

    def timeout(self, spec: Dict[Any, Any], line: int) -> Timeout:
        for mapping, origin in ((spec, "function"), (self.provider, "provider")):
            value = self.field_value(mapping, "timeout")
            if value is None:
                continue
            seconds = _number(value)
            if seconds is None:
                return Timeout(None, "unknown", self.path, value.line)
            return Timeout(seconds, origin, self.path, value.line)
        return Timeout(DEFAULT_TIMEOUT, "default", self.path, line)

    def memory(self, spec: Dict[Any, Any], line: int) -> Value:
        for mapping in (spec, self.provider):
            value = self.field_value(mapping, "memorySize")
            if value is not None:
                number = _number(value)
                if number is not None:
                    value.value = number
                return value
        return Value(DEFAULT_MEMORY, f"{DEFAULT_MEMORY} (Serverless default)", self.path, line)

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
                found[name] = EnvVar(name, value, key_line, key_column)
        return list(found.values())

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

    def events(self, spec: Dict[Any, Any]) -> List[EventSource]:
        events = spec.get("events")
        out: List[EventSource] = []
        if not isinstance(events, list):
            return out
        for index, item in enumerate(events):
            if not isinstance(item, dict) or not item:
                continue
            line = events.pos(index)[0] if isinstance(events, YList) else getattr(item, "line", 1)
            key, body = next(iter(item.items()))
            if not isinstance(key, str):
                continue
            word = key.lower()
            if word in _API_EVENTS:
                out.append(EventSource(
                    "api", line, http_api=str(key) == "httpApi",
                    asynchronous=isinstance(body, dict) and body.get("async") is True))
            elif word == "sqs":
                out.append(self.sqs_event(body, line))
            else:
                out.append(EventSource(word, line))
        return out

    def sqs_event(self, body: Any, line: int) -> EventSource:
        arn = body.get("arn") if isinstance(body, dict) and not _intrinsic(body) else body
        event = EventSource("sqs", line)
        visibility = self.visibility_timeout(arn)
        if visibility is not None:
            event.visibility = visibility
            event.visibility_defaulted = visibility.text == cloudformation.SQS_DEFAULT_TEXT
            event.queue = _logical_id(arn)
        if isinstance(body, dict) and not _intrinsic(body):
            event.batch_size = self.field_value(body, "batchSize")
            event.batching_window = self.field_value(body, "maximumBatchingWindow")
        return event

    def iam(self, function: Function, spec: Dict[Any, Any],
            provider_role: Tuple[Optional[Any], List[IamStatement], List[ManagedPolicy], str]) -> None:
        own_role = spec.get("role")
        if own_role is not None:
            name, function.statements, function.managed_policies = self.role_iam(own_role)
            function.role = name or self.role_name(own_role)
            return
        external, statements, managed, label = provider_role
        if "iamRoleStatements" in spec:
            # serverless-iam-roles-per-function: the function gets a role of its own, cloned
            # from the service's (so its managed policies), with the provider's statements only
            # when it inherits them.
            inherit = spec.get("iamRoleStatementsInherit")
            own = self.statements(spec.get("iamRoleStatements"),
                                  f"iamRoleStatements of {function.name}")
            if external is not None:
                function.statements = own
            else:
                inherits = inherit is True or (self.default_inherit and inherit is not False)
                function.statements = (list(statements) if inherits else []) + own
                function.managed_policies = list(managed)
            role_name = spec.get("iamRoleStatementsName")
            function.role = str(role_name) if isinstance(role_name, str) \
                and not isinstance(role_name, Unresolved) else f"the role of {function.name}"
            return
        function.statements, function.managed_policies = list(statements), list(managed)
        function.role = label


def read_service(data: Dict[Any, Any], source: SourceFile, text: str) -> List[Function]:
    """Every function of a Serverless service: those under ``functions`` and the Lambda
    functions its ``resources`` declare in CloudFormation."""
    try:
        service = _Service(data, source, text)
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        return []
    functions: List[Function] = []
    try:
        provider_role = service.provider_iam()
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        provider_role = (None, [], [], DEFAULT_ROLE)
    for name, spec, written, line in service.function_entries():
        try:
            functions.append(service.read_function(name, spec, written, line, provider_role))
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
            continue  # one odd function must not lose the rest
    try:
        functions.extend(service.template_functions())
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        pass
    return functions
