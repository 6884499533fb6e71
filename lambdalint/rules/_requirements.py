"""What the package rules (LL301, LL302, LL303, LL304) share: functions grouped by the package
they ship, their requirements, suppression comments in requirement files, and the LL001 notes of
what was not read.

Functions that ship the same package (one Serverless service zip, two SAM functions on one
CodeUri) get one finding, at the first of them, naming the others. What was not read (a code path
or ``-r`` include outside the checked tree, an oversized requirements file) is an LL001 note
(``lambdalint.confine.note``) yielded by LL301, LL302 and LL304 alike; the engine keeps one of the
identical findings, so it shows once whichever is on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import confine, suppressions
from lambdalint.discovery import display_path
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, Project
from lambdalint.packages import ship
from lambdalint.packages.requirements import MAX_BYTES as MAX_REQUIREMENTS_BYTES
from lambdalint.packages.requirements import NotRead, Requirement, Requirements
from lambdalint.rules.base import ConfigRule


def grouped(project: Project) -> List[Tuple[tuple, List[Function]]]:
    """(package key, functions shipping that package, first in file order) for every package."""
    groups: Dict[tuple, List[Function]] = {}
    for function in project.functions:
        groups.setdefault(ship.package_key(function), []).append(function)
    return [(key, sorted(fs, key=lambda f: (f.path, f.line))) for key, fs in groups.items()]


class FileSuppressions:
    """Suppression comments of the requirement files: the engine reads only discovered files."""

    def __init__(self) -> None:
        self._parsed: Dict[Path, suppressions.FileSuppressions] = {}

    def __call__(self, path: Path, rule_id: str, line: int) -> bool:
        if path not in self._parsed:
            try:
                text = confine.read_text(path, MAX_REQUIREMENTS_BYTES)
            except OSError:
                text = ""
            self._parsed[path] = suppressions.parse(text)
        return self._parsed[path].suppresses(rule_id, line)


def requirement_finding(rule: ConfigRule, function: Function, req: Requirement, message: str,
                        suggestion: str, severity: Optional[Severity] = None) -> Optional[Finding]:
    """A finding of ``rule`` on the requirement's own line."""
    return rule.finding(function, display_path(req.path), req.line, req.column, message,
                        suggestion, req.line, req.end_column, severity)


def requirements_by_function(project: Project) -> List[Tuple[Function, Requirements]]:
    """Each function (in file order) with the requirements its build installs, where it has any."""
    out = []
    for function in sorted(project.functions, key=lambda f: (f.path, f.line)):
        reqs = ship.requirements_for(project, function)
        if reqs.items:
            out.append((function, reqs))
    return out


def not_read_notes(project: Project) -> Iterator[Finding]:
    """LL001 notes for every path a package or its requirements named but lambdalint did not
    read (outside the checked tree, too large, not a regular file)."""
    tree = ship.tree_of(project)
    found: List[NotRead] = []
    for function in sorted(project.functions, key=lambda f: (f.path, f.line)):
        found += ship.outside_notes(function, tree)
        found += ship.requirements_for(project, function).not_read
    seen: Set[Tuple[str, int, str]] = set()
    for item in found:
        key = (str(item.path), item.line, item.message)
        if key not in seen:
            seen.add(key)
            yield confine.note(display_path(item.path), item.line, item.column, item.message)
