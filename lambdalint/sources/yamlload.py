"""YAML (and JSON) with line numbers, CloudFormation tags, and no way to build Python objects.

PyYAML composes the document into nodes (with the C parser when it is installed); we then build
plain values ourselves, so no tag can ever construct an object. Strings, numbers, mappings and
lists come back as subclasses that carry their 1-based ``line`` and ``column``; a mapping also
knows the line of each key's value (``pos(key)``), which is how booleans and nulls get lines.

CloudFormation short forms become the long form: ``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B``
is ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub s`` is ``{"Fn::Sub": s}``. An unknown tag
(``!Rain::Embed x``) becomes ``{"!Rain::Embed": x}`` rather than an error.
Aliases are expanded with a budget, so an alias bomb is an error, not an hour of work.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import yaml

try:
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import get_version as _libyaml_version
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    def _libyaml_version() -> Tuple[int, int, int]:
        return (0, 0, 0)

# libyaml limits nesting from 0.2.6 on; before it (PyYAML wheels before 6.0.4, many system
# builds) its C recursion has no bound and a document nested some 30,000 deep kills the process.
# With such a libyaml, text that might nest deeply goes to PyYAML's Python composer, whose
# recursion Python bounds.
_LIBYAML_LIMITS_NESTING = _libyaml_version() >= (0, 2, 6)
_SAFE_NESTING = 1000
# Quoted scalars (skipped whole), comments, and flow brackets: within a flow collection a plain
# scalar cannot hold a bracket, so there this count is exact; elsewhere it can only be too high.
_FLOW = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\'\'|[^\'\n])*\'|(?:^|(?<=\s))#[^\n]*|[\[\]{}]',
                   re.MULTILINE)

# Values built for one document, aliases included: a real template has about one value per ten
# characters, so this budget only stops documents that aliases blow up.
BASE_BUDGET = 100_000
MAX_DEPTH = 500

# Short-form tags whose long form is "Fn::<name>"; Ref and Condition keep their own names.
_FN_TAGS = {
    "GetAtt", "Sub", "Join", "If", "Select", "FindInMap", "ImportValue", "Base64", "Split",
    "Equals", "And", "Or", "Not", "GetAZs", "Cidr", "Transform", "Length", "ToJsonString",
    "ForEach",
}


class YamlError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Located:
    """Mixin for values that know where they were written (1-based)."""

    line: int = 1
    column: int = 1


class YStr(str, Located):
    # The scalar's YAML style: "|" literal block, ">" folded, '"' or "'" quoted, None plain.
    # Inline code needs it: only a literal block keeps the file's lines.
    style: Optional[str] = None


class YInt(int, Located):
    pass


class YFloat(float, Located):
    pass


class YDict(dict, Located):
    """A mapping; ``positions[key]`` is the (line, column) of that key's value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions: Dict[Any, Tuple[int, int]] = {}
        self.key_positions: Dict[Any, Tuple[int, int]] = {}

    def pos(self, key: Any) -> Tuple[int, int]:
        return self.positions.get(key, (self.line, self.column))


class YList(list, Located):
    def __init__(self, *args):
        super().__init__(*args)
        self.positions: List[Tuple[int, int]] = []

    def pos(self, index: int) -> Tuple[int, int]:
        if 0 <= index < len(self.positions):
            return self.positions[index]
        return (self.line, self.column)


def line_of(value: Any, default: int = 1) -> int:
    return getattr(value, "line", default)


def _at(value: Any, node: yaml.Node) -> Any:
    if isinstance(value, Located):
        value.line = node.start_mark.line + 1
        value.column = node.start_mark.column + 1
        if isinstance(value, YStr) and isinstance(node, yaml.ScalarNode):
            value.style = node.style or None
    return value


