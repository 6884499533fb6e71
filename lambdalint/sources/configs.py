"""Reading every deployment config of a run into one ``Project``, without the cache.

Which reader reads which file is decided once, in ``lambdalint.sources.units``; this module
reads the units in order and links handlers (``lambdalint.linking``). ``link`` and
``linked_handlers`` are kept importable from here for the engine and older callers.
"""

from __future__ import annotations

from typing import Sequence

from lambdalint.discovery import SourceFile
from lambdalint.linking import link, linked_handlers
from lambdalint.model import Project
from lambdalint.sources import units

__all__ = ["link", "linked_handlers", "read_project"]


def read_project(config_files: Sequence[SourceFile], python_files: Sequence[SourceFile],
                 paths: Sequence[str] = ()) -> Project:
    """All functions defined by ``config_files`` (and CDK apps among ``python_files``), linked
    to their handler code. ``paths`` (the command line's) are not needed to read."""
    project = Project()
    for unit in units.units(config_files, python_files):
        functions, errors = units.read(unit)
        project.functions.extend(functions)
        project.errors.extend(errors)
    for function in project.functions:
        link(function)
    return project
