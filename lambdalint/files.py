"""Reading one file of the checked tree: one size limit, one error shape, today's wording.

Every reader (handler code, YAML/JSON documents, Terraform modules, CDK apps, the unit cache)
reads a file the same way: at most ``MAX_FILE_BYTES``, a UTF-8 byte-order mark dropped, UTF-8
text or nothing. What went wrong is a ``ReadFailure`` value rather than an exception, so each
caller decides what to say (a reader reports an LL001, the engine a note, the cache just reads
the unit again), and the words come from ``ReadFailure.message`` so they are written once.

Paths a *user's file names* (``CodeUri``, ``-r requirements``) go through ``lambdalint.confine``
instead, which also refuses anything but regular files: those paths are not chosen by the user
running lambdalint, the files read here are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

MAX_FILE_BYTES = 5 * 1024 * 1024  # one file; CloudFormation's own limit is 1 MB
HEAD_BYTES = 64 * 1024  # enough of a file over the limit to see what it is
BOM = b"\xef\xbb\xbf"

TOO_LARGE = "too-large"
UNREADABLE = "unreadable"
NOT_UTF8 = "not-utf8"
DIRECTORY = "directory"


@dataclass(frozen=True)
class ReadFailure:
    """Why a file gave no content. ``size`` is its size in bytes (for "too-large"), ``line``
    the line where decoding failed (for "not-utf8"), ``detail`` the system's or the decoder's
    reason; ``partial`` what could be read anyway, decoded with replacement characters (the
    head of a file too large, the whole of one not UTF-8), so a caller can tell whether the
    file concerns it before it complains."""

    reason: str
    size: int = 0
    line: int = 1
    detail: str = ""
    partial: str = ""

    def message(self) -> str:
        """The LL001 wording every config reader has used for this failure."""
        if self.reason == TOO_LARGE:
            return f"skipped: {_limit_phrase(self.size)}"
        if self.reason == NOT_UTF8:
            return f"not UTF-8 text: {self.detail}"
        return f"cannot read: {self.detail}"

    def note(self, display: str) -> str:
        """The engine's note on a Python file too large to check (a sentence, not an LL001)."""
        return f"{display}: skipped, {_limit_phrase(self.size)}"


def _limit_phrase(size: int) -> str:
    return (f"{size / 1024 / 1024:.1f} MiB is over the {MAX_FILE_BYTES // 1024 // 1024} MiB "
            f"limit for one file")


def _failure(exc: OSError) -> ReadFailure:
    reason = DIRECTORY if isinstance(exc, IsADirectoryError) else UNREADABLE
    return ReadFailure(reason, detail=str(exc.strerror or exc))


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> Union[bytes, ReadFailure]:
    """The file's bytes, or why not: "too-large" over ``limit``, "directory", "unreadable".
    The read stops at ``limit + 1`` bytes, so a file that grows after its size was taken
    cannot exhaust memory."""
    try:
        size = path.stat().st_size
        if size > limit:
            return ReadFailure(TOO_LARGE, size=size)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return _failure(exc)
    if len(data) > limit:
        return ReadFailure(TOO_LARGE, size=len(data))
    return data


def decode(data: bytes) -> Union[str, ReadFailure]:
    """UTF-8 text of ``data`` without its byte-order mark, or "not-utf8" with the line of the
    first bad byte (counted without the mark) and the text decoded with replacements."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ReadFailure(NOT_UTF8, size=len(data), line=data[:exc.start].count(b"\n") + 1,
                           detail=exc.reason, partial=data.decode("utf-8", "replace"))


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> Union[str, ReadFailure]:
    """``read_bytes`` then ``decode``: the file's UTF-8 text, or why not. A file too large
    comes with its head in ``partial`` (a reader says "skipped" only when it is its kind of
    file); one whose head cannot be read is "unreadable" like any other."""
    data = read_bytes(path, limit)
    if isinstance(data, ReadFailure):
        if data.reason != TOO_LARGE:
            return data
        head = read_head(path, HEAD_BYTES)
        if isinstance(head, ReadFailure):
            return head
        return ReadFailure(TOO_LARGE, size=data.size, partial=head.decode("utf-8", "replace"))
    return decode(data)


def read_head(path: Path, size: int) -> Union[bytes, ReadFailure]:
    """The first ``size`` bytes of a file of any size (enough to recognise what it is)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        return _failure(exc)


def head_text(path: Path, size: int) -> str:
    """``read_head`` decoded with replacements; "" when the file cannot be read."""
    head = read_head(path, size)
    return "" if isinstance(head, ReadFailure) else head.decode("utf-8", "replace")