class _Builder:
    def __init__(self, budget: int) -> None:
        self.count = 0
        self.budget = budget
        self.constructor = yaml.constructor.SafeConstructor()
        self.stack: List[int] = []

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.count += 1
        if self.count > self.budget:
            raise YamlError("too many values after expanding aliases (an alias bomb?)",
                            node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise YamlError("nested too deeply", node.start_mark.line + 1)
        tag = node.tag or ""
        if tag.startswith("!"):
            return self._tagged(node, tag[1:], depth)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self.stack:
            raise YamlError("an alias refers to itself", node.start_mark.line + 1)
        self.stack.append(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, depth)
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, depth)
        finally:
            self.stack.pop()
        return None

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp") \
                or not tag.startswith("tag:yaml.org,2002:"):
            return _at(YStr(node.value), node)
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return _at(YStr(node.value), node)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return _at(YInt(value), node)
        if isinstance(value, float):
            return _at(YFloat(value), node)
        return _at(YStr(node.value), node)

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> YList:
        out = _at(YList(), node)
        for item in node.value:
            out.append(self.build(item, depth + 1))
            out.positions.append((item.start_mark.line + 1, item.start_mark.column + 1))
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> YDict:
        out = _at(YDict(), node)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<"
                    and key_node.tag != "tag:yaml.org,2002:str"):
                merged = self.build(value_node, depth + 1)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, YDict):
                        for k, v in part.items():
                            if k not in out:
                                out[k] = v
                                out.positions[k] = part.pos(k)
                continue
            key = self.build(key_node, depth + 1)
            if isinstance(key_node, yaml.ScalarNode) and not isinstance(key, str):
                # Keys are names in every format we read: `1:` and `true:` are "1" and "true"
                # (as bool and int they would even be the same dict key).
                key = _at(YStr(key_node.value), key_node)
            try:
                hash(key)
            except TypeError:
                key = YStr(str(key))
            out[key] = self.build(value_node, depth + 1)
            out.positions[key] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out.key_positions[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out

    def _tagged(self, node: yaml.Node, tag: str, depth: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            inner: Any = _at(YStr(node.value), node)
        elif isinstance(node, yaml.SequenceNode):
            inner = self._sequence(node, depth)
        else:
            inner = self._mapping(node, depth)
        if tag == "GetAtt" and isinstance(inner, str):
            resource, _, attribute = inner.partition(".")
            parts = _at(YList([_at(YStr(resource), node), _at(YStr(attribute), node)]), node)
            parts.positions = [(parts.line, parts.column)] * 2
            inner = parts
        if tag in ("Ref", "Condition"):
            name = tag
        elif tag in _FN_TAGS:
            name = "Fn::" + tag
        else:
            name = "!" + tag
        out = _at(YDict(), node)
        out[name] = inner
        out.positions[name] = (node.start_mark.line + 1, node.start_mark.column + 1)
        return out


# JSON writes a character beyond the BMP as an escaped surrogate pair ("\ud83d\ude00", as Python's
# json.dumps does); YAML's double-quoted strings refuse those, so a JSON document gets the
# character itself (an escaped backslash before the "u" is left alone).
_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _join_surrogate_pairs(text: str) -> str:
    if "\\u" not in text or not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return text

    def one(match: "re.Match[str]") -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return _SURROGATE_PAIR.sub(one, text)


def _may_nest_deeply(text: str) -> bool:
    """Whether ``text`` could nest deeper than libyaml without a limit survives: a block level
    starts at a greater column than its parent or after an indicator on the same line, and a
    flow level needs a bracket."""
    block = max((len(line) - len(line.lstrip(" ")) + line.count("-") + line.count("?")
                 + line.count(":") + 1 for line in text.splitlines()), default=0)
    if block > _SAFE_NESTING:
        return True
    if text.count("[") + text.count("{") <= _SAFE_NESTING - block:
        return False
    depth = 0
    for match in _FLOW.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth + block > _SAFE_NESTING:
                return True
        elif token in ("]", "}") and depth:
            depth -= 1
    return False


def load(text: str) -> Any:
    """The first document of ``text`` as located values; raises YamlError."""
    text = _join_surrogate_pairs(text)
    loader = _Loader
    if not _LIBYAML_LIMITS_NESTING and _may_nest_deeply(text):
        loader = yaml.SafeLoader
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError("nested too deeply") from None
    if node is None:
        return None
    budget = BASE_BUDGET + len(text) // 2
    if "&" in text:  # aliases need an anchor: only then can the values outgrow the text
        bomb = _over_budget(node, budget)
        if bomb is not None:
            raise YamlError("too many values after expanding aliases (an alias bomb?)",
                            bomb.start_mark.line + 1)
    try:
        return _Builder(budget).build(node)
    except RecursionError:
        raise YamlError("nested too deeply") from None


# -- JSON ----------------------------------------------------------------------------------------
# A .json file is JSON, not YAML: YAML refuses a key over 1,024 characters and a lone surrogate
# escape ("\ud800") that JSON allows, which made valid templates LL001. This reader gives the
# same located values as the YAML path (line and column of every value and key), using the json
# module's own string scanner (C) for strings.

_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_JSON_WORDS = {"true": True, "false": False, "null": None}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _JsonReader:
    """A recursive-descent JSON reader over ``text`` that records where each value starts."""

    def __init__(self, text: str) -> None:
        from json.decoder import scanstring

        self.text = text
        self.scanstring = scanstring
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.count = 0
        self.budget = BASE_BUDGET + len(text) // 2

    def where(self, index: int) -> Tuple[int, int]:
        from bisect import bisect_right

        line = bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def fail(self, message: str, index: int) -> YamlError:
        line, column = self.where(min(index, len(self.text)))
        return YamlError(f"invalid JSON: {message}", line, column)

    def skip(self, index: int) -> int:
        return _JSON_WS.match(self.text, index).end()  # type: ignore[union-attr]

    def string(self, index: int) -> Tuple[YStr, int]:
        try:
            value, end = self.scanstring(self.text, index + 1, True)
        except ValueError as exc:
            raise self.fail(str(exc).split(":")[0], index) from None
        if _LONE_SURROGATE.search(value):  # half of a pair: not a character, cannot be printed
            value = _LONE_SURROGATE.sub("\ufffd", value)
        out = YStr(value)
        out.line, out.column = self.where(index)
        out.style = '"'
        return out, end

    def after_item(self, index: int, close: str) -> Tuple[bool, int]:
        """After an item of an object or array: (True, the index past ``close``) at its end,
        else (False, the index of the next item)."""
        index = self.skip(index)
        char = self.text[index:index + 1]
        if char == close:
            return True, index + 1
        if char != ",":
            raise self.fail(f"expected ',' or '{close}'", index)
        return False, self.skip(index + 1)

    def value(self, index: int, depth: int) -> Tuple[Any, int]:
        self.count += 1
        if self.count > self.budget:
            raise self.fail("too many values", index)
        if depth > MAX_DEPTH:
            raise YamlError("nested too deeply", *self.where(index))
        text = self.text
        char = text[index:index + 1]
        if char == '"':
            return self.string(index)
        if char == "{":
            out: Any = YDict()
            out.line, out.column = self.where(index)
            index = self.skip(index + 1)
            if text[index:index + 1] == "}":
                return out, index + 1
            while True:
                if text[index:index + 1] != '"':
                    raise self.fail("expected a property name in double quotes", index)
                key, index = self.string(index)
                index = self.skip(index)
                if text[index:index + 1] != ":":
                    raise self.fail("expected ':'", index)
                index = self.skip(index + 1)
                start = index
                item, index = self.value(index, depth + 1)
                out[key] = item
                out.positions[key] = self.where(start)
                out.key_positions[key] = (key.line, key.column)
                done, index = self.after_item(index, "}")
                if done:
                    return out, index
        if char == "[":
            out = YList()
            out.line, out.column = self.where(index)
            index = self.skip(index + 1)
            if text[index:index + 1] == "]":
                return out, index + 1
            while True:
                start = index
                item, index = self.value(index, depth + 1)
                out.append(item)
                out.positions.append(self.where(start))
                done, index = self.after_item(index, "]")
                if done:
                    return out, index
        for word, word_value in _JSON_WORDS.items():
            if text.startswith(word, index):
                return word_value, index + len(word)
        match = _JSON_NUMBER.match(text, index)
        if match and match.end() > index:
            integer, fraction, exponent = match.groups()
            number: Any
            if fraction or exponent:
                number = YFloat(float(match.group()))
            elif len(integer) > 4000:  # int() refuses more digits: keep the text
                number = YStr(match.group())
            else:
                number = YInt(int(integer))
            number.line, number.column = self.where(index)
            return number, match.end()
        raise self.fail("expected a value", index)


def load_json(text: str) -> Any:
    """A JSON document as located values (the same types as ``load``); raises YamlError."""
    reader = _JsonReader(text)
    index = reader.skip(1 if text.startswith("\ufeff") else 0)
    if index >= len(text):
        return None
    try:
        value, end = reader.value(index, 0)
    except RecursionError:
        raise YamlError("nested too deeply") from None
    end = reader.skip(end)
    if end < len(text):
        raise reader.fail("extra data after the document", end)
    return value


def load_template(text: str) -> Any:
    """A file that may hold either (CloudFormation's ``.template``), read as CloudFormation does:
    JSON when it is JSON, else YAML. Text that opens with ``{`` and is neither is reported as
    the JSON it was meant to be ("invalid JSON: expected ',' or '}'" on the line), not as YAML;
    raises YamlError."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return load(text)
    try:
        return load_json(text)
    except YamlError as json_error:
        try:
            return load(text)  # YAML flow style (a trailing comma, a bare key) is YAML still
        except YamlError:
            raise json_error from None


def _children(node: yaml.Node) -> List[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _over_budget(root: yaml.Node, budget: int) -> Optional[yaml.Node]:
    """The first node (in the text) whose values, aliases expanded, exceed ``budget`` while none
    of its children does; None when the document fits. Counted on the composed graph, where an
    alias is the very node it names, so a billion laughs costs a few hundred steps to see."""
    sizes: Dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            if id(node) in sizes:
                continue
            sizes[id(node)] = 0  # meanwhile: an alias to a node being counted adds nothing
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
        else:
            sizes[id(node)] = min(budget + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
    if sizes[id(root)] <= budget:
        return None
    found = [n for n in _nodes(root) if sizes[id(n)] > budget and
             all(sizes[id(c)] <= budget for c in _children(n))]
    return min(found, key=lambda n: n.start_mark.index) if found else root


def _nodes(root: yaml.Node) -> List[yaml.Node]:
    seen, out, stack = set(), [], [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
            stack.extend(_children(node))
    return out


def scalar_text(value: Any) -> str:
    """How a value reads in a message: intrinsics as their short form."""
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        short = key[4:] if isinstance(key, str) and key.startswith("Fn::") else key
        if isinstance(inner, list):
            return f"!{short} {', '.join(scalar_text(v) for v in inner)}" if short != "GetAtt" \
                else f"!GetAtt {'.'.join(str(v) for v in inner)}"
        return f"!{short.lstrip('!')} {scalar_text(inner)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)
