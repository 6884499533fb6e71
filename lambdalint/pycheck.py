"""One Python file through every selected handler-code rule, in a single LibCST traversal.

Kept free of engine state so that it can run in a worker process: it takes plain values and
returns findings. LibCST (and with it the rule modules) is imported on the first file a rule
needs, not before: a run whose files the pre-filter's gates all clear never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence

from lambdalint import registry
from lambdalint.findings import Finding
from lambdalint.sources.python import PythonFile, PythonReadError, decode, parse, read

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint import prefilter
    from lambdalint.analysis.local_calls import ClientSites
    from lambdalint.linking import Linked

_rule_classes: Dict[str, type] = {}


def _cache_visitor_methods() -> None:
    """LibCST finds a visitor's ``visit_*``/``leave_*`` methods with ``inspect.getmembers`` on
    every traversal of every file (a fifth of the time of a small file); they depend only on the
    class, so look them up once per class."""
    import libcst as cst

    original = getattr(cst.BatchableCSTVisitor, "get_visitors", None)
    if original is None or getattr(original, "_lambdalint_cached", False):
        return
    names_by_class: Dict[type, tuple] = {}

    def get_visitors(self):  # type: ignore[no-untyped-def]
        names = names_by_class.get(type(self))
        if names is None:
            names = names_by_class[type(self)] = tuple(original(self))
        return {name: getattr(self, name) for name in names}

    get_visitors._lambdalint_cached = True  # type: ignore[attr-defined]
    cst.BatchableCSTVisitor.get_visitors = get_visitors  # type: ignore[assignment]


def rule_classes(rule_ids: Iterable[str]) -> List[type]:
    _cache_visitor_methods()
    classes = []
    for rule_id in rule_ids:
        if rule_id not in _rule_classes:
            _rule_classes[rule_id] = registry.get(rule_id).load_code()
        classes.append(_rule_classes[rule_id])
    return classes


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    from lambdalint.rules import ll001_parse_error

    return ll001_parse_error.finding(path, message, line, column)


def check_file(file: PythonFile, rule_ids: Sequence[str], options: Dict[str, Dict[str, Any]],
               handler_names: Iterable[str] = (), actions: Optional[List[str]] = None,
               linked: "Linked" = (), sites: "ClientSites" = ()) -> List[Finding]:
    """Findings of the rules ``rule_ids``; when ``actions`` is a list, the AWS actions the code
    calls are appended to it (for least-privilege suggestions), in the same traversal.
    ``linked``: the file's handler names with the functions configured to run them."""
    from libcst.metadata import MetadataWrapper

    from lambdalint.analysis import handlers as handler_analysis
    from lambdalint.rules.python_rule import PythonContext

    classes = rule_classes(rule_ids)
    if not classes and actions is None:
        return []
    wrapper = MetadataWrapper(file.module, unsafe_skip_copy=True)
    info = handler_analysis.analyse(file.module, file.path, handler_names)
    ctx = PythonContext(file, wrapper, info, options, dict(linked), tuple(sites))
    visitors: list = [cls(ctx) for cls in classes]
    collector = None
    if actions is not None:
        from lambdalint.analysis.actions import ActionCollector

        collector = ActionCollector(ctx.qualified_names)
        visitors.append(collector)
    try:
        wrapper.visit_batched(visitors)
    except RecursionError:
        return [parse_error(file.path, "too deeply nested to analyse")]
    except Exception as exc:  # a bug of ours must not end the run: report the file, go on
        return [parse_error(file.path, f"lambdalint failed on this file ({type(exc).__name__}: "
                                       f"{exc}); please report it")]
    if collector is not None:
        actions.extend(collector.result())
    findings: List[Finding] = []
    for rule in visitors[:len(classes)]:
        findings.extend(rule.findings)
    return findings


def check_source(data: bytes, path: str, rule_ids: Sequence[str],
                 options: Dict[str, Dict[str, Any]], handler_names: Iterable[str] = (),
                 actions: Optional[List[str]] = None, linked: "Linked" = ()):
    """Parse and check ``data``; returns (findings, PythonFile or None)."""
    try:
        file = read(data, path)
    except PythonReadError as exc:
        return [parse_error(path, exc.message, exc.line, exc.column)], None
    return check_file(file, rule_ids, options, handler_names, actions, linked), file


