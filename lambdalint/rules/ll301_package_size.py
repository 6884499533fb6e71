"""LL301 package-size: a deployment package over Lambda's hard limits, or over the cold-start
budget.

The package of each function is worked out once per run (``lambdalint.packages.ship``); this rule
only judges it, once per package (``rules._requirements.grouped``).
"""

from __future__ import annotations

from typing import Iterator, List, Optional

from lambdalint.dialects import dialect_of
from lambdalint.discovery import display_path
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, Project
from lambdalint.packages import ship
from lambdalint.rules._requirements import grouped, not_read_notes
from lambdalint.rules._wording import names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL301",
    name="package-size",
    severity="error",
    summary="A deployment package is over Lambda's size limits, or over the cold-start budget.",
    kind="config",
    options=(
        Option("budget-mb", "int", 50,
               "warn when a package is bigger than this, unzipped (0: no budget)"),
    ),
    tags=("performance", "reliability"),
    reports=(
        "a package over 250 MB unzipped (with estimates for uninstalled requirements), over 5 "
        "layers, a direct-upload zip over 50 MB; warning over the budget"
    ),
    covers=("", "yes", "yes", "yes", "yes"),
)


UNZIPPED_LIMIT = 262_144_000  # 250 MB: the function and all its layers, unzipped
ZIPPED_LIMIT = 52_428_800  # 50 MB: a zip uploaded directly (not through S3)
MAX_LAYERS = 5
DEFAULT_BUDGET_MB = 50


def _shrink_advice(function: Function) -> str:
    image = dialect_of(function).image_option
    return (f"Cut the largest contributors: drop libraries the handler does not import, split "
            f"rarely used heavy code into its own function, or ship a container image ({image}), "
            "which may be up to 10 GB.")


class PackageSize(ConfigRule):
    """A package over Lambda's hard limits fails to deploy; one over the budget starts slowly."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        budget_mb = self.options.get("budget-mb", DEFAULT_BUDGET_MB)
        budget = int(budget_mb) * ship.MB if budget_mb and budget_mb > 0 else 0
        packages = ship.packages(project)
        yield from not_read_notes(project)
        for key, functions in grouped(project):
            package = packages.get(key)
            first = functions[0]
            if package is not None and package.error is None and package.kind != "outside":
                if package.kind in ("directory", "file") and ship.build_step(first):
                    continue  # the sources, not what the build ships: nothing to measure
                finding = self._size(first, functions, package, budget)
                if finding is not None:
                    yield finding
        for function in project.functions:
            if len(function.layers) > MAX_LAYERS:
                extra = function.layers[MAX_LAYERS]
                yield self.finding(
                    function, extra.path, extra.line, extra.column,
                    f"{function.name} uses {len(function.layers)} layers; Lambda allows at most "
                    f"{MAX_LAYERS} per function, so the deployment fails",
                    "Merge layers that always go together into one, or move their contents into "
                    "the function's package or a container image.")

    def _size(self, first: Function, functions: List[Function], package: ship.Package,
              budget: int) -> Optional[Finding]:
        total = package.total
        where = self._where(package)
        parts = []
        for contributor in package.contributors()[:4]:
            parts.append(f"{contributor.label} {ship.mb(contributor.bytes)}")
        largest = "; largest: " + ", ".join(parts) if parts else ""
        notes = []
        if package.estimated:
            source = package.requirements.source
            notes.append(f"{ship.mb(package.estimated_bytes)} of it estimated: "
                         f"{source.name if source else 'the requirements'} is not installed here")
        if package.unknown_dependencies:
            count = len(package.unknown_dependencies)
            notes.append(f"{count} more dependenc{'y' if count == 1 else 'ies'} of unknown size "
                         "not counted")
        if package.truncated:
            notes.append(f"at least: only the first {ship.MAX_FILES:,} files were counted")
        layers = max(len(f.layers) for f in functions)
        if layers:
            notes.append(f"plus {layers} layer{'s' if layers != 1 else ''} not measured")
        note = f" ({'; '.join(notes)})" if notes else ""
        who = names(functions)
        subject = f"the package of {who}" if len(functions) > 1 else f"{who}'s package"
        direct = dialect_of(first).direct_upload_too_large(package, ZIPPED_LIMIT)
        if total > UNZIPPED_LIMIT:
            return self.finding(
                first, first.path, first.line, first.column,
                f"{subject} is {ship.mb(total)} unzipped{where}{note}, over Lambda's 250 MB limit "
                f"for a function and its layers together{largest}",
                _shrink_advice(first))
        if direct:
            return self.finding(
                first, first.path, first.line, first.column,
                f"{subject} is {ship.mb(package.zipped_bytes)} zipped "
                f"({display_path(package.artifact)}), "
                "over the 50 MB Lambda accepts for a zip uploaded directly with `filename`"
                f"{largest}",
                "Upload the zip to S3 and point the function at it (s3_bucket and s3_key; the "
                "50 MB limit does not apply there), or shrink it. " + _shrink_advice(first))
        if budget and total > budget:
            return self.finding(
                first, first.path, first.line, first.column,
                f"{subject} is {ship.mb(total)} unzipped{where}{note}, over the "
                f"{ship.mb(budget)} budget for fast cold starts{largest}",
                "Lambda downloads, unpacks and imports all of it on every cold start. "
                + _shrink_advice(first)
                + f" If the size is intended, raise the budget: [tool.lambdalint.rules.LL301] "
                  f"budget-mb = {int(total / ship.MB) + 1}",
                severity=Severity.WARNING)
        return None

    @staticmethod
    def _where(package: ship.Package) -> str:
        if package.kind == "zip" and package.artifact is not None:
            return f" as declared in {display_path(package.artifact)}"
        if package.kind == "build" and package.artifact is not None:
            return f" as built in {display_path(package.artifact)}"
        return ""


Rule = PackageSize
