"""LL101 hardcoded-credential: a password, token, key or AWS credential written into the code.

Two cheap passes over the same traversal. Binding sites (assignments, keyword arguments, dict
entries, parameter defaults, comparisons) are judged by name first, from a cache, and only a
secret-like name makes the rule read the string. Every other string literal is judged by its
shape alone (AWS key ids, private key blocks, URLs with a password...), after a one-regex hint.
The decisions themselves live in ``lambdalint.secrets``, shared with LL204.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from lambdalint import secrets
from lambdalint.rules._credential_calls import (POSITIONAL_SECRETS, decoded as _decoded,
                                                module_literals, positional_secrets,
                                                reads_environment as _reads_environment)
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import Option, RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL101",
    name="hardcoded-credential",
    severity="error",
    summary="A credential, password or key is written into the code.",
    kind="python",
    options=(
        Option("extra-secret-names", "list", [],
               "more variable/key name fragments that mark a secret"),
        Option("allowed-values", "list", [],
               "literal values never reported (known test fixtures)"),
    ),
    tags=("security", "external/cwe/cwe-798"),
    security_severity="9.0",
    yields_to=("LL204",),
    reports="AWS keys, passwords, tokens, private keys and URLs with passwords written into code",
    covers=("yes", "inline code", "", "", "app code"),
)


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL101 cannot report in the file (see ``prefilter``): no secret-like word, no
    configured name fragment and no credential's shape, in the text or in what its strings and
    names spell once escapes and concatenation are resolved."""
    from lambdalint.secrets import PREFIX_HINT, SECRET_WORDS, SHAPE_HINT, squash

    # Lower-case text a callee of the positional table (rules/_credential_calls.py) needs:
    # HTTPBasicAuth and auth= hold "auth", pg.DB "pg.", boto3.Session "session". Written here:
    # that module imports LibCST.
    # Not "boto3" (every handler has it): keys passed to boto3 by position are AWS key ids.
    positional_words = ("redis", "jwt", "login", "auth", "pg.", "session")

    configured = [str(e) for e in options.get("extra-secret-names", ()) or ()]
    extra = [squash(e) for e in configured]
    if any(e == "" for e in extra):
        return True
    if text.is_test_path:
        # In a test file LL101 judges no name, only strings by their shape (strong shapes).
        if not (PREFIX_HINT.search(text.text) or PREFIX_HINT.search(text.strings_and_names)):
            return False
    else:
        def hit(candidate: str) -> bool:
            lowered = candidate.lower()
            if any(word in lowered for word in SECRET_WORDS) or SHAPE_HINT.search(candidate):
                return True
            if any(word in lowered for word in positional_words):
                return True  # a positional credential (redis.Redis(h, p, 0, "pw"))
            return bool(extra) and any(e in squash(candidate) for e in extra)

        if not (hit(text.text) or hit(text.strings_and_names)):
            return False
    if text.tree is None:
        return True
    # The words are in nearly every handler: ask what the rule would, on the ast tree.
    from lambdalint.analysis.secret_sites import may_report

    return may_report(text.tree, text.text, configured, text.is_test_path)


_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_STRING_PARTS = (cst.ConcatenatedString, cst.BinaryOperation, cst.FormattedString)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SETTERS = frozenset({"setdefault", "putenv"})
_GETTERS = frozenset({"getenv", "get", "environ_get"})
_MAX_DISPLAY = 60

# Environment variable names for a secret found by shape alone, with no name in the code.
_DEFAULT_ENV = {
    "private key": "PRIVATE_KEY",
    "GitHub token": "GITHUB_TOKEN",
    "Slack token": "SLACK_TOKEN",
    "Slack webhook URL": "SLACK_WEBHOOK_URL",
    "Stripe live secret key": "STRIPE_API_KEY",
    "SendGrid API key": "SENDGRID_API_KEY",
}
_URL_ENV = {"redis": "REDIS_URL", "rediss": "REDIS_URL", "mongodb": "MONGODB_URI",
            "mongodb+srv": "MONGODB_URI", "amqp": "BROKER_URL", "amqps": "BROKER_URL"}


