"""lambdalint.secrets: the name and value checks shared by LL101 and LL204."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdalint import prefilter, secrets

KEY_ID = "AKIA2E3MQ4R5T6Y7U2I3"
SECRET_KEY = "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"
PEM = ("-----BEGIN EC PRIVATE KEY-----\n"
       "MHcCAQEEIBv3Rk9Tq2mZ8pX4wN7cL1yH6jD0sF5gA2eU9iO3qK7Ro4AcBggqhkjOPQ\n"
       "AwEHoUQDQgAE3Tz2mr7SZiAMfQyuvBjM9Oi3lJ/gN0rQkBz9QhXq8xV7kLs2Yp4Z\n"
       "-----END EC PRIVATE KEY-----\n")


def gate(text: str, extra_names=()) -> bool:
    """LL101's pre-filter gate on a file holding ``text``."""
    options = {"extra-secret-names": list(extra_names)}
    return prefilter.gate_of("LL101")(prefilter.Text(text, "app.py"), options)


@pytest.mark.parametrize("name", [
    "DB_PASSWORD", "password", "Password", "dbPassword", "DBPassword", "db-password",
    "DB_PASSWORD_PROD", "DB_PASSWORD_2", "passwd", "passphrase", "db_pass", "pwd", "api_key",
    "apiKey", "APIKey", "x-api-key", "apikey", "self.api_key", "settings.SECRET_KEY",
    "client_secret", "clientSecret", "SLACK_SIGNING_SECRET", "jwt_secret", "access_token",
    "refreshToken", "AUTH_TOKEN", "authtoken", "aws_secret_access_key", "aws_session_token",
    "private_key", "privateKey", "signing_key", "encryption_key", "credentials", "Authorization",
    "SecretString", "token", "secret_value", "db_pw_prod", "pword", "contrasena", "PASSCODE",
])
def test_secret_names(name):
    assert secrets.is_secret_name(name)
    # LL101's pre-filter gate never misses a name bound to a value the rule reports (it reads
    # the value too: ``DB_PASSWORD = 'x'`` is no finding, and the gate clears it).
    assert gate(f"{name} = 'Vq8#zL2m!x9Kp3$Tr7wQ2'")


@pytest.mark.parametrize("name", [
    "SECRET_ARN", "secret_name", "SECRET_ID", "SecretId", "DB_SECRET_PATH", "ACCESS_KEY_ID",
    "aws_access_key_id", "KMS_KEY_ID", "secret_key_id", "TOKEN_TYPE", "token_url",
    "password_field", "PASSWORD_MIN_LENGTH", "min_password_length", "password_hash",
    "api_key_header", "API_KEY_NAME", "is_password", "has_token", "NextToken", "next_token",
    "nexttoken", "ClientToken", "ClientRequestToken", "pagination_token", "csrf_token",
    "pad_token", "eos_token", "update_token", "VerificationToken", "sequenceToken",
    "ChangeToken", "AWS::IAM::AccessKey", "AWS::SecretsManager::Secret", "public_key", "primary_key", "sort_key", "cache_key", "key",
    "KEY", "passwords", "tokens", "secrets", "secretary", "tokenizer", "bypass", "compass",
    "pass_through", "keyword", "monkey", "SECRETS_MANAGER_ARN", "", "Enter your password",
])
def test_names_that_are_not_secrets(name):
    assert not secrets.is_secret_name(name)


def test_extra_secret_names_match_the_end_of_a_name():
    extra = ("dsn", "signing_salt")
    assert secrets.is_secret_name("DATABASE_DSN", extra)
    assert secrets.is_secret_name("dsn", extra)
    assert secrets.is_secret_name("APP_SIGNING_SALT", extra)
    assert secrets.is_secret_name("appSigningSalt_2", extra)
    assert not secrets.is_secret_name("DSN_NAME", extra)
    assert not secrets.is_secret_name("SALT", extra)
    assert not secrets.is_secret_name("DATABASE_DSN")


