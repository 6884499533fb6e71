"""What the functions of one of the project's own modules create on every call, read with
``ast`` (never imported): LL102's summary of a helper module (see ``local_calls``).

A top-level function creates a client on every call when its body calls a client constructor
(LL102's table, ``analysis.client_kinds``), or another top-level function of the module that does,
and does not keep the result: no ``functools.lru_cache``-style decorator, not stored in a
global or a module-level dict or object, not made under an ``if`` that tests such a global or a
parameter, not in an ``except`` block. The constructor's arguments must be the same at import
time (literals, module names, ``os.environ``) or come from the function's parameters, which are
recorded so that the call site can be judged.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from lambdalint.analysis.client_kinds import (CACHE_DECORATORS, CONSTRUCTORS, SESSION_METHODS,
                                            STABLE_CALLS, Kind)


@dataclass(frozen=True)
class Made:
    """What one function of a module creates on every call."""

    chain: Tuple[str, ...]
    constructor: str
    line: int
    params: Tuple[Tuple[int, str], ...]


@dataclass
class ModuleSummary:
    """One module's client-making functions, and the names it re-exports from other modules
    (``from .db import get_conn`` in a package ``__init__``): local name -> (level, module,
    name)."""

    made: Dict[str, Made]
    reexports: Dict[str, Tuple[int, str, str]]


EMPTY = ModuleSummary({}, {})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk(node: ast.AST) -> Iterable[ast.AST]:
    """The nodes of a function body, not entering nested functions, lambdas or classes (they
    do not run when the function is called)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, _SCOPES):
            stack.extend(ast.iter_child_nodes(child))


def _parents(function: ast.AST) -> Dict[int, ast.AST]:
    parents: Dict[int, ast.AST] = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


class _Module:
    """One helper module's top level: imports, functions, module-level sessions."""

    def __init__(self, tree: ast.Module, constructors: Mapping[str, Kind]) -> None:
        self.constructors = constructors
        self.imports: Dict[str, str] = {}
        self.functions: Dict[str, ast.AST] = {}
        self.sessions: Set[str] = set()
        self.reexports: Dict[str, Tuple[int, str, str]] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.imports[head] = head
            elif isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    if stmt.level == 0 and stmt.module:
                        self.imports[local] = f"{stmt.module}.{alias.name}"
                    if alias.name != "*":
                        self.reexports[local] = (stmt.level, stmt.module or "", alias.name)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
                self.reexports.pop(stmt.name, None)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                kind = constructors.get(self.qualify(stmt.value.func) or "")
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and kind is not None and kind.session:
                        self.sessions.add(target.id)

    def qualify(self, expr: ast.AST) -> Optional[str]:
        """The qualified name of a callee as LibCST gives it: imports resolved, a call in a
        chain dropped (``boto3.Session().client`` is ``boto3.Session.client``)."""
        if isinstance(expr, ast.Name):
            return self.imports.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Call):
            return self.qualify(expr.func)
        return None


