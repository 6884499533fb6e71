"""Package size (LL301): its logic lives in ``rules.package`` until the split."""

from __future__ import annotations

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


from lambdalint.rules.package import PackageSize as Rule  # noqa: E402
