"""What LL103 follows to tell a Lambda client from a look-alike: the names each scope binds.

A scope (the module, a function, a class body) records what each name is assigned, its
annotations and what code mutates; ``ModuleFacts`` adds the module's functions and classes and
their bases, gathered once per Lambda file that mentions ``invoke``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from lambdalint.analysis.handlers import annotation_name as annotation
from lambdalint.analysis.handlers import dotted_name, walk


@dataclass
class Scope:
    """The names one function (or the module) binds, and what it binds them to.

    A ``None`` value is a binding whose value cannot be known (a parameter, a loop target, an
    import, ``with ... as``...).
    """

    node: cst.CSTNode
    bindings: Dict[str, List[Optional[cst.BaseExpression]]] = field(default_factory=dict)
    annotations: Dict[str, str] = field(default_factory=dict)  # last dotted part of annotations
    globals: Set[str] = field(default_factory=set)
    stores: Dict[str, List[Tuple[cst.BaseExpression, cst.BaseExpression]]] = field(default_factory=dict)
    mutated: Set[str] = field(default_factory=set)  # ``d.update()``, ``d[k] = v`` with unknown k...
    returns: List[cst.BaseExpression] = field(default_factory=list)

    def bind(self, name: str, value: Optional[cst.BaseExpression]) -> None:
        self.bindings.setdefault(name, []).append(value)


@dataclass
class Env:
    """Where an expression is evaluated: its scopes, innermost first, and the class of ``self``."""

    scopes: List[Scope]
    self_name: Optional[str] = None
    self_class: Optional[str] = None


def bind_target(scope: Scope, target: cst.BaseExpression,
                 value: Optional[cst.BaseExpression]) -> None:
    if isinstance(target, cst.Name):
        scope.bind(target.value, value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            bind_target(scope, element.value, None)
    elif isinstance(target, cst.StarredElement):
        bind_target(scope, target.value, None)
    elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
        key = target.slice[0].slice if len(target.slice) == 1 else None
        if isinstance(key, cst.Index) and value is not None:
            scope.stores.setdefault(target.value.value, []).append((key.value, value))
        else:
            scope.mutated.add(target.value.value)


def build_scope(node: cst.CSTNode) -> Scope:
    """Bindings of a function (its parameters and body, not nested functions) or of the module."""
    scope = Scope(node)
    if isinstance(node, (cst.FunctionDef, cst.Lambda)):
        params = node.params
        every = (list(params.posonly_params) + list(params.params) + list(params.kwonly_params))
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            scope.bind(param.name.value, None)
            if param.default is not None:
                scope.bind(param.name.value, param.default)
            scope.annotations[param.name.value] = annotation(param.annotation)
    root = node.body if isinstance(node, (cst.FunctionDef, cst.Lambda)) else node
    for item in walk(root, into_scopes=False):
        if item is not root and isinstance(item, (cst.FunctionDef, cst.ClassDef)):
            scope.bind(item.name.value, None)
        elif isinstance(item, cst.Assign):
            for target in item.targets:
                bind_target(scope, target.target, item.value)
        elif isinstance(item, cst.AnnAssign):
            if item.value is not None:
                bind_target(scope, item.target, item.value)
            if isinstance(item.target, cst.Name):
                scope.annotations[item.target.value] = annotation(item.annotation)
        elif isinstance(item, cst.AugAssign):
            if isinstance(item.target, cst.Name):
                scope.bind(item.target.value, None)
                scope.mutated.add(item.target.value)
        elif isinstance(item, cst.NamedExpr):
            bind_target(scope, item.target, item.value)
        elif isinstance(item, (cst.For, cst.CompFor)):
            bind_target(scope, item.target, None)
        elif isinstance(item, cst.WithItem):
            if item.asname is not None:
                bind_target(scope, item.asname.name, item.item)
        elif isinstance(item, cst.ExceptHandler):
            if item.name is not None and isinstance(item.name.name, cst.Name):
                scope.bind(item.name.name.value, None)
        elif isinstance(item, (cst.Import, cst.ImportFrom)):
            names = item.names if not isinstance(item.names, cst.ImportStar) else ()
            for alias in names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope.bind(alias.asname.name.value, None)
                else:
                    scope.bind((dotted_name(alias.name) or "").split(".")[0], None)
        elif isinstance(item, (cst.Global, cst.Nonlocal)):
            scope.globals.update(n.name.value for n in item.names)
        elif isinstance(item, cst.Return) and item.value is not None:
            scope.returns.append(item.value)
        elif isinstance(item, cst.Call) and isinstance(item.func, cst.Attribute):
            receiver = item.func.value
            if isinstance(receiver, cst.Name) and item.func.attr.value in (
                    "update", "setdefault", "pop", "clear", "popitem", "__setitem__"):
                scope.mutated.add(receiver.value)
        elif isinstance(item, cst.Del):
            for element in walk(item.target):
                if isinstance(element, cst.Subscript) and isinstance(element.value, cst.Name):
                    scope.mutated.add(element.value.value)
    return scope


class ModuleFacts:
    """Module-wide facts, gathered once per Lambda file that mentions ``invoke``."""

    def __init__(self, module: cst.Module) -> None:
        self.scope = build_scope(module)
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.classes: Dict[str, cst.ClassDef] = {}
        self.bases: Dict[str, List[str]] = {}
        # class -> attribute -> (value, the method that assigned it, or None in the class body)
        self.attributes: Dict[str, Dict[str, List[Tuple[cst.BaseExpression, Optional[cst.FunctionDef]]]]] = {}
        self.properties: Dict[str, Dict[str, cst.FunctionDef]] = {}
        # module name -> (value, function) for ``global name; name = value`` inside functions
        self.global_bindings: Dict[str, List[Tuple[cst.BaseExpression, cst.FunctionDef]]] = {}
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
                self._globals_of(stmt)
            elif isinstance(stmt, cst.ClassDef):
                self._class(stmt)

    def _globals_of(self, func: cst.FunctionDef) -> None:
        names: Set[str] = set()
        for item in walk(func.body):
            if isinstance(item, cst.Global):
                names.update(n.name.value for n in item.names)
        if not names:
            return
        for item in walk(func.body):
            if isinstance(item, cst.Assign):
                for target in item.targets:
                    if isinstance(target.target, cst.Name) and target.target.value in names:
                        self.global_bindings.setdefault(target.target.value, []).append((item.value, func))

    def _class(self, node: cst.ClassDef) -> None:
        name = node.name.value
        self.classes[name] = node
        self.bases[name] = [dotted_name(b.value) or "" for b in node.bases]
        attrs = self.attributes.setdefault(name, {})
        props = self.properties.setdefault(name, {})
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name):
                                attrs.setdefault(target.target.value, []).append((small.value, None))
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        if isinstance(small.target, cst.Name):
                            attrs.setdefault(small.target.value, []).append((small.value, None))
            elif isinstance(stmt, cst.FunctionDef):
                self._globals_of(stmt)
                decorators = {(dotted_name(d.decorator) or "").rpartition(".")[2] for d in stmt.decorators}
                if decorators & {"property", "cached_property"}:
                    props[stmt.name.value] = stmt
                params = list(stmt.params.posonly_params) + list(stmt.params.params)
                if not params:
                    continue
                self_name = params[0].name.value
                for item in walk(stmt.body):
                    targets: List[Tuple[cst.BaseExpression, cst.BaseExpression]] = []
                    if isinstance(item, cst.Assign):
                        targets = [(t.target, item.value) for t in item.targets]
                    elif isinstance(item, cst.AnnAssign) and item.value is not None:
                        targets = [(item.target, item.value)]
                    for target, value in targets:
                        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                                and target.value.value == self_name):
                            attrs.setdefault(target.attr.value, []).append((value, stmt))

    def class_chain(self, name: str) -> List[str]:
        """``name`` and its bases defined in this module, nearest first."""
        chain: List[str] = []
        pending = [name]
        while pending and len(chain) < 20:
            current = pending.pop(0)
            if current in self.classes and current not in chain:
                chain.append(current)
                pending.extend(self.bases.get(current, []))
        return chain

