"""Applying fixes: edits to text, a unified diff for --diff, and safe writes for --fix.

``--fix`` never loses an edit and never damages a file's identity. A fix is only written when
the new text still parses; when the file's encoding writes back, byte for byte, every part the
fix does not touch (so no fix for an encoding that is not ASCII-compatible and round-trip
safe); when the file is a regular, writable file (not a symlink, not read-only); and when it is
still, just before the rename, the very file that was read (same inode, size, times, owner,
mode and bytes). The new content goes to a temporary file in the same directory, with the
original's owner, group and mode, and replaces it by rename; a file with several hard links is
rewritten in place instead. SIGINT and SIGTERM never leave a temporary file behind.
"""

from __future__ import annotations

import codecs
import difflib
import io
import os
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from lambdalint.findings import Fix


class FixError(Exception):
    """A fix that is not written; the message (one line) tells the user why."""


def _offsets(text: str) -> List[int]:
    """Character offset at which each 1-based line starts (index 0 unused)."""
    starts = [0, 0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


@dataclass(frozen=True)
class Segment:
    """A stretch of the original text and what the fixes make of it.

    ``kept`` stretches are copied unchanged (``old == new``); the others are the edits. Keeping
    them apart lets the write prove that every byte no fix touched is written back as it was.
    """

    old: str
    new: str
    kept: bool


def _newline_of(text: str) -> Optional[str]:
    """The file's line ending when it uses one kind only ("\\n" or "\\r\\n"), else None."""
    lf = text.count("\n")
    if lf == 0:
        return None
    crlf = text.count("\r\n")
    if crlf == lf and text.count("\r") == crlf:
        return "\r\n"
    if crlf == 0 and "\r" not in text:
        return "\n"
    return None


def plan_edits(text: str, fixes: Sequence[Fix]) -> Tuple[List[Segment], int]:
    """The segments of ``text`` once every fix that does not overlap an earlier one is applied,
    and how many fixes were applied; ``"".join(s.new for s in segments)`` is the new text.

    Insertions at the same point do not clash: they go in the order of the fixes (and of the
    edits within a fix), and an insertion identical to one already chosen at that point is made
    once. That is how two fixes that each need the same line (one module-level client for two
    handlers, one separating blank line) converge in a single run.

    A rule writes its new lines with "\\n"; in a file that uses "\\r\\n" throughout, the new
    lines take "\\r\\n" (and the reverse), so a fix never leaves a file with mixed line endings.
    """
    starts = _offsets(text)
    newline = _newline_of(text)

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

    def same_endings(new: str) -> str:
        if newline is None or "\n" not in new:
            return new
        return new.replace("\r\n", "\n").replace("\n", newline)

    chosen: List[Tuple[int, int, str, int]] = []  # start, end, text, order
    inserted = set()  # (point, text) of the chosen insertions
    seen_fixes = set()
    applied = 0
    for fix in fixes:
        if fix in seen_fixes:  # the same fix reported twice is applied once
            continue
        seen_fixes.add(fix)
        spans = [(offset(e.line, e.column), offset(e.end_line, e.end_column),
                  same_endings(e.text)) for e in fix.edits]
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
    segments: List[Segment] = []
    position = 0
    for start, end, new, _ in chosen:
        if start > position:
            segments.append(Segment(text[position:start], text[position:start], True))
        end = max(position, end)
        segments.append(Segment(text[max(position, start):end], new, False))
        position = end
    if position < len(text) or not segments:
        segments.append(Segment(text[position:], text[position:], True))
    return segments, applied


def apply_edits(text: str, fixes: Sequence[Fix]) -> Tuple[str, int]:
    """Apply every fix whose edits do not overlap an earlier one; returns (text, fixes applied).
    See ``plan_edits``."""
    segments, applied = plan_edits(text, fixes)
    return "".join(s.new for s in segments), applied


# Every ASCII character Python source is made of: an encoding that writes any of them as other
# bytes (UTF-16, UTF-7's "+", unicode_escape's "\\n") is not one a fix may write with.
_ASCII_PROBE = "\t\n\r\x0c !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~"


def encode_fixed(segments: Sequence[Segment], data: bytes, encoding: str) -> bytes:
    """The bytes of the fixed text in the file's ``encoding``, or FixError (no fix for it).

    Written only when the encoding is ASCII-compatible, writes back exactly the ``data`` it was
    decoded from, keeps the bytes of every stretch no fix touched, and can hold the new text
    (which then decodes back to itself). A BOM is kept by the codec ("utf-8-sig").
    """
    def refuse(why: str) -> FixError:
        return FixError(f"no fix: its encoding ({encoding}) {why}; nothing written")

    before = "".join(s.old for s in segments)
    after = "".join(s.new for s in segments)
    try:
        info = codecs.lookup(encoding)
        if before.encode(encoding) != data:
            raise refuse("does not write back the bytes it read")
    except (UnicodeError, LookupError):
        raise refuse("does not write back the bytes it read") from None
    try:
        probe = info.incrementalencoder()
        probe.encode("")  # a BOM, if the codec writes one, comes out here
        if probe.encode(_ASCII_PROBE) != _ASCII_PROBE.encode("ascii"):
            raise refuse("is not ASCII-compatible")
    except UnicodeError:
        raise refuse("is not ASCII-compatible") from None
    old_encoder, new_encoder = info.incrementalencoder(), info.incrementalencoder()
    out: List[bytes] = []
    try:
        for segment in segments:
            old, new = old_encoder.encode(segment.old), new_encoder.encode(segment.new)
            if segment.kept and old != new:
                raise refuse("would change bytes the fix does not touch")
            out.append(new)
        out.append(new_encoder.encode("", True))
        encoded = b"".join(out)
        if encoded.decode(encoding) != after:
            raise refuse("cannot hold the fixed text")
    except UnicodeError:
        raise refuse("cannot hold the fixed text") from None
    return encoded


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def before_replace(path: Path) -> None:
    """Called once the new content is on disk (fsynced) and before the file is re-checked and
    replaced. It does nothing: it marks the moment an editor's save would be lost, and tests set
    it to stand in for that editor (it simulates the user, never lambdalint)."""


_CHANGED = "it changed on disk while lambdalint ran; run again"


@dataclass(frozen=True)
class Identity:
    """What says a file is still the one that was read: a save by rename changes the inode, a
    save in place the size or the times (ctime cannot be set back), a chmod, chown or new link
    the rest. Content is compared as well, for a save within one timestamp tick."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    mode: int
    uid: int
    gid: int
    links: int

    @classmethod
    def of(cls, info: os.stat_result) -> "Identity":
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                   info.st_mode, info.st_uid, info.st_gid, info.st_nlink)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _open_no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | _NOFOLLOW)


def _read_identified(path: Path) -> Tuple[Identity, bytes]:
    """The identity and bytes of the file ``path`` names, read through one descriptor."""
    with io.open(path, "rb", opener=_open_no_follow) as handle:
        return Identity.of(os.fstat(handle.fileno())), handle.read()


def _check_unchanged(path: Path, identity: Identity, content: bytes) -> None:
    """FixError unless ``path`` still names the same file, with the same identity and bytes."""
    try:
        same = _read_identified(path) == (identity, content)
        # Last, as close to the write as can be: the name still leads to that same file.
        same = same and Identity.of(os.lstat(path)) == identity
    except OSError:
        same = False
    if not same:
        raise FixError(_CHANGED)


@contextmanager
def _terminate_raises() -> Iterator[None]:
    """While a file is written, SIGTERM raises SystemExit(143) instead of killing the process
    at once, so the ``except``/``finally`` below remove the temporary file. Left alone when the
    process already handles (or ignores) SIGTERM, and outside the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then act as they would have: the steps
    inside (re-check then rename, or re-check then rewrite in place) are never cut in two."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: List[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is None or handler is signal.SIG_IGN:
            continue  # installed outside Python, or ignored: leave it be
        previous[signum] = handler
        signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in caught:
            signal.raise_signal(signum)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); where a directory cannot be opened, skip it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace the content of ``path`` with ``data``, or raise FixError and change nothing.

    Refused: a symlink, anything but a regular file, a read-only file (its mode has no write
    bit for the owner: the user's "do not touch", even for root), a file whose bytes are not
    ``expected``. The new content goes to a temporary file in the same directory, with the
    original's owner, group and mode, fsynced; then the file is checked again (identity and
    content) and only then renamed over it, so an editor's save is never lost. A file with other
    hard links is rewritten in place instead (after the same check), so every name keeps seeing
    one file. SIGINT/SIGTERM never leave a temporary file behind.
    """
    with _terminate_raises():
        _write(path, data, expected)


def _write(path: Path, data: bytes, expected: Optional[bytes]) -> None:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise FixError(f"cannot read it again: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise FixError("it is a symlink; lambdalint does not write through links")
    if not stat.S_ISREG(info.st_mode):
        raise FixError("it is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    # The mode bits, not os.access: root may write anything, but 0444 is still the user's
    # "do not touch". os.access as well, for a user who could replace a file they cannot write.
    if not mode & stat.S_IWUSR:
        raise FixError(f"it is read-only (mode {mode:04o}); lambdalint does not write over it")
    if not os.access(path, os.W_OK):
        raise FixError(f"this user may not write it (mode {mode:04o}, owner {info.st_uid})")
    try:
        identity, current = _read_identified(path)
    except OSError as exc:
        raise FixError(f"cannot read it again: {exc.strerror}") from None
    if (identity.device, identity.inode) != (info.st_dev, info.st_ino):
        raise FixError(_CHANGED)
    if expected is not None and current != expected:
        raise FixError(_CHANGED)
    if identity.links > 1:
        _rewrite_in_place(path, data, identity, current)
    else:
        _replace_by_rename(path, data, identity, current)


def _rewrite_in_place(path: Path, data: bytes, identity: Identity, current: bytes) -> None:
    """A hard-linked file: same inode, so owner, mode and every other name are kept. Not atomic
    for a reader, but never cut by SIGINT/SIGTERM (a power cut can still tear it)."""
    try:
        fd = os.open(path, os.O_WRONLY | _NOFOLLOW)
    except OSError as exc:
        raise FixError(f"cannot write it: {exc.strerror}") from None
    try:
        before_replace(path)
        with _signals_deferred():
            _check_unchanged(path, identity, current)
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != (identity.device, identity.inode):
                raise FixError(_CHANGED)
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
    finally:
        os.close(fd)


def _replace_by_rename(path: Path, data: bytes, identity: Identity, current: bytes) -> None:
    tmp: Optional[str] = None
    try:
        with _signals_deferred():  # a signal inside mkstemp would leave a file we cannot name
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".lambdalint-tmp",
                                       dir=path.parent)
        try:
            _write_all(fd, data)
            if hasattr(os, "fchown"):
                made = os.fstat(fd)
                if (made.st_uid, made.st_gid) != (identity.uid, identity.gid):
                    try:
                        os.fchown(fd, identity.uid, identity.gid)
                    except OSError:
                        raise FixError(f"cannot keep its owner and group "
                                       f"({identity.uid}:{identity.gid})") from None
            # After the chown, which clears the set-user/group-id bits.
            if hasattr(os, "fchmod"):
                os.fchmod(fd, stat.S_IMODE(identity.mode))
            else:  # pragma: no cover - Windows before Python 3.13
                os.chmod(tmp, stat.S_IMODE(identity.mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        before_replace(path)
        with _signals_deferred():
            _check_unchanged(path, identity, current)
            os.replace(tmp, path)
            tmp = None
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    _sync_directory(path.parent)


@dataclass
class FileFix:
    """The outcome of fixing one file."""

    path: str
    before: str
    after: str
    applied: int
    error: Optional[str] = None
    encoded: Optional[bytes] = None  # ``after`` in the file's encoding, proven safe to write


def fix_text(path: str, text: str, fixes: Sequence[Fix], validate: Callable[[str], None],
             data: Optional[bytes] = None, encoding: Optional[str] = None) -> FileFix:
    """New text for ``path``; ``validate`` raises when the result does not parse.

    Given the file's ``data`` and ``encoding``, the bytes to write are made here too, and a file
    whose encoding cannot write them safely gets no fix (not even in --diff), with a note.
    """
    segments, applied = plan_edits(text, fixes)
    after = "".join(s.new for s in segments)
    if applied == 0 or after == text:
        return FileFix(path, text, text, 0)
    try:
        validate(after)
    except Exception as exc:  # the fix broke the file: keep the original, say so
        return FileFix(path, text, text, 0, f"the fix did not re-parse ({exc}); nothing written")
    encoded = None
    if data is not None and encoding is not None:
        try:
            encoded = encode_fixed(segments, data, encoding)
        except FixError as exc:
            return FileFix(path, text, text, 0, str(exc))
    return FileFix(path, text, after, applied, encoded=encoded)
