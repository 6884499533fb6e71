"""LL107 hardcoded-region: an AWS client pinned to a region written in the code."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

import libcst as cst

from lambdalint.rules._invoke_scope import build_scope
from lambdalint.rules._syntax import last_name, literal_string, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL107",
    name="hardcoded-region",
    severity="note",
    summary="An AWS client is created with a region written in the code instead of the runtime's.",
    kind="python",
    tags=("maintainability", "reliability"),
    reports="`region_name=\"us-east-1\"` or a regional endpoint URL in AWS client creation",
    covers=("yes", "inline code", "", "", "inline code"),
)

# An AWS region's shape: partition prefix, optional gov/iso part, direction, number.
REGION = (r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
          r"(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL107 cannot report in the file: it needs ``region_name=`` or
    ``endpoint_url=`` and a region's name written somewhere in it."""
    import re as _re

    if "region_name" not in text.text and "endpoint_url" not in text.text:
        return False
    if text.is_test_path:
        return False
    if _re.search(REGION, text.text) is None:
        return False
    tree = text.tree
    if tree is None:
        return True
    # On the ast, as the rule reads it: a keyword's value is a string literal, or a module-level
    # name bound to one exactly once, and it is a region or a regional endpoint.
    import ast

    constants: Dict[str, list] = {}
    for node in tree.body:  # type: ignore[attr-defined]
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        for target in targets:
            if isinstance(target, ast.Name):
                constants.setdefault(target.id, []).append(node.value)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg not in ("region_name", "endpoint_url"):
                continue
            value = keyword.value
            if isinstance(value, ast.Name):
                bound = constants.get(value.id, [])
                value = bound[0] if len(bound) == 1 else value
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                continue
            if keyword.arg == "region_name":
                if _re.match(rf"^{REGION}$", value.value):
                    return True
            elif _re.search(rf"[./]({REGION})\.(?:[a-z0-9-]+\.)*amazonaws\.com(?:\.cn)?(?:[:/]|$)",
                            value.value.lower()):
                return True
    return False


REGION_RE = re.compile(rf"^{REGION}$")
ENDPOINT_RE = re.compile(rf"[./]({REGION})\.(?:[a-z0-9-]+\.)*amazonaws\.com(?:\.cn)?(?:[:/]|$)")
SDK_PACKAGES = ("boto3", "botocore", "aioboto3", "aiobotocore")
# Callees (last name) that take ``region_name``/``endpoint_url``: clients, sessions, Config.
FACTORIES = frozenset({"client", "resource", "create_client", "Session", "AioSession",
                       "get_session", "Config", "AioConfig"})
# Services whose API lives in one region whatever region the function runs in (global services,
# CloudFront's certificates and web ACLs, the Price List API): pinning them is correct.
HOME_REGIONS: Dict[str, Tuple[str, ...]] = {
    **{service: ("us-east-1",) for service in (
        "acm", "wafv2", "waf", "cloudfront", "route53", "route53domains", "iam",
        "organizations", "ce", "budgets", "health", "support", "shield", "account", "cur",
        "savingsplans", "ecr-public", "marketplace-catalog", "billingconductor", "artifact",
        "route53-recovery-control-config", "networkmanager", "invoicing")},
    "globalaccelerator": ("us-west-2",),
    "pricing": ("us-east-1", "eu-central-1", "ap-south-1"),
}


