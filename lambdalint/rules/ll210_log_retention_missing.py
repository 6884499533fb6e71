"""LL210 log-retention-missing: a function whose CloudWatch Logs group has no retention, so its
logs are kept, and billed, forever."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, LogGroup, Project, Value
from lambdalint.rules._wording import indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL210",
    name="log-retention-missing",
    severity="warning",
    summary="A function's log group has no retention, so its logs are kept and billed forever.",
    kind="config",
    options=(
        Option("max-days", "int", 0,
               "Also report a retention longer than this many days (0: any retention is "
               "accepted)."),
        Option("days", "int", 30, "The retention the suggestion writes."),
    ),
    tags=("maintainability",),
    reports="no log group with a retention for the function (logs kept forever)",
    covers=("", "yes", "yes", "yes", "yes"),
)

DEFAULT_DAYS = 30

WHY = ("Lambda creates the group /aws/lambda/<function name> on the first invocation and never "
       "expires it: every log line is stored, and billed, until someone deletes it.")


def _days(value: Value) -> Optional[float]:
    number = value.value if value.literal else None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    return number


class LogRetentionMissing(ConfigRule):
    """A log group without a retention keeps every log line forever: storage grows with every
    invocation, debug output and personal data included, and nobody decided to keep it."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        max_days = int(self.options.get("max-days", 0))
        # A log group (or a retention) several functions share is one finding there.
        groups: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        too_long: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            retention = function.log_retention
            group = function.log_group
            if retention is not None:
                days = _days(retention)
                if max_days > 0 and days is not None and days > max_days:
                    too_long.setdefault((retention.path, retention.line), []).append(function)
                continue
            if group is not None and not group.followed:
                continue  # made elsewhere: its retention is not in this project
            if group is not None:
                groups.setdefault((group.path, group.line), []).append(function)
            else:
                yield self._no_group(function)
        for functions in groups.values():
            yield self._group_without_retention(functions)
        for functions in too_long.values():
            yield self._too_long(functions, max_days)

    def _suggested_days(self) -> int:
        return int(self.options.get("days", DEFAULT_DAYS))

    def _where(self, function: Function) -> str:
        dialect = dialect_of(function)
        days = self._suggested_days()
        text = indent(dialect.log_retention(function, days))
        shared = dialect.shared_log_retention(days)
        if shared is not None:
            text += "\nor once for every function:\n" + indent(shared)
        return text

    def _no_group(self, function: Function) -> Optional[Finding]:
        return self.finding(
            function, function.path, function.line, function.column,
            f"{function.name} has no log group with a retention, so its logs are kept (and "
            "billed) forever",
            f"Give its logs a retention:\n{self._where(function)}\n{WHY}",
        )

    def _group_without_retention(self, functions: List[Function]) -> Optional[Finding]:
        first = functions[0]
        group = first.log_group
        assert isinstance(group, LogGroup)
        days = self._suggested_days()
        return self.finding(
            None, group.path, group.line, 1,
            f"The log group {group.name} of {names(functions)} sets no retention, so its logs "
            "are kept (and billed) forever",
            f"Give the group a retention (at {group.path}:{group.line}), e.g.:\n"
            f"{indent(dialect_of(first).retention_setting(days))}",
        )

    def _too_long(self, functions: List[Function], max_days: int) -> Optional[Finding]:
        first = functions[0]
        retention = first.log_retention
        assert retention is not None
        return self.finding_at(
            None, retention,
            f"{names(functions)} {'keeps its' if len(functions) == 1 else 'keep their'} logs "
            f"for {retention.text}, longer than the {max_days} days this project allows",
            f"Lower the retention to at most {max_days} days.",
        )


Rule = LogRetentionMissing
