"""Whether LL101 can report in a file, read from Python's own ``ast`` tree: its gate's last test.

LL101's text test lets through nearly every handler (``token``, ``key`` and ``secret`` are in
most of them), and each file it lets through costs a LibCST parse: two thirds of the Python
files that went to LibCST in a real repository did so for LL101 alone, and it reported in two
of them. This module answers the question the rule would ask, on the ``ast`` tree the
pre-filter has already parsed, with the rule's own decisions (``lambdalint.secrets``):

* every string the rule judges by its shape (each literal, each f-string, each ``+`` chain,
  flattened as the rule flattens them: an expression inside is ``{}``) through
  ``find_credential``, the most permissive way the rule calls it;
* every binding site the rule reads (assignments, keyword arguments, dict entries, parameter
  defaults, ``==`` comparisons, environment setters and fallbacks, positional credentials of
  the callees in its table, ``auth=(user, pw)``), with its name and value, through
  ``secret_category`` / ``is_aws_key_name`` and ``classify``.

It must be true for every file the rule reports in, so where the ``ast`` and LibCST could see
different text it says yes: an f-string whose source has a backslash or ``{{``/``}}`` (LibCST
keeps its literal parts raw, ``ast`` decodes them) counts when its source or its value holds a
credential hint; a name is substituted by every literal it is ever bound to (the rule takes
only a name bound once). ``allowed-values`` is not applied (it only removes findings).

Kept free of LibCST: the gate runs before it is imported. The positional table is a copy of
``rules._credential_calls.POSITIONAL_SECRETS`` (that module imports LibCST); a test checks that
the two are equal.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from lambdalint import secrets

_BOTO3_CLIENT_KEYS = ((6, "aws_access_key_id"), (7, "aws_secret_access_key"),
                      (8, "aws_session_token"))
# A copy of the rule's table (see the module docstring): callee -> (required base, positions).
POSITIONAL_SECRETS: Dict[str, Tuple[Optional[Tuple[str, ...]], Tuple[Tuple[int, str], ...]]] = {
    "Redis": (None, ((3, "password"),)),
    "StrictRedis": (None, ((3, "password"),)),
    "DB": (("pg",), ((5, "passwd"),)),
    "connect": (("pg",), ((5, "passwd"),)),
    "encode": (("jwt",), ((1, "signing_key"),)),
    "login": (None, ((1, "password"),)),
    "HTTPBasicAuth": (None, ((1, "password"),)),
    "HTTPDigestAuth": (None, ((1, "password"),)),
    "HTTPProxyAuth": (None, ((1, "password"),)),
    "BasicAuth": (None, ((1, "password"),)),
    "client": (None, _BOTO3_CLIENT_KEYS),
    "resource": (None, _BOTO3_CLIENT_KEYS),
    "Session": (("boto3", "session"), ((0, "aws_access_key_id"), (1, "aws_secret_access_key"),
                                       (2, "aws_session_token"))),
}
_SETTERS = frozenset({"setdefault", "putenv"})
_GETTERS = frozenset({"getenv", "get", "environ_get"})
# The sites whose value may be a name bound to a literal elsewhere (``f(key=value)``).
_THROUGH_NAMES = frozenset({"keyword", "positional", "auth"})
# ``f"{x=}"``: Python's value spells ``x=``, LibCST's parts do not.
_DEBUG_FIELD = re.compile(r"=\s*(?:![rsa]\s*)?(?::[^{}]*)?\}")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@dataclass
class _Flat:
    """A string expression as the rule flattens it."""

    text: str
    dynamic: bool  # an expression inside: built at run time
    has_literal: bool
    unsure: bool  # an f-string whose literal parts LibCST reads raw differ from their value


def _is_string(node: ast.AST) -> bool:
    """A literal the rule treats as a string (SimpleString, ConcatenatedString, FormattedString)."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _value_text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


