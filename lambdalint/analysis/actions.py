"""The AWS API actions a handler's code calls, for least-privilege suggestions.

``s3 = boto3.client("s3"); s3.get_object(...)`` is ``s3:GetObject``. Runs in the same LibCST
traversal as the rules, only for files that a deployment config names as a handler.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set

import libcst as cst

from lambdalint.analysis.action_names import ARGUMENT_OF, IAM_PREFIX, NOT_API_CALLS, actions_for
from lambdalint.analysis.handlers import dotted_name


def _literal_arg(call: cst.Call, keyword: str = "service_name") -> Optional[str]:
    """The first positional argument or ``keyword=``, when it is a plain string literal."""
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value == keyword:
            if isinstance(arg.value, cst.SimpleString):
                return arg.value.evaluated_value if isinstance(arg.value.evaluated_value, str) else None
            return None
    return None


class ActionCollector(cst.BatchableCSTVisitor):
    """The AWS actions a file's code calls. ``qualified_names``: the rules' resolver
    (``PythonContext.qualified_names``: LibCST's qualified names, its scope analysis run only
    when the module's binding index cannot answer)."""

    def __init__(self, qualified_names: Callable[[cst.CSTNode], Set[str]]) -> None:
        super().__init__()
        self._qualified_names = qualified_names
        self.services: Dict[str, str] = {}  # variable (or self.attr) -> IAM prefix
        self.actions: Set[str] = set()

    def _client_service(self, value: cst.BaseExpression) -> Optional[str]:
        if not isinstance(value, cst.Call):
            return None
        names = self._qualified_names(value.func)
        callee = dotted_name(value.func) or ""
        is_factory = any(n.split(".")[0] in ("boto3", "aioboto3", "botocore") and
                         n.rsplit(".", 1)[-1] in ("client", "resource", "create_client") for n in names) \
            or callee.rsplit(".", 1)[-1] in ("client", "resource", "create_client")
        if is_factory:
            service = _literal_arg(value)
            return IAM_PREFIX.get(service, service) if service else None
        # table = dynamodb.Table("x"), bucket = s3.Bucket("x"): the same service
        if isinstance(value.func, cst.Attribute) and value.func.attr.value[:1].isupper():
            owner = dotted_name(value.func.value)
            if owner in self.services:
                return self.services[owner]
            return self._client_service(value.func.value)  # boto3.resource("x").Table("t")
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        service = self._client_service(node.value)
        if service is None:
            return
        for target in node.targets:
            name = dotted_name(target.target)
            if name:
                self.services[name] = service

    def visit_Call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Attribute):
            return
        owner = dotted_name(node.func.value)
        service = self.services.get(owner or "") or self._client_service(node.func.value)
        method = node.func.attr.value
        if service is None or method in NOT_API_CALLS or method[:1].isupper():
            return
        argument = _literal_arg(node, ARGUMENT_OF[method]) if method in ARGUMENT_OF else None
        keywords = [a.keyword.value for a in node.args if a.keyword is not None]
        self.actions.update(actions_for(service, method, argument, keywords))

    def result(self) -> List[str]:
        return sorted(self.actions)
