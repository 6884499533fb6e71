"""Calls that carry a credential without naming it: LL101's table of positional signatures.

Some client APIs take the password by position (``redis.Redis("h", 6379, 0, "pw")``,
``smtp.login("user", "pw")``), so no keyword says what the literal is. The table maps each such
callee to the positions of its credential parameters, and only the current positional API is
listed: PyMySQL's ``connect`` takes keywords only since 1.0, so it is not here.
Also here, the small AST readings LL101 shares between sites: a bytes literal decoded in place
(``b"..".decode()``), an environment read with a fallback, and module-level literal names.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

_BOTO3_CLIENT_KEYS = ((6, "aws_access_key_id"), (7, "aws_secret_access_key"),
                      (8, "aws_session_token"))
# callee attribute or name -> (required base module or None, ((index, parameter name), ...)).
# The parameter name is the one the checks classify (jwt's ``key`` is a signing key).
POSITIONAL_SECRETS: Dict[str, Tuple[Optional[Tuple[str, ...]], Tuple[Tuple[int, str], ...]]] = {
    "Redis": (None, ((3, "password"),)),  # redis.Redis(host, port, db, password)
    "StrictRedis": (None, ((3, "password"),)),
    "DB": (("pg",), ((5, "passwd"),)),  # PyGreSQL pg.DB(dbname, host, port, opt, user, passwd)
    "connect": (("pg",), ((5, "passwd"),)),
    "encode": (("jwt",), ((1, "signing_key"),)),  # PyJWT jwt.encode(payload, key, ...)
    "login": (None, ((1, "password"),)),  # smtplib/imaplib/ftplib .login(user, password)
    "HTTPBasicAuth": (None, ((1, "password"),)),  # requests.auth.HTTPBasicAuth(user, password)
    "HTTPDigestAuth": (None, ((1, "password"),)),
    "HTTPProxyAuth": (None, ((1, "password"),)),
    "BasicAuth": (None, ((1, "password"),)),  # aiohttp.BasicAuth(login, password)
    # boto3 client/resource(service_name, region_name, api_version, use_ssl, verify,
    # endpoint_url, aws_access_key_id, aws_secret_access_key, aws_session_token, config), on
    # boto3 or a Session; boto3.Session(aws_access_key_id, aws_secret_access_key, token, ...).
    "client": (None, _BOTO3_CLIENT_KEYS),
    "resource": (None, _BOTO3_CLIENT_KEYS),
    "Session": (("boto3", "session"), ((0, "aws_access_key_id"), (1, "aws_secret_access_key"),
                                       (2, "aws_session_token"))),
}

# Lower-case text one of the callees above needs: LL101's gate holds a copy (it may not import
# this module, which imports LibCST); a test checks the two agree.
GATE_WORDS = ("redis", "jwt", "login", "auth", "pg.", "session")


def _base_name(func: cst.BaseExpression) -> Optional[str]:
    """``pg`` of ``pg.DB``, ``redis`` of ``redis.Redis``; None for a bare name."""
    if isinstance(func, cst.Attribute):
        base = func.value
        if isinstance(base, cst.Name):
            return base.value
        if isinstance(base, cst.Attribute):
            return base.attr.value
    return None


def positional_secrets(func: cst.BaseExpression, attr: str,
                       count: int) -> List[Tuple[int, str]]:
    """The positions (below ``count``) of the credential parameters of this callee."""
    bases, params = POSITIONAL_SECRETS[attr]
    if bases is not None and _base_name(func) not in bases:
        return []
    return [(index, name) for index, name in params if index < count]


def reads_environment(func: cst.BaseExpression) -> bool:
    """``os.getenv``, ``getenv``, ``os.environ.get``, ``environ.get``: a read whose second
    argument is the literal used when the variable is missing."""
    if isinstance(func, cst.Name):
        return func.value == "getenv"
    if isinstance(func, cst.Attribute):
        if func.attr.value == "getenv":
            return True
        base = func.value
        name = base.attr.value if isinstance(base, cst.Attribute) else (
            base.value if isinstance(base, cst.Name) else "")
        return func.attr.value == "get" and name == "environ"
    return False


def decoded(value: cst.BaseExpression) -> cst.BaseExpression:
    """``b"..."`` for ``b"...".decode()`` / ``.decode("utf-8")``: the literal the code holds."""
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "decode"
            and isinstance(value.func.value, (cst.SimpleString, cst.ConcatenatedString))):
        return value.func.value
    return value


class _Literals(cst.CSTVisitor):
    """Counts the plain-name assignments of a module, in every scope, keeping string values."""

    def __init__(self) -> None:
        self.seen: Dict[str, int] = {}
        self.found: Dict[str, cst.BaseExpression] = {}

    def _bind(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        if isinstance(target, cst.Name):
            self.seen[target.value] = self.seen.get(target.value, 0) + 1
            if value is not None and isinstance(decoded(value), (cst.SimpleString,
                                                                 cst.ConcatenatedString)):
                self.found[target.value] = decoded(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name, None)  # a parameter of that name: the value is the caller's

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)


def module_literals(module: cst.Module) -> Dict[str, cst.BaseExpression]:
    """Names bound exactly once in the whole module (any scope), to a string literal:
    ``access_key = "..."`` before ``boto3.client(aws_access_key_id=access_key)``."""
    literals = _Literals()
    module.visit(literals)
    return {name: value for name, value in literals.found.items() if literals.seen[name] == 1}
