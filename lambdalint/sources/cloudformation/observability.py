"""What a template says about a function's tracing and logs (LL209, LL210).

Tracing: SAM ``Tracing`` (the function's, else ``Globals.Function.Tracing``), CloudFormation
``TracingConfig.Mode``. Logs: the ``AWS::Logs::LogGroup`` the function writes to, found by name:
``/aws/lambda/<function name>`` (the name written as a literal, ``!Ref``, ``!Sub`` or
``!Join``, compared in their ``!Sub`` form: ``!Sub /aws/lambda/${OrdersFunction}`` is the group of
``OrdersFunction``), or the group ``LoggingConfig.LogGroup`` names.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from lambdalint.model import Function, LogGroup, Value
from lambdalint.sources.cloudformation.intrinsics import (
    _as_dict,
    _intrinsic,
    _is_no_value,
    _pos,
    _sub_form,
)

LOG_GROUP = "AWS::Logs::LogGroup"
LAMBDA_LOG_PREFIX = "/aws/lambda/"


class _Observability:
    """Tracing and log-group facts of one function; a mixin of ``_Template``."""

    _log_groups: Optional[Dict[str, str]] = None

    def _tracing(self, props: Dict[Any, Any], sam: bool) -> Optional[Value]:
        if sam:
            node, container, _ = self.setting(props, "Tracing", sam)
            if container is not None:
                return self.value(node, _pos(container, "Tracing"))[0]
        config = _as_dict(props.get("TracingConfig"))
        if "Mode" in config and not _is_no_value(config["Mode"]):
            return self.value(config["Mode"], _pos(config, "Mode"))[0]
        return None

    def _groups_by_name(self) -> Dict[str, str]:
        """Every log group of the template by its name in ``!Sub`` form -> its logical id."""
        if self._log_groups is None:
            found: Dict[str, str] = {}
            for logical_id in self.ids_of(LOG_GROUP):
                name = self.properties(logical_id).get("LogGroupName")
                if name is not None and not _is_no_value(name):
                    found.setdefault(_sub_form(name), logical_id)
            self._log_groups = found
        return self._log_groups

    def _log_group_of(self, logical_id: str, props: Dict[Any, Any], sam: bool,
                      function: Function) -> Optional[LogGroup]:
        """The log group the function writes to, when the template defines or names it."""
        node, _, _ = self.setting(props, "LoggingConfig", sam)
        named = _as_dict(node).get("LogGroup")
        if named is not None and not _is_no_value(named):
            found = _intrinsic(named)
            if found is not None and found[0] == "Ref" and isinstance(found[1], str) \
                    and self.type_of(found[1]) == LOG_GROUP:
                return self._group(found[1])
            group_id = self._groups_by_name().get(_sub_form(named))
            if group_id is not None:
                return self._group(group_id)
            # A group made elsewhere (another stack, a parameter): its retention is not here.
            line = getattr(named, "line", function.line)
            return LogGroup(_sub_form(named), function.path, line, followed=False)
        names: List[str] = ["${%s}" % logical_id]
        written = props.get("FunctionName")
        if written is not None and not _is_no_value(written):
            names.append(_sub_form(written))
        groups = self._groups_by_name()
        for name in names:
            group_id = groups.get(LAMBDA_LOG_PREFIX + name)
            if group_id is not None:
                return self._group(group_id)
        return None

    def _group(self, logical_id: str) -> LogGroup:
        props = self.properties(logical_id)
        group = LogGroup(logical_id, self.path, self.line_of(logical_id))
        days = props.get("RetentionInDays")
        if days is not None and not _is_no_value(days):
            group.retention = self.value(days, _pos(props, "RetentionInDays"))[0]
        return group
