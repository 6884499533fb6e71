"""The deployment model of a run, read unit by unit through the cache.

A unit is what one reader reads at once: a YAML/JSON file, a Terraform module (the ``.tf``
files of one directory), a CDK app file; the units and their readers are those of the uncached
read (``lambdalint.sources.units``). A unit's functions and read errors are cached under a key
of everything the reader looks at (``units.fingerprint``: the bytes, the reported paths, and
for Terraform the ``.tfvars`` and any file of the module a ``file()`` can read; for CDK where
``cdk.json`` is); handler linking, which looks at which files exist now, is redone on every run.

Configs read only to link handlers (pre-commit passes Python files alone) need only what
linking needs: a small entry per unit with each function's handler and code location. The full
records are read only for the functions that concern the files given.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from lambdalint.discovery import GivenFiles, SourceFile
from lambdalint.linking import link
from lambdalint.model import CodeLocation, Function, Project, ReadError, Value
from lambdalint.sources import units

def _unit_key(store, unit: units.Unit) -> Optional[str]:
    """None when the unit is not worth or not safe to cache (it is then read as always)."""
    from lambdalint import cache

    parts = units.fingerprint(unit, getattr(store, "directory", None))
    return None if parts is None else cache.key(store.salt, "unit", *parts)


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
    hit = store.get("unit", digest, _decode_unit)
    if hit is None:
        return None
    functions, errors = hit
    for function in functions:
        link(function)
    return Project(functions=functions, errors=errors)


def read(config_files: Sequence[SourceFile], context_files: Sequence[SourceFile],
         python_files: Sequence[SourceFile], paths: Sequence[str], store,
         jobs: Optional[int] = None) -> Project:
    """The project of ``config_files`` and the CDK apps among ``python_files``, with the
    functions of ``context_files`` that link handlers (all of them when no cache is used).
    The units not in the cache are read in worker processes when there are enough of them
    (``workers.read_units``; ``jobs`` as for the code)."""
    from lambdalint import confine

    roots = list(confine.Tree.of(paths).roots)
    project = Project(roots=roots)
    todo = units.units(list(config_files) + list(context_files), python_files)
    if store is None:
        parts: List[Optional[Project]] = [None] * len(todo)
        digests: List[Optional[str]] = [None] * len(todo)
    else:
        parts, digests = _cached_parts(todo, context_files, python_files, store)
    missing = [i for i, part in enumerate(parts) if part is None]
    from lambdalint import workers

    for index, (functions, errors) in zip(missing, workers.read_units(
            [todo[i] for i in missing], jobs)):
        for function in functions:
            link(function)
        part = parts[index] = Project(functions=functions, errors=errors)
        if digests[index] is not None:
            _store_unit(store, digests[index], part)
    for part in parts:
        project.functions.extend(part.functions)  # type: ignore[union-attr]
        project.errors.extend(part.errors)  # type: ignore[union-attr]
    return project


def _cached_parts(todo: List[units.Unit], context_files: Sequence[SourceFile],
                  python_files: Sequence[SourceFile], store
                  ) -> Tuple[List[Optional[Project]], List[Optional[str]]]:
    """Per unit, what the cache holds (None: to be read) and its key (None: not cached)."""
    context = {id(s) for s in context_files}
    given: Optional[GivenFiles] = None  # made when a context unit needs it (a realpath a file)
    parts: List[Optional[Project]] = []
    digests: List[Optional[str]] = []
    for unit in todo:
        digest = _unit_key(store, unit)
        part: Optional[Project] = None
        only_links = unit.kind != units.APP and all(id(s) in context for s in unit.files)
        if digest is not None and only_links:
            if given is None:
                given = GivenFiles([str(f.path) for f in python_files])
            part = _linked_part(store, digest, given)
        if part is None and digest is not None:
            part = _load_full(store, digest)
        parts.append(part)
        digests.append(digest)
    return parts, digests


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
    functions = store.get("links", digest, _decode_links)
    if functions is None:
        return None
    for function in functions:
        link(function)
    if any(_concerns(f, given) for f in functions):
        return _load_full(store, digest)
    # Errors of context files are never reported (they are not among the files given).
    return Project(functions=functions)
