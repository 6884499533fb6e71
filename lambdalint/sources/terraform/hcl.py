"""Located HCL values: the records the whole Terraform reader works on.

python-hcl2 (8.x) gives a typed tree whose every node knows its lines; its dict output has no
lines, so ``Converter`` walks the tree into small located ``Node``/``Block`` records of our own.
A JSON policy document inside HCL (``jsonencode``, a heredoc, a ``file()``) becomes the same
kind of ``Node`` (``json_document``), so IAM reads both the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple

from lambdalint.discovery import SourceFile

MAX_DEPTH = 200  # deeper HCL values are kept as text, never walked

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


_KEYWORDS = {"true": True, "false": False, "null": None}


def _meta(rule: Any) -> Tuple[int, int, int, int]:
    meta = getattr(rule, "_meta", None)
    line = getattr(meta, "line", None) or 1
    column = getattr(meta, "column", None) or 1
    end_line = getattr(meta, "end_line", None) or line
    end_column = getattr(meta, "end_column", None) or column
    return line, column, end_line, end_column


_ESCAPE = re.compile(r'\\(?:([nrt"\\])|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))')
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
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


def _unwrap(text: str) -> str:
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1]
    return text


class Converter:
    """python-hcl2 rule tree -> Block / Node. Only public rule properties and ``_meta``."""

    def __init__(self, file: TfFile):
        import hcl2.rules.base as base
        import hcl2.rules.containers as containers
        import hcl2.rules.expressions as expressions
        import hcl2.rules.functions as functions
        import hcl2.rules.literal_rules as literals
        import hcl2.rules.strings as strings

        self.file = file
        self.base = base
        self.containers = containers
        self.expressions = expressions
        self.functions = functions
        self.literals = literals
        self.strings = strings

    def blocks(self, start: Any) -> List[Block]:
        return [b for b in (self.block(child) for child in start.body.children
                            if isinstance(child, self.base.BlockRule)) if b is not None]

    def block(self, rule: Any, depth: int = 0) -> Optional[Block]:
        labels = []
        for label in rule.labels:
            text = self._text(label)
            labels.append(text[1:-1] if text.startswith('"') and text.endswith('"') else text)
        if not labels:
            return None
        line, column, end_line, _ = _meta(rule)
        block = Block(labels[0], labels[1:], self.file, line, end_line, column)
        for child in rule.body.children:
            if isinstance(child, self.base.AttributeRule):
                name = str(child.identifier.serialize())
                a_line, a_column, _, _ = _meta(child)
                block.attrs.append(Entry(name, a_line, a_column, self.node(child.expression, depth + 1)))
            elif isinstance(child, self.base.BlockRule) and depth < MAX_DEPTH:
                inner = self.block(child, depth + 1)
                if inner is not None:
                    block.blocks.append(inner)
        return block

    def _text(self, rule: Any) -> str:
        try:
            return _unwrap(str(rule.serialize()))
        except Exception:  # noqa: BLE001 - the text is only for messages
            return "<expression>"

    def _new(self, kind: str, rule: Any, **kwargs: Any) -> Node:
        line, column, end_line, end_column = _meta(rule)
        return Node(kind, self.file, line, column, end_line, end_column, **kwargs)

    def node(self, rule: Any, depth: int = 0) -> Node:
        expressions, strings, literals = self.expressions, self.strings, self.literals
        containers = self.containers
        outer = rule
        while isinstance(rule, expressions.ExprTermRule):
            rule = rule.expression
        if depth > MAX_DEPTH:
            return self._new(EXPR, outer, text="<expression>")
        if isinstance(rule, strings.StringRule):
            return self._string(rule, outer, depth)
        if isinstance(rule, strings.HeredocTemplateRule):  # also the <<- form
            return self._heredoc(rule, outer)
        if isinstance(rule, literals.IntLitRule):
            return self._number(rule, outer, int)
        if isinstance(rule, literals.FloatLitRule):
            return self._number(rule, outer, float)
        if isinstance(rule, expressions.UnaryOpRule) and rule.operator.strip() == "-":
            inner = self.node(rule.expr_term, depth + 1)
            if inner.kind == LIT and isinstance(inner.value, (int, float)) \
                    and not isinstance(inner.value, bool):
                return self._new(LIT, outer, text="-" + inner.text, value=-inner.value)
        if isinstance(rule, containers.TupleRule):
            return self._new(TUP, outer, text=self._text(outer),
                             items=[self.node(e, depth + 1) for e in rule.elements])
        if isinstance(rule, containers.ObjectRule):
            node = self._new(OBJ, outer, text="{...}")
            for element in rule.elements:
                key_rule = element.key
                e_line, e_column, _, _ = _meta(element)
                if isinstance(key_rule, containers.ObjectElemKeyRule):
                    key = self._text(key_rule)
                    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
                        key = key[1:-1]
                else:  # (var.k) = ...: a key we cannot know
                    key = "${" + self._text(key_rule) + "}"
                node.entries.append(Entry(key, e_line, e_column,
                                          self.node(element.expression, depth + 1)))
            return node
        if isinstance(rule, self.functions.FunctionCallRule):
            name = "::".join(str(i.serialize()) for i in rule.identifiers)
            args = rule.arguments
            items = [self.node(a, depth + 1) for a in args.arguments] if args is not None else []
            return self._new(CALL, outer, text=self._text(outer), name=name, items=items)
        token = getattr(rule, "token", None)
        text = str(getattr(token, "value", "")) if token is not None else ""
        text = text if text in _KEYWORDS else self._text(outer)
        if text in _KEYWORDS:  # true/false/null: LiteralValueRule from 8.1.2 on, earlier others
            return self._new(LIT, outer, text=text, value=_KEYWORDS[text])
        return self._new(EXPR, outer, text=text)

    def _number(self, rule: Any, outer: Any, kind: Callable[[str], Any]) -> Node:
        raw = str(rule.token.value)
        try:
            value = kind(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                return self._new(EXPR, outer, text=raw)
        return self._new(LIT, outer, text=raw, value=value)

    def _string(self, rule: Any, outer: Any, depth: int) -> Node:
        parts: List[Any] = []
        for part in rule.string_parts:
            content = part.content
            name = content.lark_name() if hasattr(content, "lark_name") else ""
            if name == "STRING_CHARS":
                parts.append(_unescape(str(content.value)))
            elif name == "ESCAPED_INTERPOLATION":
                parts.append(str(content.value)[1:])  # $${x} is the text ${x}
            elif name == "ESCAPED_DIRECTIVE":
                parts.append(str(content.value)[1:])
            elif isinstance(content, self.strings.InterpolationRule):
                parts.append(self.node(content.expression, depth + 1))
            else:  # %{ if } / %{ for } directives
                parts.append(self._new(EXPR, content, text=self._text(content)))
        nodes = [p for p in parts if isinstance(p, Node)]
        if not nodes:
            value = "".join(parts)
            return self._new(LIT, outer, text=value, value=value)
        written = self._text(outer)
        if written.startswith('"') and written.endswith('"'):
            written = written[1:-1]
        if len(parts) == 1:
            # "${var.x}" is var.x, but located where the string is written.
            inner = nodes[0]
            line, column, end_line, end_column = _meta(outer)
            inner.line, inner.column, inner.end_line, inner.end_column = line, column, end_line, end_column
            return inner
        return self._new(TPL, outer, text=written, parts=parts)

    def _heredoc(self, rule: Any, outer: Any) -> Node:
        from hcl2.utils import SerializationOptions

        raw = str(rule.heredoc.value)
        lines = raw.split("\n")
        if lines and lines[-1].strip() == "":
            lines = lines[:-1]
        body_lines = lines[1:-1] if len(lines) >= 2 else []
        try:
            value = rule.serialize(SerializationOptions(strip_string_quotes=True, preserve_heredocs=False))
        except Exception:  # noqa: BLE001
            value = "\n".join(body_lines)
        line = _meta(outer)[0]
        written = lines[0].strip() if lines else "<<EOF"
        if "${" in value or "%{" in value:
            return self._new(EXPR, outer, text=f"{written}...", value=value, body_line=line + 1,
                             raw_body="\n".join(body_lines))
        return self._new(HEREDOC, outer, text=value, value=value, body_line=line + 1,
                         raw_body="\n".join(body_lines))



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
