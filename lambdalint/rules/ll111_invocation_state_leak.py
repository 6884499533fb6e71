"""LL111 invocation-state-leak: module-level containers that every invocation grows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Set, Tuple

import libcst as cst

from lambdalint.analysis.handlers import dotted_name, walk
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL111",
    name="invocation-state-leak",
    severity="warning",
    summary="A module-level list, set or dict grows on every invocation and is never emptied.",
    kind="python",
    tags=("reliability", "performance"),
    reports="a module-level list, set or dict that handler code grows per invocation and "
            "nothing empties",
    covers=("yes", "inline code", "", "", "inline code"),
)

CONTAINER_CALLS = ("list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque")
GROWERS = ("append", "extend", "insert", "appendleft", "extendleft", "add", "update",
           "setdefault")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL111 cannot report in the file: a module-level name is bound to a
    container (``[]``, ``{}``, ``set()``, ``defaultdict(list)``...) and a function calls a
    growing method on that name or assigns an item of it."""
    import ast

    if text.is_test_path:
        return False
    tree = text.tree
    if tree is None:  # LibCST will say what is wrong; the rule needs a growing call or store
        return any(f".{grower}(" in text.text for grower in GROWERS) or "] =" in text.text
    names = set()
    for node in tree.body:  # type: ignore[attr-defined]
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Call):
                func = value.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called not in CONTAINER_CALLS:
                    continue
            elif not isinstance(value, (ast.List, ast.Dict, ast.Set)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    if not names:
        return False
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in GROWERS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in names):
                return True
            if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name) and node.value.id in names):
                return True
    return False


LIST_GROWERS = frozenset({"append", "extend", "insert", "appendleft", "extendleft"})
SET_GROWERS = frozenset({"add", "update"})
DICT_GROWERS = frozenset({"update", "setdefault"})
SHRINKERS = frozenset({"clear", "pop", "popitem", "remove", "discard", "popleft",
                       "difference_update", "intersection_update"})
KINDS = {"List": "list", "Dict": "dict", "Set": "set", "list": "list", "dict": "dict",
         "set": "set", "defaultdict": "dict", "OrderedDict": "dict", "Counter": "dict",
         "deque": "list"}


