"""Matching paths against ``.gitignore`` files, fast: what discovery skips because git does.

A repository of many projects holds hundreds of ``.gitignore`` files, most of them copies of a
few templates; matching path by path with pathspec was most of a walk's time. A ``.gitignore``
without negations is answered by one combined regular expression, built from the patterns'
expressions as text; the tolerant pathspec spec is made only when a path needs it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Sequence

import pathspec

_PLAIN_FLAGS = re.compile("").flags


class Matcher:
    """A GitIgnoreSpec answered by one regular expression when it has no negation (then any
    matching pattern decides, and that is all git's rules come to): pathspec tries the
    patterns one by one per path, which made matching most of the walk's time.

    ``of_lines`` builds that expression from the patterns' regular expressions as text, without
    compiling each on its own (pathspec does, and that was most of the rest of the walk: some
    6,000 compiles in serverless-patterns); the spec itself is made only when a path needs it."""

    def __init__(self, spec: Optional[pathspec.GitIgnoreSpec], lines: Sequence[str] = ()) -> None:
        self._spec = spec
        self._lines = list(lines)
        self.combined: Optional["re.Pattern[str]"] = None
        if spec is None:
            return
        patterns = [p for p in spec.patterns if p.include is not None]
        if all(p.include for p in patterns) and all(
                isinstance(p.regex, re.Pattern) and isinstance(p.regex.pattern, str)
                and p.regex.flags == _PLAIN_FLAGS for p in patterns):
            self.combined = _combine([p.regex.pattern for p in patterns])

    @classmethod
    def of_lines(cls, lines: List[str]) -> Optional["Matcher"]:
        """The matcher of a .gitignore's lines; None when it has no pattern."""
        lines = [line for line in lines if line]
        if not lines:
            return None
        try:
            converted = [_regex_of(line) for line in lines]
        except (ValueError, re.error):  # a line git cannot use: the tolerant way below
            converted = None
        if converted is not None and all(include is not False for _, include in converted) \
                and all(isinstance(regex, str) for regex, include in converted if include):
            matcher = cls(None, lines)
            matcher.combined = _combine([regex for regex, include in converted if include])
            if matcher.combined is not None:
                return matcher
        spec = _tolerant_spec(lines)
        return cls(spec) if spec.patterns else None

    @property
    def spec(self) -> pathspec.GitIgnoreSpec:
        if self._spec is None:
            self._spec = _tolerant_spec(self._lines)
        return self._spec

    def check(self, path: str) -> Optional[bool]:
        """True: ignored, False: re-included by a negation, None: no pattern says."""
        if self.combined is not None and not path.startswith(("/", "./")):
            return True if self.combined.search(path) is not None else None
        return self.spec.check_file(path).include


def _combine(regexes: List[str]) -> Optional["re.Pattern[str]"]:
    """One expression matching where any of ``regexes`` does; None when it does not compile
    (a global inline flag in a part, say: pathspec then answers pattern by pattern)."""
    parts = []
    for index, regex in enumerate(regexes):
        # Group names must be unique across the alternation; none is read back.
        parts.append("(?:%s)" % re.sub(r"\(\?P<(\w+)>", r"(?P<\g<1>_%d>" % index, regex))
    try:
        return re.compile("|".join(parts)) if parts else re.compile(r"(?!)")
    except re.error:
        return None


def _pattern_class() -> Any:
    """The pattern class ``GitIgnoreSpec.from_lines`` makes its patterns with."""
    try:  # pathspec 1.x
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

        return GitIgnoreSpecPattern
    except ImportError:  # pragma: no cover - pathspec 0.12
        from pathspec.patterns.gitwildmatch import GitWildMatchPattern

        return GitWildMatchPattern


_PATTERN = _pattern_class()
# A pattern's regular expression as text, by line: the same lines (node_modules, *.pyc, .aws-sam)
# recur in most .gitignore files of a repository.
_regex_of = lru_cache(maxsize=4096)(_PATTERN.pattern_to_regex)


def gitignore_spec(directory: Path, seen: Any = None) -> Optional[Matcher]:
    """The matcher of ``directory``'s .gitignore (None without one); ``seen`` (discovery's
    record of what a walk looked at) is told the file was looked at."""
    if seen is not None:
        seen.file(str(directory / ".gitignore"))
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return matcher_of(text)


@lru_cache(maxsize=1024)
def matcher_of(text: str) -> Optional[Matcher]:
    """A .gitignore's matcher, compiled once per distinct text: a repository of many projects
    holds hundreds of copies of a few templates (serverless-patterns: 417 files), and pathspec's
    compiling was half of the walk. A matcher holds no state, so copies can share it."""
    return Matcher.of_lines(text.splitlines())


def _tolerant_spec(lines: List[str]) -> pathspec.GitIgnoreSpec:
    """A .gitignore's patterns as git reads them: a line git cannot use (``!`` alone, a
    trailing backslash, a range like ``[z-a]``) matches nothing; it does not end the run."""
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):  # GitIgnorePatternError is a ValueError
        pass
    return pathspec.GitIgnoreSpec.from_lines([line for line in lines if pattern_problem(line) is None])


def pattern_problem(pattern: str) -> Optional[str]:
    """Why a gitignore-style pattern cannot be used, or None when it can."""
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except re.error as exc:  # the regular expression pathspec made of it
        return f"not a valid gitignore pattern ({exc.msg})"
    except ValueError:
        return "not a valid gitignore pattern"
    return None
