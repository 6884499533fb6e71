"""Recognising secrets in plain strings: credential shapes, secret-like names, placeholders.

Shared by LL101 (literals in Python code) and LL204 (environment variables in deployment
configs), so it works on names and values alone and knows nothing about LibCST or YAML.
A literal under a credential name is a secret unless it is clearly *not a value*
(``not_a_value``: empty, a template or reference, an instruction to the reader such as
``your-api-key-here``, a path, a URL without userinfo, an environment variable name): a weak
password is still a password in the repository. A value whose shape proves it (an AWS access key
id, a private key block, a prefixed token) is a secret under any name. AWS's documentation keys
are reported under AWS key names (the long-term keys are the defect, not the key).

Public API: ``find_credential`` / ``credential_kind`` (value alone), ``secret_category`` /
``is_secret_name`` / ``is_aws_key_name`` (name alone), ``not_a_value``, ``aws_example_key``,
``looks_like_placeholder`` / ``looks_like_reference``, ``classify`` (a name and a value
together), ``mask`` and ``mask_prefix``;
``SHAPE_HINT``, ``PREFIX_HINT``, ``SECRET_WORDS`` and ``squash`` for LL101's pre-filter gate;
``find_secrets_in_text`` (every secret inside a message or a diff, for ``lambdalint.redact``).

Some 870 lines in one module on purpose: the three parts (a value's shape, a name's meaning,
secrets inside any text) read the same tables (the shapes, the secret words, the placeholder and
reference vocabulary, the inline ``name=value`` pairs) with opposite leanings, reporting only
what is a value and masking whatever might be one. Apart, each would import the others' private tables, and a new shape added to one
would be missed by the other.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, Iterable, List, Optional, Tuple

# -- credential shapes: a value that is a secret whatever it is called -------------------------

AWS_ACCESS_KEY_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])")
# A secret access key is 40 characters of base64; meaningful only under a credential-like name.
AWS_SECRET_ACCESS_KEY = re.compile(r"[A-Za-z0-9/+]{40}")
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>(?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----(?P<body>[\s\S]*?)"
    r"(?:-----END|\Z)")
_URL_PASSWORD = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{0,30})://(?P<user>[^\s:/?#@\[\]'\"]*)"
    r":(?P<password>[^\s/?#@'\"]+)@(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/?#'\":@]+)")
# Tokens whose prefix makes them unmistakable: (kind, pattern, public prefix length).
_TOKENS: Tuple[Tuple[str, "re.Pattern[str]", int], ...] = (
    ("GitHub token", re.compile(
        r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,})"
        r"(?![A-Za-z0-9_])"), 4),
    ("Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{8,}"), 5),
    ("Slack webhook URL", re.compile(
        r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}"), 33),
    ("Stripe live secret key", re.compile(r"(?<![A-Za-z0-9])[rs]k_live_[A-Za-z0-9]{20,}"), 8),
    ("SendGrid API key", re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"), 3),
)

# Cheap test run before the patterns above: every shape contains one of these.
_SHAPE_PREFIXES = (r"A(?:KIA|SIA|BIA|CCA|3T)|PRIVATE KEY|://|gh[pousr]_|github_pat_|"
                   r"xox[abposr]-|k_live_|SG\.")
SHAPE_HINT = re.compile(
    _SHAPE_PREFIXES + r"|(?i:pass|pwd|secret|token|key|authorization)[\w\-]*\s*[=:]")
# The same without credentials after their name inside strings: what a test file can hold
# that LL101 reports there (it judges no name in tests).
PREFIX_HINT = re.compile(_SHAPE_PREFIXES)
# Hosts of URLs that only ever carry example or local-development credentials.
_LOCAL_HOST = re.compile(
    r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|host\.docker\.internal|"
    r"(?:[\w-]+\.)*(?:example|localhost|local|test|invalid)|(?:[\w-]+\.)*example\.(?:com|org|net))"
    r"(?::\d+)?$", re.I)


@dataclass(frozen=True)
class Credential:
    """A credential found in a value by its shape alone."""

    kind: str  # "AWS access key id", "private key", "connection URL with a password"...
    text: str  # the matched secret itself: compare it, never show it
    masked: str  # what may be shown to the user
    strong: bool  # a shape no fixture or example is likely to have by accident (prefixed keys)
    aws: bool = False


# -- placeholders and references: values that stand for a secret without being one ------------

_PLACEHOLDER_WORDS = frozenset("""
    a an the my your our some any this that here there with without of for to me it is not
    change changeme changeit replace replaceme insert put enter fill set setme goes own actual
    real password passwd pass pwd pw passphrase secret secrets token tokens key keys api apikey
    access private auth authorization bearer basic credential credentials cred creds value values
    string str text none null nil undefined empty blank default unset notset missing unknown
    dummy test tests testing tester fake mock mocked stub example examples sample samples demo
    foo bar baz qux quux foobar spam eggs ham todo fixme tbd xxx redacted removed hidden masked
    placeholder sensitive omitted local localhost dev development admin root guest user username
    login letmein qwerty abc xyz postgres mysql passwort contrasena motdepasse true false yes no
    on off enabled disabled required optional auto always never bcrypt md5 sha argon scrypt
    secure securestring encrypted encrypt hash hashed write only writeonly read readonly input
    field type format char varchar int integer bool boolean float number object array list dict
    uuid email url uri date datetime binary json
