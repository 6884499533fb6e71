"""LL102's message and suggestion: where the client is created, how the handler reaches it,
and the module-scope code to write instead.

A mixin of the rule: it reads the rule's indexes, positions and the fix's verdicts.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional

import libcst as cst

from lambdalint.findings import Fix
from lambdalint.rules._client_index import (Candidate, FunctionIndex, chain_args, chain_calls,
                                            default_name)
from lambdalint.analysis.client_kinds import SESSION_METHODS, reconnect_test


class ClientWording:
    """The message half of ``ClientPerInvocation``."""

    def _code(self, node: cst.CSTNode) -> str:
        return self.ctx.file.module.code_for_node(node)

    def _describe(self, call: cst.Call) -> str:
        func = self._code(call.func)
        func = re.sub(r"\s+", "", func) if "\n" in func else func
        if not call.args:
            return f"{func}()"
        first = self._code(call.args[0]).strip().rstrip(",").strip()
        if len(first) > 40 or "\n" in first:
            return f"{func}(...)"
        return f"{func}({first}{', ...' if len(call.args) > 1 else ''})"

    def _where(self, function: cst.FunctionDef) -> str:
        name = function.name.value
        owner = self._owner_class(function)
        handlers = self.ctx.handlers.handlers
        if function in handlers:
            return f"of {name}"
        path = self._call_paths().get(name, []) if owner is None else []
        if path and self._top_level_function(path[-1]) is not function:
            path = []
        if len(path) == 2:
            return f"of {path[0]} (in {name}, which it calls)"
        if path:
            shown = path if len(path) <= 5 else path[:2] + ["..."] + path[-2:]
            return f"of {path[0]} (in {name}: {' -> '.join(shown)})"
        qualified = f"{owner}.{name}" if owner else name
        entry = [h.name.value for h in handlers] + list(getattr(self.ctx.handlers, "entry_points", []))
        if entry:
            return f"of {entry[0]} (in {qualified}, which it reaches)"
        return f"(in {qualified})"

    def _top_level_function(self, name: str) -> Optional[cst.FunctionDef]:
        return self.module_index.functions.get(name)

    def _call_paths(self) -> Dict[str, List[str]]:
        """Function name -> the shortest chain of direct calls from a handler that reaches it."""
        if self._paths is None:
            functions = self.module_index.functions
            calls = {name: self._calls.get(id(func), set()) & functions.keys()
                     for name, func in functions.items()}
            paths: Dict[str, List[str]] = {}
            for handler in self.ctx.handlers.handlers:
                start = handler.name.value
                if functions.get(start) is not handler:
                    continue
                queue = [[start]]
                seen = {start}
                while queue:
                    path = queue.pop(0)
                    paths.setdefault(path[-1], path)
                    for callee in sorted(calls.get(path[-1], ())):
                        if callee not in seen:
                            seen.add(callee)
                            queue.append(path + [callee])
            self._paths = paths
        return self._paths

    def _owner_class(self, function: cst.FunctionDef) -> Optional[str]:
        block = self.parent(function)
        owner = self.parent(block) if block is not None else None
        return owner.name.value if isinstance(owner, cst.ClassDef) else None

    def _report(self, candidate: Candidate, fix: Optional[Fix]) -> None:
        call, kind = candidate.call, candidate.kind
        description = self._describe(call)
        message = f"{description} is created on every invocation {self._where(candidate.function)}"
        code = self._module_code(candidate)
        if kind.session == "aio":
            lead = ("Create the session once at module scope and reuse it; the clients it makes "
                    "(`async with session.client(...)`) belong to the invocation's event loop and "
                    "stay in the function:")
        elif kind.session and "\n" in code:
            lead = ("Create the session, and the clients made from it, once at module scope and "
                    "reuse them in every invocation:")
        else:
            lead = "Create it once at module scope and reuse it in every invocation:"
        notes = []
        if isinstance(self.parent(call), cst.WithItem) or self._in_with_item(call):
            notes.append("use the module-level one without `with`, which closes it at the end of "
                         "every invocation")
        if kind.closable and not kind.movable:
            notes.append("check that the connection is still open at the start of an invocation "
                         "and reconnect if not; or close it in this function (`with` or `finally`) "
                         "if you want one connection per invocation on purpose")
        if kind.loop_bound:
            notes.append("the module keeps one event loop, so the client can live as long")
        if self._in_loop(call, candidate.function):
            notes.append("here it is even created once per loop iteration")
        suggestion = lead + "\n\n" + "\n".join("    " + line for line in code.splitlines())
        if notes:
            suggestion += "\n\n" + "; ".join(notes).capitalize() + "."
        reason = self.no_fix.get(id(call))
        if fix is None and kind.movable and reason:
            suggestion += f"\n\nNo automatic fix: {reason}."
        self.report(call, message, suggestion, fix)

    def _report_reopened(self, candidate: Candidate) -> None:
        """A connection opened and closed in one invocation: keep one per execution environment,
        made on first use and made again when the database dropped it."""
        call = candidate.call
        code = self._inlined(call, self._index(candidate.function))
        lost = reconnect_test(candidate.qualified)
        test = "_connection is None" + (f" or {lost}" if lost else "")
        body = [
            "_connection = None",
            "",
            "",
            "def connection():",
            '    """One connection per execution environment, opened again when lost."""',
            "    global _connection",
            f"    if {test}:",
            f"        _connection = {code}",
            "    return _connection",
        ]
        what = "a connection" if candidate.kind.label == "extra" else "a database connection"
        message = (f"{self._describe(call)} opens {what} on every invocation "
                   f"{self._where(candidate.function)} and closes it again: each invocation pays "
                   "the TCP, TLS and login handshake")
        suggestion = ("Keep one connection per execution environment at module scope, opened on "
                      "first use, and call `connection()` where the code opens it now (without "
                      "`with` or `close()`):\n\n" + "\n".join(
                          ("    " + line) if line else "" for line in body))
        if lost is None:
            suggestion += ("\n\nAdd your driver's test for a dropped connection to the `if` "
                           "(the database closes idle connections).")
        suggestion += ("\n\nWith many concurrent invocations, put RDS Proxy (or your database's "
                       "pooler) in front so that the open connections stay within its limit."
                       "\n\nNo automatic fix: the function closes the connection itself, and "
                       "keeping it open changes when its transactions end.")
        self.report(call, message, suggestion, None)

    def _in_with_item(self, call: cst.Call) -> bool:
        node = self.parent(call)
        while isinstance(node, (cst.Arg, cst.Call, cst.Attribute)):
            node = self.parent(node)
        return isinstance(node, cst.WithItem)

    def _in_loop(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        node = self.parent(call)
        while node is not None and node is not function:
            if isinstance(node, (cst.For, cst.While, cst.CompFor)):
                return True
            node = self.parent(node)
        return False

    def _module_code(self, candidate: Candidate) -> str:
        """The exact lines to put at module scope, for the suggestion."""
        call = candidate.call
        index = self._index(candidate.function)
        assignment = self._assignment(call)
        value: cst.BaseExpression = call
        name = None
        if isinstance(assignment, (cst.Assign, cst.AnnAssign)):
            target = assignment.targets[0].target if isinstance(assignment, cst.Assign) else assignment.target
            chain = chain_calls(assignment.value) if isinstance(assignment.value, cst.Call) else []
            if isinstance(target, cst.Name) and any(c is call for c in chain):
                name = target.value
                value = assignment.value
        else:
            parent = self.parent(call)
            if isinstance(parent, cst.WithItem) and parent.asname is not None \
                    and isinstance(parent.asname.name, cst.Name):
                name = parent.asname.name.value
            elif isinstance(parent, cst.Attribute) and parent.value is call:
                # region = boto3.session.Session().region_name: the whole line can move.
                outer = self.parent(parent)
                if (isinstance(outer, cst.Assign) and outer.value is parent
                        and len(outer.targets) == 1 and isinstance(outer.targets[0].target, cst.Name)):
                    return self._code(outer).strip()
        lines = [f"{name or default_name(call, candidate.kind)} = {self._inlined(value, index)}"]
        if candidate.kind.session == "sync" and name:
            for dependent in self._dependents(name, candidate.function):
                if all(self._stable(a.value, index, set())
                       for a in chain_args(dependent.body[0].value)):
                    lines.append(self._code(dependent.body[0]).strip())
        return "\n".join(lines)

    def _inlined(self, call: cst.Call, index: FunctionIndex) -> str:
        """The call's code with stable local arguments replaced by what they hold."""
        args = []
        changed = False
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Name) and value.value in index.values:
                values = index.values[value.value]
                if len(values) == 1 and values[0] is not None and self._stable(values[0], index, set()):
                    arg = arg.with_changes(value=values[0])
                    changed = True
            args.append(arg)
        code = self._code(call.with_changes(args=args) if changed else call)
        return code.strip()

    def _dependents(self, session_name: str, function: cst.FunctionDef) -> List[cst.SimpleStatementLine]:
        """Statements ``x = session.client(...)`` directly in ``function``'s body."""
        found = []
        body = function.body
        if not isinstance(body, cst.IndentedBlock):
            return found
        for stmt in body.body:
            if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
                continue
            small = stmt.body[0]
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)):
                continue
            value = small.value
            if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value in SESSION_METHODS
                    and isinstance(value.func.value, cst.Name)
                    and value.func.value.value == session_name):
                found.append(stmt)
        return found
