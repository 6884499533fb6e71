"""Which handler-code rules can report anything in a file, judged from its text before LibCST.

Parsing a file with LibCST and resolving its scopes costs tens of milliseconds; a substring
search costs microseconds. Each rule here has a test that is true for every file the rule could
report in (it may be true for files it will not report in): a client constructor's module name
for LL102, ``invoke`` for LL103, a secret-like word or a credential's shape for LL101. A rule
without an entry always runs. A file that no rule needs is only checked for syntax errors with
Python's own parser; when that finds one, the file goes the full way so that the LL001 finding
is exactly the one LibCST gives.

Files the text lets through meet a second gate on Python's own ``ast`` tree (parsed once,
shared by the rules): a client constructor called inside a function (LL102), an ``.invoke`` inside
one (LL103), a test file by its path; and the AWS actions a handler calls are read from that tree
whenever no qualified name could change them. Only what these gates cannot clear pays for LibCST's
scope analysis.

The rules may also say it themselves: ``PythonRule.might_fire(text, options)``; both must agree
that a rule cannot fire before it is skipped. ``LAMBDALINT_NO_PREFILTER=1`` turns all of this
off (the tests compare both ways).
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence

ENV_DISABLE = "LAMBDALINT_NO_PREFILTER"

Options = Dict[str, Dict[str, Any]]


def enabled() -> bool:
    return os.environ.get(ENV_DISABLE, "") in ("", "0")


class Text:
    """One file's text, with what Python's parser says about it, computed at most once."""

    def __init__(self, text: str, path: str = "") -> None:
        self.text = text
        self.path = path  # as the rules see it: a test file's path changes what LL101 reports
        self._lower: Optional[str] = None
        self._tree: Optional[ast.AST] = None
        self._parsed = False
        self._strings: Optional[str] = None
        self._facts: Optional["Facts"] = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def tree(self) -> Optional[ast.AST]:
        """The ``ast`` tree, or None when Python's parser refuses the file."""
        if not self._parsed:
            self._parsed = True
            if sys.version_info < (3, 11) and len(self.text) > 200_000:
                # Python 3.9 and 3.10 overflow the C stack (a segfault) on chains of 150,000
                # operators; LibCST's limits are far below that, so such a file goes the full way.
                from lambdalint.sources.python import nesting_problem

                if nesting_problem(self.text) is not None:
                    return None
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # invalid escapes warn on newer Pythons
                    self._tree = compile(self.text, "<lambdalint>", "exec", ast.PyCF_ONLY_AST,
                                         dont_inherit=True)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                self._tree = None
        return self._tree

    def deep(self, limit: int = 100) -> bool:
        """Nesting deeper than ``limit``: LibCST's analysis may give up on such a file (LL001,
        too deeply nested), so it goes the full way to say so exactly as without the filter."""
        tree = self.tree
        if tree is None:
            return True
        stack = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
        return False

    @property
    def facts(self) -> Optional["Facts"]:
        """What the ``ast`` gates look at, from one pass; None when Python cannot parse the file."""
        if self._facts is None and self.tree is not None:
            self._facts = Facts(self.tree)
        return self._facts

    @property
    def strings_and_names(self) -> str:
        """Every string literal as Python evaluates it (escapes, implicit concatenation, adjacent
        constants joined) and every identifier: what a rule sees that the raw text may hide."""
        if self._strings is None:
            tree = self.tree
            if tree is None:
                self._strings = self.text
            else:
                parts: List[str] = []
                names: List[str] = []
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                        value = node.value
                        parts.append(value if isinstance(value, str) else
                                     value.decode("latin-1"))
                    elif isinstance(node, ast.Name):
                        names.append(node.id)
                    elif isinstance(node, ast.Attribute):
                        names.append(node.attr)
                    elif isinstance(node, ast.keyword) and node.arg:
                        names.append(node.arg)
                    elif isinstance(node, ast.arg):
                        names.append(node.arg)
                self._strings = "".join(parts) + "\n" + " ".join(parts) + "\n" + " ".join(names)
        return self._strings


# -- LL101 ----------------------------------------------------------------------------------------

