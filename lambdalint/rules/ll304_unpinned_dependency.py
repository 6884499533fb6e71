"""LL304 unpinned-dependency: a deployment requirement without an exact version."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional, Set, Tuple

from lambdalint.findings import Finding
from lambdalint.model import Project
from lambdalint.rules._requirements import (FileSuppressions, not_read_notes,
                                            requirement_finding, requirements_by_function)
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL304",
    name="unpinned-dependency",
    severity="note",
    summary="A deployment requirement has no exact version.",
    kind="config",
    tags=("reliability", "maintainability"),
    reports="a deployment requirement without an exact version",
    covers=("", "yes", "yes", "yes", "yes"),
)



class UnpinnedDependency(ConfigRule):
    """A requirement without an exact version: each build may install something else."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        seen: Set[Tuple[Path, int]] = set()
        suppressed = FileSuppressions()
        yield from not_read_notes(project)
        for function, reqs in requirements_by_function(project):
            for req in reqs.items:
                if req.local or reqs.is_pinned(req) or (req.path, req.line) in seen:
                    continue
                seen.add((req.path, req.line))
                if suppressed(req.path, self.ID, req.line):
                    continue
                written = req.text if req.specifier or req.url else req.name
                how = ("no version" if not req.specifier and not req.url
                       else f"only a range ({req.specifier})" if req.specifier
                       else "a URL that names no exact release or commit")
                pin = f"{req.name}==<the version you tested>"
                yield requirement_finding(
                    self, function, req,
                    f"{written} has {how}: every build of {function.name} may install a different "
                    "release, and an audit (LL303) cannot check it",
                    f"Pin it: {pin}. Generate exact pins with `pip-compile`, `uv pip compile` or "
                    "`pip freeze` from the environment you test, and update them on purpose.")


Rule = UnpinnedDependency