""".split())
_PLACEHOLDER_FRAGMENTS = ("example", "sample", "dummy", "placeholder", "changeme", "change_me",
                          "change-me", "redacted", "replace", "insert", "your_", "your-",
                          "yourpass", "yourtoken", "yourkey", "yoursecret", "xxxx", "****", "...",
                          "0000", "fake", "notreal", "not_real", "not-real")
# Template syntax: a value made of it stands for a value. Tokens must be well formed, and a value
# is a template only when nothing brace-like is left once they are gone: ``"${DB_PASSWORD}"``,
# ``"{{ api_token }}"``, ``"postgresql://{user}:{password}@{host}/db"`` are templates;
# ``"m{{h}o)p${e]nob(ody[finds>-_$#thisone}}"`` is a password full of symbols.
_TEMPLATE_TOKEN = re.compile(
    r"\$\{[^{}$#<>]*\}|\{\{[^{}]*\}\}|\{%[^{}]*%\}|%\([\w.\-]+\)[sdrifx]?|"
    r"\{[A-Za-z0-9_.\-]*\}|#\{[^{}]*\}")
_TEMPLATE_WHOLE = re.compile(
    r"%[sdr]\b|^\$[A-Za-z_]|^<[^<>]*>$|^\[[^\[\]]*\]$|^__\w+__$|^@\w+@$|^%\w+%$")


def _templated(value: str) -> bool:
    """``value`` is a template or holds one (see ``_TEMPLATE_TOKEN``)."""
    if _TEMPLATE_WHOLE.search(value):
        return True
    rest, previous = value, None
    while rest != previous:  # ${self:custom.${opt:stage}}: the inner token first
        previous, rest = rest, _TEMPLATE_TOKEN.sub("", rest)
    return rest != value and "{" not in rest and "}" not in rest


_MASK_CHARS = frozenset("xX*•.#?_- 0")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S*$")
_PATH = re.compile(r"^(?:~|\.{1,2})?/?[\w.\-@]+(?:/[\w.\-@]*)+$|^/[\w.\-@]+$")
_FILE = re.compile(
    r"^[\w.\-]+\.(?:pem|key|crt|cer|der|p8|p12|pfx|jks|keystore|json|ya?ml|txt|env|ini|cfg|conf|"
    r"toml|gpg|asc|pub)$", re.I)
_REFERENCE_PREFIX = re.compile(
    r"^(?:arn:|ssm:|ssm-secure:|secretsmanager:|secrets-manager:|vault:|kms:|env:|file:|"
    r"resolve:|projects/[^/]+/secrets/)", re.I)
_ASCENDING = "abcdefghijklmnopqrstuvwxyz 0123456789"
_LEET = str.maketrans("@$013457", "asoieast")


def _has_sequence(text: str, run: int = 6) -> bool:
    """A run of ``run`` consecutive ascending letters or digits (``ABCDEF``, ``123456``)."""
    lowered = text.lower()
    count = 1
    for prev, cur in zip(lowered, lowered[1:]):
        position = _ASCENDING.find(prev)
        if cur.isalnum() and position >= 0 and position + 1 == _ASCENDING.find(cur):
            count += 1
            if count >= run:
                return True
        else:
            count = 1
    return False


def _fake_shape(text: str) -> bool:
    """A credential-shaped string that is obviously made up: AWS's EXAMPLE keys, XXXX, 123456."""
    lowered = text.lower()
    if any(f in lowered for f in ("example", "xxxx", "****", "0000", "dummy", "fake", "sample")):
        return True
    return len(set(text)) < 8 or _has_sequence(text)


@lru_cache(maxsize=4096)
def _placeholder_word(word: str) -> bool:
    """``word`` is a placeholder word or glued from them: ``mypassword``, ``yourapikeyhere``."""
    if word in _PLACEHOLDER_WORDS:
        return True
    if len(word) > 40:
        return False
    ends = {0}
    for end in range(2, len(word) + 1):
        if any(start in ends and word[start:end] in _PLACEHOLDER_WORDS
               for start in range(max(0, end - 15), end - 1)):
            ends.add(end)
    return len(word) in ends


def _word_like(text: str) -> bool:
    """Letters only with the vowels of words (``ASIAPACIFICSOUTHEAST``), not base32 noise."""
    if any(c.isdigit() for c in text):
        return False
    return sum(c in "AEIOUaeiou" for c in text) >= 0.35 * len(text)


def looks_like_placeholder(value: str) -> bool:
    """An empty, masked, templated or made-up value: ``""``, ``"changeme"``, ``"${DB_PASSWORD}"``,
    ``"<your-password>"``, ``"xxx"``, ``"***"``, ``"TODO"``, ``"test123"``."""
    v = value.strip()
    if not v:
        return True
    if _templated(v):
        return True
    if set(v) <= _MASK_CHARS or (len(v) >= 4 and len(set(v.lower())) <= 2):
        return True
    lowered = v.lower()
    if any(fragment in lowered for fragment in _PLACEHOLDER_FRAGMENTS):
        return True
    if lowered in ("n/a", "na", "-", "?"):
        return True
    words = re.findall(r"[a-z]+", lowered)
    if words and all(_placeholder_word(w) for w in words):
        return True
    unleet = re.findall(r"[a-z]+", lowered.translate(_LEET))  # "P@55w0rd!", "s3cr3t"
    if unleet and all(_placeholder_word(w) for w in unleet):
        return True
    if words:
        return False
    if v.isdigit():  # 123456, 1111: a made-up number
        return len(set(v)) <= 2 or _has_sequence(v, min(6, len(v)))
    return False


def _random_segment(segment: str) -> bool:
    return (len(segment) >= 12 and any(c.isupper() for c in segment)
            and any(c.islower() for c in segment) and any(c.isdigit() for c in segment))


def looks_like_reference(value: str) -> bool:
    """A value that names where a secret lives instead of holding it: an ARN, an SSM parameter
    or Secrets Manager name (``prod/db``), a file path, a URL without a password, an
    environment variable name."""
    v = value.strip()
    if _REFERENCE_PREFIX.match(v) or _ENV_NAME.match(v) or _FILE.match(v):
        return True
    if _URL.match(v):
        return True
    if _PATH.match(v) and not AWS_SECRET_ACCESS_KEY.fullmatch(v):
        return not any(_random_segment(s) for s in v.split("/"))
    return False


