"""The deployment configs around explicit Python files: pre-commit passes the changed files alone.

A handler is often a handler only because a template names it (``Handler: app.process``), so a
run given Python files alone also reads the configs of the project around them, to link the
handlers, and reports on the files given, nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional

from lambdalint import discovery
from lambdalint.config import Config

if False:  # pragma: no cover - typing only
    from lambdalint.cache import Cache
    from lambdalint.model import Function, Project

# Names that make a directory the home of a deployment: where the configs that name the
# handlers live when there is no git repository to say where the project starts.
_DEPLOYMENT_NAMES = ("template.yaml", "template.yml", "template.json", "serverless.yml",
                     "serverless.yaml", "serverless.json", "cdk.json")


def _holds_deployment_config(directory: Path) -> bool:
    try:
        with os.scandir(directory) as scan:
            return any(e.name in _DEPLOYMENT_NAMES or e.name.endswith(".tf") for e in scan
                       if e.is_file(follow_symlinks=False))
    except OSError:
        return False


def project_root(start: Path, cwd: Optional[Path] = None) -> Path:
    """Where the deployment configs of the project around ``start`` are looked for.

    The nearest directory holding ``.git``. Outside any repository (a tutorial's copy, an
    unpacked archive) the project is the nearest directory from ``start`` upwards that holds a
    deployment config, looking no higher than the working directory when ``start`` is below
    it: ``lambdalint check src/orders/service.py`` run beside ``template.yaml`` must read that
    template to know the handler. With none found: the working directory when ``start`` is
    below it (the user chose it), else ``start`` itself, never somewhere higher."""
    chain = [start, *start.parents]
    for directory in chain:
        if (directory / ".git").exists():
            return directory
    cwd = (cwd or Path.cwd()).resolve()
    inside = cwd in chain
    for directory in chain:
        if _holds_deployment_config(directory):
            return directory
        if directory == cwd:
            break
    return cwd if inside else start


def context_configs(files: List[discovery.SourceFile], config: Config,
                    store: Optional["Cache"] = None) -> List[discovery.SourceFile]:
    """With only explicit Python files (pre-commit passes a file list), the deployment configs of
    the project around them: they say which functions are handlers."""
    if not files or not all(f.explicit for f in files):
        return []
    if not any(f.kind == discovery.PYTHON for f in files):
        return []
    roots = {project_root(f.path.parent.resolve()) for f in files if f.kind == discovery.PYTHON}
    given = {os.path.realpath(f.path) for f in files}
    found: Dict[str, discovery.SourceFile] = {}
    for root in sorted(roots):
        # Only the configs, each with its real path (no resolve() per file), kept in the
        # cache while the directories walked are unchanged.
        for real, source in discovery.discover_configs(str(root), config.excludes,
                                                       config.root or root, store):
            if real not in given:
                found.setdefault(real, source)
    return list(found.values())


def given_functions(project: "Project", files: List[discovery.SourceFile]) -> "Project":
    """The part of ``project`` that can give findings in the files named on the command line:
    functions defined there, linked to one of them, or whose code directory holds one."""
    from lambdalint.model import Project

    given_display = {f.display for f in files}
    given = discovery.GivenFiles([str(f.path) for f in files])

    def relevant(function: "Function") -> bool:
        if function.path in given_display:
            return True
        if function.handler_file and given.is_given(function.handler_file):
            return True
        code = function.code.path if function.code.kind == "local" else None
        if code:
            return given.holds_given(code)
        return False

    return Project(functions=[f for f in project.functions if relevant(f)],
                   errors=list(project.errors), actions_by_file=project.actions_by_file,
                   imports_by_file=project.imports_by_file, roots=project.roots)
