"""Known vulnerabilities of pinned dependencies: pip-audit, or an OSV file for offline runs.

pip-audit is an optional extra (``pip install 'lambdalint[audit]'``): it brings many packages,
and only runs that ask for an audit need it. It is run as a command (``python -m pip_audit``),
whose JSON output is its stable interface, once per lambdalint run over every pinned
``name==version`` of every function, with ``--no-deps --disable-pip``: pinned files need no
dependency resolution, so nothing is downloaded or installed. ``--osv-url`` needs pip-audit 2.10
or later. Without network access pip-audit fails fast; that becomes one line, not a crash.

``advisories`` (a JSON file of OSV records, a directory of them, or an OSV export zip) audits
without any service: the same OSV records a mirror would serve, matched here. Every read there
has a limit (``lambdalint.confine.read_bytes``): only regular files (``/dev/zero`` or a FIFO is
refused at once), at most ``MAX_ADVISORY_BYTES`` in all, a record file at most
``MAX_RECORD_BYTES``; a directory is walked without following symlinks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lambdalint import confine
from lambdalint.packages.sizes import canonical

SERVICES = ("osv", "pypi")
OSV_URL_MIN_VERSION = (2, 10)
INSTALL_HINT = "pip install 'lambdalint[audit]'"
MAX_ADVISORY_BYTES = 512 * 1024 * 1024  # all the records of one offline audit together
MAX_RECORD_BYTES = 16 * 1024 * 1024  # one record file of a directory or an export zip
MAX_RECORD_FILES = 500_000  # PyPI's whole OSV export is about 20,000 records


@dataclass
class Advisory:
    id: str
    aliases: List[str] = field(default_factory=list)
    fixed: List[str] = field(default_factory=list)  # versions that fix it, as published
    summary: str = ""


@dataclass
class Outcome:
    found: Dict[Tuple[str, str], List[Advisory]] = field(default_factory=dict)  # (name, version)
    error: Optional[str] = None  # one line: why the audit could not run


# Why a requested audit did not happen in this run. LL303 says it here (a rule's only channel
# to the CLI is its findings, and this is no finding); the CLI takes it after the run and exits
# 2 with it: a JSON, SARIF or GitHub report without LL303 must not pass for a clean audit.
_NOT_DONE: List[str] = []


def not_done(message: str) -> None:
    """Record that the audit asked for did not happen, and why (one line)."""
    _NOT_DONE.append(message)


def take_not_done() -> List[str]:
    """What ``not_done`` recorded since the last call (a run in-process starts with a call)."""
    taken = list(_NOT_DONE)
    _NOT_DONE.clear()
    return taken


def _pip_audit_version() -> Optional[Tuple[int, ...]]:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        text = version("pip-audit")
    except PackageNotFoundError:
        return None
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # sys.modules[name] = None blocks an import
        return False


def problem(service: str, osv_url: Optional[str], advisories: Optional[str]) -> Optional[str]:
    """Why an audit with these settings cannot run here, as the one line the CLI prints."""
    if service not in SERVICES:
        return f"audit service must be one of {', '.join(SERVICES)}, got {service!r}"
    if osv_url and service != "osv":
        return "--osv-url applies to the osv service only (--audit-service osv)"
    if advisories:
        if not _importable("packaging"):
            return f"an offline audit needs the 'packaging' library: {INSTALL_HINT}"
        return None
    if not _importable("pip_audit"):
        return f"--audit needs pip-audit, which is not installed: {INSTALL_HINT}"
    if osv_url:
        found = _pip_audit_version()
        if found is not None and found[:2] < OSV_URL_MIN_VERSION:
            shown = ".".join(str(p) for p in found)
            return (f"--osv-url needs pip-audit 2.10 or later (Python 3.10+), installed: {shown}; "
                    "upgrade it with: pip install -U pip-audit")
    return None


def run(pins: Iterable[Tuple[str, str]], service: str = "osv", osv_url: Optional[str] = None,
        timeout: int = 15, advisories: Optional[Path] = None) -> Outcome:
    """Advisories for every (name, version); the names are canonical."""
    pins = sorted({(canonical(n), v) for n, v in pins})
    if not pins:
        return Outcome()
    if advisories is not None:
        return _offline(pins, advisories)
    return _pip_audit(pins, service, osv_url, timeout)


# -- pip-audit ---------------------------------------------------------------------------------


def _reason(stderr: str) -> str:
    """The useful part of pip-audit's failure: the last error line, shortened."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    for pattern in (r"Failed to resolve '[^']+'", r"\[Errno -?\d+\] [^'\")]+", r"timed out",
                    r"Read timed out", r"\d{3} (?:Client|Server) Error[^\n]*?for url"):
        match = re.search(pattern, last)
        if match:
            return match.group(0).strip().rstrip(":")
    last = re.sub(r"^[\w.]+(Error|Exception): ", "", last)
    return last if len(last) <= 200 else last[:197] + "..."


def _pip_audit(pins: List[Tuple[str, str]], service: str, osv_url: Optional[str],
               timeout: int) -> Outcome:
    where = osv_url or ("https://api.osv.dev" if service == "osv" else "https://pypi.org")
    with tempfile.TemporaryDirectory(prefix="lambdalint-audit-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("".join(f"{name}=={version}\n" for name, version in pins),
                                encoding="utf-8")
        command = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps",
                   "--disable-pip", "--format", "json", "--progress-spinner", "off",
                   "--vulnerability-service", service, "--timeout", str(timeout)]
        if osv_url:
            command += ["--osv-url", osv_url]
        try:
            proc = subprocess.run(command, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, cwd=tmp,
                                  timeout=min(900, 60 + timeout * (len(pins) + 1)))
        except subprocess.TimeoutExpired:
            return Outcome(error=f"audit skipped: pip-audit did not answer in time ({where})")
        except OSError as exc:
            return Outcome(error=f"audit skipped: cannot run pip-audit: {exc}")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return Outcome(error=f"audit skipped: pip-audit could not query {where}: "
                             f"{_reason(proc.stderr)}")
    outcome = Outcome()
    for dep in data["dependencies"]:
        if not isinstance(dep, dict) or not dep.get("vulns"):
            continue
        key = (canonical(str(dep.get("name", ""))), str(dep.get("version", "")))
        for vuln in dep["vulns"]:
            if not isinstance(vuln, dict):
                continue
            outcome.found.setdefault(key, []).append(Advisory(
                str(vuln.get("id", "?")), [str(a) for a in vuln.get("aliases") or []],
                [str(v) for v in vuln.get("fix_versions") or []],
                " ".join(str(vuln.get("description") or "").split())))
    return outcome


