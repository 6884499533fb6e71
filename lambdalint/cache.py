"""The on-disk cache: what checking a file gave, keyed by everything the result depends on.

A key is a hash of the file's bytes, the path it is reported under, the selected rules and
their options, the handler names linked to it, and a fingerprint of lambdalint itself (its
version and the size and time of every module, so that editing a rule in a checkout never
serves stale results) and of the Python and LibCST it runs on. Equal key, equal result.

All entries live in one pack file, ``v<version>/pack.jsonl``, read once when a run first looks
something up and written once at its end: one small file per entry made a cold run over many
tiny files slower than no cache at all (a create, a write and a rename per source file) and the
cache larger than the tree (a file system block per entry). The pack is rewritten whole, to a
temporary name renamed into place, under an exclusive lock on ``pack.lock`` where the platform
has ``flock``: a writer first merges what another run wrote meanwhile, so runs at once lose no
entries and a reader (which takes no lock) sees the old pack or the new one, never half of one.
Each line is ``kind<TAB>key<TAB>last use<TAB>JSON``; the pack is kept under ``MAX_PACK_BYTES``
by dropping the entries used longest ago.

Entries are JSON (never pickle: a cache directory can come with a cloned repository, and
loading it must not run code). Whatever an entry holds, ``get`` hands back only what its caller's
decoder accepted: a damaged line, a value of another shape, a decoder that raises, all are a
miss, and the entry written after the miss replaces it. The directory holds a CACHEDIR.TAG and
a .gitignore of ``*``, and ``lambdalint clean`` removes it only when that tag is there.

One module of some 600 lines on purpose: the key, the pack's format, its locking and merging
and the trust rules above are one contract; a reader of any part needs the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

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
        elif type(part) is str:  # most parts: no JSON needed (a fifth of a warm run's time)
            data = part.encode("utf-8", "surrogatepass")
            digest.update(b"s%d:" % len(data))
            digest.update(data)
        else:
            text = json.dumps(part, sort_keys=True, default=str).encode()
            digest.update(b"j%d:" % len(text))
            digest.update(text)
    return digest.hexdigest()


PACK_NAME = "pack.jsonl"
LOCK_NAME = "pack.lock"
PACK_HEADER = "lambdalint-cache\t1\n"
MAX_PACK_BYTES = 64 * 1024 * 1024  # past this, the entries used longest ago go
REFRESH_SECONDS = 24 * 3600  # a hit older than this is re-stamped (so eviction spares it)
_KINDS_BEFORE_PACK = ("python", "inline", "unit", "links", "walk")  # one file per entry

_Entry = Tuple[int, str]  # (last use, the value as JSON text)


class Cache:
    """One cache directory. ``get``/``put``/``flush`` never raise: a cache that cannot be read
    or written only makes the run slower."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.salt = _code_fingerprint()
        self.root = self.directory / f"v{__version__}"
        self.pack = self.root / PACK_NAME
        self.hits = 0
        self.misses = 0
        self._entries: Optional[Dict[Tuple[str, str], _Entry]] = None
        self._loaded_stat: Optional[Tuple[int, int, int]] = None
        self._new: Dict[Tuple[str, str], str] = {}
        self._touched: Dict[Tuple[str, str], str] = {}  # hits to re-stamp, with their text
        self._bad: Dict[Tuple[str, str], str] = {}  # entries that did not decode, to drop
        self._now = int(time.time())

    # -- reading ---------------------------------------------------------------------------

    def _load(self) -> Dict[Tuple[str, str], _Entry]:
        if self._entries is None:
            self._entries, self._loaded_stat = _read_pack(self.pack)
        return self._entries

    def get(self, kind: str, digest: str,
            decode: Optional[Callable[[Any], Any]] = None) -> Optional[Any]:
        """The value kept under (``kind``, ``digest``) as ``decode`` turns it (``decode`` checks
        the shape and raises on anything else); None, a miss, when there is none or it does
        not decode."""
        name = (kind, digest)
        entry = self._new.get(name)
        text = entry if entry is not None else None
        stamp = self._now
        if text is None:
            found = self._load().get(name)
            if found is None:
                self.misses += 1
                return None
            stamp, text = found
        try:
            value = json.loads(text)
            if decode is not None:
                value = decode(value)
        except Exception:  # noqa: BLE001 - any wrong shape is a miss, never the run's error
            self.misses += 1
            self._bad[name] = text
            return None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        if stamp < self._now - REFRESH_SECONDS:
            self._touched[name] = text
        return value

    # -- a stage's results, by the fingerprint of its input -----------------------------------

    def memo(self, kind: str, parts: Sequence[Any], compute: Callable[[], Any],
             encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Any:
        """What ``compute()`` gives for the input that ``parts`` fingerprint: kept under
        ``kind`` (``encode`` makes it JSON, ``decode`` checks and rebuilds it; a value that
        does not decode is computed again). ``encode`` may raise ``NotCacheable``: the value
        is then not kept."""
        digest = key(self.salt, kind, *parts)
        hit = self.get(kind, digest, decode)
        if hit is not None:
            return hit
        value = compute()
        self._keep(kind, digest, value, encode)
        return value

    def batch(self, kind: str, shared: Any, keys: Sequence[Sequence[Any]],
              decode: Callable[[Any], Any]) -> "Batch":
        """``memo`` for a stage that computes its misses together (in worker processes): the
        hits of ``keys`` (each input's own key parts; ``shared`` is what every key has in
        common, hashed once), and the misses for the caller to compute and ``Batch.keep``.
        The caller runs the computation itself: the rules then run at the stack depth they
        always had (how deep a file's nesting can be before it is "too deeply nested to
        analyse" depends on it)."""
        prefix = key(self.salt, kind, shared)
        digests = [key(prefix, *parts) for parts in keys]
        return Batch(self, kind, digests, [self.get(kind, d, decode) for d in digests])

    def _keep(self, kind: str, digest: str, value: Any, encode: Callable[[Any], Any]) -> None:
        try:
            encoded = encode(value)
        except NotCacheable:
            return
        self.put(kind, digest, encoded)

    # -- writing ---------------------------------------------------------------------------

    def put(self, kind: str, digest: str, value: Any) -> None:
        """Kept for the end of the run (``flush``); a value JSON cannot hold is not kept."""
        try:
            self._new[(kind, digest)] = json.dumps(value, separators=(",", ":"),
                                                   ensure_ascii=True, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            pass

    def flush(self) -> None:
        """Write what this run added (and the hits to re-stamp) into the pack, merged with what
        other runs wrote meanwhile. Once per run; nothing is written when nothing changed."""
        if not (self._new or self._touched or self._bad):
            return
        try:
            self._prepare()
            with _Lock(self.root / LOCK_NAME):
                current = self._entries
                if current is None or _stat_of(self.pack) != self._loaded_stat:
                    current, _ = _read_pack(self.pack)
                merged = dict(current)
                for name, text in self._bad.items():
                    if merged.get(name, (0, None))[1] == text:
                        del merged[name]
                for name, text in self._touched.items():
                    merged[name] = (self._now, text)
                for name, text in self._new.items():
                    merged[name] = (self._now, text)
                _write_pack(self.pack, _bounded(merged, MAX_PACK_BYTES))
            self._entries, self._loaded_stat = None, None
            self._new, self._touched, self._bad = {}, {}, {}
        except (OSError, ValueError):
            pass  # read-only checkout, full disk: the run goes on without

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for name, text in ((TAG_NAME, TAG), (".gitignore", "# Created by lambdalint.\n*\n")):
            target = self.directory / name
            if not target.exists():
                try:
                    _write_atomic(target, text)
                except OSError:
                    pass
        for kind in _KINDS_BEFORE_PACK:  # a cache of an earlier layout: one file per entry
            old = self.root / kind
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def count(self, kind: Optional[str] = None) -> int:
        """How many entries the pack on disk holds (of ``kind``): for tests and ``--stats``."""
        entries, _ = _read_pack(self.pack)
        return sum(1 for k, _ in entries if kind is None or k == kind)


def _stat_of(path: Path) -> Optional[Tuple[int, int, int]]:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _read_pack(path: Path) -> Tuple[Dict[Tuple[str, str], _Entry], Optional[Tuple[int, int, int]]]:
    """The entries of a pack; a pack that is missing, unreadable or of another format is empty,
    and a line that is not four fields is passed over (a value is checked when it is used)."""
    entries: Dict[Tuple[str, str], _Entry] = {}
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
    except OSError:
        return entries, None
    signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return entries, signature
    if not text.startswith(PACK_HEADER):
        return entries, signature
    for line in text[len(PACK_HEADER):].split("\n"):
        parts = line.split("\t", 3)
        if len(parts) != 4:
            continue
        kind, digest, stamp, value = parts
        try:
            entries[(kind, digest)] = (int(stamp), value)
        except ValueError:
            continue
    return entries, signature


def _bounded(entries: Dict[Tuple[str, str], _Entry], limit: int) -> Dict[Tuple[str, str], _Entry]:
    """``entries`` if their lines fit in ``limit`` bytes; else the most recently used of them
    that fit in three quarters of it (so the next runs do not evict again at once)."""
    def size(name: Tuple[str, str], entry: _Entry) -> int:
        return len(name[0]) + len(name[1]) + len(entry[1]) + 14

    total = sum(size(n, e) for n, e in entries.items())
    if total <= limit:
        return entries
    kept: Dict[Tuple[str, str], _Entry] = {}
    budget = limit * 3 // 4
    for name, entry in sorted(entries.items(), key=lambda item: -item[1][0]):
        budget -= size(name, entry)
        if budget < 0:
            break
        kept[name] = entry
    return kept


def _write_pack(path: Path, entries: Dict[Tuple[str, str], _Entry]) -> None:
    lines = [PACK_HEADER]
    lines.extend(f"{kind}\t{digest}\t{stamp}\t{text}\n"
                 for (kind, digest), (stamp, text) in entries.items())
    _write_atomic(path, "".join(lines))


def _write_atomic(target: Path, text: str) -> None:
    """Written to a temporary name beside ``target`` and renamed: readers see all or nothing."""
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="ascii", errors="strict") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class _Lock:
    """An exclusive ``flock`` on a lock file, held while a pack is merged and replaced; where
    there is no ``flock`` (Windows) none: two writers at once then keep one run's entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: Optional[int] = None

    def __enter__(self) -> "_Lock":
        try:
            import fcntl
        except ImportError:
            return self
        self.fd = os.open(str(self.path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: as on Windows
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(condition: bool, what: str) -> None:
    if not condition:
        raise WrongShape(what)


class WrongShape(ValueError):
    """A cache entry that is valid JSON but not what its kind holds: a miss."""


def decode_finding(item: Any):
    """A finding from ``encode_finding``'s list; every field is checked for its type, so that
    an entry of another shape is a miss here rather than an error in a reporter later."""
    from lambdalint.findings import Edit, Finding, Fix, Severity

    _checked(isinstance(item, list) and len(item) == 11, "finding")
    (rule, name, severity, path, line, column, end_line, end_column, message, suggestion,
     fix) = item
    _checked(all(isinstance(v, str) for v in (rule, name, path, message, suggestion))
             and all(_is_int(v) for v in (line, column, end_line, end_column)), "finding")
    decoded_fix = None
    if fix is not None:
        _checked(isinstance(fix, list) and len(fix) == 2 and isinstance(fix[0], str)
                 and isinstance(fix[1], list), "fix")
        edits = []
        for edit in fix[1]:
            _checked(isinstance(edit, list) and len(edit) == 5 and isinstance(edit[4], str)
                     and all(_is_int(v) for v in edit[:4]), "edit")
            edits.append(Edit(*edit))
        decoded_fix = Fix(fix[0], tuple(edits))
    return Finding(rule, name, Severity(severity), path, line, column, end_line, end_column,
                   message, suggestion, decoded_fix)


class Batch:
    """The results of many inputs of one stage: ``results[i]`` is a hit or None (a miss, listed
    in ``missing``) until the caller ``keep``s what it computed for it."""

    def __init__(self, store: Optional[Cache], kind: str, digests: List[Optional[str]],
                 results: List[Any]) -> None:
        self.store = store
        self.kind = kind
        self.digests = digests
        self.results = results
        self.missing = [i for i, value in enumerate(results) if value is None]

    @classmethod
    def uncached(cls, count: int) -> "Batch":
        """Every input a miss, nothing kept: a run without the cache."""
        return cls(None, "", [None] * count, [None] * count)

    def keep(self, index: int, value: Any, encode: Callable[[Any], Any]) -> None:
        self.results[index] = value
        digest = self.digests[index]
        if self.store is not None and digest is not None:
            self.store._keep(self.kind, digest, value, encode)


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
    """The inverse of ``encode_record``. Only ``lambdalint.model`` dataclasses are built, with
    exactly their fields, each checked against the field's type (``check_record``)."""
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
    name = value["@"]
    cls = getattr(model, name, None) if isinstance(name, str) else None
    _checked(cls is not None and isinstance(cls, type) and is_dataclass(cls)
             and isinstance(value["f"], dict), "record")
    decoded = cls(**{field: decode_record(v) for field, v in value["f"].items()})
    check_record(decoded)
    return decoded


# Per model class, each field's name and a test of its annotation, made once: a warm run decodes
# some 90,000 records, and reading the annotations again for each was a sixth of it.
_FIELD_CHECKS: Dict[type, List[Tuple[str, Callable[[Any], bool]]]] = {}
_CHECKS: Dict[Any, Callable[[Any], bool]] = {}


def check_record(record: Any) -> None:
    """Raise ``WrongShape`` unless every field of the model dataclass ``record`` holds what
    its annotation says (nested records are checked when they are decoded)."""
    cls = type(record)
    checks = _FIELD_CHECKS.get(cls)
    if checks is None:
        import typing

        hints = typing.get_type_hints(cls)
        checks = _FIELD_CHECKS[cls] = [(item.name, _check_of(hints[item.name]))
                                       for item in fields(record)]
    for name, fits in checks:
        _checked(fits(getattr(record, name)), f"{cls.__name__}.{name}")


def _fits(value: Any, hint: Any) -> bool:
    return _check_of(hint)(value)


def _check_of(hint: Any) -> Callable[[Any], bool]:
    """A test of whether a value is what the annotation ``hint`` says, made once per hint."""
    try:
        found = _CHECKS.get(hint)
    except TypeError:  # an annotation that cannot be a key: made every time
        return _make_check(hint)
    if found is None:
        found = _CHECKS[hint] = _make_check(hint)
    return found


def _make_check(hint: Any) -> Callable[[Any], bool]:
    import typing

    if hint is Any:
        return lambda value: True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        options = [_check_of(arg) for arg in args]
        return lambda value: any(fits(value) for fits in options)
    if origin in (list, set, frozenset, tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            items = [_check_of(arg) for arg in args]
            return lambda value: (isinstance(value, tuple) and len(items) == len(value)
                                  and all(fits(v) for fits, v in zip(items, value)))
        if not args:
            return lambda value: isinstance(value, origin)
        item = _check_of(args[0])
        return lambda value: isinstance(value, origin) and all(item(v) for v in value)
    if origin is dict:
        if not args:
            return lambda value: isinstance(value, dict)
        key, item = _check_of(args[0]), _check_of(args[1])
        return lambda value: isinstance(value, dict) and all(
            key(k) and item(v) for k, v in value.items())
    if hint is type(None):
        return lambda value: value is None
    if hint is float:
        return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return _is_int
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return lambda value: True  # an annotation this check does not know: as before, trusted


def decode_records(value: Any, cls_name: str) -> List[Any]:
    """A list of ``lambdalint.model.<cls_name>`` records, or ``WrongShape``."""
    from lambdalint import model

    cls = getattr(model, cls_name)
    records = decode_record(value)
    _checked(isinstance(records, list) and all(type(r) is cls for r in records), cls_name)
    return records


def encode_findings(findings: List) -> List[list]:
    return [encode_finding(f) for f in findings]


def decode_findings(items: Any) -> List:
    _checked(isinstance(items, list), "findings")
    return [decode_finding(item) for item in items]


def stats(cache: Optional[Cache]) -> Dict[str, int]:
    if cache is None:
        return {"hits": 0, "misses": 0}
    return {"hits": cache.hits, "misses": cache.misses}
