"""GitHub Actions workflow commands, which the runner turns into annotations on the diff.

GitHub shows at most 10 annotations of each level per step; past that the most severe go first
and one closing notice says how many more there are.

Everything printed here lands in a workflow log, which the runner reads for commands: a line
that starts with ``::`` (after leading blanks) is a command, and so is ``##[...]`` anywhere in
a line (the legacy syntax). File names, messages and suggestions come from the checked
repository, so every field is escaped, the plain log lines of the overflow included: no field
can end a line, and no line starts with ``::`` unless it is one of ours. Texts are masked
(``redact``) before they are escaped.
"""

from __future__ import annotations

from collections import Counter

from lambdalint.redact import mask_result

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
PER_LEVEL = 10

# Every character ``str.splitlines`` breaks on; the runner breaks on \r and \n, the others
# would still break the line in a viewer or a script that reads the log.
_LINE_BREAKS = {"\x0b": "%0B", "\x0c": "%0C", "\x1c": "%1C", "\x1d": "%1D", "\x1e": "%1E",
                "\x85": "%C2%85", "\u2028": "%E2%80%A8", "\u2029": "%E2%80%A9"}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF as the runner decodes them; the other line breaks
    percent-encoded (shown as is), and ``##[`` broken so the legacy parser sees no command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if not text.isprintable():
        for char, code in _LINE_BREAKS.items():
            text = text.replace(char, code)
    return text.replace("##[", "##%5B")


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


def log_line(f) -> str:
    """A finding past GitHub's limit, as a plain log line: ``path:line:col: rule [name] message``
    with the path escaped as a property (so a name such as ``::stop-commands::x`` cannot start
    a command) and the message as data (so it cannot start a new line)."""
    return (f"{escape_property(f.path)}:{f.line}:{f.column}: {f.rule} [{f.name}] "
            f"{escape_data(f.message)}")


def render(result, **_) -> str:
    result = mask_result(result)
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
            lines.append(log_line(f))
    if hidden:
        lines.append("::notice title=lambdalint::" + escape_data(
            f"{hidden} more finding{'s' if hidden != 1 else ''} not shown as annotations "
            f"(GitHub shows {PER_LEVEL} per level); see the log above or upload SARIF."))
    total = len(result.findings)
    files = result.files_checked
    lines.append(f"lambdalint: {total} finding{'s' if total != 1 else ''} in "
                 f"{files} file{'s' if files != 1 else ''} checked.")
    return "\n".join(lines) + "\n"
