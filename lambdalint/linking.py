"""Linking handler strings to local Python code.

A deployment config names a handler (``app.lambda_handler``, ``src/users.create``) relative to
the function's code location; the rules on handler code need the file and the function. Linking
looks at which files exist now, so it is redone on every run, after reading or after the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Set

from lambdalint.model import Function, Project


def link(function: Function) -> None:
    """Name the Python file and function a handler string points at, when the code is local.

    ``app.lambda_handler`` with code in ``hello_world/`` is ``hello_world/app.py``'s
    ``lambda_handler``; Serverless writes ``src/users.create`` relative to the service.
    """
    handler = function.handler
    code = function.code
    if handler is None or not handler.literal or not isinstance(handler.value, str):
        return
    if code.kind != "local" or not code.path:
        return
    module, _, name = handler.value.strip().rpartition(".")
    if not module or not name:
        return
    base = Path(code.path)
    if base.is_file():
        candidates = [base] if base.suffix == ".py" else []
    else:
        module_path = module.replace(".", "/") if "/" not in module else module
        candidates = [base / f"{module_path}.py", base / module_path / "__init__.py"]
    for candidate in candidates:
        if candidate.is_file():
            function.handler_file = str(candidate)
            function.handler_function = name
            return


def linked_handlers(project: Project) -> Dict[str, Set[str]]:
    """Resolved path of a Python file -> the function names deployment configs call handlers."""
    linked: Dict[str, Set[str]] = {}
    for function in project.functions:
        if function.handler_file and function.handler_function:
            key = str(Path(function.handler_file).resolve())
            linked.setdefault(key, set()).add(function.handler_function)
    return linked
