"""Located HCL values: the records the whole Terraform reader works on.

``hclparse`` walks tree-sitter-hcl's tree into these small located ``Node``/``Block`` records
of our own, which the whole Terraform reader reads.
A JSON policy document inside HCL (``jsonencode``, a heredoc, a ``file()``) becomes the same
kind of ``Node`` (``json_document``), so IAM reads both the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

from lambdalint.discovery import SourceFile

MAX_DEPTH = 200  # HCL values nested deeper make the file a parse error (as python-hcl2 did)

# Node kinds
LIT = "literal"  # value is a str, int, float, bool or None
OBJ = "object"
TUP = "tuple"
CALL = "call"  # name + items (the arguments)
TPL = "template"  # a string with interpolations: parts are str or Node
HEREDOC = "heredoc"  # value is the body; raw_body keeps the file's own lines and columns
EXPR = "expression"  # anything else: a reference, a conditional, a for expression...


@dataclass
class TfFile:
    source: SourceFile
    text: str

    @property
    def display(self) -> str:
        return self.source.display


@dataclass
class Entry:
    """One ``key = value`` of an object (or an attribute of a block)."""

    key: str
    line: int
    column: int
    node: "Node"


@dataclass
class Node:
    kind: str
    file: TfFile
    line: int
    column: int
    end_line: int
    end_column: int
    text: str = ""  # as written, without the ${ } wrapper or quotes
    value: Any = None
    items: List["Node"] = field(default_factory=list)
    entries: List[Entry] = field(default_factory=list)
    name: str = ""  # CALL: the function's name
    parts: List[Any] = field(default_factory=list)  # TPL: str or Node
    body_line: int = 0  # HEREDOC: file line of the body's first line
    raw_body: str = ""  # HEREDOC: the body as in the file (not dedented)

    def get(self, key: str) -> Optional["Node"]:
        entry = self.entry(key)
        return entry.node if entry else None

    def entry(self, key: str) -> Optional[Entry]:
        if self.kind != OBJ:
            return None
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry
        low = key.lower()
        for entry in reversed(self.entries):
            if entry.key.lower() == low:
                return entry
        return None


@dataclass
class Block:
    type: str
    labels: List[str]
    file: TfFile
    line: int
    end_line: int
    column: int = 1
    attrs: List[Entry] = field(default_factory=list)
    blocks: List["Block"] = field(default_factory=list)

    @property
    def address(self) -> str:
        if self.type == "resource" and len(self.labels) >= 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.type == "data" and len(self.labels) >= 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.type == "module" and self.labels:
            return f"module.{self.labels[0]}"
        return ".".join([self.type, *self.labels])

    def get(self, key: str) -> Optional[Node]:
        for entry in reversed(self.attrs):
            if entry.key == key:
                return entry.node
        return None

    def children(self, kind: str) -> List["Block"]:
        return [b for b in self.blocks if b.type == kind]


_ESCAPE = re.compile(r'\\(?:([nrt"\\])|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))')
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """A quoted HCL string's value: its escapes resolved (an unknown escape is kept)."""
    if "\\" not in text:
        return text

    def one(match: "re.Match[str]") -> str:
        if match.group(1):
            return _SIMPLE_ESCAPES[match.group(1)]
        code = int(match.group(2) or match.group(3), 16)
        if code > 0x10FFFF or 0xD800 <= code < 0xE000:
            return match.group(0)
        return chr(code)

    return _ESCAPE.sub(one, text)


def from_yaml(data: Any, file: TfFile, line_offset: int, fixed: Optional[Tuple[int, int]],
               line: int = 1, column: int = 1, depth: int = 0) -> Node:
    """A JSON document (loaded by yamlload, with lines) as Nodes located in the .tf file."""
    line = getattr(data, "line", line)
    column = getattr(data, "column", column)
    at_line, at_column = fixed if fixed else (line + line_offset, column)
    node = Node(LIT, file, at_line, at_column, at_line, at_column)
    if depth > MAX_DEPTH:
        node.kind, node.text = EXPR, "<json>"
    elif isinstance(data, dict):
        node.kind, node.text = OBJ, "{...}"
        for key, value in data.items():
            v_line, v_column = data.pos(key) if hasattr(data, "pos") else (line, column)
            k_line, k_column = getattr(data, "key_positions", {}).get(key, (v_line, v_column))
            k_at = fixed if fixed else (k_line + line_offset, k_column)
            node.entries.append(Entry(str(key), k_at[0], k_at[1],
                                      from_yaml(value, file, line_offset, fixed, v_line, v_column,
                                                depth + 1)))
    elif isinstance(data, list):
        node.kind, node.text = TUP, "[...]"
        positions = getattr(data, "positions", [])
        for index, item in enumerate(data):
            i_line, i_column = positions[index] if index < len(positions) else (line, column)
            node.items.append(from_yaml(item, file, line_offset, fixed, i_line, i_column, depth + 1))
    else:
        value = data if isinstance(data, (str, int, float, bool)) or data is None else str(data)
        node.value = value
        node.text = value if isinstance(value, str) else json.dumps(value)
        if isinstance(value, str) and ("${" in value or "%{" in value):
            node.kind = EXPR  # "${aws_s3_bucket.b.arn}/*" in a heredoc is not a literal
    if not fixed:
        node.end_line, node.end_column = node.line, node.column + max(1, len(str(node.text)))
    return node


def json_document(text: str, file: TfFile, line_offset: int,
                   fixed: Optional[Tuple[int, int]]) -> Optional[Node]:
    from lambdalint.sources import yamlload

    try:
        data = yamlload.load(text.replace("\t", " "))
    except Exception:  # noqa: BLE001 - not YAML-readable: try plain JSON, with no lines
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        fixed = fixed or (line_offset + 1, 1)
    if not isinstance(data, dict):
        return None
    return from_yaml(data, file, line_offset, fixed)
