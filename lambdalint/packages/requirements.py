"""A function's declared dependencies: requirements files and pyproject.toml, with their lines.

Findings about a dependency point at the line that names it, so every requirement keeps its file,
line and columns. The parser reads what pip reads (continuation lines, comments, ``-r`` and
``-c`` includes, per-requirement options such as ``--hash``) without importing pip; anything it
does not understand is skipped, never an error.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from lambdalint import confine
from lambdalint.packages.sizes import canonical

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

MAX_BYTES = 1024 * 1024
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")

_NAME = re.compile(r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?P<extras>\[[^\]]*\])?"
                   r"\s*(?P<rest>.*)$")
_OPTION_WITH_FILE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=?\s*)(?P<file>\S+)")
_EXACT = re.compile(r"^\s*(===?)\s*(?P<version>[^\s,;*]+)\s*$")
_COMMIT = re.compile(r"@[0-9a-f]{40}(?:#|$)")


@dataclass
class Requirement:
    name: str  # as written
    key: str  # canonical name
    specifier: str  # ">=1.0,<2" as written, "" when none
    version: Optional[str]  # the exact version when pinned with == (no wildcard) or ===
    path: Path  # the file that names it
    line: int
    column: int
    end_column: int
    text: str  # the requirement as written, without comment and options
    marker: str = ""
    url: Optional[str] = None
    local: bool = False  # a path or an editable install: the user's own code, never audited

    @property
    def pinned(self) -> bool:
        if self.version is not None:
            return True
        if self.url is not None:
            # A wheel or sdist by URL, or a VCS checkout at a commit, is one exact thing.
            return bool(re.search(r"\.(whl|tar\.gz|zip)(#|$)", self.url) or _COMMIT.search(self.url))
        return False


@dataclass
class NotRead:
    """A dependency file that was named but not read, and the line that named it (a ``-r``
    line, or line 1 of the file itself when it is the symlink or the oversized file)."""

    path: Path
    line: int
    column: int
    message: str


@dataclass
class Requirements:
    """Everything one function's dependency file declares, includes followed."""

    source: Optional[Path] = None  # requirements.txt or pyproject.toml
    items: List[Requirement] = field(default_factory=list)
    constrained: Dict[str, str] = field(default_factory=dict)  # name -> version pinned by -c
    locked: bool = False  # a lock file pins what pyproject.toml leaves open
    files: List[Path] = field(default_factory=list)
    not_read: List[NotRead] = field(default_factory=list)  # reported as LL001 notes

    def is_pinned(self, req: Requirement) -> bool:
        return req.pinned or req.key in self.constrained or self.locked

    def pinned_version(self, req: Requirement) -> Optional[str]:
        return req.version or self.constrained.get(req.key)


def _logical_lines(text: str) -> List[Tuple[int, str, int]]:
    """(first line number, joined text, column offset of the text) with continuations joined."""
    out: List[Tuple[int, str, int]] = []
    pending: Optional[Tuple[int, str]] = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if pending is not None:
            start, before = pending
            line = before + " " + line.lstrip()
            number = start
            pending = None
        stripped = line.rstrip()
        if stripped.endswith("\\") and not stripped.lstrip().startswith("#"):
            pending = (number, stripped[:-1])
            continue
        out.append((number, line, 0))
    if pending is not None:
        out.append((pending[0], pending[1], 0))
    return out


def _strip_comment(line: str) -> str:
    match = re.search(r"(^|\s)#", line)
    return line[: match.start()] if match else line


def parse_requirement(text: str, path: Path, line: int, column: int) -> Optional[Requirement]:
    """One PEP 508 requirement (or a URL / path) as written at ``line``, ``column``."""
    body = text.strip()
    if not body:
        return None
    lead = len(text) - len(text.lstrip())
    column += lead
    # Options after the requirement: --hash=..., --global-option ...
    option = re.search(r"\s--?[A-Za-z]", body)
    if option:
        body = body[: option.start()].rstrip()
    spec, _, marker = body.partition(";")
    spec, marker = spec.strip(), marker.strip()
    end_column = column + len(body)
    if spec.startswith((".", "/", "~")) or re.match(r"^[A-Za-z]:[\\/]", spec) or spec.startswith("file:"):
        return Requirement(spec, spec, "", None, path, line, column, end_column, body,
                           marker, url=spec, local=True)
    if "://" in spec.split("@", 1)[0] or spec.startswith(("git+", "hg+", "svn+", "bzr+")):
        egg = re.search(r"#egg=([A-Za-z0-9._-]+)", spec)
        name = egg.group(1) if egg else spec
        return Requirement(name, canonical(name), "", None, path, line, column, end_column, body,
                           marker, url=spec)
    match = _NAME.match(spec)
    if match is None:
        return None
    name, rest = match.group("name"), match.group("rest").strip()
    url = None
    if rest.startswith("@"):
        url = rest[1:].strip()
        rest = ""
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    if rest and not re.match(r"^(~=|===|==|!=|<=|>=|<|>)", rest):
        return None  # not a requirement we understand
    exact = _EXACT.match(rest) if rest and "," not in rest else None
    version = exact.group("version") if exact else None
    return Requirement(name, canonical(name), rest, version, path, line, column, end_column, body,
                       marker, url=url)


