"""Wording the config rules share: how a list of functions, a duration or an indented block
reads in a message. One copy here, so that every rule says the same thing the same way."""

from __future__ import annotations

import re
from typing import List

from lambdalint.model import Function


def names(functions: List[Function], limit: int = 3) -> str:
    """``A``, ``A, B``, ``A, B, C and 2 more``: every function a finding is about."""
    shown = [f.name for f in functions]
    if len(shown) <= limit:
        return ", ".join(shown)
    return f"{', '.join(shown[:limit])} and {len(shown) - limit} more"


def indent(text: str, spaces: int = 4) -> str:
    """Every line of ``text`` indented, for a snippet under a sentence of a suggestion."""
    return "\n".join(" " * spaces + line for line in text.splitlines())


def seconds(value: float) -> str:
    """``3 s``, ``0.5 s``: a duration as the messages write it."""
    return f"{value:g} s"


def article(words: str) -> str:
    """``a`` or ``an`` before ``words``, by its first letter."""
    return "an" if words[:1].lower() in "aeiou" else "a"


def who(origin: str, functions: List[Function]) -> str:
    """`` for A, B`` unless the origin already names the one function (``Policies of A``)."""
    if len(functions) == 1 and re.search(rf"\b{re.escape(functions[0].name)}$", origin):
        return ""
    return f" for {names(functions)}"
