"""Which files a run reads: walk the given paths, skip what is not the user's own code.

Vendored packages are a third of the Python files in a typical serverless repository and all
noise, so a directory that holds installed distributions (``*.dist-info``) or is a virtual
environment (``pyvenv.cfg``) is skipped, as are the tool directories in the default excludes and
whatever ``.gitignore`` ignores. Symlinks are never followed out of the tree being checked.
Files named explicitly are always read: pre-commit passes exactly the files it wants checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

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
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _repo_root(start: Path) -> Optional[Path]:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def _is_vendored(directory: Path, names: Sequence[str]) -> bool:
    if "pyvenv.cfg" in names:
        return True
    return any(n.endswith(".dist-info") for n in names)


class Walker:
    def __init__(self, excludes: Sequence[str], root: Path, cwd: Optional[Path] = None) -> None:
        self.root = root
        self.cwd = cwd or Path.cwd()
        self.exclude = pathspec.GitIgnoreSpec.from_lines(list(excludes))
        self.skipped_vendored: List[str] = []

    def _excluded(self, path: Path, is_dir: bool) -> bool:
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            rel = path.name
        if is_dir:
            rel += "/"
        return self.exclude.match_file(rel)

    def _ignored(self, path: Path, is_dir: bool, specs: List[Tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
        for base, spec in specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False

    def _inherited_specs(self, top: Path) -> List[Tuple[Path, pathspec.GitIgnoreSpec]]:
        root = _repo_root(top)
        if root is None:
            return []
        specs = []
        chain = [top, *top.parents]
        for directory in reversed(chain[1:chain.index(root) + 1] if root in chain else []):
            spec = _gitignore_spec(directory)
            if spec is not None:
                specs.append((directory, spec))
        return specs

    def walk(self, top: Path) -> Iterator[SourceFile]:
        top_resolved = top.resolve()
        specs = self._inherited_specs(top_resolved)
        yield from self._walk_dir(top, top_resolved, specs)

    def _walk_dir(self, directory: Path, top_resolved: Path,
                  specs: List[Tuple[Path, pathspec.GitIgnoreSpec]]) -> Iterator[SourceFile]:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        names = [e.name for e in entries]
        if _is_vendored(directory, names):
            self.skipped_vendored.append(display_path(directory, self.cwd))
            return
        spec = _gitignore_spec(directory) if ".gitignore" in names else None
        if spec is not None:
            specs = specs + [(directory, spec)]
        for entry in entries:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_link:
                # Follow a link only when it stays inside the tree, and never into a directory:
                # that is how loops and escapes happen.
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if target.is_dir() or not _inside(target, top_resolved):
                    continue
            if is_dir:
                if entry.name == ".git" or self._excluded(path, True) \
                        or self._ignored(path, True, specs):
                    continue
                yield from self._walk_dir(path, top_resolved, specs)
                continue
            kind = kind_of(path)
            if kind is None or self._excluded(path, False) or self._ignored(path, False, specs):
                continue
            yield SourceFile(path, display_path(path, self.cwd), kind)


def _inside(path: Path, top: Path) -> bool:
    try:
        path.relative_to(top)
        return True
    except ValueError:
        return False


def discover(paths: Sequence[str], excludes: Sequence[str], root: Path) -> Tuple[List[SourceFile], List[str]]:
    """Files to check, and the explicit paths that do not exist (reported by the CLI)."""
    walker = Walker(excludes, root)
    found: Dict[str, SourceFile] = {}
    missing: List[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            for source in walker.walk(path):
                found.setdefault(str(source.path.resolve()), source)
        elif path.is_file():
            kind = kind_of(path)
            if kind is not None:
                source = SourceFile(path.absolute(), display_path(path.absolute()), kind, True)
                found[str(path.resolve())] = source
        elif path.is_dir():  # a symlink to a directory named explicitly: the user asked for it
            for source in walker.walk(path):
                found.setdefault(str(source.path.resolve()), source)
        else:
            missing.append(raw)
    return sorted(found.values(), key=lambda s: s.display), missing
