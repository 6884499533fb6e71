"""Reading AWS CDK apps written in Python: the Lambda functions a stack defines, never running it.

A CDK app is a program, so this is a small static evaluator over its LibCST tree, parsed once.
It follows what real stacks do: constructs assigned to names at module level or in a stack's
``__init__`` (``fn = lambda_.Function(self, "Hello", ...)``, ``self.fn = ...``), module constants
(``TIMEOUT = Duration.seconds(10)``), ``**props`` dicts, and calls on those names afterwards
(``fn.add_to_role_policy(stmt)``, ``role.add_managed_policy(...)``). Every import alias spelling
is understood, CDK v1 (``aws_cdk.core``) included. Anything it cannot follow becomes a
non-literal value or an ``unknown`` timeout, never a guess: a missed finding costs less than a
false one. Names assigned more than once in a scope (``if prod: T = 30 else: T = 10``) are not
constants.

Relative asset paths are resolved the way ``cdk synth`` does, against the directory it runs in:
the nearest ancestor of the app file holding ``cdk.json`` (not above the repository root), else
the app file's own directory. ``__file__`` is the app file, so
``os.path.join(os.path.dirname(__file__), "..", "x")`` and ``Path(__file__).parent / "x"`` work.

Python syntax errors are not reported here: the same file goes through the handler-code rules,
which report them (LL001) already.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdalint import files, suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import (
    CDK,
    CodeLocation,
    EnvVar,
    EventSource,
    Function,
    IamStatement,
    InlineCode,
    ManagedPolicy,
    ReadError,
    Timeout,
    Value,
)

DEFAULT_TIMEOUT = 3  # seconds: a CDK function with no timeout gets the Lambda default
SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set
MAX_DEPTH = 40  # name -> value -> name ... chains followed before giving up
# Past these a constant is unknown, never computed: ``2 ** 10 ** 8`` or a chain of products
# would take minutes and gigabytes, and no Lambda setting is a number of more than 64 bits.
MAX_INT_BITS = 64
MAX_STRING = 1024 * 1024
MAX_STEPS = 100_000  # steps to evaluate one value (names used 4x per level: 4 ** n)
# LibCST needs about 100 bytes of memory and 20 us per byte of source: a CDK app over this
# size is not evaluated; its function constructs are found by their text and reported.
MAX_EVALUATE_BYTES = 256 * 1024
_CONSTRUCT = re.compile(
    r"\b(Function|SingletonFunction|DockerImageFunction|PythonFunction|NodejsFunction)\s*\(\s*"
    r"(?:scope\s*=\s*)?[A-Za-z_][\w.]*\s*,\s*(?:id\s*=\s*)?(?:([\"'])([^\"'\\\n]{1,200})\2)?")

# What an odd shape raises inside the evaluator; caught per statement and per property so one
# surprise loses one value, not the file.
_SKIP = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)

_LAMBDA = "aws_cdk.aws_lambda."
_IAM = "aws_cdk.aws_iam."

# Constructor -> the kind of function it defines.
_FUNCTION_CLASSES = {
    _LAMBDA + "Function": "function",
    _LAMBDA + "SingletonFunction": "function",
    _LAMBDA + "DockerImageFunction": "docker",
    "aws_cdk.aws_lambda_python.PythonFunction": "python",
    "aws_cdk.aws_lambda_nodejs.NodejsFunction": "nodejs",
}

# Module renames between CDK v1, v2 and the alpha packages, applied to every qualified name.
_MODULE_ALIASES = (
    ("aws_cdk.core", "aws_cdk"),
    ("aws_cdk.aws_lambda_python_alpha", "aws_cdk.aws_lambda_python"),
    ("aws_cdk.aws_apigatewayv2_integrations_alpha", "aws_cdk.aws_apigatewayv2_integrations"),
    ("aws_cdk.aws_apigatewayv2_alpha", "aws_cdk.aws_apigatewayv2"),
)

_DURATION_FACTORS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "millis": 0.001}

# Integrations that put a function behind API Gateway or a load balancer: qualified name ->
# (keyword, position) of the function argument.
_API_INTEGRATIONS = {
    "aws_cdk.aws_apigateway.LambdaIntegration": ("handler", 0),
    "aws_cdk.aws_apigateway.LambdaRestApi": ("handler", None),
    "aws_cdk.aws_apigatewayv2_integrations.HttpLambdaIntegration": ("handler", 1),
    "aws_cdk.aws_apigatewayv2_integrations.WebSocketLambdaIntegration": ("handler", 1),
    "aws_cdk.aws_apigatewayv2_integrations.LambdaProxyIntegration": ("handler", None),
    "aws_cdk.aws_elasticloadbalancingv2_targets.LambdaTarget": ("fn", 0),
}
_EVENT_SOURCES = "aws_cdk.aws_lambda_event_sources."
_QUEUE = "aws_cdk.aws_sqs.Queue"

_CODE_ASSET = {"Code.from_asset", "Code.asset", "AssetCode"}
_CODE_INLINE = {"Code.from_inline", "Code.inline", "InlineCode"}
_CODE_S3 = {"Code.from_bucket", "Code.from_bucket_v2", "Code.bucket", "S3Code",
            "Code.from_cfn_parameters", "Code.cfn_parameters", "CfnParametersCode"}
_CODE_IMAGE_ASSET = {"Code.from_asset_image", "AssetImageCode", "DockerImageCode.from_image_asset"}
_CODE_IMAGE = {"Code.from_ecr_image", "EcrImageCode", "DockerImageCode.from_ecr"}

_RUNTIME_PATTERNS = (
    (re.compile(r"PYTHON_(\d+)_(\d+)$"), "python{0}.{1}", "python"),
    (re.compile(r"NODEJS_(\d+)_X$"), "nodejs{0}.x", "nodejs"),
    (re.compile(r"JAVA_(\d+)_CORRETTO$"), "java{0}.al2", "java"),
    (re.compile(r"JAVA_(\d+)$"), "java{0}", "java"),
    (re.compile(r"DOTNET_CORE_(\d+)_(\d+)$"), "dotnetcore{0}.{1}", "dotnet"),
    (re.compile(r"DOTNET_(\d+)$"), "dotnet{0}", "dotnet"),
    (re.compile(r"RUBY_(\d+)_(\d+)$"), "ruby{0}.{1}", "ruby"),
    (re.compile(r"GO_1_X$"), "go1.x", "go"),
    (re.compile(r"PROVIDED_(AL2023|AL2)$"), "provided.{0}", "provided"),
    (re.compile(r"PROVIDED$"), "provided", "provided"),
)


# -- scopes and bindings --------------------------------------------------------------------------


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


@dataclass
class _Const:
    value: Any
    via_name: bool = False


@dataclass
class _Args:
    positional: List[Tuple[cst.BaseExpression, _Env]] = field(default_factory=list)
    keywords: Dict[str, Tuple[cst.BaseExpression, _Env]] = field(default_factory=dict)
    keyword_nodes: Dict[str, cst.CSTNode] = field(default_factory=dict)
    unknown_splat: bool = False  # **kwargs we cannot see into: any property may be set there

    def get(self, keyword: str, position: Optional[int] = None
            ) -> Optional[Tuple[cst.BaseExpression, _Env]]:
        if keyword in self.keywords:
            return self.keywords[keyword]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return None


# -- the constructs a stack builds ----------------------------------------------------------------


@dataclass
class _Policy:
    """An ``iam.Policy``, customer ``iam.ManagedPolicy`` or ``iam.PolicyDocument``."""

    statements: List[IamStatement] = field(default_factory=list)


@dataclass
class _Role:
    label: str  # "role LambdaRole", "the role of HelloFunction"
    name: Optional[str] = None
    statements: List[IamStatement] = field(default_factory=list)
    managed: List[ManagedPolicy] = field(default_factory=list)
    policies: List[Tuple[_Policy, str]] = field(default_factory=list)


@dataclass
class _Fn:
    function: Function
    role: _Role
    python: Optional[bool] = None  # runtime family known to be Python (True) / not (False)


@dataclass
class _ManagedRef:
    value: Value


@dataclass
class _Queue:
    visibility: Optional[Value]


@dataclass
class _Unknown:
    """A construct we recognise but cannot see into (an imported role, a layer...)."""

    text: str


def _canon(name: str) -> str:
    for old, new in _MODULE_ALIASES:
        if name == old or name.startswith(old + "."):
            return new + name[len(old):]
    return name


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


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _bounded(value: Any) -> bool:
    """Whether a constant is small enough to keep (see MAX_INT_BITS, MAX_STRING)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= MAX_INT_BITS
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    return True