# Words that tell the reader to put a value there, or say the value is not one: a value made
# only of placeholder words with one of these (``your-api-key-here``, ``enter_password``,
# ``put-token-here``) is an instruction. Secret words alone (``secret``, ``password``,
# ``admin``) are not: ``SMTP_PASSWORD = "secret"`` is a weak password, the worst kind.
_INSTRUCTION_WORDS = frozenset("""
    your here enter insert put fill replace replaceme change changeme changeit goes setme todo
    fixme tbd xxx redacted removed hidden masked omitted placeholder dummy fake example examples
    sample samples none null nil undefined empty blank unset notset missing not my
""".split())
_INSTRUCTION_FRAGMENTS = ("changeme", "change_me", "change-me", "replaceme", "replace_me",
                          "replace-me", "your_", "your-", "yourpass", "yourtoken", "yourkey",
                          "yoursecret", "yourapi", "placeholder", "redacted", "xxxx", "****",
                          "...", "example", "sample", "dummy", "notreal", "not_real", "not-real",
                          "fake_", "fake-", "-here", "_here")
# Words a made-up value declares itself with: a value made only of placeholder words and
# digits, one of them among these, is a fixture (``TESTACCESSKEY12345``, ``ABCSECRETKEY``,
# ``foo``), not a credential. ``admin``, ``secret``, ``password`` are not among them, and a
# symbol makes it a crafted password again (``TestPassword123!``).
_MADE_UP_WORDS = frozenset({"test", "testing", "tests", "abc", "xyz", "foo", "bar", "baz", "qux",
                            "foobar", "mock", "mocked", "stub", "fake", "dummy", "sample"})
_NOT_VALUES = frozenset({"n/a", "na", "-", "?", "none", "null", "nil", "undefined", "todo",
                         "tbd", "fixme", "unset", "notset", "empty", "blank", "fake", "secret_here"})


# A value made only of these names a type or a setting, not a secret: ``"SecureString"``,
# ``"write_only"``, ``"argon2"``, ``"Bearer"``.
_TYPE_WORDS = frozenset("""
    string str securestring secure text bool boolean int integer number float write read only
    writeonly readonly required optional input field type char varchar hash hashed bcrypt md5
    sha argon scrypt pbkdf encrypted uuid email url uri date datetime binary json object array
    list dict true false yes no on off enabled disabled auto always never bearer basic plain
""".split())


def not_a_value(value: str) -> bool:
    """A value that is clearly not a credential: empty, a template or reference (``${X}``,
    ``{{x}}``, ``%(x)s``, ``<password>``, ``!Ref X``), masked (``****``, ``xxxxxxxx``), an
    instruction to the reader (``your-api-key-here``, ``changeme``), a path, a URL without
    userinfo, an environment variable name, or punctuation only. Anything else under a
    credential name is reported, however weak: ``"secret"``, ``"maria2019"``, ``"4321"``."""
    v = value.strip()
    if not v or not any(c.isalnum() for c in v):
        return True
    if _templated(v) or v.startswith("!"):
        return True
    if set(v) <= _MASK_CHARS:
        return True
    lowered = v.lower()
    if lowered in _NOT_VALUES or any(f in lowered for f in _INSTRUCTION_FRAGMENTS):
        return True
    words = re.findall(r"[a-z]+", lowered)
    typed = [w.lower() for w in _WORD.findall(v) if not w.isdigit()]
    if typed and all(w in _TYPE_WORDS for w in typed):
        return True
    if (words and any(w in _INSTRUCTION_WORDS for w in words)
            and all(_placeholder_word(w) for w in words) and not any(c.isdigit() for c in v)):
        return True
    if re.fullmatch(r"[\w\-]+", v) and all(_placeholder_word(w) for w in words) and any(
            w in _MADE_UP_WORDS or any(w.startswith(m) or w.endswith(m) for m in ("test", "abc"))
            or any(m in w for m in ("fake", "dummy", "mock"))  # "somefakekey": glued
            for w in words):
        return True
    return looks_like_reference(v)


# -- the value alone ---------------------------------------------------------------------------

_PEM_HEADER_LINE = re.compile(r"^[A-Za-z-]+:.*$", re.M)


def _private_key_body_ok(body: str) -> bool:
    """Real key material: enough base64 that is not dots, XXXX or a counting sequence."""
    if "..." in body or "xxxx" in body.lower() or "<" in body:
        return False
    data = re.sub(r"\\n|[^A-Za-z0-9+/=]", "", _PEM_HEADER_LINE.sub("", body))
    return len(data) >= 64 and len(set(data)) >= 16 and not _has_sequence(data, 10)


def _real_host(host: str) -> bool:
    """A host name that reaches a real endpoint: dotted, not an IP-less single label (``db``,
    a container name) and not a reserved example or local host."""
    return "." in host.strip("[]") and not _LOCAL_HOST.match(host)


def _url_credential(value: str) -> Optional[Credential]:
    for match in _URL_PASSWORD.finditer(value):
        password = match.group("password")
        user = match.group("user")
        host = match.group("host")
        if not_a_value(password) or len(password) < 3 or _LOCAL_HOST.match(host):
            continue
        weak = (looks_like_placeholder(password) or password == user
                or password.lower() in _PLACEHOLDER_WORDS)
        if weak and not _real_host(host):
            continue  # postgres:postgres@db: a container's default, not an endpoint's password
        masked = f"{match.group('scheme')}://{user}:****@{host}"
        return Credential("connection URL with an inline password", match.group(0), masked,
                          strong=False)
    return None


# ``?user=ops&pwd=...``, ``Server=db;Password=...;``, ``host=db password=... dbname=x``: a
# credential name and its value inside a longer string.
_INLINE_PAIR = re.compile(
    r"(?:^|(?<=[?&;\s]))(?P<name>[A-Za-z][\w\-.]{0,40})=(?P<value>[^&;\s'\"()\[\]]{4,})")
