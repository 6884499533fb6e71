"""Functions of a Terraform module: ``aws_lambda_function`` resources and calls of the
``terraform-aws-modules/lambda/aws`` module, with their settings, code and role.

``Functions`` is the part of the module reader (``terraform._Reader``) that builds one
``Function`` per block, each within a fresh evaluation budget: a block that raises or exhausts
the budget still gives a function (settings unknown) and an LL001, never silence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from lambdalint import suppressions
from lambdalint.model import (TERRAFORM, CodeLocation, EnvVar, Function,
                              IamStatement, ManagedPolicy, ReadError, Timeout, Value)
from lambdalint.sources.references import named_resources
from lambdalint.sources.terraform.hcl import OBJ, TUP, Block, Node
from lambdalint.sources.terraform.iam import dedupe, guard
from lambdalint.sources.terraform.module import Budget, as_number, target_of
from lambdalint.sources.terraform.observability import Observability

if TYPE_CHECKING:
    from lambdalint.sources.terraform.iam import Iam
    from lambdalint.sources.terraform.module import Module

DEFAULT_TIMEOUT = 3  # aws_lambda_function and terraform-aws-modules/lambda/aws both

# terraform-aws-modules/lambda/aws from the registry (any host, any version pin) or from git;
# a "//..." subpath is one of its other modules (alias, deploy, docker-build, wrappers).
# A reference to a managed resource of the module (``aws_s3_bucket.uploads.id``), not to a data
# source (``data.aws_s3_bucket.x``) or an attribute of something else.
_RESOURCE_REFERENCE = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")


_LAMBDA_MODULE = re.compile(
    r"^(?:[\w.-]+\.[a-z]+/)?terraform-aws-modules/lambda/aws(?P<sub>//[^?]*)?(?:\?.*)?$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/"
    r"terraform-aws-lambda(?:\.git)?(?P<gsub>//[^?]*)?(?:\?.*)?$",
    re.IGNORECASE,
)


class Functions(Observability):
    """Reading the function blocks of ``self.m``; the events come from ``self.events``, tracing
    and log groups from ``Observability``."""

    m: "Module"
    iam: "Iam"
    errors: List[ReadError]
    _suppressions: Dict[str, Dict[int, Any]]

    def functions(self) -> List[Function]:
        """Every function the module's blocks define. Each ``aws_lambda_function`` resource and
        each Lambda module call ends up in the list or in ``self.errors`` (LL001), whatever its
        evaluation raises or costs: a function never disappears without a word."""
        functions: List[Function] = []
        for block in self.m.blocks:
            if block.type == "resource" and block.labels[:1] == ["aws_lambda_function"] \
                    and len(block.labels) >= 2:
                functions.append(self._read_one(block, self.resource_function))
            elif block.type == "module":
                self.m.budget = Budget()
                try:
                    is_lambda = self._is_lambda_module(block)
                except Exception as exc:  # noqa: BLE001 - said below, never a traceback
                    self._failed(block, exc, "cannot tell whether it is a Lambda module")
                    continue
                if self.m.budget.exhausted:
                    self._failed(block, None, "cannot tell whether it is a Lambda module: its "
                                 f"source is too large to evaluate ({self.m.budget.exhausted})")
                elif is_lambda:
                    function = self._read_one(block, self.module_function)
                    if function is not None:
                        functions.append(function)
        self.m.budget = Budget()
        events = guard(lambda: self.events(functions), {})
        for function in functions:
            function.events.extend(events.get(id(function), []))
        guard(lambda: self.async_configs(functions))
        guard(lambda: self.exposure(functions))
        return functions

    def _read_one(self, block: Block, build: Callable[[Block], Optional[Function]]
                  ) -> Optional[Function]:
        """``build(block)`` with a fresh evaluation budget. Past the budget the values it could
        not finish are unknown and an LL001 note says so; if it raises, the function stays in
        the model with unknown settings and an LL001 says lambdalint failed on it."""
        self.m.budget = Budget()
        try:
            function = build(block)
        except Exception as exc:  # noqa: BLE001 - MemoryError included: report, keep the function
            self._failed(block, exc, "")
            function = Function(block.address, TERRAFORM, block.file.display, block.line,
                                block.end_line)
            function.timeout = Timeout(None, "unknown", block.file.display, block.line)
            return function
        if self.m.budget.exhausted:
            self._failed(block, None, f"a value is too large to evaluate "
                                      f"({self.m.budget.exhausted}); it is treated as unknown")
        return function

    def _failed(self, block: Block, exc: Optional[BaseException], what: str) -> None:
        if not what:
            what = (f"lambdalint failed on this function ({type(exc).__name__}); its settings "
                    f"are unknown, please report it")
        self.errors.append(ReadError(block.file.display, block.line, f"{block.address}: {what}"))

    def _is_lambda_module(self, block: Block) -> bool:
        ok, source, _ = self.m.literal(block.get("source"))
        if not ok or not isinstance(source, str):
            return False
        match = _LAMBDA_MODULE.match(source.strip())
        if not match:
            return False
        # "//modules/alias", "//wrappers"...: the repository's other modules, not one function.
        sub = (match.group("sub") or match.group("gsub") or "").strip("/").strip(".")
        return not sub

    def _base(self, block: Block) -> Function:
        function = Function(block.address, TERRAFORM, block.file.display, block.line, block.end_line)
        by_line = self._suppressions.get(block.file.display)
        if by_line is None:
            by_line = suppressions.parse(block.file.text).by_line
            self._suppressions[block.file.display] = by_line
        function.ignored_rules.update(by_line.get(block.line, ()))
        return function

    def _settings(self, function: Function, block: Block,
                  environments: List[Optional[Node]]) -> None:
        """What ``aws_lambda_function`` and the Lambda module write alike: runtime, handler,
        memory, timeout, environment variables (the resource's ``environment { variables }``
        blocks, the module's ``environment_variables``) and layers, evaluated in this order
        (the order the evaluation budget is spent in)."""
        for key, attr in (("runtime", "runtime"), ("handler", "handler"), ("memory", "memory_size"),
                          ("function_name", "function_name")):
            node = block.get(attr)
            if node is not None:
                setattr(function, key, self.m.value(node))
        function.timeout = self._timeout(function, block.get("timeout"))
        for node in environments:
            function.environment.extend(self._environment(node))
        function.resources = named_resources(function.environment,
                                             lambda address: address.split(".", 1)[0])
        function.layers = self.m.values(block.get("layers"))

    def _timeout(self, function: Function, node: Optional[Node]) -> Timeout:
        if node is None:
            return Timeout(DEFAULT_TIMEOUT, "default", function.path, function.line)
        ok, value, how = self.m.literal(node)
        seconds = as_number(value) if ok else None
        if seconds is None:
            return Timeout(None, "unknown", node.file.display, node.line, node.column)
        return Timeout(seconds, "variable" if how in ("default", "local") or how.endswith(".tfvars")
                       else "function", node.file.display, node.line, node.column)

    def _environment(self, node: Optional[Node]) -> List[EnvVar]:
        variables = self.m.obj(node) if node is not None else None
        if variables is None:
            return []
        out = []
        for entry in variables.entries:
            if entry.key.startswith("${"):
                continue
            value = self.m.value(entry.node)
            _, _, how = self.m.literal(entry.node)
            if how.endswith(".tfvars"):
                # The deployer's own input (terraform.tfvars is usually kept out of git), not
                # something the module writes: known for timeouts, not shown as a literal here.
                value = Value(None, f"{entry.node.text} (set in {how})", value.path, value.line,
                              value.column, False, value.end_line, value.end_column)
            refers = [f"{m.group(1)}.{m.group(2)}" for m in
                      _RESOURCE_REFERENCE.finditer(entry.node.text)] if not value.literal else []
            out.append(EnvVar(entry.key, value, value.line, entry.column, refers))
        return out

    def resource_function(self, block: Block) -> Function:
        function = self._base(block)
        environments = [e.get("variables") for e in block.children("environment")]
        self._settings(function, block, environments)
        function.code = self._resource_code(block)
        function.tracing = self.resource_tracing(block)
        function.log_group = self.resource_log_group(block)
        if function.log_group is not None:
            function.log_retention = function.log_group.retention
        statements, managed = self._given_role(function, block.get("role"))
        function.statements = dedupe(statements)
        function.managed_policies = managed
        return function

    def _given_role(self, function: Function, node: Optional[Node]
                    ) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """The role a function is given (``role``, the module's ``lambda_role``): its address
        goes on the function; what it grants counts when Lambda may assume it."""
        role = self.iam.role_of(node)
        if role is None:
            return [], []
        function.role = role.address
        if not self.iam.assumed_by_lambda(role):
            return [], []
        return self.iam.role(role)

    def _resource_code(self, block: Block) -> CodeLocation:
        m = self.m
        package_type = m.path_text(block.get("package_type"))
        image = block.get("image_uri")
        if image is not None or (package_type or "").lower() == "image":
            return CodeLocation("image", m.path_text(image))
        filename = block.get("filename")
        if filename is not None:
            archive = self._archive(filename)
            if archive is not None:
                return archive
            text = m.path_text(filename)
            if not text:
                return CodeLocation("unknown")
            zip_path = m.local_path(text)
            for kind in ("data", "resource"):  # a zip that an archive_file of the module writes
                for (type_, _), archive in (m.data if kind == "data" else m.resources).items():
                    output = m.path_text(archive.get("output_path")) if type_ == "archive_file" else None
                    if output and m.local_path(output) == zip_path:
                        code = self._archive_code(archive)
                        if code.kind == "local":
                            return code
            return CodeLocation("zip", str(zip_path))
        if block.get("s3_bucket") is not None:
            bucket, key = m.path_text(block.get("s3_bucket")), m.path_text(block.get("s3_key"))
            return CodeLocation("s3", f"{bucket}/{key}" if bucket and key else None)
        return CodeLocation("unknown")

    def _archive(self, node: Node) -> Optional[CodeLocation]:
        """``filename = data.archive_file.x.output_path``: the code is what the archive packs."""
        resolved = self.m.resolve(node)
        found = target_of(resolved.node if resolved else node)
        if found is None or found.type != "archive_file" or found.kind not in ("data", "resource"):
            return None
        archive = self.m.block_of(found)
        if archive is None:
            return CodeLocation("unknown")
        return self._archive_code(archive)

    def _archive_code(self, archive: Block) -> CodeLocation:
        for key in ("source_dir", "source_file"):
            text = self.m.path_text(archive.get(key))
            if text:
                excludes = [v.value for v in self.m.values(archive.get("excludes"))
                            if v.literal and isinstance(v.value, str)]
                return CodeLocation("local", str(self.m.local_path(text)), excludes=excludes)
        return CodeLocation("unknown")

    def module_function(self, block: Block) -> Optional[Function]:
        m = self.m
        for switch in ("create", "create_function"):
            node = block.get(switch)
            if node is not None:
                ok, value, _ = m.literal(node)
                if ok and value is False:
                    return None
        if m.flag(block.get("create_layer")):
            return None  # the module builds a layer instead of a function
        function = self._base(block)
        self._settings(function, block, [block.get("environment_variables")])
        function.code = self._module_code(block)
        function.tracing = self.module_tracing(block)
        function.log_group = self.module_log_group(block, function)
        if function.log_group is not None:
            function.log_retention = function.log_group.retention
        if m.flag(block.get("create_role"), default=True):
            statements, managed = self._module_policies(block)
            function.role = f"the role {block.address} creates"
        else:
            statements, managed = self._given_role(function, block.get("lambda_role"))
        function.statements = dedupe(statements)
        function.managed_policies = managed
        return function

    def _module_code(self, block: Block) -> CodeLocation:
        m = self.m
        package_type = m.path_text(block.get("package_type"))
        if (package_type or "").lower() == "image" or block.get("image_uri") is not None:
            return CodeLocation("image", m.path_text(block.get("image_uri")))
        if not m.flag(block.get("create_package"), default=True):
            local = m.path_text(block.get("local_existing_package"))
            if local:
                return CodeLocation("zip", str(m.local_path(local)))
            if block.get("s3_existing_package") is not None:
                return CodeLocation("s3")
            return CodeLocation("unknown")
        source = block.get("source_path")
        if source is None:
            return CodeLocation("unknown")
        resolved = m.resolve(source)
        target = resolved.node if resolved else source
        if target.kind == TUP and target.items:
            target = target.items[0]
        if target.kind == OBJ:
            target = target.get("path") or target
        text = m.path_text(target)
        if text:
            return CodeLocation("local", str(m.local_path(text)))
        return CodeLocation("unknown")

    def _module_policies(self, block: Block) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """The policies terraform-aws-modules/lambda attaches to the role it creates: each kind
        only when its attach_* switch is true."""
        m = self.m
        address = block.address
        statements: List[IamStatement] = []
        managed: List[ManagedPolicy] = []
        if m.flag(block.get("attach_policy_json")):
            statements.extend(guard(lambda: self.iam.policy(block.get("policy_json"),
                                                            f"policy_json of {address}")))
        if m.flag(block.get("attach_policy_jsons")):
            for item in self.iam.items_of(block.get("policy_jsons")) if block.get("policy_jsons") else []:
                statements.extend(guard(lambda: self.iam.policy(item, f"policy_jsons of {address}")))
        if m.flag(block.get("attach_policy_statements")):
            statements.extend(guard(lambda: self._policy_statements(block)))
        if m.flag(block.get("attach_policy")) and block.get("policy") is not None:
            pair = guard(lambda: self.iam.attached(block.get("policy"), f"policy of {address}"),
                         ([], []))
            statements.extend(pair[0])
            managed.extend(pair[1])
        if m.flag(block.get("attach_policies")) and block.get("policies") is not None:
            for item in self.iam.items_of(block.get("policies")):
                pair = guard(lambda: self.iam.attached(item, f"policies of {address}"), ([], []))
                statements.extend(pair[0])
                managed.extend(pair[1])
        return statements, managed

    def _policy_statements(self, block: Block) -> List[IamStatement]:
        """``policy_statements = { name = { effect, actions, resources, ... } }``."""
        statements = self.m.obj(block.get("policy_statements"))
        if statements is None:
            return []
        out = []
        for entry in statements.entries:
            obj = self.m.obj(entry.node)
            if obj is None:
                continue
            out.append(self.iam.statement_of(
                obj.get, obj.file.display, entry.line, entry.column,
                f"policy_statements.{entry.key} of {block.address}",
                ("effect", "actions", "not_actions", "resources", "not_resources")))
        return out

    # -- events --------------------------------------------------------------------------------
