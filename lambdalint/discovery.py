"""Which files a run reads: walk the given paths, skip what is not the user's own code.

Vendored packages are a third of the Python files in a typical serverless repository and all
noise. A virtual environment (``pyvenv.cfg``) is skipped whole; in a directory that holds
installed distributions (``*.dist-info``, as ``pip install -t`` leaves in a Lambda layer or a
deployment package) the files those distributions installed are skipped, while the user's own
files next to them are still read. The tool directories in the default excludes and whatever
``.gitignore`` ignores are skipped too. Symlinked directories are never entered (that is how
loops and escapes happen) and a symlinked file is read only when it points inside the tree.
Files named explicitly are always read: pre-commit passes exactly the files it wants checked.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

import pathspec

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

_Specs = List[Tuple[Path, pathspec.GitIgnoreSpec]]


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as found on disk (absolute)
    display: str  # relative to the working directory, "/"-separated
    kind: str
    explicit: bool = False


def display_path(path: Path, cwd: Optional[Path] = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def kind_of(path: Path) -> Optional[str]:
    return SUFFIX_KINDS.get(path.suffix.lower())


def _gitignore_spec(directory: Path) -> Optional[pathspec.GitIgnoreSpec]:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec if spec.patterns else None


def _repo_root(start: Path) -> Optional[Path]:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def _distribution_files(dist_info: Path) -> Set[str]:
    """Top-level names a distribution installed next to its ``.dist-info`` directory."""
    names: Set[str] = set()
    try:
        record = (dist_info / "RECORD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        record = ""
    for row in csv.reader(io.StringIO(record)):
        if row and row[0] and not row[0].startswith(("..", "/")):
            names.add(row[0].replace("\\", "/").split("/", 1)[0])
    if not names:
        try:
            top_level = (dist_info / "top_level.txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            top_level = ""
        for line in top_level.splitlines():
            if line.strip():
                names.update({line.strip(), line.strip() + ".py"})
    if not names:  # no metadata at all: the project name is the best guess
        project = re.split(r"-\d", dist_info.name[: -len(".dist-info")], maxsplit=1)[0]
        project = re.sub(r"[-.]+", "_", project)
        names.update({project, project + ".py", project.lower(), project.lower() + ".py"})
    names.add(dist_info.name)
    return names


def vendored_names(directory: Path, names: Sequence[str]) -> Optional[Set[str]]:
    """Entries of ``directory`` that belong to installed distributions; None if there are none.

    A virtual environment is vendored whole: the returned set then holds every name.
    """
    if "pyvenv.cfg" in names:
        return set(names)
    infos = [n for n in names if n.endswith(".dist-info")]
    if not infos:
        return None
    owned: Set[str] = set()
    for info in infos:
        owned |= _distribution_files(directory / info)
    owned.add("__pycache__")
    return owned


class Walker:
    def __init__(self, excludes: Sequence[str], root: Path, cwd: Optional[Path] = None) -> None:
        self.root = Path(root).resolve()
        self.cwd = cwd or Path.cwd()
        self.exclude = pathspec.GitIgnoreSpec.from_lines(list(excludes))
        self.skipped_vendored: List[str] = []

    def _excluded(self, real: Path, bases: Sequence[Path], is_dir: bool) -> bool:
        """Configured excludes, relative to the configuration's directory (or the walked tree)."""
        for base in bases:
            try:
                rel = real.relative_to(base).as_posix()
            except ValueError:
                continue
            if rel == ".":
                return False
            return self.exclude.match_file(rel + "/" if is_dir else rel)
        return self.exclude.match_file(real.name + "/" if is_dir else real.name)

    @staticmethod
    def _ignored(real: Path, is_dir: bool, specs: _Specs) -> bool:
        """Git's rule: the deepest .gitignore with a matching pattern decides, negations included."""
        for base, spec in reversed(specs):
            try:
                rel = real.relative_to(base).as_posix()
            except ValueError:
                continue
            result = spec.check_file(rel + "/" if is_dir else rel)
            if result.include is not None:
                return bool(result.include)
        return False

    def _inherited_specs(self, top_real: Path) -> _Specs:
        """The .gitignore files above the walked directory, up to the repository root."""
        root = _repo_root(top_real)
        if root is None or root == top_real:
            return []
        specs: _Specs = []
        chain = [top_real, *top_real.parents]
        for directory in reversed(chain[1:chain.index(root) + 1]):
            spec = _gitignore_spec(directory)
            if spec is not None:
                specs.append((directory, spec))
        return specs

    def walk(self, top: Path) -> Iterator[SourceFile]:
        """Files under ``top``; ``top`` itself may be a symlink the user named.

        A directory named explicitly is walked even when it is excluded or ignored itself (the
        user asked for it); the patterns then apply only to what is below it.
        """
        top_real = top.resolve()
        specs = self._inherited_specs(top_real)
        if specs and self._ignored(top_real, True, specs):
            specs = []
        bases: Tuple[Path, ...] = (self.root, top_real)
        if self._excluded(top_real, (self.root,), True):
            bases = (top_real,)
        yield from self._walk_dir(top.absolute(), top_real, top_real, bases, specs)

    def _walk_dir(self, directory: Path, real_dir: Path, top_real: Path,
                  bases: Tuple[Path, ...], specs: _Specs) -> Iterator[SourceFile]:
        # ``directory`` is how the user reaches it (for display); ``real_dir`` is where it is,
        # which is what excludes and .gitignore patterns are matched against.
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return
        names = [e.name for e in entries]
        vendored = vendored_names(directory, names)
        if vendored is not None:
            self.skipped_vendored.append(display_path(directory, self.cwd))
        spec = _gitignore_spec(directory) if ".gitignore" in names else None
        if spec is not None:
            specs = specs + [(real_dir, spec)]
        for entry in entries:
            if vendored is not None and entry.name in vendored:
                continue
            path = directory / entry.name
            real = real_dir / entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_link:
                # A symlinked file is read when it points inside the tree; a symlinked
                # directory never is entered.
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if target.is_dir() or not _inside(target, top_real):
                    continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED or self._excluded(real, bases, True) \
                        or self._ignored(real, True, specs):
                    continue
                yield from self._walk_dir(path, real, top_real, bases, specs)
                continue
            kind = kind_of(path)
            if kind is None or self._excluded(real, bases, False) \
                    or self._ignored(real, False, specs):
                continue
            yield SourceFile(path, display_path(path, self.cwd), kind)


def _inside(path: Path, top: Path) -> bool:
    try:
        path.relative_to(top)
        return True
    except ValueError:
        return False


def _add(found: Dict[str, SourceFile], source: SourceFile) -> None:
    """One entry per file on disk; a file reached through a link is shown by its real name."""
    key = str(source.path.resolve())
    current = found.get(key)
    if current is None or (current.path.is_symlink() and not source.path.is_symlink()):
        found[key] = source


def discover(paths: Sequence[str], excludes: Sequence[str], root: Path) -> Tuple[List[SourceFile], List[str]]:
    """Files to check, and the paths that do not exist (the CLI refuses those before a run)."""
    walker = Walker(excludes, root)
    found: Dict[str, SourceFile] = {}
    missing: List[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():  # a directory, or a symlink to one that the user named
            for source in walker.walk(path):
                _add(found, source)
        elif path.is_file():
            kind = kind_of(path)
            if kind is not None:
                absolute = path.absolute()
                # Named explicitly: it wins over the same file found by walking.
                found[str(path.resolve())] = SourceFile(absolute, display_path(absolute), kind, True)
        else:
            missing.append(raw)
    return sorted(found.values(), key=lambda s: s.display), missing
