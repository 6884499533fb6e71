"""GitHub Actions workflow commands, which the runner turns into annotations on the diff.

GitHub shows at most 10 annotations of each level per step; past that the most severe go first
and one closing notice says how many more there are.
"""

from __future__ import annotations

from collections import Counter

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f) -> str:
    level = LEVELS[f.severity.value]
    props = ",".join([
        f"file={escape_property(f.path)}",
        f"line={f.line}",
        f"col={f.column}",
        f"endLine={f.end_line}",
        f"endColumn={f.end_column}",
        f"title={escape_property(f'{f.rule} {f.name}')}",
    ])
    body = f.message + (f"\n{f.suggestion}" if f.suggestion else "")
    return f"::{level} {props}::{escape_data(body)}"


def render(result, **_) -> str:
    ordered = sorted(result.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    shown = Counter()
    lines = []
    hidden = 0
    overflow = any(c > PER_LEVEL for c in Counter(f.severity.value for f in ordered).values())
    for f in ordered:
        level = LEVELS[f.severity.value]
        # keep one notice slot free for the summary when anything overflows
        cap = PER_LEVEL - 1 if (overflow and level == "notice") else PER_LEVEL
        if shown[level] < cap:
            shown[level] += 1
            lines.append(command(f))
        else:
            hidden += 1
            lines.append(f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.name}] {f.message}")
    if hidden:
        lines.append("::notice title=lambdalint::" + escape_data(
            f"{hidden} more finding{'s' if hidden != 1 else ''} not shown as annotations "
            f"(GitHub shows {PER_LEVEL} per level); see the log above or upload SARIF."))
    total = len(result.findings)
    files = result.files_checked
    lines.append(f"lambdalint: {total} finding{'s' if total != 1 else ''} in "
                 f"{files} file{'s' if files != 1 else ''} checked.")
    return "\n".join(lines) + "\n"
