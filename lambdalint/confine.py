"""What a run may read: files inside the checked tree, each up to a size limit.

A checked repository is untrusted input. Its configs name paths (``CodeUri: /``, ``-r
../../etc/x``, a symlink ``requirements.txt -> /home/me/.aws/credentials``), and whatever
lambdalint reads may end up in its output, which CI logs and pull-request annotations show to
others. So every path a config or a requirements file names is resolved (symlinks included) and
used only when it lies inside the *tree*: for each path given on the command line, the nearest
directory at or above it that holds ``.git``, or the path itself (its directory, for a file)
when there is none. And no file is read whole on trust: ``read_bytes`` opens regular files only
(never a FIFO, which would block, or a device such as ``/dev/zero``, which never ends) and reads
at most a limit.

What was not read because of this is reported once, as an LL001 finding at *note* severity on
the file and line that named the path (``note``): the run goes on, the user learns what was left
out, and the default ``--fail-on warning`` does not fail on it. Any reader that resolves a path
a user's file names should go through ``Tree.holds`` and ``read_bytes``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Tuple, Union

from lambdalint.findings import Finding

PathLike = Union[str, Path]
MiB = 1024 * 1024


class NotReadable(OSError):
    """A file lambdalint will not read: not a regular file, or over the size limit.

    An ``OSError`` so that callers which already pass over unreadable files do so here too;
    ``reason`` is the short phrase a note gives."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def real(path: PathLike) -> Optional[str]:
    """The absolute path with every symlink resolved; None when it cannot be resolved (a NUL
    byte, a name too long): such a path is never opened."""
    try:
        return os.path.realpath(os.path.abspath(os.fspath(path)))
    except (OSError, ValueError, RuntimeError):
        return None


def tree_root(path: PathLike) -> str:
    """The nearest directory at or above ``path`` that holds ``.git``, else ``path`` itself
    (its directory when it is a file or does not exist as a directory)."""
    start = real(path) or os.path.abspath(os.fspath(path))
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    directory = start
    while True:
        try:
            if os.path.lexists(os.path.join(directory, ".git")):
                return directory
        except (OSError, ValueError):
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return start


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # another drive on Windows
        return False


@dataclass(frozen=True)
class Tree:
    """The directories a run may read, as real paths (see the module docstring)."""

    roots: Tuple[str, ...]

    @classmethod
    def of(cls, paths: Iterable[PathLike]) -> "Tree":
        """The tree of the paths given on the command line (the working directory if none)."""
        given = list(paths) or ["."]
        return cls(tuple(sorted({tree_root(p) for p in given})))

    def holds(self, path: PathLike) -> bool:
        """Whether ``path``, symlinks resolved, lies inside one of the roots."""
        resolved = real(path)
        return resolved is not None and any(_within(resolved, root) for root in self.roots)


def read_bytes(path: PathLike, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file; ``NotReadable`` for anything else.

    The file is checked before it is opened (opening a FIFO blocks, opening some devices has
    effects) and again on the open descriptor, in case it was swapped in between; the read
    itself stops at ``limit + 1`` bytes, so a file that grows after the check cannot exhaust
    memory either."""
    try:
        before = os.stat(path)
    except ValueError as exc:  # a NUL byte in the name
        raise NotReadable("not a valid file name") from exc
    if not stat.S_ISREG(before.st_mode):
        raise NotReadable("not a regular file")
    if before.st_size > limit:
        raise NotReadable(_over(before.st_size, limit))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotReadable("not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise NotReadable(_over(len(data), limit))
    return data


def read_text(path: PathLike, limit: int) -> str:
    """``read_bytes`` decoded as UTF-8, undecodable bytes replaced."""
    return read_bytes(path, limit).decode("utf-8", errors="replace")


def _over(size: int, limit: int) -> str:
    if limit >= MiB:
        return f"{size / MiB:.1f} MiB is over the {limit / MiB:g} MiB limit"
    return f"{size:,} bytes is over the {limit:,} byte limit"


OUTSIDE = "points outside the checked tree; not read"


def note(path: str, line: int, column: int, message: str) -> Finding:
    """The one shape of "this was not read": LL001 at note severity, on the line that named
    the file. The engine drops exact duplicates, so rules that share a reader may each yield it."""
    from lambdalint.rules import ll001_parse_error

    return ll001_parse_error.outside_tree_note(path, line, column, message)
