"""Human-readable output: one line a finding, its suggestion under it, a summary."""

from __future__ import annotations

from collections import Counter

import click

_COLORS = {"error": "red", "warning": "yellow", "note": "cyan"}


def render(result, color: bool = False, quiet: bool = False, statistics: bool = False, **_) -> str:
    out = []
    style = (lambda text, **kw: click.style(text, **kw)) if color else (lambda text, **kw: text)
    for f in result.findings:
        location = style(f"{f.path}:{f.line}:{f.column}:", bold=True)
        rule = style(f.rule, fg=_COLORS[f.severity.value], bold=True)
        out.append(f"{location} {rule} [{f.name}] {f.message}")
        if not quiet and f.suggestion:
            lines = f.suggestion.splitlines()
            out.append(f"  {style('help:', fg='green')} {lines[0]}")
            out.extend(f"        {line}" if line else "" for line in lines[1:])
    if statistics and result.findings:
        counts = Counter((f.rule, f.name) for f in result.findings)
        fixable = Counter(f.rule for f in result.findings if f.fixable)
        if out:
            out.append("")
        for (rule, name), count in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            mark = " [*]" if fixable[rule] else ""
            out.append(f"{count:5d}  {rule}  {name}{mark}")
    out.append(_summary(result, style))
    return "\n".join(out) + "\n"


def _summary(result, style) -> str:
    fixed = result.fixed_count
    fixed_text = f"Fixed {fixed} problem{'s' if fixed != 1 else ''}. " if fixed else ""
    if not result.findings:
        return fixed_text + style(f"All checks passed ({result.files_checked} files checked).", fg="green")
    counts = Counter(f.severity.value for f in result.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if counts[s]]
    total = len(result.findings)
    text = (f"{fixed_text}Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) "
            f"in {result.files_checked} files checked.")
    fixable = sum(1 for f in result.findings if f.fixable)
    if fixable:
        text += f" {fixable} fixable with `lambdalint check --fix`."
    return style(text, bold=True)
