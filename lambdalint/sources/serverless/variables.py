"""Serverless variables (``${self:custom.timeout}``, ``${opt:stage, 'dev'}``) resolved in the file.

``_Resolver`` resolves one string against the document, with a budget and a cycle guard;
``_Materializer`` copies the document with every variable resolved or marked ``Unresolved``.
Both the search for a variable's closing brace and the split of its fallbacks read the text
with one scanner, ``_tokens``, so quotes, parentheses and nested ``${`` are handled alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import files
from lambdalint.sources import yamlload
from lambdalint.sources.yamlload import YDict, YFloat, YInt, YList, YStr

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


def _tokens(text: str, start: int = 0, depth: int = 0) -> Iterator[Tuple[int, str, int, int]]:
    """(index, token, depth, parens) for each ``${``, ``}``, ``(``, ``)`` and ``,`` of ``text``
    from ``start`` that is not inside quotes; ``depth`` (open ``${``, starting at the given one)
    and ``parens`` are counted after the token, neither below zero."""
    parens, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif text.startswith("${", i):
            depth += 1
            yield i, "${", depth, parens
            i += 2
            continue
        elif char in "}(),":
            if char == "}":
                depth = max(0, depth - 1)
            elif char == "(":
                parens += 1
            elif char == ")":
                parens = max(0, parens - 1)
            yield i, char, depth, parens
        i += 1


def _close(text: str, start: int) -> int:
    """Index of the ``}`` that closes the ``${`` opened just before ``start``, or -1."""
    for index, token, depth, _ in _tokens(text, start, depth=1):
        if token == "}" and depth == 0:
            return index
    return -1


def _split_fallbacks(inner: str) -> List[str]:
    """``opt:stage, self:provider.stage, 'dev'`` -> its three parts (commas inside quotes,
    parentheses and nested variables do not split)."""
    parts: List[str] = []
    start = 0
    for index, token, depth, parens in _tokens(inner):
        if token == "," and depth == 0 and parens == 0:
            parts.append(inner[start:index])
            start = index + 1
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

    def __init__(self, data: Dict[Any, Any], budget: int, base: Optional[Path] = None) -> None:
        self.data = data
        self.budget = budget
        self.active: Set[str] = set()
        self.cache: Dict[str, _Result] = {}
        self.files = _Included(base)

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
        if source == "file" and match.group(2):
            document = self.files.load(match.group(2)[1:-1].strip())
            return _UNKNOWN_RESULT if document is None else self._walk(
                document, rest, f"from file({match.group(2)[1:-1].strip()})")
        if source in _INPUT_SOURCES:
            return (_INPUT, None, "")
        if source == "sls" and rest == "stage":
            return self._variable("opt:stage, self:provider.stage, 'dev'")
        return _UNKNOWN_RESULT

    def _self(self, address: str) -> _Result:
        return self._walk(self.data, address, "")

    def _walk(self, node: Any, address: str, origin: str) -> _Result:
        """The value at ``address`` (``custom.db.password``) inside ``node``."""
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
        return (_OK, node, origin or f"from {address or 'the file'}")


class _Included:
    """The documents ``${file(...)}`` names, read once each: only YAML or JSON files inside the
    service's own directory (after symlinks), each through ``lambdalint.files`` under a small
    size limit, a few per service. Anything else is unknown, as before."""

    MAX_BYTES = 256 * 1024
    MAX_FILES = 16

    def __init__(self, base: Optional[Path]) -> None:
        self.base = base
        self.loaded: Dict[str, Any] = {}

    def load(self, name: str) -> Any:
        """The document of file ``name`` (relative to the service), or None."""
        if len(name) >= 2 and name[0] in "'\"" and name[-1] == name[0]:
            name = name[1:-1]
        if self.base is None or not name or "${" in name:
            return None
        if name in self.loaded:
            return self.loaded[name]
        if len(self.loaded) >= self.MAX_FILES:
            return None
        self.loaded[name] = None
        try:
            root = self.base.resolve()
            path = (root / name).resolve()
            if not path.is_relative_to(root) or path.suffix.lower() not in (
                    ".yml", ".yaml", ".json") or not path.is_file():
                return None
        except (OSError, ValueError, RuntimeError):
            return None
        text = files.read_text(path, self.MAX_BYTES)
        if not isinstance(text, str):
            return None
        try:
            self.loaded[name] = yamlload.load(text)
        except (yamlload.YamlError, RecursionError, ValueError):
            return None
        return self.loaded[name]


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
        if isinstance(node, (dict, list)):
            if id(node) in self.stack or len(self.stack) > 200:
                return None
            self.stack.append(id(node))
            try:
                return self._mapping(node) if isinstance(node, dict) else self._sequence(node)
            finally:
                self.stack.pop()
        if isinstance(node, str) and "${" in node:
            return self.scalar(node)
        return node

    def _mapping(self, node: Dict[Any, Any]) -> YDict:
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

    def _sequence(self, node: List[Any]) -> YList:
        items = YList()
        items.line, items.column = getattr(node, "line", 1), getattr(node, "column", 1)
        for index, value in enumerate(node):
            self.budget -= 1
            items.append(self.copy(value))
            if isinstance(node, YList):
                items.positions.append(node.pos(index))
        return items

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


def resolve(data: Dict[Any, Any], size: int = 0, base: Optional[Path] = None) -> Dict[Any, Any]:
    """``data`` with its Serverless variables resolved; ``size`` (the text's length) sets the
    budget so a hostile file cannot make resolution explode. ``base``, the service's directory,
    lets ``${file(...)}`` read YAML and JSON files below it."""
    resolver = _Resolver(data, 20_000 + size, base)
    out = _Materializer(resolver, 100_000 + size).copy(data)
    return out if isinstance(out, dict) else {}


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