# The same, for masking any text (a message quoting code): only after ``?``, ``&`` or ``;``,
# where a pair is a query or connection string and not ``name=expression`` in code.
_TEXT_INLINE_PAIR = re.compile(
    r"(?<=[?&;])(?P<name>[A-Za-z][\w\-.]{0,40})=(?P<value>[^&;\s'\"()\[\]]{4,})")
_INLINE_AUTH = re.compile(
    r"\bAuthorization\s*:\s*(?P<scheme>Bearer|Basic|Token|Bot)\s+(?P<value>[^\s'\"]+)", re.I)


def _inline_credential(value: str) -> Optional[Credential]:
    """A secret written inside a string after its name: query strings, connection strings,
    header lines. The name must be a credential name and the value a value."""
    if "=" in value and (";" in value or "&" in value or "?" in value or " " in value):
        for match in _INLINE_PAIR.finditer(value):
            name, secret = match.group("name"), match.group("value")
            category = secret_category(name)
            if (category is None or category == AUTHORIZATION or not_a_value(secret)
                    or _names_a_secret(secret) or secret.startswith(("%", "{", "$", ":"))):
                continue
            kind = "password" if category in (PASSWORD, WEAK_PASSWORD) else category
            return Credential(f"{kind} inside a string", secret, f"{name}=****", strong=False)
    if ":" in value:
        match = _INLINE_AUTH.search(value)
        if match and len(match.group("value")) >= 8 and not not_a_value(match.group("value")):
            return Credential("Authorization header credential", match.group("value"),
                              f"Authorization: {match.group('scheme')} ****", strong=False)
    return None


def find_credential(value: str, strong_only: bool = False,
                    urls: bool = True) -> Optional[Credential]:
    """The first credential whose shape alone shows it in ``value``, or None.

    ``strong_only`` keeps the prefixed shapes fixtures hardly ever contain by accident (AWS key
    ids, GitHub/Slack/Stripe/SendGrid tokens): for test files. ``urls=False`` skips connection
    URLs and credentials inside strings (``?pwd=...``, ``Password=...;``): for docstrings, where
    ``postgresql://user:pw@host/db`` is documentation.
    """
    if not value or not SHAPE_HINT.search(value):
        return None
    if "A" in value:
        for match in AWS_ACCESS_KEY_ID.finditer(value):
            key = match.group(0)
            if not _fake_shape(key[4:]) and not _word_like(key[4:]):
                return Credential("AWS access key id", key, key[:4] + "****", strong=True,
                                  aws=True)
    for kind, pattern, public in _TOKENS:
        match = pattern.search(value)
        if match and not _fake_shape(match.group(0)[public:]):
            return Credential(kind, match.group(0), match.group(0)[:public] + "****",
                              strong=True)
    if strong_only:
        return None
    if "PRIVATE KEY" in value:
        match = _PRIVATE_KEY.search(value)
        if match and _private_key_body_ok(match.group("body")):
            label = match.group("label")
            return Credential("private key", match.group(0),
                              f"-----BEGIN {label}PRIVATE KEY-----****", strong=False)
    if urls and "://" in value:
        found = _url_credential(value)
        if found is not None:
            return found
    return _inline_credential(value) if urls else None


def credential_kind(value: str) -> Optional[str]:
    """What kind of credential ``value`` is by its shape alone, or None."""
    found = find_credential(value)
    return found.kind if found else None


# -- the name alone ----------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_NAME = re.compile(r"[A-Za-z_$][\w.\-$]*")
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "passcode", "passwort",
                             "contrasena", "motdepasse"})
_WEAK_PASSWORD_WORDS = frozenset({"pwd", "pw", "pass", "pword"})  # also "print working dir"...
_KEY_KINDS = {
    "api": "API key", "secret": "secret key", "access": "access key", "private": "private key",
    "priv": "private key", "signing": "signing key", "sign": "signing key",
    "encryption": "encryption key", "encrypt": "encryption key", "master": "master key",
    "auth": "API key", "account": "account key", "storage": "account key", "hmac": "HMAC key",
    "jwt": "signing key", "webhook": "webhook key", "subscription": "API key",
    "service": "API key",
}
_FUSED = (("apikey", "API key"), ("secretkey", "secret key"), ("accesskey", "access key"),
          ("privatekey", "private key"), ("signingkey", "signing key"),
          ("password", "password"), ("passwd", "password"), ("secret", "secret"),
          ("token", "token"))


def _gate_words() -> FrozenSet[str]:
    words = {"key", "secret", "token", "cred", "authorization", "pw", "pass"}
    words.update(_PASSWORD_WORDS, _WEAK_PASSWORD_WORDS)
    words.update(suffix for suffix, _ in _FUSED)
    # Keep the shortest: "pass" covers "password", "passwd"...
    return frozenset(w for w in words if not any(o != w and o in w for o in words))


# Every word that can end a secret-like name, shortest forms only: a text that holds none of them
# (in any case) holds no name LL101 judges (its pre-filter gate).
SECRET_WORDS = _gate_words()


