"""The Lambda functions of a CDK app: each construct's settings, code and event sources.

``_Functions`` is a mixin of ``_AppReader`` (package ``__init__``). A function is recorded
before any of its settings is evaluated, so a setting that fails costs that setting (and an
LL001 note), never the function.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from typing import Optional, Tuple

import libcst as cst

from lambdalint.model import (
    CDK,
    CodeLocation,
    EnvVar,
    Function,
    IamStatement,
    InlineCode,
    LogGroup,
    ReadError,
    Timeout,
    Value,
)
from lambdalint.sources.cdk.constructs import _LAMBDA, _LOGS, _Fn, _LogGroup, _Role
from lambdalint.sources.cdk.events import (  # noqa: F401 - re-exported by the package
    SQS_DEFAULT_TEXT,
    SQS_DEFAULT_VISIBILITY,
    _EventSources,
)
from lambdalint.sources.cdk.scope import _SKIP, _Env
from lambdalint.sources.cdk.values import _Args, _Const, _number

DEFAULT_TIMEOUT = 3  # seconds: a CDK function with no timeout gets the Lambda default

_DURATION_FACTORS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "millis": 0.001}

LOG_GROUP_DEFAULT_DAYS = 731  # logs.LogGroup without retention=: RetentionDays.TWO_YEARS
LAMBDA_LOG_PREFIX = "/aws/lambda/"
# aws_logs.RetentionDays members -> days (INFINITE is 9999, as the CDK writes it).
_RETENTION_DAYS = {
    "ONE_DAY": 1, "THREE_DAYS": 3, "FIVE_DAYS": 5, "ONE_WEEK": 7, "TWO_WEEKS": 14,
    "ONE_MONTH": 30, "TWO_MONTHS": 60, "THREE_MONTHS": 90, "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150, "SIX_MONTHS": 180, "ONE_YEAR": 365, "THIRTEEN_MONTHS": 400,
    "EIGHTEEN_MONTHS": 545, "TWO_YEARS": 731, "THREE_YEARS": 1096, "FIVE_YEARS": 1827,
    "SIX_YEARS": 2192, "SEVEN_YEARS": 2557, "EIGHT_YEARS": 2922, "NINE_YEARS": 3288,
    "TEN_YEARS": 3653, "INFINITE": 9999,
}
# lambda_.Tracing members -> the TracingConfig mode CloudFormation writes.
_TRACING_MODES = {"ACTIVE": "Active", "PASS_THROUGH": "PassThrough", "DISABLED": "Disabled"}

_CODE_ASSET = {"Code.from_asset", "Code.asset", "AssetCode"}
_CODE_INLINE = {"Code.from_inline", "Code.inline", "InlineCode"}
_CODE_S3 = {"Code.from_bucket", "Code.from_bucket_v2", "Code.bucket", "S3Code",
            "Code.from_cfn_parameters", "Code.cfn_parameters", "CfnParametersCode"}
_CODE_IMAGE_ASSET = {"Code.from_asset_image", "AssetImageCode", "DockerImageCode.from_image_asset"}
_CODE_IMAGE = {"Code.from_ecr_image", "EcrImageCode", "DockerImageCode.from_ecr"}

_RUNTIME_PATTERNS = (
    (re.compile(r"PYTHON_(\d+)_(\d+)$"), "python{0}.{1}", "python"),
    (re.compile(r"NODEJS_(\d+)_X$"), "nodejs{0}.x", "nodejs"),
    (re.compile(r"JAVA_(\d+)_CORRETTO$"), "java{0}.al2", "java"),
    (re.compile(r"JAVA_(\d+)$"), "java{0}", "java"),
    (re.compile(r"DOTNET_CORE_(\d+)_(\d+)$"), "dotnetcore{0}.{1}", "dotnet"),
    (re.compile(r"DOTNET_(\d+)$"), "dotnet{0}", "dotnet"),
    (re.compile(r"RUBY_(\d+)_(\d+)$"), "ruby{0}.{1}", "ruby"),
    (re.compile(r"GO_1_X$"), "go1.x", "go"),
    (re.compile(r"PROVIDED_(AL2023|AL2)$"), "provided.{0}", "provided"),
    (re.compile(r"PROVIDED$"), "provided", "provided"),
)


def _tidy_seconds(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def _runtime_id(member: str) -> Tuple[Optional[str], Optional[str]]:
    """``PYTHON_3_12`` -> ("python3.12", "python"); ``NODEJS_LATEST`` -> (None, "nodejs")."""
    for pattern, template, family in _RUNTIME_PATTERNS:
        match = pattern.match(member)
        if match:
            return template.format(*[g.lower() for g in match.groups()]), family
    lowered = member.lower()
    for family in ("python", "nodejs", "java", "dotnet", "ruby", "go", "provided"):
        if lowered.startswith(family):
            return None, family
    return None, None


class _Functions(_EventSources):
    """Function constructs and their settings, ``Code`` and event sources."""

    def _make_function(self, call: cst.Call, env: _Env, kind: str) -> _Fn:
        """The function a construct call defines. It is in ``self.functions`` before anything
        is evaluated, so whatever evaluating raises (MemoryError included) costs one setting
        and an LL001, never the function."""
        line, column, end_line, _ = self._span(call)
        function = Function(name=self._text(call.func), format=CDK, path=self.display,
                            line=line, end_line=end_line, column=column)
        ignored = self.ignores.get(line)
        if ignored:
            function.ignored_rules = set(ignored)
        record = _Fn(function, _Role(f"the role of {function.name}"))
        self.functions.append(record)
        try:
            args = self._arguments(call, env)
            function.name = self._construct_id(args, call)
            record.role.label = f"the role of {function.name}"
        except Exception as exc:  # noqa: BLE001 - reported, the function stays
            self._failed(function, "its arguments", exc)
            args = _Args(unknown_splat=True)
        steps = (self._set_runtime, self._set_role, self._set_handler_and_code, self._set_timeout,
                 self._set_memory, self._set_environment, self._set_initial_policy,
                 self._set_layers, self._set_events, self._set_tracing, self._set_logs,
                 self._set_async, self._set_exposure)
        for step in steps:
            try:
                step(record, args, kind)
            except _SKIP:
                continue
            except Exception as exc:  # noqa: BLE001 - reported, the function stays
                self._failed(function, step.__name__[5:], exc)
        if function.timeout is None:
            function.timeout = Timeout(None, "unknown", self.display, line)
        return record

    def _failed(self, function: Function, what: str, exc: BaseException) -> None:
        self.errors.append(ReadError(
            self.display, function.line, f"{function.name}: lambdalint failed on {what} "
            f"({type(exc).__name__}); treated as unknown, please report it"))

    def _set_runtime(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("runtime")
        if kind == "python":
            record.python = True
        if given is None:
            return
        expr, env = given
        target, target_env, via, _ = self._deref(expr, env)
        runtime: Optional[str] = None
        family: Optional[str] = None
        if target is not None:
            qual = self._qual(target, target_env) if isinstance(target, cst.Attribute) else None
            if qual and qual.startswith(_LAMBDA + "Runtime."):
                runtime, family = _runtime_id(qual.rsplit(".", 1)[1])
            elif isinstance(target, cst.Call) and \
                    self._qual(target.func, target_env) == _LAMBDA + "Runtime" and target.args:
                found = self._const(target.args[0].value, target_env)
                if found is not None and isinstance(found.value, str):
                    runtime = found.value
                    family = re.sub(r"[\d.]+.*$", "", runtime) or None
        line, column, end_line, end_column = self._span(expr)
        if runtime is not None:
            text = f"{self._text(expr)} (= {runtime})" if via else runtime
            record.function.runtime = Value(runtime, text, self.display, line, column, True,
                                            end_line, end_column)
        else:
            record.function.runtime = Value(None, self._text(expr), self.display, line, column,
                                            False, end_line, end_column)
        if family is not None:
            record.python = family == "python"

    def _set_role(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("role")
        if given is None:
            return
        written = self._const(*given)
        if written is not None and written.value is None:  # role=None: the function's own role
            return
        built = self._object(*given)
        if isinstance(built, _Role):
            record.role = built
            record.function.role = built.name
        else:
            record.role = _Role(f"the role given to {record.function.name}")
            record.function.role = self._text(given[0])

    def _set_handler_and_code(self, record: _Fn, args: _Args, kind: str) -> None:
        function = record.function
        if kind in ("python", "nodejs"):
            self._set_entry(record, args, kind)
            return
        handler = args.get("handler")
        if handler is not None:
            function.handler = self._value(*handler)
        code = args.get("code")
        if code is not None:
            function.code = self._code(code[0], code[1], record)

    def _set_entry(self, record: _Fn, args: _Args, kind: str) -> None:
        """PythonFunction / NodejsFunction: ``entry`` (+ ``index``) and a default handler name."""
        function = record.function
        entry = args.get("entry")
        if entry is not None:
            path = self._path(*entry)
            if path is not None:
                function.code = CodeLocation("local", self._absolute(path))
        handler = args.get("handler")
        handler_name = self._const(*handler) if handler else _Const("handler")
        if kind == "nodejs":
            if handler is not None:
                function.handler = self._value(*handler)
            return
        index = args.get("index")
        index_name = self._const(*index) if index else _Const("index.py")
        where = handler[0] if handler else index[0] if index else None
        if where is not None:
            line, column, end_line, end_column = self._span(where)
        else:
            line, column, end_line, end_column = function.line, 1, None, None
        if handler_name is None or index_name is None or not isinstance(handler_name.value, str) \
                or not isinstance(index_name.value, str):
            text = self._text(where) if where is not None else "handler"
            function.handler = Value(None, text, self.display, line, column, False, end_line,
                                     end_column)
            return
        module = index_name.value[:-3] if index_name.value.endswith(".py") else index_name.value
        value = f"{module.replace('/', '.')}.{handler_name.value}"
        written = []
        if index is None:
            written.append("default index index.py")
        if handler is None:
            written.append("default handler")
        text = f"{value} (PythonFunction{', ' if written else ''}{', '.join(written)})"
        function.handler = Value(value, text, self.display, line, column, True, end_line,
                                 end_column)

    def _code(self, expr: cst.BaseExpression, env: _Env, record: _Fn) -> CodeLocation:
        target, target_env, _, _ = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None:
            return CodeLocation("unknown")
        qual = self._qual(target.func, target_env) or ""
        short = qual[len(_LAMBDA):] if qual.startswith(_LAMBDA) else ""
        args = self._arguments(target, target_env)
        if short in _CODE_ASSET:
            where = args.get("path", 0)
            path = self._path(*where) if where else None
            if path is None:
                return CodeLocation("unknown")
            excludes = []
            given = args.get("exclude")
            if given is not None:
                excludes = [v.value for v in self._values(*given)
                            if v.literal and isinstance(v.value, str)]
            kind = "zip" if path.lower().endswith((".zip", ".jar")) else "local"
            return CodeLocation(kind, self._absolute(path), excludes=excludes)
        if short in _CODE_INLINE:
            where = args.get("code", 0)
            return self._inline(where, record)
        if short in _CODE_S3:
            key = args.get("key", 1)
            found = self._const(*key) if key else None
            return CodeLocation("s3", found.value if found and isinstance(found.value, str)
                                else None)
        if short in _CODE_IMAGE_ASSET:
            where = args.get("directory", 0)
            path = self._path(*where) if where else None
            return CodeLocation("image", self._absolute(path) if path is not None else None)
        if short in _CODE_IMAGE:
            return CodeLocation("image")
        return CodeLocation("unknown")

    def _inline(self, where: Optional[Tuple[cst.BaseExpression, _Env]],
                record: _Fn) -> CodeLocation:
        """``Code.from_inline(...)``: the text, mapped to the lines of the app file."""
        if where is None or record.python is False:
            return CodeLocation("inline")
        target, target_env, _, ambiguous = self._deref(*where)
        dedent = False
        if isinstance(target, cst.Call) and target_env is not None \
                and self._qual(target.func, target_env) == "textwrap.dedent" \
                and len(target.args) == 1 and not target.args[0].keyword:
            dedent = True
            target, target_env, _, ambiguous = self._deref(target.args[0].value, target_env)
        if ambiguous or not isinstance(target, (cst.SimpleString, cst.ConcatenatedString)):
            return CodeLocation("inline")
        found = self._const(target, target_env)
        if found is None or not isinstance(found.value, str):
            return CodeLocation("inline")
        text = found.value
        column_offset = 0
        if dedent:
            dedented = textwrap.dedent(text)
            for before, after in zip(text.splitlines(), dedented.splitlines()):
                if after.strip():
                    column_offset = len(before) - len(after)
                    break
            text = dedented
        line_offset = self._line(target) - 1
        return CodeLocation("inline", inline=InlineCode(text, self.display, line_offset,
                                                        column_offset))

    def _set_timeout(self, record: _Fn, args: _Args, kind: str) -> None:
        function = record.function
        given = args.get("timeout")
        if given is None:
            if args.unknown_splat:
                function.timeout = Timeout(None, "unknown", self.display, function.line)
            else:
                function.timeout = Timeout(DEFAULT_TIMEOUT, "default", self.display,
                                           function.line, function.column)
            return
        expr, env = given
        line, column = self._span(expr)[:2]
        found = self._const(expr, env)
        if found is not None and found.value is None:  # timeout=None: the default
            function.timeout = Timeout(DEFAULT_TIMEOUT, "default", self.display, function.line,
                                       function.column)
            return
        seconds, via = self._duration(expr, env)
        if seconds is None:
            function.timeout = Timeout(None, "unknown", self.display, line, column)
        else:
            function.timeout = Timeout(seconds, "variable" if via else "function", self.display,
                                       line, column)

    def _duration(self, expr: cst.BaseExpression, env: _Env) -> Tuple[Optional[float], bool]:
        """Seconds of a ``Duration.seconds(30)`` / ``minutes(...)`` expression, and whether a
        name was followed to get them."""
        target, target_env, via, ambiguous = self._deref(expr, env)
        if not isinstance(target, cst.Call) or target_env is None or ambiguous:
            return None, via
        qual = self._qual(target.func, target_env) or ""
        unit = qual.rsplit(".", 1)[1] if qual.startswith("aws_cdk.Duration.") else ""
        if unit not in _DURATION_FACTORS:
            return None, via
        args = self._arguments(target, target_env)
        amount = args.get("amount", 0)
        found = self._const(*amount) if amount else None
        number = _number(found.value) if found else None
        if number is None:
            return None, via
        return _tidy_seconds(number * _DURATION_FACTORS[unit]), via or found.via_name

    def _set_memory(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("memory_size")
        if given is not None:
            record.function.memory = self._value(*given)

    def _set_tracing(self, record: _Fn, args: _Args, kind: str) -> None:
        """``tracing=lambda_.Tracing.ACTIVE`` read as the mode CloudFormation writes
        (``Active``, ``PassThrough``, ``Disabled``)."""
        given = args.get("tracing")
        if given is None:
            return
        expr, env = given
        value = self._value(expr, env)
        target, target_env, _, ambiguous = self._deref(expr, env)
        qual = self._qual(target, target_env) \
            if isinstance(target, cst.Attribute) and not ambiguous else None
        if qual and qual.startswith(_LAMBDA + "Tracing."):
            member = qual.rsplit(".", 1)[1]
            value.value = _TRACING_MODES.get(member, member)
            value.literal = True
        record.function.tracing = value

    def _set_logs(self, record: _Fn, args: _Args, kind: str) -> None:
        """``log_retention=logs.RetentionDays.ONE_MONTH`` (its days as the value), or a
        ``log_group=``: followed when it is a ``logs.LogGroup`` built here, else not."""
        function = record.function
        name = args.get("function_name")
        found = self._const(*name) if name is not None else None
        if found is not None and isinstance(found.value, str):
            record.function_name = found.value
        if name is not None:
            function.function_name = self._value(*name)
        given = args.get("log_retention")
        if given is not None:
            function.log_retention = self._retention(*given)
        group = args.get("log_group")
        if group is not None:
            target, target_env, _, _ = self._deref(*group)
            built = self._built_by(target, target_env) \
                if isinstance(target, cst.Call) and target_env is not None else None
            line, _, _, _ = self._span(group[0])
            if isinstance(built, _LogGroup):
                function.log_group = LogGroup(self._text(group[0]), self.display, built.line,
                                              retention=built.retention)
                function.log_retention = built.retention
            else:
                function.log_group = LogGroup(self._text(group[0]), self.display, line,
                                              retention=function.log_retention, followed=False)

    def _retention(self, expr: cst.BaseExpression, env: _Env) -> Value:
        """A retention as days: ``logs.RetentionDays.ONE_MONTH`` is 30, a number is itself."""
        value = self._value(expr, env)
        target, target_env, _, ambiguous = self._deref(expr, env)
        qual = self._qual(target, target_env) \
            if isinstance(target, cst.Attribute) and not ambiguous else None
        member = qual.rsplit(".", 1)[1] if qual else ""
        if qual and qual.startswith(_LOGS + "RetentionDays.") and member in _RETENTION_DAYS:
            value.value = _RETENTION_DAYS[member]
            value.literal = True
        return value

    def _make_log_group(self, call: cst.Call, env: _Env, retention_arg: str) -> _LogGroup:
        args = self._arguments(call, env)
        line, column, _, _ = self._span(call)
        given = args.get(retention_arg)
        if given is not None:
            retention: Optional[Value] = self._retention(*given)
        elif retention_arg == "retention":  # logs.LogGroup keeps two years unless told
            retention = Value(LOG_GROUP_DEFAULT_DAYS, "the logs.LogGroup default (two years)",
                              self.display, line, column)
        else:
            retention = None
        group = _LogGroup(line, retention, label=self._construct_id(args, call))
        name = args.get("log_group_name")
        if name is not None:
            found = self._const(*name)
            if found is not None and isinstance(found.value, str):
                group.name = found.value
            elif isinstance(name[0], cst.FormattedString):
                group.owner = self._interpolated_function(name[0], name[1])
        self.log_groups.append(group)
        return group

    def _interpolated_function(self, text: cst.FormattedString, env: _Env) -> Optional[_Fn]:
        """The function whose ``function_name`` an f-string interpolates, if it is one."""
        for part in text.parts:
            expr = getattr(part, "expression", None)
            if isinstance(expr, cst.Attribute) and expr.attr.value == "function_name":
                target, target_env, _, _ = self._deref(expr.value, env)
                if isinstance(target, cst.Call) and target_env is not None:
                    built = self._built_by(target, target_env)
                    if isinstance(built, _Fn):
                        return built
        return None

    def _match_log_group(self, record: _Fn) -> None:
        """A ``logs.LogGroup`` built apart from the function that holds its logs: named
        ``/aws/lambda/<its function_name>`` or interpolating ``fn.function_name``."""
        function = record.function
        if function.log_group is not None or function.log_retention is not None:
            return
        wanted = LAMBDA_LOG_PREFIX + record.function_name if record.function_name else None
        for group in self.log_groups:
            if group.owner is record or (wanted is not None and group.name == wanted):
                function.log_group = LogGroup(group.label, self.display, group.line,
                                              retention=group.retention)
                function.log_retention = group.retention
                return

    def _set_environment(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("environment")
        if given is None:
            return
        for key_node, key, value, value_env in self._entries(*given):
            if key is None:
                continue
            line, column, _, _ = self._span(key_node)
            variable = EnvVar(key, self._value(value, value_env), line, column)
            record.function.environment.append(variable)
            self._refer(variable, value, value_env)

    def _set_initial_policy(self, record: _Fn, args: _Args, kind: str) -> None:
        for item, item_env in self._listed(args, "initial_policy"):
            statement = self._object(item, item_env)
            if isinstance(statement, IamStatement):
                record.role.statements.append(
                    replace(statement, origin=f"initial_policy of {record.function.name}"))

    def _set_layers(self, record: _Fn, args: _Args, kind: str) -> None:
        record.function.layers.extend(self._layer(item, env) for item, env in
                                      self._listed(args, "layers"))

    def _layer(self, expr: cst.BaseExpression, env: _Env) -> Value:
        target, target_env, _, _ = self._deref(expr, env)
        if isinstance(target, cst.Call) and target_env is not None:
            qual = self._qual(target.func, target_env) or ""
            if qual.startswith(_LAMBDA + "LayerVersion.from_layer_version_arn"):
                arn = self._arguments(target, target_env).get("layer_version_arn", 2)
                if arn is not None:
                    return self._value(*arn)
        return self._value(expr, env)

    def _set_async(self, record: _Fn, args: _Args, kind: str) -> None:
        self._async_arguments(record.function.async_config, args)

    def _set_events(self, record: _Fn, args: _Args, kind: str) -> None:
        for item, env in self._listed(args, "events"):
            event = self._event_source(item, env)
            if event is not None:
                record.function.events.append(event)
