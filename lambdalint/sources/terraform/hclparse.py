"""HCL text -> located ``Block``/``Node`` records, parsed by tree-sitter-hcl.

tree-sitter-hcl is a C parser (about 50 times faster here than python-hcl2's lark grammar, and
it accepts files python-hcl2 rejected, such as a heredoc whose closing marker has trailing
blanks). Its concrete tree is walked into the records the Terraform reader consumes
(``hcl.Node``, ``hcl.Block``), with the values, kinds, texts and positions the python-hcl2
converter gave them before, so that findings do not change:

* lines and columns are 1-based and count characters (tree-sitter counts bytes);
* a value's ``text`` is how it is written, without a ``${ }`` wrapper, with runs of blanks
  and line breaks shown as one space;
* ``"${x}"`` alone is the node of ``x``, located where the string is written;
* a heredoc ends at the start of the line after its closing marker (python-hcl2's token kept
  the line break), its ``value`` is the body (dedented for ``<<-``).

A file with any syntax error (an ``ERROR`` or ``MISSING`` node) is a parse error, reported at
the first one, as before: no half-read file gives findings.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, Dict, List, Optional, Tuple

from lambdalint.sources.terraform.hcl import (CALL, EXPR, HEREDOC, LIT, MAX_DEPTH, OBJ, TPL, TUP,
                                              Block, Entry, Node, TfFile, unescape)

_PARSER: Any = None


class HclSyntaxError(Exception):
    """The file does not parse; ``line``/``column`` are 1-based, in characters."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line = line
        self.column = column


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter_hcl
        from tree_sitter import Language, Parser

        _PARSER = Parser(Language(tree_sitter_hcl.language()))
    return _PARSER


_BLANKS = re.compile(r"\s+")
_KEYWORDS = {"true": True, "false": False, "null": None}