def squash(text: str) -> str:
    """Lower case, letters and digits only: how a configured name fragment is compared."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Words after the secret word that keep it a secret (DB_PASSWORD_PROD, api_key_value).
_NEUTRAL_TAIL = frozenset({"value", "val", "values", "vals", "str", "string", "raw", "plain", "plaintext",
                           "literal", "prod", "production", "dev", "develop", "development",
                           "staging", "stage", "qa", "uat", "live", "old", "new", "b64",
                           "base64", "hex", "bytes", "encoded"})
# First words that make the name about a secret rather than a secret (is_password, min_...).
_NEGATIVE_HEAD = frozenset({"is", "has", "use", "uses", "enable", "enabled", "disable",
                            "require", "required", "requires", "show", "hide", "allow",
                            "min", "max", "num", "len", "no", "reset", "forgot", "forget",
                            "change", "should", "can", "must"})
# Tokens that are not credentials: pagination, idempotency, lexer and tokenizer tokens.
_NOT_CREDENTIAL_TOKENS = frozenset({
    "next", "starting", "start", "continuation", "page", "pagination", "client", "request",
    "idempotency", "idempotent", "sync", "cancel", "cancellation", "resume", "csrf", "xsrf",
    "lex", "eof", "end", "last", "first", "prev", "previous", "current", "cur", "special",
    "unk", "pad", "bos", "eos", "sep", "cls", "mask", "open", "close", "word", "input",
    "output", "type", "marker", "cursor", "continue", "paging", "resumption", "nonce", "update",
    "verification", "sequence", "upload", "change"})

# A secret word followed by one of these still names the secret: ``the_password_for_smtp``,
# ``token_of_bot``, ``SIGNING_SECRET_V2`` (``v`` then a number).
_PREPOSITIONS = frozenset({"for", "of", "to", "in", "on", "at", "from", "with", "by"})


def _secret_end(words: List[str]) -> int:
    """Where the secret word of a name ends: after dropping neutral words, version numbers and
    a tail introduced by a preposition (``password_for_smtp`` -> after ``password``)."""
    for i, word in enumerate(words):
        if i > 0 and word in _PREPOSITIONS:
            words = words[:i]
            break
    end = len(words)
    while end > 0 and (words[end - 1] in _NEUTRAL_TAIL or words[end - 1].isdigit()
                       or (words[end - 1] == "v" and end < len(words)
                           and words[end].isdigit())):
        end -= 1
    return end


PASSWORD = "password"
WEAK_PASSWORD = "weak password"  # pwd, pw, pass: the value must look random
SECRET = "secret"
TOKEN = "token"
AUTHORIZATION = "authorization"
CUSTOM = "custom"  # a name fragment from the configuration


def _words(name: str) -> List[str]:
    return [w.lower() for w in _WORD.findall(name)]


@lru_cache(maxsize=8192)
def secret_category(name: str, extra_names: Tuple[str, ...] = ()) -> Optional[str]:
    """What kind of secret a variable, key or keyword called ``name`` holds, or None.

    The secret word must end the name, optionally followed by neutral words: ``DB_PASSWORD``,
    ``self.api_key``, ``clientSecret``, ``x-api-key``, ``DB_PASSWORD_PROD``. A name that goes on
    to say what it is about is not a secret: ``SECRET_ARN``, ``secret_name``, ``TOKEN_TYPE``,
    ``password_field``, ``PASSWORD_MIN_LENGTH``, ``ACCESS_KEY_ID``. The result is one of the
    kinds used in messages ("password", "API key"...) or the markers above.
    """
    if not name or len(name) > 80 or not _NAME.fullmatch(name):
        return None  # "AWS::IAM::AccessKey", "Enter your password": not a variable or key
    words = _words(name.rpartition(".")[2] or name)
    end = _secret_end(words)
    if end == 0:
        return None
    if words[0] in _NEGATIVE_HEAD and end > 1:
        return None
    for fragment in extra_names:
        normal = squash(fragment)
        if normal and any("".join(words[end - k:end]) == normal for k in range(1, min(end, 4) + 1)):
            return CUSTOM
    last = words[end - 1]
    prev = words[end - 2] if end >= 2 else ""
    if last == "key":
        return _KEY_KINDS.get(prev)
    if last in _PASSWORD_WORDS:
        return PASSWORD
    if last in _WEAK_PASSWORD_WORDS:
        return WEAK_PASSWORD
    if last == "secret":
        return SECRET
    if last == "token":
        return None if prev in _NOT_CREDENTIAL_TOKENS else TOKEN
    if last in ("credential", "credentials", "creds"):
        return SECRET
    if last == "authorization":
        return AUTHORIZATION
    for suffix, kind in _FUSED:
        if last.endswith(suffix) and last != suffix:
            head = last[: -len(suffix)]
            if kind == TOKEN and head in _NOT_CREDENTIAL_TOKENS or head in _NEGATIVE_HEAD:
                return None  # NEXTTOKEN, NOPASSWORD
            return PASSWORD if kind == "password" else kind
        if last == suffix:  # "apikey", "secretkey" as one word
            return kind
    return None


def is_secret_name(name: str, extra_names: Iterable[str] = ()) -> bool:
    """Whether a variable, dict key, keyword or environment variable called ``name`` is meant to
    hold a secret (``DB_PASSWORD``, ``api_key``), as opposed to naming one (``SECRET_ARN``)."""
    return secret_category(name, tuple(extra_names)) is not None


# -- a name and a value together ---------------------------------------------------------------

_AUTH_SCHEME = re.compile(r"^(?:Bearer|Basic|Token|Bot|Digest|ApiKey|SSWS)\s+(\S+)$", re.I)


# Regular expression syntax: lexers and validators bind patterns to names like ``*_token``.
_REGEX = re.compile(r"\\[wdsWDSbBAZ]|\[\^|\(\?|\.[*+?]|[\])][*+?]|\{\d+(?:,\d*)?\}|^\^.*\$$")


def looks_random(value: str, min_length: int = 8) -> bool:
    """A token-like value: long enough, one word, and not a plain identifier or sentence."""
    if len(value) < min_length or any(c.isspace() for c in value):
        return False
    has_letter = any(c.isalpha() for c in value)
    if any(c.isdigit() for c in value):
        return has_letter
    core = value.strip("#@$!%&*:;,/\\|~^+=?<>()[]{}'\"`")  # "#bygroup", "@context": markers
    if any(not c.isalnum() and c not in "-_." for c in core):
        return True
    return len(value) >= 20 and any(c.isupper() for c in value) and any(c.islower() for c in value)


# Last words of a value that names a field, a parameter or a type: ``"AWSAccessKeyId"``,
# ``"SecretString"``, ``"password_field"``.
_FIELD_TAILS = frozenset({"id", "arn", "name", "string", "field", "param", "parameter",
                          "header", "column", "attr", "attribute", "type", "var", "env"})
# Words of a phrase, not of an identifier: ``"this-is-secret"`` is a value that says so.
_PHRASE_WORDS = frozenset({"this", "is", "my", "the", "a", "not", "our", "its", "it"})
# The secret words a value and its name must share for the value to be the field's name.
_SHARED_WORDS = _PASSWORD_WORDS | {"secret", "token", "key", "apikey", "credential",
                                   "credentials", "creds"}


def _names_a_secret(value: str, name: str = "") -> bool:
    """``{"password": "db_password"}``, ``{"api_key": "apiKey"}``, ``password="PASSWORD"``: the
    value is the name of a field, not its content. Under a name, the value must repeat the
    name's own secret word: ``email_pwd = "emails_secret"`` and ``jwt.encode(p,
    "this-is-secret")`` are weak values, as is a single secret word (``SMTP_PASSWORD =
    "secret"``)."""
    if not re.fullmatch(r"[A-Za-z]+(?:[_.\-]?[A-Za-z]+)*[0-9]*", value):
        return False
    if name and squash(value) == squash(name.rpartition(".")[2]):
        return True
    words = _words(value)
    if len([w for w in words if not w.isdigit()]) < 2:
        return False  # "secret", "Password1": a weak value, not a field's name
    if is_aws_key_name(value) or (words[-1] in _FIELD_TAILS and any(
            w in ("key", "secret", "token", "password", "credential") for w in words)):
        return True  # ACCESS_KEY = "AWSAccessKeyId": the field a key goes in
    if any(w in _PHRASE_WORDS for w in words):
        return False
    category = secret_category(value)
    named = (category is not None and category != WEAK_PASSWORD) or any(
        w in _PASSWORD_WORDS or w in ("secret", "token") for w in words)
    if not named or not name:
        return named
    name_text = squash(name.rpartition(".")[2] or name)  # NOPASSWORD, dbPassword: one word
    return any(w in _SHARED_WORDS and w in name_text for w in words)


def _phrase(value: str) -> bool:
    """Words separated by spaces, or by other white space when they are only letters: a
    sentence (``"Enter your password"``), not a key with an escaped ``\n`` inside it."""
    parts = value.split()
    return len(parts) > 1 and (" " in value.strip() or all(p.isalpha() for p in parts))


def _b64_text(data: str) -> str:
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return ""


def is_aws_credential_name(name: str) -> bool:
    """``aws_secret_access_key``, ``AWS_SECRET``, ``secretAccessKey``: a name for AWS's key."""
    words = _words(name)
    joined = "".join(words)
    return "aws" in words or "secretaccesskey" in joined or "secretkey" in joined or (
        "access" in words and "key" in words)


