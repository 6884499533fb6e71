"""What a Terraform module says about a function's tracing and logs (LL209, LL210).

Tracing: ``tracing_config { mode }`` of ``aws_lambda_function``, ``tracing_mode`` of the Lambda
module. Logs: the ``aws_cloudwatch_log_group`` of the function, found as Terraform users write
it: the function's ``logging_config { log_group }`` names it, or the group's ``name`` is
``/aws/lambda/`` followed by the function's name (a reference to the function, the same
expression its ``function_name`` has, or the same literal), or the function ``depends_on`` it.
The Lambda module creates its own group, kept for ``cloudwatch_logs_retention_in_days``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional

from lambdalint.model import Function, LogGroup, Value
from lambdalint.sources.terraform.hcl import Block, Node
from lambdalint.sources.terraform.module import target_of

if TYPE_CHECKING:
    from lambdalint.sources.terraform.module import Module

LOG_GROUP = "aws_cloudwatch_log_group"
LAMBDA_LOG_PREFIX = "/aws/lambda/"


def _interpolated(text: str) -> str:
    """An expression as it reads inside a string: ``var.name`` -> ``${var.name}``."""
    return text if text.startswith("${") or not text else "${" + text + "}"


class Observability:
    """Tracing and log-group facts of the function blocks of ``self.m``; a mixin of the
    module reader."""

    m: "Module"

    def resource_tracing(self, block: Block) -> Optional[Value]:
        for config in block.children("tracing_config"):
            node = config.get("mode")
            if node is not None:
                return self.m.value(node)
        return None

    def module_tracing(self, block: Block) -> Optional[Value]:
        node = block.get("tracing_mode")
        return self.m.value(node) if node is not None else None

    def resource_log_group(self, block: Block) -> Optional[LogGroup]:
        """The log group of ``aws_lambda_function`` ``block``, when the module defines or
        names it."""
        for config in block.children("logging_config"):
            named = config.get("log_group")
            if named is None:
                continue
            target = target_of(named)
            group = self.m.block_of(target) if target is not None else None
            if group is not None and group.labels[:1] == [LOG_GROUP]:
                return self._group(group)
            found = self._group_named(named.text)
            if found is not None:
                return self._group(found)
            return LogGroup(named.text, named.file.display, named.line, followed=False)
        groups = self.m.of_type(LOG_GROUP)
        for group in groups:
            if self._names_function(group, block):
                return self._group(group)
        for group in groups:
            if self._computed_lambda_name(group):
                # /aws/lambda/ and a name built with count, for_each or a function call: it may
                # be this function's group, and lambdalint cannot tell which function it names.
                return LogGroup(group.address, group.file.display, group.line, followed=False)
        return None

    @staticmethod
    def _computed_lambda_name(group: Block) -> bool:
        name = group.get("name")
        text = name.text if name is not None else ""
        return text.startswith(LAMBDA_LOG_PREFIX) and \
            any(mark in text for mark in ("(", "count.index", "each."))

    def module_log_group(self, block: Block, function: Function) -> Optional[LogGroup]:
        """The group terraform-aws-modules/lambda creates, with its
        ``cloudwatch_logs_retention_in_days`` (null by default: never expire); None when it
        sets none, so that the retention is missing on the module itself. A group made
        elsewhere (``use_existing_cloudwatch_log_group``, ``logging_log_group``) is not
        followed."""
        retention = block.get("cloudwatch_logs_retention_in_days")
        if retention is not None:
            return LogGroup(f"the log group {block.address} creates", function.path,
                            function.line, retention=self.m.value(retention))
        if self.m.flag(block.get("use_existing_cloudwatch_log_group")) \
                or block.get("logging_log_group") is not None:
            return LogGroup(f"the log group {block.address} uses", function.path,
                            function.line, followed=False)
        return None

    # -- matching a group to a function

    def _names_function(self, group: Block, function: Block) -> bool:
        name = group.get("name")
        if name is None:
            return False
        text = name.text.strip()
        reference = f"aws_lambda_function.{function.labels[1]}."
        if text.startswith(LAMBDA_LOG_PREFIX) and reference in text:
            return True
        if f"{LOG_GROUP}.{group.labels[1]}" in self._depends_on(function):
            return True
        function_name = function.get("function_name")
        if function_name is None or not text.startswith(LAMBDA_LOG_PREFIX):
            return False
        rest = text[len(LAMBDA_LOG_PREFIX):]
        if rest in (function_name.text, _interpolated(function_name.text)):
            return True
        ok, group_name, _ = self.m.literal(name)
        ok_fn, fn_name, _ = self.m.literal(function_name)
        return bool(ok and ok_fn and isinstance(group_name, str) and isinstance(fn_name, str)
                    and group_name == LAMBDA_LOG_PREFIX + fn_name)

    def _group_named(self, text: str) -> Optional[Block]:
        for group in self.m.of_type(LOG_GROUP):
            name = group.get("name")
            if name is not None and name.text == text:
                return group
        return None

    @staticmethod
    def _depends_on(block: Block) -> List[str]:
        node: Optional[Node] = block.get("depends_on")
        if node is None:
            return []
        return re.findall(r"[\w-]+\.[\w-]+", node.text) if node.text else \
            [item.text for item in node.items]

    def _group(self, group: Block) -> LogGroup:
        found = LogGroup(group.address, group.file.display, group.line)
        retention = group.get("retention_in_days")
        if retention is not None:
            found.retention = self.m.value(retention)
        return found
