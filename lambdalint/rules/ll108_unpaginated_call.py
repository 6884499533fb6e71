"""LL108 unpaginated-call: a paged AWS list/scan/query whose first page is taken as the whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import libcst as cst

from lambdalint.rules._bindings import NameValues
from lambdalint.rules._syntax import literal_string, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL108",
    name="unpaginated-call",
    severity="warning",
    summary="A paged AWS list, scan or query call is used as complete: items past page one are lost.",
    kind="python",
    tags=("reliability",),
    reports="a boto3 `list_*`/`scan`/`query` call AWS pages, without a paginator or a loop on "
            "its continuation token",
    covers=("yes", "inline code", "", "", "inline code"),
)

METHOD_PREFIXES = ("list_", "scan", "query", "get_parameters_by_path")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL108 cannot report in the file: it needs a boto3 client or resource
    (``client``/``resource``/``Table`` in the text) and a ``list_*``, ``scan``, ``query`` or
    ``get_parameters_by_path`` method call inside a function."""
    if "client" not in text.text and "resource" not in text.text and "Table" not in text.text:
        return False
    if text.is_test_path:
        return False
    facts = text.facts
    if facts is None:
        return True
    return any(m.startswith(METHOD_PREFIXES) for m in facts.methods_in_functions)


SDK_PACKAGES = ("boto3", "botocore", "aioboto3", "aiobotocore")
TABLE = "dynamodb.Table"  # a DynamoDB Table resource: its scan and query page like the client's
# Operations that page only when asked to: ListBuckets without MaxBuckets returns every bucket
# (up to the account's default quota of 10,000).
NOT_PAGED_BY_DEFAULT = frozenset({("s3", "list_buckets")})
PAGE_LIMITS = {
    ("dynamodb", "scan"): "1 MB of items", ("dynamodb", "query"): "1 MB of items",
    ("s3", "list_objects_v2"): "1,000 keys", ("s3", "list_objects"): "1,000 keys",
    ("s3", "list_object_versions"): "1,000 versions",
    ("ssm", "get_parameters_by_path"): "10 parameters",
}
MAX_DEPTH = 4


