"""What a template says about who can reach a function (LL215, LL216, LL218).

- URL: SAM ``FunctionUrlConfig`` (the function's, else ``Globals.Function``), or an
  ``AWS::Lambda::Url`` whose ``TargetFunctionArn`` names the function (``!GetAtt Fn.Arn``,
  ``!Ref Fn``, an ARN or name ending in its ``FunctionName``).
- Invoke permissions: ``AWS::Lambda::Permission`` resources whose ``FunctionName`` names the
  function the same way. SAM's own permissions for ``Events`` are not resources of the template,
  so they are never here.
- VPC: ``VpcConfig`` (SAM: also ``Globals.Function.VpcConfig``), with the EFS mount
  (``FileSystemConfigs``) that needs it. A ``VpcConfig`` with an empty literal ``SubnetIds`` list
  attaches nothing; one chosen by ``!If`` (often ``!Ref AWS::NoValue`` in one branch) is not
  known to attach anything and is left out.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from lambdalint.model import Function, FunctionUrl, InvokePermission, Value, VpcAttachment
from lambdalint.sources.cloudformation.intrinsics import (
    _as_dict,
    _intrinsic,
    _is_no_value,
    _key_pos,
    _pos,
    _references,
    _short,
)

URL = "AWS::Lambda::Url"
PERMISSION = "AWS::Lambda::Permission"


# InvokePermission field -> the AWS::Lambda::Permission property that says it.
PERMISSION_KEYS = (("action", "Action"), ("source_arn", "SourceArn"),
                   ("source_account", "SourceAccount"), ("principal_org_id", "PrincipalOrgID"),
                   ("event_source_token", "EventSourceToken"),
                   ("url_auth_type", "FunctionUrlAuthType"))


def permission_of(principal: Value, origin: str, path: str, line: int,
                  written: Callable[[str], Optional[Value]]) -> InvokePermission:
    """An ``AWS::Lambda::Permission`` as the model holds it; ``written(key)`` reads one of its
    properties (None when not written)."""
    return InvokePermission(principal, origin, path, line,
                            **{field: written(key) for field, key in PERMISSION_KEYS})


class _Exposure:
    """URL, invoke permissions and VPC of one function; a mixin of ``_Template``."""

    def _exposure(self, logical_id: str, props: Dict[Any, Any], sam: bool,
                  function: Function) -> None:
        """Fill ``function.url``, ``invoke_permissions`` and ``vpc`` (one call from
        ``_Core.function``)."""
        for attribute, read in (
                ("url", lambda: self._sam_url(props, sam) or self._url_resource(logical_id, props)),
                ("invoke_permissions", lambda: self._permissions(logical_id, props)),
                ("vpc", lambda: self._vpc(props, sam))):
            try:
                setattr(function, attribute, read())
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
                continue  # an odd shape costs this fact, never the function

    # -- which resources name the function

    _targets: Optional[Dict[str, List[Tuple[str, Set[str], str]]]] = None

    def _naming(self, kind: str, key: str, logical_id: str,
                props: Dict[Any, Any]) -> List[str]:
        """The resources of ``kind`` whose ``key`` (``FunctionName``, ``TargetFunctionArn``)
        names this function: refers to its logical id, or is its written ``FunctionName`` (or
        an ARN ending in it). What each resource names is worked out once per template."""
        if self._targets is None:
            self._targets = {}
        if kind not in self._targets:
            found = []
            for rid in self.ids_of(kind):
                node = self.properties(rid).get(key)
                if node is None or _is_no_value(node):
                    continue
                name = node.rsplit(":function:", 1)[-1].split(":")[0] \
                    if isinstance(node, str) else ""
                found.append((rid, _references(node), name))
            self._targets[kind] = found
        written = props.get("FunctionName")
        written = str(written) if isinstance(written, str) else None
        return [rid for rid, refs, name in self._targets[kind]
                if logical_id in refs or (written is not None and name == written)]

    # -- URL

    def _sam_url(self, props: Dict[Any, Any], sam: bool) -> Optional[FunctionUrl]:
        if not sam:
            return None
        node, container, _ = self.setting(props, "FunctionUrlConfig", sam)
        if container is None:
            return None
        line = _key_pos(container, "FunctionUrlConfig")[0]
        config = _as_dict(node)
        if "AuthType" not in config:
            auth = Value(None, _short(node), self.path, line, literal=False)
        else:
            auth = self.value(config["AuthType"], _pos(config, "AuthType"))[0]
        return FunctionUrl(auth, "FunctionUrlConfig", self.path, line)

    def _url_resource(self, logical_id: str, props: Dict[Any, Any]) -> Optional[FunctionUrl]:
        for rid in self._naming(URL, "TargetFunctionArn", logical_id, props):
            url = self.properties(rid)
            line = self.line_of(rid)
            if "AuthType" in url:
                auth = self.value(url["AuthType"], _pos(url, "AuthType"))[0]
            else:
                auth = Value(None, "no AuthType", self.path, line, literal=False)
            return FunctionUrl(auth, f"{URL} {rid}", self.path, line)
        return None

    # -- invoke permissions

    def _permissions(self, logical_id: str, props: Dict[Any, Any]) -> List[InvokePermission]:
        found: List[InvokePermission] = []
        for rid in self._naming(PERMISSION, "FunctionName", logical_id, props):
            permission = self.properties(rid)
            if "Principal" not in permission or _is_no_value(permission["Principal"]):
                continue
            found.append(permission_of(
                self.value(permission["Principal"], _pos(permission, "Principal"))[0],
                f"{PERMISSION} {rid}", self.path, self.line_of(rid),
                lambda key: self._written(permission, key)))  # noqa: B023 - called at once
        return found

    def _written(self, props: Dict[Any, Any], key: str) -> Optional[Value]:
        if key not in props or _is_no_value(props[key]):
            return None
        return self.value(props[key], _pos(props, key))[0]

    # -- VPC

    def _vpc(self, props: Dict[Any, Any], sam: bool) -> Optional[VpcAttachment]:
        node, container, where = self.setting(props, "VpcConfig", sam)
        if container is None or _intrinsic(node) is not None:
            return None
        config = _as_dict(node)
        subnets = config.get("SubnetIds")
        if subnets is None or _is_no_value(subnets) or (isinstance(subnets, list) and not subnets):
            return None
        line, column = _key_pos(container, "VpcConfig")
        vpc = VpcAttachment("Globals.Function.VpcConfig" if where == "globals" else "VpcConfig",
                            self.path, line, column=column)
        mounts = props.get("FileSystemConfigs")
        if isinstance(mounts, list) and mounts:
            vpc.file_system = Value(None, "FileSystemConfigs", self.path,
                                    _key_pos(props, "FileSystemConfigs")[0], literal=False)
        return vpc

