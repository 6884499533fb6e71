"""LL101 hardcoded-credential through the real CLI, on files written for each test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from helpers import check_json, ids_and_lines, run_cli, write
from lambdalint.rules.ll101_hardcoded_credential import HardcodedCredential

# Values that look real: random, not in any placeholder list. Never printed by the rule.
PASSWORD = "Hk2$wP9r!mZ7"
KEY_ID = "AKIA2E3MQ4R5T6Y7U2I3"
SECRET_KEY = "Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q"
TOKEN = "tok_9b8c7d6e5f4a3b2c1d"
PEM_BODY = ("MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi3lJ/gN0rQkBz9QhXq8xV7kLs2\n"
            "Yp4Zt5WqR8vF1c6kJ2nB0mD3sH7gL4tQ9wE5rX1yU8iO2pA6zS3dF7hK0jM4nV\n")


def ll101(root: Path, files: dict, *extra: str) -> List[dict]:
    write(root, files)
    if not (root / "lambdalint.toml").exists():
        (root / "lambdalint.toml").write_text("", encoding="utf-8")  # no configuration from above
    return check_json(["."], root, "--select", "LL101", *extra)


def lines(findings: List[dict]) -> List[int]:
    assert all(f["rule"] == "LL101" for f in findings), findings
    return [f["line"] for f in findings]


# -- what it reports -------------------------------------------------------------------------


def test_variable_password_reported_at_the_literal(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import os

        DB_PASSWORD = "{PASSWORD}"
        DB_HOST = os.environ["DB_HOST"]
    """})
    assert ids_and_lines(found) == [("LL101", 3)]
    f = found[0]
    assert (f["column"], f["end_line"], f["end_column"]) == (15, 3, 15 + len(PASSWORD) + 2)
    assert f["message"] == "DB_PASSWORD is assigned a hardcoded password (****)"
    assert f["severity"] == "error" and f["name"] == "hardcoded-credential"
    assert f["fixable"] is False


def test_aws_access_key_id_anywhere_in_a_string(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import logging

        logging.info("using {KEY_ID} for uploads")
        KEYS = ["{KEY_ID}"]
        CONFIG = {{"region": "eu-west-1", "key": "{KEY_ID}"}}
        call("{KEY_ID}")
        URL = "https://b.s3.amazonaws.com/k?X-Amz-Credential={KEY_ID}%2F20240101"
    """})
    assert lines(found) == [3, 4, 5, 6, 7]
    assert [f["column"] for f in found] == [14, 9, 41, 6, 7]
    assert all("AWS access key id (AKIA****)" in f["message"] for f in found)
    assert found[0]["message"] == "string literal holds a hardcoded AWS access key id (AKIA****)"
    assert found[2]["message"] == "dict key \"key\" holds a hardcoded AWS access key id (AKIA****)"


@pytest.mark.parametrize("prefix", ["ASIA", "ABIA", "ACCA", "A3TX"])
def test_other_access_key_id_prefixes(tmp_path, prefix):
    key = prefix + KEY_ID[4:]
    assert lines(ll101(tmp_path, {"app.py": f'K = "{key}"\n'})) == [1]


def test_aws_secret_key_only_next_to_a_credential_name(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import boto3

        s3 = boto3.client(
            "s3",
            aws_access_key_id="{KEY_ID}",
            aws_secret_access_key="{SECRET_KEY}",
            aws_session_token="IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH",
        )
        AWS_SECRET_ACCESS_KEY = "{SECRET_KEY}"
        CHECKSUM = "{SECRET_KEY}"
        ETAG = "{SECRET_KEY}"
        label("{SECRET_KEY}")
    """})
    assert lines(found) == [5, 6, 7, 9]
    assert found[0]["message"] == ("keyword argument aws_access_key_id= gets a hardcoded AWS "
                                   "access key id (AKIA****)")
    assert found[1]["message"] == ("keyword argument aws_secret_access_key= gets a hardcoded AWS "
                                   "secret access key (****)")
    assert "AWS secret access key" in found[3]["message"]
    for f in found:
        assert "execution role" in f["suggestion"]
        assert "Deactivate this key in IAM" in f["suggestion"]


