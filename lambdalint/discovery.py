"""Which files a run reads: walk the given paths, skip what is not the user's own code.

Vendored packages are a third of the Python files in a typical serverless repository and all
noise. A virtual environment (``pyvenv.cfg``) is skipped whole; in a directory that holds
installed distributions (``*.dist-info``, as ``pip install -t`` leaves in a Lambda layer or a
deployment package) the files those distributions installed are skipped, while the user's own
files next to them are still read (``vendored``). The tool directories in the default excludes
and whatever ``.gitignore`` ignores (``gitignore``) are skipped too. Symlinked directories are never entered (that is how
loops and escapes happen) and a symlinked file is read only when it points inside the tree.
Files named explicitly are always read: pre-commit passes exactly the files it wants checked.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import pathspec

from lambdalint.gitignore import Matcher as _Matcher, gitignore_spec as _gitignore_spec
from lambdalint.vendored import vendored_names

PYTHON = "python"
YAML = "yaml"
JSON = "json"
TERRAFORM = "terraform"

SUFFIX_KINDS = {
    ".py": PYTHON,
    ".yaml": YAML,
    ".yml": YAML,
    ".json": JSON,
    ".template": YAML,  # CloudFormation's own suffix; the YAML parser reads JSON too
    ".tf": TERRAFORM,
}

# Never entered, whatever the configuration says: the repository's own database.
ALWAYS_SKIPPED = (".git", ".hg", ".svn")

_Specs = List[Tuple[Path, "_Matcher"]]
@dataclass(frozen=True)
class SourceFile:
    path: Path  # as found on disk (absolute)
    display: str  # relative to the working directory, "/"-separated
    kind: str
    explicit: bool = False


def printable(name: str) -> str:
    """A name as text every output can hold: bytes of a file name that are not UTF-8 (Python
    keeps them as lone surrogates) are shown as ``\\xNN``."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_path(path: Path, cwd: Optional[Path] = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return printable(rel.replace(os.sep, "/"))


def kind_of(path: Path) -> Optional[str]:
    return SUFFIX_KINDS.get(path.suffix.lower())


def _repo_root(start: Path) -> Optional[Path]:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def _join(rel: str, name: str) -> str:
    return name if rel in ("", ".") else f"{rel}/{name}"


def _relative(path: Path, base: Path) -> Optional[str]:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