@dataclass
class Outcome:
    """What checking one file's bytes gave: plain values, so that it crosses processes and goes
    into the cache as it is."""

    findings: List[Finding]
    actions: List[str]  # AWS actions the code calls, when asked for
    parsed: bool  # False when the pre-filter showed that no rule can report in the file
    # What the code imports (analysis.imports), asked for with the actions: a linked handler.
    imports: List[str] = field(default_factory=list)


def check_data(data: bytes, path: str, rule_ids: Sequence[str],
               options: Dict[str, Dict[str, Any]], handler_names: Iterable[str] = (),
               want_actions: bool = False, use_prefilter: bool = True,
               linked: "Linked" = (), sites: "ClientSites" = ()) -> Outcome:
    """``check_source`` for the engine and its workers: findings, and the actions the code
    calls and what it imports when ``want_actions``; parses nothing when the pre-filter shows
    that no selected rule can report in the file and Python's parser accepts it. ``linked``:
    the functions configured to run the file's handlers (``linking.Linked``); ``sites``: the
    local functions it may call that create clients (``analysis.local_calls``)."""
    try:
        text, encoding = decode(data)
    except PythonReadError as exc:
        return Outcome([parse_error(path, exc.message, exc.line, exc.column)], [], False)
    from lambdalint import prefilter

    view = prefilter.Text(text, path, linked, sites)
    imports: List[str] = []
    if want_actions:
        from lambdalint.analysis.imports import imported_names

        imports = imported_names(view.tree)
    outcome = _checked(view, text, encoding, path, rule_ids, options, handler_names,
                       want_actions, use_prefilter, linked, sites)
    outcome.imports = imports
    return outcome


def _checked(view: "prefilter.Text", text: str, encoding: str, path: str,
             rule_ids: Sequence[str], options: Dict[str, Dict[str, Any]],
             handler_names: Iterable[str], want_actions: bool,
             use_prefilter: bool, linked: "Linked" = (), sites: "ClientSites" = ()) -> Outcome:
    """The findings and actions of ``check_data`` for decoded ``text``."""
    needed = list(rule_ids)
    collect = want_actions
    found: Optional[List[str]] = None  # the actions, when the pre-filter read them from ast
    if use_prefilter:
        # Only a file Python parses, not too deeply nested to analyse, is filtered: the others
        # go the full way, for exactly the LL001 finding they would get.
        if view.tree is not None and not view.deep():
            from lambdalint import prefilter

            needed = prefilter.rules_needed(view, rule_ids, options)
            collect = want_actions and prefilter.might_collect_actions(view)
            found = prefilter.actions_from_ast(view) if collect else None
            if found is not None:  # the same actions without LibCST's scope analysis
                if not needed:
                    return Outcome([], found, False)
                collect = False
            if not needed and not collect:
                return Outcome([], [], False)
    try:
        file = parse(text, path, encoding)
    except PythonReadError as exc:
        return Outcome([parse_error(path, exc.message, exc.line, exc.column)], [], False)
    actions: Optional[List[str]] = [] if collect else None
    findings = check_file(file, needed, options, handler_names, actions, linked, sites)
    from lambdalint.rules import ll001_parse_error

    if found is not None and not any(f.rule == ll001_parse_error.META.id for f in findings):
        actions = found  # (a file LibCST could not analyse gives none, as without the filter)
    return Outcome(findings, actions or [], True)


def check_inline(text: str, path: str, line_offset: int, column_offset: int,
                 rule_ids: Sequence[str], options: Dict[str, Dict[str, Any]],
                 handler_names: Iterable[str] = (), linked: "Linked" = ()) -> List[Finding]:
    """Python written inside a config file; findings point into that file. No fixes."""
    try:
        file = parse(text, path, line_offset=line_offset, column_offset=column_offset)
    except PythonReadError as exc:
        column = exc.column + column_offset
        return [parse_error(path, "inline code: " + exc.message, exc.line + line_offset, column)]
    findings = check_file(file, rule_ids, options, handler_names, linked=linked)
    return [f if f.fix is None else _without_fix(f) for f in findings]


def _without_fix(finding: Finding) -> Finding:
    from dataclasses import replace
    return replace(finding, fix=None)
