"""What a function's linked handler code imports, for config rules that ask about the code.

The engine fills ``Project.imports_by_file`` from the pass that checks the code (no file is read
again); a config rule asks here, by function, and gets None when the function has no linked
Python handler file: what the code does is then unknown, not "nothing".
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Optional

from lambdalint.analysis.imports import uses
from lambdalint.model import Function, Project


def imports_of(function: Function, project: Project) -> Optional[List[str]]:
    """The dotted imports of the function's handler file; None without a linked file."""
    if not function.handler_file:
        return None
    key = str(Path(function.handler_file).resolve())
    if key not in project.imports_by_file:
        return None
    return project.imports_by_file[key]


def first_used(imported: List[str], modules: Iterable[str]) -> Optional[str]:
    """The first of ``modules`` that ``imported`` uses (imports it or anything in it)."""
    for module in modules:
        if uses(imported, module):
            return module
    return None
