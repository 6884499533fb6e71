"""Which functions of a module are Lambda handlers, and which code runs on every invocation.

A handler is found by its shape (a module-level ``def f(event, context)``), by being named in the
configuration or in a deployment config that points at this file, or by the decorators that
frameworks put on handlers (Powertools, aws-embedded-metrics, Chalice and Powertools routes).
Everything a handler reaches in the same module (functions it calls or passes on, methods of the
module's classes it uses), transitively, runs per invocation too.

This runs on every Python file, so it looks only at the module's top level until it has found a
handler; function bodies are walked only for the code a handler reaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from lambdalint.analysis.paths import is_test_path

# Decorators (their last dotted component) that only ever wrap a Lambda handler.
HANDLER_DECORATORS = frozenset({
    "inject_lambda_context", "capture_lambda_handler", "log_metrics", "metric_scope",
    "event_parser", "batch_processor", "async_batch_processor",
})
# Powertools decorators whose names other libraries use too (pydantic's ``validator``...): they
# count only when the name is imported from Powertools.
POWERTOOLS_ONLY_DECORATORS = frozenset({"validator", "idempotent", "event_source"})
POWERTOOLS = ("aws_lambda_powertools", "aws_embedded_metrics")
# Powertools' factory for handler middleware: the function it decorates wraps handlers.
MIDDLEWARE_FACTORY = "lambda_handler_decorator"

# Apps whose decorated functions are Lambda entry points: the constructors say "Lambda" by
# themselves (Chalice, the Powertools resolvers)...
LAMBDA_APPS = re.compile(
    r"^(Chalice|APIGatewayRestResolver|APIGatewayHttpResolver|ALBResolver|ApiGatewayResolver|"
    r"LambdaFunctionUrlResolver|VPCLatticeResolver|VPCLatticeV2Resolver|BedrockAgentResolver|"
    r"BedrockAgentFunctionResolver|AppSyncResolver|AppSyncEventsResolver)$"
)
# ...or only when imported from Powertools or Chalice (``Router`` is a common name).
LAMBDA_APPS_IF_IMPORTED = frozenset({"Router", "Blueprint"})
LAMBDA_APP_PACKAGES = ("aws_lambda_powertools", "chalice")
# Web apps whose routes run per invocation only in Lambda code that hands them the event
# (``handler = Mangum(app)``, ``serverless_wsgi.handle_request(app, event, context)``).
WEB_APPS = frozenset({"Flask", "Quart", "FastAPI", "APIRouter", "Starlette", "Sanic"})
# Adapters that turn a web app into a Lambda handler.
ADAPTERS = frozenset({"Mangum"})

# ``event`` as a word of the first parameter's name: event, evt, sqs_event, raw_events...
EVENT_PARAM = re.compile(r"^_*(e|evt|ev|(\w+_)?events?(_\w+)?)$", re.I)
# First parameters that say "event" only next to a handler-like function name.
WEAK_EVENT_PARAM = re.compile(
    r"^_*(payload|req|request|data|body|message|msg|input|record|params|args|item)$", re.I)
CONTEXT_PARAM = re.compile(r"^(_+|_*c|_*ctx|_*(\w+_)?(context|ctx))$", re.I)
HANDLER_LIKE_NAME = re.compile(r"handler|^_*handle|^lambda_|^main$", re.I)

TEST_MODULES = frozenset({"pytest", "unittest"})

# Fields of LibCST nodes that hold only whitespace and punctuation: never worth walking.
_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header",
    "footer", "newline", "equal", "colon", "dot", "star", "whitespace_after_at",
})
_field_cache: Dict[type, Tuple[str, ...]] = {}


def _walked_fields(kind: type) -> Tuple[str, ...]:
    names = _field_cache.get(kind)
    if names is None:
        names = tuple(f.name for f in fields(kind)
                      if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace"))
        _field_cache[kind] = names
    return names


def walk(root: cst.CSTNode, into_scopes: bool = True) -> Iterator[cst.CSTNode]:
    """Every node under ``root`` (itself included), several times faster than a CSTVisitor.

    With ``into_scopes=False`` nested functions, classes and lambdas are yielded but not entered.
    """
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        if not into_scopes and node is not root and isinstance(
                node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        children: List[cst.CSTNode] = []
        for name in _walked_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (tuple, list)):
                children.extend(v for v in value if isinstance(v, cst.CSTNode))
        stack.extend(reversed(children))


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for Name/Attribute chains, None for anything else (calls, subscripts)."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):  # a loop: long chains must not hit the recursion limit
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _decorator_target(decorator: cst.Decorator) -> Optional[str]:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return dotted_name(expr)


def _positional(params: cst.Parameters) -> List[cst.Param]:
    return list(params.posonly_params) + list(params.params)


def annotation_name(annotation: Optional[cst.Annotation]) -> str:
    """The last name of a type annotation (``LambdaContext`` for ``context: LambdaContext``,
    for ``lambda_context.LambdaContext`` and for the forward reference ``"LambdaContext"``)."""
    if annotation is None:
        return ""
    expr = annotation.annotation
    if isinstance(expr, cst.SimpleString):  # "LambdaContext" as a forward reference
        value = expr.evaluated_value
        return value.rpartition(".")[2].strip() if isinstance(value, str) else ""
    return (dotted_name(expr) or "").rpartition(".")[2]


def _annotation_name(param: cst.Param) -> str:
    return annotation_name(param.annotation)


def has_handler_signature(func: cst.FunctionDef, method: bool = False) -> bool:
    """``(event, context)``, by the parameters' names or their types.

    The names are judged together with the function's name: ``(request, context)`` is a handler
    when the function is called ``handler``, not when it is ``render``.
    """
    params = _positional(func.params)
    if method:
        if not params:
            return False
        params = params[1:]
    if len(params) == 3 and params[2].name.value == "metrics":  # aws-embedded-metrics @metric_scope
        params = params[:2]
    if len(params) != 2:
        return False
    event, context = params
    handler_like = bool(HANDLER_LIKE_NAME.search(func.name.value))
    if event.default is not None and context.default is not None and not handler_like:
        return False
    typed_context = _annotation_name(context) == "LambdaContext"
    event_ok = (bool(EVENT_PARAM.match(event.name.value))
                or _annotation_name(event).endswith(("Event", "EventModel"))
                or ((handler_like or typed_context) and bool(WEAK_EVENT_PARAM.match(event.name.value))))
    return event_ok and (typed_context or bool(CONTEXT_PARAM.match(context.name.value)))


def _is_main_guard(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.If) or not isinstance(stmt.test, cst.Comparison):
        return False
    test = stmt.test
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    return (any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides)
            and any(isinstance(s, cst.SimpleString) for s in sides))


@dataclass
class HandlerInfo:
    """What the rules ask: is this file Lambda code, and which functions run per invocation.

    ``per_invocation`` holds module-level functions and methods of module-level classes, the same
    nodes ``PythonRule.enclosing_function`` returns.
    """

    handlers: List[cst.FunctionDef] = field(default_factory=list)
    per_invocation: Set[cst.FunctionDef] = field(default_factory=set)
    is_test_file: bool = False
    # Module-level names that are handlers without being a plain def: ``handler = Mangum(app)``,
    # ``handler = Handler()`` (a class with ``__call__``), a configured name bound to a callable.
    entry_points: List[str] = field(default_factory=list)

    @property
    def is_lambda_code(self) -> bool:
        return bool(self.handlers or self.entry_points)

    def handler_names(self) -> List[str]:
        return [f.name.value for f in self.handlers]

    def runs_per_invocation(self, func: Optional[cst.FunctionDef]) -> bool:
        return func is not None and func in self.per_invocation


@dataclass
class _ClassInfo:
    node: cst.ClassDef
    methods: Dict[str, cst.FunctionDef]
    bases: List[str]


class _Module:
    """The module's top level: imports, functions, classes, and what module names hold."""

    def __init__(self, module: cst.Module) -> None:
        self.imports: Dict[str, str] = {}  # local name -> qualified name
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.classes: Dict[str, _ClassInfo] = {}
        self.assigned: Dict[str, List[cst.BaseExpression]] = {}  # module name -> values
        self.order: List[Tuple[str, cst.BaseExpression]] = []  # assignments as written
        self.main_guard = False
        self._scan(module.body, top=True)

    def _scan(self, body: Iterable[cst.CSTNode], top: bool) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._small(small)
            elif isinstance(stmt, cst.FunctionDef):
                if top:
                    self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.ClassDef):
                if top:
                    methods = {s.name.value: s for s in stmt.body.body if isinstance(s, cst.FunctionDef)}
                    bases = [dotted_name(b.value) or "" for b in stmt.bases]
                    self.classes[stmt.name.value] = _ClassInfo(stmt, methods, bases)
            elif _is_main_guard(stmt):
                self.main_guard = True
            elif isinstance(stmt, (cst.If, cst.Try, cst.With)) and top:
                # Imports and assignments under ``try:``/``if``: optional dependencies, settings.
                blocks = [stmt.body]
                if isinstance(stmt, cst.If) and isinstance(stmt.orelse, cst.Else):
                    blocks.append(stmt.orelse.body)
                if isinstance(stmt, cst.Try):
                    blocks.extend(h.body for h in stmt.handlers)
                for block in blocks:
                    if isinstance(block, cst.IndentedBlock):
                        self._scan(block.body, top=False)

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.imports[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.imports[head] = head
        elif isinstance(small, cst.ImportFrom):
            if small.relative or small.module is None:
                return
            base = dotted_name(small.module) or ""
            if isinstance(small.names, cst.ImportStar):
                return
            for alias in small.names:
                name = dotted_name(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.imports[local] = f"{base}.{name}"
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    self._bind(target.target.value, small.value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            if isinstance(small.target, cst.Name):
                self._bind(small.target.value, small.value)

    def _bind(self, name: str, value: cst.BaseExpression) -> None:
        self.assigned.setdefault(name, []).append(value)
        self.order.append((name, value))

    def qualify(self, dotted: str) -> str:
        """``dotted`` with its first component replaced by what it was imported as."""
        head, dot, rest = dotted.partition(".")
        full = self.imports.get(head)
        if full is None:
            return dotted
        return full + dot + rest

    def imports_from(self, packages: Tuple[str, ...]) -> bool:
        return any(q.split(".")[0] in packages for q in self.imports.values())

    def is_test(self) -> bool:
        return any(q.split(".")[0] in TEST_MODULES for q in self.imports.values())

    def constructed(self, name: str) -> Optional[str]:
        """The callee of ``name = Callee(...)`` at module level (the last such assignment)."""
        values = self.assigned.get(name)
        if not values or not isinstance(values[-1], cst.Call):
            return None
        return dotted_name(values[-1].func)

    def instance_class(self, name: str) -> Optional[str]:
        callee = self.constructed(name)
        return callee if callee in self.classes else None

    def method(self, class_name: str, method: str, depth: int = 0) -> Optional[cst.FunctionDef]:
        """``class_name.method`` looked up through the module's own base classes."""
        info = self.classes.get(class_name)
        if info is None or depth > 10:
            return None
        found = info.methods.get(method)
        if found is not None:
            return found
        for base in info.bases:
            found = self.method(base, method, depth + 1)
            if found is not None:
                return found
        return None


def _is_handler_decorator(mod: _Module, target: str) -> bool:
    last = target.rpartition(".")[2]
    if last in HANDLER_DECORATORS:
        return True
    if last in POWERTOOLS_ONLY_DECORATORS:
        return mod.qualify(target).split(".")[0] in POWERTOOLS
    return False


def _app_kind(mod: _Module, name: str) -> Optional[str]:
    """"lambda" or "web" for a module name bound to an app object, None otherwise."""
    callee = mod.constructed(name)
    if callee is None:
        return None
    last = callee.rpartition(".")[2]
    if LAMBDA_APPS.match(last):
        return "lambda"
    qualified = mod.qualify(callee)
    if last in LAMBDA_APPS_IF_IMPORTED and qualified.split(".")[0] in LAMBDA_APP_PACKAGES:
        return "lambda"
    if last in WEB_APPS:
        return "web"
    return None


def _matches_configured(name: str, path: str, configured: Set[str]) -> bool:
    if name in configured:
        return True
    stem = path.replace("\\", "/").rpartition("/")[2]
    stem = stem[:-3] if stem.endswith(".py") else stem
    # "app.handler" (a Lambda handler string) names ``handler`` in app.py only.
    return any(c.rpartition(".")[2] == name and c.rpartition(".")[0].rpartition(".")[2] == stem
               for c in configured if "." in c)


class _Reach:
    """What a piece of per-invocation code reaches in the same module."""

    def __init__(self, mod: _Module) -> None:
        self.mod = mod
        self.apps_used: Set[str] = set()  # module app objects referenced from per-invocation code

    def from_function(self, func: cst.FunctionDef, owner: Optional[str]) -> List[cst.FunctionDef]:
        """Functions and methods that ``func`` (a method of ``owner`` if given) calls or passes on."""
        mod = self.mod
        found: List[cst.FunctionDef] = []
        locals_: Dict[str, str] = {}  # local name -> module class it was made from
        attributes: List[cst.Attribute] = []
        self_name = None
        if owner is not None:
            params = _positional(func.params)
            if params:
                self_name = params[0].name.value
        not_references: Set[int] = set()  # ids of names that are attributes or keywords
        for node in walk(func):
            if isinstance(node, cst.Name):
                if id(node) in not_references:
                    continue
                value = node.value
                if value in mod.functions:
                    found.append(mod.functions[value])
                elif value in mod.assigned:
                    self.apps_used.add(value)
            elif isinstance(node, cst.Call):
                callee = node.func
                if isinstance(callee, cst.Name):
                    if callee.value in mod.classes:
                        found.extend(self._constructor(callee.value))
                    elif mod.instance_class(callee.value):
                        found.extend(self._method(mod.instance_class(callee.value), "__call__"))
            elif isinstance(node, cst.Assign) and isinstance(node.value, cst.Call):
                callee_name = dotted_name(node.value.func)
                if callee_name in mod.classes:
                    for target in node.targets:
                        if isinstance(target.target, cst.Name):
                            locals_[target.target.value] = callee_name
            elif isinstance(node, cst.Attribute):
                not_references.add(id(node.attr))
                if isinstance(node.value, cst.Name):
                    attributes.append(node)
                elif (isinstance(node.value, cst.Call)
                      and dotted_name(node.value.func) in mod.classes):
                    # Gateway().quote(...): the method of the instance made on the spot.
                    found.extend(self._method(dotted_name(node.value.func), node.attr.value))
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                not_references.add(id(node.keyword))
        for node in attributes:
            base, attr = node.value.value, node.attr.value
            if owner is not None and base in (self_name, "cls", "self"):
                class_name: Optional[str] = owner
            elif base in mod.classes:
                class_name = base
            else:
                class_name = locals_.get(base) or mod.instance_class(base)
            if class_name:
                found.extend(self._method(class_name, attr))
        return found

    def from_expression(self, expr: cst.BaseExpression) -> List[cst.FunctionDef]:
        """Entry points bound at module level: what calling ``expr`` runs, not what building it ran.

        ``handler = wrap(impl)`` runs ``impl`` per invocation, not ``wrap``; ``Handler()`` runs its
        ``__call__``; ``Handler().handle`` and ``instance.handle`` run ``handle``.
        """
        mod = self.mod
        if isinstance(expr, cst.Lambda):
            fake = cst.FunctionDef(cst.Name("_"), expr.params, cst.SimpleStatementSuite(
                [cst.Expr(expr.body)]))
            return self.from_function(fake, None)
        if isinstance(expr, cst.Name):
            if expr.value in mod.functions:
                return [mod.functions[expr.value]]
            if expr.value in mod.assigned:
                self.apps_used.add(expr.value)
            cls = mod.instance_class(expr.value)
            return self._method(cls, "__call__") if cls else []
        if isinstance(expr, cst.Attribute):
            base = expr.value
            cls = None
            if isinstance(base, cst.Call) and dotted_name(base.func) in mod.classes:
                cls = dotted_name(base.func)
            elif isinstance(base, cst.Name):
                cls = base.value if base.value in mod.classes else mod.instance_class(base.value)
            return self._method(cls, expr.attr.value) if cls else []
        if isinstance(expr, cst.Call):
            found: List[cst.FunctionDef] = []
            callee = dotted_name(expr.func)
            if callee in mod.classes:
                found.extend(self._method(callee, "__call__"))
            for arg in expr.args:
                found.extend(self.from_expression(arg.value))
            return found
        return []

    def _constructor(self, class_name: str) -> List[cst.FunctionDef]:
        return [m for name in ("__new__", "__init__", "__post_init__")
                for m in self._method(class_name, name)]

    def _method(self, class_name: str, name: str) -> List[cst.FunctionDef]:
        found = self.mod.method(class_name, name)
        return [found] if found is not None else []


def analyse(module: cst.Module, path: str, configured: Iterable[str] = ()) -> HandlerInfo:
    """Find the handlers of ``module`` (at ``path``) and everything they reach in it."""
    mod = _Module(module)
    is_test = is_test_path(path) or mod.is_test()
    if is_test:
        return HandlerInfo(is_test_file=True)
    configured = set(configured)

    middleware: Set[str] = set()
    for name, func in mod.functions.items():
        if any((_decorator_target(d) or "").rpartition(".")[2] == MIDDLEWARE_FACTORY
               for d in func.decorators):
            middleware.add(name)

    handlers: List[cst.FunctionDef] = []
    web_routes: Dict[str, List[cst.FunctionDef]] = {}  # web app name -> its route functions
    for name, func in mod.functions.items():
        if name in middleware or _matches_configured(name, path, configured):
            handlers.append(func)
            continue
        decorated = False
        for decorator in func.decorators:
            target = _decorator_target(decorator) or ""
            head = target.split(".")[0]
            kind = _app_kind(mod, head) if "." in target else None
            if kind == "web":
                web_routes.setdefault(head, []).append(func)
            elif kind == "lambda" or head in middleware or _is_handler_decorator(mod, target):
                decorated = True
                break
        if decorated:
            handlers.append(func)
        elif has_handler_signature(func) and not (
                mod.main_guard and not HANDLER_LIKE_NAME.search(name)):
            handlers.append(func)

    reach = _Reach(mod)
    roots: List[Tuple[cst.FunctionDef, Optional[str]]] = []
    entry_points: List[str] = []
    for name, value in mod.order:
        if name in mod.functions:
            continue
        callee = dotted_name(value.func) if isinstance(value, cst.Call) else None
        adapter = callee is not None and callee.rpartition(".")[2] in ADAPTERS
        wanted = adapter or _matches_configured(name, path, configured)
        probe = _Reach(mod)
        targets = probe.from_expression(value)
        if not wanted and (not mod.main_guard or HANDLER_LIKE_NAME.search(name)):
            # ``handler = Handler()`` / ``lambda_handler = App().handle`` / ``handler = lambda
            # event, context: ...``: shaped like a handler.
            if isinstance(value, cst.Lambda):
                wanted = has_handler_signature(cst.FunctionDef(
                    cst.Name(name), value.params, cst.SimpleStatementSuite([cst.Pass()])))
            wanted = wanted or any(
                has_handler_signature(t, method=t not in mod.functions.values()) for t in targets)
        if wanted and name not in entry_points:
            entry_points.append(name)
            reach.apps_used |= probe.apps_used
            roots.extend((t, _owner(mod, t)) for t in targets)
    roots.extend((h, None) for h in handlers)

    reached: Set[cst.FunctionDef] = set()
    used_apps_done: Set[str] = set()
    queue = list(roots)
    while True:
        while queue:
            func, owner = queue.pop()
            if func in reached:
                continue
            reached.add(func)
            queue.extend((f, _owner(mod, f)) for f in reach.from_function(func, owner))
        # Web routes run per invocation once Lambda code hands their app the event.
        fresh = [app for app in reach.apps_used & web_routes.keys() if app not in used_apps_done]
        if not fresh or not (handlers or entry_points):
            break
        for app in fresh:
            used_apps_done.add(app)
            for route in web_routes[app]:
                handlers.append(route)
                queue.append((route, None))
    return HandlerInfo(handlers, reached, False, entry_points)


def _owner(mod: _Module, func: cst.FunctionDef) -> Optional[str]:
    """The module class ``func`` is a method of, None for module-level functions."""
    if mod.functions.get(func.name.value) is func:
        return None
    for name, info in mod.classes.items():
        if info.methods.get(func.name.value) is func:
            return name
    return None
