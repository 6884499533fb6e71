"""LL106 handler-response-shape: a handler returns what Lambda cannot serialise, or what the API
in front of it cannot answer with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import libcst as cst

from lambdalint.analysis.handlers import walk
from lambdalint.model import LinkedFunction, LinkedTrigger
from lambdalint.rules._bindings import NameValues
from lambdalint.rules._syntax import last_name, literal_string, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL106",
    name="handler-response-shape",
    severity="error",
    summary="A handler returns what JSON cannot hold, or no statusCode to an API Gateway proxy.",
    kind="python",
    tags=("reliability",),
    reports="a handler returning a set, datetime, Decimal (a DynamoDB item) or bytes, or "
            "`json.dumps` of one; behind a REST API or ALB, a response without `statusCode`",
    covers=("yes", "yes", "yes", "yes", "yes"),
)

# Last names of the calls that make what the rule reports (and the DynamoDB reads whose items
# it follows): without one inside a function, a file returns none of them.
CALLEES = ("set", "frozenset", "now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp",
           "fromisoformat", "strptime", "combine", "datetime", "date", "Decimal", "encode",
           "b64encode", "b64decode", "urlsafe_b64encode", "urlsafe_b64decode",
           "standard_b64encode", "get_item", "query", "scan")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL106 cannot report in the file: no ``return`` gives back (directly, or
    through names bound to it anywhere in the file) a call that makes what the rule reports (or
    of an alias that may), and no REST API or ALB triggers a function it is the handler of."""
    if "return" not in text.text or text.is_test_path:
        return False
    if any(t.kind in ("api", "alb") and not t.http_api and not t.asynchronous
           and not t.defined_api
           for _, functions in text.linked for f in functions for t in f.triggers):
        return True
    facts = text.facts
    if facts is None:
        return True
    import ast

    callees = set(CALLEES) | facts.aliases

    def risky(node, names) -> bool:
        """The shapes the rule looks into: containers, ``or``/``and``, names bound to a risky
        value, subscripts and ``.get`` of one, ``json.dumps`` of one, and the calls it reports."""
        if isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            items = node.values if isinstance(node, ast.Dict) else node.elts
            return any(risky(item, names) for item in items if item is not None)
        if isinstance(node, ast.BoolOp):
            return any(risky(item, names) for item in node.values)
        if isinstance(node, ast.Name):
            return node.id in names
        if isinstance(node, ast.Subscript):
            return risky(node.value, names)
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else ""
        if last in callees:
            return True
        if last == "dumps" and node.args:
            return risky(node.args[0], names)
        return last == "get" and isinstance(func, ast.Attribute) and risky(func.value, names)

    bindings = []  # (names bound, value) of every assignment in the file
    returns = []
    for node in ast.walk(text.tree):  # type: ignore[arg-type]
        if isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            bindings.append((bound, node.value))
    names: set = set()
    grew = True
    while grew:  # names bound to what the rule reports, through other names too
        grew = False
        for bound, value in bindings:
            if not bound <= names and risky(value, names):
                names |= bound
                grew = True
    return any(risky(value, names) for value in returns)


SETS = frozenset({"builtins.set", "builtins.frozenset", "set", "frozenset"})
DATETIMES = frozenset(f"datetime.{c}.{m}" for c in ("datetime", "date") for m in (
    "now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp", "fromisoformat", "strptime",
    "combine")) | {"datetime.datetime", "datetime.date"}
DECIMALS = frozenset({"decimal.Decimal"})
BYTES_CALLS = frozenset({"base64.b64encode", "base64.b64decode", "base64.urlsafe_b64encode",
                         "base64.urlsafe_b64decode", "base64.standard_b64encode"})
DYNAMODB_READS = frozenset({"get_item", "query", "scan"})
DYNAMODB_KEYS = frozenset({"Item", "Items"})
JSON_DUMPS = frozenset({"json.dumps", "simplejson.dumps"})
MAX_DEPTH = 4

ADVICE = {
    "a set": "return a list (sorted(...)) instead",
    "a datetime": "return its .isoformat() string",
    "a Decimal": "convert it (int(...) or float(...)), or json.dumps(..., default=str)",
    "bytes": "decode it (.decode(), or base64 text with .decode('ascii'))",
    "a DynamoDB item": "DynamoDB numbers come back as Decimal: convert them, or serialise with "
                       "json.dumps(item, default=str) (or a default that turns Decimal into "
                       "int/float)",
}