class Walker:
    """Walks directories; matches patterns on relative paths built as it descends (no per-file
    path arithmetic: a repository of 10,000 files is walked in a fraction of a second)."""

    def __init__(self, excludes: Sequence[str], root: Path, cwd: Optional[Path] = None,
                 exclude_kinds: Sequence[str] = ()) -> None:
        self.root = Path(root).resolve()
        self.cwd = cwd or Path.cwd()
        self.exclude = _Matcher(pathspec.GitIgnoreSpec.from_lines(list(excludes)))
        self.skipped_vendored: List[str] = []
        # Directories that could not be listed, with why: reported as parse errors, never passed over.
        self.unreadable: List[Tuple[str, str]] = []
        # Kinds of file not wanted at all (the context walk wants configs only).
        self.kinds = {s: k for s, k in SUFFIX_KINDS.items() if k not in exclude_kinds}
        self.seen: Optional[_Seen] = None  # set to record what the walk's result depends on
        # Told (display path, why) of every entry the walk passes over (`--show-files
        # --verbose`); None in a real run, which then spends nothing on the reasons.
        self.on_skip: Optional[Callable[[str, str], None]] = None

    def _exclude_reason(self, rel: Optional[str], name: str, is_dir: bool) -> str:
        """The configured pattern that excludes an entry, for ``on_skip``."""
        target = (name if rel is None else rel) + ("/" if is_dir else "")
        for pattern in reversed(self.exclude.spec.patterns):  # the last match decides
            if pattern.include and pattern.match_file(target) is not None:
                return f"excluded by the pattern '{pattern.pattern}'"
        return "excluded by the configuration"

    def _excluded(self, rel: Optional[str], name: str, is_dir: bool) -> bool:
        """Configured excludes; ``rel`` is the path from the configuration's directory (None
        when the file is not below it: then only its name can match)."""
        target = name if rel is None else rel
        if target in ("", "."):
            return False
        return bool(self.exclude.check(target + "/" if is_dir else target))

    @staticmethod
    def _ignored(rels: Sequence[Tuple[_Matcher, str]], is_dir: bool) -> bool:
        """Git's rule: the deepest .gitignore with a matching pattern decides, negations included.

        ``rels`` pairs each .gitignore in force with the path relative to its directory.
        """
        for spec, rel in reversed(rels):
            include = spec.check(rel + "/" if is_dir else rel)
            if include is not None:
                return bool(include)
        return False

    def _inherited_specs(self, top_real: Path) -> _Specs:
        """The .gitignore files above the walked directory, up to the repository root."""
        root = _repo_root(top_real)
        if root is None or root == top_real:
            return []
        specs: _Specs = []
        chain = [top_real, *top_real.parents]
        for directory in reversed(chain[1:chain.index(root) + 1]):
            if self.seen is not None:
                self.seen.file(str(directory))
            spec = _gitignore_spec(directory, self.seen)
            if spec is not None:
                specs.append((directory, spec))
        return specs

    def walk(self, top: Path) -> Iterator[Tuple[SourceFile, str]]:
        """Files under ``top``, each with its real path; ``top`` may be a symlink the user named.

        A directory named explicitly is walked even when it is excluded or ignored itself (the
        user asked for it); the patterns then apply only to what is below it.
        """
        top_real = top.resolve()
        specs = [(spec, _relative(top_real, base) or "") for base, spec in
                 self._inherited_specs(top_real)]
        if specs and self._ignored(specs, True):
            specs = []
        rel = _relative(top_real, self.root)
        if rel is None or self._excluded(rel, top_real.name, True):
            rel = "."  # outside the configuration's directory, or excluded: anchor at the top
        top_abs = top.absolute()
        yield from self._walk_dir(str(top_abs), display_path(top_abs, self.cwd), str(top_real),
                                  top_real, rel, specs)

    def _walk_dir(self, directory: str, display: str, real_dir: str, top_real: Path, rel: str,
                  specs: List[Tuple[_Matcher, str]]
                  ) -> Iterator[Tuple[SourceFile, str]]:
        # ``directory`` is how the user reaches it (absolute), ``display`` how it is shown,
        # ``real_dir`` where it is on disk, and ``rel`` / the ``specs`` paths where it is
        # relative to the configuration's directory and to each .gitignore in force: what the
        # patterns are matched against.
        seen = self.seen
        if seen is not None:
            seen.file(directory)  # an entry added, removed or renamed changes its time
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            if seen is not None:
                seen.exact = False
            self.unreadable.append((display, f"cannot read directory: {exc.strerror or exc}"))
            return
        names = [e.name for e in entries]
        vendored = vendored_names(Path(directory), names, seen)
        if vendored is not None:
            self.skipped_vendored.append(display)
        spec = _gitignore_spec(Path(directory), seen) if ".gitignore" in names else None
        if spec is not None:
            specs = specs + [(spec, "")]
        skip = self.on_skip
        for entry in entries:
            name = entry.name
            if vendored is not None and name in vendored:
                if skip is not None:
                    skip(_join(display, printable(name)) + ("/" if entry.is_dir() else ""),
                         "a virtual environment" if "pyvenv.cfg" in names
                         else "an installed third-party package")
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
                # A FIFO, socket or device is no source file: reading one could block forever.
                if not is_dir and not is_link and not entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            if is_link:
                if seen is not None:
                    seen.exact = False  # where a link points is not in any time we keep
                # A symlinked file is read when it points inside the tree; a symlinked
                # directory never is entered.
                try:
                    target = Path(entry.path).resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if not target.is_file() or not _inside(target, top_real):
                    if skip is not None:
                        skip(_join(display, printable(name)),
                             "a symbolic link to a directory or out of the tree")
                    continue
            kind = None if is_dir else self.kinds.get(os.path.splitext(name)[1].lower())
            if not is_dir and kind is None:
                if skip is not None:
                    skip(_join(display, printable(name)), "not a kind of file lambdalint reads")
                continue
            if is_dir and name in ALWAYS_SKIPPED:
                if skip is not None:
                    skip(_join(display, printable(name)) + "/", "version control")
                continue
            child_rel = _join(rel, name)
            child_specs = [(s, _join(r, name)) for s, r in specs]
            excluded = self._excluded(child_rel, name, is_dir)
            if excluded or self._ignored(child_specs, is_dir):
                if skip is not None:
                    skip(_join(display, printable(name)) + ("/" if is_dir else ""),
                         self._exclude_reason(child_rel, name, is_dir) if excluded
                         else "ignored by .gitignore")
                continue
            real = os.path.join(real_dir, name)
            if is_dir:
                yield from self._walk_dir(entry.path, _join(display, printable(name)), real,
                                          top_real, child_rel, child_specs)
            else:
                source = SourceFile(Path(entry.path), _join(display, printable(name)), kind)
                yield source, (str(target) if is_link else real)


