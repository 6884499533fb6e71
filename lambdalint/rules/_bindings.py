"""What a name may hold where code reads it: the lookup LL105, LL108, LL109, LL112 and LL217
share, and which environment variable an expression reads.

A mixin for ``PythonRule``: the innermost function (or the module) that binds the name gives its
values, ``global`` sends the lookup to the module. Scopes come from ``_invoke_scope.build_scope``
and are built once per function.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from lambdalint.rules._invoke_scope import Scope, build_scope
from lambdalint.rules._syntax import literal_string


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

    def environment_variable(self, expr: cst.BaseExpression) -> Optional[str]:
        """``NAME`` of ``os.environ["NAME"]``, ``os.environ.get("NAME")``, ``os.getenv("NAME")``
        (however ``os`` or ``environ`` was imported)."""
        if isinstance(expr, cst.Subscript) and \
                "os.environ" in self.qualified_names(expr.value):  # type: ignore[attr-defined]
            index = expr.slice[0].slice if len(expr.slice) == 1 else None
            return literal_string(index.value) if isinstance(index, cst.Index) else None
        if isinstance(expr, cst.Call) and expr.args and expr.args[0].keyword is None:
            names = self.qualified_names(expr.func)  # type: ignore[attr-defined]
            if names & {"os.getenv", "os.environ.get"}:
                return literal_string(expr.args[0].value)
        return None

    def scope_of(self, node: cst.CSTNode) -> Scope:
        if self._scopes is None:
            self._scopes = {}
        found = self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = build_scope(node)
        return found
