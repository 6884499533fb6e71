"""LL215 public-function-url: a function URL with auth type NONE, whose handler code does not
verify a signature or a token."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, FunctionUrl, Project
from lambdalint.rules._linked_code import first_used, imports_of
from lambdalint.rules._wording import indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL215",
    name="public-function-url",
    severity="warning",
    summary="A function URL with auth type NONE: anyone on the internet can invoke the function.",
    kind="config",
    options=(
        Option("verifiers", "list", [],
               "More modules whose import by the handler file means it checks a signature or "
               "token itself (your own auth module), so its public URL is not reported."),
    ),
    tags=("security", "external/cwe/cwe-306"),
    security_severity="6.5",
    reports="a function URL with auth type NONE, in code that verifies no signature or token",
    covers=("", "yes", "yes", "yes", "yes"),
)

# Imports that mean the handler checks who calls it: a JWT or JOSE library, a webhook
# signature (HMAC, Ed25519), or a vendor SDK's request verifier. Dotted module prefixes: an
# import of the module or of anything in it counts.
VERIFIERS: Tuple[str, ...] = (
    "jwt",  # PyJWT (jwt.decode verifies the signature)
    "jose",  # python-jose
    "jwcrypto",
    "joserfc",
    "authlib.jose",
    "cognitojwt",
    "okta_jwt_verifier",
    "google.oauth2.id_token",
    "firebase_admin.auth",
    "hmac",  # hmac.compare_digest of a webhook's HMAC signature (GitHub, Shopify...)
    "nacl.signing",  # Ed25519 request signatures (Discord interactions)
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "discord_interactions",
    "slack_sdk.signature",
    "slack_bolt",  # verifies Slack's request signature by default
    "twilio.request_validator",
    "svix",
    "stripe",  # stripe.Webhook.construct_event checks the Stripe-Signature header
)

WHY = ("Anyone who learns the URL can call it, as often as they like: each call runs, and is "
       "billed to, your account, and the handler's work and data are open to the internet.")


def _public(url: FunctionUrl) -> bool:
    auth = url.auth_type
    return auth.literal and isinstance(auth.value, str) and auth.value.strip().upper() == "NONE"


class PublicFunctionUrl(ConfigRule):
    """A function URL whose auth type is NONE takes requests from anyone: unless the handler
    checks a signature or a token, the function is an open endpoint."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        verifiers = VERIFIERS + tuple(str(v) for v in self.options.get("verifiers", []) or [])
        # One URL setting shared by several functions (SAM Globals) is one finding there.
        at: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            url = function.url
            if url is None or function.ignores(self.ID) or not _public(url):
                continue
            imported = imports_of(function, project)
            if imported is not None and first_used(imported, verifiers) is not None:
                continue
            at.setdefault((url.auth_type.path, url.auth_type.line), []).append(function)
        for functions in at.values():
            yield self._public(functions, project)

    def _public(self, functions: List[Function], project: Project) -> Optional[Finding]:
        first = functions[0]
        url = first.url
        assert url is not None
        one = len(functions) == 1
        code = ("its handler code verifies no signature or token"
                if one and imports_of(first, project) is not None
                else "lambdalint sees no handler code that verifies a signature or token")
        dialect = dialect_of(first)
        return self.finding_at(
            first if one else None, url.auth_type,
            f"{names(functions)} {'has a' if one else 'have'} function URL"
            f"{'' if one else 's'} with auth type NONE ({url.origin}), and {code}: anyone on "
            "the internet can invoke "
            f"{'it' if one else 'them'}",
            f"Require IAM authentication (callers sign requests with SigV4; CloudFront reaches "
            f"it through origin access control):\n{indent(dialect.url_auth_setting(first))}\n"
            "If the URL must be public (a webhook, a public API), verify the caller in the "
            "handler: a webhook's HMAC signature (hmac.compare_digest), a JWT (PyJWT, "
            "python-jose), an Ed25519 signature (nacl.signing), or the vendor SDK's verifier "
            "(slack_sdk.signature, stripe.Webhook); and cap what a flood costs with reserved "
            f"concurrency.\n{WHY}")


Rule = PublicFunctionUrl
