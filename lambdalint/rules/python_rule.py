"""Python rules: LibCST visitors over one file's syntax tree (see ``base``).

Kept apart from ``base`` so that a run that only judges deployment configs, or finds every
result in the cache, never imports LibCST (a fifth of a second at every start).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Set, Tuple, Union

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
)

try:  # qualified names come as lazy values; the class is not exported
    from libcst._metadata_dependent import LazyValue as _LazyValue
except ImportError:  # pragma: no cover - an older or newer LibCST
    class _LazyValue:  # type: ignore[no-redef]
        pass

from lambdalint import registry
from lambdalint.analysis.handlers import HandlerInfo
from lambdalint.analysis.qualified_names import QualifiedNames
from lambdalint.findings import Finding, Fix
from lambdalint.model import LinkedFunction
from lambdalint.sources.python import PythonFile

_NO_DEFAULT = object()
ENV_NO_FAST = "LAMBDALINT_NO_FAST_METADATA"


@dataclass
class PythonContext:
    """What every Python rule may ask about the file it visits."""

    file: PythonFile
    wrapper: MetadataWrapper
    handlers: HandlerInfo
    options: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # rule id -> options
    # Handler name -> the deployed functions configured to run it (``linking.Linked``).
    linked_functions: Dict[str, Tuple[LinkedFunction, ...]] = field(default_factory=dict)
    # Functions of the project's own modules the file may call that create a client on every
    # call (``analysis.local_calls.ClientSite``), by the qualified name the file calls them with.
    client_sites: Tuple[Any, ...] = ()
    _parents: Optional[Dict[cst.CSTNode, cst.CSTNode]] = field(default=None, repr=False)
    _names: Optional[QualifiedNames] = field(default=None, repr=False)
    # LAMBDALINT_NO_FAST_METADATA=1: LibCST's own providers only (the tests compare the two)
    fast: bool = field(default_factory=lambda: os.environ.get(ENV_NO_FAST, "") in ("", "0"))

    def qualified_names(self, node: cst.CSTNode) -> Set[str]:
        """LibCST's qualified names of ``node`` (``QualifiedNameProvider``), answered from the
        module's binding index when that is certain to give the same (``analysis.
        qualified_names``); LibCST's scope analysis runs only for the other names."""
        if self.fast:
            if self._names is None:
                self._names = QualifiedNames(self.wrapper.module,
                                             lambda: self.metadata(ParentNodeProvider))
            found = self._names.names(node)
            if found is not None:
                return found
        value = self.metadata(QualifiedNameProvider).get(node, set())
        return {q.name for q in (value() if isinstance(value, _LazyValue) else value)}

    def linked(self, handler_name: str) -> Tuple[LinkedFunction, ...]:
        """The functions whose config names ``handler_name`` of this file as their handler."""
        return self.linked_functions.get(handler_name, ())

    def all_linked(self) -> Tuple[LinkedFunction, ...]:
        """Every function configured with a handler of this file, each once."""
        seen: Dict[LinkedFunction, None] = {}
        for functions in self.linked_functions.values():
            seen.update(dict.fromkeys(functions))
        return tuple(seen)

    def metadata(self, provider: type) -> Any:
        """A provider's results, computed on first use: most files never need positions or
        parents (no finding), and scope analysis is most of the cost of a file. Parents come
        from ``parent_map`` (the same mapping as ``ParentNodeProvider``, ten times cheaper)."""
        if provider is ParentNodeProvider and self.fast:
            if self._parents is None:
                self._parents = parent_map(self.wrapper.module)
            return self._parents
        return self.wrapper.resolve(provider)


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def parent_map(module: cst.Module) -> Dict[cst.CSTNode, cst.CSTNode]:
    """Every node's parent, from one walk over the nodes' dataclass fields.

    ``ParentNodeProvider`` builds the same mapping (every node but the module, whitespace and
    punctuation included) by a full visitor traversal with its dispatch and metadata
    bookkeeping; reading the fields directly is about a tenth of its cost. A node's children
    are exactly its fields that hold nodes or sequences of nodes (LibCST's ``children``)."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = [module]
    node_type = cst.CSTNode
    while stack:
        node = stack.pop()
        names = _FIELDS.get(type(node))
        if names is None:
            names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))
        for name in names:
            value = getattr(node, name)
            if isinstance(value, node_type):
                parents[value] = node
                stack.append(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, node_type):
                        parents[item] = node
                        stack.append(item)
    return parents


class PythonRule(cst.BatchableCSTVisitor):
    """Base of the handler-code rules. Subclasses set ``ID = META.id`` and implement ``visit_*``.

    ``VALID`` and ``INVALID`` hold small programs next to the rule, Fixit-style: the generic
    harness (tests/rules/test_cases.py) runs them, INVALID ones must fire this rule (and only it)
    and VALID ones must not. A case may be a pair (program, SAM template) when the rule judges the
    code against the function its config runs it in (``PythonContext.linked``). A rule module may also define ``gate(text, options)``, the
    pre-filter's test (see ``lambdalint.prefilter``).
    """

    ID: str = ""
    VALID: Tuple[str, ...] = ()
    INVALID: Tuple[str, ...] = ()
    # Metadata is resolved lazily through ``get_metadata`` (see PythonContext.metadata), so no
    # provider runs before the traversal.
    METADATA_DEPENDENCIES = ()

    def __init__(self, ctx: PythonContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.info = registry.get(self.ID)
        self.options: Dict[str, Any] = ctx.options.get(self.ID, {})
        self.findings: List[Finding] = []

    @staticmethod
    def assigned_targets(node: Union[cst.Assign, cst.AnnAssign]
                         ) -> List[Tuple[cst.BaseExpression, cst.BaseExpression]]:
        """(target, value) for each target an assignment binds to its value: every target of
        ``a = b = value``, the one of ``a: T = value``; a bare annotation binds nothing."""
        if isinstance(node, cst.AnnAssign):
            return [] if node.value is None else [(node.target, node.value)]
        return [(target.target, node.value) for target in node.targets]

    def get_metadata(self, key: type, node: cst.CSTNode, default: Any = _NO_DEFAULT) -> Any:
        mapping = self.ctx.metadata(key)
        value = mapping[node] if default is _NO_DEFAULT else mapping.get(node, default)
        return value() if isinstance(value, _LazyValue) else value

    # -- helpers shared by the rules ------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> Set[str]:
        return self.ctx.qualified_names(node)

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.get_metadata(ParentNodeProvider, node, None)

    def enclosing_function(self, node: cst.CSTNode) -> Optional[cst.FunctionDef]:
        """The outermost function around ``node`` (a module-level def), or None at module scope."""
        found = None
        current = self.parent(node)
        while current is not None:
            if isinstance(current, cst.FunctionDef):
                found = current
            current = self.parent(current)
        return found

    def runs_per_invocation(self, node: cst.CSTNode) -> bool:
        func = self.enclosing_function(node)
        return func is not None and func in self.ctx.handlers.per_invocation

    def functions_running(self, node: cst.CSTNode) -> Tuple[LinkedFunction, ...]:
        """The deployed functions that run ``node``: those configured with the handler it is
        in, or, for code a handler reaches (a helper), those of every handler of the file."""
        func = self.enclosing_function(node)
        if func is not None:
            own = self.ctx.linked(func.name.value)
            if own:
                return own
        return self.ctx.all_linked()

    def position(self, node: cst.CSTNode) -> Tuple[int, int, int, int]:
        """1-based line and column of ``node`` in the reported file (inline code mapped back)."""
        rng = self.get_metadata(PositionProvider, node)
        f = self.ctx.file
        return (rng.start.line + f.line_offset, rng.start.column + 1 + f.column_offset,
                rng.end.line + f.line_offset, rng.end.column + 1 + f.column_offset)

    def report(self, node: cst.CSTNode, message: str, suggestion: str,
               fix: Optional[Fix] = None) -> None:
        line, column, end_line, end_column = self.position(node)
        self.findings.append(Finding(
            self.info.id, self.info.name, self.info.severity, self.ctx.file.path,
            line, column, end_line, end_column, message, suggestion, fix,
        ))
