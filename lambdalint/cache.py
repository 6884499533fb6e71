"""The on-disk cache: what checking a file gave, keyed by everything the result depends on.

A key is a hash of the file's bytes, the path it is reported under, the selected rules and
their options, the handler names linked to it, and a fingerprint of lambdalint itself (its
version and the size and time of every module, so that editing a rule in a checkout never
serves stale results) and of the Python and LibCST it runs on. Equal key, equal result: an
entry is never updated, only written once, so there is nothing to invalidate.

Entries are small JSON files (never pickle: a cache directory can come with a cloned
repository, and loading it must not run code), written to a temporary name and renamed into
place, so two runs at once at worst both write the same entry and a reader never sees half a
file. A damaged or unreadable entry is a miss. The directory holds a CACHEDIR.TAG and a
.gitignore of ``*``, and ``lambdalint clean`` removes it only when that tag is there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from lambdalint import __version__

DEFAULT_DIR = ".lambdalint_cache"
ENV_DIR = "LAMBDALINT_CACHE_DIR"
TAG_NAME = "CACHEDIR.TAG"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by lambdalint.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")


def _code_fingerprint() -> str:
    """lambdalint's version and the size and mtime of each of its modules and rule pages."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}|{sys.version_info[:2]}|{sys.implementation.name}".encode())
    package = Path(__file__).resolve().parent
    for directory, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".md", ".json", ".txt", ".toml")):
                try:
                    stat = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                rel = os.path.relpath(os.path.join(directory, name), package)
                digest.update(f"{rel}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    digest.update(_libcst_version().encode())
    return digest.hexdigest()


def _libcst_version() -> str:
    """Where LibCST is installed and when, without importing it (that costs a fifth of a
    second): an upgrade rewrites its files."""
    try:
        from importlib.util import find_spec

        spec = find_spec("libcst")
        origin = spec.origin if spec is not None else None
        if not origin:
            return ""
        parts = [origin]
        for name in ("__init__.py", "_version.py"):
            try:
                stat = os.stat(os.path.join(os.path.dirname(origin), name))
                parts.append(f"{name}|{stat.st_size}|{stat.st_mtime_ns}")
            except OSError:
                pass
        return "|".join(parts)
    except (ImportError, ValueError):
        return ""


def key(*parts: Any) -> str:
    """A hex digest of ``parts`` (bytes are hashed as they are, anything else as JSON)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(b"b%d:" % len(part))
            digest.update(part)
        else:
            text = json.dumps(part, sort_keys=True, default=str).encode()
            digest.update(b"j%d:" % len(text))
            digest.update(text)
    return digest.hexdigest()


class Cache:
    """One cache directory. ``get``/``put`` never raise: a cache that cannot be read or written
    only makes the run slower."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.salt = _code_fingerprint()
        self.root = self.directory / f"v{__version__}"
        self.hits = 0
        self.misses = 0
        self._writable = True
        self._prepared = False

    def _path(self, kind: str, digest: str) -> Path:
        return self.root / kind / digest[:2] / f"{digest}.json"

    def get(self, kind: str, digest: str) -> Optional[Any]:
        try:
            with open(self._path(kind, digest), "r", encoding="utf-8") as handle:
                value = json.load(handle)
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(value, dict) or value.get("key") != digest:
            self.misses += 1
            return None
        self.hits += 1
        return value.get("value")

    def put(self, kind: str, digest: str, value: Any) -> None:
        if not self._writable:
            return
        path = self._path(kind, digest)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"key": digest, "value": value}, separators=(",", ":"))
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=str(path.parent))
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except (OSError, TypeError, ValueError):
            self._writable = False  # read-only checkout, full disk: go on without

    def _prepare(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((TAG_NAME, TAG), (".gitignore", "# Created by lambdalint.\n*\n")):
            target = self.directory / name
            if not target.exists():
                try:
                    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=str(self.directory))
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(text)
                    os.replace(temporary, target)
                except OSError:
                    pass


def default_directory(root: Optional[Path]) -> Path:
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    return (root or Path.cwd()) / DEFAULT_DIR


def is_cache_directory(directory: Path) -> bool:
    try:
        return (directory / TAG_NAME).read_text(encoding="utf-8").startswith(TAG.splitlines()[0])
    except OSError:
        return False


def clean(directory: Path) -> bool:
    """Remove a cache directory; False when there is none. Refuses a directory without the
    tag lambdalint writes (``--cache-dir .`` must not delete a project)."""
    if not directory.exists():
        return False
    if not is_cache_directory(directory):
        raise ValueError(f"{directory} does not look like a lambdalint cache "
                         f"(no {TAG_NAME}); not removed")
    shutil.rmtree(directory)
    return True


# -- findings and model records as JSON --------------------------------------------------------

def encode_finding(finding) -> list:
    fix = None
    if finding.fix is not None:
        fix = [finding.fix.description,
               [[e.line, e.column, e.end_line, e.end_column, e.text] for e in finding.fix.edits]]
    return [finding.rule, finding.name, finding.severity.value, finding.path, finding.line,
            finding.column, finding.end_line, finding.end_column, finding.message,
            finding.suggestion, fix]


def decode_finding(item: list):
    from lambdalint.findings import Edit, Finding, Fix, Severity

    (rule, name, severity, path, line, column, end_line, end_column, message, suggestion,
     fix) = item
    decoded_fix = None
    if fix is not None:
        decoded_fix = Fix(fix[0], tuple(Edit(*edit) for edit in fix[1]))
    return Finding(rule, name, Severity(severity), path, line, column, end_line, end_column,
                   message, suggestion, decoded_fix)


class NotCacheable(Exception):
    """A record holds a value the JSON form cannot carry back exactly."""


def encode_record(value: Any) -> Any:
    """Dataclasses of ``lambdalint.model`` (and lists, dicts, sets, tuples of plain values) as
    JSON that ``decode_record`` turns back into equal objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if cls.__module__ != "lambdalint.model":
            raise NotCacheable(cls.__name__)
        return {"@": cls.__name__,
                "f": {f.name: encode_record(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, list):
        return [encode_record(v) for v in value]
    if isinstance(value, tuple):
        return {"@tuple": [encode_record(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = [encode_record(v) for v in value]
        try:
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        except TypeError:
            raise NotCacheable("set") from None
        return {"@set": items, "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotCacheable("dict key")
        return {"@dict": {k: encode_record(v) for k, v in value.items()}}
    raise NotCacheable(type(value).__name__)


def decode_record(value: Any) -> Any:
    from lambdalint import model

    if isinstance(value, list):
        return [decode_record(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "@tuple" in value:
        return tuple(decode_record(v) for v in value["@tuple"])
    if "@set" in value:
        items = [decode_record(v) for v in value["@set"]]
        return frozenset(items) if value.get("frozen") else set(items)
    if "@dict" in value:
        return {k: decode_record(v) for k, v in value["@dict"].items()}
    cls = getattr(model, value["@"])
    return cls(**{name: decode_record(v) for name, v in value["f"].items()})


def encode_findings(findings: List) -> List[list]:
    return [encode_finding(f) for f in findings]


def decode_findings(items: List[list]) -> List:
    return [decode_finding(item) for item in items]


def stats(cache: Optional[Cache]) -> Dict[str, int]:
    if cache is None:
        return {"hits": 0, "misses": 0}
    return {"hits": cache.hits, "misses": cache.misses}
