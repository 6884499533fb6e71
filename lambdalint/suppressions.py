"""Inline suppressions, read from the comments of the file a finding points into.

``# lambdalint: ignore[LL102]`` or ``# noqa: LL102`` at the end of the reported line silences that
finding; ``# lambdalint: ignore`` (or a bare ``# noqa``) silences every rule on the line;
``# lambdalint: ignore-file[LL101]`` in the first lines silences a rule for the whole file.
The same comments work in YAML and HCL files, whose comments also start with ``#``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from lambdalint import registry

ALL = "*"
FILE_HEADER_LINES = 30

_LINE = re.compile(
    r"#\s*(?:lambdalint:\s*ignore(?![\w-])(?:\[(?P<ll>[^\]]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Za-z0-9_\-]+(?:[\s,]+[A-Za-z0-9_\-]+)*)|(?![\w-])))",
    re.IGNORECASE,
)
_FILE = re.compile(r"#\s*lambdalint:\s*ignore-file(?![\w-])(?:\[(?P<rules>[^\]]*)\])?",
                   re.IGNORECASE)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OURS = re.compile(r"LL[0-9]", re.IGNORECASE)  # a code of ours in a "# noqa:" list


def _rule_ids(spec: Optional[str], allow_all: bool = True,
              unknown: Optional[List[str]] = None) -> FrozenSet[str]:
    """The rule ids a comment names. ``unknown`` collects the codes that name no rule: in
    ``# noqa:`` (``allow_all`` False) only those shaped like ours (``LL`` and a digit), since
    the other codes there belong to other tools (E501, F401) or are words of an explanation;
    in ``# lambdalint: ignore[...]`` every one."""
    if spec is None or not spec.strip():
        return frozenset({ALL})
    ids: Set[str] = set()
    for part in re.split(r"[\s,]+", spec.strip()):
        if not part or (not allow_all and part.upper() == "ALL"):
            continue
        rules = registry.match(part)
        if not rules and unknown is not None and (allow_all or _OURS.match(part)):
            if not (allow_all and part.upper() == "ALL"):
                unknown.append(part)
        for rule in rules:
            ids.add(rule.id)
    return frozenset(ids)


@dataclass
class FileSuppressions:
    by_line: Dict[int, FrozenSet[str]] = field(default_factory=dict)
    whole_file: FrozenSet[str] = frozenset()
    # (line, code) of every code that names no rule: a typo such as LL012 silences nothing,
    # and the user who wrote it believes otherwise (see ``unknown_code_notes``).
    unknown: List[Tuple[int, str]] = field(default_factory=list)

    def suppresses(self, rule_id: str, line: int, extra_lines: List[int] = ()) -> bool:
        if ALL in self.whole_file or rule_id in self.whole_file:
            return True
        for candidate in (line, *extra_lines):
            rules = self.by_line.get(candidate)
            if rules and (ALL in rules or rule_id in rules):
                return True
        return False

    def names(self, rule_id: str, line: int) -> bool:
        """Whether a comment names ``rule_id`` for ``line`` or for the whole file: for rules
        a blanket ``# noqa`` must not silence (their META says ``blanket_suppressible``)."""
        return rule_id in self.whole_file or rule_id in self.by_line.get(line, ())


def parse(text: str) -> FileSuppressions:
    result = FileSuppressions()
    whole: Set[str] = set()
    lowered = text.lower()
    if "lambdalint" not in lowered and "noqa" not in lowered:
        return result
    # Only the line breaks that parsers count: str.splitlines() also splits at form feeds and
    # other characters that would shift every line number after them.
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if "#" not in line:
            continue
        unknown: List[str] = []
        match = _FILE.search(line)
        if match and number <= FILE_HEADER_LINES:
            whole |= _rule_ids(match.group("rules"), unknown=unknown)
            result.unknown.extend((number, code) for code in unknown)
            continue
        rules: Set[str] = set()
        for match in _LINE.finditer(line):  # "# noqa: E501  # lambdalint: ignore[LL102]"
            if match.group("ll") is not None or match.group("noqa") is None:
                rules |= _rule_ids(match.group("ll"), unknown=unknown)
            else:
                rules |= _rule_ids(match.group("noqa"), allow_all=False, unknown=unknown)
        result.unknown.extend((number, code) for code in unknown)
        if rules:
            result.by_line[number] = frozenset(rules)
    result.whole_file = frozenset(whole)
    return result


def unknown_code_notes(path: str, text: str) -> List[str]:
    """One line per rule code in ``text``'s suppression comments that names no rule (as Ruff's
    RUF100 says of its own): said on stderr, so that a typo is not a silent no-op."""
    lowered = text.lower()
    if "lambdalint" not in lowered and "noqa" not in lowered:
        return []
    return [f"{path}:{line}: '{code}' in a suppression comment names no lambdalint rule, so it "
            "silences nothing; `lambdalint rules` lists them"
            for line, code in parse(text).unknown]
