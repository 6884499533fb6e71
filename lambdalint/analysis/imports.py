"""What a handler file imports, for config rules that ask about the code behind a function.

The engine computes it with ``ast`` from the text the Python pass already holds (the pre-filter's
tree), for linked handler files only, and carries it to ``Project.imports_by_file`` in the same
outcome and cache entry as the AWS actions. A config rule then asks "does this function's code
use the OpenTelemetry SDK?" without reading a file. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from typing import List, Optional

MAX_NAMES = 500  # a file importing more is odd; what is past this is not needed


def imported_names(tree: Optional[ast.AST]) -> List[str]:
    """Every absolute import of ``tree``, dotted and sorted: ``import a.b`` gives ``a.b``,
    ``from a.b import c`` gives ``a.b.c`` (``from a import *`` gives ``a.*``). Relative imports
    are the project's own modules and are left out; None (a file ``ast`` refuses) gives none."""
    if tree is None:
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        if len(found) >= MAX_NAMES:
            break
    return sorted(found)[:MAX_NAMES]


def uses(names: List[str], module: str) -> bool:
    """Whether ``names`` (``imported_names``) import ``module`` or anything in it."""
    return any(name == module or name.startswith(module + ".") for name in names)