class Sites:
    """One file's strings and binding sites, judged as LL101 judges them."""

    def __init__(self, tree: ast.AST, source: str, extra: Sequence[str] = (),
                 test_file: bool = False) -> None:
        self.tree = tree
        self.source = source
        self.extra = tuple(str(e) for e in extra)
        self.test_file = test_file
        self._literals: Optional[Dict[str, List[ast.AST]]] = None
        self._lines: Optional[List[bytes]] = None

    # -- the answer ------------------------------------------------------------------------------

    def may_report(self) -> bool:
        for node in ast.walk(self.tree):
            if _is_string(node) or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
                if self._shape(node):
                    return True
            if self.test_file:
                continue  # in a test file the rule judges no name
            for name, value, how in _bindings(node):
                if self._binding(name, value, how):
                    return True
        return False

    def _shape(self, node: ast.AST) -> bool:
        flat = self._flatten(node)
        if flat.unsure and self._hint(node, flat):
            return True
        if not flat.has_literal:
            return False
        return secrets.find_credential(flat.text, strong_only=self.test_file) is not None

    def _hint(self, node: ast.AST, flat: _Flat) -> bool:
        hint = secrets.PREFIX_HINT if self.test_file else secrets.SHAPE_HINT
        segment = self._segment(node) or self.source
        return bool(hint.search(segment) or hint.search(flat.text))

    def _binding(self, name: Optional[str], value: Optional[ast.AST], how: str) -> bool:
        if name is None or value is None:
            return False
        value = _decoded(value)
        if isinstance(value, ast.Name) and how in _THROUGH_NAMES:
            return any(self._binding(name, literal, "literal")
                       for literal in self.literals().get(value.id, ()))
        if not (_is_string(value) or isinstance(value, ast.BinOp)):
            return False
        if secrets.secret_category(name, self.extra) is None and not secrets.is_aws_key_name(name):
            return False
        flat = self._flatten(value)
        if flat.dynamic or not flat.has_literal:
            return False
        if flat.unsure:
            return True
        return secrets.classify(name, flat.text, self.extra,
                                compared=how == "compare") is not None

    # -- reading the tree ------------------------------------------------------------------------

    def _flatten(self, node: ast.AST) -> _Flat:
        """As the rule's ``flatten``: literals, f-strings and ``+`` chains as one text."""
        texts: List[str] = []
        dynamic = has_literal = unsure = False
        stack: List[ast.AST] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.Constant) and isinstance(current.value, (str, bytes)):
                texts.append(_value_text(current.value))
                has_literal = True
            elif isinstance(current, ast.JoinedStr):
                has_literal = True
                unsure = unsure or self._raw_differs(current)
                for part in current.values:
                    if isinstance(part, ast.Constant):
                        texts.append(_value_text(part.value))
                    else:
                        texts.append("{}")
                        dynamic = True
            elif isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
                stack.append(current.right)
                stack.append(current.left)
            else:
                texts.append("{}")
                dynamic = True
        return _Flat("".join(texts), dynamic, has_literal, unsure)

    def _raw_differs(self, node: ast.JoinedStr) -> bool:
        segment = self._segment(node)
        return segment is None or "\\" in segment or "{{" in segment or "}}" in segment \
            or _DEBUG_FIELD.search(segment) is not None

    def _segment(self, node: ast.AST) -> Optional[str]:
        """``ast.get_source_segment`` without splitting the whole source on every call."""
        if self._lines is None:
            self._lines = [m.group(0).encode("utf-8", "surrogatepass")
                           for m in _LINE.finditer(self.source)]
        first, last = node.lineno - 1, getattr(node, "end_lineno", None)
        end = getattr(node, "end_col_offset", None)
        if last is None or end is None or last > len(self._lines):
            return None
        if first == last - 1:
            chunk = self._lines[first][node.col_offset:end]
        else:
            chunk = (self._lines[first][node.col_offset:] + b"".join(self._lines[first + 1:last - 1])
                     + self._lines[last - 1][:end])
        return chunk.decode("utf-8", "replace")

    def literals(self) -> Dict[str, List[ast.AST]]:
        """Every string literal each plain name is bound to, anywhere in the file."""
        if self._literals is None:
            found: Dict[str, List[ast.AST]] = defaultdict(list)
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                else:
                    continue
                value = _decoded(value)
                if _is_string(value):
                    for target in targets:
                        if isinstance(target, ast.Name):
                            found[target.id].append(value)
            self._literals = found
        return self._literals


def may_report(tree: ast.AST, source: str, extra: Sequence[str] = (),
               test_file: bool = False) -> bool:
    """True for every file LL101 could report in (and some it will not)."""
    return Sites(tree, source, extra, test_file).may_report()


# -- the binding sites ------------------------------------------------------------------------------

Binding = Tuple[Optional[str], Optional[ast.AST], str]


def _decoded(value: ast.AST) -> ast.AST:
    """``b"..."`` for ``b"...".decode()``, as the rule reads it."""
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "decode" and _is_string(value.func.value)):
        return value.func.value
    return value


