"""IAM in a Terraform module: the statements and managed policies a function's role has.

A policy may be written any way Terraform allows: ``jsonencode({...})``, a heredoc, a JSON
``file()`` inside the module, a ``data "aws_iam_policy_document"``, an ``aws_iam_policy``
attached to the role, ``aws_iam_role_policy`` resources or the role's own ``inline_policy``.
A role whose trust policy names service principals, none of them Lambda, gives a function
nothing.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from lambdalint import files
from lambdalint.discovery import SourceFile
from lambdalint.model import IamStatement, ManagedPolicy, Value
from lambdalint.sources.terraform.hcl import (CALL, EXPR, HEREDOC, LIT, TUP, Block, Node, TfFile,
                                              json_document)
from lambdalint.sources.terraform.module import Module, target_of

_ROLE_ARN_NAME = re.compile(r"^arn:[^:]*:iam::[^:]*:role/(?:.*/)?([^/]+)$")


class Iam:
    """Statements and managed policies of roles, policies and policy documents."""

    def __init__(self, module: Module):
        self.m = module
        self._doc_cache: Dict[str, List[IamStatement]] = {}
        self._role_cache: Dict[int, Tuple[List[IamStatement], List[ManagedPolicy]]] = {}

    # -- policies ------------------------------------------------------------------------------

    def policy(self, node: Optional[Node], origin: str, depth: int = 0) -> List[IamStatement]:
        """The statements of a policy written any way Terraform allows."""
        if node is None or depth > 5:
            return []
        document = self.document_of(node)
        if document is not None:
            return self.document(document, origin)
        resolved = self.m.resolve(node)
        found = target_of(resolved.node if resolved else node)
        if found is not None and found.kind == "data" and found.type == "aws_iam_policy_document":
            return self.policy_document(found.name, depth + 1)
        if found is not None and found.kind == "resource" and found.type == "aws_iam_policy" \
                and found.attribute == "policy":
            block = self.m.block_of(found)
            if block is not None:
                return self.policy(block.get("policy"), block.address, depth + 1)
        return []

    def document_of(self, node: Node) -> Optional[Node]:
        """A JSON policy document as located Nodes: ``jsonencode({...})``, a heredoc, a JSON
        string, or ``file()`` / ``templatefile()`` of a file inside the module."""
        resolved = self.m.resolve(node)
        target = resolved.node if resolved else node
        if target.kind == CALL and target.name == "jsonencode" and target.items:
            return self.m.obj(target.items[0])
        if target.kind in (HEREDOC, EXPR) and target.raw_body:
            return json_document(target.raw_body, target.file, target.body_line - 1, None)
        if target.kind == LIT and isinstance(target.value, str):
            return json_document(target.value, target.file, 0, (target.line, target.column))
        if target.kind == CALL and target.name in ("file", "templatefile") and target.items:
            return self._file_document(target.items[0])
        return None

    def _file_document(self, path_node: Node) -> Optional[Node]:
        text = self.m.path_text(path_node)
        if not text:
            return None
        path = self.m.local_path(text)
        try:
            resolved = path.resolve(strict=True)
            resolved.relative_to(self.m.directory.resolve())  # never outside the module
            if path.is_symlink() or not resolved.is_file():
                return None
            data = files.read_bytes(resolved)
            if isinstance(data, files.ReadFailure):
                return None
            # As Python's text mode has always read it here: a byte-order mark kept (the
            # document is then JSON with no lines), line ends made "\n".
            content = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except (OSError, ValueError, RuntimeError, UnicodeDecodeError):
            return None
        file = TfFile(SourceFile(path, self.m.display(path), "json"), content)
        return json_document(content, file, 0, None)

    def document(self, document: Node, origin: str) -> List[IamStatement]:
        """``{Version, Statement: [...]}`` (from jsonencode, a heredoc or a JSON file)."""
        entry = document.entry("Statement")
        if entry is None:
            return []
        resolved = self.m.resolve(entry.node)
        statements = resolved.node if resolved else entry.node
        items = statements.items if statements.kind == TUP else [statements]
        out = []
        for item in items:
            obj = self.m.obj(item)
            if obj is None:
                continue
            read = self.statement_of(
                obj.get, obj.file.display, obj.line, obj.column, origin,
                ("Effect", "Action", "NotAction", "Resource", "NotResource"))
            condition = obj.get("Condition")
            for operator in (condition.entries if condition is not None else []):
                inner = self.m.obj(operator.node)
                read.condition_keys.extend(e.key for e in (inner.entries if inner else []))
            out.append(read)
        return out

    def statement_of(self, get: Callable[[str], Optional[Node]], path: str, line: int,
                     column: int, origin: str, keys: Tuple[str, str, str, str, str]) -> IamStatement:
        effect_node = get(keys[0])
        effect = "Allow"
        if effect_node is not None:
            ok, value, _ = self.m.literal(effect_node)
            if ok and isinstance(value, str) and value.strip().lower() == "deny":
                effect = "Deny"
        return IamStatement(effect, self.m.values(get(keys[1])), self.m.values(get(keys[2])),
                            self.m.values(get(keys[3])), self.m.values(get(keys[4])),
                            path, line, origin, column, lowercase_keys=keys[1] == "actions")

    def policy_document(self, name: str, depth: int = 0) -> List[IamStatement]:
        """``data "aws_iam_policy_document" name``: its statement blocks and the documents it
        builds on (source/override_policy_documents)."""
        if name in self._doc_cache:
            return self._doc_cache[name]
        self._doc_cache[name] = []  # a cycle ends here
        block = self.m.data.get(("aws_iam_policy_document", name))
        if block is None:
            return []
        out: List[IamStatement] = []
        for key in ("source_policy_documents", "override_policy_documents"):
            for item in self.items_of(block.get(key)):
                out.extend(self.policy(item, block.address, depth + 1))
        for key in ("source_json", "override_json"):
            out.extend(self.policy(block.get(key), block.address, depth + 1))
        for statement in block.children("statement"):
            read = self.statement_of(statement.get, statement.file.display, statement.line,
                                     statement.column, block.address,
                                     ("effect", "actions", "not_actions", "resources",
                                      "not_resources"))
            for condition in statement.children("condition"):
                ok, key, _ = self.m.literal(condition.get("variable")) \
                    if condition.get("variable") is not None else (False, None, None)
                if ok and isinstance(key, str):
                    read.condition_keys.append(key)
            out.append(read)
        self._doc_cache[name] = out
        return out

    def items_of(self, node: Optional[Node]) -> List[Node]:
        if node is None:
            return []
        resolved = self.m.resolve(node)
        target = resolved.node if resolved else node
        if target.kind == TUP:
            return target.items
        if target.kind == CALL and target.name in ("concat", "flatten"):
            return [i for item in target.items for i in self.items_of(item)]
        return [node]

    def attached(self, node: Node, origin: str) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """A policy ARN as attached to a role: an AWS managed policy, or a policy of the module."""
        found = target_of(self.m.resolve(node).node if self.m.resolve(node) else node)
        if found is not None and found.kind == "resource" and found.type == "aws_iam_policy":
            block = self.m.block_of(found)
            if block is not None:
                return self.policy(block.get("policy"), block.address), []
            return [], []
        if found is not None and found.kind == "data" and found.type == "aws_iam_policy":
            block = self.m.block_of(found)
            if block is None:
                return [], []
            for key in ("arn", "name"):
                ok, value, _ = self.m.literal(block.get(key))
                if ok and isinstance(value, str) and value:
                    written = self.m.value(node)
                    shown = Value(value, f"{node.text} ({value})", written.path, written.line,
                                  written.column, True, written.end_line, written.end_column)
                    return [], [ManagedPolicy(shown, origin)]
            return [], []
        value = self.m.value(node)
        if not value.literal and found is not None:
            return [], []  # another module's output, a data source: its content is not here
        return [], [ManagedPolicy(value, origin)]

    # -- roles ---------------------------------------------------------------------------------

    def role_of(self, node: Optional[Node]) -> Optional[Block]:
        """The ``aws_iam_role`` a reference or a literal name/ARN names."""
        if node is None:
            return None
        resolved = self.m.resolve(node)
        target = resolved.node if resolved else node
        found = target_of(target)
        if found is not None:
            if found.kind == "resource" and found.type == "aws_iam_role":
                return self.m.block_of(found)
            return None
        ok, value, _ = self.m.literal(node)
        if not ok or not isinstance(value, str):
            return None
        match = _ROLE_ARN_NAME.match(value.strip())
        name = match.group(1) if match else value.strip()
        for role in self.m.of_type("aws_iam_role"):
            ok, role_name, _ = self.m.literal(role.get("name"))
            if ok and role_name == name:
                return role
        return None

    def assumed_by_lambda(self, role: Block) -> bool:
        """False only when the trust policy names service principals and Lambda is not one."""
        services = self._trusted_services(role.get("assume_role_policy"))
        if not services:
            return True
        return any("lambda" in s.lower() for s in services)

    def _trusted_services(self, node: Optional[Node]) -> List[str]:
        if node is None:
            return []
        services: List[str] = []
        document = self.document_of(node)
        if document is not None:
            entry = self.m.resolve(document.get("Statement")) if document.get("Statement") else None
            statements = entry.node if entry is not None else None
            items = statements.items if statements is not None and statements.kind == TUP else \
                [statements] if statements is not None else []
            for item in items:
                obj = self.m.obj(item)
                principal = self.m.obj(obj.get("Principal")) if obj is not None else None
                if principal is None:
                    continue
                for value in self.m.values(principal.get("Service")):
                    if value.literal and isinstance(value.value, str):
                        services.append(value.value)
            return services
        resolved = self.m.resolve(node)
        found = target_of(resolved.node if resolved else node)
        if found is not None and found.kind == "data" and found.type == "aws_iam_policy_document":
            block = self.m.block_of(found)
            for statement in block.children("statement") if block is not None else []:
                for principals in statement.children("principals"):
                    ok, kind, _ = self.m.literal(principals.get("type"))
                    if ok and kind == "Service":
                        services.extend(v.value for v in self.m.values(principals.get("identifiers"))
                                        if v.literal and isinstance(v.value, str))
        return services

    def role(self, role: Block) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """Everything a role grants: inline policies, managed_policy_arns, role policies and
        policy attachments anywhere in the module (computed once per role)."""
        if id(role) not in self._role_cache:
            self._role_cache[id(role)] = self._role(role)
        statements, managed = self._role_cache[id(role)]
        return list(statements), list(managed)

    def _role(self, role: Block) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        statements: List[IamStatement] = []
        managed: List[ManagedPolicy] = []

        def add(pair: Tuple[List[IamStatement], List[ManagedPolicy]]) -> None:
            statements.extend(pair[0])
            managed.extend(pair[1])

        for inline in role.children("inline_policy"):
            statements.extend(guard(lambda: self.policy(inline.get("policy"),
                                                        f"inline_policy of {role.address}")))
        arns = role.get("managed_policy_arns")
        for item in self.items_of(arns) if arns is not None else []:
            add(guard(lambda: self.attached(item, f"managed_policy_arns of {role.address}"),
                      ([], [])))
        for block in self.m.of_type("aws_iam_role_policy"):
            if self.role_of(block.get("role")) is role:
                statements.extend(guard(lambda: self.policy(block.get("policy"), block.address)))
        for block in self.m.of_type("aws_iam_role_policy_attachment"):
            if self.role_of(block.get("role")) is role and block.get("policy_arn") is not None:
                add(guard(lambda: self.attached(block.get("policy_arn"), block.address), ([], [])))
        for block in self.m.of_type("aws_iam_policy_attachment"):
            roles = [self.role_of(item) for item in self.items_of(block.get("roles"))]
            if any(r is role for r in roles) and block.get("policy_arn") is not None:
                add(guard(lambda: self.attached(block.get("policy_arn"), block.address), ([], [])))
        return statements, managed


def guard(work: Callable[[], Any], default: Any = None) -> Any:
    """One odd policy loses itself, not the function."""
    try:
        return work()
    except Exception:  # noqa: BLE001
        return [] if default is None else default


def dedupe(statements: Iterable[IamStatement]) -> List[IamStatement]:
    seen: Set[Tuple[str, int, int]] = set()
    out = []
    for statement in statements:
        key = (statement.path, statement.line, statement.column)
        if key not in seen:
            seen.add(key)
            out.append(statement)
    return out
