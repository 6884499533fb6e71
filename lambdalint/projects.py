"""The deployment model of a run, read unit by unit through the cache.

A unit is what one reader reads at once: a YAML/JSON file, a Terraform module (the ``.tf``
files of one directory), a CDK app file. Its functions and read errors are cached under a key
of everything the reader looks at (the bytes, the reported paths, and for Terraform the
``.tfvars`` and any file of the module a ``file()`` can read; for CDK where ``cdk.json`` is);
handler linking, which looks at which files exist now, is redone on every run.

Configs read only to link handlers (pre-commit passes Python files alone) need only what
linking needs: a small entry per unit with each function's handler and code location. The full
records are read only for the functions that concern the files given.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lambdalint.discovery import JSON, PYTHON, TERRAFORM, YAML, GivenFiles, SourceFile
from lambdalint.model import CodeLocation, Function, Project, ReadError, Value

MAX_MODULE_ENTRIES = 5000  # a Terraform module this big is read every time
# The Terraform reader opens a file of the module only for file() / templatefile(): a module
# whose .tf text names no such function depends on no other file than its tfvars (so editing a
# handler in its source directory does not make it read again).
_FILE_CALL = re.compile(r"file\w*\s*\(")


def _bytes(source: SourceFile) -> Optional[bytes]:
    try:
        return source.path.read_bytes()
    except OSError:
        return None


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


def _tfvars_fingerprint(directory: Path) -> Optional[List[Any]]:
    """The module's own tfvars files by content (and whether each is a link, which the reader
    skips): all it reads besides its .tf files when they call no file function."""
    entries: List[Any] = []
    try:
        with os.scandir(directory) as scan:
            names = sorted(e.name for e in scan if e.name.endswith(".tfvars"))
    except OSError:
        return None
    for name in names:
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as handle:
                entries.append([name, os.path.islink(path), handle.read().hex()])
        except OSError:
            entries.append([name, os.path.islink(path), None])
    return entries


MAX_MODULE_HASHED_BYTES = 64 * 1024 * 1024  # more to hash than this: read the module instead


def _module_fingerprint(directory: Path, cache_dir: Optional[Path] = None) -> Optional[List[Any]]:
    """What a Terraform module's reader may open besides its .tf files, by content: tfvars,
    and any file under it that ``file()`` / ``templatefile()`` can name (the reader takes a
    regular file of at most its size limit inside the module; a larger file or a link counts
    as such). Contents, not sizes and times: a policy edited to the same size with its time
    set back must not be served from the cache.

    The cache directory (and any directory tagged as a cache) is left out: it changes on every
    run, and would make every run a miss and a new entry when the cache is in the module."""
    from lambdalint.sources.terraform import MAX_FILE_BYTES

    import hashlib

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
                elif stat.st_size > MAX_FILE_BYTES:
                    entries.append([rel, "over the limit"])
                else:
                    hashed += stat.st_size
                    if hashed > MAX_MODULE_HASHED_BYTES:
                        return None
                    with open(path, "rb") as handle:
                        data = handle.read()
                    entries.append([rel, hashlib.blake2b(data, digest_size=16).hexdigest()])
            except OSError:
                entries.append([rel, None])
            if len(entries) > MAX_MODULE_ENTRIES:
                return None
    return entries


class _Unit:
    def __init__(self, kind: str, configs: List[SourceFile], pythons: List[SourceFile]) -> None:
        self.kind = kind
        self.configs = configs
        self.pythons = pythons


def _units(config_files: Sequence[SourceFile], python_files: Sequence[SourceFile]) -> List[_Unit]:
    """In the order ``configs.read_project`` reads them."""
    from lambdalint.sources import configs

    units: List[_Unit] = []
    terraform_dirs: Dict[Path, List[SourceFile]] = defaultdict(list)
    for source in config_files:
        if source.kind in (YAML, JSON):
            units.append(_Unit("document", [source], []))
        elif source.kind == TERRAFORM:
            terraform_dirs[source.path.parent].append(source)
    for directory, files in sorted(terraform_dirs.items()):
        units.append(_Unit("terraform", files, []))
    cdk_import = getattr(configs, "_CDK_IMPORT", None)
    for source in python_files:
        if source.kind != PYTHON:
            continue
        if cdk_import is not None:
            try:
                with open(source.path, "rb") as handle:
                    head = handle.read(200_000).decode("utf-8", "replace")
            except OSError:
                continue
            if not cdk_import.search(head):
                continue
        units.append(_Unit("cdk", [], [source]))
    return units


def _unit_key(store, unit: _Unit) -> Optional[str]:
    """None when the unit is not worth or not safe to cache (it is then read as always)."""
    from lambdalint import cache
    from lambdalint.sources import configs

    parts: List[Any] = [store.salt, "unit", unit.kind, os.getcwd()]
    reads_files = False
    for source in unit.configs + unit.pythons:
        data = _bytes(source)
        if data is None:
            return None
        if unit.kind == "terraform" and not reads_files:
            reads_files = _FILE_CALL.search(data.decode("utf-8", "replace")) is not None
        if unit.kind == "document":
            # Most YAML and JSON files are no deployment config: reading them costs a regex.
            looks = getattr(configs, "_LOOKS_LIKE_DEPLOYMENT", None)
            named = getattr(configs, "_DEPLOYMENT_NAMES", None)
            if looks is not None and named is not None:
                text = data.decode("utf-8", "replace")
                if not looks.search(text) and not named.search(source.display):
                    return None
        parts += [source.display, str(source.path), data]
    if unit.kind == "terraform":
        directory = unit.configs[0].path.parent
        module = (_module_fingerprint(directory, getattr(store, "directory", None)) if reads_files
                  else _tfvars_fingerprint(directory))
        if module is None:
            return None
        parts += ["reads files" if reads_files else "tfvars only", module]
    elif unit.kind == "cdk":
        parts.append(_app_root(unit.pythons[0].path))
    return cache.key(*parts)


def _read_unit(unit: _Unit, paths: Sequence[str]) -> Project:
    from lambdalint.sources import configs

    return configs.read_project(unit.configs, unit.pythons, paths)


def _unlinked(function: Function) -> Tuple[Optional[str], Optional[str]]:
    linked = (function.handler_file, function.handler_function)
    function.handler_file = function.handler_function = None
    return linked


def _link_entry(function: Function) -> list:
    handler = function.handler
    return [function.code.kind, function.code.path,
            None if handler is None else [handler.literal, handler.value]]


def _from_link_entry(entry: list, index: int) -> Function:
    from lambdalint import cache

    kind, path, handler = entry
    value = None
    if handler is not None:
        literal, text = handler
        if not isinstance(literal, bool) or not (text is None or isinstance(text, (str, int, float))):
            raise cache.WrongShape("handler")
        value = Value(text, "", "", 0, literal=literal)
    if not isinstance(kind, str) or not (path is None or isinstance(path, str)):
        raise cache.WrongShape("code")
    return Function(f"#{index}", "", "", 0, 0, handler=value, code=CodeLocation(kind, path))


def _decode_links(entries: Any) -> List[Function]:
    """A "links" entry; anything but a list of ``_link_entry`` lists raises (a miss)."""
    if not isinstance(entries, list):
        raise TypeError("links")
    return [_from_link_entry(e, i) for i, e in enumerate(entries)]


def _decode_unit(value: Any) -> Tuple[List[Function], List[ReadError]]:
    """A "unit" entry, ``[functions, errors]``, each record checked field by field."""
    from lambdalint import cache

    functions, errors = value
    return cache.decode_records(functions, "Function"), cache.decode_records(errors, "ReadError")


def _store_unit(store, digest: str, unit: Project) -> None:
    from lambdalint import cache

    saved = [_unlinked(f) for f in unit.functions]
    try:
        full = [cache.encode_record(unit.functions), cache.encode_record(unit.errors)]
        links = [_link_entry(f) for f in unit.functions]
    except cache.NotCacheable:
        return
    finally:
        for function, (handler_file, handler_function) in zip(unit.functions, saved):
            function.handler_file, function.handler_function = handler_file, handler_function
    store.put("unit", digest, full)
    store.put("links", digest, links)


def _load_full(store, digest: str) -> Optional[Project]:
    from lambdalint.sources import configs

    hit = store.get("unit", digest, _decode_unit)
    if hit is None:
        return None
    functions, errors = hit
    for function in functions:
        configs.link(function)
    return Project(functions=functions, errors=errors)


def read(config_files: Sequence[SourceFile], context_files: Sequence[SourceFile],
         python_files: Sequence[SourceFile], paths: Sequence[str], store) -> Project:
    """The project of ``config_files`` and the CDK apps among ``python_files``, with the
    functions of ``context_files`` that link handlers (all of them when no cache is used)."""
    from lambdalint import confine
    from lambdalint.sources import configs

    roots = list(confine.Tree.of(paths).roots)
    if store is None:
        project = configs.read_project(list(config_files) + list(context_files), python_files,
                                       paths)
        project.roots = roots
        return project
    project = Project(roots=roots)
    context = {id(s) for s in context_files}
    given: Optional[GivenFiles] = None  # made when a context unit needs it (a realpath a file)
    for unit in _units(list(config_files) + list(context_files), python_files):
        digest = _unit_key(store, unit)
        part: Optional[Project] = None
        only_links = bool(unit.configs) and all(id(s) in context for s in unit.configs)
        if digest is not None and only_links:
            if given is None:
                given = GivenFiles([str(f.path) for f in python_files])
            part = _linked_part(store, digest, given)
        if part is None and digest is not None:
            part = _load_full(store, digest)
        if part is None:
            part = _read_unit(unit, paths)
            if digest is not None:
                _store_unit(store, digest, part)
        project.functions.extend(part.functions)
        project.errors.extend(part.errors)
    return project


def _concerns(function: Function, given: GivenFiles) -> bool:
    """Whether a function's findings can be about one of the ``given`` files."""
    if function.handler_file and given.is_given(function.handler_file):
        return True
    if function.code.kind == "local" and function.code.path:
        return given.holds_given(function.code.path)
    return False


def _linked_part(store, digest: str, given: GivenFiles) -> Optional[Project]:
    """The functions of a context unit as far as linking goes; the full records only when one
    of them concerns a file given (the engine judges those with the files given)."""
    from lambdalint.sources import configs

    functions = store.get("links", digest, _decode_links)
    if functions is None:
        return None
    for function in functions:
        configs.link(function)
    if any(_concerns(f, given) for f in functions):
        return _load_full(store, digest)
    # Errors of context files are never reported (they are not among the files given).
    return Project(functions=functions)