def _inside(path: Path, top: Path) -> bool:
    try:
        path.relative_to(top)
        return True
    except ValueError:
        return False


def _add(found: Dict[str, SourceFile], source: SourceFile, real: str) -> None:
    """One entry per file on disk; a file reached through a link is shown by its real name."""
    current = found.get(real)
    if current is None or (current.path.is_symlink() and not source.path.is_symlink()):
        found[real] = source


def discover(paths: Sequence[str], excludes: Sequence[str], root: Path) -> Tuple[List[SourceFile], List[str]]:
    """Files to check, and the paths that do not exist (the CLI refuses those before a run)."""
    files, missing, _ = discover_all(paths, excludes, root)
    return files, missing


def discover_all(paths: Sequence[str], excludes: Sequence[str], root: Path,
                 on_skip: Optional[Callable[[str, str], None]] = None
                 ) -> Tuple[List[SourceFile], List[str], List[Tuple[str, str]]]:
    """``discover``, and the directories that could not be listed: (display path, why);
    ``on_skip`` is told each path passed over and why (``Walker.on_skip``)."""
    unreadable: List[Tuple[str, str]] = []
    found, missing = _discover(paths, excludes, root, unreadable=unreadable, on_skip=on_skip)
    return sorted(found.values(), key=lambda s: s.display), missing, unreadable


def discover_real(paths: Sequence[str], excludes: Sequence[str], root: Path,
                  exclude_kinds: Sequence[str] = ()) -> List[Tuple[str, SourceFile]]:
    """``discover`` with each file's real path (no ``resolve()`` per file needed after), in the
    same order, leaving out the files of ``exclude_kinds``."""
    found, _ = _discover(paths, excludes, root, exclude_kinds)
    return sorted(found.items(), key=lambda item: item[1].display)


