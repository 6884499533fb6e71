"""LL303 vulnerable-dependency: a pinned requirement with a published vulnerability.

Runs only when asked (``--audit`` or ``audit = true``): it is the one rule that talks to the
network. All pins of all functions go to one pip-audit run; each vulnerable pin is reported on
its line of the requirements file. When the audit cannot run (no network, service down), it says
so to the CLI (``audit.not_done``), which prints that one line and makes the run exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Optional, Set, Tuple

from lambdalint.findings import Finding
from lambdalint.model import Project
from lambdalint.packages import audit
from lambdalint.rules._requirements import (FileSuppressions, requirement_finding,
                                            requirements_by_function)
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL303",
    name="vulnerable-dependency",
    severity="error",
    summary="A pinned dependency has a published vulnerability (checked with --audit).",
    kind="config",
    options=(
        Option("service", "str", "osv",
               "vulnerability service of the audit: osv or pypi"),
        Option("osv-url", "str", "",
               "an OSV-compatible query URL (a mirror) instead of api.osv.dev"),
        Option("advisories", "path", "",
               "a file or directory of OSV records: audit offline against them"),
        Option("timeout", "int", 15,
               "seconds to wait for each answer of the service"),
    ),
    tags=("security", "external/cwe/cwe-1395"),
    security_severity="7.5",
    untrusted_options=("service", "osv-url", "advisories"),
    network="a vulnerability service",
    reports="a pinned requirement with a published advisory (only with `--audit`)",
    covers=("", "yes", "yes", "yes", "yes"),
)


def _ids(advisory: audit.Advisory) -> str:
    aliases = [a for a in advisory.aliases if a != advisory.id]
    return advisory.id + (f" ({', '.join(aliases[:3])})" if aliases else "")


class VulnerableDependency(ConfigRule):
    """A dependency pinned to a release with a published advisory."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        if not self.options.get("audit"):
            return
        service = str(self.options.get("service") or "osv")
        osv_url = str(self.options.get("osv-url") or "") or None
        advisories = str(self.options.get("advisories") or "") or None
        problem = audit.problem(service, osv_url, advisories)
        if problem is not None:
            self._say(f"audit skipped: {problem}")
            return
        found = requirements_by_function(project)
        pins: Set[Tuple[str, str]] = set()
        for _, reqs in found:
            for req in reqs.items:
                version = reqs.pinned_version(req)
                if not req.local and req.url is None and version:
                    pins.add((req.key, version))
        if not pins:
            return
        outcome = audit.run(pins, service, osv_url, int(self.options.get("timeout") or 15),
                            Path(advisories) if advisories else None)
        if outcome.error:
            self._say(outcome.error + "; LL303 was not checked")
            return
        seen: Set[Tuple[Path, int]] = set()
        suppressed = FileSuppressions()
        for function, reqs in found:
            for req in reqs.items:
                version = reqs.pinned_version(req)
                hits = outcome.found.get((req.key, version or ""))
                if not hits or (req.path, req.line) in seen or req.local or req.url is not None:
                    continue
                seen.add((req.path, req.line))
                if suppressed(req.path, self.ID, req.line):
                    continue
                yield self._report(function, req, version or "", hits)

    def _report(self, function, req, version: str, hits: List[audit.Advisory]) -> Optional[Finding]:
        hits = sorted(hits, key=lambda a: a.id)
        count = len(hits)
        listed = ", ".join(_ids(a) for a in hits[:5]) + (f" and {count - 5} more" if count > 5 else "")
        fix, unfixed = audit.first_fix(version, hits)
        if fix:
            suggestion = f"Upgrade to {req.name}=={fix}, the first release that fixes "
            suggestion += ("it" if count == 1 else "all of them" if not unfixed else "the others")
            suggestion += "; then run your tests and the audit again."
        else:
            suggestion = (f"The advisories name no fixed release of {req.name}: read them for a "
                          "workaround, or replace the package.")
        if unfixed and fix:
            suggestion += f" No fixed release is named for {', '.join(unfixed)}: read the advisory."
        summary = f": {hits[0].summary}" if count == 1 and hits[0].summary else ""
        if len(summary) > 160:
            summary = summary[:157] + "..."
        return requirement_finding(
            self, function, req,
            f"{req.name} {version} has {count} known vulnerabilit{'y' if count == 1 else 'ies'}: "
            f"{listed}{summary}",
            suggestion)

    @staticmethod
    def _say(message: str) -> None:
        # The engine has no channel for a rule's notes: the CLI takes it from there.
        audit.not_done(message)


def preflight(options: dict) -> Optional[str]:
    """Why an audit with these options cannot run here (the CLI stops before any work)."""
    return audit.problem(str(options.get("service") or "osv"), options.get("osv-url") or None,
                         options.get("advisories") or None)


Rule = VulnerableDependency
