"""What a Serverless service says about who can reach a function (LL215, LL216, LL218).

- URL: the function's ``url``: ``true`` or a mapping is a URL; its auth type is ``AWS_IAM``
  when ``authorizer: aws_iam`` is written, else ``NONE`` (Serverless' default).
- Invoke permissions: ``AWS::Lambda::Permission`` resources in ``resources`` (the CloudFormation
  section) whose ``FunctionName`` names the function's generated logical id
  (``<Name>LambdaFunction``: first letter upper case, ``-`` written ``Dash``, ``_``
  ``Underscore``) or its deployed name. The permissions Serverless writes for ``events`` are its
  own and scoped: never here.
- VPC: the function's ``vpc``, else ``provider.vpc``, when it names subnets; an EFS mount is the
  function's ``fileSystemConfig``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from lambdalint.model import Function, FunctionUrl, InvokePermission, Value, VpcAttachment
from lambdalint.sources.cloudformation.exposure import permission_of
from lambdalint.sources.cloudformation.intrinsics import _references
from lambdalint.sources.serverless.values import _dict, _field
from lambdalint.sources.yamlload import YDict

PERMISSION = "AWS::Lambda::Permission"


def logical_id(name: str) -> str:
    """The logical id Serverless gives the function ``name`` in its template."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaFunction"


def _key_pos(mapping: Any, key: str, default: int) -> Tuple[int, int]:
    if isinstance(mapping, YDict):
        return mapping.key_positions.get(key, mapping.pos(key))
    return default, 1


def _key_line(mapping: Any, key: str, default: int) -> int:
    return _key_pos(mapping, key, default)[0]


class _Exposure:
    """URL, invoke permissions and VPC of one function; a mixin of ``_Service``."""

    def exposure(self, function: Function, name: str, spec: Dict[Any, Any]) -> None:
        """Fill ``function.url``, ``invoke_permissions`` and ``vpc`` (one call from
        ``read_function``)."""
        for attribute, read in (("url", lambda: self._url(spec, function.line)),
                                ("invoke_permissions", lambda: self._permissions(name, spec)),
                                ("vpc", lambda: self._vpc(spec))):
            try:
                setattr(function, attribute, read())
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
                continue  # an odd shape costs this fact, never the function

    def _url(self, spec: Dict[Any, Any], line: int) -> Optional[FunctionUrl]:
        url, url_line, url_column = _field(spec, "url")
        if url is None or url is False:
            return None
        key_line = _key_line(spec, "url", url_line or line)
        if url is True:
            auth = Value("NONE", "url: true (no authorizer: NONE)", self.path, url_line,
                         url_column)
            return FunctionUrl(auth, "url", self.path, key_line)
        config = _dict(url)
        if not config:
            return None
        written = self.field_value(config, "authorizer")
        if written is None:
            auth = Value("NONE", "url without authorizer (NONE)", self.path, key_line,
                         url_column)
        elif written.literal and str(written.value).strip().lower() == "aws_iam":
            auth = Value("AWS_IAM", written.text, written.path, written.line, written.column)
        else:
            auth = written
        return FunctionUrl(auth, "url", self.path, key_line)

    def _permissions(self, name: str, spec: Dict[Any, Any]) -> List[InvokePermission]:
        resources: Dict[Any, Any] = getattr(self, "resources", {}) or {}
        wanted = logical_id(name)
        deployed = self.field_value(spec, "name")
        found: List[InvokePermission] = []
        for rid, resource in resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != PERMISSION:
                continue
            props = _dict(resource.get("Properties"))
            target = props.get("FunctionName")
            named = isinstance(target, str) and deployed is not None and deployed.literal and \
                str(target).rsplit(":function:", 1)[-1].split(":")[0] == str(deployed.value)
            if not named and wanted not in _references(target):
                continue
            principal = self.field_value(props, "Principal")
            if principal is None:
                continue
            line = _key_line(resources, rid, getattr(resource, "line", 1))
            found.append(permission_of(
                principal, f"{PERMISSION} {rid}", self.path, line,
                lambda key: self.field_value(props, key)))  # noqa: B023 - called at once
        return found

    def _vpc(self, spec: Dict[Any, Any]) -> Optional[VpcAttachment]:
        for mapping, where in ((spec, "vpc"), (self.provider, "provider.vpc")):
            if "vpc" not in mapping:
                continue
            config = mapping.get("vpc")
            subnets = _dict(config).get("subnetIds")
            if not subnets:
                return None  # `vpc: ~` or no subnets: not attached (a function's own overrides)
            line, column = _key_pos(mapping, "vpc", 1)
            vpc = VpcAttachment(where, self.path, line, column=column)
            mount = _dict(spec.get("fileSystemConfig"))
            if mount:
                vpc.file_system = Value(None, "fileSystemConfig", self.path,
                                        _key_line(spec, "fileSystemConfig", vpc.line),
                                        literal=False)
            return vpc
        return None
