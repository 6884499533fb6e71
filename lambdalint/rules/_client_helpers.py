"""LL102 through the project's own modules: a per-invocation call of a local function that
creates a client each time it runs (``db.get_conn()`` whose body calls ``psycopg2.connect``).

What each local function makes is worked out once per run by ``analysis.local_calls`` and given
to the rule as ``PythonContext.client_sites``; this mixin matches the file's calls against it,
keeps the rule's own reasons for silence at the call site (a global or a cached factory holding
the result, a call in an ``except``, arguments from the event), and words the finding. There is
never a fix: the client is made in another file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

import libcst as cst

from lambdalint.rules._client_index import Candidate
from lambdalint.analysis.client_kinds import SDK

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.analysis.local_calls import ClientSite


class HelperCalls:
    """The local-helper half of ``ClientPerInvocation`` (a mixin: it uses the rule's indexes)."""

    def _site(self, names) -> Optional["ClientSite"]:
        sites: Dict[str, "ClientSite"] = self.sites
        for name in sorted(names):
            if name in sites:
                return sites[name]
        return None

    def _helper_candidate(self, call: cst.Call, site: "ClientSite",
                          function: cst.FunctionDef) -> Candidate:
        kind = self.constructors.get(site.constructor, SDK)
        rng = self.position(call)
        return Candidate(call, site.callee, kind, function, (rng[0], rng[1]))

    def _helper_silent(self, candidate: Candidate, site: "ClientSite") -> bool:
        call, function = candidate.call, candidate.function
        if self._evaluated_outside(call, function) or self._in_cached_function(call):
            return True
        if self._in_except(call, function):
            return True
        index = self._index(function)
        if self._persisted(call, index):
            return True  # the handler file keeps what the helper returns
        for position, name in site.params:
            arg = self._argument(call, position, name)
            if arg is False:
                return True  # *args / **kwargs: what reaches the parameter is unknown
            if arg is not None and not self._stable(arg.value, index, set()):
                return True  # built from the event or this invocation's values
        return False

    @staticmethod
    def _argument(call: cst.Call, position: int, name: str):
        """The argument a call passes for a parameter: an ``Arg``, None when it passes none
        (the default, evaluated once), False when a ``*``/``**`` argument may hold it."""
        if any(arg.star for arg in call.args):
            return False
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        positional = [arg for arg in call.args if arg.keyword is None]
        return positional[position] if 0 <= position < len(positional) else None

    def _report_helper(self, candidate: Candidate, site: "ClientSite") -> None:
        call = candidate.call
        chain = site.helper.split(" -> ")
        through = f" (through {site.helper})" if len(chain) > 1 else ""
        message = (f"{self._describe(call)} creates {site.constructor}(...) at "
                   f"{site.path}:{site.line}{through} on every call, and it runs on every "
                   f"invocation {self._where(candidate.function)}")
        helper = chain[0]
        suggestion = (
            f"Create the client once per execution environment in {site.path}: at its module "
            f"scope, or on first use in {helper} (a module-level variable set while it is still "
            f"None, or `@functools.lru_cache` on {helper}), and keep calling it here. Or call "
            f"it once at module scope of this file and reuse what it returns.")
        kind = candidate.kind
        if kind.closable and (isinstance(self.parent(call), cst.WithItem) or
                              self._closed_here(call, self._index(candidate.function))):
            suggestion += (" This invocation also closes the connection it gets: keep one per "
                           "execution environment instead, opened again when the database "
                           "dropped it, with RDS Proxy in front when many invocations run at "
                           "once.")
        elif kind.closable and not kind.movable:
            suggestion += (" Check that the connection is still open at the start of an "
                           "invocation and reconnect if not.")
        suggestion += "\n\nNo automatic fix: the client is created in another module."
        self.report(call, message, suggestion, None)