# The names boto3, the AWS CLI and the SDKs give long-term keys: a value under one is a key,
# whatever it looks like (``aws_access_key_id="AKIAIOSFODNN7EXAMPLE"``, ``="testing"``).
_AWS_KEY_NAMES = ("awsaccesskeyid", "accesskeyid", "awssecretaccesskey", "secretaccesskey",
                  "awssessiontoken", "awssecretkey", "awsaccesskey")
# AWS's documentation keys (IAM user guide, "Manage access keys for IAM users").
AWS_EXAMPLE_KEYS = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
AWS_EXAMPLE = "AWS example key"
AWS_EXAMPLE_ADVICE = ("the code passes long-term keys where the execution role should sign; "
                      "use the execution role")


def is_aws_key_name(name: str) -> bool:
    """The name of an AWS long-term key or session token: ``aws_access_key_id``,
    ``AWS_SECRET_ACCESS_KEY``, ``secretAccessKey``, ``aws_session_token``."""
    joined = squash(name.rpartition(".")[2] or name)
    return any(joined.endswith(n) for n in _AWS_KEY_NAMES)


def aws_example_key(value: str) -> bool:
    """One of AWS's documentation keys, or an ``...EXAMPLE...`` key of that alphabet and at
    least 16 characters (``wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE``, cut short in Sonar's)."""
    v = value.strip()
    if v in AWS_EXAMPLE_KEYS:
        return True
    return "EXAMPLE" in v and len(v) >= 16 and bool(re.fullmatch(r"[A-Za-z0-9/+=]+", v))


AWS_MADE_UP = "made-up AWS access key id"


def made_up_aws_key_id(value: str) -> bool:
    """A value of an AWS access key id's exact form whose body is made up
    (``AKIAAAAAAAAAAAAAAAAA``, ``AKIA1234567890ABCDEF``): in a function's configuration the
    form is the defect, as for AWS's example key. A masked body (``AKIAXXXXXXXXXXXXXXXX``,
    ``AKIA****************``) is an instruction, not a key."""
    v = value.strip()
    if not AWS_ACCESS_KEY_ID.fullmatch(v) or set(v[4:]) <= _MASK_CHARS or not_a_value(v):
        return False
    return _fake_shape(v[4:]) or _word_like(v[4:])  # else a key id by its shape alone


def _aws_key_kind(name: str, value: str) -> Optional[str]:
    """A value under an AWS key name: the example key, a secret access key, a key id, a
    session token; anything that is a value at all counts."""
    if aws_example_key(value):
        return AWS_EXAMPLE
    if not_a_value(value) or _names_a_secret(value, name) or _phrase(value):
        return None
    if len(value) < 16:
        return None  # "ASIAX": a prefix in a table, not a key
    joined = squash(name)
    if joined.endswith("keyid") or joined.endswith("accesskey") and "secret" not in joined:
        return "AWS access key id"
    if joined.endswith("sessiontoken"):
        return "AWS session token"
    return "AWS secret access key"