def _string_key(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Starred):
        node = node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return _value_text(node.value)
    return None


def _target_name(target: ast.AST) -> Optional[str]:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return _string_key(target.slice)
    return None


def _unstarred(node: ast.AST) -> ast.AST:
    return node.value if isinstance(node, ast.Starred) else node


def _assigned(target: ast.AST, value: ast.AST) -> Iterator[Binding]:
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for t, v in zip(target.elts, value.elts):
                if not isinstance(t, ast.Starred) and not isinstance(v, ast.Starred):
                    yield from _assigned(t, v)
        return
    if isinstance(value, (ast.Tuple, ast.List)):  # SECRET_VALUES = ("...", "..."): each one
        for element in value.elts:
            if not isinstance(element, ast.Starred):
                yield _target_name(target), element, "assign"
        return
    yield _target_name(target), value, "assign"


def _callee_name(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _base_name(func: ast.AST) -> Optional[str]:
    if isinstance(func, ast.Attribute):
        base = func.value
        if isinstance(base, ast.Name):
            return base.id
        if isinstance(base, ast.Attribute):
            return base.attr
    return None


def _reads_environment(func: ast.AST) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "getenv"
    if isinstance(func, ast.Attribute):
        if func.attr == "getenv":
            return True
        base = func.value
        name = base.attr if isinstance(base, ast.Attribute) else (
            base.id if isinstance(base, ast.Name) else "")
        return func.attr == "get" and name == "environ"
    return False


def _call_bindings(node: ast.Call) -> Iterator[Binding]:
    attr = _callee_name(node.func)
    # The arguments in source order, as LibCST lists them: (keyword or None, value).
    ordered = sorted([(a.lineno, a.col_offset, None, _unstarred(a)) for a in node.args]
                     + [(k.lineno, k.col_offset, k.arg, k.value) for k in node.keywords],
                     key=lambda item: (item[0], item[1]))
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if attr in _SETTERS and len(ordered) == 2 and ordered[0][2] is None:
        yield _string_key(ordered[0][3]), ordered[1][3], "setenv"
    if attr in _GETTERS and len(positional) == 2 and _reads_environment(node.func):
        yield _string_key(positional[0]), positional[1], "fallback"
    if attr in POSITIONAL_SECRETS:
        bases, params = POSITIONAL_SECRETS[attr]
        if bases is None or _base_name(node.func) in bases:
            for index, param in params:
                if index < len(positional):
                    yield param, positional[index], "positional"
    for keyword in node.keywords:
        if keyword.arg is not None:
            yield keyword.arg, keyword.value, "keyword"
        if keyword.arg == "auth" and isinstance(keyword.value, ast.Tuple) \
                and len(keyword.value.elts) == 2:
            yield "password", _unstarred(keyword.value.elts[1]), "auth"


def _parameter_bindings(node: ast.arguments) -> Iterator[Binding]:
    positional = list(node.posonlyargs) + list(node.args)
    for arg, default in zip(positional[len(positional) - len(node.defaults):], node.defaults):
        yield arg.arg, default, "param"
    for arg, default in zip(node.kwonlyargs, node.kw_defaults):
        if default is not None:
            yield arg.arg, default, "param"


def _compared(node: ast.Compare) -> Iterator[Binding]:
    operands = [node.left] + list(node.comparators)
    for i, operator in enumerate(node.ops):
        if not isinstance(operator, (ast.Eq, ast.NotEq)):
            continue
        for named, other in ((operands[i], operands[i + 1]), (operands[i + 1], operands[i])):
            if _is_string(other) and not _is_string(named):
                yield _target_name(named), other, "compare"


def _bindings(node: ast.AST) -> Iterator[Binding]:
    """The (name, value, how) sites of one node that LL101's visitors read."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _assigned(target, node.value)
    elif isinstance(node, ast.AnnAssign):
        if node.value is not None:
            yield from _assigned(node.target, node.value)
    elif isinstance(node, ast.Call):
        yield from _call_bindings(node)
    elif isinstance(node, ast.ClassDef):
        for keyword in node.keywords:
            if keyword.arg is not None:
                yield keyword.arg, keyword.value, "keyword"
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is not None:
                yield _string_key(key), value, "dict"
    elif isinstance(node, ast.arguments):
        yield from _parameter_bindings(node)
    elif isinstance(node, ast.Compare):
        yield from _compared(node)
