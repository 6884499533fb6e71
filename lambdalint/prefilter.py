"""Which handler-code rules can report anything in a file, judged before LibCST parses it.

Parsing a file with LibCST and resolving its scopes costs tens of milliseconds; a substring
search costs microseconds. A code rule's module may define a gate, ``gate(text, options) ->
bool``, true for every file the rule could report in (it may be true for files it will not
report in): a client constructor's module name and a call of one inside a function for
client-per-invocation, an ``.invoke(...)`` inside a function for sync-lambda-invoke, a
secret-like word or a credential's shape for hardcoded-credential. A rule without a gate always
runs. A file that no rule needs is only checked for syntax errors with Python's own parser; when
that finds one, the file goes the full way so that the parse-error finding is exactly the one
LibCST gives.

This module holds what the gates share and no rule's knowledge: ``Text`` (the file's text, its
``ast`` tree parsed once, what its strings and names spell, whether its path is a test's) and
``Facts`` (one pass over that tree: the callees inside functions, the names that may be
aliases). The AWS actions a handler calls are read from the same tree whenever no qualified name
could change them. Only what the gates cannot clear pays for LibCST's scope analysis.

Gates are read from the rule module's text, the way the registry reads META, and never by
importing the module: rule modules import LibCST, and a run whose Python files no rule needs must
not (a fifth of a second at every pre-commit run). So a gate sees only the module's literal
constants written above it, and imports whatever else it needs (LibCST-free helpers) inside its
body; a test checks that the gate read this way is the module's own. ``LAMBDALINT_NO_PREFILTER=1``
turns all of this off (the tests compare both ways).
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

from lambdalint.analysis.paths import is_test_path

ENV_DISABLE = "LAMBDALINT_NO_PREFILTER"

Options = Dict[str, Dict[str, Any]]
Gate = Callable[["Text", Dict[str, Any]], bool]


def enabled() -> bool:
    return os.environ.get(ENV_DISABLE, "") in ("", "0")


class Text:
    """One file's text, with what Python's parser says about it, computed at most once."""

    def __init__(self, text: str, path: str = "", linked: Any = (), sites: Any = ()) -> None:
        self.text = text
        self.path = path  # as the rules see it: a test file's path changes what they report
        # The functions configured to run the file's handlers (``linking.Linked``): a rule that
        # reports what the config asks of the code (LL110) may fire in a file without a word.
        self.linked = linked
        # The project's own functions the file may call that create a client on every call
        # (``analysis.local_calls.ClientSite``): LL102 reports such a call in a file that names
        # no client constructor itself.
        self.sites = sites
        self._lower: Optional[str] = None
        self._tree: Optional[ast.AST] = None
        self._parsed = False
        self._strings: Optional[str] = None
        self._facts: Optional["Facts"] = None
        self._test_path: Optional[bool] = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def is_test_path(self) -> bool:
        """A test file by its path, exactly as handler analysis decides it (a test file by its
        imports alone still gets the full test)."""
        if self._test_path is None:
            self._test_path = bool(self.path) and is_test_path(self.path)
        return self._test_path

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
        """Nesting deeper than ``limit``: LibCST's analysis may give up on such a file (parse-error,
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


class Facts:
    """What one pass over a file's ``ast`` tree shows the per-rule gates."""

    def __init__(self, tree: ast.AST) -> None:
        # Last name of every callee inside a def or lambda (decorators, defaults included).
        self.callees_in_functions: set = set()
        # A call inside a function whose callee is neither a name nor an attribute.
        self.opaque_call_in_function = False
        # Last name of every ``<receiver>.<name>(...)`` callee inside a def or lambda.
        self.methods_in_functions: set = set()
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
                    self.methods_in_functions.add(func.attr)
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


# -- the gates, read from the rule modules ------------------------------------------------------

# A rule module's gate: from ``def gate(`` to the next statement at column 0 (a closing
# parenthesis or a comment there does not end it).
_GATE = re.compile(r"^def gate\(.*?(?=^[^\s)#])|^def gate\(.*", re.MULTILINE | re.DOTALL)
_gates: Dict[str, Optional[Gate]] = {}


def _literal_constants(head: ast.Module) -> Dict[str, Any]:
    """``NAME = <literal>`` statements of a module's head, evaluated."""
    found: Dict[str, Any] = {}
    for node in head.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                continue
    return found


def read_gate(text: str, module: str, filename: str = "<rule>") -> Optional[Gate]:
    """The ``gate`` a rule module's text defines, or None; compiled from the text alone."""
    found = _GATE.search(text)
    if found is None:
        return None
    head = ast.parse(text[:found.end()], filename)
    namespace: Dict[str, Any] = {"__name__": module, "__file__": filename}
    namespace.update(_literal_constants(head))
    function = [n for n in head.body if isinstance(n, ast.FunctionDef) and n.name == "gate"][-1]
    import __future__

    code = compile(ast.Module(body=[function], type_ignores=[]), filename, "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, namespace)  # noqa: S102 - lambdalint's own rule module, never the user's code
    return namespace["gate"]


def gate_of(rule_id: str) -> Optional[Gate]:
    """The gate of a rule (None: the rule always runs), read once per process."""
    if rule_id not in _gates:
        from lambdalint import registry

        info = registry.get(rule_id)
        gate = None
        if info is not None and info.checks_code:
            module = info.code_module
            path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules",
                                module.rsplit(".", 1)[-1] + ".py")
            with open(path, encoding="utf-8") as handle:
                gate = read_gate(handle.read(), module, path)
        _gates[rule_id] = gate
    return _gates[rule_id]


def rules_needed(text: Text, rule_ids: Sequence[str], options: Options) -> List[str]:
    """The rules of ``rule_ids`` that may report something in ``text``, in the same order."""
    needed = []
    for rule_id in rule_ids:
        gate = gate_of(rule_id)
        if gate is None or gate(text, options.get(rule_id, {}) or {}):
            needed.append(rule_id)
    return needed


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
        from lambdalint.analysis import action_names

        self.source = source
        self.table = action_names
        self.services: Dict[str, str] = {}
        self.actions: set = set()
        # ``from m import client as mk``: ``mk(...)`` may resolve to ``boto3.client``.
        self.factory_aliases = {
            alias.asname for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names if alias.asname and alias.name.rpartition(".")[2] in _FACTORIES}

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
        argument = self._literal_arg(node, self.table.ARGUMENT_OF[method]) \
            if method in self.table.ARGUMENT_OF else None
        keywords = [k.arg for k in node.keywords if k.arg is not None]
        self.actions.update(self.table.actions_for(service, method, argument, keywords))

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
            service = self._literal_arg(value)
            return self.table.IAM_PREFIX.get(service, service) if service else None
        if isinstance(func, ast.Attribute) and func.attr[:1].isupper():
            owner = _dotted(func.value)
            if owner in self.services:
                return self.services[owner]  # type: ignore[index]
            return self._client_service(func.value)
        return None

    def _literal_arg(self, call: ast.Call, keyword: str = "service_name") -> Optional[str]:
        """As ``analysis.actions._literal_arg``: the first positional argument or ``keyword=``
        in source order, when it is a plain string literal."""
        arguments: List[ast.AST] = list(call.args) + list(call.keywords)
        arguments.sort(key=lambda a: (getattr(a, "lineno", 0), getattr(a, "col_offset", 0)))
        for argument in arguments:
            if isinstance(argument, ast.keyword):
                if argument.arg is not None and argument.arg != keyword:
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
