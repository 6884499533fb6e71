"""What one reader reads at once (a unit), which reader reads it, and what its result depends on.

Units are a YAML/JSON document, a Terraform module (the ``.tf`` files of one directory) and a
CDK app file (a Python file that imports ``aws_cdk``). ``units`` is the one dispatch of a run's
files into units, used by the uncached read (``configs.read_project``) and the cached one
(``projects.read``) alike, in the same order. ``read`` calls the unit's reader through the lazy
``READERS`` table and turns a reader's crash into an LL001 on the unit, once for every format.
``fingerprint`` lists everything a reader looks at, which the cache keys a unit's result on.

This module imports no parser: a fully cached run dispatches and fingerprints units without
loading PyYAML, tree-sitter or LibCST.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from lambdalint import files
from lambdalint.discovery import JSON, PYTHON, TERRAFORM, YAML, SourceFile
from lambdalint.model import Function, ReadError

DOCUMENT = "document"
MODULE = "terraform"
APP = "cdk"

# Every unit's reader: "module:function", imported when a unit of that kind is read. Each takes
# the ``Unit`` and returns ``(functions, errors)``.
READERS: Dict[str, str] = {
    DOCUMENT: "lambdalint.sources.documents:read_unit",
    MODULE: "lambdalint.sources.terraform:read_unit",
    APP: "lambdalint.sources.cdk:read_unit",
}

CDK_IMPORT = re.compile(r"^\s*(from|import)\s+aws_cdk\b", re.MULTILINE)
CDK_HEAD_BYTES = 200_000  # where an app's imports are

Read = Tuple[List[Function], List[ReadError]]


@dataclass
class Unit:
    """One reader's input: ``files`` are the document, the module's ``.tf`` files (sorted as
    discovered) or the app file."""

    kind: str
    files: List[SourceFile]
    # A Terraform module: the inputs every one of the project's own calls of it passes
    # (``terraform.callers``), whose variables' defaults therefore are never deployed.
    inputs: Tuple[str, ...] = ()

    @property
    def directory(self) -> Path:
        """The directory of the unit (a Terraform module is this directory)."""
        return self.files[0].path.parent


def units(config_files: Sequence[SourceFile], python_files: Sequence[SourceFile]) -> List[Unit]:
    """The units of a run in reading order: documents as given, Terraform modules by directory,
    then the CDK apps among ``python_files``."""
    found: List[Unit] = []
    modules: Dict[Path, List[SourceFile]] = defaultdict(list)
    for source in config_files:
        if source.kind in (YAML, JSON):
            found.append(Unit(DOCUMENT, [source]))
        elif source.kind == TERRAFORM:
            modules[source.path.parent].append(source)
    passed = _passed_inputs(modules)
    found.extend(Unit(MODULE, sources, tuple(sorted(passed.get(directory.resolve(), ()))))
                 for directory, sources in sorted(modules.items()))
    for source in python_files:
        if source.kind == PYTHON and CDK_IMPORT.search(files.head_text(source.path,
                                                                       CDK_HEAD_BYTES)):
            found.append(Unit(APP, [source]))
    return found


def _passed_inputs(modules: Dict[Path, List[SourceFile]]) -> Dict[Path, Any]:
    """What every module call among the run's ``.tf`` files passes to each local module; nothing
    to look for (and no parser imported) without Terraform files."""
    if not modules:
        return {}
    from lambdalint.sources.terraform.callers import passed_inputs

    return passed_inputs(source for sources in modules.values() for source in sources)


def reader(kind: str) -> Callable[[Unit], Read]:
    """The reader of a unit kind, imported now."""
    module, _, name = READERS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def internal(exc: BaseException) -> str:
    """What an LL001 says when a reader crashed on a unit."""
    return f"lambdalint failed on this file ({type(exc).__name__}: {exc}); please report it"


def read(unit: Unit) -> Read:
    """The unit's functions and read errors. A reader bug must not end the run: its exception
    is an LL001 on the unit's first file."""
    try:
        functions, errors = reader(unit.kind)(unit)
    except Exception as exc:  # noqa: BLE001 - reported, never a traceback
        return [], [ReadError(unit.files[0].display, 1, internal(exc))]
    return list(functions), list(errors)


# ---------------------------------------------------------------------------------------------
# Fingerprints: everything a unit's reader looks at

MAX_MODULE_ENTRIES = 5000  # a Terraform module this big is read every time
MAX_MODULE_HASHED_BYTES = 64 * 1024 * 1024  # more to hash than this: read the module instead
# The Terraform reader opens a file of the module only for file() / templatefile(): a module
# whose .tf text names no such function depends on no other file than its tfvars (so editing a
# handler in its source directory does not make it read again).
_FILE_CALL = re.compile(r"file\w*\s*\(")