def _read(path: Path, tree: confine.Tree, result: Requirements,
          named_at: Optional[Tuple[Path, int, int, str]]) -> Optional[str]:
    """The text of a dependency file inside the tree and under ``MAX_BYTES``; otherwise None,
    with a note on the line that named it (``named_at``: file, line, column, the option as
    written), or on the file itself."""
    if named_at is not None:
        where, line, column, written = named_at
        subject = written
    else:
        where, line, column, subject = path, 1, 1, path.name
    if not tree.holds(path):
        result.not_read.append(NotRead(where, line, column, f"{subject} {confine.OUTSIDE}"))
        return None
    try:
        return confine.read_text(path, MAX_BYTES)
    except confine.NotReadable as exc:
        result.not_read.append(NotRead(where, line, column, f"{subject}: {exc.reason}; not read"))
        return None
    except (OSError, ValueError):  # missing; ValueError: a NUL byte in a name written in the file
        return None


def read_requirements_file(path: Path, tree: confine.Tree, into: Optional[Requirements] = None,
                           seen: Optional[Set[Path]] = None, constraint: bool = False,
                           named_at: Optional[Tuple[Path, int, int, str]] = None) -> Requirements:
    """Read a requirements file and the files it includes (``-r``), collecting ``-c`` pins.

    Only files inside ``tree`` are read: an include that resolves outside it is a note."""
    result = into if into is not None else Requirements(source=path)
    seen = seen if seen is not None else set()
    try:
        resolved = path.resolve()
    except (OSError, ValueError, RuntimeError):  # "-r" naming a loop, or with a NUL byte
        return result
    if resolved in seen or len(seen) > 50:
        return result
    seen.add(resolved)
    text = _read(path, tree, result, named_at)
    if text is None:
        return result
    result.files.append(path)
    for number, line, _ in _logical_lines(text):
        content = _strip_comment(line)
        stripped = content.strip()
        if not stripped:
            continue
        if stripped.startswith("-"):
            include = _OPTION_WITH_FILE.match(stripped)
            if include:
                target = path.parent / include.group("file")
                is_constraint = include.group(1) in ("-c", "--constraint")
                column = len(content) - len(content.lstrip()) + 1
                read_requirements_file(target, tree, result, seen, constraint or is_constraint,
                                       (path, number, column, include.group(0)))
            elif re.match(r"^(-e|--editable)\b", stripped):
                pass  # an editable install is the user's own code
            continue
        column = len(content) - len(content.lstrip()) + 1
        req = parse_requirement(content.strip(), path, number, column)
        if req is None:
            continue
        if constraint:
            if req.version is not None:
                result.constrained[req.key] = req.version
            continue
        result.items.append(req)
    return result


def _toml_line(lines: List[str], needle: str, start: int = 0) -> Tuple[int, int]:
    """1-based (line, column) of ``needle`` quoted in the TOML text, searching from ``start``."""
    for quote in ('"', "'"):
        quoted = f"{quote}{needle}{quote}"
        for index in range(start, len(lines)):
            column = lines[index].find(quoted)
            if column >= 0:
                return index + 1, column + 2
    return 0, 0


def read_pyproject(path: Path, tree: confine.Tree) -> Requirements:
    """``[project] dependencies`` and Poetry's main ``[tool.poetry.dependencies]``."""
    result = Requirements(source=path)
    text = _read(path, tree, result, None)
    if text is None:
        return result
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return result
    result.files.append(path)
    result.locked = any((path.parent / name).is_file() for name in LOCK_FILES)
    lines = text.splitlines()
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    deps = project.get("dependencies") if isinstance(project.get("dependencies"), list) else []
    section = next((i for i, line in enumerate(lines) if re.match(r"^\s*\[project\]", line)), 0)
    for item in deps:
        if not isinstance(item, str):
            continue
        line, column = _toml_line(lines, item, section)
        req = parse_requirement(item, path, line or 1, column or 1)
        if req is not None:
            result.items.append(req)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    poetry_deps = poetry.get("dependencies") if isinstance(poetry.get("dependencies"), dict) else {}
    start = next((i for i, line in enumerate(lines)
                  if re.match(r"^\s*\[tool\.poetry\.dependencies\]", line)), 0)
    for name, spec in poetry_deps.items():
        if not isinstance(name, str) or name.lower() == "python":
            continue
        version = spec.get("version") if isinstance(spec, dict) else spec
        if isinstance(spec, dict) and ("path" in spec or "git" in spec):
            continue
        line_no, column = 1, 1
        for index in range(start, len(lines)):
            if re.match(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", lines[index]):
                line_no, column = index + 1, lines[index].find(name[0]) + 1
                break
        exact = version if isinstance(version, str) and re.match(r"^\s*=?=?\s*\d[\w.!+-]*\s*$", version) \
            else None
        text_written = f"{name} = {version!r}" if isinstance(version, str) else name
        result.items.append(Requirement(
            name, canonical(name), version if isinstance(version, str) else "",
            exact.strip().lstrip("=").strip() if exact else None, path, line_no, column,
            column + len(name), text_written))
    return result


def for_directory(directory: Path, tree: confine.Tree) -> Requirements:
    """What a build would install for code in ``directory``: requirements.txt, else pyproject.toml.

    A symlink that leads out of the tree counts as there (it is noted, never followed)."""
    txt = directory / "requirements.txt"
    if _present(txt, tree):
        return read_requirements_file(txt, tree)
    pyproject = directory / "pyproject.toml"
    if _present(pyproject, tree):
        return read_pyproject(pyproject, tree)
    return Requirements()


def _present(path: Path, tree: confine.Tree) -> bool:
    return (os.path.islink(path) and not tree.holds(path)) or path.is_file()
