"""LL205 environment-too-large: a function's environment variables over Lambda's 4 KB.

Lambda counts every key and value together, as UTF-8 bytes; a function over the limit fails to
deploy or update. Values that are references (``!Ref``, ``${ssm:...}``) are not known here, so
only the literal ones count: a finding is certain, a silence is not.
"""

from __future__ import annotations

from typing import Iterator, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Project
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL205",
    name="environment-too-large",
    severity="error",
    summary="A function's environment variables add up to more than Lambda's 4 KB.",
    kind="config",
    tags=("reliability",),
    reports="environment variables over Lambda's 4 KB, names and values together",
    covers=("", "yes", "yes", "yes", "yes"),
)

LIMIT_BYTES = 4096

class EnvironmentTooLarge(ConfigRule):
    """Lambda refuses a function whose environment variables, names and values, are over 4 KB."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        for function in project.functions:
            sizes = []
            for var in function.environment:
                value = var.value
                text = value.value if value.literal and value.value is not None else None
                if text is None:
                    continue
                if isinstance(text, bool):
                    text = "true" if text else "false"
                size = len(var.name.encode("utf-8")) + len(str(text).encode("utf-8"))
                sizes.append((size, var.name))
            total = sum(size for size, _ in sizes)
            if total <= LIMIT_BYTES:
                continue
            sizes.sort(key=lambda s: (-s[0], s[1]))
            largest = ", ".join(f"{name} ({size:,} bytes)" for size, name in sizes[:3])
            store = dialect_of(function).config_store
            yield self.finding(
                function, function.path, function.line, function.column,
                f"{function.name}'s environment variables add up to {total:,} bytes (names and "
                f"values), over Lambda's 4 KB ({LIMIT_BYTES:,} bytes) limit, so the deployment "
                f"fails; largest: {largest}",
                f"Keep large configuration out of the environment: store it in {store}. Read it "
                "once per execution environment, at module scope (Powertools' parameters utility "
                "caches it).")


Rule = EnvironmentTooLarge
