"""LL213 deprecated-runtime: a function on a runtime AWS has deprecated, blocks updates to, or
deprecates soon, by the dates of ``lambdalint/data/runtimes.json``."""

from __future__ import annotations

import datetime
import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, Project, Value
from lambdalint.rules._wording import indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL213",
    name="deprecated-runtime",
    severity="warning",
    summary="A function runs on a runtime AWS deprecated, blocks updates to, or deprecates soon.",
    kind="config",
    options=(
        Option("warn-days", "int", 180,
               "Days before a runtime's deprecation date from which a note reports it."),
    ),
    tags=("reliability", "maintainability"),
    reports="a runtime past its block-update date (error), deprecated (warning), or soon (note)",
    covers=("", "yes", "yes", "yes", "yes"),
)

DEFAULT_WARN_DAYS = 180
DATA = Path(__file__).resolve().parent.parent / "data" / "runtimes.json"


@dataclass(frozen=True)
class Lifecycle:
    """One runtime's dates as AWS prints them (a date is None when AWS gives none)."""

    id: str
    deprecation: Optional[datetime.date]
    block_create: Optional[datetime.date]
    block_update: Optional[datetime.date]
    replacement: Optional[str]


def _date(text: Optional[str]) -> Optional[datetime.date]:
    return datetime.date.fromisoformat(text) if text else None


_TABLE: Optional[Dict[str, Lifecycle]] = None


def table() -> Dict[str, Lifecycle]:
    """The runtime table, read once per process."""
    global _TABLE
    if _TABLE is None:
        data = json.loads(DATA.read_text(encoding="utf-8"))
        _TABLE = {row["id"]: Lifecycle(row["id"], _date(row.get("deprecation")),
                                       _date(row.get("block_create")),
                                       _date(row.get("block_update")), row.get("replacement"))
                  for row in data["runtimes"]}
    return _TABLE


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


class DeprecatedRuntime(ConfigRule):
    """A runtime past its deprecation gets no security patches; past its block-update date,
    Lambda refuses to update the function, so the next deploy fails."""

    ID = META.id
    # The day the rule judges by; None is today. Tests set it (not a user option).
    TODAY: Optional[datetime.date] = None

    def today(self) -> datetime.date:
        return self.TODAY or datetime.date.today()

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        today = self.today()
        warn_days = int(self.options.get("warn-days", DEFAULT_WARN_DAYS))
        runtimes = table()
        # One value shared by several functions (SAM Globals, Serverless provider) is one
        # finding naming them all: one line to edit.
        at: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            runtime = function.runtime
            if runtime is None or not runtime.literal or not isinstance(runtime.value, str):
                continue
            if runtime.value.strip() not in runtimes or function.ignores(self.ID):
                continue
            at.setdefault((runtime.path, runtime.line), []).append(function)
        for functions in at.values():
            first = functions[0]
            runtime = first.runtime
            assert runtime is not None
            life = runtimes[str(runtime.value).strip()]
            yield from self._judge(functions, runtime, life, today, warn_days)

    def _judge(self, functions: List[Function], runtime: Value, life: Lifecycle,
               today: datetime.date, warn_days: int) -> Iterator[Optional[Finding]]:
        who = names(functions)
        uses = "uses" if len(functions) == 1 else "use"
        name = life.id
        if life.block_update is not None and today >= life.block_update:
            message = (f"{who} {uses} {name}, on which Lambda has refused function updates since "
                       f"{life.block_update} (deprecated {life.deprecation}): the next deploy "
                       "that changes the code or configuration fails")
            severity = Severity.ERROR
        elif life.deprecation is not None and today >= life.deprecation:
            message = (f"{who} {uses} {name}, deprecated by AWS on {life.deprecation}: it gets no "
                       f"more security patches{self._blocks(life, today)}")
            severity = Severity.WARNING
        elif (life.deprecation is not None
              and today >= life.deprecation - datetime.timedelta(days=warn_days)):
            left = (life.deprecation - today).days
            message = (f"{who} {uses} {name}, which AWS deprecates on {life.deprecation} (in "
                       f"{_days(left)}): from then on it gets no security patches"
                       f"{self._blocks(life, today)}")
            severity = Severity.NOTE
        else:
            return
        yield self.finding_at(functions[0], runtime, message,
                              self._suggestion(functions[0], life), severity=severity)

    @staticmethod
    def _blocks(life: Lifecycle, today: datetime.date) -> str:
        parts = []
        if life.block_create is not None:
            verb = "has refused" if today >= life.block_create else "refuses"
            since = "since" if today >= life.block_create else "from"
            parts.append(f"Lambda {verb} new functions on it {since} {life.block_create}")
        if life.block_update is not None:
            parts.append(f"{'and ' if parts else 'Lambda refuses '}updates from "
                         f"{life.block_update}, when deploys start to fail")
        return ("; " + " ".join(parts)) if parts else ""

    @staticmethod
    def _suggestion(function: Function, life: Lifecycle) -> str:
        if not life.replacement:
            return ("Move to a newer runtime of the same language when AWS releases one, and "
                    "test the code on it first.")
        return (f"Move to {life.replacement} (test the code on it first):\n"
                f"{indent(dialect_of(function).runtime_setting(life.replacement))}")


Rule = DeprecatedRuntime