def _tidy_seconds(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def _runtime_id(member: str) -> Tuple[Optional[str], Optional[str]]:
    """``PYTHON_3_12`` -> ("python3.12", "python"); ``NODEJS_LATEST`` -> (None, "nodejs")."""
    for pattern, template, family in _RUNTIME_PATTERNS:
        match = pattern.match(member)
        if match:
            return template.format(*[g.lower() for g in match.groups()]), family
    lowered = member.lower()
    for family in ("python", "nodejs", "java", "dotnet", "ruby", "go", "provided"):
        if lowered.startswith(family):
            return None, family
    return None, None


_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NOT_CHILDREN = ("whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines", "header",
                 "footer", "trailing", "equal", "star", "dot")


def _calls_in(node: cst.CSTNode) -> List[cst.Call]:
    """Calls inside one expression or simple statement, outermost first.

    A plain walk over the dataclass fields: LibCST's visitor machinery costs five times more,
    and this runs on every statement of the app.
    """
    calls: List[cst.Call] = []
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            calls.append(current)
        elif isinstance(current, (cst.FunctionDef, cst.ClassDef)) and current is not node:
            continue
        cls = type(current)
        names = _CHILD_FIELDS.get(cls)
        if names is None:
            names = tuple(f.name for f in fields(cls) if not f.name.startswith(_NOT_CHILDREN))
            _CHILD_FIELDS[cls] = names
        children: List[cst.CSTNode] = []
        for name in names:
            value = getattr(current, name, None)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(v for v in value if isinstance(v, cst.CSTNode))
        stack.extend(reversed(children))
    return calls


# -- the reader -----------------------------------------------------------------------------------


class _AppReader:
    def __init__(self, source: SourceFile, text: str, module: cst.Module) -> None:
        self.display = source.display
        self.file_path = str(source.path)
        self.root = str(_app_root(source.path))
        self.module = module
        self.positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.ignores = suppressions.parse(text).by_line
        self.aliases: Dict[str, str] = {}
        self.version = 0
        self.objects: Dict[int, Any] = {}  # id(call node) -> what the call builds
        self.functions: List[_Fn] = []
        self.deferred: List[Tuple[cst.FunctionDef, _Scope, _Scope]] = []
        self.policy_names: Dict[int, str] = {}  # id(_Policy) -> "iam.Policy AppPolicy"
        self.steps_left = MAX_STEPS  # refilled for each value evaluated (_const)
        self.evaluating = False
        self.errors: List[ReadError] = []  # LL001 for functions read in part

    # -- driving ----------------------------------------------------------------------------------

    def read(self) -> List[Function]:
        module_scope = _Scope()
        self._walk_body(self.module.body, module_scope, _Scope(), module_scope)
        index = 0
        while index < len(self.deferred):  # function bodies run after the module is loaded
            node, parent, attrs = self.deferred[index]
            index += 1
            try:
                self._walk_function(node, parent, attrs)
            except _SKIP:
                continue
        result = []
        for record in self.functions:
            function = record.function
            role = record.role
            statements = list(role.statements)
            for policy, origin in role.policies:
                statements.extend(replace(s, origin=origin) for s in policy.statements)
            function.statements = statements
            function.managed_policies = list(role.managed)
            result.append(function)
        result.sort(key=lambda f: (f.line, f.name))
        return result

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

    # -- names and values -------------------------------------------------------------------------

    def _deref(self, expr: cst.BaseExpression, env: _Env
               ) -> Tuple[Optional[cst.BaseExpression], Optional[_Env], bool, bool]:
        """Follow names to the expression they are bound to: (expr, env, via_name, ambiguous).
        The expr is None when a name is bound to something unknowable."""
        via = ambiguous = False
        for _ in range(MAX_DEPTH):
            if isinstance(expr, cst.NamedExpr):
                expr = expr.value
                continue
            key = None
            if isinstance(expr, cst.Name) and expr.value not in self.aliases:
                key = expr.value
            elif isinstance(expr, cst.Attribute):
                key = self._attr_key(expr)
            if key is None:
                return expr, env, via, ambiguous
            binding, many = self._lookup(key, env)
            if binding is None:
                return (expr, env, via, ambiguous) if key == "__file__" else (None, None, via, True)
            via = True
            ambiguous = ambiguous or many
            if binding.expr is None or binding.env is None:
                return None, None, via, ambiguous
            expr, env = binding.expr, binding.env
        return None, None, via, True

    def _qual(self, expr: cst.BaseExpression, env: _Env, depth: int = 0) -> Optional[str]:
        """The dotted name an expression stands for through imports: ``lambda_.Function`` with
        ``from aws_cdk import aws_lambda as lambda_`` is ``aws_cdk.aws_lambda.Function``."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            if expr.value in self.aliases:
                return _canon(self.aliases[expr.value])
            binding, _ = self._lookup(expr.value, env)
            if binding is not None and binding.env is not None \
                    and isinstance(binding.expr, (cst.Name, cst.Attribute)):
                return self._qual(binding.expr, binding.env, depth + 1)
            return None
        if isinstance(expr, cst.Attribute):
            base = self._qual(expr.value, env, depth + 1)
            return _canon(f"{base}.{expr.attr.value}") if base else None
        return None

    def _const(self, expr: Optional[cst.BaseExpression], env: Optional[_Env],
               depth: int = 0) -> Optional[_Const]:
        """The constant an expression evaluates to, or None (also past the budget: too many
        steps, an int over MAX_INT_BITS, a string over MAX_STRING)."""
        outermost = not self.evaluating
        if outermost:  # each value gets the whole budget, however many came before it
            self.steps_left = MAX_STEPS
            self.evaluating = True
        try:
            self.steps_left -= 1
            if self.steps_left < 0:
                return None
            found = self._const_of(expr, env, depth)
        finally:
            if outermost:
                self.evaluating = False
        if found is not None and not _bounded(found.value):
            return None
        return found

    def _const_of(self, expr: Optional[cst.BaseExpression], env: Optional[_Env],
                  depth: int) -> Optional[_Const]:
        if expr is None or env is None or depth > MAX_DEPTH:
            return None
        if isinstance(expr, (cst.Integer, cst.Float)):
            digits = expr.value.replace("_", "")
            if len(digits) > 40:  # int() of 5,000 digits raises; no setting has 40
                return None
            return _Const(expr.evaluated_value)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            if isinstance(expr, cst.ConcatenatedString):
                left = self._const(expr.left, env, depth + 1)
                right = self._const(expr.right, env, depth + 1)
                if left is None or right is None or not isinstance(left.value, str) \
                        or not isinstance(right.value, str) \
                        or len(left.value) + len(right.value) > MAX_STRING:
                    return None
                return _Const(left.value + right.value, left.via_name or right.via_name)
            value = expr.evaluated_value
            return _Const(value) if isinstance(value, str) else None
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, env, depth, self._const)
        if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
            return _Const({"True": True, "False": False, "None": None}[expr.value])
        if isinstance(expr, (cst.Name, cst.Attribute, cst.NamedExpr)):
            target, target_env, via, ambiguous = self._deref(expr, env)
            if target is None or ambiguous or target is expr:
                return None
            found = self._const(target, target_env, depth + 1)
            return _Const(found.value, True) if found is not None else None
        if isinstance(expr, cst.UnaryOperation):
            inner = self._const(expr.expression, env, depth + 1)
            number = _number(inner.value) if inner else None
            if number is None:
                return None
            if isinstance(expr.operator, cst.Minus):
                return _Const(-number, inner.via_name)
            if isinstance(expr.operator, cst.Plus):
                return _Const(number, inner.via_name)
            return None
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, env, depth)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) \
                and expr.func.value in ("str", "int", "float") and len(expr.args) == 1 \
                and not expr.args[0].keyword and not expr.args[0].star \
                and expr.func.value not in self.aliases \
                and self._lookup(expr.func.value, env)[0] is None:
            inner = self._const(expr.args[0].value, env, depth + 1)
            if inner is None or inner.value is None:
                return None
            try:
                converted = {"str": str, "int": int, "float": float}[expr.func.value](inner.value)
            except (ValueError, TypeError, OverflowError):
                return None
            return _Const(converted, inner.via_name)
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 \
                and isinstance(expr.slice[0].slice, cst.Index):
            return self._subscript(expr, env, depth)
        return None

    def _binary(self, expr: cst.BinaryOperation, env: _Env, depth: int) -> Optional[_Const]:
        left = self._const(expr.left, env, depth + 1)
        right = self._const(expr.right, env, depth + 1)
        if left is None or right is None:
            return None
        via = left.via_name or right.via_name
        a, b = left.value, right.value
        op = expr.operator
        if isinstance(op, cst.Add) and isinstance(a, str) and isinstance(b, str):
            return _Const(a + b, via) if len(a) + len(b) <= MAX_STRING else None
        a, b = _number(a), _number(b)
        if a is None or b is None:
            return None
        if isinstance(op, cst.Multiply) and isinstance(a, int) and isinstance(b, int) \
                and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            return None  # never computed: see MAX_INT_BITS
        try:
            if isinstance(op, cst.Add):
                return _Const(a + b, via)
            if isinstance(op, cst.Subtract):
                return _Const(a - b, via)
            if isinstance(op, cst.Multiply):
                return _Const(a * b, via)
            if isinstance(op, cst.Divide):
                return _Const(a / b, via)
            if isinstance(op, cst.FloorDivide):
                return _Const(a // b, via)
        except (ZeroDivisionError, OverflowError):
            return None
        return None

    def _subscript(self, expr: cst.Subscript, env: _Env, depth: int) -> Optional[_Const]:
        index = self._const(expr.slice[0].slice.value, env, depth + 1)
        container, container_env, _, ambiguous = self._deref(expr.value, env)
        if index is None or container is None or ambiguous:
            return None
        if isinstance(container, cst.Dict):
            for element in container.elements:
                if isinstance(element, cst.DictElement):
                    key = self._const(element.key, container_env, depth + 1)
                    if key is not None and key.value == index.value:
                        found = self._const(element.value, container_env, depth + 1)
                        return _Const(found.value, True) if found else None
            return None
        if isinstance(container, (cst.List, cst.Tuple)) and isinstance(index.value, int) \
                and not isinstance(index.value, bool):
            elements = container.elements
            if all(isinstance(e, cst.Element) for e in elements) \
                    and -len(elements) <= index.value < len(elements):
                found = self._const(elements[index.value].value, container_env, depth + 1)
                return _Const(found.value, True) if found else None
        return None

    def _fstring(self, expr: cst.FormattedString, env: _Env, depth: int,
                 evaluate: Callable[..., Any]) -> Optional[_Const]:
        raw = "r" in expr.prefix.lower()
        pieces: List[str] = []
        via = False
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                if "\\" in part.value and not raw:
                    return None  # escapes: not worth a second string parser
                pieces.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif isinstance(part, cst.FormattedStringExpression):
                if part.conversion is not None or part.format_spec is not None \
                        or part.equal is not None:
                    return None
                inner = evaluate(part.expression, env, depth + 1)
                if inner is None:
                    return None
                value = inner.value if isinstance(inner, _Const) else inner
                if isinstance(value, bool) or not isinstance(value, (str, int, float)) \
                        or not _bounded(value):
                    return None
                via = via or (inner.via_name if isinstance(inner, _Const) else True)
                pieces.append(str(value))
                if sum(map(len, pieces)) > MAX_STRING:
                    return None
            else:
                return None
        return _Const("".join(pieces), via)

    def _span(self, node: cst.CSTNode) -> Tuple[int, int, int, int]:
        where = self.positions[node]
        return where.start.line, where.start.column + 1, where.end.line, where.end.column + 1

    def _line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def _text(self, node: cst.CSTNode) -> str:
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= 120 else text[:117] + "..."

    def _value(self, expr: cst.BaseExpression, env: _Env) -> Value:
        """A Value for what is written at ``expr``; constants through names keep the line of
        the reference and say what they resolved to."""
        line, column, end_line, end_column = self._span(expr)
        found = self._const(expr, env)
        if found is not None and isinstance(found.value, (str, int, float, bool)):
            text = str(found.value)
            if found.via_name:
                text = f"{self._text(expr)} (= {found.value})"
            return Value(found.value, text, self.display, line, column, True, end_line, end_column)
        return Value(None, self._text(expr), self.display, line, column, False, end_line,
                     end_column)

    def _values(self, expr: cst.BaseExpression, env: _Env, depth: int = 0) -> List[Value]:
        """A list written as a list (each item its own Value and line), or one value."""
        target, target_env, _, ambiguous = self._deref(expr, env)
        if depth > MAX_DEPTH:
            return []
        if target is not None and not ambiguous and isinstance(target, (cst.List, cst.Tuple)):
            values: List[Value] = []
            for element in target.elements:
                if isinstance(element, cst.StarredElement):
                    values.extend(self._values(element.value, target_env, depth + 1))
                else:
                    values.append(self._value(element.value, target_env))
            return values
        if target is not None and not ambiguous and isinstance(target, cst.BinaryOperation) \
                and isinstance(target.operator, cst.Add):
            left = self._values(target.left, target_env, depth + 1)
            right = self._values(target.right, target_env, depth + 1)
            return left + right
        return [self._value(expr, env)]

    def _items(self, expr: cst.BaseExpression, env: _Env, depth: int = 0
               ) -> List[Tuple[cst.BaseExpression, _Env]]:
        """The elements of a list or tuple written in the file (through names), else []."""
        target, target_env, _, ambiguous = self._deref(expr, env)
        if target is None or ambiguous or depth > MAX_DEPTH:
            return []
        if isinstance(target, (cst.List, cst.Tuple)):
            items: List[Tuple[cst.BaseExpression, _Env]] = []
            for element in target.elements:
                if isinstance(element, cst.StarredElement):
                    items.extend(self._items(element.value, target_env, depth + 1))
                else:
                    items.append((element.value, target_env))
            return items
        if isinstance(target, cst.BinaryOperation) and isinstance(target.operator, cst.Add):
            return self._items(target.left, target_env, depth + 1) + \
                self._items(target.right, target_env, depth + 1)
        return []

    def _entries(self, expr: cst.BaseExpression, env: _Env, depth: int = 0
                 ) -> List[Tuple[cst.CSTNode, Optional[str], cst.BaseExpression, _Env]]:
        """The entries of a dict written in the file (``{...}``, ``dict(K=v)``, ``**other``):
        (key node, key or None, value, env)."""
        target, target_env, _, ambiguous = self._deref(expr, env)
        if target is None or ambiguous or depth > MAX_DEPTH:
            return []
        entries: List[Tuple[cst.CSTNode, Optional[str], cst.BaseExpression, _Env]] = []
        if isinstance(target, cst.Dict):
            for element in target.elements:
                if isinstance(element, cst.DictElement):
                    key = self._const(element.key, target_env)
                    name = key.value if key is not None and isinstance(key.value, str) else None
                    entries.append((element.key, name, element.value, target_env))
                elif isinstance(element, cst.StarredDictElement):
                    entries.extend(self._entries(element.value, target_env, depth + 1))
        elif isinstance(target, cst.Call) and isinstance(target.func, cst.Name) \
                and target.func.value == "dict" and self._lookup("dict", target_env)[0] is None:
            for arg in target.args:
                if arg.keyword is not None:
                    entries.append((arg.keyword, arg.keyword.value, arg.value, target_env))
                elif arg.star in ("", "**"):
                    entries.extend(self._entries(arg.value, target_env, depth + 1))
        return entries

    def _arguments(self, call: cst.Call, env: _Env) -> _Args:
        args = _Args()
        for arg in call.args:
            if arg.keyword is not None:
                args.keywords[arg.keyword.value] = (arg.value, env)
                args.keyword_nodes[arg.keyword.value] = arg.keyword
            elif arg.star == "**":
                entries = self._entries(arg.value, env)
                if not entries:
                    args.unknown_splat = True
                for key_node, key, value, value_env in entries:
                    if key is None:
                        args.unknown_splat = True
                        continue
                    args.keywords[key] = (value, value_env)
                    args.keyword_nodes[key] = key_node
            elif arg.star == "*":
                items = self._items(arg.value, env)
                if not items:
                    args.unknown_splat = True
                args.positional.extend(items)
            else:
                args.positional.append((arg.value, env))
        return args

    # -- paths ------------------------------------------------------------------------------------

    def _path(self, expr: Optional[cst.BaseExpression], env: Optional[_Env],
              depth: int = 0) -> Optional[str]:
        """A filesystem path an expression builds (os.path, pathlib, ``__file__``), or None."""
        if expr is None or env is None or depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name) and expr.value == "__file__":
            binding, _ = self._lookup("__file__", env)
            return self.file_path if binding is None else None
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            found = self._const(expr, env)
            return found.value if found is not None and isinstance(found.value, str) else None
        if isinstance(expr, cst.FormattedString):
            found = self._fstring(expr, env, depth, self._path_const)
            return found.value if found is not None else None
        if isinstance(expr, (cst.Name, cst.NamedExpr)) or self._attr_key(expr):
            target, target_env, _, ambiguous = self._deref(expr, env)
            if target is None or ambiguous or target is expr:
                return None
            return self._path(target, target_env, depth + 1)
        if isinstance(expr, cst.BinaryOperation):
            left = self._path(expr.left, env, depth + 1)
            right = self._path(expr.right, env, depth + 1)
            if left is None or right is None:
                return None
            if isinstance(expr.operator, cst.Divide):
                return os.path.join(left, right)
            if isinstance(expr.operator, cst.Add):
                return left + right
            return None
        if isinstance(expr, cst.Attribute) and expr.attr.value == "parent":
            inner = self._path(expr.value, env, depth + 1)
            return os.path.dirname(self._absolute(inner)) if inner is not None else None
        if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute) \
                and expr.value.attr.value == "parents" and len(expr.slice) == 1 \
                and isinstance(expr.slice[0].slice, cst.Index):
            index = self._const(expr.slice[0].slice.value, env)
            inner = self._path(expr.value.value, env, depth + 1)
            if inner is None or index is None or not isinstance(index.value, int) \
                    or isinstance(index.value, bool) or not 0 <= index.value < 64:
                return None
            result = self._absolute(inner)
            for _ in range(index.value + 1):
                result = os.path.dirname(result)
            return result
        if isinstance(expr, cst.Call):
            return self._path_call(expr, env, depth)
        return None

    def _path_const(self, expr: cst.BaseExpression, env: _Env, depth: int) -> Optional[str]:
        return self._path(expr, env, depth)

    def _path_call(self, call: cst.Call, env: _Env, depth: int) -> Optional[str]:
        positional = [a.value for a in call.args if not a.keyword and not a.star]
        if len(positional) != len(call.args):
            return None
        parts = [self._path(a, env, depth + 1) for a in positional]
        if any(p is None for p in parts):
            return None
        qual = self._qual(call.func, env) or ""
        if qual in ("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath",
                    "pathlib.PosixPath", "pathlib.PurePosixPath"):
            return os.path.join(*parts) if parts else "."
        if qual in ("os.path.dirname",) and len(parts) == 1:
            return os.path.dirname(parts[0])
        if qual in ("os.path.abspath", "os.path.realpath") and len(parts) == 1:
            return self._absolute(parts[0])
        if qual in ("os.path.normpath", "os.fspath", "os.path.expanduser") and len(parts) == 1:
            return parts[0]
        if qual in ("os.getcwd", "pathlib.Path.cwd") and not parts:
            return self.root
        if isinstance(call.func, cst.Name) and call.func.value == "str" and len(parts) == 1 \
                and self._lookup("str", env)[0] is None:
            return parts[0]
        if isinstance(call.func, cst.Attribute) and not qual:
            method = call.func.attr.value
            base = self._path(call.func.value, env, depth + 1)
            if base is None:
                return None
            if method in ("resolve", "absolute") and not parts:
                return self._absolute(base)
            if method in ("as_posix", "expanduser", "__fspath__") and not parts:
                return base
            if method == "joinpath":
                return os.path.join(base, *parts)
        return None

    def _absolute(self, path: str) -> str:
        return os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root, path))

    # -- objects ----------------------------------------------------------------------------------

    def _object(self, expr: cst.BaseExpression, env: _Env) -> Any:
        """The construct an expression refers to (_Fn, _Role, IamStatement, _Policy...)."""
        target, target_env, _, _ = self._deref(expr, env)
        if target is None or target_env is None:
            return None
        if isinstance(target, cst.Call):
            return self._built_by(target, target_env)
        if isinstance(target, cst.Attribute) and target.attr.value in ("role", "grant_principal"):
            owner = self._object(target.value, target_env)
            if isinstance(owner, _Fn):
                return owner.role
        return None

    def _built_by(self, call: cst.Call, env: _Env) -> Any:
        key = id(call)
        if key in self.objects:
            return self.objects[key]
        self.objects[key] = None  # a call that refers to itself ends here
        qual = self._qual(call.func, env)
        built: Any = None
        if qual is None:
            return None
        if qual in _FUNCTION_CLASSES:
            built = self._make_function(call, env, _FUNCTION_CLASSES[qual])
        elif qual == _IAM + "Role":
            built = self._make_role(call, env)
        elif qual in (_IAM + "PolicyStatement", _IAM + "PolicyStatement.from_json"):
            built = self._make_statement(call, env, qual.endswith("from_json"))
        elif qual in (_IAM + "Policy", _IAM + "ManagedPolicy", _IAM + "PolicyDocument"):
            built = self._make_policy(call, env, qual.rsplit(".", 1)[1])
        elif qual.startswith(_IAM + "ManagedPolicy.from_"):
            built = self._managed_reference(call, env, qual.rsplit(".", 1)[1])
        elif qual == _QUEUE:
            built = self._make_queue(call, env)
        elif qual.startswith(_IAM + "Role.from_"):
            built = _Unknown(self._text(call))
        self.objects[key] = built
        return built

    def _construct_id(self, args: _Args, call: cst.Call) -> str:
        given = args.get("id", 1)
        if given is None:
            return self._text(call.func)
        found = self._const(*given)
        if found is not None and isinstance(found.value, str):
            return found.value
        return self._text(given[0])

    # -- functions --------------------------------------------------------------------------------

    def _make_function(self, call: cst.Call, env: _Env, kind: str) -> _Fn:
        """The function a construct call defines. It is in ``self.functions`` before anything
        is evaluated, so whatever evaluating raises (MemoryError included) costs one setting
        and an LL001, never the function."""
        line, column, end_line, _ = self._span(call)
        function = Function(name=self._text(call.func), format=CDK, path=self.display,
                            line=line, end_line=end_line)
        ignored = self.ignores.get(line)
        if ignored:
            function.ignored_rules = set(ignored)
        record = _Fn(function, _Role(f"the role of {function.name}"))
        self.functions.append(record)
        try:
            args = self._arguments(call, env)
            function.name = self._construct_id(args, call)
            record.role.label = f"the role of {function.name}"
        except Exception as exc:  # noqa: BLE001 - reported, the function stays
            self._failed(function, "its arguments", exc)
            args = _Args(unknown_splat=True)
        steps = (self._set_runtime, self._set_role, self._set_handler_and_code, self._set_timeout,
                 self._set_memory, self._set_environment, self._set_initial_policy,
                 self._set_layers, self._set_events)
        for step in steps:
            try:
                step(record, args, kind)
            except _SKIP:
                continue
            except Exception as exc:  # noqa: BLE001 - reported, the function stays
                self._failed(function, step.__name__[5:], exc)
        if function.timeout is None:
            function.timeout = Timeout(None, "unknown", self.display, line)
        return record

    def _failed(self, function: Function, what: str, exc: BaseException) -> None:
        self.errors.append(ReadError(
            self.display, function.line, f"{function.name}: lambdalint failed on {what} "
            f"({type(exc).__name__}); treated as unknown, please report it"))

    def _set_runtime(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("runtime")
        if kind == "python":
            record.python = True
        if given is None:
            return
        expr, env = given
        target, target_env, via, _ = self._deref(expr, env)
        runtime: Optional[str] = None
        family: Optional[str] = None
        if target is not None:
            qual = self._qual(target, target_env) if isinstance(target, cst.Attribute) else None
            if qual and qual.startswith(_LAMBDA + "Runtime."):
                runtime, family = _runtime_id(qual.rsplit(".", 1)[1])
            elif isinstance(target, cst.Call) and \
                    self._qual(target.func, target_env) == _LAMBDA + "Runtime" and target.args:
                found = self._const(target.args[0].value, target_env)
                if found is not None and isinstance(found.value, str):
                    runtime = found.value
                    family = re.sub(r"[\d.]+.*$", "", runtime) or None
        line, column, end_line, end_column = self._span(expr)
        if runtime is not None:
            text = f"{self._text(expr)} (= {runtime})" if via else runtime
            record.function.runtime = Value(runtime, text, self.display, line, column, True,
                                            end_line, end_column)
        else:
            record.function.runtime = Value(None, self._text(expr), self.display, line, column,
                                            False, end_line, end_column)
        if family is not None:
            record.python = family == "python"

    def _set_role(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("role")
        if given is None:
            return
        written = self._const(*given)
        if written is not None and written.value is None:  # role=None: the function's own role
            return
        built = self._object(*given)
        if isinstance(built, _Role):
            record.role = built
            record.function.role = built.name
        else:
            record.role = _Role(f"the role given to {record.function.name}")
            record.function.role = self._text(given[0])

    def _set_handler_and_code(self, record: _Fn, args: _Args, kind: str) -> None:
        function = record.function
        if kind in ("python", "nodejs"):
            self._set_entry(record, args, kind)
            return
        handler = args.get("handler")
        if handler is not None:
            function.handler = self._value(*handler)
        code = args.get("code")
        if code is not None:
            function.code = self._code(code[0], code[1], record)

    def _set_entry(self, record: _Fn, args: _Args, kind: str) -> None:
        """PythonFunction / NodejsFunction: ``entry`` (+ ``index``) and a default handler name."""
        function = record.function
        entry = args.get("entry")
        if entry is not None:
            path = self._path(*entry)
            if path is not None:
                function.code = CodeLocation("local", self._absolute(path))
        handler = args.get("handler")
        handler_name = self._const(*handler) if handler else _Const("handler")
        if kind == "nodejs":
            if handler is not None:
                function.handler = self._value(*handler)
            return
        index = args.get("index")
        index_name = self._const(*index) if index else _Const("index.py")
        where = handler[0] if handler else index[0] if index else None
        if where is not None:
            line, column, end_line, end_column = self._span(where)
        else:
            line, column, end_line, end_column = function.line, 1, None, None
        if handler_name is None or index_name is None or not isinstance(handler_name.value, str) \
                or not isinstance(index_name.value, str):
            text = self._text(where) if where is not None else "handler"
            function.handler = Value(None, text, self.display, line, column, False, end_line,
                                     end_column)
            return
        module = index_name.value[:-3] if index_name.value.endswith(".py") else index_name.value
        value = f"{module.replace('/', '.')}.{handler_name.value}"
        written = []
        if index is None:
            written.append("default index index.py")
        if handler is None:
            written.append("default handler")
        text = f"{value} (PythonFunction{', ' if written else ''}{', '.join(written)})"
        function.handler = Value(value, text, self.display, line, column, True, end_line,
                                 end_column)

    def _code(self, expr: cst.BaseExpression, env: _Env, record: _Fn) -> CodeLocation:
        target, target_env, _, _ = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None:
            return CodeLocation("unknown")
        qual = self._qual(target.func, target_env) or ""
        short = qual[len(_LAMBDA):] if qual.startswith(_LAMBDA) else ""
        args = self._arguments(target, target_env)
        if short in _CODE_ASSET:
            where = args.get("path", 0)
            path = self._path(*where) if where else None
            if path is None:
                return CodeLocation("unknown")
            excludes = []
            given = args.get("exclude")
            if given is not None:
                excludes = [v.value for v in self._values(*given)
                            if v.literal and isinstance(v.value, str)]
            kind = "zip" if path.lower().endswith((".zip", ".jar")) else "local"
            return CodeLocation(kind, self._absolute(path), excludes=excludes)
        if short in _CODE_INLINE:
            where = args.get("code", 0)
            return self._inline(where, record)
        if short in _CODE_S3:
            key = args.get("key", 1)
            found = self._const(*key) if key else None
            return CodeLocation("s3", found.value if found and isinstance(found.value, str)
                                else None)
        if short in _CODE_IMAGE_ASSET:
            where = args.get("directory", 0)
            path = self._path(*where) if where else None
            return CodeLocation("image", self._absolute(path) if path is not None else None)
        if short in _CODE_IMAGE:
            return CodeLocation("image")
        return CodeLocation("unknown")

    def _inline(self, where: Optional[Tuple[cst.BaseExpression, _Env]],
                record: _Fn) -> CodeLocation:
        """``Code.from_inline(...)``: the text, mapped to the lines of the app file."""
        if where is None or record.python is False:
            return CodeLocation("inline")
        target, target_env, _, ambiguous = self._deref(*where)
        dedent = False
        if isinstance(target, cst.Call) and target_env is not None \
                and self._qual(target.func, target_env) == "textwrap.dedent" \
                and len(target.args) == 1 and not target.args[0].keyword:
            dedent = True
            target, target_env, _, ambiguous = self._deref(target.args[0].value, target_env)
        if ambiguous or not isinstance(target, (cst.SimpleString, cst.ConcatenatedString)):
            return CodeLocation("inline")
        found = self._const(target, target_env)
        if found is None or not isinstance(found.value, str):
            return CodeLocation("inline")
        text = found.value
        column_offset = 0
        if dedent:
            dedented = textwrap.dedent(text)
            for before, after in zip(text.splitlines(), dedented.splitlines()):
                if after.strip():
                    column_offset = len(before) - len(after)
                    break
            text = dedented
        line_offset = self._line(target) - 1
        return CodeLocation("inline", inline=InlineCode(text, self.display, line_offset,
                                                        column_offset))

    def _set_timeout(self, record: _Fn, args: _Args, kind: str) -> None:
        function = record.function
        given = args.get("timeout")
        if given is None:
            if args.unknown_splat:
                function.timeout = Timeout(None, "unknown", self.display, function.line)
            else:
                function.timeout = Timeout(DEFAULT_TIMEOUT, "default", self.display,
                                           function.line)
            return
        expr, env = given
        line = self._line(expr)
        found = self._const(expr, env)
        if found is not None and found.value is None:  # timeout=None: the default
            function.timeout = Timeout(DEFAULT_TIMEOUT, "default", self.display, function.line)
            return
        seconds, via = self._duration(expr, env)
        if seconds is None:
            function.timeout = Timeout(None, "unknown", self.display, line)
        else:
            function.timeout = Timeout(seconds, "variable" if via else "function", self.display,
                                       line)

    def _duration(self, expr: cst.BaseExpression, env: _Env) -> Tuple[Optional[float], bool]:
        """Seconds of a ``Duration.seconds(30)`` / ``minutes(...)`` expression, and whether a
        name was followed to get them."""
        target, target_env, via, ambiguous = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None or ambiguous:
            return None, via
        qual = self._qual(target.func, target_env) or ""
        unit = qual.rsplit(".", 1)[1] if qual.startswith("aws_cdk.Duration.") else ""
        if unit not in _DURATION_FACTORS:
            return None, via
        args = self._arguments(target, target_env)
        amount = args.get("amount", 0)
        found = self._const(*amount) if amount else None
        number = _number(found.value) if found else None
        if number is None:
            return None, via
        return _tidy_seconds(number * _DURATION_FACTORS[unit]), via or found.via_name

    def _set_memory(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("memory_size")
        if given is not None:
            record.function.memory = self._value(*given)

    def _set_environment(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("environment")
        if given is None:
            return
        for key_node, key, value, value_env in self._entries(*given):
            if key is None:
                continue
            line, column, _, _ = self._span(key_node)
            record.function.environment.append(
                EnvVar(key, self._value(value, value_env), line, column))

    def _set_initial_policy(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("initial_policy")
        if given is None:
            return
        for item, item_env in self._items(*given):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                record.role.statements.append(
                    replace(statement, origin=f"initial_policy of {record.function.name}"))

    def _set_layers(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("layers")
        if given is not None:
            record.function.layers.extend(self._layer(item, env) for item, env in
                                          self._items(*given))

    def _layer(self, expr: cst.BaseExpression, env: _Env) -> Value:
        target, target_env, _, _ = self._deref(expr, env)
        if isinstance(target, cst.Call) and target_env is not None:
            qual = self._qual(target.func, target_env) or ""
            if qual.startswith(_LAMBDA + "LayerVersion.from_layer_version_arn"):
                arn = self._arguments(target, target_env).get("layer_version_arn", 2)
                if arn is not None:
                    return self._value(*arn)
        return self._value(expr, env)

    def _set_events(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("events")
        if given is None:
            return
        for item, env in self._items(*given):
            event = self._event_source(item, env)
            if event is not None:
                record.function.events.append(event)

    def _event_source(self, expr: cst.BaseExpression, env: _Env) -> Optional[EventSource]:
        target, target_env, _, _ = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None:
            return None
        qual = self._qual(target.func, target_env) or ""
        if not qual.startswith(_EVENT_SOURCES):
            return None
        name = qual[len(_EVENT_SOURCES):]
        kind = name.replace("EventSource", "").lower() or "unknown"
        if kind == "api":
            return EventSource("api", self._line(target))
        event = EventSource(kind, self._line(target))
        if kind == "sqs":
            queue_arg = self._arguments(target, target_env).get("queue", 0)
            queue = self._object(*queue_arg) if queue_arg else None
            if isinstance(queue, _Queue) and queue.visibility is not None:
                event.visibility = queue.visibility
                event.visibility_defaulted = queue.visibility.text == SQS_DEFAULT_TEXT
        return event

    def _make_queue(self, call: cst.Call, env: _Env) -> _Queue:
        args = self._arguments(call, env)
        given = args.get("visibility_timeout")
        if given is None:
            if args.unknown_splat:
                return _Queue(None)
            line, column, _, _ = self._span(call)
            return _Queue(Value(SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, self.display, line, column))
        seconds, via = self._duration(*given)
        line, column, end_line, end_column = self._span(given[0])
        text = self._text(given[0])
        if seconds is None:
            return _Queue(Value(None, text, self.display, line, column, False, end_line,
                                end_column))
        return _Queue(Value(seconds, f"{text} (= {seconds} s)", self.display, line, column, True,
                            end_line, end_column))

    # -- IAM --------------------------------------------------------------------------------------

    def _make_statement(self, call: cst.Call, env: _Env, from_json: bool) -> IamStatement:
        line, column, _, _ = self._span(call)
        statement = IamStatement("Allow", [], [], [], [], self.display, line, "", column)
        args = self._arguments(call, env)
        if from_json:
            given = args.get("obj", 0)
            fields = {key: (value, value_env) for _, key, value, value_env in
                      (self._entries(*given) if given else []) if key}
            names = {"effect": "Effect", "actions": "Action", "not_actions": "NotAction",
                     "resources": "Resource", "not_resources": "NotResource"}
        else:
            fields = args.keywords
            names = {k: k for k in ("effect", "actions", "not_actions", "resources",
                                    "not_resources")}
        effect = fields.get(names["effect"])
        if effect is not None:
            qual = self._qual(effect[0], effect[1]) or ""
            found = self._const(*effect)
            if qual.endswith("Effect.DENY") or (found is not None and
                                                str(found.value).lower() == "deny"):
                statement.effect = "Deny"
        for attribute in ("actions", "not_actions", "resources", "not_resources"):
            given = fields.get(names[attribute])
            if given is not None:
                getattr(statement, attribute).extend(self._values(*given))
        return statement

    def _statements(self, expr: cst.BaseExpression, env: _Env) -> List[IamStatement]:
        found = []
        for item, item_env in self._items(expr, env):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                found.append(statement)
        return found

    def _make_policy(self, call: cst.Call, env: _Env, kind: str) -> _Policy:
        args = self._arguments(call, env)
        policy = _Policy()
        given = args.get("statements")
        if given is not None:
            policy.statements.extend(self._statements(*given))
        document = args.get("document")
        if document is not None:
            inner = self._object(*document)
            if isinstance(inner, _Policy):
                policy.statements.extend(inner.statements)
        if kind in ("Policy", "ManagedPolicy"):
            name = self._construct_id(args, call)
            roles = args.get("roles")
            for item, item_env in (self._items(*roles) if roles else []):
                role = self._object(item, item_env)
                if isinstance(role, _Role):
                    role.policies.append((policy, f"iam.{kind} {name}"))
            self.policy_names[id(policy)] = f"iam.{kind} {name}"
        return policy

    def _managed_reference(self, call: cst.Call, env: _Env, method: str) -> Any:
        args = self._arguments(call, env)
        if method == "from_aws_managed_policy_name":
            given = args.get("managed_policy_name", 0)
        elif method == "from_managed_policy_arn":
            given = args.get("managed_policy_arn", 2)
        else:  # from_managed_policy_name: a customer policy, whatever it is called
            return _ManagedRef(Value(None, self._text(call), self.display, self._line(call),
                                     literal=False))
        if given is None:
            return None
        return _ManagedRef(self._value(*given))

    def _make_role(self, call: cst.Call, env: _Env) -> _Role:
        args = self._arguments(call, env)
        name = self._construct_id(args, call)
        role = _Role(f"role {name}", name)
        given = args.get("managed_policies")
        for item, item_env in (self._items(*given) if given else []):
            self._attach_managed(role, self._object(item, item_env),
                                 f"managed_policies of role {name}")
        given = args.get("inline_policies")
        for _, key, value, value_env in (self._entries(*given) if given else []):
            document = self._object(value, value_env)
            if isinstance(document, _Policy):
                label = f"'{key}'" if key else ""
                role.policies.append((document, f"inline policy {label} of role {name}"
                                      .replace("  ", " ")))
        return role

    def _attach_managed(self, role: _Role, built: Any, origin: str) -> None:
        if isinstance(built, _ManagedRef):
            role.managed.append(ManagedPolicy(built.value, origin))
        elif isinstance(built, _Policy):
            role.policies.append((built, self.policy_names.get(id(built), origin)))

    # -- calls with effects -----------------------------------------------------------------------

    def _on_calls(self, node: cst.CSTNode, env: _Env) -> None:
        for call in _calls_in(node):
            try:
                self._on_call(call, env)
            except _SKIP:
                continue

    def _on_call(self, call: cst.Call, env: _Env) -> None:
        qual = self._qual(call.func, env)
        if qual is not None:
            if qual in _FUNCTION_CLASSES or qual.startswith(_IAM) or qual == _QUEUE:
                self._built_by(call, env)  # built where it is written, even if never named
            elif qual in _API_INTEGRATIONS:
                self._api_integration(call, env, qual)
            return
        if not isinstance(call.func, cst.Attribute):
            return
        method = call.func.attr.value
        action = _METHODS.get(method)
        if action is None:
            return
        owner = self._object(call.func.value, env)
        if owner is not None:
            action(self, owner, call, env, method)

    def _api_integration(self, call: cst.Call, env: _Env, qual: str) -> None:
        keyword, position = _API_INTEGRATIONS[qual]
        given = self._arguments(call, env).get(keyword, position)
        target = self._object(*given) if given else None
        if isinstance(target, _Fn):
            target.function.events.append(EventSource(
                "api", self._line(call), http_api=qual.endswith(".HttpLambdaIntegration")))

    def _argument_statements(self, call: cst.Call, env: _Env) -> List[IamStatement]:
        args = self._arguments(call, env)
        found = []
        for item, item_env in args.positional + list(args.keywords.values()):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                found.append(statement)
        return found

    def _do_add_to_role_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Fn):
            for statement in self._argument_statements(call, env):
                owner.role.statements.append(
                    replace(statement, origin=f"add_to_role_policy on {owner.function.name}"))

    def _do_add_to_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            for statement in self._argument_statements(call, env):
                owner.statements.append(replace(statement, origin=f"{method} on {owner.label}"))

    def _do_add_managed_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            args = self._arguments(call, env)
            for item, item_env in args.positional[:1] or list(args.keywords.values())[:1]:
                self._attach_managed(owner, self._object(item, item_env),
                                     f"add_managed_policy on {owner.label}")

    def _do_attach_inline_policy(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Role):
            args = self._arguments(call, env)
            for item, item_env in args.positional[:1] or list(args.keywords.values())[:1]:
                policy = self._object(item, item_env)
                if isinstance(policy, _Policy):
                    owner.policies.append((policy, self.policy_names.get(
                        id(policy), f"attach_inline_policy on {owner.label}")))

    def _do_attach_to_role(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Policy):
            args = self._arguments(call, env)
            for item, item_env in args.positional[:1] or list(args.keywords.values())[:1]:
                role = self._object(item, item_env)
                if isinstance(role, _Role):
                    origin = self.policy_names.get(id(owner), "attach_to_role")
                    role.policies.append((owner, origin))

    def _do_add_statements(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Policy):
            owner.statements.extend(self._argument_statements(call, env))

    def _do_statement_change(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, IamStatement):
            return
        if method == "add_all_resources":
            line, column, end_line, end_column = self._span(call)
            owner.resources.append(Value("*", "add_all_resources()", self.display, line, column,
                                         True, end_line, end_column))
            return
        attribute = method[len("add_"):]
        values = getattr(owner, attribute)
        for arg in call.args:
            if arg.keyword is None and arg.star == "*":
                values.extend(self._values(arg.value, env))
            elif arg.keyword is None and not arg.star:
                values.append(self._value(arg.value, env))

    def _do_add_environment(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        args = self._arguments(call, env)
        key, value = args.get("key", 0), args.get("value", 1)
        if key is None or value is None:
            return
        found = self._const(*key)
        if found is None or not isinstance(found.value, str):
            return
        line, column, _, _ = self._span(key[0])
        owner.function.environment.append(EnvVar(found.value, self._value(*value), line, column))

    def _do_add_event_source(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        given = self._arguments(call, env).get("source", 0)
        event = self._event_source(*given) if given else None
        if event is not None:
            owner.function.events.append(event)

    def _do_add_layers(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Fn):
            for arg in call.args:
                if arg.keyword is None and not arg.star:
                    owner.function.layers.append(self._layer(arg.value, env))


_METHODS: Dict[str, Callable[..., None]] = {
    "add_to_role_policy": _AppReader._do_add_to_role_policy,
    "add_to_policy": _AppReader._do_add_to_policy,
    "add_to_principal_policy": _AppReader._do_add_to_policy,
    "add_managed_policy": _AppReader._do_add_managed_policy,
    "attach_inline_policy": _AppReader._do_attach_inline_policy,
    "attach_to_role": _AppReader._do_attach_to_role,
    "add_statements": _AppReader._do_add_statements,
    "add_actions": _AppReader._do_statement_change,
    "add_not_actions": _AppReader._do_statement_change,
    "add_resources": _AppReader._do_statement_change,
    "add_not_resources": _AppReader._do_statement_change,
    "add_all_resources": _AppReader._do_statement_change,
    "add_environment": _AppReader._do_add_environment,
    "add_event_source": _AppReader._do_add_event_source,
    "add_layers": _AppReader._do_add_layers,
}


def read_app(source: SourceFile) -> Tuple[List[Function], List[ReadError]]:
    """Every Lambda function a CDK app file defines. Never raises; a file that does not parse
    gives nothing (the handler-code rules report the syntax error). An app over
    MAX_EVALUATE_BYTES is not evaluated: its function constructs, found by their text, are kept
    with unknown settings and an LL001 note names them."""
    data = files.read_bytes(source.path)
    if isinstance(data, files.ReadFailure):
        return [], []
    if b"Function" not in data:  # every construct read here has it in its name
        return [], []
    from lambdalint.sources.python import PythonReadError, decode, parse

    try:
        text, _ = decode(data)
    except PythonReadError:
        return [], []
    if len(data) > MAX_EVALUATE_BYTES:
        return _too_large(source, text, len(data))
    try:
        module = parse(text, source.display).module  # refuses what would crash LibCST
    except (PythonReadError, cst.ParserSyntaxError, RecursionError, ValueError):
        return [], []
    reader: Optional[_AppReader] = None
    try:
        reader = _AppReader(source, text, module)
        return reader.read(), reader.errors
    except Exception as exc:  # noqa: BLE001 - every construct seen is still reported
        found, _ = _too_large(source, text, 0)
        done = [r.function for r in reader.functions] if reader is not None else []
        done_lines = {f.line for f in done}
        found = done + [f for f in found if f.line not in done_lines]
        names = ", ".join(f"{f.name} (line {f.line})" for f in found[:20]) or "none seen"
        return found, [ReadError(source.display, 1, f"lambdalint failed on this CDK app "
                                 f"({type(exc).__name__}), please report it; functions with "
                                 f"unknown settings: {names}")]


def read_unit(unit: Any) -> Tuple[List[Function], List[ReadError]]:
    """``read_app`` of a CDK app unit (the entry ``units.READERS`` names)."""
    return read_app(unit.files[0])


def _too_large(source: SourceFile, text: str, size: int) -> Tuple[List[Function], List[ReadError]]:
    """The function constructs of ``text`` found by their text (``lambda_.Function(self,
    "Id", ...)``), with unknown settings, and a note naming them (when ``size`` is given)."""
    found: List[Function] = []
    line, counted = 1, 0
    for match in _CONSTRUCT.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        name = match.group(3) or f"{match.group(1)} at line {line}"
        function = Function(name=name, format=CDK, path=source.display, line=line, end_line=line)
        function.timeout = Timeout(None, "unknown", source.display, line)
        found.append(function)
    if not size or not found:  # no construct: nothing lost, nothing to say
        return found, []
    names = ", ".join(f"{f.name} (line {f.line})" for f in found[:20])
    if len(found) > 20:
        names += f" and {len(found) - 20} more"
    message = (f"too large to evaluate: {size / 1024 / 1024:.1f} MiB is over the "
               f"{MAX_EVALUATE_BYTES // 1024} KiB limit for a CDK app; the settings of its "
               f"functions are not checked: {names or 'none seen'}")
    return found, [ReadError(source.display, 1, message)]
