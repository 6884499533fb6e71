"""Linking handler strings to local Python code.

A deployment config names a handler (``app.lambda_handler``, ``src/users.create``) relative to
the function's code location; the rules on handler code need the file and the function. Linking
looks at which files exist now, so it is redone on every run, after reading or after the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from lambdalint.model import EventSource, Function, LinkedFunction, LinkedTrigger, Project

# Handler name -> the functions configured with it, for one file: what ``pycheck`` passes to the
# code rules. A tuple of pairs (sorted, hashable, picklable), not a dict.
Linked = Tuple[Tuple[str, Tuple[LinkedFunction, ...]], ...]


def link(function: Function) -> None:
    """Name the Python file and function a handler string points at, when the code is local.

    ``app.lambda_handler`` with code in ``hello_world/`` is ``hello_world/app.py``'s
    ``lambda_handler``; Serverless writes ``src/users.create`` relative to the service.
    """
    handler = function.handler
    code = function.code
    if handler is None or not handler.literal or not isinstance(handler.value, str):
        return
    if code.kind != "local" or not code.path:
        return
    module, _, name = handler.value.strip().rpartition(".")
    if not module or not name:
        return
    base = Path(code.path)
    if base.is_file():
        candidates = [base] if base.suffix == ".py" else []
    else:
        module_path = module.replace(".", "/") if "/" not in module else module
        candidates = [base / f"{module_path}.py", base / module_path / "__init__.py"]
    for candidate in candidates:
        if candidate.is_file():
            function.handler_file = str(candidate)
            function.handler_function = name
            return


def linked_handlers(project: Project) -> Dict[str, Set[str]]:
    """Resolved path of a Python file -> the function names deployment configs call handlers."""
    linked: Dict[str, Set[str]] = {}
    for function in project.functions:
        if function.handler_file and function.handler_function:
            key = str(Path(function.handler_file).resolve())
            linked.setdefault(key, set()).add(function.handler_function)
    return linked


BATCH_KINDS = ("sqs", "kinesis", "dynamodb")


def _trigger(event: EventSource, function: Function) -> LinkedTrigger:
    """The trigger as a code rule sees it; whether the mapping reports batch item failures is
    True, False (not written, or written without them) or None (a reference: unknown)."""
    written = event.report_batch_failures
    reports: Optional[bool] = None
    path, line = function.path, event.line
    if event.kind in BATCH_KINDS:
        if written is None:
            reports = False
        elif written.literal and isinstance(written.value, bool):
            reports = written.value
            path, line = written.path or function.path, written.line
    source = event.source
    variables: Tuple[str, ...] = ()
    if source:
        variables = tuple(sorted(
            var.name for var in function.environment
            if source in var.refers or (var.value.literal and var.value.value == source)))
    return LinkedTrigger(event.kind, event.line, http_api=event.http_api,
                         asynchronous=event.asynchronous, defined_api=event.defined_api,
                         report_batch_failures=reports,
                         path=path, report_line=line, source=source,
                         source_variables=variables, key_filter=event.key_filter)


def _seconds(function: Function) -> Tuple[Optional[float], str, str, int]:
    """(seconds, origin, path, line) of a timeout whose number lambdalint knows, as
    ``rules._timeouts.known_timeout`` judges it; (None, origin...) otherwise."""
    timeout = function.timeout
    if timeout is None:
        return None, "unknown", "", 0
    seconds = timeout.seconds
    if timeout.origin == "unknown" or isinstance(seconds, bool) or \
            not isinstance(seconds, (int, float)):
        return None, timeout.origin, timeout.path, timeout.line
    return float(seconds), timeout.origin, timeout.path, timeout.line


def linked_function(function: Function) -> LinkedFunction:
    """What the code rules may know of ``function``: its timeout, triggers and name."""
    seconds, origin, path, line = _seconds(function)
    name = function.function_name
    literal_name = name.value if name is not None and name.literal and \
        isinstance(name.value, str) else None
    variables = tuple(sorted(
        var.name for var in function.environment
        if literal_name and var.value.literal and var.value.value == literal_name))
    return LinkedFunction(function.name, function.path, function.line, seconds, origin, path,
                          line, tuple(_trigger(e, function) for e in function.events), literal_name,
                          variables, function.custom_resource)


def linked_functions(project: Project) -> Dict[str, Linked]:
    """Resolved path of a Python file -> its handler names with the functions that run them."""
    found: Dict[str, Dict[str, List[LinkedFunction]]] = {}
    for function in project.functions:
        if function.handler_file and function.handler_function:
            key = str(Path(function.handler_file).resolve())
            by_name = found.setdefault(key, {})
            by_name.setdefault(function.handler_function, []).append(linked_function(function))
    return {key: as_linked(by_name) for key, by_name in found.items()}


def as_linked(by_name: Dict[str, Iterable[LinkedFunction]]) -> Linked:
    """The ``Linked`` form of {handler name: functions}: sorted, duplicates dropped."""
    return tuple((name, tuple(sorted(set(functions), key=lambda f: (f.path, f.line, f.name))))
                 for name, functions in sorted(by_name.items()))


def cache_part(linked: Linked) -> Any:
    """``linked`` as plain JSON values, for a cache key: a changed timeout or trigger in a
    template changes the key of the handler's file, which is then checked again."""
    from dataclasses import astuple

    return [[name, [astuple(f) for f in functions]] for name, functions in linked]