class HardcodedRegion(PythonRule):
    """``region_name="eu-west-1"`` (or a regional ``endpoint_url``) where Lambda code builds a
    boto3 client, resource, session or ``Config``.

    The runtime sets ``AWS_REGION`` and boto3 reads it; a region in the code keeps pointing at
    one region when the stack is deployed to another (a second stage, a disaster-recovery copy),
    so the function calls across regions or fails on resources that are not there. Left alone:
    global services pinned to their home region (IAM, CloudFront's ACM certificates, Cost
    Explorer...), files that pin two or more regions (deliberately multi-region code), regions
    read from configuration, files without a handler and test files.
    """

    ID = META.id
    VALID = (
        # The runtime's region: nothing pinned.
        'import boto3\n\ns3 = boto3.client("s3")\n\n'
        'def handler(event, context):\n    return s3.list_buckets()\n',
        # Read from the environment, with a default for local runs.
        'import os, boto3\n\n'
        'sqs = boto3.client("sqs", region_name=os.environ.get("AWS_REGION", "us-east-1"))\n\n'
        'def handler(event, context):\n    return sqs.get_queue_url(QueueName="q")\n',
        # CloudFront's certificates live in us-east-1 whatever the function's region.
        'import boto3\n\nacm = boto3.client("acm", region_name="us-east-1")\n\n'
        'def handler(event, context):\n    return acm.describe_certificate(CertificateArn="a")\n',
        # Deliberately multi-region: two regions pinned in one file.
        'import boto3\n\nprimary = boto3.client("s3", region_name="us-east-1")\n'
        'replica = boto3.client("s3", region_name="eu-west-1")\n\n'
        'def handler(event, context):\n    return primary, replica\n',
        # Not Lambda code: a script with no handler.
        'import boto3\n\ndef main():\n    return boto3.client("s3", region_name="us-east-1")\n',
        # A local endpoint (LocalStack) names no region.
        'import boto3\n\nddb = boto3.resource("dynamodb", endpoint_url="http://localhost:4566")\n\n'
        'def handler(event, context):\n    return ddb.Table("t").get_item(Key={"id": 1})\n',
        # A module constant the handler shadows with a region from the event.
        'import boto3\n\nregion_name = "us-east-1"\nsession = boto3.session.Session()\n\n'
        'def handler(event, context):\n    region_name = event["region"]\n'
        '    return session.client("secretsmanager", region_name=region_name)\n',
        # Not an AWS client: another library's region keyword.
        'from geo import lookup\n\ndef handler(event, context):\n'
        '    return lookup(event["ip"], region_name="eu-west-1")\n',
    )
    INVALID = (
        'import boto3\n\ns3 = boto3.client("s3", region_name="us-east-1")\n\n'
        'def handler(event, context):\n    return s3.list_buckets()\n',
        # Through a module constant and a session.
        'import boto3\n\nREGION = "eu-west-1"\nsession = boto3.Session(region_name=REGION)\n\n'
        'def lambda_handler(event, context):\n    return session\n',
        # A regional endpoint URL.
        'from boto3 import client as make\n\n'
        'sqs = make("sqs", endpoint_url="https://sqs.ap-southeast-2.amazonaws.com")\n\n'
        'def handler(event, context):\n    return sqs.get_queue_url(QueueName="q")\n',
        # botocore's Config.
        'import boto3\nfrom botocore.config import Config\n\n'
        'ddb = boto3.client("dynamodb", config=Config(region_name="us-west-2"))\n\n'
        'def handler(event, context):\n    return ddb.describe_table(TableName="t")\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = ctx.handlers.is_lambda_code
        self.candidates: List[Tuple[cst.CSTNode, str, str, str]] = []  # node, region, how, call
        self.constants: Dict[str, List[cst.BaseExpression]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        if not self.active:
            return
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        for target, value in self.assigned_targets(small):
                            if isinstance(target, cst.Name):
                                self.constants.setdefault(target.value, []).append(value)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        func = node.func
        names = self.qualified_names(func)
        if not (any(n.split(".")[0] in SDK_PACKAGES and n.rpartition(".")[2] in FACTORIES
                    for n in names)
                or (isinstance(func, cst.Attribute) and last_name(func) in (
                    "client", "resource", "create_client"))):
            return
        service = self._service(node)
        for arg in node.args:
            if arg.keyword is None:
                continue
            keyword = arg.keyword.value
            text = self._string(arg.value, node)
            if text is None:
                continue
            if keyword == "region_name" and REGION_RE.match(text):
                region = text
            elif keyword == "endpoint_url":
                match = ENDPOINT_RE.search(text.lower())
                if match is None:
                    continue
                region = match.group(1)
            else:
                continue
            if service is not None and region in HOME_REGIONS.get(service, ()):
                continue
            self.candidates.append((arg.value, region, keyword, short_code(func)))

    def leave_Module(self, original_node: cst.Module) -> None:
        regions: Set[str] = {region for _, region, _, _ in self.candidates}
        if len(regions) != 1:
            return  # none, or several: deliberately multi-region code
        for node, region, keyword, call in self.candidates:
            where = (f"region_name={region!r}" if keyword == "region_name"
                     else f"an endpoint URL in {region}")
            self.report(
                node,
                f"`{call}(...)` is pinned to {where}: deployed to another region (a second stage, "
                "a disaster-recovery copy) the function still calls this one, across regions or "
                "at resources that are not there; the Lambda runtime sets AWS_REGION and boto3 "
                "uses it by itself",
                "Drop the region and let boto3 take the function's own (AWS_REGION), or read it "
                "from configuration: region_name=os.environ[\"TARGET_REGION\"] set by the "
                "template. If this resource deliberately lives in another region, keep it and "
                "silence the line with `# lambdalint: ignore[LL107]`.",
            )

    def _service(self, call: cst.Call) -> Optional[str]:
        for arg in call.args:
            if (arg.keyword is None and not arg.star) or (
                    arg.keyword is not None and arg.keyword.value == "service_name"):
                return self._string(arg.value, call)
        return None

    def _string(self, expr: cst.BaseExpression, where: cst.CSTNode) -> Optional[str]:
        """The string ``expr`` holds: a literal, or a module name bound once to one and not
        rebound in the functions around ``where``."""
        if isinstance(expr, cst.Name):
            values = self.constants.get(expr.value, [])
            if len(values) != 1 or self._bound_locally(expr.value, where):
                return None
            expr = values[0]
        return literal_string(expr)


    def _bound_locally(self, name: str, where: cst.CSTNode) -> bool:
        current = self.parent(where)
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.Lambda)):
                scope = build_scope(current)
                if name in scope.bindings and name not in scope.globals:
                    return True
            current = self.parent(current)
        return False


Rule = HardcodedRegion
