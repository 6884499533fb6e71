"""The value alone: credentials whose shape proves them under any name (AWS access key ids,
private key blocks, GitHub/Slack/Stripe/SendGrid tokens), connection URLs with a password, and
credentials written after their name inside a longer string (``?pwd=...``, ``Password=...;``,
``Authorization: Bearer ...``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from lambdalint.secrets.names import (AUTHORIZATION, PASSWORD, WEAK_PASSWORD, _names_a_secret,
                                      secret_category)
from lambdalint.secrets.values import (_PLACEHOLDER_WORDS, _fake_shape, _has_sequence, _word_like,
                                       looks_like_placeholder, not_a_value)

# -- credential shapes: a value that is a secret whatever it is called -------------------------

AWS_ACCESS_KEY_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])")
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