class _Function:
    """What one top-level function binds, to judge the arguments of a constructor it calls."""

    def __init__(self, node: ast.AST, module: _Module) -> None:
        self.node = node
        self.module = module
        args = node.args  # type: ignore[attr-defined]
        positional = list(args.posonlyargs) + list(args.args)
        self.params = {a.arg: i for i, a in enumerate(positional)}
        self.params.update({a.arg: -1 for a in args.kwonlyargs})
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.params[extra.arg] = -2  # *args / **kwargs: what they hold is unknown
        self.globals: Set[str] = set()
        self.values: Dict[str, List[Optional[ast.AST]]] = {}
        for child in _walk(node):
            if isinstance(child, (ast.Global, ast.Nonlocal)):
                self.globals.update(child.names)
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind(target, child.value)
            elif isinstance(child, (ast.AnnAssign, ast.AugAssign)):
                self._bind(child.target, None)
            elif isinstance(child, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(child.target, None)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                self._bind(child.optional_vars, None)
            elif isinstance(child, ast.NamedExpr):
                self._bind(child.target, child.value)
        self.parents = _parents(node)

    def _bind(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, None)

    def params_of(self, expr: ast.AST, seen: Set[str], depth: int = 0) -> Optional[Set[str]]:
        """The parameters ``expr`` is built from, when everything else in it is the same at
        import time (literals, module names, ``os.environ``); None when it is not."""
        if depth > 30:
            return None
        again = lambda e: self.params_of(e, seen, depth + 1)  # noqa: E731
        if isinstance(expr, ast.Constant):
            return set()
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in self.params:
                return {name} if self.params[name] >= -1 else None
            if name in self.values and name not in self.globals:
                if name in seen:
                    return None
                seen.add(name)
                try:
                    return _union(again(v) if v is not None else None for v in self.values[name])
                finally:
                    seen.discard(name)
            return set()  # a module-level name or an import
        if isinstance(expr, ast.Attribute):
            return again(expr.value)
        if isinstance(expr, ast.Subscript):
            return _union([again(expr.value), again(expr.slice)])
        if isinstance(expr, ast.Call):
            if self.module.qualify(expr.func) not in STABLE_CALLS:
                return None
            return _union([again(a) for a in expr.args] + [again(k.value) for k in expr.keywords])
        if isinstance(expr, ast.JoinedStr):
            return _union(again(v) for v in expr.values)
        if isinstance(expr, ast.FormattedValue):
            return again(expr.value)
        if isinstance(expr, ast.BinOp):
            return _union([again(expr.left), again(expr.right)])
        if isinstance(expr, ast.BoolOp):
            return _union(again(v) for v in expr.values)
        if isinstance(expr, ast.IfExp):
            return _union([again(expr.test), again(expr.body), again(expr.orelse)])
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return _union(again(e) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return _union([again(k) for k in expr.keys if k is not None] +
                          [again(v) for v in expr.values])
        if isinstance(expr, ast.Compare):
            return _union([again(expr.left)] + [again(c) for c in expr.comparators])
        if isinstance(expr, ast.UnaryOp):
            return again(expr.operand)
        return None

    def _mentions_param(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.params for n in ast.walk(node))

    def kept(self, call: ast.AST) -> bool:
        """The value of ``call`` outlives the call: stored in a global, a module-level dict or
        object, or made under an ``if`` (lazy initialisation), or again after a failure. Or it
        is made only when the caller passes none (``client = client or boto3.client("s3")``,
        ``if client is None:``): whether a call makes one depends on what it passes."""
        node: ast.AST = call
        parent = self.parents.get(id(node))
        while isinstance(parent, (ast.BoolOp, ast.IfExp, ast.Await, ast.Attribute, ast.Call)):
            if isinstance(parent, (ast.BoolOp, ast.IfExp)) and self._mentions_param(parent):
                return True
            node, parent = parent, self.parents.get(id(parent))
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in self.globals:
                    return True
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    base = target
                    while isinstance(base, (ast.Attribute, ast.Subscript)):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id not in self.params \
                            and base.id not in self.values:
                        return True
        node = call
        while node is not self.node and node is not None:
            parent = self.parents.get(id(node))
            if isinstance(parent, ast.ExceptHandler):
                return True
            if isinstance(parent, ast.If) and node is not parent.test and (
                    self._mentions_param(parent.test) or self.globals & {
                        n.id for n in ast.walk(parent.test) if isinstance(n, ast.Name)}):
                return True  # if _client is None: _client = ... / if client is None: ...
            node = parent
        return False


def _union(parts: Iterable[Optional[Set[str]]]) -> Optional[Set[str]]:
    found: Set[str] = set()
    for part in parts:
        if part is None:
            return None
        found |= part
    return found


def _cached(node: ast.AST) -> bool:
    for decorator in node.decorator_list:  # type: ignore[attr-defined]
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else \
            target.id if isinstance(target, ast.Name) else ""
        if name in CACHE_DECORATORS:
            return True
    return False


def summarise(text: str, constructors: Mapping[str, Kind] = CONSTRUCTORS) -> ModuleSummary:
    """Which top-level functions of a module's ``text`` create a client on every call."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return EMPTY
    module = _Module(tree, constructors)
    made: Dict[str, Made] = {}
    calls: Dict[str, List[Tuple[str, ast.Call, _Function]]] = {}
    for name, node in module.functions.items():
        if _cached(node):
            continue
        function = _Function(node, module)
        for child in _walk(node):
            if not isinstance(child, ast.Call):
                continue
            found = _direct(child, function, module)
            if found is not None and name not in made:
                made[name] = Made((name,), found[0], child.lineno, found[1])
            elif isinstance(child.func, ast.Name) and child.func.id in module.functions \
                    and child.func.id not in function.params \
                    and child.func.id not in function.values and not function.kept(child):
                calls.setdefault(name, []).append((child.func.id, child, function))
    changed = True
    while changed:  # through the module's own functions: get_conn() -> _open() -> connect()
        changed = False
        for name, callees in calls.items():
            if name in made:
                continue
            for callee, call, function in callees:
                inner = made.get(callee)
                if inner is not None and not inner.params:
                    made[name] = Made((name,) + inner.chain, inner.constructor, inner.line, ())
                    changed = True
                    break
    return ModuleSummary(made, module.reexports)


def _direct(call: ast.Call, function: _Function, module: _Module
            ) -> Optional[Tuple[str, Tuple[Tuple[int, str], ...]]]:
    """(constructor, parameters it is built from) when ``call`` makes a client each time."""
    qualified = module.qualify(call.func)
    kind = module.constructors.get(qualified or "")
    func = call.func
    if kind is None and isinstance(func, ast.Attribute) and func.attr in SESSION_METHODS \
            and isinstance(func.value, ast.Name) and func.value.id in module.sessions \
            and func.value.id not in function.values:
        qualified, kind = f"{func.value.id}.{func.attr}", CONSTRUCTORS["boto3.client"]
    if kind is None or kind.loop_bound or function.kept(call):
        return None
    used: Optional[Set[str]] = set()
    chain: ast.AST = call
    while isinstance(chain, ast.Call):  # boto3.Session(profile).client("s3"): every call's args
        parts = [function.params_of(a, set()) for a in chain.args]
        parts += [function.params_of(k.value, set()) for k in chain.keywords]
        used = _union([used] + parts)
        chain = chain.func.value if isinstance(chain.func, ast.Attribute) else chain.func
    if used is None:
        return None  # built from something computed in the call
    params = tuple(sorted((function.params[p], p) for p in used))
    return str(qualified), params


def encode_summary(summary: ModuleSummary) -> list:
    """A module summary as JSON values, for the cache."""
    made = [[name, list(m.chain), m.constructor, m.line, [list(p) for p in m.params]]
            for name, m in sorted(summary.made.items())]
    return [made, [[name, *where] for name, where in sorted(summary.reexports.items())]]


def decode_summary(value: Any) -> ModuleSummary:
    """``encode_summary``'s output back; anything else raises (a cache miss)."""
    from lambdalint.cache import WrongShape

    def text(x: Any) -> str:
        if not isinstance(x, str):
            raise WrongShape("local-module")
        return x

    def number(x: Any) -> int:
        if not isinstance(x, int) or isinstance(x, bool):
            raise WrongShape("local-module")
        return x

    try:
        made_part, reexport_part = value
        made = {text(name): Made(tuple(text(c) for c in chain), text(constructor), number(line),
                                  tuple((number(p), text(n)) for p, n in params))
                for name, chain, constructor, line, params in made_part}
        reexports = {text(name): (number(level), text(module), text(original))
                     for name, level, module, original in reexport_part}
    except (TypeError, ValueError) as exc:
        raise WrongShape("local-module") from exc
    return ModuleSummary(made, reexports)
