"""Scopes and bindings of a CDK app, and the walk over its statements that records them.

Every assignment is a ``_Binding`` with a version (the moment it was made), so a name is read
as it was where it is used; a name assigned in more than one place is ambiguous. ``_Scopes``
is a mixin of ``_AppReader`` (package ``__init__``): the walk calls ``_on_calls`` (effects)
on each statement, so constructs are built where they are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import libcst as cst

# What an odd shape raises inside the evaluator; caught per statement and per property so one
# surprise loses one value, not the file.
_SKIP = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


class _Scope:
    """Names assigned in one module, class body or function body, each with its history."""

    __slots__ = ("parent", "names")

    def __init__(self, parent: Optional["_Scope"] = None) -> None:
        self.parent = parent
        self.names: Dict[str, List["_Binding"]] = {}


@dataclass(frozen=True)
class _Env:
    """Where an expression is evaluated: its scope, the ``self.x`` attributes of its class, and
    the moment (bindings made later are not visible)."""

    scope: _Scope
    attrs: _Scope
    version: int


@dataclass
class _Binding:
    version: int
    expr: Optional[cst.BaseExpression]  # None: bound to something unknowable (a parameter...)
    env: Optional[_Env]


def _dotted(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _app_root(path: Path) -> Path:
    """The directory ``cdk`` runs in: the nearest ancestor holding cdk.json, within the repo."""
    start = path.parent
    for directory in [start, *start.parents]:
        try:
            if (directory / "cdk.json").is_file():
                return directory
            if (directory / ".git").exists():
                break
        except OSError:
            break
    return start


class _Scopes:
    """Walking the module and function bodies, binding names, looking them up."""

    def _register_import(self, node: cst.CSTNode) -> None:
        """Import aliases, file-wide: ``from aws_cdk import aws_lambda as lambda_`` makes
        ``lambda_`` mean ``aws_cdk.aws_lambda``."""
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _dotted(alias.name)
                if not full:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.aliases[alias.asname.name.value] = full
                else:
                    top = full.split(".")[0]
                    self.aliases[top] = top
        elif isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
                return
            module = _dotted(node.module)
            if not module:
                return
            for alias in node.names:
                name = _dotted(alias.name)
                if not name:
                    continue
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.aliases[local] = f"{module}.{name}"

    def _env(self, scope: _Scope, attrs: _Scope) -> _Env:
        return _Env(scope, attrs, self.version)

    def _walk_body(self, body, scope: _Scope, attrs: _Scope, def_parent: _Scope) -> None:
        for statement in body:
            try:
                self._walk_statement(statement, scope, attrs, def_parent)
            except _SKIP:
                continue

    def _walk_statement(self, node: cst.CSTNode, scope: _Scope, attrs: _Scope,
                        def_parent: _Scope) -> None:
        if isinstance(node, cst.FunctionDef):
            for decorator in node.decorators:
                self._on_calls(decorator, self._env(scope, attrs))
            self._bind_key(node.name.value, None, scope, attrs, None)
            self.deferred.append((node, def_parent, attrs))
        elif isinstance(node, cst.ClassDef):
            self._bind_key(node.name.value, None, scope, attrs, None)
            class_scope = _Scope(scope)
            self._walk_body(node.body.body, class_scope, _Scope(), scope)
        elif isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                try:
                    self._small(small, scope, attrs)
                except _SKIP:
                    continue
        elif isinstance(node, cst.BaseSmallStatement):
            self._small(node, scope, attrs)
        else:
            self._walk_compound(node, scope, attrs, def_parent)

    def _walk_compound(self, node: cst.CSTNode, scope: _Scope, attrs: _Scope,
                       def_parent: _Scope) -> None:
        """if/for/while/with/try/match: their expressions, then their blocks, in source order."""
        if isinstance(node, cst.For):
            self._on_calls(node.iter, self._env(scope, attrs))
            self._bind_target(node.target, None, scope, attrs, None)
        for child in node.children:
            if isinstance(node, cst.For) and child is node.iter:
                continue
            if isinstance(child, cst.IndentedBlock):
                self._walk_body(child.body, scope, attrs, def_parent)
            elif isinstance(child, cst.SimpleStatementSuite):
                self._walk_body(child.body, scope, attrs, def_parent)
            elif isinstance(child, cst.BaseExpression):
                self._on_calls(child, self._env(scope, attrs))
            elif isinstance(child, cst.WithItem):
                self._on_calls(child.item, self._env(scope, attrs))
                if child.asname is not None:
                    self._bind_target(child.asname.name, None, scope, attrs, None)
            elif isinstance(child, cst.ExceptHandler):
                if child.name is not None:
                    self._bind_target(child.name.name, None, scope, attrs, None)
                self._walk_compound(child, scope, attrs, def_parent)
            elif isinstance(child, (cst.BaseCompoundStatement, cst.Else, cst.Finally,
                                    cst.MatchCase, cst.ExceptStarHandler)):
                self._walk_compound(child, scope, attrs, def_parent)

    def _walk_function(self, node: cst.FunctionDef, parent: _Scope, attrs: _Scope) -> None:
        scope = _Scope(parent)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            self._bind_key(param.name.value, None, scope, attrs, None)
        body = node.body.body
        self._walk_body(body, scope, attrs, scope)

    def _small(self, node: cst.BaseSmallStatement, scope: _Scope, attrs: _Scope) -> None:
        env = self._env(scope, attrs)
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            self._register_import(node)
            return
        self._on_calls(node, env)
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind_target(target.target, node.value, scope, attrs, env)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self._bind_target(node.target, node.value, scope, attrs, env)
        elif isinstance(node, cst.AugAssign):
            self._bind_target(node.target, None, scope, attrs, None)

    def _bind_target(self, target: cst.CSTNode, value: Optional[cst.BaseExpression],
                     scope: _Scope, attrs: _Scope, env: Optional[_Env]) -> None:
        if isinstance(target, cst.Name):
            self._bind_key(target.value, value, scope, attrs, env)
        elif isinstance(target, cst.Attribute):
            key = self._attr_key(target)
            if key:
                self._bind_key(key, value, scope, attrs, env)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: List[Optional[cst.BaseExpression]] = [None] * len(target.elements)
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(values) \
                    and all(isinstance(e, cst.Element) for e in value.elements):
                values = [e.value for e in value.elements]
            for element, element_value in zip(target.elements, values):
                self._bind_target(element.value, element_value, scope, attrs,
                                  env if element_value is not None else None)

    def _bind_key(self, key: str, value: Optional[cst.BaseExpression], scope: _Scope,
                  attrs: _Scope, env: Optional[_Env]) -> None:
        self.version += 1
        where = attrs if key.startswith("self.") else scope
        where.names.setdefault(key, []).append(_Binding(self.version, value, env))
        if isinstance(value, cst.Call):
            self._on_bound(key, value)  # a construct's first name (resources._Resources)

    @staticmethod
    def _attr_key(node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                and node.value.value == "self":
            return "self." + node.attr.value
        return None

    def _lookup(self, key: str, env: _Env) -> Tuple[Optional[_Binding], bool]:
        """The binding of ``key`` visible from ``env``, and whether the name is assigned in
        more than one place (then it is no constant)."""
        scope: Optional[_Scope] = env.attrs if key.startswith("self.") else env.scope
        while scope is not None:
            entries = scope.names.get(key)
            if entries:
                ambiguous = len(entries) > 1
                for binding in reversed(entries):
                    if binding.version <= env.version:
                        return binding, ambiguous
                return None, ambiguous
            scope = scope.parent
        return None, False
