"""Reading AWS CDK apps written in Python: the Lambda functions a stack defines, never running it.

A CDK app is a program, so this is a small static evaluator over its LibCST tree, parsed once.
It follows what real stacks do: constructs assigned to names at module level or in a stack's
``__init__`` (``fn = lambda_.Function(self, "Hello", ...)``, ``self.fn = ...``), module constants
(``TIMEOUT = Duration.seconds(10)``), ``**props`` dicts, and calls on those names afterwards
(``fn.add_to_role_policy(stmt)``, ``role.add_managed_policy(...)``). Every import alias spelling
is understood, CDK v1 (``aws_cdk.core``) included. Anything it cannot follow becomes a
non-literal value or an ``unknown`` timeout, never a guess: a missed finding costs less than a
false one. Names assigned more than once in a scope (``if prod: T = 30 else: T = 10``) are not
constants.

Relative asset paths are resolved the way ``cdk synth`` does, against the directory it runs in:
the nearest ancestor of the app file holding ``cdk.json`` (not above the repository root), else
the app file's own directory. ``__file__`` is the app file, so
``os.path.join(os.path.dirname(__file__), "..", "x")`` and ``Path(__file__).parent / "x"`` work.

Python syntax errors are not reported here: the same file goes through the handler-code rules,
which report them (LL001) already.

The reader is one class, ``_AppReader``, put together from mixins: ``scope`` (the walk and the
bindings), ``values`` (names, values, paths, objects), ``functions`` (with their events),
``iam``, ``effects`` (methods called on constructs), ``exposure`` (URL, invoke
permissions, VPC) and ``resources`` (which bucket, queue or topic a trigger or an environment
value names); ``constructs`` holds the records.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdalint import files, suppressions
from lambdalint.discovery import SourceFile
from lambdalint.model import CDK, EnvVar, EventSource, Function, ReadError, Timeout
from lambdalint.sources.cdk.constructs import _Fn, _LogGroup
from lambdalint.sources.cdk.effects import _Effects
from lambdalint.sources.cdk.exposure import _Exposure
from lambdalint.sources.cdk.functions import (
    DEFAULT_TIMEOUT,
    SQS_DEFAULT_TEXT,
    SQS_DEFAULT_VISIBILITY,
    _Functions,
)
from lambdalint.sources.cdk.iam import _Iam
from lambdalint.sources.cdk.resources import _Resources
from lambdalint.sources.cdk.scope import _SKIP, _app_root, _Scope, _Scopes
from lambdalint.sources.cdk.values import MAX_DEPTH, MAX_INT_BITS, MAX_STEPS, MAX_STRING, _Values

__all__ = [
    "DEFAULT_TIMEOUT", "MAX_DEPTH", "MAX_EVALUATE_BYTES", "MAX_INT_BITS",
    "MAX_STEPS", "MAX_STRING", "SQS_DEFAULT_TEXT", "SQS_DEFAULT_VISIBILITY", "read_app",
]

# LibCST needs about 100 bytes of memory and 20 us per byte of source: a CDK app over this
# size is not evaluated; its function constructs are found by their text and reported.
MAX_EVALUATE_BYTES = 256 * 1024
_CONSTRUCT = re.compile(
    r"\b(Function|SingletonFunction|DockerImageFunction|PythonFunction|NodejsFunction)\s*\(\s*"
    r"(?:scope\s*=\s*)?[A-Za-z_][\w.]*\s*,\s*(?:id\s*=\s*)?(?:([\"'])([^\"'\\\n]{1,200})\2)?")


class _AppReader(_Scopes, _Values, _Functions, _Iam, _Effects, _Exposure, _Resources):
    """One app file being read: the state every mixin shares, and the order of the work."""

    METHODS: Dict[str, Callable[..., None]] = {
        "add_to_role_policy": _Effects._do_add_to_role_policy,
        "add_to_policy": _Effects._do_add_to_policy,
        "add_to_principal_policy": _Effects._do_add_to_policy,
        "add_managed_policy": _Effects._do_add_managed_policy,
        "attach_inline_policy": _Effects._do_attach_inline_policy,
        "attach_to_role": _Effects._do_attach_to_role,
        "add_statements": _Effects._do_add_statements,
        "add_actions": _Effects._do_statement_change,
        "add_not_actions": _Effects._do_statement_change,
        "add_resources": _Effects._do_statement_change,
        "add_not_resources": _Effects._do_statement_change,
        "add_all_resources": _Effects._do_statement_change,
        "add_environment": _Effects._do_add_environment,
        "add_event_source": _Effects._do_add_event_source,
        "configure_async_invoke": _Effects._do_configure_async_invoke,
        "add_layers": _Effects._do_add_layers,
        "add_function_url": _Exposure._do_add_function_url,
        "add_permission": _Exposure._do_add_permission,
        "grant_invoke": _Exposure._do_grant_invoke,
        "grant_invoke_url": _Exposure._do_grant_invoke,
        "add_event_notification": _Resources._do_add_notification,
        "add_object_created_notification": _Resources._do_add_notification,
        "add_object_removed_notification": _Resources._do_add_notification,
        "add_subscription": _Resources._do_add_subscription,
    }

    def __init__(self, source: SourceFile, text: str, module: cst.Module) -> None:
        self.display = source.display
        self.file_path = str(source.path)
        self.root = str(_app_root(source.path))
        self.module = module
        self.positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.ignores = suppressions.parse(text).by_line
        self.aliases: Dict[str, str] = {}
        self.version = 0
        self.objects: Dict[int, Any] = {}  # id(call node) -> what the call builds
        self.functions: List[_Fn] = []
        self.log_groups: List[_LogGroup] = []  # logs.LogGroup constructs, for LL210
        self.deferred: List[Tuple[cst.FunctionDef, _Scope, _Scope]] = []
        self.policy_names: Dict[int, str] = {}  # id(_Policy) -> "iam.Policy AppPolicy"
        self.steps_left = MAX_STEPS  # refilled for each value evaluated (_const)
        self.evaluating = False
        self.errors: List[ReadError] = []  # LL001 for functions read in part
        self.named: List[Any] = []  # buckets, queues, topics... (resources._Resources)
        self.env_refs: List[Tuple[EnvVar, List[Any]]] = []
        self.event_refs: List[Tuple[EventSource, Any]] = []
        self.notified: Dict[int, Tuple[EventSource, _Fn]] = {}

    def read(self) -> List[Function]:
        module_scope = _Scope()
        self._walk_body(self.module.body, module_scope, _Scope(), module_scope)
        index = 0
        while index < len(self.deferred):  # function bodies run after the module is loaded
            node, parent, attrs = self.deferred[index]
            index += 1
            try:
                self._walk_function(node, parent, attrs)
            except _SKIP:
                continue
        result = []
        for record in self.functions:
            self._match_log_group(record)
            function = record.function
            role = record.role
            statements = list(role.statements)
            for policy, origin in role.policies:
                statements.extend(replace(s, origin=origin) for s in policy.statements)
            function.statements = statements
            function.managed_policies = list(role.managed)
            result.append(function)
        self._name_resources(result)
        result.sort(key=lambda f: (f.line, f.name))
        return result


def read_app(source: SourceFile) -> Tuple[List[Function], List[ReadError]]:
    """Every Lambda function a CDK app file defines. Never raises; a file that does not parse
    gives nothing (the handler-code rules report the syntax error). An app over
    MAX_EVALUATE_BYTES is not evaluated: its function constructs, found by their text, are kept
    with unknown settings and an LL001 note names them."""
    data = files.read_bytes(source.path)
    if isinstance(data, files.ReadFailure):
        return [], []
    if b"Function" not in data:  # every construct read here has it in its name
        return [], []
    from lambdalint.sources.python import PythonReadError, decode, parse

    try:
        text, _ = decode(data)
    except PythonReadError:
        return [], []
    if len(data) > MAX_EVALUATE_BYTES:
        return _too_large(source, text, len(data))
    try:
        module = parse(text, source.display).module  # refuses what would crash LibCST
    except (PythonReadError, cst.ParserSyntaxError, RecursionError, ValueError):
        return [], []
    reader: Optional[_AppReader] = None
    try:
        reader = _AppReader(source, text, module)
        return reader.read(), reader.errors
    except Exception as exc:  # noqa: BLE001 - every construct seen is still reported
        found, _ = _too_large(source, text, 0)
        done = [r.function for r in reader.functions] if reader is not None else []
        done_lines = {f.line for f in done}
        found = done + [f for f in found if f.line not in done_lines]
        names = ", ".join(f"{f.name} (line {f.line})" for f in found[:20]) or "none seen"
        return found, [ReadError(source.display, 1, f"lambdalint failed on this CDK app "
                                 f"({type(exc).__name__}), please report it; functions with "
                                 f"unknown settings: {names}")]


def read_unit(unit: Any) -> Tuple[List[Function], List[ReadError]]:
    """``read_app`` of a CDK app unit (the entry ``units.READERS`` names)."""
    return read_app(unit.files[0])


def _too_large(source: SourceFile, text: str, size: int) -> Tuple[List[Function], List[ReadError]]:
    """The function constructs of ``text`` found by their text (``lambda_.Function(self,
    "Id", ...)``), with unknown settings, and a note naming them (when ``size`` is given)."""
    found: List[Function] = []
    line, counted = 1, 0
    for match in _CONSTRUCT.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        name = match.group(3) or f"{match.group(1)} at line {line}"
        function = Function(name=name, format=CDK, path=source.display, line=line, end_line=line)
        function.timeout = Timeout(None, "unknown", source.display, line)
        found.append(function)
    if not size or not found:  # no construct: nothing lost, nothing to say
        return found, []
    names = ", ".join(f"{f.name} (line {f.line})" for f in found[:20])
    if len(found) > 20:
        names += f" and {len(found) - 20} more"
    message = (f"too large to evaluate: {size / 1024 / 1024:.1f} MiB is over the "
               f"{MAX_EVALUATE_BYTES // 1024} KiB limit for a CDK app; the settings of its "
               f"functions are not checked: {names or 'none seen'}")
    return found, [ReadError(source.display, 1, message)]
