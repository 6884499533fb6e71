"""Reading every deployment config of a run into one ``Project``, and linking handlers to code.

Each format has its own module; this one only decides which module reads which file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence, Set

from lambdalint.model import Project


def read_project(config_files: Sequence, python_files: Sequence, paths: Sequence[str]) -> Project:
    """All functions defined by ``config_files`` (and CDK apps among ``python_files``)."""
    return Project()


def linked_handlers(project: Project) -> Dict[str, Set[str]]:
    """Resolved path of a Python file -> the function names deployment configs call handlers."""
    linked: Dict[str, Set[str]] = {}
    for function in project.functions:
        if function.handler_file and function.handler_function:
            key = str(Path(function.handler_file).resolve())
            linked.setdefault(key, set()).add(function.handler_function)
    return linked