class UnpaginatedCall(NameValues, PythonRule):
    """A boto3 call of an operation AWS pages, in code a handler runs, whose response is taken
    as all there is: no paginator, no loop on the continuation token.

    Which operations page comes from botocore's own pagination data (``_paginated_operations``,
    generated). The client's service must be known: a name bound to ``boto3.client("s3")`` (or a
    session's ``client``), or a DynamoDB ``Table``. Left alone: calls that pass a continuation
    token, a page-size limit (``MaxKeys=1``: the caller asks for one page on purpose) or
    ``**kwargs``; calls inside a ``while`` loop; modules that read the operation's continuation
    field (``NextToken``, ``LastEvaluatedKey``, ``IsTruncated``...) anywhere; and code no
    handler runs.
    """

    ID = META.id
    VALID = (
        # A paginator.
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="b")\n'
        '    return [o["Key"] for p in pages for o in p.get("Contents", [])]\n',
        # A loop on the continuation token.
        'import boto3\n\ntable = boto3.resource("dynamodb").Table("t")\n\n'
        'def handler(event, context):\n    kwargs, items = {}, []\n    while True:\n'
        '        page = table.scan(**kwargs)\n        items += page["Items"]\n'
        '        if "LastEvaluatedKey" not in page:\n            return items\n'
        '        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]\n',
        # One page on purpose: is the bucket empty?
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    return s3.list_objects_v2(Bucket="b", MaxKeys=1).get("KeyCount", 0) == 0\n',
        # ListBuckets returns every bucket unless asked to page.
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    return [b["Name"] for b in s3.list_buckets()["Buckets"]]\n',
        # Not a boto3 client: a dict's keys, another library's query.
        'import boto3\n\ndef handler(event, context):\n    db = connect()\n'
        '    return db.query("select 1"), event.list_items()\n',
        # A script with no handler.
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef main():\n'
        '    return s3.list_objects_v2(Bucket="b")["Contents"]\n',
        # An operation AWS does not page.
        'import boto3\n\nddb = boto3.client("dynamodb")\n\ndef handler(event, context):\n'
        '    return ddb.get_item(TableName="t", Key={"id": {"S": "1"}})\n',
    )
    INVALID = (
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    return [o["Key"] for o in s3.list_objects_v2(Bucket="b").get("Contents", [])]\n',
        'import boto3\n\ntable = boto3.resource("dynamodb").Table("orders")\n\n'
        'def lambda_handler(event, context):\n    return {"count": len(table.scan()["Items"])}\n',
        # Through a resource bound first, and a helper the handler calls.
        'import boto3\n\ndynamodb = boto3.resource("dynamodb")\n\ndef orders(customer):\n'
        '    table = dynamodb.Table("orders")\n'
        '    return table.query(KeyConditionExpression="pk = :c")["Items"]\n\n'
        'def handler(event, context):\n    return orders(event["customer"])\n',
        'from boto3 import client\n\nssm = client("ssm")\n\ndef handler(event, context):\n'
        '    return ssm.get_parameters_by_path(Path="/app/")["Parameters"]\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.handlers.per_invocation)
        self._table: Optional[Dict[str, Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], str]]]] = None

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if not method.startswith(METHOD_PREFIXES) or not self.runs_per_invocation(node):
            return
        service = self._service(func.value, node, 0)
        if service is None:
            return
        spec = self._paginated().get("dynamodb" if service == TABLE else service, {}).get(method)
        if spec is None or (service, method) in NOT_PAGED_BY_DEFAULT:
            return
        if method.startswith("list_tags"):
            return  # tags: fewer per resource (50) than a page holds
        input_tokens, reads, limit_key = spec
        for arg in node.args:
            if arg.star == "**":
                return
            if arg.keyword is not None and arg.keyword.value in set(input_tokens) | {limit_key}:
                return
        if self._in_while_loop(node):
            return
        text = self.ctx.file.text
        if any(token in text for token in reads):
            return  # the module reads the continuation field: it follows the pages somewhere
        self._report(node, func, service, method, reads)

    def _report(self, node: cst.Call, func: cst.Attribute, service: str, method: str,
                reads: Tuple[str, ...]) -> None:
        receiver = short_code(func.value, 30)
        key = ("dynamodb" if service == TABLE else service, method)
        page = PAGE_LIMITS.get(key, "one page")
        token = " / ".join(reads) or "its continuation token"
        if service == TABLE:
            how = (f"loop while the response has LastEvaluatedKey, passing it back as "
                   f"ExclusiveStartKey (a Table resource has no paginator), or use the client's "
                   f"paginator: boto3.client(\"dynamodb\").get_paginator(\"{method}\")")
        else:
            how = (f"use {receiver}.get_paginator(\"{method}\").paginate(...) and iterate the "
                   f"pages, or loop while the response has {token}")
        self.report(
            node,
            f"`{receiver}.{method}(...)` returns at most {page} per call, and this response is "
            "used as the complete result: past the first page items are silently missing, "
            "once the data grows",
            f"Follow the pages: {how}. If one page is meant, say so with the operation's page "
            "size parameter.",
        )

    def _paginated(self) -> Dict[str, Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], str]]]:
        if self._table is None:
            from lambdalint.rules._paginated_operations import PAGINATED

            self._table = PAGINATED
        return self._table

    def _in_while_loop(self, node: cst.CSTNode) -> bool:
        current = self.parent(node)
        while current is not None and not isinstance(current, (cst.FunctionDef, cst.Module)):
            if isinstance(current, cst.While):
                return True
            current = self.parent(current)
        return False

    # -- which client -----------------------------------------------------------------------------

    def _service(self, expr: cst.BaseExpression, where: cst.CSTNode, depth: int) -> Optional[str]:
        """The boto3 service ``expr`` is a client of (``TABLE`` for a DynamoDB Table), or None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            values = self.values(expr.value, where)
            if not values or any(v is None for v in values):
                return None
            found = {self._service(v, v, depth + 1) for v in values if v is not None}
            return found.pop() if len(found) == 1 else None
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "Table":
            made_by = self._factory(func.value, where, depth + 1)
            return TABLE if made_by == ("resource", "dynamodb") else None
        made = self._made(expr)
        if made is not None and made[0] == "client":
            return made[1]
        return None

    def _factory(self, expr: cst.BaseExpression, where: cst.CSTNode,
                 depth: int) -> Optional[Tuple[str, str]]:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            values = self.values(expr.value, where)
            if len(values) != 1 or values[0] is None:
                return None
            return self._factory(values[0], values[0], depth + 1)
        if isinstance(expr, cst.Call):
            return self._made(expr)
        return None

    def _made(self, call: cst.Call) -> Optional[Tuple[str, str]]:
        """("client" | "resource", service) for a boto3 client or resource constructor call."""
        func = call.func
        if isinstance(func, cst.Attribute):
            kind = func.attr.value
            if kind not in ("client", "resource"):
                return None
            if isinstance(func.value, cst.Name) and not any(
                    n.split(".")[0] in SDK_PACKAGES for n in self.qualified_names(func)):
                # ``x.client(...)``: a boto3 module or a session; other objects are not trusted
                # unless the name was bound to a session.
                if not self._is_session(func.value, call):
                    return None
        elif isinstance(func, cst.Name):
            names = self.qualified_names(func)
            kinds = {n.rpartition(".")[2] for n in names if n.split(".")[0] in SDK_PACKAGES}
            kinds &= {"client", "resource"}
            if len(kinds) != 1:
                return None
            kind = kinds.pop()
        else:
            return None
        for arg in call.args:
            if (arg.keyword is None and not arg.star) or (
                    arg.keyword is not None and arg.keyword.value == "service_name"):
                text = literal_string(arg.value)
                return (kind, text) if text is not None else None
        return None

    def _is_session(self, name: cst.Name, where: cst.CSTNode) -> bool:
        values = self.values(name.value, where)
        return bool(values) and all(
            isinstance(v, cst.Call) and any(
                n.split(".")[0] in SDK_PACKAGES and n.rpartition(".")[2] in ("Session", "session")
                for n in self.qualified_names(v.func))
            for v in values)


Rule = UnpaginatedCall