def literal_text(node: cst.SimpleString) -> str:
    """The value of a string literal; bytes as latin-1. Escapes are decoded only when present."""
    raw = node.value
    start = len(node.prefix) + len(node.quote)
    body = raw[start:len(raw) - len(node.quote)]
    if "\\" not in body or "r" in node.prefix.lower():
        return body
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes warn; the value is still usable
            value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return body
    return value.decode("latin-1") if isinstance(value, bytes) else value


@dataclass
class _Strings:
    """A string expression flattened: its text, whether code runs inside it, and its nodes."""

    text: str
    dynamic: bool
    has_literal: bool
    nodes: List[cst.CSTNode]


def flatten(node: cst.BaseExpression) -> _Strings:
    """Literals, implicit concatenation, ``+`` chains and f-strings as one text; any expression
    inside (``{host}``, ``+ password``) becomes ``{}``, which the checks read as a template."""
    texts: List[str] = []
    nodes: List[cst.CSTNode] = []
    dynamic = False
    has_literal = False
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.SimpleString):
            texts.append(literal_text(current))
            nodes.append(current)
            has_literal = True
        elif isinstance(current, cst.ConcatenatedString):
            nodes.append(current)
            stack.append(current.right)
            stack.append(current.left)
        elif isinstance(current, cst.FormattedString):
            nodes.append(current)
            has_literal = True
            for part in current.parts:
                if isinstance(part, cst.FormattedStringText):
                    texts.append(part.value)
                else:
                    texts.append("{}")
                    dynamic = True
        elif isinstance(current, cst.BinaryOperation) and isinstance(current.operator, cst.Add):
            nodes.append(current)
            stack.append(current.right)
            stack.append(current.left)
        else:
            texts.append("{}")
            dynamic = True
    return _Strings("".join(texts), dynamic, has_literal, nodes)


