"""Human-readable output: one line a finding, its suggestion under it, a summary.

``--quiet`` leaves only the finding lines (for editors and scripts); ``--statistics`` replaces
them with a count per rule. Colour is the caller's decision (a terminal, or ``--color``).
"""

from __future__ import annotations

from collections import Counter

import click

from lambdalint.redact import mask_result

_COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def render(result, color: bool = False, quiet: bool = False, statistics: bool = False, **_) -> str:
    result = mask_result(result)  # no secret in a message or suggestion
    out = []
    style = (lambda text, **kw: click.style(text, **kw)) if color else (lambda text, **kw: text)
    if statistics:
        counts = Counter((f.rule, f.name) for f in result.findings)
        fixable = Counter(f.rule for f in result.findings if f.fixable)
        for (rule, name), count in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            mark = " [*]" if fixable[rule] else ""
            out.append(f"{count:5d}  {style(rule, bold=True)}  {name}{mark}")
    else:
        for f in result.findings:
            location = style(f"{f.path}:{f.line}:{f.column}:", bold=True)
            rule = style(f.rule, fg=_COLORS[f.severity.value], bold=True)
            out.append(f"{location} {rule} [{f.name}] {f.message}")
            if not quiet and f.suggestion:
                lines = f.suggestion.splitlines()
                out.append(f"  {style('help:', fg='green')} {lines[0]}")
                out.extend(f"        {line}" if line else "" for line in lines[1:])
    if not quiet:
        out.append(_summary(result, style))
    return "\n".join(out) + "\n" if out else ""


def _summary(result, style) -> str:
    fixed = result.fixed_count
    fixed_text = f"Fixed {_plural(fixed, 'problem')}. " if fixed else ""
    checked = f"{_plural(result.files_checked, 'file')} checked"
    if not result.findings:
        return fixed_text + style(f"All checks passed ({checked}).", fg="green")
    counts = Counter(f.severity.value for f in result.findings)
    parts = [_plural(counts[s], s) for s in ("error", "warning", "note") if counts[s]]
    text = (f"{fixed_text}Found {_plural(len(result.findings), 'problem')} ({', '.join(parts)}) "
            f"in {checked}.")
    fixable = sum(1 for f in result.findings if f.fixable)
    if fixable:
        text += f" {fixable} fixable with `lambdalint check --fix`."
    return style(text, bold=True)