def test_attributes_and_class_attributes(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        class Settings:
            API_TOKEN = "{TOKEN}"
            TOKEN_TYPE = "Bearer"

            def __init__(self):
                self.api_key = "k3y-9f8a7b6c5d4e"
                self.api_key_header = "x-api-key"
                self.password: str = "{PASSWORD}"
    """})
    assert lines(found) == [2, 6, 8]
    assert found[0]["message"] == "API_TOKEN is assigned a hardcoded token (****)"
    assert found[1]["message"] == "self.api_key is assigned a hardcoded API key (****)"
    assert 'self.api_key = os.environ["API_KEY"]' in found[1]["suggestion"]


def test_dict_literals(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        DATABASE = {{
            "default": {{
                "HOST": "db.internal",
                "PASSWORD": "{PASSWORD}",
                "password_field": "password",
            }},
        }}
        HEADERS = {{"x-api-key": "a9F3kq0Zt7Lm2Pw8", "Content-Type": "application/json"}}
        AUTH = {{"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"}}
        TEMPLATE = {{"Authorization": "Bearer {{token}}", "password": ""}}
    """})
    assert lines(found) == [4, 8, 9]
    assert found[0]["message"] == 'dict key "PASSWORD" holds a hardcoded password (****)'
    assert '"PASSWORD": os.environ["PASSWORD"]' in found[0]["suggestion"]
    assert found[1]["message"] == 'dict key "x-api-key" holds a hardcoded API key (****)'
    assert "Authorization header credential" in found[2]["message"]


def test_keyword_arguments_and_parameter_defaults(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import pymysql
        from github import Github

        conn = pymysql.connect(host="db.internal", user="app", password="{PASSWORD}")
        gh = Github(token="ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8")
        stripe = Client(api_key="{TOKEN}")


        def login(user, password="{PASSWORD}"):
            return user, password


        def page(NextToken="eyJ2IjoxfQ9a8b7c6d5e4f", ClientToken="a1b2c3d4e5f6a7b8"):
            return NextToken
    """})
    assert lines(found) == [4, 5, 6, 9]
    assert found[0]["message"] == "keyword argument password= gets a hardcoded password (****)"
    assert 'password=os.environ["PASSWORD"]' in found[0]["suggestion"]
    assert found[1]["message"] == "keyword argument token= gets a hardcoded GitHub token (ghp_****)"
    assert found[3]["message"] == "parameter password defaults to a hardcoded password (****)"


def test_annotated_and_tuple_assignments(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        from typing import Final

        JWT_SECRET: Final[str] = "k3y-f0r-jwt-s1gning"
        USER, PASSWORD = "app", "{PASSWORD}"
        MIN_PASSWORD_LENGTH: int = 12
    """})
    assert lines(found) == [3, 4]
    assert found[1]["column"] == 25


def test_comparison_with_a_hardcoded_key(tmp_path):
    found = ll101(tmp_path, {"authorizer.py": """
        def handler(event, context):
            token = event["authorizationToken"]
            if token == "allow":
                return policy("Allow")
            if event["headers"]["x-api-key"] != "s3cr3t-K3y-9911":
                return policy("Deny")
            return policy("Deny")
    """})
    assert lines(found) == [5]
    assert "hmac.compare_digest(event[\"headers\"][\"x-api-key\"], " in found[0]["suggestion"]