class InvocationStateLeak(PythonRule):
    """Module-level containers that code a handler runs grows on every invocation.

    The module is imported once per execution environment and reused by every warm invocation:
    a list the handler appends to keeps what earlier invocations put in it. Memory grows until the
    environment is recycled or runs out, and one caller's data is visible to the next (a response
    built from the list returns earlier callers' items). Left alone: containers something empties
    or shrinks (``clear()``, ``pop()``, ``del x[k]``, a ``global`` reassignment), whose size is
    checked (``len(x)``), caches (a dict read with ``in``, ``.get`` or a subscript), dict entries
    with constant keys, a ``deque`` with ``maxlen``, and growth at import time.
    """

    ID = META.id
    VALID = (
        # Reset per invocation.
        'RESULTS = []\n\ndef handler(event, context):\n    global RESULTS\n    RESULTS = []\n'
        '    RESULTS.append(event["id"])\n    return RESULTS\n',
        # A cache: read back by key.
        'import boto3\n\nCLIENTS = {}\n\ndef handler(event, context):\n'
        '    region = event["region"]\n    if region not in CLIENTS:\n'
        '        CLIENTS[region] = boto3.client("s3", region_name=region)\n'
        '    return CLIENTS[region].list_buckets()\n',
        # A local list of the same name.
        'items = []\n\ndef handler(event, context):\n    items = []\n'
        '    items.append(event)\n    return items\n',
        # Emptied after use.
        'BATCH = []\n\ndef handler(event, context):\n    BATCH.extend(event["Records"])\n'
        '    n = len(BATCH)\n    BATCH.clear()\n    return n\n',
        # Filled at import time only.
        'NAMES = []\nfor n in ("a", "b"):\n    NAMES.append(n)\n\n'
        'def handler(event, context):\n    return NAMES\n',
        # A constant key: the dict does not grow.
        'STATE = {}\n\ndef handler(event, context):\n    STATE["last"] = event["id"]\n'
        '    return STATE\n',
        # A bounded deque.
        'from collections import deque\n\nRECENT = deque(maxlen=100)\n\n'
        'def handler(event, context):\n    RECENT.append(event["id"])\n    return list(RECENT)\n',
    )
    INVALID = (
        'RESULTS = []\n\ndef handler(event, context):\n    RESULTS.append(event["id"])\n'
        '    return {"ids": RESULTS}\n',
        'seen = set()\n\ndef process(record):\n    seen.add(record["messageId"])\n\n'
        'def lambda_handler(event, context):\n    for r in event["Records"]:\n        process(r)\n',
        'from collections import defaultdict\n\ncounts = defaultdict(int)\n\n'
        'def handler(event, context):\n    counts.update({event["user"]: 1})\n'
        '    return dict(counts)\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.handlers.per_invocation)

    def visit_Module(self, node: cst.Module) -> None:
        if not self.active:
            return
        containers = self._containers(node)
        if not containers:
            return
        growth: Dict[str, Tuple[cst.CSTNode, cst.FunctionDef, str]] = {}
        for stmt in node.body:
            for func in self._functions(stmt):
                self._scan(func, containers, growth)
        if not growth:
            return
        spared = self._spared(node, containers)
        for name, (site, func, how) in sorted(growth.items(), key=lambda kv: kv[0]):
            if name in spared:
                continue
            kind = containers[name]
            self.report(
                site,
                f"`{name}` is a module-level {kind} that `{func.name.value}` {how} on every "
                "invocation and nothing empties: warm invocations reuse the module, so it grows "
                "for the life of the execution environment (memory) and what one invocation "
                "put in it is still there for the next caller",
                f"Build the {kind} inside the handler (a local variable per invocation), or "
                f"empty it when the invocation is done ({name}.clear() in a finally block), or "
                "bound it (collections.deque(maxlen=...), functools.lru_cache(maxsize=...)).",
            )

    # -- the module's containers --------------------------------------------------------------

    @staticmethod
    def _containers(module: cst.Module) -> Dict[str, str]:
        bound: Dict[str, List[cst.BaseExpression]] = {}
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)):
                    for target, value in PythonRule.assigned_targets(small):
                        if isinstance(target, cst.Name):
                            bound.setdefault(target.value, []).append(value)
        found: Dict[str, str] = {}
        for name, values in bound.items():
            if len(values) != 1:
                continue
            kind = _kind(values[0])
            if kind:
                found[name] = kind
        return found

    def _functions(self, stmt: cst.CSTNode) -> List[cst.FunctionDef]:
        per_invocation = self.ctx.handlers.per_invocation
        if isinstance(stmt, cst.FunctionDef):
            return [stmt] if stmt in per_invocation else []
        if isinstance(stmt, cst.ClassDef):
            return [s for s in stmt.body.body
                    if isinstance(s, cst.FunctionDef) and s in per_invocation]
        return []

    # -- what a function does with them -------------------------------------------------------

    def _scan(self, func: cst.FunctionDef, containers: Dict[str, str],
              growth: Dict[str, Tuple[cst.CSTNode, cst.FunctionDef, str]]) -> None:
        local = _local_names(func)
        for node in walk(func.body):
            name, how = self._growth(node, containers)
            if name and name not in local and name not in growth:
                growth[name] = (node, func, how)

    def _spared(self, module: cst.Module, containers: Dict[str, str]) -> Set[str]:
        """Containers the module empties, bounds or reads as a cache, anywhere."""
        written: Set[int] = set()  # subscripts that are assignment targets, not reads
        nodes = list(walk(module))
        for node in nodes:
            if isinstance(node, cst.Assign):
                written.update(id(t.target) for t in node.targets)
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
                written.add(id(node.target))
        spared: Set[str] = set()
        for node in nodes:
            if isinstance(node, cst.Subscript) and id(node) in written:
                continue
            spared.update(self._sparing(node, containers))
        return spared

    @staticmethod
    def _growth(node: cst.CSTNode, containers: Dict[str, str]) -> Tuple[str, str]:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            receiver = node.func.value
            if not isinstance(receiver, cst.Name) or receiver.value not in containers:
                return "", ""
            name, method = receiver.value, node.func.attr.value
            kind = containers[name]
            if kind == "list" and method in LIST_GROWERS:
                return name, f"adds to with .{method}()"
            if kind == "set" and method in SET_GROWERS:
                return name, f"adds to with .{method}()"
            if kind == "dict" and method in DICT_GROWERS and not _constant_keys(node):
                return name, f"adds keys to with .{method}()"
            return "", ""
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            targets = ([t.target for t in node.targets] if isinstance(node, cst.Assign)
                       else [node.target])
            for target in targets:
                if (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
                        and containers.get(target.value.value) == "dict"
                        and not _constant_subscript(target)):
                    return target.value.value, "adds keys to"
        return "", ""

    @staticmethod
    def _sparing(node: cst.CSTNode, containers: Dict[str, str]) -> List[str]:
        """Names ``node`` shows as emptied, bounded or used as a cache."""
        found: List[str] = []
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                if func.attr.value in SHRINKERS or (
                        func.attr.value == "get" and containers.get(func.value.value) == "dict"):
                    found.append(func.value.value)
            elif isinstance(func, cst.Name) and func.value == "len":
                found.extend(a.value.value for a in node.args if isinstance(a.value, cst.Name))
        elif isinstance(node, cst.Del):
            found.extend(n.value.value for n in walk(node.target)
                         if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name))
        elif isinstance(node, cst.ComparisonTarget) and isinstance(
                node.operator, (cst.In, cst.NotIn)) and isinstance(node.comparator, cst.Name):
            found.append(node.comparator.value)
        elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
            if containers.get(node.value.value) == "dict":
                found.append(node.value.value)  # read (or written) by key: judged as a cache
        elif isinstance(node, cst.Global):
            found.extend(n.name.value for n in node.names)  # rebound per invocation
        return [name for name in found if name in containers]