# Words before ``pass`` / ``pw`` that make it a password (``db_pass``, ``smtpPw``), not a pass
# of a compiler (``first_pass``) or a directory (``pwd``).
_LOGIN_CONTEXT = frozenset({"db", "database", "user", "smtp", "mail", "email", "admin", "root",
                            "login", "ftp", "sftp", "ssh", "sql", "mysql", "postgres", "pg",
                            "redis", "ldap", "app", "api", "my", "account", "proxy", "auth",
                            "rabbit", "mq", "mongo", "es", "server", "client", "service"})


def _weak_word_is_password(name: str, value: str) -> bool:
    """``pwd``, ``pw``, ``pass``: a password when the value has a digit or a symbol, or the word
    before says what logs in (``db_pass = "maria"``)."""
    if any(not c.isalpha() for c in value):
        return True
    words = _words(name.rpartition(".")[2] or name)
    end = _secret_end(words)
    return end >= 2 and words[end - 2] in _LOGIN_CONTEXT


def classify(name: Optional[str], value: str, extra_names: Iterable[str] = (),
             compared: bool = False) -> Optional[str]:
    """Why ``name = value`` is a secret, as the kind of secret ("password", "AWS access key id",
    "connection URL with an inline password", ``AWS_EXAMPLE``...), or None when it is not one.
    ``compared``: the value is what a password is checked against (``password == "..."``),
    so a phrase there is a passphrase, not a sentence.

    By shape, any name. By name, any value that is a value (``not_a_value``): a weak password
    under a password name is reported. Left alone: sentences, regular expressions, the name of
    the field itself, and a ``*_token`` holding an upper-case symbol (a lexer's token type)."""
    found = find_credential(value)
    if found is not None:
        return found.kind
    if not name:
        return None
    v = value.strip()
    if is_aws_key_name(name):
        return _aws_key_kind(name, v)
    category = secret_category(name, tuple(extra_names))
    if category is None:
        return None
    if category == AUTHORIZATION:
        scheme = _AUTH_SCHEME.match(v)
        credential = scheme.group(1) if scheme else v
        if not_a_value(credential) or len(credential) < 8 or any(c.isspace() for c in credential):
            return None
        if v.lower().startswith("basic"):  # base64 of "user:password": judge the password
            user, _, password = _b64_text(credential).partition(":")
            if not password or password == user or not_a_value(password):
                return None
        return "Authorization header credential"
    if aws_example_key(v) and is_aws_credential_name(name):
        return AWS_EXAMPLE  # access_key = "AKIAIOSFODNN7EXAMPLE": "example" is no instruction
    if (_phrase(v) and not (compared and category == PASSWORD) or len(v) < 4 or not_a_value(v)
            or _names_a_secret(v, name) or _REGEX.search(v)):
        return None
    if AWS_SECRET_ACCESS_KEY.fullmatch(v) and is_aws_credential_name(name) and (
            any(c.isupper() for c in v) and any(c.islower() for c in v)
            and any(c.isdigit() or c in "/+" for c in v)):
        return "AWS secret access key"
    if category == WEAK_PASSWORD and not _weak_word_is_password(name, v):
        return None
    if category in (PASSWORD, WEAK_PASSWORD):
        return "password"
    if category == CUSTOM:
        return "secret"
    if category == TOKEN and re.fullmatch(r"[A-Z][A-Z_]*", v):
        return None  # token = "NAME": a lexer's token type
    return category


# -- showing it --------------------------------------------------------------------------------

def mask(value: str) -> str:
    """What a message may show of a secret: the public prefix of a known shape (``AKIA****``,
    ``ghp_****``), a URL with its password starred, else ``****``. Never the secret."""
    found = find_credential(value)
    return found.masked if found is not None else "****"


def mask_prefix(value: str) -> str:
    """A public value's first four characters and its length (AWS's example key: ``AKIA****,
    20 characters``): enough to recognise, nothing more."""
    v = value.strip()
    return f"{v[:4]}****, {len(v)} characters"


# -- secrets inside any text: what the reporters mask -------------------------------------------
#
# The checks above decide what to *report* and lean towards silence. Masking leans the other
# way: hiding a value that was not a secret costs a few characters of a message, showing one
# that was costs a rotation. So these detectors skip the fake-shape and placeholder filters and
# only leave alone what is empty, already masked, or a template or reference.


@dataclass(frozen=True)
class SecretSpan:
    """``text[start:end]`` holds a secret; show ``replacement`` instead."""

    start: int
    end: int
    replacement: str


_TEXT_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>(?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----")
_TEXT_PRIVATE_KEY_END = re.compile(r"-----END [A-Z0-9 ]*-----")
# Without an END marker (a key cut short), the block runs on while it looks like key material,
# the escapes, quotes and ``+`` of a literal split over lines included.
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=\s\\\"':,\-]*")
_TEXT_BASE64_RUN = re.compile(r"[A-Za-z0-9/+]+=*")
# The authority runs to the first "/": a password written with a raw "#" or "?" (not valid in a
# URL, common in a DSN) is still masked whole.
_TEXT_URL = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}://"
                       r"(?P<authority>[^\s/'\"<>\\`]*)")
_TOKEN_USER = re.compile(r"[A-Za-z0-9._~%+\-]+")
# ``name = "value"``, ``name="value"``, ``"name": "value"``, ``name: 'value'``, ``name == "..."``:
# the quoted value first (its start is a rare character, so the scan is quick), then the name
# that ends right before it.
_TEXT_PAIR_VALUE = re.compile(
    r"[:=]\s*[rRbBuUfF]{0,2}(?P<vq>[\"'])(?P<value>(?:\\.|(?!(?P=vq))[^\\\n])*)(?P=vq)")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-$")
_AWS_ID_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-]*")
# One substring each of the _TOKENS shapes, in their order (GitHub, Slack, Slack webhook,
# Stripe, SendGrid): a pattern runs only on text that holds its substring.
_TEXT_TOKEN_HINTS = ("gh", "xox", "hooks.slack.com", "k_live_", "SG.")


