"""What a function's deployment contains, and how big it is.

Each framework decides differently what goes into the zip; its dialect
(``lambdalint.dialects``) says what (``Dialect.ships``, ``built_artifact``), with the patterns
this module matches:

* SAM: ``sam build`` copies the whole ``CodeUri`` except the names aws-lambda-builders' Python
  workflow leaves out (``.git``, virtual environments, caches...), then installs requirements.txt.
* CloudFormation ``Code`` with a local path (``aws cloudformation package``): the directory as is.
* Serverless: the service directory minus its default excludes and ``package.patterns``.
* Terraform ``archive_file``: ``source_dir`` minus ``excludes``; a ``filename`` zip as built.
* CDK ``Code.from_asset``: the directory minus ``exclude`` (glob patterns, ``!`` re-includes).

Where a built artifact exists (``.aws-sam/build/<Function>/``, ``.serverless/*.zip``, a zip
named by the config) it is measured instead, exactly; a zip from its central directory only,
never extracted. Dependencies that are only named in requirements are estimated (``sizes``).
Directories are walked without following symlinks, and the walk stops at a file budget, so an
odd tree can slow a run down but never hang it. Nothing outside the checked tree is walked or
opened (``lambdalint.confine``): every entry point here takes the run's ``Tree``, and a code path,
a built artifact or a dependency file that resolves outside it becomes a ``NotRead`` note that the
package rules report as LL001 at note severity, on the line that named it.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from lambdalint import confine
from lambdalint.dialects import dialect_of
from lambdalint.model import Function, Project
from lambdalint.packages import sizes
from lambdalint.packages.requirements import NotRead, Requirements, for_directory

MB = 1024 * 1024
MAX_FILES = 200_000
# lambdalint's own result cache: made by the run that measures, so never counted (a second run
# would otherwise report what the first one wrote).
OWN_CACHE = ".lambdalint_cache"

@dataclass
class Contributor:
    """A part of the package: a top-level directory or file, a dependency, an artifact entry."""

    label: str  # "tests/", "app.py", "numpy (requirements.txt, estimated)"
    bytes: int
    estimated: bool = False


@dataclass
class Package:
    """What one deployment package holds."""

    root: Optional[Path]  # the code directory or file, or None
    kind: str  # "directory", "file", "build" (a built directory), "zip"
    files: List[Tuple[str, int]] = field(default_factory=list)  # (relative path, bytes)
    measured_bytes: int = 0  # exact: files on disk or declared by the zip
    estimated: Dict[str, int] = field(default_factory=dict)  # dependency -> estimated bytes
    unknown_dependencies: List[str] = field(default_factory=list)
    zipped_bytes: Optional[int] = None  # the artifact's size, when it is a zip
    artifact: Optional[Path] = None  # the built artifact measured, if any
    requirements: Requirements = field(default_factory=Requirements)
    truncated: bool = False  # the walk hit MAX_FILES
    directories: List[str] = field(default_factory=list)  # relative dirs that ship (for junk)
    error: Optional[str] = None
    not_read: List[NotRead] = field(default_factory=list)  # kind "outside": why nothing was read

    @property
    def total(self) -> int:
        return self.measured_bytes + sum(self.estimated.values())

    @property
    def estimated_bytes(self) -> int:
        return sum(self.estimated.values())

    def contributors(self) -> List[Contributor]:
        """Largest first: top-level entries of the package, then estimated dependencies."""
        by_top: Dict[str, int] = {}
        for rel, size in self.files:
            head, sep, _ = rel.partition("/")
            key = head + "/" if sep else head
            by_top[key] = by_top.get(key, 0) + size
        found = [Contributor(k, v) for k, v in by_top.items()]
        source = self.requirements.source.name if self.requirements.source else "requirements"
        found += [Contributor(f"{name} ({source}, estimated)", size, True)
                  for name, size in self.estimated.items()]
        found.sort(key=lambda c: (-c.bytes, c.label))
        return found


def mb(size: int) -> str:
    """Sizes the way AWS states its limits: 250 MB is 262,144,000 bytes."""
    value = size / MB
    if value >= 10:
        return f"{value:.0f} MB"
    if value >= 0.1:
        return f"{value:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return "1 byte" if size == 1 else f"{max(size, 0)} bytes"


def is_python(function: Function) -> bool:
    runtime = function.runtime
    if runtime is None or not runtime.literal or not isinstance(runtime.value, str):
        return True  # unknown: the readers only link Python handlers, be conservative elsewhere
    return runtime.value.strip().lower().startswith("python")


# Runtimes whose package is compiled output (a jar, a binary, a published assembly), never a
# copy of the code directory; and the build files that say the same of a code directory.
COMPILED_RUNTIMES = ("java", "go", "dotnet")
BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")


def build_step(function: Function) -> Optional[str]:
    """What builds this function's package from its sources, when it is not a copy of them.

    Then the sources are not what ships: test directories, caches or data beside the code are
    not in the jar, binary or bundle, and their size says nothing about the package's. None when
    the framework copies the code directory (the Python and npm builders, Serverless, archives)."""
    if function.build:
        return function.build
    runtime = function.runtime
    if runtime is not None and runtime.literal and isinstance(runtime.value, str):
        name = runtime.value.strip().lower()
        if name.startswith(COMPILED_RUNTIMES):
            return f"the {runtime.value.strip()} build"
    handler = function.handler
    if handler is not None and handler.literal and "::" in str(handler.value):
        return "the Java build"  # package.Class::method
    code = function.code
    if code.kind == "local" and code.path:
        for name in BUILD_FILES:
            candidate = os.path.join(code.path, name)
            # A symlink may point out of the tree: not followed, not even to stat it.
            if not os.path.islink(candidate) and os.path.isfile(candidate):
                return f"the build of {name}"
    return None


# -- pattern matching ------------------------------------------------------------------------


def glob_regex(pattern: str) -> "re.Pattern[str]":
    """A path glob as globby/minimatch read it: ``**`` crosses directories, ``*`` does not."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end > i:
                out.append("[" + pattern[i + 1:end].replace("!", "^", 1) + "]")
                i = end + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def _clean(pattern: str) -> str:
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") if pattern not in ("/",) else pattern


