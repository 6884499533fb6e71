"""LL109 recursive-invoke: a handler that invokes its own function with nothing to stop it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Set

import libcst as cst

from lambdalint.analysis.handlers import CONTEXT_PARAM
from lambdalint.model import LinkedFunction
from lambdalint.rules._bindings import NameValues
from lambdalint.rules._syntax import last_name, literal_string, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL109",
    name="recursive-invoke",
    severity="error",
    summary="A handler invokes its own function with no depth guard: a runaway loop of invocations.",
    kind="python",
    tags=("reliability", "performance"),
    reports="a handler (or code it reaches) invoking its own function (`AWS_LAMBDA_FUNCTION_NAME`, "
            "`context.function_name`, the name its config gives it) with no condition to stop",
    covers=("yes", "inline code", "", "", "inline code"),
)

SELF_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"
INVOKE_METHODS = ("invoke", "invoke_async", "invoke_with_response_stream")
CONTEXT_ATTRIBUTES = ("function_name", "invoked_function_arn")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL109 cannot report in the file: it needs an ``invoke`` and a way of
    naming the function itself (its variable, the context's name or ARN, or the name or the
    variable its config gives it)."""
    if "invoke" not in text.text or text.is_test_path:
        return False
    words = ["AWS_LAMBDA_FUNCTION_NAME", "function_name", "invoked_function_arn"]
    for _, functions in text.linked:
        for function in functions:
            words.extend(function.name_variables)
            if function.function_name:
                words.append(function.function_name)
    return any(word in text.text for word in words)


# A condition naming one of these stops a chain of invocations: a depth or counter carried in the
# payload, the time left, a continuation token or page of work that runs out.
GUARD_WORDS = re.compile(
    r"depth|recurs|level|count|attempt|iteration|hop|retr|remaining|limit|max|budget|token|"
    r"next|more|continu|cursor|offset|page|done|finish|complete|last|stop|self_invoked|"
    r"is_async|async_|chain", re.I)
MAX_DEPTH = 3


