"""Intrinsic functions and located values of a template, read without the template itself.

What ``!Ref``, ``!GetAtt``, ``!Sub``, ``!Join`` and ``!If`` say, as far as the value alone can
tell (the references it makes, its short form, whether only pseudo parameters vary), and the
position helpers over ``yamlload`` values: the IAM, events and template parts all read values
this way, so it is written once here.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from lambdalint.model import Value
from lambdalint.sources.yamlload import scalar_text

_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]*)\}")
MAX_WALK_DEPTH = 200

Pos = Tuple[int, int]


# -- intrinsic functions ---------------------------------------------------------------------------

def _intrinsic(node: Any) -> Optional[Tuple[str, Any]]:
    """(name, argument) when ``node`` is a one-key intrinsic (``Ref``, ``Fn::*``, ``Condition``,
    or an unknown tag such as ``!Rain::Embed``)."""
    if isinstance(node, dict) and len(node) == 1:
        (key, inner), = node.items()
        if isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")
                                     or key.startswith("!")):
            return key, inner
    return None


def _getatt_parts(inner: Any) -> Tuple[str, str]:
    if isinstance(inner, str):
        resource, _, attribute = inner.partition(".")
        return resource, attribute
    if isinstance(inner, list) and inner:
        resource = str(inner[0]) if isinstance(inner[0], str) else ""
        attribute = str(inner[1]) if len(inner) > 1 and isinstance(inner[1], str) else ""
        return resource, attribute
    return "", ""


def _sub_form(node: Any, depth: int = 0) -> str:
    """A value as one string, references written ``${X}`` like ``!Sub`` does: how an ARN built
    with ``!Join`` or ``!Sub`` reads, and how a managed policy name stays recoverable."""
    if depth > MAX_WALK_DEPTH:
        return "${...}"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (str, int, float)):
        return str(node)
    found = _intrinsic(node)
    if found is None:
        return "${...}"
    name, inner = found
    if name == "Ref" and isinstance(inner, str):
        return "${%s}" % inner
    if name == "Fn::GetAtt":
        resource, attribute = _getatt_parts(inner)
        return "${%s.%s}" % (resource, attribute)
    if name == "Fn::Sub":
        if isinstance(inner, list) and inner and isinstance(inner[0], str):
            return str(inner[0])
        return str(inner) if isinstance(inner, str) else "${...}"
    if name == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 \
            and isinstance(inner[0], str) and isinstance(inner[1], list):
        return str(inner[0]).join(_sub_form(part, depth + 1) for part in inner[1])
    return "${%s}" % _short(node)


def _short(node: Any) -> str:
    """What was written, in short form: ``!Ref X``, ``!GetAtt A.B``, ``!Sub s``."""
    found = _intrinsic(node)
    if found is None:
        return scalar_text(node)
    name, inner = found
    if name == "Fn::GetAtt":
        return "!GetAtt %s.%s" % _getatt_parts(inner)
    if name == "Fn::Sub":
        return "!Sub " + _sub_form(node)
    if name == "Fn::Join":
        return "!Join " + _sub_form(node)
    try:
        return scalar_text(node)
    except RecursionError:  # pragma: no cover - the loader bounds depth first
        return "!" + name


def _references(node: Any, depth: int = 0) -> Set[str]:
    """Logical ids a value refers to: ``Ref``, ``GetAtt``, and ``${X}`` / ``${X.Attr}`` in
    ``Sub`` strings (a ``Sub``'s own variables excluded), at any depth."""
    found: Set[str] = set()
    if depth > MAX_WALK_DEPTH:
        return found
    if isinstance(node, list):
        for item in node:
            found |= _references(item, depth + 1)
        return found
    if not isinstance(node, dict):
        return found
    intrinsic = _intrinsic(node)
    if intrinsic is not None:
        name, inner = intrinsic
        if name == "Ref" and isinstance(inner, str):
            found.add(str(inner))
            return found
        if name == "Fn::GetAtt":
            resource, _ = _getatt_parts(inner)
            if resource:
                found.add(resource)
            return found
        if name == "Fn::Sub":
            template, variables = inner, {}
            if isinstance(inner, list) and inner:
                template = inner[0]
                variables = inner[1] if len(inner) > 1 and isinstance(inner[1], dict) else {}
                found |= _references(variables, depth + 1)
            if isinstance(template, str):
                for match in _SUB_VARIABLE.finditer(template):
                    target = match.group(1).strip().split(".", 1)[0]
                    if target and target not in variables:
                        found.add(target)
            return found
    for value in node.values():
        found |= _references(value, depth + 1)
    return found


def _pseudo_only(node: Any, depth: int = 0) -> bool:
    """A ``!Sub`` or ``!Join`` whose only references are pseudo parameters (``AWS::Partition``):
    its text is as good as a literal (``arn:${AWS::Partition}:s3:::*`` means every bucket)."""
    if depth > 20:
        return False
    if isinstance(node, (str, int, float)) and not isinstance(node, bool):
        return True
    found = _intrinsic(node)
    if found is None:
        return False
    name, inner = found
    if name == "Ref":
        return isinstance(inner, str) and inner.startswith("AWS::") and inner != "AWS::NoValue"
    if name == "Fn::Sub":
        if isinstance(inner, list):
            if len(inner) != 1:
                return False
            inner = inner[0]
        return isinstance(inner, str) and all(
            m.group(1).strip().startswith("AWS::") for m in _SUB_VARIABLE.finditer(inner))
    if name == "Fn::Join":
        return isinstance(inner, list) and len(inner) == 2 and isinstance(inner[0], str) \
            and isinstance(inner[1], list) and all(_pseudo_only(p, depth + 1) for p in inner[1])
    return False


def _if_branches(node: Any) -> Optional[List[Any]]:
    """The two values of an ``Fn::If`` (``AWS::NoValue`` dropped), or None if it is not one."""
    found = _intrinsic(node)
    if found is None or found[0] != "Fn::If":
        return None
    inner = found[1]
    if not isinstance(inner, list) or len(inner) != 3:
        return []
    return [b for b in inner[1:] if not _is_no_value(b)]


def _is_no_value(node: Any) -> bool:
    found = _intrinsic(node)
    return found is not None and found[0] == "Ref" and found[1] == "AWS::NoValue"

# -- located values --------------------------------------------------------------------------------

def _as_dict(node: Any) -> Dict[Any, Any]:
    return node if isinstance(node, dict) else {}


def _pos(container: Any, key: Any) -> Pos:
    pos = getattr(container, "pos", None)
    if pos is not None:
        try:
            return pos(key)
        except (TypeError, IndexError):
            pass
    return (getattr(container, "line", 1), getattr(container, "column", 1))


def _key_pos(container: Any, key: Any) -> Pos:
    return getattr(container, "key_positions", {}).get(key, _pos(container, key))


def _items(node: Any) -> Iterator[Tuple[Any, Pos]]:
    """A list's items with their positions; a single value as a one-item list."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield item, _pos(node, index)
    elif node is not None:
        yield node, (getattr(node, "line", 1), getattr(node, "column", 1))


def _number(value: Value) -> Optional[float]:
    """Seconds or megabytes from a literal: CloudFormation also takes numbers written as strings."""
    if not value.literal or isinstance(value.value, bool):
        return None
    if isinstance(value.value, (int, float)):
        return value.value
    if isinstance(value.value, str):
        try:
            number = float(value.value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None
