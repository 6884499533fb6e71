"""Bundled junk (LL302): its logic lives in ``rules.package`` until the split."""

from __future__ import annotations

from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL302",
    name="bundled-junk",
    severity="warning",
    summary="A deployment ships tests, virtual environments, caches, dev tools or the AWS SDK.",
    kind="config",
    options=(
        Option("large-file-mb", "int", 10,
               "data files at least this big count as bundled junk"),
        Option("extra-dev-packages", "list", [],
               "more development-only package names"),
    ),
    tags=("performance", "maintainability"),
    reports=(
        "tests, virtualenvs, `.git`, caches, notebooks, big data files in the package; dev tools "
        "in requirements; boto3 bundled (note)"
    ),
    covers=("", "yes", "yes", "yes", "yes"),
)


from lambdalint.rules.package import BundledJunk as Rule  # noqa: E402