class RecursiveInvoke(NameValues, PythonRule):
    """``<client>.invoke(FunctionName=<this function>)`` in code a handler runs, where no
    condition of the calling function or of the handler (an ``if``/``while`` on the event, a
    depth or counter, the time left, a continuation token) can stop the chain.

    The function is named as itself by ``os.environ["AWS_LAMBDA_FUNCTION_NAME"]`` (and
    ``os.getenv``/``.get``), the context's ``function_name``/``invoked_function_arn``, a name bound
    to one of these, or, with a linked config, the literal ``FunctionName``/``function_name`` it
    is deployed under and the environment variables that hold it.
    """

    ID = META.id
    VALID = (
        # Guarded by a depth carried in the payload.
        'import json, os\nimport boto3\n\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n    depth = event.get("depth", 0)\n'
        '    if depth < 3:\n        lam.invoke(FunctionName=context.function_name, '
        'InvocationType="Event",\n                   Payload=json.dumps({"depth": depth + 1}))\n'
        '    return depth\n',
        # Hand off to itself once: the second invocation carries a flag from the event.
        'import json, os\nimport boto3\n\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n    if event.get("worker"):\n        return work(event)\n'
        '    lam.invoke(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"], '
        'InvocationType="Event",\n               Payload=json.dumps({**event, "worker": True}))\n'
        '    return {"statusCode": 202}\n\ndef work(event):\n    return 1\n',
        # Another function.
        'import os\nimport boto3\n\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n'
        '    return lam.invoke(FunctionName=os.environ["WORKER_FUNCTION"], InvocationType="Event")\n',
        # Not a handler's code: a deployment script.
        'import boto3\n\ndef main(name):\n'
        '    return boto3.client("lambda").invoke(FunctionName=name)\n',
        # A look-alike: Bedrock.
        'import boto3\n\nbr = boto3.client("bedrock-runtime")\n\n'
        'def handler(event, context):\n    return br.invoke_model(modelId="m", body="{}")\n',
        # Continues while work remains (a continuation token).
        'import json\nimport boto3\n\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n    token = process(event.get("token"))\n'
        '    if token:\n        lam.invoke(FunctionName=context.invoked_function_arn, '
        'InvocationType="Event",\n                   Payload=json.dumps({"token": token}))\n\n'
        'def process(token):\n    return None\n',
    )
    INVALID = (
        'import os\nimport boto3\n\nlam = boto3.client("lambda")\n\n'
        'def handler(event, context):\n'
        '    lam.invoke(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"], '
        'InvocationType="Event")\n    return 1\n',
        # Through a helper, the context's name passed on.
        'import boto3\n\nlam = boto3.client("lambda")\n\n'
        'def again(name, payload):\n'
        '    lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)\n\n'
        'def lambda_handler(event, context):\n    me = context.function_name\n'
        '    again(me, b"{}")\n',
        'import os\nimport boto3\n\nSELF = os.getenv("AWS_LAMBDA_FUNCTION_NAME")\n'
        'lam = boto3.client("lambda")\n\ndef handler(event, context):\n'
        '    lam.invoke_async(FunctionName=SELF, InvokeArgs="{}")\n',
        # The name its config gives it.
        ('import boto3\n\nlam = boto3.client("lambda")\n\ndef handler(event, context):\n'
         '    lam.invoke(FunctionName="orders-fanout", InvocationType="Event")\n',
         "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
         "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
         "      Handler: app.handler\n      CodeUri: .\n      FunctionName: orders-fanout\n"
         "      Timeout: 120\n"),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.handlers.per_invocation)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active or last_name(node.func) not in INVOKE_METHODS:
            return
        target = next((a.value for a in node.args
                       if a.keyword is not None and a.keyword.value == "FunctionName"), None)
        if target is None or not self.runs_per_invocation(node):
            return
        linked = self.functions_running(node)
        how = self._names_itself(target, node, linked, 0)
        if how is None or self._guarded(node):
            return
        names = ", ".join(f.name for f in linked[:3])
        who = f"{names}: {how}" if names else how
        self.report(
            node,
            f"`{short_code(node.func)}(FunctionName=...)` invokes the function that runs this "
            f"code ({who}) and nothing in the handler can stop the chain: each invocation "
            "starts another, until an error, the account's concurrency or your bill stops it",
            "Carry a depth in the payload and stop at a maximum, e.g. depth = event.get(\"depth\", "
            "0); if depth >= MAX_DEPTH: return ...; then invoke with Payload=json.dumps({**event, "
            "\"depth\": depth + 1}). Lambda's recursive loop detection is a last resort: it "
            "tracks loops through SQS, SNS and S3 and stops one after about 16 invocations "
            "(and a function can be set to allow loops); prefer a queue or Step Functions for "
            "work that continues.",
        )

    # -- is the target this function? ------------------------------------------------------------

    def _names_itself(self, expr: cst.BaseExpression, where: cst.CSTNode,
                      linked: Iterable[LinkedFunction], depth: int) -> Optional[str]:
        """How ``expr`` names the function running the code, or None."""
        if depth > MAX_DEPTH:
            return None
        variable = self.environment_variable(expr)
        own_variables = {v for f in linked for v in f.name_variables}
        if variable == SELF_VARIABLE:
            return f"{SELF_VARIABLE} is the function's own name"
        if variable is not None and variable in own_variables:
            return f"the config sets {variable} to the function's own name"
        if isinstance(expr, cst.Attribute) and expr.attr.value in CONTEXT_ATTRIBUTES and \
                isinstance(expr.value, cst.Name) and self._is_context(expr.value.value, where):
            return f"the context's {expr.attr.value}"
        text = literal_string(expr)
        if text is not None:
            for function in linked:
                name = function.function_name
                if name and (text == name or text.endswith(f":function:{name}")):
                    return f"{function.name} is deployed as {name}"
            return None
        if isinstance(expr, cst.Name):
            bound = self.values(expr.value, where)
            found = [self._names_itself(v, v, linked, depth + 1) for v in bound if v is not None]
            if found and all(found):
                return found[0]
            if bound and all(v is None for v in bound):  # a parameter: what callers pass
                return self._passed_in(expr.value, where, linked, depth)
        return None

    def _passed_in(self, name: str, where: cst.CSTNode, linked: Iterable[LinkedFunction],
                   depth: int) -> Optional[str]:
        """For a parameter ``name`` of the function around ``where``: what every call of that
        function in this module passes for it, when each names the function itself."""
        func = self.enclosing_function(where)
        if func is None:
            return None
        params = list(func.params.posonly_params) + list(func.params.params)
        index = next((i for i, p in enumerate(params) if p.name.value == name), None)
        if index is None:
            return None
        found: List[Optional[str]] = []
        for call in self._calls_of(func.name.value):
            args = [a for a in call.args if a.keyword is None and not a.star]
            keyword = [a for a in call.args if a.keyword is not None and a.keyword.value == name]
            arg = keyword[0] if keyword else (args[index] if index < len(args) else None)
            found.append(None if arg is None else
                         self._names_itself(arg.value, call, linked, depth + 1))
        return found[0] if found and all(found) else None

    def _calls_of(self, name: str) -> List[cst.Call]:
        from lambdalint.analysis.handlers import walk

        return [n for n in walk(self.ctx.wrapper.module)
                if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == name]

    def _is_context(self, name: str, where: cst.CSTNode) -> bool:
        """``name`` is the second parameter of a handler around ``where`` (or reads like one)."""
        func = self.enclosing_function(where)
        if func is not None and func in self.ctx.handlers.handlers:
            params = list(func.params.posonly_params) + list(func.params.params)
            if len(params) >= 2 and params[1].name.value == name:
                return True
        return bool(CONTEXT_PARAM.match(name))

    # -- can anything stop the chain? ----------------------------------------------------------

    def _guarded(self, call: cst.Call) -> bool:
        """A condition (``if``, ``while``, a conditional expression, an ``assert``) in the
        calling function or in a handler of the file reads the event or names a depth, a
        counter, the time left or the work that remains."""
        func = self.enclosing_function(call)
        candidates = [func] if func is not None else []
        candidates.extend(h for h in self.ctx.handlers.handlers if h is not func)
        return any(self._has_guard(f) for f in candidates)

    def _has_guard(self, func: cst.FunctionDef) -> bool:
        from lambdalint.analysis.handlers import walk

        params = list(func.params.posonly_params) + list(func.params.params)
        event = params[0].name.value if params else None
        for node in walk(func):
            test = getattr(node, "test", None) if isinstance(
                node, (cst.If, cst.While, cst.IfExp, cst.Assert)) else None
            if test is None:
                continue
            names: Set[str] = {n.value for n in walk(test) if isinstance(n, cst.Name)}
            names |= {n.attr.value for n in walk(test) if isinstance(n, cst.Attribute)}
            strings = [literal_string(n) or "" for n in walk(test)
                       if isinstance(n, (cst.SimpleString, cst.ConcatenatedString))]
            if event in names or any(GUARD_WORDS.search(w) for w in [*names, *strings]):
                return True
        return False


Rule = RecursiveInvoke
