"""The rule pages (``rules/LLxxx.md``): found in the installed package or the source tree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional

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