class _Walker:
    """One file's tree-sitter tree -> records. Positions are converted from bytes once per line."""

    def __init__(self, file: TfFile, data: bytes):
        self.file = file
        self.data = data
        self.lines = data.split(b"\n")

    # -- positions and text ---------------------------------------------------------------

    def _column(self, row: int, byte_column: int) -> int:
        if row >= len(self.lines):
            return byte_column + 1
        line = self.lines[row]
        if line.isascii():
            return byte_column + 1
        return len(line[:byte_column].decode("utf-8", "replace")) + 1

    def start(self, ts: Any) -> Tuple[int, int]:
        row, col = ts.start_point
        return row + 1, self._column(row, col)

    def end(self, ts: Any) -> Tuple[int, int]:
        row, col = ts.end_point
        return row + 1, self._column(row, col)

    def raw(self, ts: Any) -> str:
        return self.data[ts.start_byte:ts.end_byte].decode("utf-8", "replace")

    def text(self, ts: Any) -> str:
        """How python-hcl2 wrote an expression back: one space around binary operators, ``? :``
        and ``=``, ``, `` between items, strings exactly as written."""
        kind = ts.type
        named = ts.named_children
        if kind in ("expression", "operation", "collection_value", "literal_value", "index",
                    "splat", "for_expr") and ts.child_count == 1:
            return self.text(ts.children[0])
        if kind == "expression":
            if ts.children[0].type == "(":
                return "(" + self.text(named[0]) + ")"
            return "".join(self.text(c) for c in ts.children)
        if kind in ("template_expr", "string_lit", "quoted_template", "heredoc_template"):
            return self.raw(ts)
        if kind == "get_attr":
            return "." + self.raw(named[0]) if named else self.raw(ts)
        if kind == "new_index" and named:
            return "[" + self.text(named[0]) + "]"
        if kind == "tuple":
            return "[" + ", ".join(self.text(c) for c in named if c.type == "expression") + "]"
        if kind == "object":
            return "{" + ", ".join(self.text(c) for c in named if c.type == "object_elem") + "}"
        if kind == "object_elem" and len(named) >= 2:
            return self.text(named[0]) + " = " + self.text(named[1])
        if kind == "function_call":
            name = "::".join(self.raw(c) for c in named if c.type == "identifier")
            arguments = _child(ts, "function_arguments")
            inner = ""
            if arguments is not None:
                inner = ", ".join(self.text(c) for c in arguments.named_children
                                  if c.type == "expression")
                if _child(arguments, "ellipsis") is not None:
                    inner += "..."
            return f"{name}({inner})"
        if kind == "binary_operation":
            ops = [i for i, c in enumerate(ts.children) if not c.is_named]
            if len(ops) == 1:
                at = ops[0]
                left = "".join(self.text(c) for c in ts.children[:at])
                right = "".join(self.text(c) for c in ts.children[at + 1:])
                return f"{left} {self.raw(ts.children[at])} {right}"
        if kind == "unary_operation" and ts.child_count == 2:
            return self.raw(ts.children[0]) + self.text(ts.children[1])
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for_text(ts)
        if kind == "conditional" and len(named) == 3:
            return " ? ".join([self.text(named[0]), self.text(named[1])]) + " : " + \
                self.text(named[2])
        return _BLANKS.sub(" ", self.raw(ts)).strip()

    def new(self, kind: str, ts: Any, **kwargs: Any) -> Node:
        line, column = self.start(ts)
        end_line, end_column = self.end(ts)
        return Node(kind, self.file, line, column, end_line, end_column, **kwargs)

    # -- structure ------------------------------------------------------------------------

    def blocks(self, root: Any) -> List[Block]:
        body = _child(root, "body")
        if body is None:
            return []
        return [b for b in (self.block(c) for c in body.named_children if c.type == "block")
                if b is not None]

    def attributes(self, root: Any) -> List[Tuple[str, Node]]:
        body = _child(root, "body")
        if body is None:
            return []
        return [(self.raw(c.named_children[0]), self.node(_child(c, "expression")))
                for c in body.named_children if c.type == "attribute"]

    def block(self, ts: Any, depth: int = 0) -> Optional[Block]:
        labels: List[str] = []
        body = None
        for child in ts.named_children:
            if child.type == "identifier":
                labels.append(self.raw(child))
            elif child.type == "string_lit":
                label = self.raw(child)
                labels.append(label[1:-1] if label.startswith('"') and label.endswith('"')
                              else label)
            elif child.type == "body":
                body = child
        if not labels:
            return None
        line, column = self.start(ts)
        block = Block(labels[0], labels[1:], self.file, line, self.end(ts)[0], column)
        for child in body.named_children if body is not None else []:
            if child.type == "attribute":
                a_line, a_column = self.start(child)
                block.attrs.append(Entry(self.raw(child.named_children[0]), a_line, a_column,
                                         self.node(_child(child, "expression"), depth + 1)))
            elif child.type == "block" and depth < MAX_DEPTH:
                inner = self.block(child, depth + 1)
                if inner is not None:
                    block.blocks.append(inner)
        return block

    # -- values ---------------------------------------------------------------------------

    def node(self, ts: Any, depth: int = 0) -> Node:
        if ts is None:
            return Node(EXPR, self.file, 1, 1, 1, 1, text="<expression>")
        if depth > MAX_DEPTH:
            raise HclSyntaxError("values nested too deeply", 1, 1)
        outer = ts
        while ts.type == "expression" and ts.named_child_count == 1 and ts.child_count == 1:
            ts = ts.named_children[0]
        kind = ts.type
        if kind == "literal_value":
            return self._literal(ts.named_children[0], outer)
        if kind == "collection_value":
            ts = ts.named_children[0]
            if ts.type == "tuple":
                items = [self.node(c, depth + 1) for c in ts.named_children if c.type == "expression"]
                return self.new(TUP, outer, text=repr(self._serialised(ts)), items=items)
            return self._object(ts, outer, depth)
        if kind == "template_expr":
            inner = ts.named_children[0]
            if inner.type == "heredoc_template":
                return self._heredoc(inner, outer)
            return self._string(inner, outer, depth)
        if kind == "function_call":
            return self._call(ts, outer, depth)
        if kind == "operation" and ts.named_children[0].type == "unary_operation":
            unary = ts.named_children[0]
            if unary.children[0].type == "-" and unary.named_child_count == 1:
                inner = self.node(unary.named_children[0], depth + 1)
                if inner.kind == LIT and isinstance(inner.value, (int, float)) \
                        and not isinstance(inner.value, bool):
                    return self.new(LIT, outer, text="-" + inner.text, value=-inner.value)
        return self.new(EXPR, outer, text=self.text(outer))

    def _literal(self, ts: Any, outer: Any) -> Node:
        if ts.type == "numeric_lit":
            raw = self.raw(ts)
            value: Any
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    return self.new(EXPR, outer, text=raw)
            return self.new(LIT, outer, text=raw, value=value)
        if ts.type in ("bool_lit", "null_lit"):
            raw = self.raw(ts)
            return self.new(LIT, outer, text=raw, value=_KEYWORDS.get(raw))
        if ts.type == "string_lit":
            value = self._unescaped(self._between(ts.children[0], ts.children[-1]))
            return self.new(LIT, outer, text=value, value=value)
        return self.new(EXPR, outer, text=self.text(outer))

    def _for_text(self, ts: Any) -> str:
        """``[for k, v in X : V if C]`` / ``{for k in X : K => V... if C}`` as python-hcl2 wrote them."""
        out = ""
        values: List[str] = []
        condition = ""
        grouped = False
        for child in ts.named_children:
            if child.type == "for_intro":
                names = [self.raw(c) for c in child.named_children if c.type == "identifier"]
                collection = [c for c in child.named_children if c.type == "expression"]
                out = "for " + ", ".join(names) + " in " + \
                    (self.text(collection[0]) if collection else "") + " : "
            elif child.type == "expression":
                values.append(self.text(child))
            elif child.type == "for_cond":
                condition = " if " + self.text(child.named_children[0]) if child.named_children \
                    else ""
            elif child.type == "ellipsis":
                grouped = True
        if ts.type == "for_tuple_expr":
            return "[" + out + "".join(values[:1]) + condition + "]"
        return "{" + out + " => ".join(values[:2]) + ("..." if grouped else "") + condition + "}"

    def _between(self, first: Any, last: Any) -> str:
        """The text between two tokens: tree-sitter leaves a literal's outer blanks out of it."""
        if first is last:
            return ""
        return self.data[first.end_byte:last.start_byte].decode("utf-8", "replace")

    @staticmethod
    def _unescaped(text: str) -> str:
        return unescape(text).replace("$${", "${").replace("%%{", "%{")

    def _serialised(self, ts: Any) -> Any:
        """python-hcl2's dict form of a value, whose ``repr`` was a tuple's text."""
        while ts.type in ("expression", "collection_value", "literal_value") \
                and ts.child_count == 1:
            ts = ts.children[0]
        if ts.type == "tuple":
            return [self._serialised(c) for c in ts.named_children if c.type == "expression"]
        if ts.type == "object":
            out = {}
            for element in ts.named_children:
                if element.type == "object_elem" and element.named_child_count >= 2:
                    key, value = element.named_children[:2]
                    out[self.text(key)] = self._serialised(value)
            return out
        if ts.type in ("numeric_lit", "bool_lit", "null_lit"):
            node = self._literal(ts, ts)
            return node.value if node.kind == LIT else node.text
        if ts.type in ("string_lit", "template_expr"):
            return self.raw(ts)
        if ts.type == "variable_expr":
            return self.raw(ts)
        return "${" + self.text(ts) + "}"

    def _object(self, ts: Any, outer: Any, depth: int) -> Node:
        node = self.new(OBJ, outer, text="{...}")
        for element in ts.named_children:
            if element.type != "object_elem":
                continue
            key_ts, value_ts = [c for c in element.named_children if c.type == "expression"][:2]
            e_line, e_column = self.start(element)
            node.entries.append(Entry(self._key(key_ts), e_line, e_column,
                                      self.node(value_ts, depth + 1)))
        return node

    def _key(self, ts: Any) -> str:
        inner = ts.named_children[0] if ts.named_child_count == 1 and ts.child_count == 1 else None
        if inner is not None and inner.type == "variable_expr":
            return self.raw(inner)
        if inner is not None and inner.type == "literal_value":
            key = self.raw(inner)
            return key[1:-1] if len(key) >= 2 and key[0] == '"' and key[-1] == '"' else key
        return "${" + self.text(ts) + "}"  # (var.k) = ...: a key we cannot know

    def _call(self, ts: Any, outer: Any, depth: int) -> Node:
        names = [self.raw(c) for c in ts.named_children if c.type == "identifier"]
        arguments = _child(ts, "function_arguments")
        items = [self.node(c, depth + 1) for c in arguments.named_children
                 if c.type == "expression"] if arguments is not None else []
        return self.new(CALL, outer, text=self.text(outer), name="::".join(names), items=items)

    def _string(self, ts: Any, outer: Any, depth: int) -> Node:
        parts: List[Any] = []
        previous = ts.children[0]  # the opening quote
        for child in ts.children[1:]:
            if child.type not in ("template_interpolation", "template_directive",
                                  "quoted_template_end"):
                continue
            literal = self._between(previous, child)
            if literal:
                parts.append(self._unescaped(literal))
            previous = child
            if child.type == "template_interpolation":
                parts.append(self.node(_child(child, "expression"), depth + 1))
            elif child.type == "template_directive":  # %{ if } / %{ for }
                parts.append(self.new(EXPR, child, text=self.raw(child)))
        nodes = [p for p in parts if isinstance(p, Node)]
        if not nodes:
            value = "".join(parts)
            return self.new(LIT, outer, text=value, value=value)
        if len(parts) == 1:
            # "${var.x}" is var.x, but located where the string is written.
            inner = nodes[0]
            inner.line, inner.column = self.start(outer)
            inner.end_line, inner.end_column = self.end(outer)
            return inner
        return self.new(TPL, outer, text=self._template_text(ts), parts=parts)

    def _template_text(self, ts: Any) -> str:
        """A quoted template as written, its interpolations as python-hcl2 wrote them back."""
        out: List[str] = []
        previous = ts.children[0]
        for child in ts.children[1:]:
            if child.type not in ("template_interpolation", "template_directive",
                                  "quoted_template_end"):
                continue
            out.append(self._between(previous, child))
            previous = child
            inner = _child(child, "expression")
            if child.type == "template_interpolation" and inner is not None:
                out.append("${" + self.text(inner) + "}")
            elif child.type != "quoted_template_end":
                out.append(self.raw(child))
        return "".join(out)

    def _heredoc(self, ts: Any, outer: Any) -> Node:
        start = _child(ts, "heredoc_start")
        markers = [c for c in ts.named_children if c.type == "heredoc_identifier"]
        opener = (self.raw(start) if start is not None else "<<") + \
            (self.raw(markers[0]) if markers else "EOF")
        first_row = ts.start_point[0]
        last_row = markers[-1].start_point[0] if len(markers) >= 2 else ts.end_point[0]
        body_lines = [line.decode("utf-8", "replace").rstrip("\r")
                      for line in self.lines[first_row + 1:last_row]]
        raw_body = "\n".join(body_lines)
        value = textwrap.dedent(raw_body) if opener.startswith("<<-") else raw_body
        line, column = self.start(outer)
        node = Node(HEREDOC, self.file, line, column, last_row + 2, 1, text=value, value=value,
                    body_line=line + 1, raw_body=raw_body)
        if "${" in value or "%{" in value:
            node.kind, node.text = EXPR, f"{opener}..."
        return node


