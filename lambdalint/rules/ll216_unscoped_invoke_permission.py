"""LL216 unscoped-invoke-permission: a resource-based permission that lets anyone, or a service
acting for any account, invoke the function."""

from __future__ import annotations

from typing import Iterator, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, InvokePermission, Project, Value
from lambdalint.rules._wording import indent
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import RuleMeta

META = RuleMeta(
    id="LL216",
    name="unscoped-invoke-permission",
    severity="error",
    summary="An invoke permission for any principal, or for a service without a source ARN or "
            "account (confused deputy).",
    kind="config",
    tags=("security", "external/cwe/cwe-284", "external/cwe/cwe-441"),
    security_severity="7.0",
    reports="an invoke permission for `*` (error), a service principal without "
            "SourceArn/SourceAccount (warning), S3 without SourceAccount (note)",
    covers=("", "yes", "yes", "yes", "yes"),
)

# Service principals end so; anything else (an account id, an ARN) names who it trusts.
_SERVICE_SUFFIXES = (".amazonaws.com", ".amazon.com")
# Alexa skills scope their permission with a skill id token instead of a source ARN.
_TOKEN_SERVICES = ("alexa-appkit", "alexa-connectedhome")

CONFUSED_DEPUTY = ("Without a source, the service invokes the function for a request from any "
                   "resource, in any account, that names it (the confused deputy problem).")


def _text(value: Optional[Value]) -> str:
    if value is None:
        return ""
    return str(value.value).strip() if value.literal else ""


def _written(value: Optional[Value]) -> bool:
    """A scoping value that is set (a reference counts: it names something)."""
    return value is not None and (not value.literal or bool(_text(value)))


def _public_url(permission: InvokePermission) -> bool:
    """The permission a function URL with auth type NONE needs: LL215 reports the URL."""
    return _text(permission.url_auth_type).upper() == "NONE"


class UnscopedInvokePermission(ConfigRule):
    """A resource-based invoke permission is the function's front door: for ``*`` it is open to
    every AWS account; for a service with no source it is open to that service acting for anyone."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            for permission in function.invoke_permissions:
                yield self._judge(function, permission)

    def _judge(self, function: Function, permission: InvokePermission) -> Optional[Finding]:
        principal = permission.principal
        if not principal.literal or not isinstance(principal.value, str):
            return None
        who = principal.value.strip()
        scoped = _written(permission.source_arn) or _written(permission.source_account)
        if who == "*":
            if scoped or _written(permission.principal_org_id) or _public_url(permission):
                return None
            return self._anyone(function, permission)
        if not who.lower().endswith(_SERVICE_SUFFIXES):
            return None  # an account or a role: trusted by name
        service = who.split(".", 1)[0].lower()
        if service == "s3" and _written(permission.source_arn) \
                and not _written(permission.source_account):
            return self._bucket_owner(function, permission)
        if scoped:
            return None
        if service in _TOKEN_SERVICES and _written(permission.event_source_token):
            return None
        return self._service(function, permission, service)

    def _anyone(self, function: Function, permission: InvokePermission) -> Optional[Finding]:
        return self.finding_at(
            function, permission.principal,
            f"{permission.origin} lets any AWS principal (Principal: \"*\") invoke "
            f"{function.name}: anyone with an AWS account can call it",
            "Name who may invoke it: a service principal with the source resource it acts for, "
            "an account id, or keep \"*\" and limit it to your organization with its "
            "PrincipalOrgID (organization_id in the CDK). A function meant to be called from "
            "the internet belongs behind API Gateway or a function URL that checks its callers.",
            severity=Severity.ERROR)

    def _service(self, function: Function, permission: InvokePermission,
                 service: str) -> Optional[Finding]:
        dialect = dialect_of(function)
        return self.finding_at(
            function, permission.principal,
            f"{permission.origin} lets {permission.principal.value} invoke {function.name} "
            "with no SourceArn or SourceAccount: the service can invoke it on behalf of any "
            "resource in any account",
            f"Scope the permission to the resource that triggers it, and to your account:\n"
            f"{indent(dialect.permission_scope(service))}\n{CONFUSED_DEPUTY}",
            severity=Severity.WARNING)

    def _bucket_owner(self, function: Function,
                      permission: InvokePermission) -> Optional[Finding]:
        """S3 bucket ARNs hold no account: a bucket name freed by its owner can be taken by
        another account, whose bucket then matches the SourceArn."""
        return self.finding_at(
            function, permission.principal,
            f"{permission.origin} lets s3.amazonaws.com invoke {function.name} for a bucket "
            "ARN but no SourceAccount: a bucket ARN holds no account, so a bucket of that name "
            "in another account (once the name is free) matches it too",
            "Add the account that owns the bucket:\n"
            f"{indent(dialect_of(function).permission_scope('s3').splitlines()[-1])}",
            severity=Severity.NOTE)


Rule = UnscopedInvokePermission