def fingerprint(unit: Unit, cache_dir: Optional[Path] = None) -> Optional[List[Any]]:
    """The key parts of a unit: its kind, the working directory, each file's reported path and
    bytes, and what its reader reads besides (for Terraform the tfvars, and any file of the
    module a ``file()`` can read; for CDK where ``cdk.json`` is). None when the unit is not
    worth or not safe to cache (it is then read as always): a document that is no deployment
    config, a file that cannot be read whole, a module too large to hash."""
    from lambdalint.sources.documents import may_be_deployment

    parts: List[Any] = [unit.kind, os.getcwd()]
    reads_files = False
    for source in unit.files:
        data = files.read_bytes(source.path)
        if isinstance(data, files.ReadFailure):
            return None
        if unit.kind == MODULE and not reads_files:
            reads_files = _FILE_CALL.search(data.decode("utf-8", "replace")) is not None
        # Most YAML and JSON files are no deployment config: reading them costs a regex.
        if unit.kind == DOCUMENT and not may_be_deployment(data.decode("utf-8", "replace"),
                                                           source.display):
            return None
        parts += [source.display, str(source.path), data]
        if unit.kind == DOCUMENT and b"${file(" in data:
            included = _included_fingerprint(source.path, data.decode("utf-8", "replace"))
            if included is None:
                return None
            parts.append(included)
    if unit.kind == MODULE:
        parts.append(["inputs passed by calls", list(unit.inputs)])
        module = (_module_fingerprint(unit.directory, cache_dir) if reads_files
                  else _tfvars_fingerprint(unit.directory))
        if module is None:
            return None
        parts += ["reads files" if reads_files else "tfvars only", module]
    elif unit.kind == APP:
        parts.append(_app_root(unit.files[0].path))
    return parts


_SERVERLESS_FILE = re.compile(r"\$\{file\(([^()]*)\)")


def _included_fingerprint(path: Path, text: str) -> Optional[List[Any]]:
    """The bytes of the files a Serverless ``${file(...)}`` of ``text`` reads (relative to the
    service's directory, as ``serverless.variables`` reads them), so that a cached result goes
    stale when one of them changes; None (not cached) when a name is built from variables."""
    parts: List[Any] = []
    for match in _SERVERLESS_FILE.finditer(text):
        name = match.group(1).strip().strip("'\"")
        if "$" in name:
            return None
        try:  # the reader reads nothing outside the service's directory: neither does this
            base = path.parent.resolve()
            target = (base / name).resolve()
            inside = target.is_relative_to(base) and target.is_file()
        except (OSError, ValueError, RuntimeError):
            inside = False
        data = files.read_bytes(target) if inside else "not read"
        parts += [name, data if isinstance(data, bytes) else str(data)]
    return parts


def _app_root(path: Path) -> str:
    """Where ``cdk.json`` is, as the CDK reader finds it."""
    start = path.parent
    for directory in [start, *start.parents]:
        try:
            if (directory / "cdk.json").is_file():
                return str(directory)
            if (directory / ".git").exists():
                break
        except OSError:
            break
    return str(start)


def _contents(path: str) -> Optional[bytes]:
    data = files.read_bytes(Path(path))
    return None if isinstance(data, files.ReadFailure) else data


def _tfvars_fingerprint(directory: Path) -> Optional[List[Any]]:
    """The module's own tfvars files by content (and whether each is a link, which the reader
    skips): all it reads besides its .tf files when they call no file function. A tfvars file
    the reader cannot read (over the size limit too) counts by its name alone."""
    entries: List[Any] = []
    try:
        with os.scandir(directory) as scan:
            names = sorted(e.name for e in scan if e.name.endswith(".tfvars"))
    except OSError:
        return None
    for name in names:
        path = os.path.join(directory, name)
        data = _contents(path)
        entries.append([name, os.path.islink(path), None if data is None else data.hex()])
    return entries


def _module_fingerprint(directory: Path, cache_dir: Optional[Path] = None) -> Optional[List[Any]]:
    """What a Terraform module's reader may open besides its .tf files, by content: tfvars,
    and any file under it that ``file()`` / ``templatefile()`` can name (the reader takes a
    regular file of at most its size limit inside the module; a larger file or a link counts
    as such). Contents, not sizes and times: a policy edited to the same size with its time
    set back must not be served from the cache.

    The cache directory (and any directory tagged as a cache) is left out: it changes on every
    run, and would make every run a miss and a new entry when the cache is in the module."""
    skipped = {os.path.realpath(cache_dir)} if cache_dir is not None else set()
    entries: List[Any] = []
    hashed = 0
    for current, dirnames, filenames in os.walk(directory):
        kept = []
        for name in sorted(dirnames):
            path = os.path.join(current, name)
            if name in (".git", ".terraform") or os.path.realpath(path) in skipped \
                    or os.path.isfile(os.path.join(path, "CACHEDIR.TAG")):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = os.path.join(current, name)
            rel = os.path.relpath(path, directory)
            try:
                stat = os.lstat(path)
                if os.path.islink(path):
                    entries.append([rel, "link", os.readlink(path)])
                elif not os.path.isfile(path):
                    entries.append([rel, "other", stat.st_mode])
                elif stat.st_size > files.MAX_FILE_BYTES:
                    entries.append([rel, "over the limit"])
                else:
                    hashed += stat.st_size
                    if hashed > MAX_MODULE_HASHED_BYTES:
                        return None
                    data = _contents(path)
                    entries.append([rel, None if data is None else
                                    hashlib.blake2b(data, digest_size=16).hexdigest()])
            except OSError:
                entries.append([rel, None])
            if len(entries) > MAX_MODULE_ENTRIES:
                return None
    return entries