# -- offline OSV records -----------------------------------------------------------------------


def _records(path: Path) -> Iterable[Any]:
    def from_data(data: Any) -> Iterable[Any]:
        if isinstance(data, dict) and isinstance(data.get("vulns"), list):
            return data["vulns"]
        if isinstance(data, list):
            return data
        return [data]

    if path.is_dir():
        total = 0
        for item in _record_files(path):
            try:
                data = confine.read_bytes(item, MAX_RECORD_BYTES)
            except OSError:
                continue  # not a regular file, too large, gone: the other records still count
            total += len(data)
            if total > MAX_ADVISORY_BYTES:
                raise confine.NotReadable(f"the records add up to over "
                                          f"{MAX_ADVISORY_BYTES // confine.MiB} MiB")
            try:
                yield from from_data(json.loads(data.decode("utf-8")))
            except ValueError:
                continue
        return
    if path.suffix.lower() == ".zip":
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise confine.NotReadable("not a regular file")
        if info.st_size > MAX_ADVISORY_BYTES:
            raise confine.NotReadable(f"{info.st_size / confine.MiB:.1f} MiB is over the "
                                      f"{MAX_ADVISORY_BYTES // confine.MiB} MiB limit")
        with zipfile.ZipFile(path) as archive:
            total = 0
            for member in archive.infolist()[:MAX_RECORD_FILES]:
                if member.filename.endswith(".json") and member.file_size < MAX_RECORD_BYTES:
                    total += member.file_size  # zipfile never inflates past the declared size
                    if total > MAX_ADVISORY_BYTES:
                        raise confine.NotReadable(f"the records add up to over "
                                                  f"{MAX_ADVISORY_BYTES // confine.MiB} MiB")
                    try:
                        yield from from_data(json.loads(archive.read(member).decode("utf-8")))
                    except ValueError:
                        continue
        return
    data = confine.read_bytes(path, MAX_ADVISORY_BYTES)
    yield from from_data(json.loads(data.decode("utf-8")))


