"""Names, values, paths and objects: the small static evaluator under the CDK reader.

``_Values`` is a mixin of ``_AppReader`` (package ``__init__``). It follows names to what they
are bound to (``_deref``), qualifies names through imports (``_qual``), evaluates constants with
a budget (``_const``), builds paths (``_path``) and says which construct an expression refers
to (``_object``). Past its budgets a value is unknown, never computed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst

from lambdalint.model import Value
from lambdalint.sources.cdk.constructs import (_FUNCTION_CLASSES, _IAM, _LOG_GROUP_CLASSES, _QUEUE,
                                               _Fn, _Unknown, resource_type)
from lambdalint.sources.cdk.scope import _Env

MAX_DEPTH = 40  # name -> value -> name ... chains followed before giving up
# Past these a constant is unknown, never computed: ``2 ** 10 ** 8`` or a chain of products
# would take minutes and gigabytes, and no Lambda setting is a number of more than 64 bits.
MAX_INT_BITS = 64
MAX_STRING = 1024 * 1024
MAX_STEPS = 100_000  # steps to evaluate one value (names used 4x per level: 4 ** n)

# Module renames between CDK v1, v2 and the alpha packages, applied to every qualified name.
_MODULE_ALIASES = (
    ("aws_cdk.core", "aws_cdk"),
    ("aws_cdk.aws_lambda_python_alpha", "aws_cdk.aws_lambda_python"),
    ("aws_cdk.aws_apigatewayv2_integrations_alpha", "aws_cdk.aws_apigatewayv2_integrations"),
    ("aws_cdk.aws_apigatewayv2_alpha", "aws_cdk.aws_apigatewayv2"),
)


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


def _canon(name: str) -> str:
    for old, new in _MODULE_ALIASES:
        if name == old or name.startswith(old + "."):
            return new + name[len(old):]
    return name


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


class _Values:
    """Evaluating expressions of the app: constants, lists, dicts, arguments, paths, objects."""

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

    def _listed(self, args: _Args, keyword: str) -> List[Tuple[cst.BaseExpression, _Env]]:
        """The items of the list given as ``keyword`` (see ``_items``); [] when not given."""
        given = args.get(keyword)
        return self._items(*given) if given is not None else []

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
        elif qual in _LOG_GROUP_CLASSES:
            built = self._make_log_group(call, env, _LOG_GROUP_CLASSES[qual])
        elif qual.startswith(_IAM + "Role.from_"):
            built = _Unknown(self._text(call))
        elif resource_type(qual) is not None:
            built = self._make_resource(call, env, resource_type(qual))
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
