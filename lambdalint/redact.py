"""The one masking path: no secret value leaves the process, whatever rule wrote the text.

Rules quote code and configuration in their messages, suggestions and fixes (LL102 shows the
client line it hoists, LL304 the requirement it could not pin); some of those quotes hold
credentials. Rather than trusting every rule to mask what it quotes, every reporter and the
``--diff`` printer pass their text through here, so a new rule or a new field cannot leak.

What counts as a secret, and how it is shown (``AKIA****``, ``https://user:****@host``,
``password="****"``), is decided by ``secrets.find_secrets_in_text``; this module applies it
to findings. ``lambdalint.secrets`` is imported only when there is text to mask, so a clean
run does not pay for it.

File paths are not masked: they locate the finding (SARIF URIs, annotations), and a file name
is already visible to anyone who can see the tree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, List, TypeVar

from lambdalint.findings import Edit, Finding, Fix

R = TypeVar("R")


def mask_text(text: str) -> str:
    """``text`` with every secret value in it replaced by its mask; unchanged when it has none.

    Masking is idempotent (a masked text has nothing left to mask), so text that went through
    here twice reads the same.
    """
    if not text:
        return text
    from lambdalint.secrets import find_secrets_in_text

    spans = find_secrets_in_text(text)
    if not spans:
        return text
    out: List[str] = []
    position = 0
    for span in spans:
        out.append(text[position:span.start])
        out.append(span.replacement)
        position = span.end
    out.append(text[position:])
    return "".join(out)


def mask_fix(fix: Fix) -> Fix:
    """The fix as it may be shown. When an edit's text held a secret the edits are masked and
    the fix is marked ``masked``: it no longer is the real change (applying it would write
    ``****`` into the user's code), so a reporter must not offer it as applicable. ``--fix``
    itself never sees this copy and still applies the real edits to the user's own file."""
    edits = tuple(Edit(e.line, e.column, e.end_line, e.end_column, mask_text(e.text))
                  for e in fix.edits)
    description = mask_text(fix.description)
    changed = any(new.text != old.text for new, old in zip(edits, fix.edits))
    if not changed and description == fix.description:
        return fix
    return Fix(description, edits, masked=fix.masked or changed)


def mask_finding(finding: Finding) -> Finding:
    """A copy of ``finding`` whose every text (message, suggestion, fix description and edit
    texts) is masked; the finding itself when there was nothing to mask."""
    message = mask_text(finding.message)
    suggestion = mask_text(finding.suggestion)
    fix = mask_fix(finding.fix) if finding.fix is not None else None
    if message is finding.message and suggestion is finding.suggestion and fix is finding.fix:
        return finding
    return replace(finding, message=message, suggestion=suggestion, fix=fix)


def mask_findings(findings: Iterable[Finding]) -> List[Finding]:
    return [mask_finding(f) for f in findings]


def mask_result(result: R) -> R:
    """A copy of a run's result (``engine.Result``) with its findings masked, for a reporter.

    Every reporter's ``render`` starts with this call; tests/robustness/test_masking.py checks that each
    format in ``reporters.FORMATS`` does, with a secret in every text field of a finding.
    """
    findings = getattr(result, "findings", None)
    if not findings:
        return result
    masked = mask_findings(findings)
    if all(new is old for new, old in zip(masked, findings)):
        return result
    return replace(result, findings=masked)
