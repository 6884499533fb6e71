"""LL209 tracing-disabled: a function whose X-Ray tracing is not active, and which no
OpenTelemetry layer or SDK traces instead."""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from lambdalint.analysis.imports import uses
from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, Project, Value
from lambdalint.rules._wording import indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL209",
    name="tracing-disabled",
    severity="note",
    summary="A function does not turn on X-Ray tracing, and nothing else traces it.",
    kind="config",
    options=(
        Option("require", "bool", False,
               "Report every untraced function as a warning, not a note."),
    ),
    tags=("reliability", "maintainability"),
    reports="X-Ray tracing not active, without an OpenTelemetry layer or SDK",
    covers=("", "yes", "yes", "yes", "yes"),
)

# A layer that brings OpenTelemetry: the ADOT layers (aws-otel-python-..., AWSOpenTelemetryDistro
# Python) and community OpenTelemetry layers (opentelemetry-python-...).
_OTEL_LAYER = re.compile(r"otel|opentelemetry|adot", re.IGNORECASE)
# Code that traces through OpenTelemetry, which does not need Lambda's own tracing.
OTEL_MODULES = ("opentelemetry",)
# Code that writes X-Ray segments through Lambda's tracing: without active tracing its work is
# lost, so such a function is always reported, as a warning.
XRAY_MODULES = ("aws_xray_sdk", "aws_lambda_powertools.tracing", "aws_lambda_powertools.Tracer")

PERMISSIONS = ("The execution role needs xray:PutTraceSegments and xray:PutTelemetryRecords (the "
               "AWSXRayDaemonWriteAccess managed policy); SAM, Serverless and the CDK add them when "
               "they turn tracing on.")


def _active(value: Value) -> bool:
    mode = value.value
    return mode is True or (isinstance(mode, str) and mode.strip().lower() == "active")


def _imports(function: Function, project: Project) -> List[str]:
    if not function.handler_file:
        return []
    return project.imports_by_file.get(str(Path(function.handler_file).resolve()), [])


class TracingDisabled(ConfigRule):
    """Without active tracing Lambda records no trace of the invocation: the time spent in a
    cold start, in each AWS call and downstream service is not visible, and traces that start
    upstream (API Gateway, another function) end at this function."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        require = bool(self.options.get("require", False))
        # A mode set once for several functions (SAM Globals, Serverless provider) is one
        # finding there, naming them.
        at: "OrderedDict[Tuple[str, int], List[Tuple[Function, bool]]]" = OrderedDict()
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            tracing = function.tracing
            if tracing is not None and (not tracing.literal or _active(tracing)):
                continue
            if any(_OTEL_LAYER.search(layer.text or "") for layer in function.layers):
                continue
            imported = _imports(function, project)
            if any(uses(imported, module) for module in OTEL_MODULES):
                continue
            xray = any(uses(imported, module) for module in XRAY_MODULES)
            if tracing is None:
                yield self._unset(function, xray, require)
            else:
                at.setdefault((tracing.path, tracing.line), []).append((function, xray))
        for group in at.values():
            yield self._written(group, require)

    @staticmethod
    def _severity(xray: bool, require: bool) -> Severity:
        return Severity.WARNING if xray or require else Severity.NOTE

    @staticmethod
    def _xray_words(xray: bool) -> str:
        return ("; its code writes X-Ray segments (Powertools Tracer or the X-Ray SDK), which are "
                "dropped unless tracing is active") if xray else ""

    def _suggestion(self, function: Function, own_first: bool = True) -> str:
        dialect = dialect_of(function)
        own = ("on " + function.name + ":\n"
               + indent(dialect.function_setting(function, dialect.tracing_setting(function))))
        shared = dialect.shared_tracing()
        text = own if shared is None or not own_first else \
            own + "\nor once for every function:\n" + indent(shared)
        return (f"Turn on active tracing {text}\n{PERMISSIONS} Or trace with OpenTelemetry (the "
                "ADOT layer or SDK) instead.")

    def _unset(self, function: Function, xray: bool, require: bool) -> Optional[Finding]:
        return self.finding(
            function, function.path, function.line, function.column,
            f"{function.name} does not turn on X-Ray tracing, so Lambda records no trace of its "
            f"invocations (the default mode is PassThrough){self._xray_words(xray)}",
            self._suggestion(function), severity=self._severity(xray, require))

    def _written(self, group: List[Tuple[Function, bool]],
                 require: bool) -> Optional[Finding]:
        functions = [f for f, _ in group]
        xray = any(x for _, x in group)
        first = functions[0]
        tracing = first.tracing
        assert tracing is not None
        has = "has" if len(functions) == 1 else "have"
        dialect = dialect_of(first)
        return self.finding_at(
            None, tracing,
            f"{names(functions)} {has} tracing set to {tracing.text}, so Lambda records no trace "
            f"of {'its' if len(functions) == 1 else 'their'} invocations"
            f"{self._xray_words(xray)}",
            f"Set it to active:\n{indent(dialect.tracing_setting(first))}\n{PERMISSIONS}",
            severity=self._severity(xray, require))


Rule = TracingDisabled