@pytest.mark.parametrize("value", [
    "", "   ", "changeme", "CHANGEME", "change_me", "<your-password>", "<PASSWORD>",
    "${DB_PASSWORD}", "{{ secret }}", "{password}", "{}", "%s", "%(password)s", "$DB_PASSWORD",
    "xxx", "XXXX-XXXX", "***", "••••••", "...", "TODO", "fixme", "dummy", "test", "test123",
    "testing", "password", "password1", "Password123!", "MyPassword", "secret", "mysecret",
    "your-api-key-here", "yourapikeyhere", "INSERT_TOKEN_HERE", "replace-with-real-key",
    "example", "sk_test_EXAMPLE", "my-secret-value", "fake-token", "placeholder", "redacted",
    "[REDACTED]", "null", "None", "N/A", "123456", "11111111", "0000", "__TOKEN__", "@TOKEN@",
    "abcabc", "admin", "guest", "root", "P@55w0rd!", "s3cr3t", "Secr3tP@ss",
])
def test_placeholders(value):
    assert secrets.looks_like_placeholder(value)


@pytest.mark.parametrize("value", [
    "hunter2", "Hk2$wP9r!mZ7", "Tr0ub4dor&3", "Summer2024", "k3y-9f8a7b6c5d4e", "supersecret",
    "83920174", KEY_ID, SECRET_KEY, "tomato",
])
def test_not_placeholders(value):
    assert not secrets.looks_like_placeholder(value)


@pytest.mark.parametrize("value", [
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", "prod/db",
    "/prod/db/password", "myapp/Prod/db-credentials", "keys/private.pem", "private.pem",
    "./certs/client.key", "DB_PASSWORD", "https://auth.example.org/oauth2/token",
    "ssm:/prod/db/password", "projects/my-project/secrets/db/versions/1",
])
def test_references(value):
    assert secrets.looks_like_reference(value)


@pytest.mark.parametrize("value", [SECRET_KEY, "Hk2$wP9r!mZ7", "Qx7Tb9Lm2Zr8Vk4Np/Wd6Hs3Jf5", "hunter2"])
def test_not_references(value):
    assert not secrets.looks_like_reference(value)


