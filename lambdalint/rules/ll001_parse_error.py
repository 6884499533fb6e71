"""Parse errors (LL001): a file that could not be read or parsed. The engine reports it."""

from __future__ import annotations

from lambdalint.rules.meta import RuleMeta

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
