"""The name alone: whether a variable, key, keyword or environment variable is meant to hold a
secret (``DB_PASSWORD``, ``api_key``, ``clientSecret``) or only names one (``SECRET_ARN``,
``TOKEN_TYPE``), and whether a value is itself the name of such a field (``"db_password"``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, Iterable, List, Optional, Tuple


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


def is_aws_key_name(name: str) -> bool:
    """The name of an AWS long-term key or session token: ``aws_access_key_id``,
    ``AWS_SECRET_ACCESS_KEY``, ``secretAccessKey``, ``aws_session_token``."""
    joined = squash(name.rpartition(".")[2] or name)
    return any(joined.endswith(n) for n in _AWS_KEY_NAMES)
