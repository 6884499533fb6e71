"""The rule pages (``rules/LLxxx.md``), found in the installed package or the source tree, and
the README's rules table, rendered from each rule's META."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, Optional

if TYPE_CHECKING:  # pragma: no cover
    from lambdalint.registry import RuleInfo

_HERE = Path(__file__).resolve().parent
_PLACES = (_HERE / "_pages", _HERE.parent / "rules")


def pages_dir() -> Optional[Path]:
    for place in _PLACES:
        if place.is_dir():
            return place
    return None


def page(rule_id: str) -> Optional[str]:
    directory = pages_dir()
    if directory is None:
        return None
    path = directory / f"{rule_id}.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def sections(text: str) -> Dict[str, str]:
    """``## Heading`` -> the text under it, for SARIF help and the tests that run examples."""
    result: Dict[str, str] = {}
    current = None
    lines = []
    for line in text.splitlines():
        match = re.match(r"^##\s+(.*\S)\s*$", line)
        if match:
            if current is not None:
                result[current] = "\n".join(lines).strip()
            current, lines = match.group(1), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        result[current] = "\n".join(lines).strip()
    return result


TABLE_HEADER = ("id", "name", "severity", "fix", "what it reports",
                "Python", "SAM / CFN", "Serverless", "Terraform", "CDK")


def _row(cells: Iterable[str]) -> str:
    """A Markdown table row; an empty cell is written ``| |``."""
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def rules_table(rules: Iterable["RuleInfo"]) -> str:
    """README.md's rules table: one row per rule, from META (``reports``, ``covers``, severity,
    fixable). A test holds the README to it, so a new rule's row is written by its META."""
    lines = [_row(TABLE_HEADER), "|" + "---|" * len(TABLE_HEADER)]
    for rule in rules:
        lines.append(_row((rule.id, rule.name, rule.severity.value, "yes" if rule.fixable else "",
                           rule.meta.reports, *rule.meta.covers)))
    return "\n".join(lines) + "\n"
