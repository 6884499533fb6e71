"""The module: an index of its blocks, and what can be known of a value in it.

``Module`` finds a module's resources, data sources, module calls, variables and locals by
name, and evaluates a ``Node`` as far as a reader can see: literals, ``var.x`` with a default
(or a value in ``terraform.tfvars`` / ``*.auto.tfvars``), ``local.x``, simple ``"${...}"``
templates of those, ``concat``/``flatten``/``merge`` of literal parts. Anything else is "not
literal", never a guess. Each function is evaluated within a ``Budget``, so a module written
to explode (locals that double at each level) costs a bounded time and gives unknown values.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lambdalint.model import Value
from lambdalint.sources.terraform.files import read_tfvars
from lambdalint.sources.terraform.hcl import (CALL, EXPR, HEREDOC, LIT, OBJ, TPL, TUP, Block,
                                              Node)

MAX_RESOLVE = 20  # var -> local -> local ... chains longer than this are "not literal"
# What evaluating one function's settings may cost. Locals that each repeat the previous one
# ("${local.a}${local.a}...") grow 4x per level: a 1 KB file asks for terabytes. Past these the
# value is unknown and the function gets an LL001 note, rather than the run eating all memory.
MAX_STEPS = 200_000  # references followed and template parts joined, for one function
MAX_STRING = 1024 * 1024  # characters of one evaluated string (Lambda's whole config is smaller)

_NAME = r"[A-Za-z_][\w-]*"
_REFERENCE = re.compile(rf"^{_NAME}(?:\.(?:{_NAME}|\*|\d+)|\[(?:\d+|\"[^\"\\]*\"|\*)\])*$")
_REF_PART = re.compile(rf"\.({_NAME}|\*|\d+)|\[(\d+|\"[^\"\\]*\"|\*)\]")


def ref_parts(text: str) -> Optional[List[Tuple[str, Any]]]:
    """``local.cfg["a"].b[0]`` -> [("attr", "local"), ("attr", "cfg"), ("index", "a"), ...]."""
    text = text.strip()
    if not _REFERENCE.match(text):
        return None
    first = re.match(_NAME, text)
    assert first is not None
    parts: List[Tuple[str, Any]] = [("attr", first.group(0))]
    for match in _REF_PART.finditer(text, first.end()):
        if match.group(1) is not None:
            word = match.group(1)
            parts.append(("index", int(word)) if word.isdigit() else ("attr", word))
        else:
            raw = match.group(2)
            if raw.startswith('"'):
                parts.append(("index", raw[1:-1]))
            elif raw == "*":
                parts.append(("index", "*"))
            else:
                parts.append(("index", int(raw)))
    return parts


@dataclass
class Target:
    """What a reference names: ("resource", type, name), ("data", type, name), ("module", name),
    with the attribute read from it (``arn``, ``json``, ``output_path``...)."""

    kind: str
    type: str
    name: str
    attribute: str = ""


def target_of(node: Optional[Node]) -> Optional[Target]:
    if node is None or node.kind != EXPR:
        return None
    parts = ref_parts(node.text)
    if not parts:
        return None
    names = [v for k, v in parts if k == "attr"]
    if names[0] in ("var", "local", "path", "each", "count", "self", "terraform"):
        return None
    if names[0] == "data":
        if len(names) < 3:
            return None
        return Target("data", names[1], names[2], names[3] if len(names) > 3 else "")
    if names[0] == "module":
        if len(names) < 2:
            return None
        return Target("module", "", names[1], names[2] if len(names) > 2 else "")
    if len(names) < 2:
        return None
    return Target("resource", names[0], names[1], names[2] if len(names) > 2 else "")


class Exhausted(Exception):
    """The evaluation budget ran out: the value being built is unknown."""


@dataclass
class Budget:
    """What is left to spend on evaluating values; ``exhausted`` says why it ran out, once it
    has (then every further evaluation stops at once, so the rest costs nothing)."""

    steps: int = MAX_STEPS
    exhausted: str = ""

    def spend(self, steps: int = 1) -> None:
        if self.exhausted:
            raise Exhausted
        self.steps -= steps
        if self.steps < 0:
            self.exhausted = f"more than {MAX_STEPS:,} evaluation steps"
            raise Exhausted

    def string(self, size: int) -> None:
        if size > MAX_STRING:
            self.exhausted = f"a string over {MAX_STRING // 1024 // 1024} MiB"
            raise Exhausted


@dataclass
class Resolved:
    node: Node
    via: str = ""  # "default" / "terraform.tfvars" / "local": how a reference became this
    written: Optional[Node] = None  # the reference as the user wrote it


class Module:
    """The blocks of one module directory by kind and name, its variables' values (defaults,
    tfvars) and locals; ``budget`` is what the reader may still spend on the current function."""

    def __init__(self, directory: Path, blocks: List[Block], passed: Iterable[str] = ()):
        self.directory = directory
        # Variables every call of this module in the project sets: their defaults never apply.
        self.passed = frozenset(passed)
        # Files the module reads by itself (file("policy.json")) are shown the way the caller
        # shows the module's .tf files: relative to the same place.
        first = next((b.file.display for b in blocks), "")
        self.display_dir = first.rpartition("/")[0]
        self.blocks = blocks
        self.resources: Dict[Tuple[str, str], Block] = {}
        self.data: Dict[Tuple[str, str], Block] = {}
        self.modules: Dict[str, Block] = {}
        self.variables: Dict[str, Block] = {}
        self.locals: Dict[str, Node] = {}
        for block in blocks:
            if block.type == "resource" and len(block.labels) >= 2:
                self.resources.setdefault((block.labels[0], block.labels[1]), block)
            elif block.type == "data" and len(block.labels) >= 2:
                self.data.setdefault((block.labels[0], block.labels[1]), block)
            elif block.type == "module" and block.labels:
                self.modules.setdefault(block.labels[0], block)
            elif block.type == "variable" and block.labels:
                self.variables.setdefault(block.labels[0], block)
            elif block.type == "locals":
                for entry in block.attrs:
                    self.locals.setdefault(entry.key, entry.node)
        self.tfvars = read_tfvars(directory)
        self.budget = Budget()  # the reader gives each function a fresh one

    def of_type(self, kind: str) -> List[Block]:
        return [b for (t, _), b in self.resources.items() if t == kind]

    def block_of(self, target: Optional[Target]) -> Optional[Block]:
        if target is None:
            return None
        if target.kind == "resource":
            return self.resources.get((target.type, target.name))
        if target.kind == "data":
            return self.data.get((target.type, target.name))
        return self.modules.get(target.name)

    # -- values ------------------------------------------------------------------------------

    def resolve(self, node: Optional[Node], depth: int = 0) -> Optional[Resolved]:
        """Follow ``var.x`` and ``local.x`` (with attribute and index steps) to what they hold;
        past the budget, the reference itself (unknown)."""
        try:
            return self._resolve(node, depth)
        except Exhausted:
            return None if node is None else Resolved(node)

    def _resolve(self, node: Optional[Node], depth: int = 0) -> Optional[Resolved]:
        if node is None:
            return None
        self.budget.spend()
        if node.kind != EXPR or depth > MAX_RESOLVE:
            return Resolved(node)
        parts = ref_parts(node.text)
        if not parts or len(parts) < 2 or parts[0][1] not in ("var", "local") or parts[1][0] != "attr":
            return Resolved(node)
        name = parts[1][1]
        if parts[0][1] == "var":
            if name in self.passed:
                return Resolved(node)
            if name in self.tfvars:
                base, via = self.tfvars[name]
            else:
                variable = self.variables.get(name)
                base = variable.get("default") if variable is not None else None
                via = "default"
                if base is None or (base.kind == LIT and base.value is None):
                    return Resolved(node)
        else:
            base = self.locals.get(name)
            via = "local"
            if base is None:
                return Resolved(node)
        inner = self._resolve(base, depth + 1)
        if inner is None:
            return Resolved(node)
        current = inner.node
        for kind, step in parts[2:]:
            nxt: Optional[Node] = None
            if current.kind == OBJ and isinstance(step, str) and step != "*":
                nxt = current.get(step)
            elif current.kind == TUP and isinstance(step, int) and 0 <= step < len(current.items):
                nxt = current.items[step]
            if nxt is None:
                return Resolved(node)
            step_resolved = self._resolve(nxt, depth + 1)
            if step_resolved is None:
                return Resolved(node)
            current = step_resolved.node
        if current.kind == EXPR:  # a reference we cannot follow further
            return Resolved(node)
        return Resolved(current, via, node)

    def literal(self, node: Optional[Node]) -> Tuple[bool, Any, str]:
        """(is literal, value, how: "" or "default"/"local"/a tfvars file name); past the
        budget, not literal."""
        try:
            return self._literal(node)
        except Exhausted:
            return False, None, ""

    def _literal(self, node: Optional[Node]) -> Tuple[bool, Any, str]:
        resolved = self._resolve(node)
        if resolved is None:
            return False, None, ""
        target = resolved.node
        if target.kind in (LIT, HEREDOC):
            return True, target.value, resolved.via
        if target.kind == TPL:
            text = self._template(target, 0)
            if text is not None:
                return True, text, resolved.via or "template"
        return False, None, ""

    def _template(self, node: Node, depth: int) -> Optional[str]:
        out: List[str] = []
        size = 0
        for part in node.parts:
            self.budget.string(size)
            if isinstance(part, str):
                out.append(part)
                size += len(part)
                continue
            if part.kind == EXPR and part.text in ("path.module", "path.root", "path.cwd"):
                out.append(".")
                size += 1
                continue
            resolved = self._resolve(part, depth + 1)
            if resolved is None:
                return None
            target = resolved.node
            if target.kind == LIT and isinstance(target.value, (str, int, float)) \
                    and not isinstance(target.value, bool):
                out.append(str(target.value))
            elif target.kind == TPL and depth < MAX_RESOLVE:
                text = self._template(target, depth + 1)
                if text is None:
                    return None
                out.append(text)
            else:
                return None
            size += len(out[-1])
        self.budget.string(size)
        return "".join(out)

    def value(self, node: Node) -> Value:
        """A scalar as a model Value, located where the user wrote it; a reference that resolves
        to a literal keeps the reference in ``text``: ``var.timeout (default 3)``."""
        ok, value, how = self.literal(node)
        where = dict(path=node.file.display, line=node.line, column=node.column,
                     end_line=node.end_line, end_column=node.end_column)
        if ok and not isinstance(value, (dict, list)):
            if not how:
                text = value if isinstance(value, str) else node.text
                return Value(value, str(text), literal=True, **where)
            return Value(value, f"{node.text} ({_how(how)} {_show(value)})", literal=True, **where)
        return Value(None, node.text, literal=False, **where)

    def values(self, node: Optional[Node]) -> List[Value]:
        """A list (or one string) as Values, one per item, each with its own line.

        Items reached through a variable or a local point at the reference the user wrote;
        past the budget, one unknown value."""
        if node is None:
            return []
        try:
            self.budget.spend()
        except Exhausted:
            return [Value(None, node.text, node.file.display, node.line, node.column, False,
                          node.end_line, node.end_column)]
        resolved = self.resolve(node)
        target = resolved.node if resolved else node
        if target.kind == CALL and target.name in ("concat", "flatten", "distinct", "compact",
                                                   "toset", "tolist", "sort"):
            out: List[Value] = []
            for item in target.items:
                out.extend(self.values(item))
            return out
        if target.kind != TUP:
            return [self.value(node)]
        out = []
        for index, item in enumerate(target.items):
            if resolved is not None and resolved.written is not None:
                value = self.value(item)
                ref = resolved.written
                out.append(Value(value.value, f"{ref.text}[{index}] ({_how(resolved.via)} "
                                 f"{_show(value.value) if value.literal else value.text})",
                                 ref.file.display, ref.line, ref.column, value.literal,
                                 ref.end_line, ref.end_column))
            elif item.kind == TUP or (item.kind == CALL and item.name in ("concat", "flatten")):
                out.extend(self.values(item))
            else:
                out.append(self.value(item))
        return out

    def obj(self, node: Optional[Node]) -> Optional[Node]:
        """The object a value holds, following references, ``merge()`` and ``jsonencode()``."""
        resolved = self.resolve(node)
        if resolved is None:
            return None
        target = resolved.node
        if target.kind == OBJ:
            return target
        if target.kind == CALL and target.name == "merge":
            merged = Node(OBJ, target.file, target.line, target.column, target.end_line,
                          target.end_column, text=target.text)
            for item in target.items:
                part = self.obj(item)
                if part is not None:
                    try:
                        self.budget.spend(len(part.entries))
                    except Exhausted:
                        return None
                    merged.entries.extend(part.entries)
            return merged
        return None

    def flag(self, node: Optional[Node], default: bool = False) -> bool:
        if node is None:
            return default
        ok, value, _ = self.literal(node)
        if not ok:
            return False
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return value is True

    def path_text(self, node: Optional[Node]) -> Optional[str]:
        ok, value, _ = self.literal(node)
        return value if ok and isinstance(value, str) and value.strip() else None

    def display(self, path: Path) -> str:
        rel = os.path.relpath(str(path), str(self.directory)).replace(os.sep, "/")
        joined = f"{self.display_dir}/{rel}" if self.display_dir else rel
        return os.path.normpath(joined).replace(os.sep, "/")

    def local_path(self, text: str) -> Path:
        path = Path(text)
        if not path.is_absolute():
            path = self.directory / path
        return Path(os.path.normpath(str(path)))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def _how(via: str) -> str:
    return {"default": "default", "local": "=", "template": "="}.get(via, f"{via}:")



def as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None
