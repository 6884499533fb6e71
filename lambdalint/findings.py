"""What a rule reports: findings, their severity, and the text edits of a fix.

Everything downstream (suppressions, reporters, --fix) reads only these records, so they are
plain frozen dataclasses with no behaviour that depends on where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Tuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Higher is more severe; used by --fail-on and by the GitHub reporter's ordering."""
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with ``text``.

    Lines and columns are 1-based and count characters of the decoded file, the same as the
    positions of findings, so SARIF can carry them unchanged. An insertion has start == end.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A machine-applicable change: every edit is applied together or not at all.

    ``masked`` is set only on the copy a reporter shows (``redact.mask_fix``) when a secret in
    an edit's text was replaced by its mask: that copy is no longer the real change.
    """

    description: str
    edits: Tuple[Edit, ...]
    masked: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    suggestion: str
    fix: Optional[Fix] = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)