def _child(ts: Any, kind: str) -> Any:
    for child in ts.named_children:
        if child.type == kind:
            return child
    return None


def _error(root: Any, walker: _Walker, text: str) -> HclSyntaxError:
    """The first ERROR or MISSING node, as python-hcl2's messages worded it."""
    stack = [root]
    found = None
    while stack:
        ts = stack.pop()
        if ts.is_missing or ts.type == "ERROR":
            found = ts
            break
        if ts.has_error:
            stack.extend(reversed(ts.children))
    last_line = text.count("\n") + 1
    if found is not None and found.type == "ERROR" and found.child_count:
        found = found.children[-1]  # where the parser gave up, not where the block began
    if found is None or found.start_byte >= len(walker.data.rstrip()):
        return HclSyntaxError("unexpected end of file", last_line, 1)
    line, column = walker.start(found)
    if found.is_missing:
        return HclSyntaxError(f"missing {found.type!r}", line, column)
    shown = walker.raw(found).split("\n", 1)[0].strip()[:40]
    return HclSyntaxError(f"unexpected {shown!r}" if shown else "unexpected line break",
                          line, column)


def parse(file: TfFile, text: str) -> _Walker:
    """``text`` (``file``'s, maybe with heredoc markers trimmed) parsed; raises
    ``HclSyntaxError`` for a file with a syntax error."""
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    walker = _Walker(file, data)
    if tree.root_node.has_error:
        raise _error(tree.root_node, walker, text)
    walker.root = tree.root_node  # type: ignore[attr-defined]
    return walker


def blocks(file: TfFile, text: str) -> List[Block]:
    walker = parse(file, text)
    return walker.blocks(walker.root)  # type: ignore[attr-defined]


def attributes(file: TfFile, text: str) -> Dict[str, Node]:
    """A tfvars file's top-level ``name = value`` lines (later ones win)."""
    walker = parse(file, text)
    return dict(walker.attributes(walker.root))  # type: ignore[attr-defined]