def _string_key(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        return literal_text(node)
    return None


def _target_name(target: cst.BaseExpression) -> Optional[str]:
    """The name a target binds: ``DB_PASSWORD``, ``self.api_key`` -> api_key,
    ``config["password"]`` -> password."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            return _string_key(index.value)
    return None


def _env_name(name: Optional[str], kind: str, masked: str) -> str:
    """``DB_PASSWORD`` -> DB_PASSWORD, ``apiKey`` -> API_KEY, ``x-api-key`` -> X_API_KEY."""
    base = name.rpartition(".")[2] if name else ""
    base = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base)
    base = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_").upper()
    if base and not base[0].isdigit():
        return base
    if kind.startswith("connection URL"):
        scheme = masked.partition("://")[0].lower()
        return _URL_ENV.get(scheme, "DATABASE_URL")
    return _DEFAULT_ENV.get(kind, "SECRET_VALUE")


@dataclass
class _Site:
    """Where the literal sits: how it is bound, to what name, and the code to rebuild the line."""

    how: str  # assign, keyword, dict, param, compare, setenv, fallback, positional, auth, literal
    name: Optional[str] = None
    code: str = ""  # the target / key / other operand, as written


class HardcodedCredential(PythonRule):
    """A credential, password or key is written into the code.

    Anyone who can read the repository, the deployment package or a stack trace can use it,
    and it cannot be rotated without a release. Reports AWS access keys anywhere; passwords,
    tokens, API keys and secrets bound to secret-like names; private key blocks; connection URLs
    with an inline password. Placeholders, references (ARNs, secret names) and values read at run
    time are not reported.
    """

    ID = META.id
    VALID = (
        'import os\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n',
        'import os as o\napi_key = o.getenv("API_KEY")\n',
        'SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"\n'
        'secret_name = "prod/db"\n',
        'TOKEN_TYPE = "Bearer"\npassword_field = "password"\nPASSWORD_MIN_LENGTH = 8\n',
        'DB_PASSWORD = ""\nAPI_KEY = "<your-api-key>"\nTOKEN = "${TOKEN}"\nPASSWORD = "changeme"\n',
        # Not a value: references and templates.
        'DB_PASSWORD = "{{resolve:secretsmanager:prod/db:SecretString:password}}"\n'
        'API_TOKEN = "{{ api_token }}"\nSMTP_PASSWORD = "%(smtp_password)s"\n'
        'password = "<password>"\nDB_SECRET = "!Ref DbSecret"\n'
        'DB_SECRET_ID = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"\n',
        # Not a value: instructions to the reader.
        'API_KEY = "your-api-key-here"\nSECRET_KEY = "changeme"\nTOKEN = "xxxxxxxx"\n'
        'password = "****"\nSLACK_TOKEN = "INSERT_TOKEN_HERE"\n',
        # Not a value by type: numbers, token types, paths, URLs without userinfo, env var names.
        'PASSWORD_MIN_LENGTH = 12\nTOKEN_TYPE = "Bearer"\nPRIVATE_KEY = "/var/task/key.pem"\n'
        'TOKEN_URL = "https://auth.internal/oauth2/token"\nDB_PASSWORD = "DB_PASSWORD_PARAM"\n'
        'FIELD_TYPES = {"password": "SecureString", "token": "write_only"}\n',
        # Named for what it points at, not holding it; the field's name as its value.
        'SECRET_NAME_FOR_DB = "prod/db"\nfields = {"password": "password", "api_key": "apiKey"}\n',
        # A weak-looking value under "pass" / "pwd" that is no password: a compiler pass, a dir.
        'first_pass = "tokenize"\npwd = "/home/app"\n',
        # PyMySQL's connect takes keywords only: no positional signature to read.
        'import pymysql\nconn = pymysql.connect(host="db.internal", user="app")\n'
        'value = "not a secret"\nprint(value)\n',
        # Seen in botocore and moto (the third-party corpus): a field name as the value, a mocked
        # STS response with AWS's example key, made-up fixture values.
        "ACCESS_KEY = 'AWSAccessKeyId'\nSECRET_KEY = 'AWSSecretKey'\n"
        'RESULT = {"Credentials": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE",\n'
        '                          "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"}}\n'
        'FAKE = {"AccessKeyId": "TESTACCESSKEY12345", "SecretKey": "ABCSECRETKEY",\n'
        '        "SessionToken": "ABC12345"}\n',
        # A connection URL to a container's default, not to a real endpoint.
        'LOCAL = "postgresql://postgres:postgres@db:5432/app"\n',
        'def handler(event, context):\n    return page(NextToken="eyJ2IjoxLCJrIjoiYWJjIn0x")\n',
        'LOCAL_DB = "postgresql://postgres:postgres@localhost:5432/dev"\n',
        # Measured on peers' fixtures and the library corpus (bench/credentials.py): a phrase
        # that says it is no key (semgrep's ok marker), an enum value under a name that says
        # "no password" (moto), a passphrase-like sentence outside a comparison.
        'import boto3\ns3 = boto3.client("s3", aws_access_key_id="this-is-not-a-key")\n'
        'class AuthenticationTypes:\n    NOPASSWORD = "no-password-required"\n'
        'password = "Please type it twice"\n',
        # Templates, well formed (detect-secrets' fixtures hold the malformed kind); a value
        # glued from fixture words ("somefakekey", detect-secrets' excluded keyword).
        'DB_URL = "postgresql://{user}:{password}@{host}/orders"\n'
        'API_TOKEN = "${self:custom.${opt:stage}.token}"\nPASSWORD = "somefakekey"\n',
    )
    INVALID = (
        'DB_PASSWORD = "Vq8#zL2m!x"\n',
        'import boto3\n\ns3 = boto3.client("s3", aws_access_key_id="AKIA2E3MQ4R5T6Y7U2I3")\n',
        'class Client:\n    def __init__(self):\n        self.api_key = "k3y-9f8a7b6c5d4e"\n',
        'HEADERS = {"x-api-key": "a9F3kq0Zt7Lm2Pw8"}\n',
        'DSN = "mysql://app:Vf83kdm2q@prod.cluster-abc.eu-west-1.rds.amazonaws.com/app"\n',
        'def connect(password="Tr0ub4dor&3"):\n    pass\n',
        'def handler(event, context):\n'
        '    return call(aws_secret_access_key="Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q")\n',
        # A key id the raw text does not spell: the gate reads what the strings evaluate to.
        'ID = "AK" + "IA2E3MQ4R5T6Y7U2I3"\n',
        # A weak password word between others (DB_PW_PROD).
        'DB_PW_PROD = "Vq8#zL2m!x9"\n',
        # Weak but real passwords under credential names: the worst kind.
        'db_pass = "maria2019"\nSMTP_PASSWORD = "secret"\nSECRET_KEY = "banana"\n'
        'CFG = {"pwd": "4321"}\n',
        # bandit's own examples: a word compared with a password, a default, a passphrase.
        'def login(user, password="Admin"):\n    if password == "root":\n        return True\n'
        'passphrase = "1234"\n',
        # A common word as the password of a real endpoint.
        'DSN = "postgresql://app:password@orders.abc123.eu-west-1.rds.amazonaws.com/orders"\n',
        # AWS's documentation keys: the pattern (long-term keys in code) is the defect.
        'import boto3\ns3 = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",\n'
        '                  aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")\n',
        # Credential words inside names, and in keys of dicts, dict(), app.config[...], update().
        'the_password_for_smtp = "hunter22"\nuserPasswordValue = "hunter22"\n'
        'SIGNING_SECRET_V2 = "k9-signing"\n',
        'app.config["SECRET_KEY"] = "kiwi-fruit"\nsettings.update({"api_token": "abcd1234"})\n'
        'creds = dict(password="plum42")\n',
        # Literal fallbacks of environment reads.
        'import os\nDB = os.getenv("DB_PASS", "s3cure-ish")\n'
        'KEY = os.environ.get("API_KEY", "fallback99")\n',
        # Secrets inside strings: query strings, connection strings, headers.
        'URL = "https://api.internal/report?user=ops&pwd=Zq81kd"\n'
        'CONN = "Server=db.prod;Database=orders;User Id=sa;Password=maria2019;"\n'
        'HEADER = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x"\n',
        # Positional credentials from the signature table.
        'import jwt, redis, smtplib\nr = redis.Redis("cache.internal", 6379, 0, "r3dis-pw")\n'
        't = jwt.encode({"sub": 1}, "jwt-key-1")\n'
        'smtplib.SMTP("smtp.internal").login("ops", "mailpw1")\n',
        'import requests\nfrom requests.auth import HTTPBasicAuth\n'
        'requests.get("https://api.internal", auth=("user", "pw12345"))\n'
        'requests.get("https://api.internal", auth=HTTPBasicAuth("u", "basicpw9"))\n',
        # A neutral name carrying a literal into a credential argument; bytes decoded; escapes.
        'import boto3\nvalue = "Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q"\n'
        'c = boto3.client("s3", aws_secret_access_key=value)\n',
        'DB_PASSWORD = b"bytes-pw1".decode()\nAPI_TOKEN = "tok\\x2d9f8a7b"\n',
        # Found missing on peers' fixtures (bench/credentials.py):
        # AWS's example key under access_key (checkov's secrets fixtures);
        'access_key = "AKIAIOSFODNN7EXAMPLE"\n',
        # weak values that do not repeat their name's secret word (bandit, semgrep's jwt);
        'import jwt\nemail_pwd = "mails_secret"\nSIGNER = "this-is-secret"\n'
        'token = jwt.encode({"sub": 1}, SIGNER)\n',
        # a repeated letter, and a key written with escapes (semgrep's Flask fixture);
        'app.config.update(SECRET_KEY="aaaa")\n'
        'app.config["SECRET_KEY"] = \'q7#Lz"W2\\n\\xa9]/k\'\n',
        # every secret of a tuple (detect-secrets); a passphrase a password is compared with
        # (bandit); PyGreSQL's positional password.
        'SUPER_SECRET_VALUES = ("5f0c2a9e81d3b7a4", "c81e728d9d4c2f63")\n'
        'def check(user):\n    return user.password == "open the vault"\n',
        'import pg\ndb = pg.DB("orders", "db.internal", 5432, None, "app", "pgpass77")\n',
        # A password made of symbols that looks like template syntax but is none, and a key
        # without digits compared in the code (detect-secrets' keyword fixtures).
        'API_KEY = "q{{z}k)w${r]tal(ud[lo>-_$#wynd}}"\n'
        'def allowed(api_key):\n    return api_key == "w{{t}u)b${x]pol(is}}"\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._extra: Tuple[str, ...] = tuple(self.options.get("extra-secret-names", ()))
        self._allowed = frozenset(self.options.get("allowed-values", ()))
        self._test_file = ctx.handlers.is_test_file
        self._done: Set[int] = set()  # ids of string nodes already judged
        self._docstrings: Set[int] = set()
        # Module-level names bound once to a string literal: the value a neutral name carries
        # into a credential argument (``value = "..."; client(aws_secret_access_key=value)``).
        self._module_literals: Dict[str, cst.BaseExpression] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._module_literals = module_literals(node)

    # -- binding sites: a secret-like name bound to a literal ----------------------------------

    def visit_Assign(self, node: Union[cst.Assign, cst.AnnAssign]) -> None:
        for target, value in self.assigned_targets(node):
            self._bind(target, value)

    visit_AnnAssign = visit_Assign

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            if (isinstance(value, (cst.Tuple, cst.List))
                    and len(value.elements) == len(target.elements)):
                for t, v in zip(target.elements, value.elements):
                    if cst.StarredElement not in (type(t), type(v)):
                        self._bind(t.value, v.value)
            return
        name = _target_name(target)
        if name is None:
            return
        if isinstance(value, (cst.Tuple, cst.List)):  # SECRET_VALUES = ("...", "..."): each one
            for element in value.elements:
                if not isinstance(element, cst.StarredElement):
                    self._check_binding(name, element.value, "assign", target)
            return
        self._check_binding(name, value, "assign", target)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._check_binding(node.keyword.value, node.value, "keyword", node.keyword)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        name = _string_key(node.key)
        if name is not None:
            self._check_binding(name, node.value, "dict", node.key)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._check_binding(node.name.value, node.default, "param", node.name)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left] + [c.comparator for c in node.comparisons]
        for i, comparison in enumerate(node.comparisons):
            if not isinstance(comparison.operator, (cst.Equal, cst.NotEqual)):
                continue
            for named, other in ((operands[i], operands[i + 1]), (operands[i + 1], operands[i])):
                if isinstance(other, _STRINGS) and not isinstance(named, _STRINGS):
                    name = _target_name(named)
                    if name is not None:
                        self._check_binding(name, other, "compare", named)

    def visit_Call(self, node: cst.Call) -> None:
        """``os.environ.setdefault("DB_PASSWORD", "...")``, ``os.putenv(...)``; the literal
        fallback of ``os.getenv("DB_PASS", "...")`` / ``os.environ.get(...)``; a positional
        credential of an API in the signature table (``redis.Redis(h, p, 0, "pw")``)."""
        func = node.func
        attr = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else "")
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if attr in _SETTERS and len(node.args) == 2 and node.args[0].keyword is None:
            name = _string_key(node.args[0].value)
            if name is not None:
                self._check_binding(name, node.args[1].value, "setenv", node.args[0].value)
        elif attr in _GETTERS and len(positional) == 2 and _reads_environment(func):
            name = _string_key(positional[0].value)
            if name is not None:
                self._check_binding(name, positional[1].value, "fallback", positional[0].value)
        elif attr in POSITIONAL_SECRETS:
            for index, param in positional_secrets(func, attr, len(positional)):
                self._check_binding(param, positional[index].value, "positional", func)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "auth" and isinstance(
                    arg.value, cst.Tuple) and len(arg.value.elements) == 2:
                self._check_binding("password", arg.value.elements[1].value, "auth", arg.keyword)

    def _check_binding(self, name: str, value: cst.BaseExpression, how: str,
                       target: cst.CSTNode) -> None:
        value = _decoded(value)
        if self._test_file:
            return
        if isinstance(value, cst.Name) and how in ("keyword", "positional", "auth"):
            value = self._module_literals.get(value.value, value)  # value = "..."; f(key=value)
        if not isinstance(value, _STRINGS + (cst.BinaryOperation,)):
            return
        if (secrets.secret_category(name, self._extra) is None
                and not secrets.is_aws_key_name(name)):
            return  # the literal visits still look at the value's shape
        if id(value) in self._done:
            return
        flat = flatten(value)
        if flat.dynamic or not flat.has_literal:
            return  # built at run time; shapes inside are still checked per literal
        kind = secrets.classify(name, flat.text, self._extra, compared=how == "compare")
        if kind is None and flat.text not in self._allowed:
            # Not judged yet for good: the same literal may reach a credential argument through
            # a neutral name (access_key = "..."; client(aws_access_key_id=access_key)).
            return
        self._done.update(id(n) for n in flat.nodes)
        if kind is None or flat.text in self._allowed:
            return
        if how == "compare" and kind != "password" and not (
                any(c.isdigit() for c in flat.text) and any(c.isalpha() for c in flat.text)
                or secrets.looks_random(flat.text)):
            return  # token == "#group", key == "up": dispatch, not a check
        found = secrets.find_credential(flat.text)
        if found is not None and found.text in self._allowed:
            return
        masked = found.masked if found is not None else secrets.mask(flat.text)
        if kind == secrets.AWS_EXAMPLE:
            if how == "dict" and "aws" not in secrets.squash(name):
                return  # {"AccessKeyId": ...}: a (mocked) API response, not keys passed in
            masked = secrets.mask_prefix(flat.text)
        self._emit(value, kind, masked, _Site(how, name, self._code(target)))

    # -- every other string: credentials by shape -----------------------------------------------

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self._docstrings.add(id(node.value))  # docstrings document URLs; keys still count

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._done or not secrets.SHAPE_HINT.search(node.value):
            return
        self._check_shape(node, literal_text(node))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_flat(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check_flat(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Add):
            self._check_flat(node)

    def _check_flat(self, node: cst.BaseExpression) -> None:
        if id(node) in self._done:
            return
        flat = flatten(node)
        self._done.update(id(n) for n in flat.nodes)
        if flat.has_literal and secrets.SHAPE_HINT.search(flat.text):
            self._check_shape(node, flat.text)

    def _check_shape(self, node: cst.BaseExpression, text: str) -> None:
        found = secrets.find_credential(text, strong_only=self._test_file,
                                        urls=id(node) not in self._docstrings)
        if found is None or text in self._allowed or found.text in self._allowed:
            return
        self._emit(node, found.kind, found.masked, self._site_of(node))

    def _site_of(self, node: cst.CSTNode) -> _Site:
        """How a literal found by shape is bound, to name it in the message; looked up only
        for a finding, so the parent walk costs nothing on clean files."""
        child = node
        parent = self.parent(child)
        while isinstance(parent, _STRING_PARTS):
            child, parent = parent, self.parent(parent)
        if isinstance(parent, cst.Assign) and parent.value is child and len(parent.targets) == 1:
            target = parent.targets[0].target
            if _target_name(target) is not None:
                return _Site("assign", _target_name(target), self._code(target))
        if isinstance(parent, cst.AnnAssign) and parent.value is child:
            if _target_name(parent.target) is not None:
                return _Site("assign", _target_name(parent.target), self._code(parent.target))
        if isinstance(parent, cst.Arg) and parent.keyword is not None:
            return _Site("keyword", parent.keyword.value, parent.keyword.value)
        if isinstance(parent, cst.DictElement) and parent.value is child:
            key = _string_key(parent.key)
            if key is not None:
                return _Site("dict", key, self._code(parent.key))
        if isinstance(parent, cst.Param) and parent.default is child:
            return _Site("param", parent.name.value, parent.name.value)
        return _Site("literal")

    # -- the finding ----------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        try:
            code = self.ctx.file.module.code_for_node(node).strip()
        except Exception:  # pragma: no cover - code generation of a parsed node does not fail
            return ""
        return code if len(code) <= _MAX_DISPLAY and "\n" not in code else ""

    def _emit(self, node: cst.CSTNode, kind: str, masked: str, site: _Site) -> None:
        shown = site.code or site.name or ""
        if site.how == "assign" and shown:
            where = f"{shown} is assigned"
        elif site.how == "keyword":
            where = f"keyword argument {site.name}= gets"
        elif site.how == "dict":
            where = f"dict key {site.code or repr(site.name)} holds"
        elif site.how == "param":
            where = f"parameter {site.name} defaults to"
        elif site.how == "compare" and shown:
            where = f"{shown} is compared with"
        elif site.how == "setenv":
            where = f"environment variable {site.name} is set to"
        elif site.how == "fallback":
            where = f"the fallback of environment variable {site.name} is"
        elif site.how == "positional":
            where = f"the {site.name} argument of {site.code or 'the call'} gets"
        elif site.how == "auth":
            where = "the password of auth= is"
        else:
            where = "string literal holds"
        if kind == secrets.AWS_EXAMPLE:
            message = f"{where} AWS's example key ({masked}): {secrets.AWS_EXAMPLE_ADVICE}"
        else:
            message = f"{where} a hardcoded {kind} ({masked})"
        self.report(node, message, self._suggestion(kind, masked, site))

    def _suggestion(self, kind: str, masked: str, site: _Site) -> str:
        words = [w.lower() for w in _WORD.findall(site.name or "")]
        if kind.startswith("AWS") or "aws" in words:
            role = ("Remove the key from the code: in Lambda, boto3 signs requests with the "
                    "execution role's temporary credentials, so create clients without keys, "
                    "e.g. boto3.client(\"s3\"), and grant the role the permissions it needs.")
            if kind == secrets.AWS_EXAMPLE:
                return role + ("\nA real key written the same way would be in the repository "
                               "history and the deployment package.")
            return role + "\nDeactivate this key in IAM now: it stays in the repository history."
        env = _env_name(site.name, kind, masked)
        arn_env = (env[:-len("_SECRET")] if env.endswith("_SECRET") else env) + "_SECRET_ARN"
        from_env = f'os.environ["{env}"]'
        from_sm = ('secrets_client.get_secret_value('
                   f'SecretId=os.environ["{arn_env}"])["SecretString"]')

        def line(expr: str) -> str:
            if site.how == "assign" and site.code:
                return f"{site.code} = {expr}"
            if site.how in ("keyword", "param"):
                return f"{site.name}={expr}"
            if site.how == "dict" and site.code:
                return f"{site.code}: {expr}"
            if site.how == "compare" and site.code:
                return f"hmac.compare_digest({site.code}, {expr})"
            if site.how == "setenv":
                return f'os.environ["{site.name}"] = {expr}'
            return expr

        secrets_manager = ("with the client created once at module scope:\n"
                           f'    secrets_client = boto3.client("secretsmanager")\n'
                           f"    {line(from_sm)}\n")
        closing = "Then rotate the exposed value: it stays in the repository history."
        if site.how == "fallback":
            return (f'Drop the fallback: read os.environ["{site.name}"], so a missing variable '
                    "fails at start instead of running with a secret from the code.\n" + closing)
        if site.how == "setenv" or (site.how == "assign" and "environ" in site.code):
            return "Read it from Secrets Manager instead, " + secrets_manager + closing
        return ("Read it at run time instead of writing it in the code; from the environment:\n"
                f"    {line(from_env)}\n"
                "or from Secrets Manager, " + secrets_manager + closing)


Rule = HardcodedCredential
