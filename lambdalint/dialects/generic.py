"""The fallback dialect, for a format lambdalint has no dialect of: it says what to do in words,
and names the format as the function does."""

from __future__ import annotations

from lambdalint.dialects.base import Dialect


class Generic(Dialect):
    """Every rendering of ``Dialect``'s defaults, labelled with the format's own name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.label = name
