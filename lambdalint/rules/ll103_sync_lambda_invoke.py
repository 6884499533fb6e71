"""LL103 sync-lambda-invoke: Lambda code that calls another Lambda function and waits for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import libcst as cst

from lambdalint.analysis.handlers import dotted_name
from lambdalint.rules._invoke_scope import Env, ModuleFacts, Scope, annotation, build_scope
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL103",
    name="sync-lambda-invoke",
    severity="warning",
    summary="A Lambda function synchronously invokes another Lambda function.",
    kind="python",
    tags=("performance", "reliability"),
    reports="a synchronous Lambda-to-Lambda invoke",
    covers=("yes", "inline code", "", "", "inline code"),
)

INVOKE_METHODS = ("invoke", "invoke_with_response_stream")
CLIENT_FACTORIES = ("client", "create_client")  # boto3 / Session / aioboto3; botocore, aiobotocore
SDK_PACKAGES = ("boto3", "botocore", "aioboto3", "aiobotocore")
ASYNC_TYPES = ("Event", "DryRun")
MAX_DEPTH = 6  # aliases, helper returns and attributes followed before giving up



def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL103 cannot report in the file (see ``prefilter``): it reports only
    ``<receiver>.invoke(...)`` (or the streaming one) inside a function of Lambda code."""
    if "invoke" not in text.text:
        return False
    if text.is_test_path:
        return False  # a test file is not Lambda code
    facts = text.facts
    return facts is None or bool(facts.methods_in_functions.intersection(INVOKE_METHODS))


_EMPTY = cst.Module([])
_A_LAMBDA_CLIENT = cst.parse_expression('boto3.client("lambda")')  # what a typed helper returns


