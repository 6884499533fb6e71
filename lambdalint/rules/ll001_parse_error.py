"""Parse errors (LL001): a file that could not be read or parsed. The engine reports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.findings import Finding

META = RuleMeta(
    id="LL001",
    name="parse-error",
    severity="error",
    summary="A file could not be read or parsed; it was skipped.",
    kind="engine",
    tags=("reliability",),
    blanket_suppressible=False,
    reports="a file that cannot be read or parsed (the run goes on)",
    covers=("yes", "yes", "yes", "yes", "yes"),
)


def finding(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """An LL001 finding: the file at ``path`` could not be read or parsed, for ``message``.

    The engine, the Python checker and the config readers all report through this one function,
    so the wording and the advice are written once. Imports nothing heavy: a config-only run
    reports parse errors without LibCST."""
    from lambdalint.findings import Finding, Severity

    return Finding(META.id, META.name, Severity(META.severity), path, line, column, line, column,
                   f"cannot check this file: {message}",
                   "Fix the syntax so the file parses, or exclude it in the configuration.")


def outside_tree_note(path: str, line: int, column: int, message: str) -> Finding:
    """The one shape of "this was not read" (lambdalint.confine): LL001 at note severity, on the
    line that named a path outside the checked tree."""
    from lambdalint.findings import Finding, Severity

    line, column = max(line, 1), max(column, 1)
    return Finding(META.id, META.name, Severity.NOTE, path, line, column, line, column, message,
                   "Keep what the deployment needs inside the repository, or check the directory "
                   "that holds both; lambdalint never reads outside the tree it checks.")
