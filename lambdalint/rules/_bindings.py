"""What a name may hold where code reads it: the lookup LL105, LL108 and LL112 share.

A mixin for ``PythonRule``: the innermost function (or the module) that binds the name gives its
values, ``global`` sends the lookup to the module. Scopes come from ``_invoke_scope.build_scope``
and are built once per function.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from lambdalint.rules._invoke_scope import Scope, build_scope


class NameValues:
    """``values(name, where)``: the expressions ``name`` is bound to where ``where`` reads it
    (None for a binding whose value is unknown: a parameter, a loop target, an import)."""

    _scopes: Optional[Dict[int, Scope]] = None

    def values(self, name: str, where: cst.CSTNode) -> List[Optional[cst.BaseExpression]]:
        current = self.parent(where)  # type: ignore[attr-defined]
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.Module)):
                scope = self.scope_of(current)
                if name in scope.globals:
                    return self.scope_of(self.ctx.wrapper.module).bindings.get(name, [])  # type: ignore[attr-defined]
                if name in scope.bindings:
                    return scope.bindings[name]
            current = self.parent(current)  # type: ignore[attr-defined]
        return []

    def scope_of(self, node: cst.CSTNode) -> Scope:
        if self._scopes is None:
            self._scopes = {}
        found = self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = build_scope(node)
        return found
