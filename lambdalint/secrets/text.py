"""Secrets inside any text: what the reporters mask in messages, suggestions and diffs.

The checks of the other modules decide what to *report* and lean towards silence. Masking leans
the other way: hiding a value that was not a secret costs a few characters of a message, showing
one that was costs a rotation. So these detectors skip the fake-shape and placeholder filters and
only leave alone what is empty, already masked, or a template or reference."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import List

from lambdalint.secrets.names import secret_category
from lambdalint.secrets.shapes import AWS_ACCESS_KEY_ID, _INLINE_AUTH, _TOKENS
from lambdalint.secrets.values import _ENV_NAME, _MASK_CHARS, _REFERENCE_PREFIX, _templated
from lambdalint.secrets.verdicts import mask

# ``shapes._INLINE_PAIR`` for masking any text (a message quoting code): only after ``?``,
# ``&`` or ``;``, where a pair is a query or connection string and not ``name=expression`` in code.
_TEXT_INLINE_PAIR = re.compile(
    r"(?<=[?&;])(?P<name>[A-Za-z][\w\-.]{0,40})=(?P<value>[^&;\s'\"()\[\]]{4,})")


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
