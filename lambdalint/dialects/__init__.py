"""How each deployment format writes what the config rules suggest: one dialect per format.

The config rules never branch on ``Function.format``: they ask the function's dialect how its
format writes a timeout, an IAM statement, a secret reference or a package exclude, and what its
framework ships. A dialect is looked up here by the function's format, never stored on the model
(``cache.encode_record`` takes only ``lambdalint.model`` records). The table names modules as
strings and imports one only when a function of that format is judged, so that ``lambdalint
rules``, a config-only and a cached run import nothing they do not use (and no dialect imports a
parser).
"""

from __future__ import annotations

import importlib
from typing import Dict, Tuple

from lambdalint.dialects.base import Dialect
from lambdalint.model import Function

__all__ = ["Dialect", "dialect_of", "for_format"]

# Function.format -> "module:attribute" of its dialect; a JSON CloudFormation or SAM template
# has its own instance (suggestions must be JSON too).
_TABLE: Dict[Tuple[str, bool], str] = {
    ("sam", False): "lambdalint.dialects.sam:YAML",
    ("sam", True): "lambdalint.dialects.sam:JSON",
    ("cloudformation", False): "lambdalint.dialects.cloudformation:YAML",
    ("cloudformation", True): "lambdalint.dialects.cloudformation:JSON",
    ("serverless", False): "lambdalint.dialects.serverless:DIALECT",
    ("terraform", False): "lambdalint.dialects.terraform:DIALECT",
    ("cdk", False): "lambdalint.dialects.cdk:DIALECT",
}
_LOADED: Dict[Tuple[str, bool], Dialect] = {}


def is_json(path: str) -> bool:
    """A template written in JSON (by its name): its suggestions are JSON too."""
    return path.lower().endswith(".json")


def for_format(name: str, json: bool = False) -> Dialect:
    """The dialect of format ``name`` (its JSON variant where it has one); the generic fallback
    for a format without its own."""
    key = (name, json and (name, True) in _TABLE)
    found = _LOADED.get(key)
    if found is None:
        target = _TABLE.get(key)
        if target is None:
            from lambdalint.dialects.generic import Generic

            found = Generic(name)
        else:
            module, _, attribute = target.partition(":")
            found = getattr(importlib.import_module(module), attribute)
        _LOADED[key] = found
    return found


def dialect_of(function: Function) -> Dialect:
    """The dialect a function's config is written in: its format, and JSON when its template is
    a ``.json`` file."""
    return for_format(function.format, is_json(function.path))
