"""Values that stand for a secret without being one: empty, templates and references
(``${DB_PASSWORD}``, ``{{resolve:...}}``, an ARN, a path, a URL without userinfo, an environment
variable name), instructions to the reader (``your-api-key-here``, ``changeme``, ``xxxx``) and
made-up fixture values; ``not_a_value`` is the test LL101 and LL204 apply under a credential name,
``looks_like_placeholder`` the looser one for the password of a connection URL."""

from __future__ import annotations

import re
from functools import lru_cache

from lambdalint.secrets.names import _WORD

# A secret access key is 40 characters of base64; meaningful only under a credential-like name.
# Here because a path that is one (``looks_like_reference``) is no reference.
AWS_SECRET_ACCESS_KEY = re.compile(r"[A-Za-z0-9/+]{40}")

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
