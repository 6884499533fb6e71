"""What a CDK app says about who can reach a function (LL215, LL216, LL218).

- URL: ``fn.add_function_url(auth_type=...)``, ``lambda_.FunctionUrl(self, id, function=fn,
  auth_type=...)`` (both ``AWS_IAM`` unless told: the CDK's default), ``lambda_.CfnUrl(...,
  auth_type=..., target_function_arn=fn.function_arn)``.
- Invoke permissions: ``fn.add_permission(id, principal=..., source_arn=..., ...)``,
  ``fn.grant_invoke(principal)`` / ``grant_invoke_url(principal)`` for a principal that is not an
  identity in the account (a ``ServicePrincipal``, ``AnyPrincipal``...: the CDK writes a
  resource-based permission, with no source), ``lambda_.CfnPermission(...)``. Event sources and
  integrations add their own scoped permissions: never here.
- VPC: the construct's ``vpc=`` (``vpc=None`` attaches nothing), with ``filesystem=`` (EFS).

``_Exposure`` is a mixin of ``_AppReader``; ``_set_exposure`` is one step of building a
function, the ``_do_*`` methods are in its ``METHODS`` table, ``_exposure_construct`` is called
for the constructors in ``CONSTRUCTS``.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from lambdalint.model import FunctionUrl, InvokePermission, Value, VpcAttachment
from lambdalint.sources.cdk.constructs import _IAM, _LAMBDA, _Fn
from lambdalint.sources.cdk.scope import _Env
from lambdalint.sources.cdk.values import _Args

CONSTRUCTS = (_LAMBDA + "FunctionUrl", _LAMBDA + "CfnUrl", _LAMBDA + "CfnPermission")
DEFAULT_AUTH = "AWS_IAM"  # aws_lambda.FunctionUrlAuthType: what add_function_url() gives

# Principals that are not identities of the account: granting one writes a resource-based
# permission. -> the principal as CloudFormation writes it ("" when it is the argument).
_PRINCIPALS = {
    _IAM + "AnyPrincipal": "*", _IAM + "StarPrincipal": "*", _IAM + "ServicePrincipal": "",
    _IAM + "AccountPrincipal": "", _IAM + "ArnPrincipal": "", _IAM + "OrganizationPrincipal": "*",
}



class _Exposure:
    """URL, invoke permissions and VPC of the app's functions."""

    def _set_exposure(self, record: _Fn, args: _Args, kind: str) -> None:
        given = args.get("vpc")
        if given is None:
            return
        found = self._const(*given)
        if found is not None and found.value is None:
            return  # vpc=None
        line, column, _, _ = self._span(given[0])
        vpc = VpcAttachment(f"vpc={self._text(given[0])}", self.display, line, column=column)
        mount = args.get("filesystem")
        if mount is not None:
            vpc.file_system = self._value(*mount)
        record.function.vpc = vpc

    # -- methods on a function

    def _do_add_function_url(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if isinstance(owner, _Fn) and owner.function.url is None:
            owner.function.url = self._url(call, self._arguments(call, env), "add_function_url")

    def _do_add_permission(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        args = self._arguments(call, env)
        permission = self._permission(call, args, "add_permission", "organization_id")
        if permission is not None:
            owner.function.invoke_permissions.append(permission)

    def _do_grant_invoke(self, owner: Any, call: cst.Call, env: _Env, method: str) -> None:
        if not isinstance(owner, _Fn):
            return
        given = self._arguments(call, env).get("grantee", 0)
        principal = self._principal(*given) if given else None
        if principal is None:
            return  # a role or user of the account: an identity policy, not this
        line, column, _, _ = self._span(call)
        action = "lambda:InvokeFunctionUrl" if method == "grant_invoke_url" \
            else "lambda:InvokeFunction"
        owner.function.invoke_permissions.append(InvokePermission(
            principal, method, self.display, line,
            action=Value(action, action, self.display, line, column)))

    # -- constructors

    def _exposure_construct(self, call: cst.Call, env: _Env, qual: str) -> None:
        args = self._arguments(call, env)
        name = qual.rsplit(".", 1)[1]
        key = {"FunctionUrl": "function", "CfnUrl": "target_function_arn",
               "CfnPermission": "function_name"}[name]
        given = args.get(key)
        if given is None:
            return
        owner = self._object(*given)  # function=fn, function=self.fn
        if not isinstance(owner, _Fn) and isinstance(given[0], cst.Attribute):
            owner = self._object(given[0].value, given[1])  # fn.function_arn, fn.function_name
        if not isinstance(owner, _Fn):
            return
        label = f"lambda_.{name} {self._construct_id(args, call)}"
        if name == "CfnPermission":
            permission = self._permission(call, args, label, "principal_org_id")
            if permission is not None:
                owner.function.invoke_permissions.append(permission)
        elif owner.function.url is None:
            owner.function.url = self._url(call, args, label)

    # -- values

    def _url(self, call: cst.Call, args: _Args, origin: str) -> FunctionUrl:
        line, column, _, _ = self._span(call)
        given = args.get("auth_type")
        if given is None:
            auth = Value(DEFAULT_AUTH, f"{DEFAULT_AUTH} (the CDK default)", self.display, line,
                         column)
        else:
            auth = self._member(*given, "FunctionUrlAuthType.")
        return FunctionUrl(auth, origin, self.display, auth.line if given else line)

    def _member(self, expr: cst.BaseExpression, env: _Env, enum: str) -> Value:
        """``lambda_.FunctionUrlAuthType.NONE`` read as ``NONE``; a string as itself."""
        value = self._value(expr, env)
        target, target_env, _, ambiguous = self._deref(expr, env)
        qual = self._qual(target, target_env) \
            if isinstance(target, cst.Attribute) and target_env is not None and not ambiguous \
            else None
        if qual and qual.startswith(_LAMBDA + enum):
            value.value = qual.rsplit(".", 1)[1]
            value.literal = True
        return value

    def _principal(self, expr: cst.BaseExpression, env: _Env) -> Optional[Value]:
        """A principal construct as CloudFormation writes it (``*``, ``s3.amazonaws.com``, an
        account), a string as itself; None for anything else (a role, a user)."""
        target, target_env, _, _ = self._deref(expr, env)
        if isinstance(target, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return self._value(expr, env)
        if not isinstance(target, cst.Call) or target_env is None:
            return None
        qual = self._qual(target.func, target_env) or ""
        if qual not in _PRINCIPALS:
            return None
        line, column, end_line, end_column = self._span(expr)
        written = _PRINCIPALS[qual]
        if written:
            return Value(written, self._text(expr), self.display, line, column, True, end_line,
                         end_column)
        inner = self._arguments(target, target_env).get("service", 0) or \
            self._arguments(target, target_env).get("account_id", 0) or \
            self._arguments(target, target_env).get("arn", 0)
        if inner is None:
            return Value(None, self._text(expr), self.display, line, column, False)
        value = self._value(*inner)
        value.text = self._text(expr)
        return value

    def _permission(self, call: cst.Call, args: _Args, origin: str,
                    org_key: str) -> Optional[InvokePermission]:
        given = args.get("principal")
        if given is None:
            return None
        principal = self._principal(*given)
        if principal is None:
            return None
        line, _, _, _ = self._span(call)

        def written(key: str) -> Optional[Value]:
            found = args.get(key)
            return self._member(*found, "FunctionUrlAuthType.") if found else None

        scoped_org = written(org_key)
        target, target_env, _, _ = self._deref(*given)
        if scoped_org is None and isinstance(target, cst.Call) and target_env is not None \
                and self._qual(target.func, target_env) == _IAM + "OrganizationPrincipal":
            scoped_org = principal  # the organization is the principal's own argument
        return InvokePermission(
            principal, origin, self.display, line, action=written("action"),
            source_arn=written("source_arn"), source_account=written("source_account"),
            principal_org_id=scoped_org, event_source_token=written("event_source_token"),
            url_auth_type=written("function_url_auth_type"))