def _token_user(user: str) -> bool:
    """A URL user name that is really a token (``https://<token>@github.com``), not a login."""
    if not _TOKEN_USER.fullmatch(user) or set(user) <= _MASK_CHARS:
        return False
    has_digit = any(c.isdigit() for c in user)
    return len(user) >= 20 or (len(user) >= 8 and has_digit and any(c.isalpha() for c in user))


def _secret_key_run(run: str) -> bool:
    """40 characters of base64 that look random: an AWS secret access key standing alone.

    Mixed case and a digit, and at least 24 distinct characters: a random key has about 30, a
    generated CloudFormation or CDK logical id of that length about 20 (it repeats its words).
    """
    return (any(c.isupper() for c in run) and any(c.islower() for c in run)
            and any(c.isdigit() for c in run) and len(set(run)) >= 24)


def _maskable_value(value: str) -> bool:
    """A literal under a credential-like name that could be a secret: not empty, not already
    masked, not a template (``${DB_PASSWORD}``) and not a reference (an ARN, a variable name)."""
    v = value.strip()
    if not v or set(v) <= _MASK_CHARS or _templated(v):
        return False
    return not (_REFERENCE_PREFIX.match(v) or _ENV_NAME.match(v))


def _name_before(text: str, separator: int) -> str:
    """The name that ends right before ``text[separator]`` (``=``, ``:``, the second ``=`` of
    ``==``): ``password`` in ``password = "``, ``api_key`` in ``"api_key": "``; else ""."""
    end = separator
    if end > 0 and text[separator] == "=" and text[end - 1] in "=!":
        end -= 1
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    quote = text[end - 1] if end > 0 and text[end - 1] in "\"'" else ""
    end -= len(quote)
    start = end
    while start > 0 and end - start < 80 and text[start - 1] in _NAME_CHARS:
        start -= 1
    if quote and (start == 0 or text[start - 1] != quote):
        return ""
    return text[start:end]


def find_secrets_in_text(text: str) -> List[SecretSpan]:
    """Every secret value inside ``text`` (a message, a code suggestion, a diff), left to right,
    without overlaps, each with what may be shown in its place (as ``mask`` shows it).

    Found by shape: private key blocks, AWS access key ids and (random-looking) secret access
    keys, GitHub / Slack / Stripe / SendGrid tokens, the password (or token user name) of a
    URL; and by name: a quoted literal bound to a credential-like name (``password="..."``,
    ``"api_key": "..."``, ``DB_PASSWORD = '...'``). Only the value is replaced, so the text
    keeps saying which name or URL held it.
    """
    if not text:
        return []
    found: List[SecretSpan] = []
    if "PRIVATE KEY" in text:
        for match in _TEXT_PRIVATE_KEY.finditer(text):
            end_marker = _TEXT_PRIVATE_KEY_END.search(text, match.end())
            end = (end_marker.end() if end_marker is not None
                   else _KEY_MATERIAL.match(text, match.end()).end())
            body = text[match.end():end_marker.start() if end_marker is not None else end]
            if len(re.sub(r"\\n|[^A-Za-z0-9]", "", body)) >= 8:
                found.append(SecretSpan(match.start(), end,
                                        f"-----BEGIN {match.group('label')}PRIVATE KEY-----****"))
    if any(prefix in text for prefix in _AWS_ID_PREFIXES):
        for match in AWS_ACCESS_KEY_ID.finditer(text):
            found.append(SecretSpan(match.start(), match.end(), match.group(0)[:4] + "****"))
    for hint, (_kind, pattern, public) in zip(_TEXT_TOKEN_HINTS, _TOKENS):
        if hint in text:
            for match in pattern.finditer(text):
                # the patterns say where a token starts; it ends where its characters do
                end = _TOKEN_TAIL.match(text, match.end()).end()
                found.append(SecretSpan(match.start(), end, match.group(0)[:public] + "****"))
    if len(text) >= 40 and max(map(len, text.split()), default=0) >= 40:
        for match in _TEXT_BASE64_RUN.finditer(text):
            if match.end() - match.start() == 40 and _secret_key_run(match.group(0)):
                found.append(SecretSpan(match.start(), match.end(), "****"))
    if "://" in text:
        for match in _TEXT_URL.finditer(text):
            userinfo, at, _host = match.group("authority").rpartition("@")
            if not at:
                continue
            start = match.start("authority")
            user, colon, password = userinfo.partition(":")
            if colon and password and not set(password) <= _MASK_CHARS:
                offset = start + len(user) + 1
                found.append(SecretSpan(offset, offset + len(password), "****"))
            elif not colon and _token_user(user):
                found.append(SecretSpan(start, start + len(user), mask(user)))
    if "=" in text:  # ?user=ops&pwd=..., Password=...; (unquoted, inside a longer string)
        for match in _TEXT_INLINE_PAIR.finditer(text):
            if (secret_category(match.group("name")) is not None
                    and _maskable_value(match.group("value"))):
                found.append(SecretSpan(match.start("value"), match.end("value"), "****"))
    if "uthorization" in text:
        for match in _INLINE_AUTH.finditer(text):
            if _maskable_value(match.group("value")):
                found.append(SecretSpan(match.start("value"), match.end("value"), "****"))
    for match in (_TEXT_PAIR_VALUE.finditer(text) if "'" in text or '"' in text else ()):
        value = match.group("value")
        name = _name_before(text, match.start())
        if name and secret_category(name) is not None and _maskable_value(value):
            found.append(SecretSpan(match.start("value"), match.end("value"), mask(value)))
    # Left to right; of two overlapping spans the one that starts first (then the longer) wins.
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: List[SecretSpan] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end:  # partly inside: widen the kept span over it
                kept[-1] = SecretSpan(kept[-1].start, span.end, kept[-1].replacement)
            continue
        kept.append(span)
    return kept
