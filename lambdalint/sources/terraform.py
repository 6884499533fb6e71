"""Terraform: Lambda functions of one module directory, with their code, environment and IAM.

Terraform reads every ``.tf`` file of a directory as one module, so this reader does too: a
function in ``main.tf`` takes its timeout from a variable default in ``variables.tf``, its role
from ``iam.tf`` and its policy from a ``data "aws_iam_policy_document"`` anywhere in the module.
Read: ``aws_lambda_function`` resources and the ``terraform-aws-modules/lambda/aws`` module.

python-hcl2 (8.x) gives a typed tree whose every node knows its lines; its dict output has no
lines, so we walk the tree into small located ``Node``/``Block`` records of our own. Nothing is
evaluated beyond what a reader can see: literals, ``var.x`` with a default (or a value in
``terraform.tfvars`` / ``*.auto.tfvars``), ``local.x``, simple ``"${...}"`` templates of those,
``jsonencode``, ``concat``/``flatten``/``merge`` of literal parts, and ``file()`` of a JSON
policy inside the module. Anything else is "not literal", never a guess.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from lambdalint import suppressions
from lambdalint.discovery import SourceFile, display_path
from lambdalint.model import (
    TERRAFORM,
    CodeLocation,
    EnvVar,
    EventSource,
    Function,
    IamStatement,
    ManagedPolicy,
    ReadError,
    Timeout,
    Value,
)

DEFAULT_TIMEOUT = 3  # aws_lambda_function and terraform-aws-modules/lambda/aws both
SQS_DEFAULT_VISIBILITY = 30
SQS_DEFAULT_TEXT = "SQS default"  # Value.text of a visibility the queue does not set
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 200  # deeper HCL values are kept as text, never walked
MAX_RESOLVE = 20  # var -> local -> local ... chains longer than this are "not literal"
# What evaluating one function's settings may cost. Locals that each repeat the previous one
# ("${local.a}${local.a}...") grow 4x per level: a 1 KB file asks for terabytes. Past these the
# value is unknown and the function gets an LL001 note, rather than the run eating all memory.
MAX_STEPS = 200_000  # references followed and template parts joined, for one function
MAX_STRING = 1024 * 1024  # characters of one evaluated string (Lambda's whole config is smaller)

# terraform-aws-modules/lambda/aws from the registry (any host, any version pin) or from git;
# a "//..." subpath is one of its other modules (alias, deploy, docker-build, wrappers).
_LAMBDA_MODULE = re.compile(
    r"^(?:[\w.-]+\.[a-z]+/)?terraform-aws-modules/lambda/aws(?P<sub>//[^?]*)?(?:\?.*)?$"
    r"|^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/"
    r"terraform-aws-lambda(?:\.git)?(?P<gsub>//[^?]*)?(?:\?.*)?$",
    re.IGNORECASE,
)
# Only a directory whose text says one of these is parsed.
_LAMBDA_HINT = re.compile(r"aws_lambda_function|terraform-aws-modules/lambda|terraform-aws-lambda")
_NAME = r"[A-Za-z_][\w-]*"
_REFERENCE = re.compile(rf"^{_NAME}(?:\.(?:{_NAME}|\*|\d+)|\[(?:\d+|\"[^\"\\]*\"|\*)\])*$")
_REF_PART = re.compile(rf"\.({_NAME}|\*|\d+)|\[(\d+|\"[^\"\\]*\"|\*)\]")
_ROLE_ARN_NAME = re.compile(r"^arn:[^:]*:iam::[^:]*:role/(?:.*/)?([^/]+)$")

# Node kinds
LIT = "literal"  # value is a str, int, float, bool or None
OBJ = "object"
TUP = "tuple"
CALL = "call"  # name + items (the arguments)
TPL = "template"  # a string with interpolations: parts are str or Node
HEREDOC = "heredoc"  # value is the body; raw_body keeps the file's own lines and columns
EXPR = "expression"  # anything else: a reference, a conditional, a for expression...


# ---------------------------------------------------------------------------------------------
# Located HCL values


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


class _Converter:
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


# ---------------------------------------------------------------------------------------------
# Reading files


def _parse_error(exc: BaseException, text: str) -> Tuple[int, int, str]:
    last_line = text.count("\n") + 1
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    line = line if isinstance(line, int) and line > 0 else last_line
    column = column if isinstance(column, int) and column > 0 else 1
    name = type(exc).__name__
    if isinstance(exc, RecursionError):
        return 1, 1, "cannot parse HCL: values nested too deeply"
    if name == "UnexpectedEOF":
        return last_line, 1, "cannot parse HCL: unexpected end of file"
    if name == "UnexpectedCharacters":
        char = getattr(exc, "char", "")
        return line, column, f"cannot parse HCL: unexpected character {char!r}"
    if name == "UnexpectedToken":
        token = getattr(exc, "token", None)
        kind = getattr(token, "type", "")
        if kind == "$END":
            return last_line, 1, "cannot parse HCL: unexpected end of file"
        shown = str(token).split("\n", 1)[0].strip()[:40] if token is not None else ""
        return line, column, f"cannot parse HCL: unexpected {shown!r}" if shown else \
            "cannot parse HCL: unexpected line break"
    message = str(exc).split("\n", 1)[0].strip()[:120] or name
    return line if getattr(exc, "line", None) else 1, column, f"cannot parse HCL: {message}"


def _read_file(source: SourceFile, errors: List[ReadError],
               pending: Optional[List[Tuple[ReadError, str]]] = None) -> Optional[TfFile]:
    """The file's text; a file that cannot be opened is an error, one that is too large or not
    UTF-8 goes to ``pending`` (with what can be read of it) when given, else to ``errors``."""
    def later(error: ReadError, text: str) -> None:
        if pending is None:
            errors.append(error)
        else:
            pending.append((error, text))

    try:
        size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            with source.path.open("rb") as handle:  # enough to see whether it names a function
                head = handle.read(64 * 1024).decode("utf-8", "replace")
            later(ReadError(source.display, 1, f"skipped: {size / 1024 / 1024:.1f} MiB is over "
                                               f"the {MAX_FILE_BYTES // 1024 // 1024} MiB limit "
                                               "for one file"), head)
            return None
        data = source.path.read_bytes()
    except IsADirectoryError:
        return None
    except OSError as exc:
        errors.append(ReadError(source.display, 1, f"cannot read: {exc.strerror or exc}"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        later(ReadError(source.display, line, f"not UTF-8 text: {exc.reason}"),
              data.decode("utf-8", "replace"))
        return None
    return TfFile(source, text)


_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?$", re.MULTILINE)


def heredoc_markers_trimmed(text: str) -> str:
    """``text`` with trailing blanks removed from the lines that close a heredoc (``EOF   ``).

    Terraform accepts them; python-hcl2's grammar does not and rejects the whole file. Only a
    line that is a marker some ``<<EOF`` / ``<<-EOF`` opened, plus blanks, changes, and only
    after the marker, so every line and column stays where it was."""
    if "<<" not in text:
        return text
    markers = set(_HEREDOC_OPEN.findall(text))
    if not markers:
        return text
    pattern = re.compile(r"^([ \t]*(?:" + "|".join(re.escape(m) for m in sorted(markers))
                         + r"))[ \t]+(\r?)$", re.MULTILINE)
    return pattern.sub(r"\1\2", text)


def _parse(file: TfFile, errors: List[ReadError]) -> List[Block]:
    import hcl2

    try:
        tree = hcl2.parses(heredoc_markers_trimmed(file.text), discard_comments=True)
    except Exception as exc:  # noqa: BLE001 - lark and python-hcl2 raise many kinds
        line, column, message = _parse_error(exc, file.text)
        errors.append(ReadError(file.display, line, message, column))
        return []
    try:
        return _Converter(file).blocks(tree)
    except Exception as exc:  # noqa: BLE001 - an odd tree shape loses this file, not the run
        errors.append(ReadError(file.display, 1, f"cannot read: {type(exc).__name__}: {exc}"[:160]))
        return []


def _tfvars(directory: Path) -> Dict[str, Tuple[Node, str]]:
    """Values Terraform loads by itself: terraform.tfvars and *.auto.tfvars (later files win)."""
    found: Dict[str, Tuple[Node, str]] = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return found
    chosen = [n for n in names if n == "terraform.tfvars"] + \
             [n for n in names if n.endswith(".auto.tfvars")]
    for name in chosen:
        path = directory / name
        if path.is_symlink() or not path.is_file():
            continue
        errors: List[ReadError] = []
        file = _read_file(SourceFile(path, display_path(path), "terraform"), errors)
        if file is None:
            continue
        import hcl2

        try:
            tree = hcl2.parses(heredoc_markers_trimmed(file.text), discard_comments=True)
            converter = _Converter(file)
            for child in tree.body.children:
                if isinstance(child, converter.base.AttributeRule):
                    found[str(child.identifier.serialize())] = (converter.node(child.expression), name)
        except Exception:  # noqa: BLE001 - a broken tfvars file only loses its values
            continue
    return found


# ---------------------------------------------------------------------------------------------
# The module: an index of its blocks, and what can be known of a value


def _ref_parts(text: str) -> Optional[List[Tuple[str, Any]]]:
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
class _Target:
    """What a reference names: ("resource", type, name), ("data", type, name), ("module", name),
    with the attribute read from it (``arn``, ``json``, ``output_path``...)."""

    kind: str
    type: str
    name: str
    attribute: str = ""


def _target(node: Optional[Node]) -> Optional[_Target]:
    if node is None or node.kind != EXPR:
        return None
    parts = _ref_parts(node.text)
    if not parts:
        return None
    names = [v for k, v in parts if k == "attr"]
    if names[0] in ("var", "local", "path", "each", "count", "self", "terraform"):
        return None
    if names[0] == "data":
        if len(names) < 3:
            return None
        return _Target("data", names[1], names[2], names[3] if len(names) > 3 else "")
    if names[0] == "module":
        if len(names) < 2:
            return None
        return _Target("module", "", names[1], names[2] if len(names) > 2 else "")
    if len(names) < 2:
        return None
    return _Target("resource", names[0], names[1], names[2] if len(names) > 2 else "")


class _Exhausted(Exception):
    """The evaluation budget ran out: the value being built is unknown."""


@dataclass
class _Budget:
    """What is left to spend on evaluating values; ``exhausted`` says why it ran out, once it
    has (then every further evaluation stops at once, so the rest costs nothing)."""

    steps: int = MAX_STEPS
    exhausted: str = ""

    def spend(self, steps: int = 1) -> None:
        if self.exhausted:
            raise _Exhausted
        self.steps -= steps
        if self.steps < 0:
            self.exhausted = f"more than {MAX_STEPS:,} evaluation steps"
            raise _Exhausted

    def string(self, size: int) -> None:
        if size > MAX_STRING:
            self.exhausted = f"a string over {MAX_STRING // 1024 // 1024} MiB"
            raise _Exhausted


@dataclass
class _Resolved:
    node: Node
    via: str = ""  # "default" / "terraform.tfvars" / "local": how a reference became this
    written: Optional[Node] = None  # the reference as the user wrote it


class _Module:
    def __init__(self, directory: Path, blocks: List[Block]):
        self.directory = directory
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
        self.tfvars = _tfvars(directory)
        self.budget = _Budget()  # the reader gives each function a fresh one

    def of_type(self, kind: str) -> List[Block]:
        return [b for (t, _), b in self.resources.items() if t == kind]

    def block_of(self, target: Optional[_Target]) -> Optional[Block]:
        if target is None:
            return None
        if target.kind == "resource":
            return self.resources.get((target.type, target.name))
        if target.kind == "data":
            return self.data.get((target.type, target.name))
        return self.modules.get(target.name)

    # -- values ------------------------------------------------------------------------------

    def resolve(self, node: Optional[Node], depth: int = 0) -> Optional[_Resolved]:
        """Follow ``var.x`` and ``local.x`` (with attribute and index steps) to what they hold;
        past the budget, the reference itself (unknown)."""
        try:
            return self._resolve(node, depth)
        except _Exhausted:
            return None if node is None else _Resolved(node)

    def _resolve(self, node: Optional[Node], depth: int = 0) -> Optional[_Resolved]:
        if node is None:
            return None
        self.budget.spend()
        if node.kind != EXPR or depth > MAX_RESOLVE:
            return _Resolved(node)
        parts = _ref_parts(node.text)
        if not parts or len(parts) < 2 or parts[0][1] not in ("var", "local") or parts[1][0] != "attr":
            return _Resolved(node)
        name = parts[1][1]
        if parts[0][1] == "var":
            if name in self.tfvars:
                base, via = self.tfvars[name]
            else:
                variable = self.variables.get(name)
                base = variable.get("default") if variable is not None else None
                via = "default"
                if base is None or (base.kind == LIT and base.value is None):
                    return _Resolved(node)
        else:
            base = self.locals.get(name)
            via = "local"
            if base is None:
                return _Resolved(node)
        inner = self._resolve(base, depth + 1)
        if inner is None:
            return _Resolved(node)
        current = inner.node
        for kind, step in parts[2:]:
            nxt: Optional[Node] = None
            if current.kind == OBJ and isinstance(step, str) and step != "*":
                nxt = current.get(step)
            elif current.kind == TUP and isinstance(step, int) and 0 <= step < len(current.items):
                nxt = current.items[step]
            if nxt is None:
                return _Resolved(node)
            step_resolved = self._resolve(nxt, depth + 1)
            if step_resolved is None:
                return _Resolved(node)
            current = step_resolved.node
        if current.kind == EXPR:  # a reference we cannot follow further
            return _Resolved(node)
        return _Resolved(current, via, node)

    def literal(self, node: Optional[Node]) -> Tuple[bool, Any, str]:
        """(is literal, value, how: "" or "default"/"local"/a tfvars file name); past the
        budget, not literal."""
        try:
            return self._literal(node)
        except _Exhausted:
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
        except _Exhausted:
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
                    except _Exhausted:
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


# ---------------------------------------------------------------------------------------------
# IAM


def _from_yaml(data: Any, file: TfFile, line_offset: int, fixed: Optional[Tuple[int, int]],
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
                                      _from_yaml(value, file, line_offset, fixed, v_line, v_column,
                                                 depth + 1)))
    elif isinstance(data, list):
        node.kind, node.text = TUP, "[...]"
        positions = getattr(data, "positions", [])
        for index, item in enumerate(data):
            i_line, i_column = positions[index] if index < len(positions) else (line, column)
            node.items.append(_from_yaml(item, file, line_offset, fixed, i_line, i_column, depth + 1))
    else:
        value = data if isinstance(data, (str, int, float, bool)) or data is None else str(data)
        node.value = value
        node.text = value if isinstance(value, str) else json.dumps(value)
        if isinstance(value, str) and ("${" in value or "%{" in value):
            node.kind = EXPR  # "${aws_s3_bucket.b.arn}/*" in a heredoc is not a literal
    if not fixed:
        node.end_line, node.end_column = node.line, node.column + max(1, len(str(node.text)))
    return node


def _json_document(text: str, file: TfFile, line_offset: int,
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
    return _from_yaml(data, file, line_offset, fixed)


class _Iam:
    """Statements and managed policies of roles, policies and policy documents."""

    def __init__(self, module: _Module):
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
        found = _target(resolved.node if resolved else node)
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
            return _json_document(target.raw_body, target.file, target.body_line - 1, None)
        if target.kind == LIT and isinstance(target.value, str):
            return _json_document(target.value, target.file, 0, (target.line, target.column))
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
            if path.is_symlink() or not resolved.is_file() or resolved.stat().st_size > MAX_FILE_BYTES:
                return None
            content = resolved.read_text(encoding="utf-8")
        except (OSError, ValueError, RuntimeError, UnicodeDecodeError):
            return None
        file = TfFile(SourceFile(path, self.m.display(path), "json"), content)
        return _json_document(content, file, 0, None)

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
            out.append(self._statement(obj.get, obj.file.display, obj.line, obj.column, origin,
                                       ("Effect", "Action", "NotAction", "Resource", "NotResource")))
        return out

    def _statement(self, get: Callable[[str], Optional[Node]], path: str, line: int, column: int,
                   origin: str, keys: Tuple[str, str, str, str, str]) -> IamStatement:
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
            for item in self._items(block.get(key)):
                out.extend(self.policy(item, block.address, depth + 1))
        for key in ("source_json", "override_json"):
            out.extend(self.policy(block.get(key), block.address, depth + 1))
        for statement in block.children("statement"):
            out.append(self._statement(statement.get, statement.file.display, statement.line,
                                       statement.column, block.address,
                                       ("effect", "actions", "not_actions", "resources",
                                        "not_resources")))
        self._doc_cache[name] = out
        return out

    def _items(self, node: Optional[Node]) -> List[Node]:
        if node is None:
            return []
        resolved = self.m.resolve(node)
        target = resolved.node if resolved else node
        if target.kind == TUP:
            return target.items
        if target.kind == CALL and target.name in ("concat", "flatten"):
            return [i for item in target.items for i in self._items(item)]
        return [node]

    def attached(self, node: Node, origin: str) -> Tuple[List[IamStatement], List[ManagedPolicy]]:
        """A policy ARN as attached to a role: an AWS managed policy, or a policy of the module."""
        found = _target(self.m.resolve(node).node if self.m.resolve(node) else node)
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
        found = _target(target)
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
        found = _target(resolved.node if resolved else node)
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
            statements.extend(_guard(lambda: self.policy(inline.get("policy"),
                                                         f"inline_policy of {role.address}")))
        arns = role.get("managed_policy_arns")
        for item in self._items(arns) if arns is not None else []:
            add(_guard(lambda: self.attached(item, f"managed_policy_arns of {role.address}"),
                       ([], [])))
        for block in self.m.of_type("aws_iam_role_policy"):
            if self.role_of(block.get("role")) is role:
                statements.extend(_guard(lambda: self.policy(block.get("policy"), block.address)))
        for block in self.m.of_type("aws_iam_role_policy_attachment"):
            if self.role_of(block.get("role")) is role and block.get("policy_arn") is not None:
                add(_guard(lambda: self.attached(block.get("policy_arn"), block.address), ([], [])))
        for block in self.m.of_type("aws_iam_policy_attachment"):
            roles = [self.role_of(item) for item in self._items(block.get("roles"))]
            if any(r is role for r in roles) and block.get("policy_arn") is not None:
                add(_guard(lambda: self.attached(block.get("policy_arn"), block.address), ([], [])))
        return statements, managed


def _guard(work: Callable[[], Any], default: Any = None) -> Any:
    """One odd policy loses itself, not the function."""
    try:
        return work()
    except Exception:  # noqa: BLE001
        return [] if default is None else default


def _dedupe(statements: Iterable[IamStatement]) -> List[IamStatement]:
    seen: Set[Tuple[str, int, int]] = set()
    out = []
    for statement in statements:
        key = (statement.path, statement.line, statement.column)
        if key not in seen:
            seen.add(key)
            out.append(statement)
    return out


# ---------------------------------------------------------------------------------------------
# Functions


class _Reader:
    def __init__(self, module: _Module):
        self.m = module
        self.iam = _Iam(module)
        self._suppressions: Dict[str, Dict[int, Any]] = {}
        self.errors: List[ReadError] = []  # LL001 for functions read in part, or not at all

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
                self.m.budget = _Budget()
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
        self.m.budget = _Budget()
        events = _guard(lambda: self.events(functions), {})
        for function in functions:
            function.events.extend(events.get(id(function), []))
        return functions

    def _read_one(self, block: Block, build: Callable[[Block], Optional[Function]]
                  ) -> Optional[Function]:
        """``build(block)`` with a fresh evaluation budget. Past the budget the values it could
        not finish are unknown and an LL001 note says so; if it raises, the function stays in
        the model with unknown settings and an LL001 says lambdalint failed on it."""
        self.m.budget = _Budget()
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

    def _timeout(self, function: Function, node: Optional[Node]) -> Timeout:
        if node is None:
            return Timeout(DEFAULT_TIMEOUT, "default", function.path, function.line)
        ok, value, how = self.m.literal(node)
        seconds = _number(value) if ok else None
        if seconds is None:
            return Timeout(None, "unknown", node.file.display, node.line)
        return Timeout(seconds, "variable" if how in ("default", "local") or how.endswith(".tfvars")
                       else "function", node.file.display, node.line)

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
            out.append(EnvVar(entry.key, value, value.line, entry.column))
        return out

    def resource_function(self, block: Block) -> Function:
        m = self.m
        function = self._base(block)
        for key, attr in (("runtime", "runtime"), ("handler", "handler"), ("memory", "memory_size")):
            node = block.get(attr)
            if node is not None:
                setattr(function, key, m.value(node))
        function.timeout = self._timeout(function, block.get("timeout"))
        for environment in block.children("environment"):
            function.environment.extend(self._environment(environment.get("variables")))
        function.layers = m.values(block.get("layers"))
        function.code = self._resource_code(block)
        role = self.iam.role_of(block.get("role"))
        if role is not None:
            function.role = role.address
            if self.iam.assumed_by_lambda(role):
                statements, managed = self.iam.role(role)
                function.statements = _dedupe(statements)
                function.managed_policies = managed
        return function

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
        found = _target(resolved.node if resolved else node)
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
        for key, attr in (("runtime", "runtime"), ("handler", "handler"), ("memory", "memory_size")):
            node = block.get(attr)
            if node is not None:
                setattr(function, key, m.value(node))
        function.timeout = self._timeout(function, block.get("timeout"))
        function.environment = self._environment(block.get("environment_variables"))
        function.layers = m.values(block.get("layers"))
        function.code = self._module_code(block)
        statements: List[IamStatement] = []
        managed: List[ManagedPolicy] = []
        create_role = m.flag(block.get("create_role"), default=True)
        if create_role:
            statements, managed = self._module_policies(block)
            function.role = f"the role {block.address} creates"
        else:
            role = self.iam.role_of(block.get("lambda_role"))
            if role is not None:
                function.role = role.address
                if self.iam.assumed_by_lambda(role):
                    statements, managed = self.iam.role(role)
        function.statements = _dedupe(statements)
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
            statements.extend(_guard(lambda: self.iam.policy(block.get("policy_json"),
                                                             f"policy_json of {address}")))
        if m.flag(block.get("attach_policy_jsons")):
            for item in self.iam._items(block.get("policy_jsons")) if block.get("policy_jsons") else []:
                statements.extend(_guard(lambda: self.iam.policy(item, f"policy_jsons of {address}")))
        if m.flag(block.get("attach_policy_statements")):
            statements.extend(_guard(lambda: self._policy_statements(block)))
        if m.flag(block.get("attach_policy")) and block.get("policy") is not None:
            pair = _guard(lambda: self.iam.attached(block.get("policy"), f"policy of {address}"),
                          ([], []))
            statements.extend(pair[0])
            managed.extend(pair[1])
        if m.flag(block.get("attach_policies")) and block.get("policies") is not None:
            for item in self.iam._items(block.get("policies")):
                pair = _guard(lambda: self.iam.attached(item, f"policies of {address}"), ([], []))
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
            out.append(self.iam._statement(
                obj.get, obj.file.display, entry.line, entry.column,
                f"policy_statements.{entry.key} of {block.address}",
                ("effect", "actions", "not_actions", "resources", "not_resources")))
        return out

    # -- events --------------------------------------------------------------------------------

    def events(self, functions: List[Function]) -> Dict[int, List[EventSource]]:
        """Triggers defined in the module, by function: SQS (and other) event source mappings,
        API Gateway integrations and permissions."""
        by_address = {f.name: f for f in functions}
        found: Dict[int, List[EventSource]] = {}

        def add(function: Optional[Function], event: EventSource) -> None:
            if function is None:
                return
            events = found.setdefault(id(function), [])
            if not any(e.kind == event.kind and e.line == event.line for e in events):
                events.append(event)

        for block in self.m.of_type("aws_lambda_event_source_mapping"):
            function = self._function_of(block.get("function_name"), by_address)
            event = _guard(lambda: self._mapping(block.get("event_source_arn"), block.line))
            if event:
                add(function, event)
        for block in self.m.of_type("aws_lambda_permission"):
            ok, principal, _ = self.m.literal(block.get("principal"))
            if ok and isinstance(principal, str) and principal.startswith("apigateway."):
                add(self._function_of(block.get("function_name"), by_address),
                    EventSource("api", block.line))
        for kind, attr in (("aws_apigatewayv2_integration", "integration_uri"),
                           ("aws_api_gateway_integration", "uri")):
            for block in self.m.of_type(kind):
                add(self._function_of(block.get(attr), by_address), EventSource("api", block.line))
        # An ALB waits as long as its idle timeout, not API Gateway's 29 s: its own kind.
        for kind, resource, attr in (("alb", "aws_lb_target_group_attachment", "target_id"),
                                     ("eventbridge", "aws_cloudwatch_event_target", "arn"),
                                     ("sns", "aws_sns_topic_subscription", "endpoint")):
            for block in self.m.of_type(resource):
                add(self._function_of(block.get(attr), by_address), EventSource(kind, block.line))
        for block in self.m.of_type("aws_s3_bucket_notification"):
            for target in block.children("lambda_function"):
                add(self._function_of(target.get("lambda_function_arn"), by_address),
                    EventSource("s3", target.line))
        for name, block in self.m.modules.items():
            function = by_address.get(block.address)
            if function is None:
                continue
            mappings = self.m.obj(block.get("event_source_mapping"))
            for entry in mappings.entries if mappings is not None else []:
                obj = self.m.obj(entry.node)
                if obj is not None:
                    event = _guard(lambda: self._mapping(obj.get("event_source_arn"), entry.line))
                    if event:
                        add(function, event)
            triggers = self.m.obj(block.get("allowed_triggers"))
            for entry in triggers.entries if triggers is not None else []:
                obj = self.m.obj(entry.node)
                if obj is None:
                    continue
                for key in ("service", "principal"):
                    ok, value, _ = self.m.literal(obj.get(key))
                    if ok and isinstance(value, str) and value.startswith("apigateway"):
                        add(function, EventSource("api", entry.line))
        return found

    def _function_of(self, node: Optional[Node], by_address: Dict[str, Function]) -> Optional[Function]:
        if node is None:
            return None
        resolved = self.m.resolve(node)
        found = _target(resolved.node if resolved else node)
        if found is not None:
            if found.kind == "resource" and found.type == "aws_lambda_alias":
                alias = self.m.block_of(found)
                return self._function_of(alias.get("function_name"), by_address) if alias else None
            if found.kind == "resource" and found.type == "aws_lambda_function":
                return by_address.get(f"aws_lambda_function.{found.name}")
            if found.kind == "module" and found.attribute.startswith("lambda_function"):
                return by_address.get(f"module.{found.name}")
            return None
        ok, value, _ = self.m.literal(node)
        if not ok or not isinstance(value, str):
            return None
        for function in by_address.values():
            block = self.m.resources.get(("aws_lambda_function", function.name.split(".", 1)[-1])) \
                if function.name.startswith("aws_lambda_function.") else \
                self.m.modules.get(function.name.split(".", 1)[-1])
            if block is None:
                continue
            ok_name, name, _ = self.m.literal(block.get("function_name"))
            if ok_name and name and (value == name or value.endswith(f":function:{name}")):
                return function
        return None

    def _mapping(self, arn: Optional[Node], line: int) -> Optional[EventSource]:
        if arn is None:
            return None
        resolved = self.m.resolve(arn)
        found = _target(resolved.node if resolved else arn)
        if found is not None and found.kind == "resource" and found.type == "aws_sqs_queue":
            queue = self.m.block_of(found)
            event = EventSource("sqs", line)
            if queue is not None:
                node = queue.get("visibility_timeout_seconds")
                if node is None:
                    event.visibility = Value(
                        SQS_DEFAULT_VISIBILITY, SQS_DEFAULT_TEXT, queue.file.display, queue.line)
                    event.visibility_defaulted = True
                else:
                    value = self.m.value(node)
                    number = _number(value.value) if value.literal else None
                    if number is not None:
                        value.value = number
                    event.visibility = value
            return event
        if found is not None and found.kind == "resource":
            kind = {"aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb",
                    "aws_msk_cluster": "kafka", "aws_mq_broker": "mq"}.get(found.type)
            return EventSource(kind, line) if kind else None
        ok, value, _ = self.m.literal(arn)
        if ok and isinstance(value, str) and value.startswith("arn:"):
            service = value.split(":")[2] if value.count(":") >= 2 else ""
            return EventSource(service or "unknown", line)
        return None


def _number(value: Any) -> Optional[float]:
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


# ---------------------------------------------------------------------------------------------


def read_module(directory: Path, files: List[SourceFile]) -> Tuple[List[Function], List[ReadError]]:
    """Every Lambda function the ``.tf`` files of one directory define, and the files that could
    not be read (the others are still read).

    A directory that never names a Lambda function is not parsed at all: python-hcl2 takes
    about a second for a thousand lines, and a VPC or DNS module is none of our business (nor
    are its syntax errors, except a file that cannot be opened)."""
    errors: List[ReadError] = []
    pending: List[Tuple[ReadError, str]] = []
    read: List[TfFile] = []
    ordered = sorted(files, key=lambda s: s.display)
    for source in ordered:
        file = _read_file(source, errors, pending)
        if file is not None:
            read.append(file)
    if not any(_LAMBDA_HINT.search(text) for text in [f.text for f in read] + [t for _, t in pending]):
        return [], errors
    errors.extend(error for error, _ in pending)
    blocks: List[Block] = []
    for file in read:
        blocks.extend(_parse(file, errors))
    errors.sort(key=lambda e: (e.path, e.line))
    if not any(b.type in ("resource", "module") for b in blocks):
        return [], errors
    try:
        module = _Module(directory, blocks)
        reader = _Reader(module)
        functions = reader.functions()
        errors.extend(reader.errors)
        return functions, errors
    except Exception as exc:  # noqa: BLE001 - never a traceback: say which module failed
        errors.append(ReadError(ordered[0].display, 1, f"cannot read the module: {type(exc).__name__}"))
        return [], errors