class HandlerResponseShape(NameValues, PythonRule):
    """What a handler's ``return`` statements give back.

    Lambda serialises a handler's return value with ``json``: a ``set``, a ``datetime``, a
    ``Decimal``, ``bytes`` (and a DynamoDB item read through the resource API, whose numbers are
    ``Decimal``) fail with ``Runtime.MarshalError``; ``json.dumps`` of one raises ``TypeError``
    unless it passes ``default=`` or ``cls=``. With the linked config: behind a REST API proxy
    integration or an ALB, a return that is not a dict with ``statusCode`` (a string, a list,
    ``json.dumps(...)``, a dict literal without the key) or a ``body`` that is not a string
    makes API Gateway answer 502. HTTP APIs and function URLs accept any JSON (200 assumed), so
    they are not judged for shape. Values are followed through names the handler binds.
    """

    ID = META.id
    VALID = (
        'import json\n\ndef handler(event, context):\n'
        '    return {"statusCode": 200, "body": json.dumps({"ids": sorted({1, 2})})}\n',
        'import datetime\n\ndef handler(event, context):\n'
        '    return {"at": datetime.datetime.now().isoformat()}\n',
        'import json, os\nimport boto3\n\nTABLE = boto3.resource("dynamodb").Table(os.environ["T"])\n\n'
        'def handler(event, context):\n    item = TABLE.get_item(Key={"id": "1"}).get("Item")\n'
        '    return {"statusCode": 200, "body": json.dumps(item, default=str)}\n',
        # Not a handler.
        'def helper(a, b):\n    return {1, 2}\n',
        # An HTTP API accepts any JSON.
        ('def handler(event, context):\n    return "hello"\n',
         "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
         "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
         "      Handler: app.handler\n      CodeUri: .\n      Timeout: 10\n      Events:\n"
         "        Get:\n          Type: HttpApi\n"),
        # The low-level client's items are typed strings.
        'import boto3\n\nddb = boto3.client("dynamodb")\n\ndef handler(event, context):\n'
        '    return ddb.get_item(TableName="t", Key={"id": {"S": "1"}})["Item"]\n',
    )
    INVALID = (
        'def handler(event, context):\n    seen = set(event["ids"])\n    return {"ids": seen}\n',
        'import base64\n\ndef handler(event, context):\n'
        '    return {"statusCode": 200, "body": base64.b64encode(b"x"), "isBase64Encoded": True}\n',
        'import json, os\nimport boto3\n\nTABLE = boto3.resource("dynamodb").Table(os.environ["T"])\n\n'
        'def handler(event, context):\n    item = TABLE.get_item(Key={"id": "1"}).get("Item")\n'
        '    return {"statusCode": 200, "body": json.dumps(item or {})}\n',
        ('import json\n\ndef handler(event, context):\n    return json.dumps({"ok": True})\n',
         "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
         "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
         "      Handler: app.handler\n      CodeUri: .\n      Timeout: 10\n      Events:\n"
         "        Get:\n          Type: Api\n          Properties: {Path: /, Method: get}\n"),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.ctx.handlers.is_test_file:
            return
        for handler in self.ctx.handlers.handlers:
            proxies = _proxies(self.ctx.linked(handler.name.value))
            for node in walk(handler.body, into_scopes=False):
                if isinstance(node, cst.Return) and node.value is not None:
                    self._judge(node.value, proxies)

    def _judge(self, value: cst.BaseExpression,
               proxies: List[Tuple[LinkedFunction, LinkedTrigger]]) -> None:
        found = self._unserialisable(value, 0)
        if found is not None:
            node, what, dumped = found
            shown = f"`{short_code(node)}`"
            if what == "a DynamoDB item":
                shown += ", whose numbers the resource API returns as Decimal"
            how = ("json.dumps raises TypeError on it (no default= or cls=)" if dumped else
                   "Lambda serialises the response as JSON and the invocation fails "
                   "(Runtime.MarshalError: Unable to marshal response)")
            self.report(node, f"the handler returns {what} ({shown}): {how}",
                        f"Make it JSON: {ADVICE[what]}.")
            return
        if proxies:
            problem = _proxy_problem(value)
            if problem is not None:
                node, what = problem
                where = "; ".join(f"{f.name}'s {_label(t)} ({f.path}:{t.line})"
                                  for f, t in proxies[:3])
                self.report(node, f"{what}, but {where} is a proxy integration: API Gateway "
                                  "(or the load balancer) needs a dict with statusCode and a "
                                  "string body, and answers 502 to anything else",
                            'Return {"statusCode": 200, "headers": {"Content-Type": '
                            '"application/json"}, "body": json.dumps(result)}.')

    # -- values JSON cannot hold ----------------------------------------------------------------

    def _unserialisable(self, expr: cst.BaseExpression, depth: int,
                        dumped: bool = False) -> Optional[Tuple[cst.CSTNode, str, bool]]:
        """(node, what, inside json.dumps) of the first value under ``expr`` JSON cannot hold."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, (cst.Dict, cst.List, cst.Tuple)):
            for element in expr.elements:
                inner = getattr(element, "value", None)
                if inner is not None and not isinstance(element, (cst.StarredDictElement,)):
                    found = self._unserialisable(inner, depth + 1, dumped)
                    if found is not None:
                        return found
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self._unserialisable(expr.left, depth + 1, dumped) or \
                self._unserialisable(expr.right, depth + 1, dumped)
        if isinstance(expr, cst.Name):
            bound = self.values(expr.value, expr)
            if len(bound) == 1 and bound[0] is not None:
                found = self._unserialisable(bound[0], depth + 1, dumped)
                return (expr, found[1], found[2]) if found is not None else None
            return None
        if self._dynamodb_item(expr, 0):
            return expr, "a DynamoDB item", dumped
        if not isinstance(expr, cst.Call):
            return None
        names = self.qualified_names(expr.func)
        if names & SETS:
            return expr, "a set", dumped
        if names & DATETIMES:
            return expr, "a datetime", dumped
        if names & DECIMALS:
            return expr, "a Decimal", dumped
        if names & BYTES_CALLS or (isinstance(expr.func, cst.Attribute)
                                   and expr.func.attr.value == "encode"):
            return expr, "bytes", dumped
        if names & JSON_DUMPS and not dumped and expr.args and not any(
                a.star or (a.keyword is not None and a.keyword.value in ("default", "cls"))
                for a in expr.args):
            return self._unserialisable(expr.args[0].value, depth + 1, True)
        return None

    def _dynamodb_item(self, expr: cst.BaseExpression, depth: int) -> bool:
        """``table.get_item(...)["Item"]`` / ``.get("Items")`` on a resource ``Table``, directly
        or through a name."""
        if depth > MAX_DEPTH:
            return False
        source = None
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and \
                isinstance(expr.slice[0].slice, cst.Index) and \
                literal_string(expr.slice[0].slice.value) in DYNAMODB_KEYS:
            source = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                expr.func.attr.value == "get" and expr.args and \
                literal_string(expr.args[0].value) in DYNAMODB_KEYS:
            source = expr.func.value
        if source is None:
            return False
        if isinstance(source, cst.Name):
            bound = self.values(source.value, source)
            source = bound[0] if len(bound) == 1 and bound[0] is not None else None
        return isinstance(source, cst.Call) and isinstance(source.func, cst.Attribute) and \
            source.func.attr.value in DYNAMODB_READS and self._is_table(source.func.value, 0)

    def _is_table(self, expr: cst.BaseExpression, depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        if isinstance(expr, cst.Call):
            return last_name(expr.func) == "Table"
        if isinstance(expr, cst.Name):
            bound = self.values(expr.value, expr)
            return len(bound) == 1 and bound[0] is not None and self._is_table(bound[0], depth + 1)
        return False


def _proxies(functions) -> List[Tuple[LinkedFunction, LinkedTrigger]]:
    """REST API and ALB triggers that wait for the answer: those need statusCode."""
    return [(f, t) for f in functions for t in f.triggers
            if t.kind in ("api", "alb") and not t.http_api and not t.asynchronous
            and not t.defined_api]


def _label(trigger: LinkedTrigger) -> str:
    return "load balancer target" if trigger.kind == "alb" else "API Gateway REST API trigger"


def _proxy_problem(value: cst.BaseExpression) -> Optional[Tuple[cst.CSTNode, str]]:
    """What is wrong with a proxy response written as a literal (None when it looks right or
    cannot be known)."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
                          cst.Integer, cst.Float, cst.List, cst.Tuple)):
        return value, "the handler returns a bare value, not a response dict"
    if isinstance(value, cst.Call) and last_name(value.func) == "dumps":
        return value, "the handler returns a JSON string, not a response dict"
    if not isinstance(value, cst.Dict) or any(
            isinstance(e, cst.StarredDictElement) for e in value.elements):
        return None
    keys = {literal_string(e.key): e for e in value.elements if isinstance(e, cst.DictElement)}
    if "statusCode" not in keys:
        return value, "the handler returns a dict without statusCode"
    body = keys.get("body")
    if body is not None and isinstance(body.value, (cst.Dict, cst.List, cst.Integer,
                                                     cst.Float)):
        return body.value, "the handler returns a body that is not a string"
    return None


Rule = HandlerResponseShape