class SyncLambdaInvoke(PythonRule):
    """Lambda code that invokes another Lambda function synchronously and waits for the answer.

    The caller stays billed while the callee runs, both count against concurrency, and their
    timeouts stack. Only calls on a client this file creates for the ``lambda`` service count, and
    only when ``InvocationType`` is absent or known to be ``RequestResponse``: look-alikes (Bedrock
    ``invoke_model``, LangChain ``chain.invoke``, a durable-functions ``context.invoke``) and
    values the code cannot tell (an invocation type from the event) stay silent.
    """

    ID = META.id
    VALID = (
        # A dry run only checks the caller's permissions.
        'import boto3\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n    return lam.invoke(FunctionName="f", InvocationType="DryRun")\n',
        # A test function is not a handler.
        'import boto3\n\ndef test_handler():\n    boto3.client("lambda").invoke(FunctionName="f")\n',
        # Asynchronous: the caller does not wait.
        'import boto3\nlam = boto3.client("lambda")\n'
        'def handler(event, context):\n'
        '    lam.invoke(FunctionName="worker", InvocationType="Event")\n',
        # Not Lambda code: no handler in the file.
        'import boto3\nlam = boto3.client("lambda")\n'
        'def call_worker(payload):\n'
        '    return lam.invoke(FunctionName="worker")\n',
        # Look-alikes: Bedrock, LangChain.
        'import boto3\nbedrock = boto3.client("bedrock-runtime")\n'
        'def handler(event, context):\n'
        '    bedrock.invoke_model(modelId="m", body="{}")\n'
        '    return chain.invoke({"q": event["q"]})\n',
        # The invocation type comes from the event: it cannot be known.
        'import boto3\nlam = boto3.client("lambda")\n'
        'def handler(event, context):\n'
        '    lam.invoke(FunctionName="worker", InvocationType=event["mode"])\n',
        # A module constant that says Event, and a literal **kwargs dict that does too.
        'import boto3\nMODE = "Event"\nlam = boto3.client("lambda")\n'
        'def handler(event, context):\n'
        '    lam.invoke(FunctionName="a", InvocationType=MODE)\n'
        '    params = {"FunctionName": "b", "InvocationType": "Event"}\n'
        '    lam.invoke(**params)\n',
    )
    INVALID = (
        'import boto3\nlam = boto3.client("lambda")\n'
        'def handler(event, context):\n'
        '    return lam.invoke(FunctionName="pricing", Payload=b"{}")\n',
        # Through a method of an object the module builds once (its client is no LL102 finding).
        'import boto3\n'
        'def lambda_handler(event, context):\n'
        '    return PRICING.quote(event)\n'
        'class Pricing:\n'
        '    def __init__(self):\n'
        '        self.lambda_client = boto3.Session().client("lambda")\n'
        '    def quote(self, event):\n'
        '        return self.lambda_client.invoke(FunctionName="pricing",\n'
        '                                         InvocationType="RequestResponse")\n'
        'PRICING = Pricing()\n',
        # A client factory imported under its own name.
        'from boto3 import client\nlam = client("lambda")\n\n'
        'def handler(event, context):\n    return lam.invoke(FunctionName="f")\n',
        'from boto3 import client as make_client\n'
        'lam = make_client(service_name="lambda")\n'
        'def handler(event, context):\n'
        '    for chunk in lam.invoke_with_response_stream(FunctionName="gen")["EventStream"]:\n'
        '        pass\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = ctx.handlers.is_lambda_code
        self._module: Optional[ModuleFacts] = None
        self._scopes: Dict[int, Scope] = {}

    # -- the visit ------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in INVOKE_METHODS:
            return
        chain = self._functions_around(node)
        if not chain:
            return  # module level: an import-time call, not the handler's
        if not self.runs_per_invocation(node):
            return  # a helper no handler reaches (the same reach as LL102's)
        env = self._env(chain)
        if not self._is_lambda_client(func.value, env, 0):
            return
        how = self._invocation_type(node, env)
        if how is None:
            return
        receiver = _EMPTY.code_for_node(func.value)
        if len(receiver) > 40:
            receiver = receiver[:37] + "..."
        method = func.attr.value
        where = self._label(chain[0])
        if method == "invoke":
            what = f"`{receiver}.invoke(...)` in `{where}` invokes another Lambda function synchronously"
        else:
            what = (f"`{receiver}.invoke_with_response_stream(...)` in `{where}` streams another "
                    "Lambda function's response synchronously")
        message = (f"{what} ({how}): this function waits, billed, until the other returns; both "
                   "hold concurrency and their timeouts add up")
        suggestion = (
            "Let Step Functions orchestrate the two functions (a Task state per function, with "
            "retries and timeouts); or, if no answer is needed here, invoke asynchronously with "
            "InvocationType=\"Event\" and send the outcome to an on-success/on-failure "
            "destination (SQS, SNS, EventBridge or another function); or, if the other function "
            "is only shared logic, import it as a module or layer instead of a network hop."
        )
        self.report(node, message, suggestion)

    # -- where the call is ----------------------------------------------------------------------

    def _functions_around(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """Enclosing functions (and lambdas), innermost first."""
        chain: List[cst.CSTNode] = []
        current = self.parent(node)
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.Lambda)):
                chain.append(current)
            current = self.parent(current)
        return chain

    def _label(self, func: cst.CSTNode) -> str:
        named = func
        current: Optional[cst.CSTNode] = func
        while isinstance(named, cst.Lambda) and current is not None:
            current = self.parent(current)
            if isinstance(current, cst.FunctionDef):
                named = current
        if not isinstance(named, cst.FunctionDef):
            return "<lambda>"
        owner = self._owner_class(named)
        return f"{owner}.{named.name.value}" if owner else named.name.value

    def _owner_class(self, func: cst.FunctionDef) -> Optional[str]:
        block = self.parent(func)
        owner = self.parent(block) if block is not None else None
        return owner.name.value if isinstance(owner, cst.ClassDef) else None

    def _scope(self, node: cst.CSTNode) -> Scope:
        found = self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = build_scope(node)
        return found

    def _mod(self) -> ModuleFacts:
        if self._module is None:
            self._module = ModuleFacts(self.ctx.file.module)
        return self._module

    def _env(self, chain: List[cst.CSTNode]) -> Env:
        scopes = [self._scope(f) for f in chain] + [self._mod().scope]
        for func in chain:
            if isinstance(func, cst.FunctionDef):
                owner = self._owner_class(func)
                params = list(func.params.posonly_params) + list(func.params.params)
                if owner and params:
                    return Env(scopes, params[0].name.value, owner)
        return Env(scopes)

    def _env_of_function(self, func: cst.FunctionDef) -> Env:
        chain: List[cst.CSTNode] = [func]
        current = self.parent(func)
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.Lambda)):
                chain.append(current)
            current = self.parent(current)
        return self._env(chain)

    # -- what a name holds ----------------------------------------------------------------------

    def _lookup(self, name: str, env: Env) -> List[Tuple[Optional[cst.BaseExpression], Env, str]]:
        """The values ``name`` may hold where ``env`` reads it, each with where to evaluate it
        and the annotation it was declared with."""
        module_scope = env.scopes[-1]
        for index, scope in enumerate(env.scopes):
            if name in scope.globals or (scope is module_scope):
                break
            if name in scope.bindings:
                inner = Env(env.scopes[index:], env.self_name, env.self_class)
                note = scope.annotations.get(name, "")
                return [(value, inner, note) for value in scope.bindings[name]]
        found: List[Tuple[Optional[cst.BaseExpression], Env, str]] = [
            (value, Env([module_scope]), module_scope.annotations.get(name, ""))
            for value in module_scope.bindings.get(name, [])
        ]
        for value, func in self._mod().global_bindings.get(name, []):
            found.append((value, self._env_of_function(func), ""))
        return found

    def _is_lambda_client(self, expr: cst.BaseExpression, env: Env, depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        if isinstance(expr, cst.Call):
            if self._creates_lambda_client(expr, env):
                return True
            return any(self._is_lambda_client(value, value_env, depth + 1)
                       for value, value_env in self._returns_of(expr.func, env))
        if isinstance(expr, cst.Name):
            if expr.value in (env.self_name,):
                return False
            for value, value_env, note in self._lookup(expr.value, env):
                if note == "LambdaClient":
                    return True
                if value is not None and self._is_lambda_client(value, value_env, depth + 1):
                    return True
            return False
        if isinstance(expr, cst.Attribute):
            return any(self._is_lambda_client(value, value_env, depth + 1)
                       for value, value_env in self._attribute_values(expr, env))
        if isinstance(expr, cst.BooleanOperation):
            return (self._is_lambda_client(expr.left, env, depth + 1)
                    or self._is_lambda_client(expr.right, env, depth + 1))
        if isinstance(expr, cst.IfExp):
            return (self._is_lambda_client(expr.body, env, depth + 1)
                    or self._is_lambda_client(expr.orelse, env, depth + 1))
        if isinstance(expr, cst.NamedExpr):
            return self._is_lambda_client(expr.value, env, depth + 1)
        return False

    def _creates_lambda_client(self, call: cst.Call, env: Env) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute):
            if func.attr.value not in CLIENT_FACTORIES:
                return False
        elif isinstance(func, cst.Name):
            names = self.qualified_names(func)
            if not any(n.split(".")[0] in SDK_PACKAGES and n.rpartition(".")[2] in CLIENT_FACTORIES
                       for n in names):
                return False
        else:
            return False
        service: Optional[cst.BaseExpression] = None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "service_name":
                service = arg.value
            elif arg.keyword is None and not arg.star and service is None:
                service = arg.value
        return service is not None and self._string(service, env, 0) == "lambda"

    def _returns_of(self, func: cst.BaseExpression,
                    env: Env) -> List[Tuple[cst.BaseExpression, Env]]:
        """What a module function or a method of ``self`` returns: ``get_client().invoke(...)``."""
        mod = self._mod()
        target: Optional[cst.FunctionDef] = None
        if isinstance(func, cst.Name):
            values = self._lookup(func.value, env)
            if values and all(v is None for v, _, _ in values):
                target = mod.functions.get(func.value)
        elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
              and env.self_class and func.value.value == env.self_name):
            for cls in mod.class_chain(env.self_class):
                target = self._method_of(cls, func.attr.value)
                if target is not None:
                    break
        if target is None:
            return []
        target_env = self._env_of_function(target)
        if annotation(target.returns) == "LambdaClient":  # ``def lambda_client() -> LambdaClient``
            return [(_A_LAMBDA_CLIENT, target_env)]
        return [(value, target_env) for value in self._scope(target).returns]

    def _method_of(self, class_name: str, name: str) -> Optional[cst.FunctionDef]:
        node = self._mod().classes.get(class_name)
        if node is None:
            return None
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
                return stmt
        return None

    def _attribute_values(self, expr: cst.Attribute,
                          env: Env) -> List[Tuple[cst.BaseExpression, Env]]:
        """``self.client``, ``cls.client``, ``Service.client``, ``service.client`` (a module
        instance of a module class): the values assigned to that attribute."""
        mod = self._mod()
        base = expr.value
        if not isinstance(base, cst.Name):
            return []
        class_name: Optional[str] = None
        if env.self_class and base.value in (env.self_name, "cls"):
            class_name = env.self_class
        elif base.value in mod.classes:
            class_name = base.value
        else:
            for value, _, _ in self._lookup(base.value, env):
                if isinstance(value, cst.Call) and dotted_name(value.func) in mod.classes:
                    class_name = dotted_name(value.func)
        if class_name is None:
            return []
        found: List[Tuple[cst.BaseExpression, Env]] = []
        for cls in mod.class_chain(class_name):
            for value, method in mod.attributes.get(cls, {}).get(expr.attr.value, []):
                value_env = self._env_of_function(method) if method else Env([mod.scope])
                found.append((value, value_env))
            prop = mod.properties.get(cls, {}).get(expr.attr.value)
            if prop is not None:
                prop_env = self._env_of_function(prop)
                found.extend((value, prop_env) for value in self._scope(prop).returns)
        return found

    # -- what the invocation type is ------------------------------------------------------------

    def _string(self, expr: cst.BaseExpression, env: Env, depth: int) -> Optional[str]:
        """The string ``expr`` surely holds, or None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(expr, cst.Name):
            values = self._lookup(expr.value, env)
            results = {self._string(v, e, depth + 1) if v is not None else None for v, e, _ in values}
            if len(results) == 1:
                return results.pop()
        return None

    def _invocation_type(self, call: cst.Call, env: Env) -> Optional[str]:
        """How a sync call is described, or None when it is asynchronous or cannot be known."""
        explicit: Optional[Tuple[cst.BaseExpression, Env]] = None
        for arg in call.args:
            if arg.star == "*":
                return None
            if arg.star == "**":
                outcome = self._from_mapping(arg.value, env, 0)
                if outcome == "unknown":
                    return None
                if outcome is not None:
                    explicit = outcome  # type: ignore[assignment]
            elif arg.keyword is not None and arg.keyword.value == "InvocationType":
                explicit = (arg.value, env)
            elif arg.keyword is None:
                return None  # boto3 takes keywords only: this is not its invoke
        if explicit is None:
            return "no InvocationType means RequestResponse"
        value = self._string(explicit[0], explicit[1], 0)
        if value == "RequestResponse":
            return "InvocationType is RequestResponse"
        return None

    def _from_mapping(self, expr: cst.BaseExpression, env: Env, depth: int):
        """For ``**expr``: (value, env) of its InvocationType, None when it has none, or
        "unknown"."""
        if depth > MAX_DEPTH:
            return "unknown"
        if isinstance(expr, cst.Dict):
            found = None
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    key = self._string(element.key, env, 0)
                    if key is None:
                        return "unknown"
                    if key == "InvocationType":
                        found = (element.value, env)
                else:
                    inner = self._from_mapping(element.value, env, depth + 1)
                    if inner == "unknown":
                        return "unknown"
                    if inner is not None:
                        found = inner
            return found
        if isinstance(expr, cst.Call) and dotted_name(expr.func) == "dict":
            found = None
            for arg in expr.args:
                if arg.star == "**" or (arg.keyword is None and arg.star != "*"):
                    inner = self._from_mapping(arg.value, env, depth + 1)
                    if inner == "unknown":
                        return "unknown"
                    if inner is not None:
                        found = inner
                elif arg.keyword is not None and arg.keyword.value == "InvocationType":
                    found = (arg.value, env)
                elif arg.star == "*":
                    return "unknown"
            return found
        if isinstance(expr, cst.Name):
            values = self._lookup(expr.value, env)
            if len(values) != 1 or values[0][0] is None:
                return "unknown"
            value, value_env, _ = values[0]
            scope = value_env.scopes[0]
            if expr.value in scope.mutated:
                return "unknown"
            found = self._from_mapping(value, value_env, depth + 1)
            for key, stored in scope.stores.get(expr.value, []):
                name = self._string(key, value_env, 0)
                if name is None:
                    return "unknown"
                if name == "InvocationType":
                    found = (stored, value_env)
            return found
        return "unknown"


Rule = SyncLambdaInvoke