def _secret_words() -> FrozenSet[str]:
    """Every word that can end a secret-like name, from the shared secret detection itself."""
    from lambdalint import secrets

    words = {"key", "secret", "token", "cred", "authorization", "pw", "pass"}
    for attribute in ("_PASSWORD_WORDS", "_WEAK_PASSWORD_WORDS"):
        words.update(getattr(secrets, attribute, ()))
    words.update(suffix for suffix, _ in getattr(secrets, "_FUSED", ()))
    # Keep the shortest: "pass" covers "password", "passwd"...
    return frozenset(w for w in words if not any(o != w and o in w for o in words))


_SECRET_WORDS: Optional[FrozenSet[str]] = None


def _secret_shape() -> "re.Pattern[str]":
    from lambdalint import secrets

    return getattr(secrets, "_SHAPE_HINT", re.compile(r"[\s\S]"))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _ll101(text: Text, options: Dict[str, Any]) -> bool:
    global _SECRET_WORDS
    if _SECRET_WORDS is None:
        _SECRET_WORDS = _secret_words()
    extra = [_squash(str(e)) for e in options.get("extra-secret-names", ()) or ()]
    if any(e == "" for e in extra):
        return True

    def hit(candidate: str) -> bool:
        lowered = candidate.lower()
        if any(word in lowered for word in _SECRET_WORDS):
            return True
        if _secret_shape().search(candidate):
            return True
        return bool(extra) and any(e in _squash(candidate) for e in extra)

    if _is_test_path(text.path):
        # In a test file LL101 judges no name, only strings by their shape (strong shapes).
        shape = _secret_shape()
        return bool(shape.search(text.text) or shape.search(text.strings_and_names))
    # Escapes and concatenation can spell a word the raw text does not hold.
    return hit(text.text) or hit(text.strings_and_names)


def _is_test_path(path: str) -> bool:
    """A test file by its path, exactly as handler analysis decides it (a test file by its
    imports alone still gets the full text test)."""
    if not path:
        return False
    from lambdalint.analysis.handlers import TEST_PATH

    return bool(TEST_PATH.search(path.replace("\\", "/")))


# -- LL102 ----------------------------------------------------------------------------------------

_CLIENT_ROOTS: Optional[FrozenSet[str]] = None


def _root(qualified: str) -> str:
    parts = [p for p in qualified.strip().split(".") if p]
    if not parts:
        return ""
    return parts[-1] if parts[0] == "builtins" else parts[0]


def _ll102(text: Text, options: Dict[str, Any]) -> bool:
    """A client is a call whose qualified name is a known constructor: the module it comes from
    (``boto3``, ``redis``...) is written in the file, in an import at least."""
    global _CLIENT_ROOTS
    if _CLIENT_ROOTS is None:
        from lambdalint.rules import ll102_client_per_invocation as clients

        _CLIENT_ROOTS = frozenset(_root(name) for name in clients.CONSTRUCTORS)
    roots = set(_CLIENT_ROOTS)
    for extra in options.get("extra-clients", ()) or ():
        root = _root(str(extra))
        if not root:
            return True
        roots.add(root)
    return any(root in text.text for root in roots)


# -- LL103 ----------------------------------------------------------------------------------------

def _ll103(text: Text, options: Dict[str, Any]) -> bool:
    return "invoke" in text.text  # the rule itself is inactive otherwise


# -- the second gate: Python's own syntax tree ----------------------------------------------------
#
# The text tests above pass nearly every handler file: it imports boto3 (LL102) and names a
# client (the AWS actions). What the rules need LibCST's scope analysis for is rarer: a client
# constructor *called inside a function*, an ``.invoke(...)`` inside a function, and, for the
# actions, resolving an aliased import. One pass over the ``ast`` tree (shared with the other
# tests) answers these; whenever the answer could depend on what only LibCST knows, the gate says
# "may fire" and LibCST runs as before.