def _kind(value: cst.BaseExpression) -> str:
    if isinstance(value, cst.List):
        return "list"
    if isinstance(value, cst.Dict):
        return "dict"
    if isinstance(value, cst.Set):
        return "set"
    if isinstance(value, cst.Call):
        last = (dotted_name(value.func) or "").rpartition(".")[2]
        if last == "deque" and any(a.keyword is not None and a.keyword.value == "maxlen"
                                   or (a.keyword is None and i == 1)
                                   for i, a in enumerate(value.args)):
            return ""
        return KINDS.get(last, "")
    return ""


def _local_names(func: cst.FunctionDef) -> Set[str]:
    """Names ``func`` binds itself (parameters and assignments), not declared ``global``."""
    from lambdalint.rules._invoke_scope import build_scope

    scope = build_scope(func)
    return set(scope.bindings) - scope.globals


def _constant_subscript(target: cst.Subscript) -> bool:
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return False
    return isinstance(target.slice[0].slice.value, (cst.SimpleString, cst.Integer))


def _constant_keys(call: cst.Call) -> bool:
    """``d.update({"a": 1})``, ``d.update(a=1)``, ``d.setdefault("k", v)``: no growth by key."""
    for arg in call.args:
        if arg.keyword is not None:
            continue
        value = arg.value
        if isinstance(value, cst.Dict):
            return all(isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                       for e in value.elements)
        return isinstance(value, (cst.SimpleString, cst.Integer))
    return True


Rule = InvocationStateLeak
