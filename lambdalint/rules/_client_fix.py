"""LL102's fix: move a client's creation from the handler to module scope, when that is safe.

A mixin of the rule (it reads the rule's indexes and positions). The question whether moving the
call changes what the code does is ``hoist_safety``'s; this module plans the moves (dependent
statements, names the moved code needs, one insertion point per module even when several handlers
create the same client) and writes the edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import ParentNodeProvider

from lambdalint.findings import Edit, Fix
from lambdalint.rules._client_index import Candidate, FunctionIndex, chain_args, names_in
from lambdalint.analysis.client_kinds import BUILTINS, IDENTIFIER, STABLE_CALLS
from lambdalint.rules.hoist_safety import HoistSafety
from lambdalint.sources.python import detect_newline


# -- a planned move for --fix --------------------------------------------------------------------


@dataclass
class _Move:
    name: str
    code: str  # the assignment without comments, to compare two handlers' versions
    first_line: int
    last_line: int
    text: str  # dedented lines as they go to module scope
    delete_only: bool  # the module already holds this very assignment


@dataclass
class _Plan:
    function: cst.FunctionDef
    index: int  # the function's top-level statement index: the insertion point
    moves: List[_Move]
    names: List[str]  # names the moved code reads from module scope



class ClientFix:
    """The --fix half of ``ClientPerInvocation``."""

    # -- the fix ----------------------------------------------------------------------------------

    def _plan_fixes(self, reported: Sequence[Candidate]) -> Dict[int, Fix]:
        """Fixes by id(call): move each safe creation to module scope, converging across handlers."""
        text = self.ctx.file.text
        if self.ctx.file.line_offset or self.ctx.file.column_offset:
            return {}  # inline code in a template: no fixes
        if "\r" in text.replace("\r\n", ""):
            return {}  # lone CR line breaks: lines would not match the fix engine's
        if self.module_index.star_import:
            return {}  # any name may come from the star import: nothing is provably free
        lines = split_lines(text)
        plans: Dict[int, _Plan] = {}
        for candidate in reported:
            plan = self._plan(candidate, lines)
            if plan is not None:
                plans[id(candidate.call)] = plan
        if not plans:
            return {}
        # The same name must mean the same code everywhere, or the moves would fight.
        codes: Dict[str, Set[str]] = {}
        for plan in plans.values():
            for move in plan.moves:
                codes.setdefault(move.name, set()).add(move.code)
        for key, plan in plans.items():
            clash = [m.name for m in plan.moves if len(codes[m.name]) != 1]
            if clash:
                self.no_fix[key] = f"another function makes a different `{clash[0]}`"
        plans = {k: p for k, p in plans.items() if all(len(codes[m.name]) == 1 for m in p.moves)}
        # Keep at least one statement in every function body.
        by_function: Dict[int, List[int]] = {}
        for key, plan in plans.items():
            by_function.setdefault(id(plan.function), []).append(key)
        for keys in by_function.values():
            function = plans[keys[0]].function
            total = len(function.body.body)
            removed = 0
            for key in list(keys):
                removed += len(plans[key].moves)
                if removed >= total:
                    del plans[key]
                    self.no_fix[key] = "the function would be left without a statement"
        # Identical moves from several functions go to one place: the earliest that works.
        by_text: Dict[str, List[_Plan]] = {}
        for plan in plans.values():
            if not all(m.delete_only for m in plan.moves):
                by_text.setdefault("".join(m.text for m in plan.moves), []).append(plan)
        anchor: Dict[int, int] = {}
        for group in by_text.values():
            # Same code, same names: the earliest function's place has them all defined too.
            best = min(plan.index for plan in group)
            for plan in group:
                anchor[id(plan)] = best
        newline = detect_newline(text) or "\n"
        fixes: Dict[int, Fix] = {}
        for key, plan in plans.items():
            where = anchor.get(id(plan), plan.index)
            # Module code below the new place now runs after the creation, not before it.
            start = min([where] + [min(self.module_index.bound_at[m.name])
                                   for m in plan.moves if m.delete_only])
            reason = self.safety.why_not_below(start)
            if reason:
                self.no_fix[key] = reason
                continue
            fixes[key] = self._fix(plan, where, newline, lines)
        return fixes

    def _plan(self, candidate: Candidate, lines: List[str]) -> Optional[_Plan]:
        if not candidate.kind.movable:
            return None
        function = candidate.function
        module = self.ctx.file.module
        if self.parent(function) is not module:
            return None
        position = self.module_index.index_of.get(id(function))
        if position is None or position == 0:
            return None
        index = self._index(function)
        main = self._move(candidate.call, function, index, lines, set())
        if main is None:
            self._explain_structure(candidate.call, function)
            return None
        moves = [main]
        names = self._move_names(candidate.call)
        if not self._names_defined(names, position, index):
            self.no_fix[id(candidate.call)] = ("its arguments read a name that is not bound "
                                               "only above the function at module level")
            return None
        reason = self._unsafe(candidate.call, function, main.name, names)
        if reason:
            self.no_fix[id(candidate.call)] = reason
            return None
        if candidate.kind.session == "sync":
            defined = {main.name}
            for stmt in self._dependents(main.name, function):
                call = stmt.body[0].value
                if not all(self._stable(a.value, index, set()) for a in chain_args(call)):
                    continue
                move = self._move(call, function, index, lines, defined)
                if move is None:
                    continue
                dep_names = [n for n in self._move_names(call) if n not in defined]
                if not self._names_defined(dep_names, position, index):
                    continue
                if self._unsafe(call, function, move.name, dep_names):
                    continue
                moves.append(move)
                names.extend(dep_names)
                defined.add(move.name)
        if not self._names_defined(names, position, index):
            return None
        return _Plan(function, position, moves, names)

    @property
    def safety(self) -> HoistSafety:
        if self._safety is None:
            # The parent map read once: the analysis climbs the tree often, and each
            # get_metadata call costs a metadata lookup.
            parents = self.ctx.metadata(ParentNodeProvider)
            self._safety = HoistSafety(
                self.ctx.file.module, parents.get, self.qualified_names,
                lambda node: self.position(node)[0], self.ctx.handlers.handlers,
                set(self.constructors) | STABLE_CALLS, self._local_names)
        return self._safety

    def _local_names(self, function: cst.FunctionDef) -> Set[str]:
        index = self._index(function)
        return {n for n in (*index.params, *index.values, *index.imports) if index.is_local(n)}

    def _unsafe(self, call: cst.Call, function: cst.FunctionDef, name: str,
                names: Sequence[str]) -> Optional[str]:
        """Why moving the statement that creates ``call`` may change behaviour (hoist_safety)."""
        assignment = self._assignment(call)
        stmt = self.parent(assignment) if assignment is not None else None
        if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(assignment, cst.Assign):
            return "it is not a plain assignment"
        return self.safety.why_not(function, stmt, name, assignment.value, names)

    def _explain_structure(self, call: cst.Call, function: cst.FunctionDef) -> None:
        """Record why ``_move`` refused, when the reason is where the creation sits."""
        node = self.parent(call)
        where = ""
        while node is not None and node is not function:
            if isinstance(node, (cst.For, cst.While, cst.CompFor)):
                where = "in a loop"
            elif isinstance(node, cst.If) and not where:
                where = "under `if`"
            elif isinstance(node, cst.Try) and not where:
                where = "inside `try`"
            elif isinstance(node, (cst.With, cst.WithItem)) and not where:
                where = "in a `with`"
            elif isinstance(node, (cst.Match, cst.MatchCase)) and not where:
                where = "in a `match` arm"
            elif isinstance(node, (cst.FunctionDef, cst.Lambda)) and not where:
                where = "in a nested function"
            node = self.parent(node)
        if where:
            self.no_fix[id(call)] = f"it is created {where}, so not on every invocation"
            return
        assignment = self._assignment(call)
        targets = assignment.targets if isinstance(assignment, cst.Assign) else []
        if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
            return
        name = targets[0].target.value
        index = self._index(function)
        if name in index.mutated or name in index.closed:
            self.no_fix[id(call)] = "the function changes or closes it after creating it"
        elif len(index.values.get(name, ())) != 1:
            self.no_fix[id(call)] = f"`{name}` is assigned more than once in the function"

    def _move_names(self, call: cst.Call) -> List[str]:
        assignment = self._assignment(call)
        return names_in(assignment.value) if assignment is not None else []

    def _names_defined(self, names: Iterable[str], position: int,
                       index: Optional[FunctionIndex] = None) -> bool:
        """Every name is bound at module level only by statements before ``position``."""
        bound = self.module_index.bound_at
        for name in names:
            if index is not None and index.is_local(name):
                return False
            if name in self.global_names:
                return False
            where = bound.get(name)
            if where is None:
                if name not in BUILTINS:
                    return False
                continue
            if max(where) >= position:
                return False
        return True

    def _move(self, call: cst.Call, function: cst.FunctionDef, index: FunctionIndex,
              lines: List[str], defined: Set[str]) -> Optional[_Move]:
        """The statement ``name = <call>`` as a move, or None when moving it is not plainly safe."""
        assignment = self._assignment(call)
        if not isinstance(assignment, cst.Assign) or len(assignment.targets) != 1:
            return None
        value = assignment.value
        if value is not call and not (isinstance(value, cst.Call)
                                      and isinstance(value.func, cst.Attribute)
                                      and value.func.value is call):
            return None  # x or client(...), client(...) if ... else ...: not a plain creation
        target = assignment.targets[0].target
        if not isinstance(target, cst.Name):
            return None
        name = target.value
        stmt = self.parent(assignment)
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        block = self.parent(stmt)
        if not isinstance(block, cst.IndentedBlock) or self.parent(block) is not function:
            return None
        if (len(index.values.get(name, ())) != 1 or name in index.params or name in index.globals
                or name in index.deleted or name in index.imports or name in BUILTINS
                or name in index.mutated or name in index.closed
                or name in self.global_names or not IDENTIFIER.match(name)):
            return None
        code = self._code(assignment).strip()
        existing = self.module_index.bound_at.get(name)
        delete_only = False
        if existing is not None:
            if len(existing) == 1 and self.module_index.assign_code.get(name) == [code]:
                delete_only = True
            else:
                return None
        if any(self._multiline_string(node) for node in _strings(value)):
            return None
        start = self.position(stmt)
        first, last = start[0], start[2]
        if last > len(lines):
            return None
        block_lines = lines[first - 1:last]
        indent = block_lines[0][: len(block_lines[0]) - len(block_lines[0].lstrip(" \t"))]
        if not indent:
            return None
        moved = "".join(line[len(indent):] if line.startswith(indent) else line
                        for line in block_lines)
        if not moved.endswith("\n"):
            moved += detect_newline(self.ctx.file.text) or "\n"
        return _Move(name, code, first, last, moved, delete_only)

    def _multiline_string(self, node: cst.CSTNode) -> bool:
        rng = self.position(node)
        return rng[0] != rng[2]

    def _fix(self, plan: _Plan, anchor_index: int, newline: str, lines: List[str]) -> Fix:
        edits: List[Edit] = []
        inserted = [m for m in plan.moves if not m.delete_only]
        if inserted:
            anchor = self.ctx.file.module.body[anchor_index]
            line, blanks = self._insertion_line(anchor)
            if blanks:
                edits.append(Edit(line, 1, line, 1, newline * blanks))
            edits.append(Edit(line, 1, line, 1, "".join(m.text for m in inserted)))
        for move in plan.moves:
            edits.append(Edit(move.first_line, 1, move.last_line + 1, 1, ""))
        first = plan.moves[0]
        if first.delete_only:
            description = f"Use the module-level `{first.name}` instead of creating it here"
        else:
            description = f"Move `{first.code.splitlines()[0]}` to module scope"
        return Fix(description, tuple(edits))

    def _insertion_line(self, statement: cst.CSTNode) -> Tuple[int, int]:
        """Where a module-level statement goes above ``statement``: (line, blank lines to add).

        Above the statement's decorators and the comments attached to it, keeping the blank lines
        that separated it from the code before: the new code gets as many on its other side.
        """
        header = statement
        decorators = getattr(statement, "decorators", ())
        if decorators:
            header = decorators[0]
        line = self.position(header)[0]
        leading = list(getattr(statement, "leading_lines", ()))
        comments = 0
        while leading and leading[-1].comment is not None:
            leading.pop()
            comments += 1
        blanks = 0
        while leading and leading[-1].comment is None:
            leading.pop()
            blanks += 1
        return line - comments - blanks, blanks


# -- small helpers -----------------------------------------------------------------------------



class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: List[cst.CSTNode] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.found.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.found.append(node)


def _strings(node: cst.CSTNode) -> List[cst.CSTNode]:
    collector = _Strings()
    node.visit(collector)
    return collector.found


def split_lines(text: str) -> List[str]:
    """Lines ending at "\\n" only, as Python's tokenizer (and the fix engine) count them."""
    parts = text.split("\n")
    result = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        result.append(parts[-1])
    return result
