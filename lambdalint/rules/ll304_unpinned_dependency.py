"""Unpinned dependencies (LL304): its logic lives in ``rules.package`` until the split."""

from __future__ import annotations

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


from lambdalint.rules.package import UnpinnedDependency as Rule  # noqa: E402
