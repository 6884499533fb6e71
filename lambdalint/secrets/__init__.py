"""Recognising secrets in plain strings: credential shapes, secret-like names, placeholders.

Shared by LL101 (literals in Python code) and LL204 (environment variables in deployment
configs), so it works on names and values alone and knows nothing about LibCST or YAML.
A literal under a credential name is a secret unless it is clearly *not a value*
(``not_a_value``: empty, a template or reference, an instruction to the reader such as
``your-api-key-here``, a path, a URL without userinfo, an environment variable name): a weak
password is still a password in the repository. A value whose shape proves it (an AWS access key
id, a private key block, a prefixed token) is a secret under any name. AWS's documentation keys
are reported under AWS key names (the long-term keys are the defect, not the key).

One module per seam, each reading only those before it:

* ``names``: the name alone (``secret_category``, ``is_aws_key_name``, ``squash``);
* ``values``: what is not a value (``not_a_value``, placeholders, templates, references);
* ``shapes``: the value alone (``find_credential``: key ids, private keys, tokens, URLs with a
  password, ``name=value`` pairs inside strings);
* ``verdicts``: a name and a value together (``classify``), AWS's example keys, ``mask``;
* ``text``: every secret inside any text, for the reporters' masking (``find_secrets_in_text``),
  which leans the other way: it hides whatever might be a secret.

The names below are the API; the rules import this package, never its modules.
"""

from __future__ import annotations

from lambdalint.secrets.names import (AUTHORIZATION, CUSTOM, PASSWORD, SECRET, SECRET_WORDS, TOKEN,
                                      WEAK_PASSWORD, is_aws_credential_name, is_aws_key_name,
                                      is_secret_name, secret_category, squash)
from lambdalint.secrets.shapes import (AWS_ACCESS_KEY_ID, PREFIX_HINT, SHAPE_HINT, Credential,
                                       credential_kind, find_credential)
from lambdalint.secrets.text import SecretSpan, find_secrets_in_text
from lambdalint.secrets.values import (AWS_SECRET_ACCESS_KEY, looks_like_placeholder,
                                       looks_like_reference, not_a_value)
from lambdalint.secrets.verdicts import (AWS_EXAMPLE, AWS_EXAMPLE_ADVICE, AWS_EXAMPLE_KEYS,
                                         AWS_MADE_UP, aws_example_key, classify, looks_random,
                                         made_up_aws_key_id, mask, mask_prefix)

__all__ = [
    "AUTHORIZATION", "AWS_ACCESS_KEY_ID", "AWS_EXAMPLE", "AWS_EXAMPLE_ADVICE", "AWS_EXAMPLE_KEYS",
    "AWS_MADE_UP", "AWS_SECRET_ACCESS_KEY", "CUSTOM", "Credential", "PASSWORD", "PREFIX_HINT",
    "SECRET", "SECRET_WORDS", "SHAPE_HINT", "SecretSpan", "TOKEN", "WEAK_PASSWORD",
    "aws_example_key", "classify", "credential_kind", "find_credential", "find_secrets_in_text",
    "is_aws_credential_name", "is_aws_key_name", "is_secret_name", "looks_like_placeholder",
    "looks_like_reference", "looks_random", "made_up_aws_key_id", "mask", "mask_prefix",
    "not_a_value", "secret_category", "squash",
]
