"""Reporters turn a run's findings into text; they read findings and rule metadata, nothing else."""

from __future__ import annotations

from typing import Callable

FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


def get(name: str) -> Callable:
    """The ``render(result, **options) -> str`` function of a format."""
    from importlib import import_module

    return import_module(f"lambdalint.reporters.{name}_format").render
