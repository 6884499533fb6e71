"""Qualified names of the names a rule asks about, from an index of the module's bindings,
without LibCST's scope analysis where the answer is certain to be the same.

``QualifiedNameProvider`` runs LibCST's ``ScopeProvider`` over the whole module (the largest
cost of a file sent to LibCST) to answer a question the rules mostly ask of a call's callee:
``boto3.client``, ``requests.get``, ``s3.get_object``. For a name the module binds only at its
top level (imports, plain assignments, ``def``/``class``, ``for`` targets) and nowhere else,
that answer is fixed: LibCST returns, for every assignment of the name in the module scope,
``assignment.get_qualified_names_for(full_name)``: an import's name as LibCST words it (its own
``ImportAssignment`` code is used here), the dotted name itself for a plain binding, and
``builtins.x`` for an unbound builtin. This module gives that answer in those cases and says
"not sure" (``None``) in every other, where the caller asks LibCST:

* the name is bound inside a function, lambda, class or comprehension, or by ``global``,
  ``nonlocal``, a walrus, ``with``/``except`` targets, an annotated or augmented assignment,
  ``del``, a ``match`` pattern or a type parameter anywhere (LibCST's scoping of those is not
  re-derived here);
* the node is not in a function or lambda body and not at the top level (a class body, a
  comprehension), or is itself where a name is bound;
* at the top level, some binding of the name is not in an earlier statement (LibCST resolves a
  top-level access to the assignments before it only);
* the name is imported as a dotted module (``import a.b``), whose accesses LibCST keys on
  attribute nodes.

``tests/engine/test_fast_metadata.py`` compares the answers with LibCST's over every name and
attribute of many real files.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field, fields
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata.scope_provider import ImportAssignment

_FIELDS: Dict[type, Tuple[str, ...]] = {}
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp,
           cst.GeneratorExp)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))
    out: List[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def _target_names(target: cst.CSTNode, out: List[cst.Name]) -> None:
    """The names an assignment target binds: ``a``, ``a, (b, *c)``, ``[a, b]``."""
    if isinstance(target, cst.Name):
        out.append(target)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _target_names(element.value, out)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, out)


PLAIN, PARAM, UNSURE = "plain", "param", "unsure"


@dataclass
class _Index:
    # per scope node (the Module or a FunctionDef; other scopes are only marked), per name:
    # (an ImportAssignment, PLAIN, PARAM or UNSURE, the index of the top-level statement)
    scopes: Dict[int, Dict[str, List[Tuple[object, int]]]] = field(default_factory=dict)
    unsure: Set[str] = field(default_factory=set)  # names bound where LibCST must decide
    binding_nodes: Set[int] = field(default_factory=set)  # id() of every binding occurrence


class QualifiedNames:
    """``names(node)``: LibCST's qualified names of ``node``, or None when only LibCST knows."""

    def __init__(self, module: cst.Module, parents: Callable[[], Dict[cst.CSTNode, cst.CSTNode]]):
        self.module = module
        self._parents = parents
        self._index: Optional[_Index] = None
        self._statement_of: Dict[int, int] = {id(s): i for i, s in enumerate(module.body)}

    # -- the index ------------------------------------------------------------------------

    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index()
            for position, statement in enumerate(self.module.body):
                self._walk(statement, position)
        return self._index

    def _bind(self, scope: Optional[cst.CSTNode], name: cst.Name, position: int,
              kind: object) -> None:
        index = self._index
        assert index is not None
        index.binding_nodes.add(id(name))
        if scope is None:  # a lambda, class or comprehension scope: not followed here
            index.unsure.add(name.value)
            return
        bound = index.scopes.setdefault(id(scope), {})
        bound.setdefault(name.value, []).append((kind, position))

    def _walk(self, root: cst.CSTNode, position: int) -> None:
        stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(root, self.module)]
        while stack:
            node, scope = stack.pop()
            self._bindings_of(node, scope, position)
            if isinstance(node, cst.FunctionDef):
                inner: Optional[cst.CSTNode] = node
                for child in _children(node):
                    stack.append((child, inner if child is node.body or child is node.params
                                  else scope))
                continue
            inner = None if isinstance(node, _SCOPES) else scope
            for child in _children(node):
                stack.append((child, inner))

    def _bindings_of(self, node: cst.CSTNode, scope: Optional[cst.CSTNode],
                     position: int) -> None:
        found: List[cst.Name] = []
        kind: object = PLAIN
        if isinstance(node, cst.Assign):
            for target in node.targets:
                _target_names(target.target, found)
        elif isinstance(node, cst.For):
            _target_names(node.target, found)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            found.append(node.name)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self._imports(node, scope, position)
            return
        elif isinstance(node, cst.Param):
            found.append(node.name)
            kind = PARAM
        else:
            kind = UNSURE
            if isinstance(node, cst.CompFor):
                _target_names(node.target, found)
                scope = None
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
                _target_names(node.target, found)
            elif isinstance(node, cst.AsName):  # with ... as x, except E as x
                _target_names(node.name, found)
            elif isinstance(node, cst.Del):
                _target_names(node.target, found)
            elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
                found.append(node.name)
            elif isinstance(node, cst.MatchMapping) and node.rest is not None:
                found.append(node.rest)
            elif isinstance(node, (cst.TypeVar, cst.TypeVarTuple, cst.ParamSpec, cst.TypeAlias)):
                found.append(node.name)
            elif isinstance(node, (cst.NamedExpr, cst.Global, cst.Nonlocal)):
                # a walrus binds outside its comprehension; global/nonlocal move a binding
                names: List[cst.Name] = []
                if isinstance(node, cst.NamedExpr):
                    _target_names(node.target, names)
                else:
                    names = [item.name for item in node.names]
                for name in names:
                    self._bind(None, name, position, UNSURE)
                return
        for name in found:
            self._bind(scope, name, position, kind)

    def _imports(self, node: cst.CSTNode, scope: Optional[cst.CSTNode], position: int) -> None:
        names = node.names  # type: ignore[attr-defined]
        if isinstance(names, cst.ImportStar):
            return
        for alias in names:
            if alias.asname is not None:
                bound = alias.asname.name
                if isinstance(bound, cst.Name):
                    self._bind(scope, bound, position,
                               ImportAssignment(bound.value, None, node, 0, bound))  # type: ignore[arg-type]
                continue
            full = get_full_name_for_node(alias.name) or ""
            head = alias.name
            while isinstance(head, cst.Attribute):
                head = head.value
            if not isinstance(head, cst.Name):
                continue
            if "." in full:  # import a.b: LibCST keys its accesses on attribute nodes
                self._bind(scope, head, position, UNSURE)
            else:
                self._bind(scope, head, position,
                           ImportAssignment(full, None, node, 0, alias.name))  # type: ignore[arg-type]

    # -- answers --------------------------------------------------------------------------

    def _scope_of(self, node: cst.CSTNode) -> Tuple[Optional[cst.CSTNode], int, str]:
        """LibCST's scope of ``node`` when it is the module's (with the index of the top-level
        statement holding the node) or a function body's (with its name prefix, as
        ``FunctionScope._name_prefix``); None for any other (a class body, a lambda, a
        comprehension, a def's parameters and decorators)."""
        parents = self._parents()
        child, current = node, parents.get(node)
        function: Optional[cst.FunctionDef] = None
        names: List[str] = []
        while current is not None:
            if isinstance(current, cst.FunctionDef):
                if child is not current.body:
                    return None, 0, ""
                function = function or current
                names.append(current.name.value + ".<locals>")
            elif isinstance(current, cst.ClassDef):
                if child is not current.body or function is None:
                    return None, 0, ""
                names.append(current.name.value)
            elif isinstance(current, (cst.Lambda,) + _COMPREHENSIONS):
                return None, 0, ""
            elif isinstance(current, cst.Module):
                if function is not None:
                    return function, -1, ".".join(reversed(names))
                at = self._statement_of.get(id(child))
                return (current, at, "") if at is not None else (None, 0, "")
            child, current = current, parents.get(current)
        return None, 0, ""

    def _free(self, function: cst.FunctionDef, head: str, full_name: str
              ) -> Tuple[bool, Optional[Set[str]]]:
        """A name ``function`` does not bind, looked up in the functions around it (class
        bodies are skipped, as Python and LibCST do): (True, names) when one of them binds
        it, (False, None) when none does and the module decides, (True, None) when unsure."""
        index = self._index
        assert index is not None
        parents = self._parents()
        child, current = function, parents.get(function)
        while current is not None and not isinstance(current, cst.Module):
            if isinstance(current, (cst.Lambda,) + _COMPREHENSIONS):
                return True, None
            if isinstance(current, cst.FunctionDef):
                if child is not current.body:
                    return True, None
                bound = index.scopes.get(id(current), {}).get(head)
                if bound:
                    if any(kind not in (PLAIN, PARAM) for kind, _ in bound):
                        return True, None
                    scope, _, prefix = self._scope_of(current.body)
                    return True, ({f"{prefix}.{full_name}"} if scope is current else None)
            child, current = current, parents.get(current)
        return False, None

    def _not_an_expression(self, node: cst.CSTNode) -> bool:
        """A name LibCST's scope analysis does not visit (an attribute's ``.attr``, a keyword
        argument's name, the parts of an import) or where a name is declared."""
        parents = self._parents()
        child, parent = node, parents.get(node)
        if isinstance(parent, cst.Attribute) and parent.attr is child:
            return True
        while isinstance(parent, cst.Attribute) and parent.value is child:
            child, parent = parent, parents.get(parent)
        if isinstance(parent, cst.Arg) and parent.keyword is child:
            return True
        return isinstance(parent, (cst.ImportAlias, cst.ImportFrom, cst.Import, cst.AsName,
                                   cst.Param, cst.FunctionDef, cst.ClassDef, cst.NameItem))

    def names(self, node: cst.CSTNode) -> Optional[Set[str]]:
        if not isinstance(node, (cst.Name, cst.Attribute)) or self._not_an_expression(node):
            return None
        full_name = get_full_name_for_node(node)
        if not full_name:
            return None
        index = self.index()
        head = full_name.split(".", 1)[0]
        if head in index.unsure or id(node) in index.binding_nodes:
            return None
        scope, where, prefix = self._scope_of(node)
        if scope is None:
            return None
        if isinstance(scope, cst.FunctionDef):
            local = index.scopes.get(id(scope), {}).get(head)
            if local:
                kinds = [kind for kind, _ in local]
                if any(kind not in (PLAIN, PARAM) for kind in kinds):
                    return None
                if isinstance(node, cst.Name) and PARAM not in kinds:
                    return None  # an access before the local binding resolves outside
                return {f"{prefix}.{full_name}"}
            decided, found = self._free(scope, head, full_name)
            if decided:
                return found
            where = -1
        assignments = index.scopes.get(id(self.module), {}).get(head, [])
        if where >= 0 and any(at >= where for _, at in assignments):
            return None  # LibCST resolves a top-level access to the assignments before it
        if not assignments:
            return {f"builtins.{head}"} if hasattr(builtins, head) else set()
        out: Set[str] = set()
        for kind, _ in assignments:
            if isinstance(kind, ImportAssignment):
                out.update(q.name for q in kind.get_qualified_names_for(full_name))
            elif kind == PLAIN:
                out.add(full_name)
            else:
                return None
        return out