@pytest.mark.parametrize("value, kind", [
    (KEY_ID, "AWS access key id"),
    (f"aws_access_key_id = {KEY_ID}\n", "AWS access key id"),
    ("ASIA" + KEY_ID[4:], "AWS access key id"),
    ("A3TZ" + KEY_ID[4:], "AWS access key id"),
    (PEM, "private key"),
    (PEM.replace("\n", "\\n"), "private key"),
    ("postgresql://app:Vf83kdm2q@orders.cluster-abc.eu-west-1.rds.amazonaws.com/app",
     "connection URL with an inline password"),
    ("redis://:Rk39dkq0z@cache.internal:6379", "connection URL with an inline password"),
    ("https://deploy:Tq83kd02x@git.internal.corp/org/repo.git",
     "connection URL with an inline password"),
    ("ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "GitHub token"),
    ("xoxb-208394712094-4092837465019-Zq8Wm3Nk5Lp2Xr7Vt9Bc4Hd6", "Slack token"),
    ("sk_live_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa", "Stripe live secret key"),
])
def test_credential_kind_by_shape(value, kind):
    assert secrets.credential_kind(value) == kind


@pytest.mark.parametrize("value", [
    "AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE", "AKIA1234567890ABCDEF", "AKIAXXXXXXXXXXXXXXXX",
    "AKIA0000000000000000", "XAKIA2E3MQ4R5T6Y7U2I3", "ASIAPACIFICSOUTHEAST", KEY_ID + "X",
    "akia2e3mq4r5t6y7u2i3",
    SECRET_KEY,  # a secret access key needs a name
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----\n" + PEM.splitlines()[1],
    "postgresql://user:password@db/app", "postgresql://app:Pg83kd7@localhost/dev",
    "postgresql://app:Pg83kd7@127.0.0.1:5432/dev", "mysql://app:Pg83kd7@db.example.com/app",
    "amqp://guest:guest@rabbit:5672", "postgresql://app:{}@db.internal/app",
    "postgresql://app:${DB_PASSWORD}@db.internal/app", "postgresql://app@db.internal/app",
    "http://db.internal:5432/x@y", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk_test_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa", "", "plain text",
])
def test_no_credential_by_shape(value):
    assert secrets.credential_kind(value) is None


@pytest.mark.parametrize("value, kind", [
    ("postgresql://app:password@orders.abc123.eu-west-1.rds.amazonaws.com/orders",
     "connection URL with an inline password"),  # a weak password to a real endpoint
    ("postgresql://user:password@db.internal/app", "connection URL with an inline password"),
    ("https://api.internal/report?user=ops&pwd=Zq81kd", "password inside a string"),
    ("Server=db.prod;Database=orders;User Id=sa;Password=maria2019;", "password inside a string"),
    ("host=db.prod port=5432 user=app password=maria2019", "password inside a string"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x", "Authorization header credential"),
])
def test_credentials_inside_strings(value, kind):
    found = secrets.find_credential(value)
    assert found is not None and found.kind == kind
    assert "maria2019" not in found.masked and "Zq81kd" not in found.masked
    assert secrets.find_credential(value, urls=False) is None  # a docstring documents them


@pytest.mark.parametrize("value", [
    "https://api.internal/report?user=ops&pwd=%s", "Password={password};", "password=${DB_PASS}",
    "Authorization: Bearer <token>", "Authorization: Bearer {}", "token=NextToken&page=2",
    "?api_key=YOUR_API_KEY", "Server=db;Password=;",
])
def test_no_credential_inside_strings(value):
    assert secrets.find_credential(value) is None


@pytest.mark.parametrize("value", [
    "", "  ", "${DB_PASSWORD}", "{{ db_password }}", "%(password)s", "<password>", "!Ref DbPass",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", "your-api-key-here",
    "changeme", "xxxxxxxx", "****", "PASSWORD_MIN_LENGTH", "/var/task/key.pem",
    "https://auth.internal/oauth2/token", "SecureString", "INSERT_KEY_HERE", "none",
    "TESTACCESSKEY12345", "ABCSECRETKEY", "ABC12345", "test123", "foo",
])
def test_not_a_value(value):
    assert secrets.not_a_value(value)


@pytest.mark.parametrize("value", ["secret", "maria2019", "4321", "banana", "admin", "password",
                                   "P@55w0rd!", "s3cure-ish", "letmein", "TestPassword123!"])
def test_weak_values_are_values(value):
    """Secret words inside a value no longer make it a placeholder on their own."""
    assert not secrets.not_a_value(value)


@pytest.mark.parametrize("name, expected", [
    ("the_password_for_smtp", "password"), ("userPasswordValue", "password"),
    ("SIGNING_SECRET_V2", "secret"), ("db_pass", "weak password"), ("token_of_bot", "token"),
    ("password_field", None), ("SECRET_ARN", None), ("secret_name_for_db", None),
])
def test_credential_words_inside_names(name, expected):
    assert secrets.secret_category(name) == expected


def test_strong_only_and_without_urls():
    url = "postgresql://app:Vf83kdm2q@orders.internal/app"
    assert secrets.find_credential(url, strong_only=True) is None
    assert secrets.find_credential(url, urls=False) is None
    assert secrets.find_credential(PEM, strong_only=True) is None
    assert secrets.find_credential(KEY_ID, strong_only=True).kind == "AWS access key id"
    assert secrets.find_credential(KEY_ID).aws is True


@pytest.mark.parametrize("name, value, expected", [
    ("DB_PASSWORD", "hunter2", "password"),
    ("DB_PASSWORD", "Hk2$wP9r!mZ7", "password"),
    ("password", "postgres1x", "password"),
    ("db_pass", "hunter2", "password"),
    ("pwd", "build", None),
    ("pwd", "/home/app", None),
    ("api_key", "k3y-9f8a7b6c5d4e", "API key"),
    ("api_key", "123e4567-e89b-12d3-a456-426614174000", "API key"),
    ("x-api-key", "a9F3kq0Zt7Lm2Pw8", "API key"),
    ("access_token", "ya29.a0AfH6SMBx9k3", "token"),
    ("token", "Bearer", None),
    ("token", "identifier", "token"),  # no longer a placeholder: a word is a weak value
    ("token", "STRING_LITERAL", None),
    ("token", r"[^\W\d]\w*", None),
    ("client_secret", "Qx7Tb9Lm2Zr8", "secret"),
    ("JWT_SECRET", "supersecretvalue", "secret"),
    ("SECRET_KEY", "django-insecure-9f8a7b6c5d4e3f2a1b0c", "secret key"),
    ("aws_secret_access_key", SECRET_KEY, "AWS secret access key"),
    ("AWS_SECRET", SECRET_KEY, "AWS secret access key"),
    ("GITHUB_SECRET", SECRET_KEY, "secret"),
    ("CHECKSUM", SECRET_KEY, None),
    ("aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secrets.AWS_EXAMPLE),
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", secrets.AWS_EXAMPLE),
    ("aws_access_key_id", "ASIAX", None),  # a prefix in a table, not a key
    ("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln", "Authorization header credential"),
    ("Authorization", "Bearer {token}", None),
    ("Authorization", "Basic YXBwOlhrMjktcXBMN3pXbQ==", "Authorization header credential"),
    ("Authorization", "Basic dXNlcjpwYXNzd29yZA==", "Authorization header credential"),
    ("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=", None),  # guest:guest
    ("Authorization", "Bearer", None),
    ("password", "Enter your password", None),
    ("password", "db_password", None),
    ("password", "passwordConfirmation", None),
    ("password", "abc", None),
    ("SECRET", "prod/db", None),
    ("SECRET_ARN", "Hk2$wP9r!mZ7", None),
    ("TOKEN_TYPE", "Hk2$wP9r!mZ7", None),
    ("anything", KEY_ID, "AWS access key id"),
    (None, KEY_ID, "AWS access key id"),
    (None, "hunter2", None),
    ("DATABASE_DSN", "Dq83kdm2qX", None),
])
def test_classify(name, value, expected):
    assert secrets.classify(name, value) == expected


def test_classify_with_extra_names():
    assert secrets.classify("DATABASE_DSN", "Dq83kdm2qX", ["dsn"]) == "secret"
    assert secrets.classify("DATABASE_DSN", "changeme", ["dsn"]) is None


@pytest.mark.parametrize("value, masked", [
    (KEY_ID, "AKIA****"),
    (f"prefix {KEY_ID} suffix", "AKIA****"),
    ("ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "ghp_****"),
    ("sk_live_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa", "sk_live_****"),
    (PEM, "-----BEGIN EC PRIVATE KEY-----****"),
    ("postgresql://app:Vf83kdm2q@orders.internal:5432/app?sslmode=require",
     "postgresql://app:****@orders.internal"),
    ("hunter2", "****"),
    (SECRET_KEY, "****"),
    ("", "****"),
])
def test_mask(value, masked):
    assert secrets.mask(value) == masked


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=40))
def test_never_raises_and_never_echoes(value, name):
    kind = secrets.classify(name, value)
    masked = secrets.mask(value)
    secrets.looks_like_placeholder(value)
    secrets.looks_like_reference(value)
    secrets.is_secret_name(name)
    assert kind is None or isinstance(kind, str)
    if len(value) >= 5:
        assert masked != value


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16))
def test_masked_key_ids_keep_only_the_prefix(suffix):
    found = secrets.find_credential("AKIA" + suffix)
    if found is not None:
        assert found.masked == "AKIA****" and suffix not in found.masked