def _record_files(directory: Path) -> Iterable[Path]:
    """The ``.json`` files under ``directory`` in a stable order, symlinks never followed (a
    link may lead anywhere, or round in a loop), at most ``MAX_RECORD_FILES``."""
    found: List[Path] = []
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            item = Path(current) / name
            if name.endswith(".json") and not item.is_symlink():
                found.append(item)
                if len(found) >= MAX_RECORD_FILES:
                    return found
    return found


def _affected(version: Any, affected: Dict[str, Any], parse) -> bool:
    versions = affected.get("versions")
    if isinstance(versions, list) and str(version) in {str(v) for v in versions}:
        return True
    for entry in affected.get("ranges") or []:
        if not isinstance(entry, dict) or entry.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        events = []
        for event in entry.get("events") or []:
            if not isinstance(event, dict) or not event:
                continue
            kind, value = next(iter(event.items()))
            parsed = parse("0") if value == "0" else parse(str(value))
            if parsed is not None:
                events.append((parsed, kind))
        events.sort(key=lambda e: e[0])
        hit = False
        for at, kind in events:
            if kind == "introduced" and version >= at:
                hit = True
            elif kind in ("fixed", "limit") and version >= at:
                hit = False
            elif kind == "last_affected" and version > at:
                hit = False
        if hit:
            return True
    return False


def _offline(pins: List[Tuple[str, str]], path: Path) -> Outcome:
    from packaging.version import InvalidVersion, Version

    def parse(text: str):
        try:
            return Version(text)
        except InvalidVersion:
            return None

    try:
        records = list(_records(path))
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        return Outcome(error=f"audit skipped: cannot read advisories {path}: {exc}")
    by_name: Dict[str, List[Tuple[Dict[str, Any], Dict[str, Any]]]] = {}
    for record in records:
        if not isinstance(record, dict) or record.get("withdrawn"):
            continue
        for affected in record.get("affected") or []:
            package = affected.get("package") if isinstance(affected, dict) else None
            if isinstance(package, dict) and package.get("ecosystem") == "PyPI":
                by_name.setdefault(canonical(str(package.get("name", ""))), []).append(
                    (record, affected))
    outcome = Outcome()
    for name, version_text in pins:
        version = parse(version_text)
        if version is None:
            continue
        for record, affected in by_name.get(name, []):
            if not _affected(version, affected, parse):
                continue
            fixed = [str(e["fixed"]) for r in affected.get("ranges") or [] if isinstance(r, dict)
                     for e in r.get("events") or [] if isinstance(e, dict) and "fixed" in e]
            outcome.found.setdefault((name, version_text), []).append(Advisory(
                str(record.get("id", "?")), [str(a) for a in record.get("aliases") or []], fixed,
                " ".join(str(record.get("summary") or record.get("details") or "").split())))
    return outcome


def first_fix(current: str, advisories: List[Advisory]) -> Tuple[Optional[str], List[str]]:
    """The lowest version that fixes every advisory (above ``current``), and the ids no
    published version fixes."""
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - pip-audit brings packaging
        return None, []

    def parse(text: str):
        try:
            return Version(text)
        except InvalidVersion:
            return None

    now = parse(current)
    needed = []
    unfixed = []
    for advisory in advisories:
        candidates = sorted(v for v in (parse(f) for f in advisory.fixed)
                            if v is not None and (now is None or v > now))
        if candidates:
            needed.append(candidates[0])
        else:
            unfixed.append(advisory.id)
    return (str(max(needed)) if needed else None), unfixed