def test_environment_set_in_code(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import os

        os.environ["DB_PASSWORD"] = "{PASSWORD}"
        os.environ.setdefault("API_TOKEN", "{TOKEN}")
        os.environ.setdefault("LOG_LEVEL", "INFO")
    """})
    assert lines(found) == [3, 4]
    assert found[0]["message"] == 'os.environ["DB_PASSWORD"] is assigned a hardcoded password (****)'
    assert found[1]["message"] == "environment variable API_TOKEN is set to a hardcoded token (****)"
    for f in found:
        assert "os.environ[\"DB_PASSWORD\"] = os.environ" not in f["suggestion"]
        assert "get_secret_value(SecretId=" in f["suggestion"]
    assert ('os.environ["API_TOKEN"] = secrets_client.get_secret_value('
            'SecretId=os.environ["API_TOKEN_SECRET_ARN"])["SecretString"]') in found[1]["suggestion"]


def test_pem_private_keys(tmp_path):
    found = ll101(tmp_path, {"app.py": f'''
        SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----
        {PEM_BODY.splitlines()[0]}
        {PEM_BODY.splitlines()[1]}
        -----END RSA PRIVATE KEY-----
        """

        KEY = (
            "-----BEGIN PRIVATE KEY-----\\n"
            "{PEM_BODY.splitlines()[0]}\\n"
            "{PEM_BODY.splitlines()[1]}\\n"
            "-----END PRIVATE KEY-----\\n"
        )
        write(b"-----BEGIN OPENSSH PRIVATE KEY-----\\n{PEM_BODY.splitlines()[0]}\\n"
              b"{PEM_BODY.splitlines()[1]}\\n-----END OPENSSH PRIVATE KEY-----")

        EXAMPLE = "-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----"
        HEADER = "-----BEGIN RSA PRIVATE KEY-----"
        PUBLIC = "-----BEGIN PUBLIC KEY-----\\n{PEM_BODY.splitlines()[0]}\\n-----END PUBLIC KEY-----"
        if line.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"):
            pass
    '''})
    assert lines(found) == [1, 8, 13]
    assert [f["column"] for f in found] == [15, 5, 7]
    assert found[0]["message"] == ("SIGNING_KEY is assigned a hardcoded private key "
                                   "(-----BEGIN RSA PRIVATE KEY-----****)")
    assert "-----BEGIN OPENSSH PRIVATE KEY-----****" in found[2]["message"]


def test_connection_urls_with_an_inline_password(tmp_path):
    found = ll101(tmp_path, {"app.py": """
        import os

        DATABASE_URL = "postgresql://app:Vf83kdm2q@orders.cluster-abc.eu-west-1.rds.amazonaws.com/app"
        engine = create_engine("mysql+pymysql://app:Rt93kdWq@mysql.internal.corp:3306/orders")
        cache = redis.from_url("redis://:Rk39dkq0z@cache.abc123.use1.cache.amazonaws.com:6379/0")
        MONGO = "mongodb+srv://svc:Mq72hdPx0@cluster0.ab1cd.mongodb.net/app?retryWrites=true"
        BROKER = "amqps://worker:Bq38xk29@b-1234.mq.eu-west-1.amazonaws.com:5671"

        LOCAL = "postgresql://postgres:Pg83kd7@localhost:5432/dev"
        DOCS = "postgresql://user:password@db.example.com/app"
        GUEST = "amqp://guest:guest@rabbit:5672//"
        TEMPLATE = "postgresql://app:{password}@orders.internal/app"
        FORMATTED = "postgresql://app:%s@orders.internal/app" % os.environ["PW"]
        FSTRING = f"postgresql://app:{os.environ['PW']}@orders.internal/app"
        BUILT = "postgresql://app:" + os.environ["PW"] + "@orders.internal/app"
        NO_PASSWORD = "postgresql://app@orders.internal/app"
        PORT_ONLY = "http://orders.internal:8080/health@v1"
    """})
    assert lines(found) == [3, 4, 5, 6, 7]
    assert found[0]["message"] == (
        "DATABASE_URL is assigned a hardcoded connection URL with an inline password "
        "(postgresql://app:****@orders.cluster-abc.eu-west-1.rds.amazonaws.com)")
    assert found[1]["message"].startswith("keyword argument") is False
    assert 'os.environ["DATABASE_URL"]' in found[1]["suggestion"]
    assert 'os.environ["REDIS_URL"]' in found[2]["suggestion"]


def test_f_strings(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import os

        host = os.environ["DB_HOST"]
        URL = f"postgresql://admin:Qz83kd02@{{host}}/db"
        KEY = f"{KEY_ID}"
        LOG = f"key {KEY_ID} for {{host}}"
        DB_PASSWORD = f"{{os.environ['PREFIX']}}-Vq8#zL2m"
        TOKEN = f"Bearer {{os.environ['TOKEN']}}"
        API_KEY = f"k3y-9f8a7b6c5d4e"
    """})
    assert lines(found) == [4, 5, 6, 9]
    assert "postgresql://admin:****@{}" in found[0]["message"]


def test_concatenations(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        import os

        KEY = "{KEY_ID[:8]}" + "{KEY_ID[8:]}"
        DB_PASSWORD = ("Vq8#z"
                       "L2m!x4T")
        API_KEY = "k3y-" + "9f8a7b6c5d4e"
        SUFFIXED = "Vq8#z" + os.environ["SUFFIX"]
        DB_PASSWORD_2 = "Vq8#z" + os.environ["SUFFIX"]
        TOTAL = 1 + 2 + 3
    """})
    assert lines(found) == [3, 4, 6]
    assert [f["column"] for f in found] == [7, 16, 11]  # the first literal, inside the parentheses


def test_bytes_literals(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        DB_PASSWORD = b"{PASSWORD}"
        RAW = rb"{KEY_ID}"
        EMPTY_SECRET = b""
    """})
    assert lines(found) == [1, 2]


def test_known_token_shapes_under_any_name(tmp_path):
    found = ll101(tmp_path, {"app.py": """
        GH = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
        SLACK = "xoxb-208394712094-4092837465019-Zq8Wm3Nk5Lp2Xr7Vt9Bc4Hd6"
        HOOK = "https://hooks.slack.com/services/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"
        STRIPE = "sk_live_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa"
        FAKE_GH = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        TEST_STRIPE = "sk_test_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa"
    """})
    assert lines(found) == [1, 2, 3, 4]
    assert [f["message"].rsplit("(", 1)[1] for f in found] == [
        "ghp_****)", "xoxb-****)", "https://hooks.slack.com/services/****)", "sk_live_****)"]


# -- what it leaves alone --------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "", " ", "changeme", "change-me", "<your-password>", "<PASSWORD>", "${DB_PASSWORD}",
    "{{ db_password }}", "{password}", "%(password)s", "$DB_PASSWORD", "xxx", "XXXXXXXX", "***",
    "********", "TODO", "FIXME", "dummy", "your-api-key-here", "INSERT_KEY_HERE", "replace-me",
    "none", "null", "N/A", "...", "example", "fake-password", "placeholder", "redacted",
    "[REDACTED]", "0000", "__PASSWORD__", "abc", "!Ref DbPassword",
    "my-secret-value",  # names a secret (as "db_password" does), does not hold one
    "test", "test123", "foo", "TESTACCESSKEY12345",  # made up, and say so
])
def test_values_that_are_not_values_are_silent(tmp_path, value):
    source = (f"DB_PASSWORD = {value!r}\nAPI_KEY = {value!r}\nconnect(password={value!r})\n"
              f"CONFIG = {{'token': {value!r}}}\n")
    assert ll101(tmp_path, {"app.py": source}) == []


@pytest.mark.parametrize("value", [
    "Password1", "secret", "123456", "pass", "admin", "hunter22",
    "root", "P@55w0rd!", "maria2019", "banana",
])
def test_weak_passwords_under_credential_names_are_reported(tmp_path, value):
    """A weak password is still a password in the repository, and the worst kind."""
    source = (f"DB_PASSWORD = {value!r}\nAPI_KEY = {value!r}\nconnect(password={value!r})\n"
              f"CONFIG = {{'token': {value!r}}}\n")
    found = ll101(tmp_path, {"app.py": source})
    assert lines(found) == [1, 2, 3, 4]
    assert all(f"({value})" not in f["message"] and f'"{value}"' not in f["suggestion"]
               for f in found)


def test_values_read_at_run_time_are_silent(tmp_path):
    assert ll101(tmp_path, {"app.py": """
        import json
        import os as o
        from os import environ, getenv

        import boto3
        from aws_lambda_powertools.utilities import parameters

        secrets_client = boto3.client("secretsmanager")
        ssm = boto3.client("ssm")
        DB_PASSWORD = o.environ["DB_PASSWORD"]
        API_KEY = o.getenv("API_KEY")
        TOKEN = environ.get("TOKEN", "")
        SECRET = getenv("SECRET", "changeme")
        CREDS = json.loads(secrets_client.get_secret_value(SecretId=o.environ["SECRET_ARN"])["SecretString"])
        SIGNING_SECRET = ssm.get_parameter(Name="/prod/slack/signing-secret", WithDecryption=True)["Parameter"]["Value"]
        STRIPE_KEY = parameters.get_secret("prod/stripe")


        def handler(event, context):
            password = event["password"]
            token = event.get("headers", {}).get("authorization")
            return login(password=password, token=token, api_key=API_KEY)
    """}) == []


def test_secret_names_arns_and_paths_are_silent(tmp_path):
    assert ll101(tmp_path, {"app.py": """
        SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
        DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
        secret_name = "prod/db"
        SECRET_ID = "prod/orders/db-credentials"
        DB_SECRET_PATH = "/prod/db/password"
        DB_PASSWORD = "/prod/db/password"
        API_KEY = "prod/stripe/api-key"
        ACCESS_KEY_ID = "ASIAX"
        KMS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
        SIGNING_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        PRIVATE_KEY = "keys/private.pem"
        PRIVATE_KEY_FILE = "/var/task/private.pem"
        PASSWORD_ENV = "DB_PASSWORD"
        password = "DB_PASSWORD"
        TOKEN_URL = "https://auth.example.org/oauth2/token"
        token = "https://auth.internal/oauth2/token"
        DB_PASSWORD = "{{resolve:secretsmanager:prod/db:SecretString:password}}"
    """}) == []


def test_names_that_only_look_secret_are_silent(tmp_path):
    assert ll101(tmp_path, {"app.py": """
        import os

        TOKEN_TYPE = "Bearer"
        token_type = "refresh_token"
        password_field = "password"
        PASSWORD_MIN_LENGTH = 8
        PASSWORD_HASHER = "argon2"
        API_KEY_HEADER = "x-api-key"
        SECRET_KEY_NAME = "app-signing-key"
        pwd = "/home/app"
        PWD = os.getcwd()
        first_pass = "tokenize"
        is_password = "yes"
        NEXT_TOKEN = "eyJ2IjoxLCJrIjoiYWJjZGVmIn0"
        PUBLIC_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3Tz2mr7SZiAM"
        SORT_KEY = "pk#2024-01-01#order-42"
        CACHE_KEY = "orders:v2:9f8a7b6c5d4e"
        password_prompt = "Enter your password: "
        token = "NAME"
        number_token = r"[0-9]+(\\.[0-9]*)?"
        jsonnet_token = r"[^\\W\\d]\\w*"
        DB_PASSWORD = 12345678
        API_KEYS = ["k3y-9f8a7b6c5d4e"]
        PASSWORD_LENGTH = "16"
        messages = {"password": "Enter the password for %(user)s"}
        labels = {"password": "Password", "api_key": "API key"}
        # seen in cfn-lint and moto:
        SCHEMA_HASHES = {"AWS::ApiGateway::ApiKey": "48205d4ffd7feba3",
                         "AWS::SecretsManager::Secret": "af318b77aaceeeaa"}
        update_token = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
        result = {"VerificationToken": "QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0="}
        FIELD_TYPES = {"password": "SecureString", "token": "write_only"}


        def handler(event, context):
            if event.get("grant_type") == "password":
                return {"token_type": "Bearer", "password": None}
            return {"next_token": event.get("NextToken")}
    """}) == []


def test_aws_documentation_example_keys_are_reported_as_such(tmp_path):
    """The key may be fake, the pattern (long-term keys instead of the execution role) is not."""
    found = ll101(tmp_path, {"app.py": """
        import boto3

        s3 = boto3.client(
            "s3",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        OTHER_EXAMPLE = "AKIAI44QH8DHBEXAMPLE"
        SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
        SEQUENCE = "AKIA1234567890ABCDEF"
        MASKED = "AKIAXXXXXXXXXXXXXXXX"
        AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
    """})
    assert lines(found) == [5, 6, 12]
    assert found[0]["message"] == (
        "keyword argument aws_access_key_id= gets AWS's example key (AKIA****, 20 characters): "
        "the code passes long-term keys where the execution role should sign; use the "
        "execution role")
    assert "wJalrXUtnFEMI" not in json.dumps(found)
    assert all("execution role" in f["suggestion"] for f in found)


def test_length_alone_is_not_a_signal(tmp_path):
    long_value = "a" * 12 + "/b" * 14
    assert ll101(tmp_path, {"app.py": f"""
        HANDLER = "src.orders.handlers.create_order_from_api_gateway_event.lambda_handler"
        ROLE = "arn:aws:iam::123456789012:role/service-role/orders-create-function-role-4x8f2k"
        DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        B64 = "SGVsbG8gd29ybGQhIFRoaXMgaXMgYSBsb25nIGJhc2U2NCBzdHJpbmcgZm9yIHRlc3Rz"
        PATH = "{long_value}"
        QUERY = "SELECT id, status FROM orders WHERE customer_id = %s AND created_at > %s"
    """}) == []


def test_docstrings_document_urls_but_keys_still_count(tmp_path):
    found = ll101(tmp_path, {"app.py": f'''
        """Orders service.

        Connect with a URL such as postgresql://app:Vf83kdm2q@orders.internal/app.
        """


        def handler(event, context):
            """Uses the key {KEY_ID} (rotate it!)."""
            return None
    '''})
    assert lines(found) == [8]


def test_test_files_with_placeholder_credentials(tmp_path):
    found = ll101(tmp_path, {
        "tests/test_handler.py": f"""
            import os

            import boto3
            import pytest
            from moto import mock_aws


            @pytest.fixture(autouse=True)
            def aws_credentials(monkeypatch):
                monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
                monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
                os.environ["AWS_SECURITY_TOKEN"] = "testing"


            def test_login():
                assert login(user="alice", password="{PASSWORD}")
                assert connect("postgresql://app:Vf83kdm2q@db.internal/app")
                client = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                                      aws_secret_access_key="{SECRET_KEY}")
                DB_PASSWORD = "Vq8#zL2m"
                assert client
        """,
        "tests/conftest.py": f'API_TOKEN = "{TOKEN}"\n',
        "orders_test.py": f'SIGNING_KEY = "k3y-f0r-jwt-s1gning"\nKEY = "{KEY_ID}"\n',
    })
    assert [(f["path"], f["line"]) for f in found] == [("orders_test.py", 2)]


def test_a_tests_directory_of_a_layer_or_package_is_still_test_code(tmp_path):
    """Weak passwords, example keys and credentials inside strings are not reported there; a
    real access key id still is."""
    fixture = f"""
        DB_PASSWORD = "maria2019"
        s3 = client(aws_access_key_id="AKIAIOSFODNN7EXAMPLE")
        URL = "https://api.internal/r?user=ops&pwd=Zq81kd"
        assert password == "hunter22"
        KEY = "{KEY_ID}"
    """
    found = ll101(tmp_path, {"layers/shared/python/shared/tests/fixtures.py": fixture,
                             "src/orders/testing/data.py": fixture,
                             "src/orders/handler.py": 'SMTP_PASSWORD = "secret"\n'})
    assert [(f["path"], f["line"]) for f in found] == [
        ("layers/shared/python/shared/tests/fixtures.py", 5), ("src/orders/handler.py", 1),
        ("src/orders/testing/data.py", 5)]


# -- output ------------------------------------------------------------------------------------

SECRETS_FILE = f"""
import boto3

DB_PASSWORD = "{PASSWORD}"
DATABASE_URL = "postgresql://app:Vf83kdm2q@orders.cluster-abc.eu-west-1.rds.amazonaws.com/app"
s3 = boto3.client("s3", aws_access_key_id="{KEY_ID}", aws_secret_access_key="{SECRET_KEY}")
SIGNING_KEY = "-----BEGIN RSA PRIVATE KEY-----\\n{PEM_BODY.splitlines()[0]}\\n{PEM_BODY.splitlines()[1]}\\n-----END RSA PRIVATE KEY-----"
GH = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
"""
RAW_SECRETS = [PASSWORD, "Vf83kdm2q", KEY_ID, KEY_ID[4:], SECRET_KEY, SECRET_KEY[:10],
               PEM_BODY[:20], "A1b2C3d4E5f6G7h8I9j0"]


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_the_raw_secret_never_appears_in_the_output(tmp_path, output_format):
    write(tmp_path, {"app.py": SECRETS_FILE, "lambdalint.toml": ""})
    code, out, err = run_cli(["check", "--select", "LL101", "--format", output_format, "."],
                             cwd=tmp_path)
    assert code == 1, err
    for raw in RAW_SECRETS:
        assert raw not in out and raw not in err
    if output_format == "text":
        assert "app.py:3:15: LL101 [hardcoded-credential] DB_PASSWORD is assigned a hardcoded password (****)" in out
        assert "AKIA****" in out and "postgresql://app:****@orders" in out
        assert "Found 6 problems (6 errors)" in out
    if output_format == "json":
        data = json.loads(out)
        assert [f["line"] for f in data["findings"]] == [3, 4, 5, 5, 6, 7]
        assert data["summary"]["fixable"] == 0


def test_suggestion_reads_the_real_name_from_the_environment_or_secrets_manager(tmp_path):
    found = ll101(tmp_path, {"app.py": f'SLACK_SIGNING_SECRET = "{TOKEN}"\n'})
    suggestion = found[0]["suggestion"]
    assert 'SLACK_SIGNING_SECRET = os.environ["SLACK_SIGNING_SECRET"]' in suggestion
    assert 'secrets_client = boto3.client("secretsmanager")' in suggestion
    assert ('SLACK_SIGNING_SECRET = secrets_client.get_secret_value('
            'SecretId=os.environ["SLACK_SIGNING_SECRET_ARN"])["SecretString"]') in suggestion
    assert "rotate" in suggestion


def test_suggested_lines_are_valid_python(tmp_path):
    import ast
    found = ll101(tmp_path, {"app.py": f"""
        class C:
            def __init__(self):
                self.apiKey = "{TOKEN}"
        CONFIG = {{"x-api-key": "{TOKEN}"}}
        connect(password="{PASSWORD}")
        CONN = "postgresql://app:Vf83kdm2q@orders.internal/app"
    """})
    assert len(found) == 4
    for f in found:
        code_lines = [line.strip() for line in f["suggestion"].splitlines() if line.startswith("    ")]
        assert len(code_lines) == 3, f["suggestion"]
        for code in code_lines:
            for wrapped in (code, "{" + code + "}", f"f({code})"):  # statement, dict entry, keyword
                try:
                    ast.parse(wrapped)
                    break
                except SyntaxError:
                    continue
            else:
                pytest.fail(f"not Python: {code}")
    assert 'self.apiKey = os.environ["API_KEY"]' in found[0]["suggestion"]
    assert '"x-api-key": os.environ["X_API_KEY"]' in found[1]["suggestion"]
    assert 'CONN = os.environ["CONN"]' in found[3]["suggestion"]


def test_no_fix_is_offered_and_fix_changes_nothing(tmp_path):
    write(tmp_path, {"app.py": SECRETS_FILE, "lambdalint.toml": ""})
    before = (tmp_path / "app.py").read_bytes()
    code, out, err = run_cli(["check", "--select", "LL101", "--fix", "."], cwd=tmp_path)
    assert code == 1, err
    assert (tmp_path / "app.py").read_bytes() == before
    assert "fixable" not in out


# -- configuration and suppression -------------------------------------------------------------


def test_options_extra_secret_names_and_allowed_values(tmp_path):
    write(tmp_path, {"lambdalint.toml": """
        [rules.LL101]
        extra-secret-names = ["dsn", "signing_salt"]
        allowed-values = ["sk_live_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa", "Hk2$wP9r!mZ7"]
    """})
    found = ll101(tmp_path, {"app.py": """
        DATABASE_DSN = "Dq83kdm2qX"
        APP_SIGNING_SALT = "salt-93kdq"
        STRIPE = "sk_live_51Hq8Lm3Zr7Vt9Bc4Hd6Nk5Wp2Xa"
        DB_PASSWORD = "Hk2$wP9r!mZ7"
        OTHER_PASSWORD = "Wk2$wP9r!mZ7"
        DSN_NAME = "orders"
        DATABASE_DSN_2 = "changeme"
    """})
    assert lines(found) == [1, 2, 5]


def test_bad_option_is_a_clear_error(tmp_path):
    write(tmp_path, {"lambdalint.toml": "[rules.LL101]\nallowed-values = 3\n",
                     "app.py": "x = 1\n"})
    code, out, err = run_cli(["check", "--select", "LL101", "."], cwd=tmp_path)
    assert code == 2
    assert "allowed-values" in err and "Traceback" not in err


def test_noqa_suppresses(tmp_path):
    found = ll101(tmp_path, {"app.py": f"""
        DB_PASSWORD = "{PASSWORD}"  # noqa: LL101
        API_TOKEN = "{TOKEN}"  # noqa: LL102
    """})
    assert lines(found) == [2]


def test_inline_code_in_a_template_points_into_the_template(tmp_path):
    found = ll101(tmp_path, {"template.yaml": f"""
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: |
                API_TOKEN = "{TOKEN}"

                def handler(event, context):
                    return API_TOKEN
    """})
    assert [(f["path"], f["line"]) for f in found] == [("template.yaml", 10)]
    assert found[0]["column"] == 21


# -- robustness --------------------------------------------------------------------------------


def test_odd_strings_never_crash(tmp_path):
    deep = " + ".join(f'"p{i}"' for i in range(300))
    found = ll101(tmp_path, {
        "odd.py": f"""
            DB_PASSWORD = "Vq8\\qzL2m!x"
            API_KEY = "\\N{{BULLET}}k3y-9f8a7b"
            TOKEN = u"t\\u00f6k-9f8a7b6c5d"
            LONG = {deep}
            PASSWORD = "{'x' * 100_000}"
            SECRET = '''multi
            line'''
            EMOJI_PASSWORD = "🔑🔑🔑🔑-9f8a"
        """,
        "latin.py": "# -*- coding: latin-1 -*-\nDB_PASSWORD = 'caf\xe9-9f8a7b'\n".encode("latin-1"),
    })
    assert [(f["path"], f["line"]) for f in found] == [
        ("latin.py", 2), ("odd.py", 1), ("odd.py", 2), ("odd.py", 3), ("odd.py", 8)]


# -- the programs next to the rule: tests/rules/test_cases.py runs them -----------------------


def test_rule_class_is_documented():
    assert HardcodedCredential.__doc__


def test_long_term_keys_passed_to_boto3_every_way(tmp_path):
    """Sonar's long-term access key cases: keywords, positions, sessions, local names, a key
    cut short; and what stays silent (keys read at run time or from another call)."""
    found = ll101(tmp_path, {"app.py": """
        import os

        import boto3


        def by_keyword():
            return boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE")


        def by_position():
            return boto3.resource("s3", None, None, None, None, None, "AKIAIOSFODNN7EXAMPLE")


        def by_session():
            session = boto3.Session("AKIAIOSFODNN7EXAMPLE")
            return session.client("ec2", None, None, None, None, None, None,
                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


        def by_local_name():
            access_key = "AKIAIOSFODNN7EXAMPLE"
            return boto3.client("lambda", aws_access_key_id=access_key)


        def helper():
            return "AKIAIOSFODNN7EXAMPLE"


        def silent(credentials, key_id):
            key = helper()
            boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=key_id)
            boto3.client("s3", aws_access_key_id=os.getenv("AWS_ACCESS_KEY_ID"),
                         aws_session_token=credentials["SessionToken"])
    """})
    assert lines(found) == [7, 11, 15, 17, 21]
    assert all("AWS's example key" in f["message"] for f in found)
    assert found[1]["message"].startswith(
        "the aws_access_key_id argument of boto3.resource gets AWS's example key")
