"""Which findings a run keeps: the rules selected, one finding per problem, what the user silenced.

The engine's filter stage. What is special about a rule comes from its META, never from its id
here: ``yields_to`` (a rule that says the same problem better at the same position wins, as
LL204 does over LL101 for a secret in a CDK app's ``environment=``) and
``blanket_suppressible`` (a file that does not parse is silenced only by a comment naming LL001:
a bare ``# noqa`` that happens to sit on the broken line is not the user deciding about it).
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from lambdalint import registry, suppressions
from lambdalint.config import Config
from lambdalint.findings import Finding

TextOf = Callable[[str], Optional[str]]
Position = Tuple[str, str, int, int]  # (rule, path, line, column)


class Texts:
    """The text a finding's suppression comments are read from, decoded once per file; a file
    that ``--fix`` rewrote answers with its new text."""

    def __init__(self, python_data: Dict[str, bytes], displayed: Dict[str, Path]) -> None:
        self.python_data = python_data  # display path -> the bytes the code rules read
        self.displayed = displayed  # display path -> where the file is, for any file given
        self.known: Dict[str, str] = {}

    def set(self, path: str, text: str) -> None:
        self.known[path] = text

    def of(self, path: str) -> Optional[str]:
        if path in self.known:
            return self.known[path]
        text = None
        if path in self.python_data:
            # Imported here: sources.python imports LibCST, which a run without findings
            # in Python files (a pre-commit run served from the cache) never needs.
            from lambdalint.sources.python import PythonReadError, decode

            try:
                text = decode(self.python_data[path])[0]
            except PythonReadError:
                text = None
        if text is None and path in self.displayed:
            try:
                text = self.displayed[path].read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        if text is not None:
            self.known[path] = text
        return text


def per_file_ignored(config: Config, finding: Finding) -> bool:
    """Patterns are relative to the configuration's directory, like every other path in it."""
    if not config.per_file_ignores:
        return False
    absolute = Path(finding.path).resolve()
    candidates = {finding.path}
    if config.root is not None:
        try:
            candidates.add(absolute.relative_to(config.root).as_posix())
        except ValueError:
            pass
    for pattern, selectors in config.per_file_ignores.items():
        if any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, "*/" + pattern) for c in candidates):
            if any(finding.rule in registry.ids(registry.match(s)) for s in selectors):
                return True
    return False


class Filter:
    """The selection, per-file ignores, dedupe and inline suppressions of one run; applied to
    the findings of the run and again to those of a file ``--fix`` rewrote."""

    def __init__(self, config: Config, enabled_ids: Iterable[str]) -> None:
        self.config = config
        self.enabled_ids: FrozenSet[str] = frozenset(enabled_ids)
        metas = {rule_id: registry.get(rule_id).meta for rule_id in self.enabled_ids}
        self.yields_to = {rule_id: meta.yields_to for rule_id, meta in metas.items()
                          if meta.yields_to}
        self.named_only = {rule_id for rule_id, meta in metas.items()
                           if not meta.blanket_suppressible}

    def _winners(self, findings: List[Finding]) -> Set[Position]:
        """Where a finding of a rule that another yields to sits."""
        wanted = {rule for rules in self.yields_to.values() for rule in rules}
        return {(f.rule, f.path, f.line, f.column) for f in findings if f.rule in wanted}

    def _yields(self, finding: Finding, winners: Set[Position]) -> bool:
        return any((rule, finding.path, finding.line, finding.column) in winners
                   for rule in self.yields_to.get(finding.rule, ()))

    def keep(self, findings: List[Finding], text_of: TextOf) -> List[Finding]:
        parsed: Dict[str, suppressions.FileSuppressions] = {}
        kept: List[Finding] = []
        seen: Set[Finding] = set()
        winners = self._winners(findings) if self.yields_to else set()
        for finding in findings:
            if finding.rule not in self.enabled_ids or finding in seen:
                continue
            if winners and self._yields(finding, winners):
                continue
            seen.add(finding)
            if per_file_ignored(self.config, finding):
                continue
            if finding.path not in parsed:
                parsed[finding.path] = suppressions.parse(text_of(finding.path) or "")
            marks = parsed[finding.path]
            if finding.rule in self.named_only:
                if marks.names(finding.rule, finding.line):
                    continue
            elif marks.suppresses(finding.rule, finding.line, [finding.end_line]):
                continue
            kept.append(finding)
        return kept


def unknown_code_notes(findings: List[Finding], python_data: Dict[str, bytes],
                       config_paths: List[str], text_of: TextOf) -> List[str]:
    """A note for each rule code in a suppression comment that names no rule (``# noqa:
    LL012``): every Python file read (its bytes are at hand), and the deployment configs
    given that have findings (the only ones whose comments can matter)."""
    with_findings = {f.path for f in findings}
    notes: List[str] = []
    for path in list(python_data) + [p for p in config_paths if p in with_findings]:
        if path in python_data:
            data = python_data[path]
            lowered = data.lower()
            if b"noqa" not in lowered and b"lambdalint" not in lowered:
                continue
            text = data.decode("utf-8", errors="replace")  # comments: the lines are the same
        else:
            text = text_of(path) or ""
        notes.extend(suppressions.unknown_code_notes(path, text))
    return notes