class Facts:
    """What one pass over a file's ``ast`` tree shows the per-rule gates."""

    def __init__(self, tree: ast.AST) -> None:
        # Last name of every callee inside a def or lambda (decorators, defaults included).
        self.callees_in_functions: set = set()
        # A call inside a function whose callee is neither a name nor an attribute.
        self.opaque_call_in_function = False
        self.invoke_in_function = False
        # Names that may stand for something else: import aliases, ``x = a.b`` bindings.
        self.aliases: set = set()
        stack = [(tree, False)]
        while stack:
            node, inside = stack.pop()
            if isinstance(node, ast.Call) and inside:
                func = node.func
                if isinstance(func, ast.Name):
                    self.callees_in_functions.add(func.id)
                elif isinstance(func, ast.Attribute):
                    self.callees_in_functions.add(func.attr)
                    if func.attr in _INVOKE_METHODS:
                        self.invoke_in_function = True
                else:
                    self.opaque_call_in_function = True
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.asname:
                        self.aliases.add(alias.asname)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
                value = node.value
                if isinstance(value, (ast.Name, ast.Attribute)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for item in ast.walk(target):
                            if isinstance(item, ast.Name):
                                self.aliases.add(item.id)
            child_inside = inside or isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            stack.extend((child, child_inside) for child in ast.iter_child_nodes(node))


_INVOKE_METHODS = frozenset({"invoke", "invoke_with_response_stream"})
_CONSTRUCTOR_LASTS: Optional[FrozenSet[str]] = None


def _last(qualified: str) -> str:
    parts = [p for p in str(qualified).strip().split(".") if p]
    return parts[-1] if parts else ""


def _ll102_ast(text: Text, options: Dict[str, Any]) -> bool:
    """LL102 reports only calls inside a function whose qualified name is a constructor (or a
    ``session.client()``): the callee's last name is a constructor's, unless it is an alias."""
    global _CONSTRUCTOR_LASTS
    if _is_test_path(text.path):
        return False  # a test file has no handler, so nothing runs per invocation
    facts = text.facts
    if facts is None:
        return True
    if _CONSTRUCTOR_LASTS is None:
        from lambdalint.rules import ll102_client_per_invocation as clients

        _CONSTRUCTOR_LASTS = frozenset(
            {_last(name) for name in clients.CONSTRUCTORS} | set(clients.SESSION_METHODS))
    names = set(_CONSTRUCTOR_LASTS)
    for extra in options.get("extra-clients", ()) or ():
        last = _last(extra)
        if not last:
            return True
        names.add(last)
    if facts.opaque_call_in_function:
        return True
    return bool(facts.callees_in_functions & (names | facts.aliases))


def _ll103_ast(text: Text, options: Dict[str, Any]) -> bool:
    """LL103 reports only ``<receiver>.invoke(...)`` (or the streaming one) inside a function."""
    if _is_test_path(text.path):
        return False  # a test file is not Lambda code
    facts = text.facts
    return facts is None or facts.invoke_in_function


def _both(*checks: Callable[[Text, Dict[str, Any]], bool]) -> Callable[[Text, Dict[str, Any]], bool]:
    """The cheap text test first; the ``ast`` pass only for files it lets through."""
    return lambda text, options: all(check(text, options) for check in checks)


CHECKS: Dict[str, Callable[[Text, Dict[str, Any]], bool]] = {
    "LL101": _ll101,
    "LL102": _both(_ll102, _ll102_ast),
    "LL103": _both(_ll103, _ll103_ast),
}


# -- the AWS actions, from the ast ----------------------------------------------------------------

_FACTORIES = frozenset({"client", "resource", "create_client"})
_SIMPLE_STRING = re.compile(r"""[rRuU]?(?:"([A-Za-z0-9_.:/-]*)"|'([A-Za-z0-9_.:/-]*)')\Z""")


class _NeedsLibCST(Exception):
    """The answer depends on what only LibCST's qualified names know."""


def _dotted(node: ast.AST) -> Optional[str]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class _Actions:
    """``analysis.actions.ActionCollector`` over the ``ast`` tree, in LibCST's visiting order
    (an assignment is seen before the calls in and after it); raises ``_NeedsLibCST`` where that
    collector would ask LibCST's qualified names something the syntax alone does not answer."""

    def __init__(self, source: str, tree: ast.AST) -> None:
        from lambdalint.analysis import actions

        self.source = source
        self.table = actions
        self.services: Dict[str, str] = {}
        self.actions: set = set()
        # ``from m import client as mk``: ``mk(...)`` may resolve to ``boto3.client``.
        self.factory_aliases = {
            alias.asname for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names if alias.asname and _last(alias.name) in _FACTORIES}

    def run(self, tree: ast.AST) -> List[str]:
        self._block(tree.body)  # type: ignore[attr-defined]
        return sorted(self.actions)

    def _block(self, statements: Sequence[ast.AST]) -> None:
        for statement in statements:
            self._statement(statement)

    def _statement(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            service = self._client_service(node.value)
            if service is not None:
                for target in node.targets:
                    name = _dotted(target)
                    if name:
                        self.services[name] = service
        blocks: List[ast.AST] = []
        for _, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, (ast.stmt, ast.excepthandler)) or (
                        _MATCH_CASE is not None and isinstance(item, _MATCH_CASE)):
                    blocks.append(item)
                elif isinstance(item, ast.AST):
                    self._expression(item)
        # Nested statements come after the statement's own expressions (a def's decorators and
        # defaults, a loop's iterable, a handler's exception type), in source order.
        for block in blocks:
            self._statement(block)

    def _expression(self, node: ast.AST) -> None:
        for item in ast.walk(node):
            if isinstance(item, ast.Call):
                self._call(item)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        owner = _dotted(func.value)
        service = self.services.get(owner or "") or self._client_service(func.value)
        method = func.attr
        if service is None or method in self.table.NOT_API_CALLS or method[:1].isupper():
            return
        action = self.table.SPECIAL.get((service, method)) or self.table._pascal(method)
        self.actions.add(f"{service}:{action}")

    def _client_service(self, value: ast.AST) -> Optional[str]:
        if not isinstance(value, ast.Call):
            return None
        func = value.func
        callee = _dotted(func)
        if callee is None and not isinstance(func, ast.Attribute):
            raise _NeedsLibCST  # f()(...), x[k](...): what would LibCST's names say?
        if callee is None and func.attr in _FACTORIES:  # type: ignore[attr-defined]
            raise _NeedsLibCST  # boto3.Session().client(...) resolves through the call
        if isinstance(func, ast.Name) and func.id in self.factory_aliases:
            raise _NeedsLibCST
        if (callee or "").rsplit(".", 1)[-1] in _FACTORIES:
            service = self._service_arg(value)
            return self.table.IAM_PREFIX.get(service, service) if service else None
        if isinstance(func, ast.Attribute) and func.attr[:1].isupper():
            owner = _dotted(func.value)
            if owner in self.services:
                return self.services[owner]  # type: ignore[index]
            return self._client_service(func.value)
        return None

    def _service_arg(self, call: ast.Call) -> Optional[str]:
        arguments: List[ast.AST] = list(call.args) + list(call.keywords)
        arguments.sort(key=lambda a: (getattr(a, "lineno", 0), getattr(a, "col_offset", 0)))
        for argument in arguments:
            if isinstance(argument, ast.keyword):
                if argument.arg is not None and argument.arg != "service_name":
                    continue
                value = argument.value
            else:
                value = argument
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                segment = ast.get_source_segment(self.source, value) or ""
                match = _SIMPLE_STRING.match(segment)
                if match is None or (match.group(1) or match.group(2) or "") != value.value:
                    raise _NeedsLibCST  # escapes, concatenation: as LibCST reads the literal
                return value.value
            return None
        return None


_MATCH_CASE = getattr(ast, "match_case", None)


def actions_from_ast(text: Text) -> Optional[List[str]]:
    """The AWS actions ``ActionCollector`` would find, or None when only LibCST can tell."""
    tree = text.tree
    if tree is None:
        return None
    try:
        return _Actions(text.text, tree).run(tree)
    except (_NeedsLibCST, RecursionError):
        return None


def might_collect_actions(text: Text) -> bool:
    """The AWS actions of a handler come from calls on a ``client``/``resource``/
    ``create_client`` result."""
    return "client" in text.text or "resource" in text.text


def rules_needed(text: Text, rule_ids: Sequence[str], options: Options,
                 classes: Optional[Dict[str, type]] = None) -> List[str]:
    """The rules of ``rule_ids`` that may report something in ``text``, in the same order."""
    needed = []
    for rule_id in rule_ids:
        check = CHECKS.get(rule_id)
        rule_options = options.get(rule_id, {}) or {}
        if check is not None and not check(text, rule_options):
            continue
        cls = (classes or {}).get(rule_id)
        might_fire = getattr(cls, "might_fire", None)
        if might_fire is not None and not might_fire(text.text, rule_options):
            continue
        needed.append(rule_id)
    return needed

