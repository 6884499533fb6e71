"""Applying fixes: edits to text, a unified diff for --diff, and atomic writes for --fix.

A fix is only written when the new text still parses, the file has not changed since it was
read, and the write goes to a temporary file in the same directory that replaces the original
by rename, keeping its permissions. Nothing is ever written through a symlink.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from lambdalint.findings import Edit, Fix


class FixError(Exception):
    pass


def _offsets(text: str) -> List[int]:
    """Character offset at which each 1-based line starts (index 0 unused)."""
    starts = [0, 0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def apply_edits(text: str, fixes: Sequence[Fix]) -> Tuple[str, int]:
    """Apply every fix whose edits do not overlap an earlier one; returns (text, fixes applied).

    Insertions at the same point do not clash: they go in the order of the fixes (and of the
    edits within a fix), and an insertion identical to one already chosen at that point is made
    once. That is how two fixes that each need the same line (one module-level client for two
    handlers, one separating blank line) converge in a single run.
    """
    starts = _offsets(text)

    def offset(line: int, column: int) -> int:
        if line >= len(starts):
            return len(text)
        return min(starts[line] + column - 1, len(text))

    def overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
        (s1, e1), (s2, e2) = a, b
        if s1 == e1 and s2 == e2:
            return False  # two insertions
        if s1 == e1:
            return s2 < s1 < e2
        if s2 == e2:
            return s1 < s2 < e1
        return s1 < e2 and s2 < e1

    chosen: List[Tuple[int, int, str, int]] = []  # start, end, text, order
    inserted = set()  # (point, text) of the chosen insertions
    seen_fixes = set()
    applied = 0
    for fix in fixes:
        if fix in seen_fixes:  # the same fix reported twice is applied once
            continue
        seen_fixes.add(fix)
        spans = [(offset(e.line, e.column), offset(e.end_line, e.end_column), e.text)
                 for e in fix.edits]
        if any(s > e for s, e, _ in spans):
            continue
        if any(overlaps((s, e), (cs, ce)) for s, e, _ in spans for cs, ce, _, _ in chosen):
            continue
        for s, e, new in spans:
            if s == e:
                if (s, new) in inserted or not new:
                    continue
                inserted.add((s, new))
            chosen.append((s, e, new, len(chosen)))
        applied += 1
    # Left to right; at one point, insertions (in order) before the text they precede is replaced.
    chosen.sort(key=lambda x: (x[0], x[0] != x[1], x[3]))
    out: List[str] = []
    position = 0
    for start, end, new, _ in chosen:
        out.append(text[position:start])
        out.append(new)
        position = max(position, end)
    out.append(text[position:])
    return "".join(out), applied


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: Path, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data``; refuse if it is a symlink or no longer holds ``expected``."""
    if path.is_symlink():
        raise FixError("it is a symlink; lambdalint does not write through links")
    try:
        current = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise FixError(f"cannot read it again: {exc.strerror}") from None
    if expected is not None and current != expected:
        raise FixError("it changed on disk while lambdalint ran; run again")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".lambdalint-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass
class FileFix:
    """The outcome of fixing one file."""

    path: str
    before: str
    after: str
    applied: int
    error: Optional[str] = None


def fix_text(path: str, text: str, fixes: Sequence[Fix],
             validate: Callable[[str], None]) -> FileFix:
    """New text for ``path``; ``validate`` raises when the result does not parse."""
    after, applied = apply_edits(text, fixes)
    if applied == 0 or after == text:
        return FileFix(path, text, text, 0)
    try:
        validate(after)
    except Exception as exc:  # the fix broke the file: keep the original, say so
        return FileFix(path, text, text, 0, f"the fix did not re-parse ({exc}); nothing written")
    return FileFix(path, text, after, applied)
