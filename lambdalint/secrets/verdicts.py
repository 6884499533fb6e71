"""A name and a value together: ``classify`` says why ``name = value`` is a secret (the kind shown
in messages) or that it is not one; AWS's documentation keys and made-up key ids; what a message
may show of a secret (``mask``, ``mask_prefix``)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Iterable, Optional

from lambdalint.secrets.names import (AUTHORIZATION, CUSTOM, PASSWORD, TOKEN, WEAK_PASSWORD,
                                      _names_a_secret, _secret_end, _words,
                                      is_aws_credential_name, is_aws_key_name, secret_category,
                                      squash)
from lambdalint.secrets.shapes import AWS_ACCESS_KEY_ID, find_credential
from lambdalint.secrets.values import (AWS_SECRET_ACCESS_KEY, _MASK_CHARS, _fake_shape,
                                       _word_like, not_a_value)

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
# AWS's documentation keys (IAM user guide, "Manage access keys for IAM users").
AWS_EXAMPLE_KEYS = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
AWS_EXAMPLE = "AWS example key"
AWS_EXAMPLE_ADVICE = ("the code passes long-term keys where the execution role should sign; "
                      "use the execution role")


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
