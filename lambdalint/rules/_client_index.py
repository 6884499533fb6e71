"""What LL102 knows about the module it checks and each function in it: the names they bind.

``FunctionIndex`` tells whether an argument of a client constructor is stable (the same at import
time) or comes from this invocation; ``ModuleIndex`` says what module scope already defines, for
the fix. Small helpers over call chains live here too, shared by the rule, its wording and its fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from lambdalint.analysis.handlers import dotted_name
from lambdalint.analysis.client_kinds import BUILTINS, CLOSE_METHODS, IDENTIFIER, MUTATORS, Kind
from lambdalint.rules.python_rule import PythonRule


EXCEPT_HANDLERS = tuple(t for t in (cst.ExceptHandler, getattr(cst, "ExceptStarHandler", None)) if t)


# -- what a function binds ---------------------------------------------------------------------


class FunctionIndex(cst.CSTVisitor):
    """Every name a function (with its nested scopes, conservatively merged) binds, and how.

    ``values[name]`` lists the expressions assigned to ``name``; None stands for a binding whose
    value is unknown (a loop target, an unpacking, a ``with ... as``), which is never stable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.params: Set[str] = set()
        self.values: Dict[str, List[Optional[cst.BaseExpression]]] = {}
        self.imports: Set[str] = set()
        self.globals: Set[str] = set()  # declared global or nonlocal
        self.deleted: Set[str] = set()
        self.closed: Set[str] = set()  # closed here: n.close(), with n:, closing(n)
        self.stored: List[Tuple[cst.BaseExpression, str]] = []  # (target, name) for x[k] = name
        # Objects changed in place (x.headers[...] = ..., x.mount(...), x.meta.events.register):
        # moved to module scope, the change would pile up or leak into the next invocation.
        self.mutated: Set[str] = set()

    def is_local(self, name: str) -> bool:
        return name not in self.globals and (
            name in self.params or name in self.values or name in self.imports)

    def _bind(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        if isinstance(target, cst.Name):
            self.values.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            root = root_name(target)
            if root is not None:
                self.mutated.add(root)
            if isinstance(value, cst.Name):
                self.stored.append((target, value.value))

    def visit_Param(self, node: cst.Param) -> None:
        self.params.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name, None)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name, None)

    def visit_Assign(self, node: Union[cst.Assign, cst.AnnAssign]) -> None:
        for target, value in PythonRule.assigned_targets(node):
            self._bind(target, value)

    visit_AnnAssign = visit_Assign

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None)
        item = node.item
        if isinstance(item, cst.Call) and item.args and (dotted_name(item.func) or "").endswith("closing"):
            item = item.args[0].value
        if isinstance(item, cst.Name):
            self.closed.add(item.value)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                if isinstance(alias.asname.name, cst.Name):
                    self.imports.add(alias.asname.name.value)
            else:
                self.imports.add((dotted_name(alias.name) or "").split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            target = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(target, cst.Name):
                self.imports.add(target.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.globals.update(item.name.value for item in node.names)

    def visit_Del(self, node: cst.Del) -> None:
        for name in names_in(node.target):
            self.deleted.add(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value in CLOSE_METHODS and isinstance(func.value, cst.Name):
            self.closed.add(func.value.value)
        root = root_name(func.value)
        if root is not None and (not isinstance(func.value, cst.Name)
                                 or func.attr.value in MUTATORS):
            self.mutated.add(root)

    # Structural pattern matching binds names too (Python 3.10+ syntax LibCST parses anywhere).
    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name, None)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name, None)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind(node.rest, None)


class _LoadedNames(cst.CSTVisitor):
    """Names an expression reads (not attribute names, not keyword-argument names)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: List[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def names_in(node: cst.CSTNode) -> List[str]:
    collector = _LoadedNames()
    node.visit(collector)
    return collector.names


def root_name(node: cst.BaseExpression) -> Optional[str]:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


# -- what the module binds ---------------------------------------------------------------------


@dataclass
class ModuleIndex:
    """Top-level bindings: where each name is bound (statement indexes), for --fix."""

    index_of: Dict[int, int] = field(default_factory=dict)  # id(top-level statement) -> index
    bound_at: Dict[str, List[int]] = field(default_factory=dict)
    assign_code: Dict[str, List[str]] = field(default_factory=dict)  # simple `name = value` lines
    functions: Dict[str, cst.FunctionDef] = field(default_factory=dict)  # module-level defs
    star_import: bool = False


def index_module(module: cst.Module) -> ModuleIndex:
    index = ModuleIndex()
    for i, stmt in enumerate(module.body):
        index.index_of[id(stmt)] = i
        if isinstance(stmt, cst.FunctionDef):
            index.functions[stmt.name.value] = stmt
        collector = _TopLevelBindings()
        stmt.visit(collector)
        for name in collector.names:
            index.bound_at.setdefault(name, []).append(i)
        index.star_import = index.star_import or collector.star
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)):
                index.assign_code.setdefault(small.targets[0].target.value, []).append(
                    module.code_for_node(small).strip())
    return index


class _TopLevelBindings(cst.CSTVisitor):
    """Names one top-level statement binds in the module namespace."""

    def __init__(self) -> None:
        super().__init__()
        self.names: List[str] = []
        self.star = False

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.names.append(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.append(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.append(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._target(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self._target(alias.asname.name)
            else:
                self.names.append((dotted_name(alias.name) or "").split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star = True
            return
        for alias in node.names:
            self._target(alias.asname.name if alias.asname is not None else alias.name)


@dataclass
class Candidate:
    call: cst.Call
    qualified: str
    kind: Kind
    function: cst.FunctionDef  # the outermost function around the call
    position: Tuple[int, int]




def chain_calls(call: cst.Call) -> List[cst.Call]:
    """``a().b().c()`` -> [c-call, b-call, a-call]: the call and those its callee is built on."""
    calls = [call]
    node: cst.BaseExpression = call.func
    while True:
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            calls.append(node)
            node = node.func
        else:
            return calls


def chain_args(call: cst.Call) -> List[cst.Arg]:
    return [arg for c in chain_calls(call) for arg in c.args]


def default_name(call: cst.Call, kind: Kind) -> str:
    func = call.func
    attr = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else "")
    services = [a.value for a in call.args if a.keyword is None or a.keyword.value == "service_name"]
    if attr in ("client", "resource", "create_client") and services:
        first = services[0]
        value = first.evaluated_value if isinstance(first, cst.SimpleString) else None
        if isinstance(value, str):
            service = re.sub(r"[^A-Za-z0-9_]", "_", value)
            if IDENTIFIER.match(service) and service not in BUILTINS:
                return service
    return {"sdk": "client", "session": "session", "http": "http", "db": "db",
            "connect": "connection", "async": "client"}.get(kind.label, "client")
