"""JUnit XML, which CI systems (GitLab, Jenkins, Azure Pipelines...) show as a test report.

One ``testsuite`` named lambdalint; each finding is a ``testcase`` with a ``failure`` (classname
the file, name the rule and position), as Ruff's ``--output-format junit`` does. A run without
findings is one passing testcase, so a report is never empty: several CI systems read an empty
suite as "no tests ran" rather than as a pass.

File names and messages come from the checked repository: every text is masked (``redact``),
then escaped for XML, and characters XML 1.0 cannot hold at all (NUL and the other C0 controls
but tab, CR and LF; lone surrogates; U+FFFE, U+FFFF) are written as ``\\xNN`` / ``\\uNNNN``
text: a parser rejects the whole file on a single such character, even as ``&#1;``.
"""

from __future__ import annotations

from collections import Counter
from typing import List

from lambdalint import __version__
from lambdalint.redact import mask_result

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
# In an attribute a parser turns a raw tab or line break into a space; as references they stay.
_ATTRIBUTE_ESCAPES = {**_ESCAPES, "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def _allowed(char: str) -> bool:
    """XML 1.0's Char production."""
    code = ord(char)
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _escape(text: str, table: dict) -> str:
    out: List[str] = []
    for char in text:
        if char in table:
            out.append(table[char])
        elif _allowed(char):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def escape_text(text: str) -> str:
    """Element content; ``\\r`` as a reference, since a parser turns a raw one into ``\\n``."""
    return _escape(text, {**_ESCAPES, "\r": "&#13;"})


def escape_attribute(text: str) -> str:
    return _escape(text, _ATTRIBUTE_ESCAPES)


def _testcase(f) -> str:
    where = f"{f.path}:{f.line}:{f.column}"
    body = f"{where}: {f.rule} [{f.name}] {f.message}"
    if f.suggestion:
        body += f"\n{f.suggestion}"
    return (f'    <testcase classname="{escape_attribute(f.path)}" '
            f'name="{escape_attribute(f"{f.rule} {f.name} at {f.line}:{f.column}")}" '
            f'file="{escape_attribute(f.path)}" line="{f.line}">\n'
            f'      <failure type="{f.severity.value}" message="{escape_attribute(f.message)}">'
            f"{escape_text(body)}</failure>\n"
            f"    </testcase>")


def render(result, **_) -> str:
    result = mask_result(result)
    findings = result.findings
    cases = [_testcase(f) for f in findings]
    if not cases:
        files = result.files_checked
        cases = [f'    <testcase classname="lambdalint" name="{files} file'
                 f'{"s" if files != 1 else ""} checked, no findings"/>']
    counts = Counter(f.severity.value for f in findings)
    tests = len(cases)
    failures = len(findings)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="lambdalint" tests="{tests}" failures="{failures}" errors="0">',
        f'  <testsuite name="lambdalint" tests="{tests}" failures="{failures}" errors="0" '
        f'skipped="0">',
        "    <properties>",
        f'      <property name="version" value="{escape_attribute(__version__)}"/>',
        *(f'      <property name="{level}s" value="{counts[level]}"/>'
          for level in ("error", "warning", "note")),
        "    </properties>",
        *cases,
        "  </testsuite>",
        "</testsuites>",
    ]
    return "\n".join(lines) + "\n"