def _discover(paths: Sequence[str], excludes: Sequence[str], root: Path,
              exclude_kinds: Sequence[str] = (), unreadable: Optional[List[Tuple[str, str]]] = None,
              on_skip: Optional[Callable[[str, str], None]] = None
              ) -> Tuple[Dict[str, SourceFile], List[str]]:
    walker = Walker(excludes, root, exclude_kinds=exclude_kinds)
    walker.on_skip = on_skip
    if unreadable is not None:
        walker.unreadable = unreadable
    found: Dict[str, SourceFile] = {}
    missing: List[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():  # a directory, or a symlink to one that the user named
            for source, real in walker.walk(path):
                _add(found, source, real)
        elif path.is_file():
            kind = kind_of(path)
            if kind is not None and kind not in exclude_kinds:
                absolute = path.absolute()
                # Named explicitly: it wins over the same file found by walking.
                found[os.path.realpath(absolute)] = SourceFile(absolute, display_path(absolute),
                                                               kind, True)
        else:
            missing.append(raw)
    return found, missing


class _Seen:
    """What a walk's result depends on: what every directory it listed holds (names and kinds
    of entry) and the bytes of every file it read (or that it found missing); ``exact`` is
    False when something else counted (a symbolic link, a directory it could not list).

    Contents, not times: a file added or edited with its directory's or its own time set back
    (``os.utime``, an archive extracted with times, a checkout) changes no time, and a walk
    kept by times alone would hide it."""

    def __init__(self) -> None:
        self.stamps: Dict[str, Any] = {}
        self.times: Dict[str, Optional[int]] = {}
        self.exact = True
        self.started = time.time()

    def file(self, path: str) -> None:
        if path not in self.stamps:
            self.stamps[path], self.times[path] = _observe(path)

    def settled(self) -> bool:
        """False when something changed within the last seconds: it may be changing still,
        between our listing of it and the walk's."""
        limit = (self.started - 2.0) * 1e9
        return all(t is None or t < limit for t in self.times.values())


def _observe(path: str) -> Tuple[Optional[List[Any]], Optional[int]]:
    """``path``'s signature (``_signature``) and its modification time."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None, None
    return _signature(path, stat), stat.st_mtime_ns


def _signature(path: str, stat: Optional[os.stat_result] = None) -> Optional[List[Any]]:
    """A directory by the names and kinds of its entries, a file by a hash of its bytes,
    anything else by its mode; None when it is missing. What the walk's result depends on,
    so a kept walk is served only while every signature is the same."""
    import hashlib
    import stat as stat_module

    if stat is None:
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
    try:
        if stat_module.S_ISDIR(stat.st_mode):
            digest = hashlib.blake2b(digest_size=16)
            with os.scandir(path) as scan:
                for entry in sorted(scan, key=lambda e: e.name):
                    kind = ("l" if entry.is_symlink() else "d" if entry.is_dir(follow_symlinks=False)
                            else "f" if entry.is_file(follow_symlinks=False) else "o")
                    digest.update(f"{entry.name}\0{kind}\0".encode("utf-8", "surrogateescape"))
            return ["d", digest.hexdigest()]
        if stat_module.S_ISREG(stat.st_mode):
            with open(path, "rb") as handle:
                return ["f", hashlib.blake2b(handle.read(), digest_size=16).hexdigest()]
        return ["o", stat.st_mode]
    except (OSError, ValueError):
        return ["?"]  # present but unreadable: never equal to what a later look sees


def discover_configs(top: str, excludes: Sequence[str], root: Path, store=None
                     ) -> List[Tuple[str, SourceFile]]:
    """``discover_real([top], ..., exclude_kinds=(PYTHON,))``, the deployment configs of a
    project, kept in ``store`` (a ``cache.Cache``) with what every directory walked holds and
    the bytes of the files read (.gitignore, distribution records): a run that finds them all
    the same (one listing per directory) reads the list instead of walking and matching."""
    if store is None:
        return discover_real([top], excludes, root, exclude_kinds=(PYTHON,))
    from lambdalint import cache

    seen: Optional[_Seen] = None  # what the walk depended on; no walk (a hit), nothing

    def walk() -> List[Tuple[str, SourceFile]]:
        nonlocal seen
        walker = Walker(excludes, root, exclude_kinds=(PYTHON,))
        seen = walker.seen = _Seen()
        found: Dict[str, SourceFile] = {}
        path = Path(top)
        if not path.is_dir():
            seen = None  # nothing walked: nothing to check a later run against
            return []
        for source, real in walker.walk(path):
            _add(found, source, real)
        return sorted(found.items(), key=lambda item: item[1].display)

    def entry(found: List[Tuple[str, SourceFile]]) -> Dict[str, Any]:
        """What a later run checks the walk's result against; only a walk that listed every
        directory it depends on, none of them changing meanwhile, is kept."""
        if seen is None or not (seen.exact and seen.settled()
                                and ["?"] not in seen.stamps.values()):
            raise cache.NotCacheable("walk")
        return {"stamps": sorted(seen.stamps.items()),
                "files": [[real, str(s.path), s.display, s.kind] for real, s in found]}

    parts = [top, os.path.realpath(top), list(excludes), str(Path(root).resolve()), os.getcwd()]
    return store.memo("walk", parts, walk, entry, _from_walk_entry)


def _from_walk_entry(entry: Any) -> Optional[List[Tuple[str, SourceFile]]]:
    """The walk's result when nothing it depends on changed; None otherwise (a miss). An entry
    of any other shape raises, which the cache also counts as a miss."""
    kinds = set(SUFFIX_KINDS.values())
    files = []
    for real, path, display, kind in entry["files"]:
        if not all(isinstance(v, str) for v in (real, path, display)) or kind not in kinds:
            raise ValueError("walk entry")
        files.append((real, SourceFile(Path(path), display, kind)))
    for path, stamp in entry["stamps"]:
        if not isinstance(path, str) or _signature(path) != stamp:
            return None
    return files


class GivenFiles:
    """The files named on the command line, asked about often (once per function of the
    project): ``os.stat`` of the asked path first (one call, no ``resolve()``, which costs a
    call per path component), the real path only when the file is the same."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.reals = {os.path.realpath(p) for p in paths}
        self.dirs = {os.path.dirname(r) for r in self.reals}
        self.file_ids: Set[Tuple[int, int]] = set()
        self.dir_ids: Set[Tuple[int, int]] = set()
        for real in self.reals:
            _add_id(self.file_ids, real)
        for directory in self.dirs:
            current = directory
            while True:
                _add_id(self.dir_ids, current)
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent

    def is_given(self, path: str) -> bool:
        """Whether ``path`` resolves to one of the files given."""
        if not self.reals or _file_id(path) not in self.file_ids:
            return False
        return os.path.realpath(path) in self.reals

    def holds_given(self, directory: str) -> bool:
        """Whether ``directory`` resolves to the directory of a file given or one above it."""
        if not self.dirs or _file_id(directory) not in self.dir_ids:
            return False
        base = os.path.realpath(directory)
        return any(d == base or d.startswith(base + os.sep) for d in self.dirs)


def _file_id(path: str) -> Optional[Tuple[int, int]]:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def _add_id(ids: Set[Tuple[int, int]], path: str) -> None:
    found = _file_id(path)
    if found is not None:
        ids.add(found)
