"""What a Terraform module says about who can reach a function (LL215, LL216, LL218).

- URL: an ``aws_lambda_function_url`` whose ``function_name`` names the function (a reference
  to it, or its literal name); the Lambda module's ``create_lambda_function_url = true`` with its
  ``authorization_type`` (the module's default is ``NONE``).
- Invoke permissions: ``aws_lambda_permission`` resources naming the function the same way;
  the Lambda module's ``allowed_triggers`` entries (``service`` is ``<service>.amazonaws.com``,
  or a ``principal``, with ``source_arn`` / ``source_account``), as the module writes them.
- VPC: ``vpc_config { subnet_ids }`` of the resource (an empty literal list attaches nothing),
  ``vpc_subnet_ids`` of the module; the EFS mount is ``file_system_config`` /
  ``file_system_arn``.

``Exposure`` is that part of the module reader (``terraform._Reader``), run once for all the
functions after they are read, like the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from lambdalint.model import Function, FunctionUrl, InvokePermission, Value, VpcAttachment
from lambdalint.sources.terraform.hcl import TUP, Block, Node

if TYPE_CHECKING:
    from lambdalint.sources.terraform.module import Module

URL = "aws_lambda_function_url"
PERMISSION = "aws_lambda_permission"
MODULE_DEFAULT_AUTH = "NONE"  # terraform-aws-modules/lambda/aws: authorization_type


class Exposure:
    """URL, invoke permissions and VPC of the functions of ``self.m``."""

    m: "Module"

    if TYPE_CHECKING:  # ``Events`` has it: the module reader is both
        def _function_of(self, node: Optional[Node],
                         by_address: Dict[str, Function]) -> Optional[Function]: ...

    def exposure(self, functions: List[Function]) -> None:
        by_address = {f.name: f for f in functions}
        for block in self.m.of_type(URL):
            function = self._function_of(block.get("function_name"), by_address)
            if function is not None and function.url is None:
                function.url = self._url(block)
        for block in self.m.of_type(PERMISSION):
            function = self._function_of(block.get("function_name"), by_address)
            permission = self._permission(block) if function is not None else None
            if function is not None and permission is not None:
                function.invoke_permissions.append(permission)
        for function in functions:
            kind, _, name = function.name.partition(".")
            if kind == "aws_lambda_function":
                block = self.m.resources.get(("aws_lambda_function", name))
                if block is not None:
                    function.vpc = self._resource_vpc(block)
            elif kind == "module":
                block = self.m.modules.get(name)
                if block is not None:
                    self._module(function, block)

    def _url(self, block: Block) -> FunctionUrl:
        node = block.get("authorization_type")
        auth = self.m.value(node) if node is not None else \
            Value(None, "no authorization_type", block.file.display, block.line, literal=False)
        return FunctionUrl(auth, block.address, block.file.display, block.line)

    def _permission(self, block: Block) -> Optional[InvokePermission]:
        principal = block.get("principal")
        if principal is None:
            return None

        def written(key: str) -> Optional[Value]:
            node = block.get(key)
            return self.m.value(node) if node is not None else None

        return InvokePermission(
            self.m.value(principal), block.address, block.file.display, block.line,
            action=written("action"), source_arn=written("source_arn"),
            source_account=written("source_account"),
            principal_org_id=written("principal_org_id"),
            event_source_token=written("event_source_token"),
            url_auth_type=written("function_url_auth_type"))

    def _resource_vpc(self, block: Block) -> Optional[VpcAttachment]:
        for config in block.children("vpc_config"):
            subnets = config.get("subnet_ids")
            if subnets is None or (subnets.kind == TUP and not subnets.items):
                continue
            vpc = VpcAttachment("vpc_config", config.file.display, config.line,
                                column=config.column)
            for mount in block.children("file_system_config"):
                vpc.file_system = Value(None, "file_system_config", mount.file.display,
                                        mount.line, literal=False)
            return vpc
        return None

    def _module(self, function: Function, block: Block) -> None:
        m = self.m
        if m.flag(block.get("create_lambda_function_url")):
            node = block.get("authorization_type")
            auth = m.value(node) if node is not None else Value(
                MODULE_DEFAULT_AUTH, f"{MODULE_DEFAULT_AUTH} (the module's default "
                "authorization_type)", function.path, function.line)
            line = node.line if node is not None else function.line
            function.url = FunctionUrl(auth, f"the function URL of {block.address}",
                                       function.path, line)
        subnets = block.get("vpc_subnet_ids")
        if subnets is not None and not (subnets.kind == TUP and not subnets.items):
            ok, value, _ = m.literal(subnets)
            if not (ok and value is None):
                function.vpc = VpcAttachment("vpc_subnet_ids", subnets.file.display,
                                             subnets.line, column=subnets.column)
                mount = block.get("file_system_arn")
                if mount is not None:
                    function.vpc.file_system = m.value(mount)
        triggers = m.obj(block.get("allowed_triggers"))
        for entry in triggers.entries if triggers is not None else []:
            obj = m.obj(entry.node)
            if obj is None:
                continue
            principal = obj.get("principal")
            service = obj.get("service")
            if principal is not None:
                who = m.value(principal)
            elif service is not None:
                who = m.value(service)
                if who.literal and isinstance(who.value, str):
                    who.value = f"{who.value}.amazonaws.com"
            else:
                continue

            def written(key: str) -> Optional[Value]:
                node = obj.get(key)  # noqa: B023 - used at once, in this iteration
                return m.value(node) if node is not None else None

            function.invoke_permissions.append(InvokePermission(
                who, f"allowed_triggers.{entry.key} of {block.address}", obj.file.display,
                entry.line, source_arn=written("source_arn"),
                source_account=written("source_account"),
                principal_org_id=written("principal_org_id")))