class _Rules:
    """A function's include and exclude patterns, compiled once; ``ships`` asks its dialect
    which of them the framework applies, and how."""

    def __init__(self, function: Function) -> None:
        self.dialect = dialect_of(function)
        self.python = is_python(function)
        code = function.code
        self.includes = [_clean(p) for p in code.includes if _clean(p)]
        self.excludes = [_clean(p) for p in code.excludes if _clean(p)]
        self._includes = [(p, glob_regex(p)) for p in self.includes]
        self._excludes = [(p, glob_regex(p)) for p in self.excludes]
        # (re-includes, pattern, regex) of exclude globs where ``!`` re-includes.
        self.negatable = [(p.startswith("!"), p.lstrip("!"), glob_regex(p.lstrip("!")))
                          for p in (_clean(x) for x in code.excludes) if p.lstrip("!")]

    def ships(self, rel: str, is_dir: bool) -> bool:
        return self.dialect.ships(self, rel, is_dir)

    def longest_pattern_wins(self, rel: str, is_dir: bool,
                             defaults: Sequence[Tuple[str, "re.Pattern[str]"]]) -> bool:
        """Patterns applied in order (Serverless); the model keeps includes and excludes
        apart, so the more specific (longer) pattern wins: ``!tests/**`` beats ``src/**``, and
        ``src/**`` beats ``!**``. Patterns match files; a directory is skipped whole only when a
        ``**`` exclude covers it and no longer include reaches below it. ``defaults`` are the
        framework's own excludes, compiled."""
        excludes = self._excludes + list(defaults)
        if is_dir:
            probe = rel + "/x"
            excluded = _longest([(raw, rx) for raw, rx in excludes if raw.endswith("**")], probe)
            if excluded is None:
                return True
            return any(len(raw) > len(excluded) and (raw.startswith(rel + "/") or rx.match(probe))
                       for raw, rx in self._includes)
        excluded = _longest(excludes, rel)
        if excluded is None:
            return True
        included = _longest(self._includes, rel)
        return included is not None and len(included) > len(excluded)