def test_the_gate_skips_plain_code():
    """LL101's pre-filter gate; tests/rules/test_cases.py shows it keeps every INVALID program."""
    assert not gate("import json\n\ndef handler(event, context):\n    return json.dumps(event)\n")
    assert not gate("DATABASE_DSN = 'Zq81kd-dsn-9'\n")
    assert gate("DATABASE_DSN = 'Zq81kd-dsn-9'\n", ["dsn"])
    assert gate(f"ID = '{KEY_ID}'\n")


def test_masking_hides_credentials_inside_strings():
    from lambdalint.redact import mask_text

    text = ('URL = "https://api.internal/r?user=ops&pwd=Zq81kd" and '
            '"Server=db;Password=maria2019;" and "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x"')
    masked = mask_text(text)
    assert "Zq81kd" not in masked and "maria2019" not in masked and "eyJhbG" not in masked
    assert "pwd=****" in masked and "Password=****;" in masked and "Bearer ****" in masked
    assert mask_text(masked) == masked


def test_the_gate_knows_every_callee_of_the_positional_table():
    """The gate cannot import the table (LibCST); its copy of the words must cover each callee."""
    from lambdalint.rules import ll101_hardcoded_credential as ll101
    from lambdalint.rules._credential_calls import GATE_WORDS, POSITIONAL_SECRETS

    source = Path(ll101.__file__).read_text(encoding="utf-8")
    assert "positional_words = " + repr(GATE_WORDS).replace("'", "\"") in source
    for callee, (bases, _) in POSITIONAL_SECRETS.items():
        module = bases[0] if bases else "lib"
        args = ", ".join(["'Vq8#zL2m!x9Kp3$Tr7wQ2'"] * 8)  # a value the rule reports
        if module in ("lib", "boto3", "session") and callee in ("client", "resource"):
            args = "'s3', None, None, None, None, None, 'AKIAIOSFODNN7EXAMPLE'"  # a key id's shape
        assert gate(f"import {module}\nx = {module}.{callee}({args})\n"), callee
