"""Which functions of a module are Lambda handlers, and which code runs on every invocation.

A handler is found by its shape (a module-level ``def f(event, context)``), by being named in the
configuration or in a deployment config that points at this file, or by the decorators that
frameworks put on handlers (Powertools, aws-embedded-metrics, Chalice and Powertools routes).
Everything a handler calls in the same module, transitively, runs per invocation too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set

import libcst as cst
import libcst.matchers as m

# Decorators (their last dotted component) that only ever wrap a Lambda handler.
HANDLER_DECORATORS = frozenset({
    "inject_lambda_context", "capture_lambda_handler", "log_metrics", "event_source",
    "validator", "metric_scope", "idempotent", "batch_processor", "async_batch_processor",
    "lambda_handler_decorator", "event_parser",
})

# Constructors of apps whose decorated functions are routes run per invocation.
APP_CONSTRUCTORS = re.compile(
    r"(^|\.)(Chalice|APIGatewayRestResolver|APIGatewayHttpResolver|ALBResolver|"
    r"LambdaFunctionUrlResolver|VPCLatticeResolver|VPCLatticeV2Resolver|BedrockAgentResolver|"
    r"AppSyncResolver|ApiGatewayResolver|Router)$"
)

EVENT_PARAM = re.compile(r"^_*(event|evt|e|event_data|raw_event|lambda_event|payload|req|request)$|event", re.I)
CONTEXT_PARAM = re.compile(r"^_*(context|ctx|lambda_context|c)$|context|^_$", re.I)
HANDLER_LIKE_NAME = re.compile(r"handler|^handle|^lambda_|^main$", re.I)

TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_tests?\.py$|(^|/)conftest\.py$")


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for Name/Attribute chains, None for anything else (calls, subscripts)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _decorator_target(decorator: cst.Decorator) -> Optional[str]:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return dotted_name(expr)


def _positional_names(params: cst.Parameters) -> List[str]:
    return [p.name.value for p in list(params.posonly_params) + list(params.params)]


def has_handler_signature(func: cst.FunctionDef) -> bool:
    names = _positional_names(func.params)
    if len(names) == 3 and names[2] == "metrics":  # aws-embedded-metrics @metric_scope
        names = names[:2]
    if len(names) != 2:
        return False
    required = [p for p in func.params.params if p.default is None]
    if len(required) + len(func.params.posonly_params) < 1:
        return False
    return bool(EVENT_PARAM.search(names[0])) and bool(CONTEXT_PARAM.search(names[1]))


def _has_main_guard(module: cst.Module) -> bool:
    guard = m.If(test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[m.ComparisonTarget(operator=m.Equal(), comparator=m.SimpleString())],
    ))
    return any(m.matches(stmt, guard) for stmt in module.body)


class _CallCollector(cst.CSTVisitor):
    """Names called directly (``foo(...)``) anywhere inside a function body."""

    def __init__(self) -> None:
        self.called: Set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.called.add(node.func.value)


@dataclass
class HandlerInfo:
    handlers: List[cst.FunctionDef] = field(default_factory=list)
    per_invocation: Set[cst.FunctionDef] = field(default_factory=set)
    is_test_file: bool = False

    @property
    def is_lambda_code(self) -> bool:
        return bool(self.handlers)

    def handler_names(self) -> List[str]:
        return [f.name.value for f in self.handlers]


def _top_level_functions(module: cst.Module) -> Dict[str, cst.FunctionDef]:
    found: Dict[str, cst.FunctionDef] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            found[stmt.name.value] = stmt
    return found


def _app_names(module: cst.Module) -> Set[str]:
    names: Set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
                callee = dotted_name(small.value.func) or ""
                if APP_CONSTRUCTORS.search(callee):
                    targets = small.targets if isinstance(small, cst.Assign) else [small]
                    for target in targets:
                        if isinstance(target.target, cst.Name):
                            names.add(target.target.value)
    return names


def analyse(module: cst.Module, path: str, configured: Iterable[str] = ()) -> HandlerInfo:
    """Find the handlers of ``module`` (at ``path``) and everything they call in it."""
    configured = set(configured)
    functions = _top_level_functions(module)
    is_test = bool(TEST_PATH.search(path))
    script = _has_main_guard(module)
    apps = _app_names(module)

    handlers: List[cst.FunctionDef] = []
    for name, func in functions.items():
        if name in configured:
            handlers.append(func)
            continue
        decorated = False
        for decorator in func.decorators:
            target = _decorator_target(decorator) or ""
            head, _, last = target.rpartition(".")
            if last in HANDLER_DECORATORS or (head and head.split(".")[0] in apps):
                decorated = True
                break
        if decorated and not is_test:
            handlers.append(func)
            continue
        if is_test or not has_handler_signature(func):
            continue
        if script and not HANDLER_LIKE_NAME.search(name):
            continue
        handlers.append(func)

    calls: Dict[str, Set[str]] = {}
    for name, func in functions.items():
        collector = _CallCollector()
        func.body.visit(collector)
        calls[name] = collector.called & functions.keys()

    reached: Set[str] = set()
    queue = [f.name.value for f in handlers]
    while queue:
        name = queue.pop()
        if name in reached:
            continue
        reached.add(name)
        queue.extend(calls.get(name, ()))
    return HandlerInfo(handlers, {functions[n] for n in reached}, is_test)