def _longest(rules, rel: str) -> Optional[str]:
    best = None
    for raw, regex in rules:
        if regex.match(rel) and (best is None or len(raw) > len(best)):
            best = raw
    return best


# -- measuring -------------------------------------------------------------------------------


def _walk(root: Path, rules: Optional[_Rules], package: Package) -> None:
    """Files under ``root`` that ship, with their sizes; symlinks are never followed."""
    count = 0
    stack = [(root, "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                if is_dir and entry.name == OWN_CACHE:
                    continue
                if rules is not None and not rules.ships(rel, is_dir):
                    continue
                if is_dir:
                    package.directories.append(rel)
                    stack.append((Path(entry.path), rel + "/"))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            package.files.append((rel, size))
            package.measured_bytes += size
            count += 1
            if count >= MAX_FILES:
                package.truncated = True
                return


def read_zip(path: Path, package: Package) -> None:
    """Sizes from the zip's central directory: the declared uncompressed size of every entry."""
    try:
        package.zipped_bytes = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = info.filename.replace("\\", "/").lstrip("/")
                package.files.append((name, info.file_size))
                package.measured_bytes += info.file_size
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        package.error = f"cannot read {path.name}: {exc}"


def _installed(root: Path) -> Tuple[str, ...]:
    """Distributions already installed into the code directory (``pip install -t``)."""
    try:
        names = [e.name for e in os.scandir(root) if e.name.endswith((".dist-info", ".egg-info"))]
    except OSError:
        return ()
    found = []
    for name in names:
        stem = name.rsplit(".", 1)[0]
        found.append(sizes.canonical(re.split(r"-\d", stem, maxsplit=1)[0]))
    return tuple(found)


def artifact_of(function: Function) -> Optional[Path]:
    """A built artifact of this function on disk, measured instead of its sources."""
    code = function.code
    if code.kind == "zip" and code.path:
        path = Path(code.path)
        return path if path.is_file() else None
    return dialect_of(function).built_artifact(function)


def _outside(function: Function, tree: confine.Tree, path: Path, what: str) -> Optional[NotRead]:
    """The note, on the line that names the code, when ``path`` resolves outside the tree."""
    if tree.holds(path):
        return None
    return NotRead(Path(function.path), function.code.line or function.line, 1,
                   f"{what} {path} of {function.name} {confine.OUTSIDE} (its package is not "
                   "measured)")


def _outside_code(function: Function, tree: confine.Tree) -> Optional[NotRead]:
    code = function.code
    assert code.path is not None
    return _outside(function, tree, Path(code.path), dialect_of(function).code_setting(function))


def outside_notes(function: Function, tree: confine.Tree) -> List[NotRead]:
    """Why ``measure`` will read nothing of this function's package: its code path, or else
    its built artifact, resolves outside the tree. Checked without measuring anything."""
    code = function.code
    if code.kind not in ("local", "zip") or not code.path:
        return []
    note = _outside_code(function, tree)
    if note is None:
        artifact = artifact_of(function)
        if artifact is not None:
            note = _outside(function, tree, artifact, "the built package")
    return [note] if note is not None else []


def measure(function: Function, tree: confine.Tree) -> Optional[Package]:
    """The package of a function with local code or a zip; None for image, S3, inline code.

    A built artifact, when there is one, is what gets deployed: it is measured instead. Only
    inside ``tree``: a code path or artifact outside it gives a package of kind ``outside``."""
    code = function.code
    if code.kind not in ("local", "zip") or not code.path:
        return None
    notes = outside_notes(function, tree)
    if notes:
        return Package(root=None, kind="outside", not_read=notes)
    artifact = artifact_of(function)
    if artifact is not None and artifact.is_dir():
        package = Package(root=Path(code.path), kind="build", artifact=artifact)
        _walk(artifact, None, package)
        return package
    if artifact is not None and code.kind == "local":  # a zip Serverless built
        package = Package(root=Path(code.path), kind="zip", artifact=artifact)
        read_zip(artifact, package)
        return package
    package = sources(function, tree)
    if package is not None and package.kind == "directory" and is_python(function):
        assert package.root is not None
        package.requirements = for_directory(package.root, tree)
        names = [r.key for r in package.requirements.items if not r.local]
        package.estimated, package.unknown_dependencies = sizes.estimate(
            names, _installed(package.root))
    return package


def sources(function: Function, tree: confine.Tree) -> Optional[Package]:
    """What the function's own code ships, before any build step: where bundled junk comes from.

    A zip named by the config (or built by Serverless) is read from its central directory."""
    code = function.code
    if code.kind not in ("local", "zip") or not code.path:
        return None
    outside = _outside_code(function, tree)
    if outside is not None:
        return Package(root=None, kind="outside", not_read=[outside])
    root = Path(code.path)
    if code.kind == "zip":
        if not root.is_file():
            return None  # named but not built yet: nothing to measure
        package = Package(root=root, kind="zip", artifact=root)
        read_zip(root, package)
        return package
    if root.is_file():
        try:
            size = root.stat().st_size
        except OSError:
            return None
        package = Package(root=root, kind="file")
        package.files.append((root.name, size))
        package.measured_bytes = size
        return package
    if not root.is_dir():
        return None
    package = Package(root=root, kind="directory")
    _walk(root, _Rules(function), package)
    return package


def requirements_of(function: Function, tree: confine.Tree) -> Requirements:
    """The requirements a build installs for this function (empty for non-Python and zips, and
    when the code path is outside the tree: ``outside_notes`` says so)."""
    code = function.code
    if code.kind != "local" or not code.path or not is_python(function):
        return Requirements()
    if not tree.holds(code.path):
        return Requirements()
    root = Path(code.path)
    directory = root if root.is_dir() else root.parent
    return for_directory(directory, tree)


def _run_memo(project: Project, name: str) -> dict:
    """A dict kept on the project for the length of one run, so that the rules asking for the
    same measurement share it (a frozen project gets a fresh dict each time)."""
    memo = getattr(project, name, None)
    if memo is None:
        memo = {}
        try:
            setattr(project, name, memo)
        except AttributeError:  # pragma: no cover - a frozen project
            pass
    return memo


def requirements_for(project: Project, function: Function) -> Requirements:
    """``requirements_of``, read once per code directory per run (LL302, LL303, LL304 and the
    notes all ask for it)."""
    cache = _run_memo(project, "_lambdalint_requirements")
    code = function.code
    key = (code.kind, code.path, is_python(function))
    if key not in cache:
        cache[key] = requirements_of(function, tree_of(project))
    return cache[key]


def package_key(function: Function) -> tuple:
    """Functions with the same key ship the same package (one finding for all of them)."""
    code = function.code
    return (function.path, code.kind, code.path, tuple(code.includes), tuple(code.excludes),
            function.name if dialect_of(function).per_function_build and artifact_of(function)
            else "")


def tree_of(project: Project) -> confine.Tree:
    """The tree a run may read: the roots of the paths checked (``Project.roots``); for a
    project built without them, the tree around each config file read."""
    roots = getattr(project, "roots", None)
    if roots:
        return confine.Tree(tuple(roots))
    return confine.Tree.of([f.path for f in project.functions if f.path])


def packages(project: Project) -> Dict[tuple, Optional[Package]]:
    """Every function's package, measured once per run and shared by the rules that ask."""
    cache = _run_memo(project, "_lambdalint_packages")
    tree = tree_of(project)
    for function in project.functions:
        key = package_key(function)
        if key not in cache:
            cache[key] = measure(function, tree)
    return cache


def package_of(project: Project, function: Function) -> Optional[Package]:
    return packages(project).get(package_key(function))
