"""LL204 secret-in-environment across formats: real templates in tmp_path, the real CLI.

What it reports (exact lines), what it must leave alone (references resolved at deploy time),
that no message shows the secret, and whether its suggestions can be pasted.
"""

from __future__ import annotations

import json
from typing import List

import pytest

from helpers import (cdk_app, cdk_orders, ids_and_lines, line_of, lint, sam_environment, sam_orders,
                     sam_resource, sam_resources, terraform_environment, terraform_function)


SECRETS = {
    "password": "Orders-Db-Pa55-2024",
    "stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "key_id": "AKIAZ7Q2M4N8P3R5T6W1",
    "url_password": "Xk9vQ2mLw7Rt",
}


def _no_secret_shown(findings: List[dict]) -> None:
    for finding in findings:
        for secret in SECRETS.values():
            assert secret not in finding["message"], finding["message"]
            assert secret not in finding["suggestion"], finding["suggestion"]


class TestSecretSam:
    TEMPLATE = sam_orders("""\
        Environment:
          Variables:
            DB_PASSWORD: Orders-Db-Pa55-2024
            STRIPE_API_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc
            UPSTREAM_ID: AKIAZ7Q2M4N8P3R5T6W1
            DATABASE_URL: postgres://orders:Xk9vQ2mLw7Rt@db.internal.acme.io:5432/orders
            RESOLVED_PASSWORD: "{{resolve:secretsmanager:prod/orders/db:SecretString:password}}"
            REF_PASSWORD: !Ref DbPassword
            DB_SECRET_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf
            SECRET_NAME: prod/db
            API_TOKEN: changeme
            PASSWORD_ITERATIONS: 4096
            TOKEN_TYPE: accessToken
            DB_PORT: 5432
            EXAMPLE_KEY_ID: AKIAIOSFODNN7EXAMPLE
            LOCAL_URL: postgres://postgres:postgres@localhost:5432/orders
        """, before="""\
        Parameters:
          DbPassword:
            Type: String
            NoEcho: true
        """)

    def test_literal_secrets_and_everything_that_only_looks_secret(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": self.TEMPLATE})
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert [(f["rule"], f["line"], f["column"]) for f in findings] == [
            ("LL204", at("DB_PASSWORD:"), 24),
            ("LL204", at("STRIPE_API_KEY:"), 27),
            ("LL204", at("UPSTREAM_ID:"), 24),
            ("LL204", at("DATABASE_URL:"), 25),
            ("LL204", at("EXAMPLE_KEY_ID:"), 27),
        ]
        assert [f["message"] for f in findings] == [
            "DB_PASSWORD in the environment of OrdersFunction holds a password in plain text (****)",
            "STRIPE_API_KEY in the environment of OrdersFunction holds a Stripe live secret key "
            "in plain text (sk_live_****)",
            "UPSTREAM_ID in the environment of OrdersFunction holds an AWS access key id in plain "
            "text (AKIA****)",
            "DATABASE_URL in the environment of OrdersFunction holds a connection URL with an "
            "inline password in plain text (postgres://orders:****@db.internal.acme.io)",
            "EXAMPLE_KEY_ID in the environment of OrdersFunction holds AWS's example key "
            "(AKIA****, 20 characters): the configuration passes long-term keys where the "
            "execution role should sign; use the execution role",
        ]
        _no_secret_shown(findings)
        assert ("DB_PASSWORD_SECRET_ARN: !Ref DbPasswordSecret" in findings[0]["suggestion"])
        assert ("DB_PASSWORD: '{{resolve:secretsmanager:my-app/db-password:SecretString}}'"
                in findings[0]["suggestion"])

    def test_the_resolve_suggestion_pasted_in_is_silent(self, tmp_path):
        (finding,) = lint(tmp_path, {"template.yaml": _sam_env("DB_PASSWORD: Orders-Db-Pa55-2024")})
        pasted = [l.strip() for l in finding["suggestion"].splitlines()
                  if l.strip().startswith("DB_PASSWORD:")]
        assert pasted == ["DB_PASSWORD: '{{resolve:secretsmanager:my-app/db-password:SecretString}}'"]
        assert lint(tmp_path / "fixed", {"template.yaml": _sam_env(pasted[0])}) == []

    def test_a_parameter_default_is_reported_at_the_reference(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_orders("""\
            Environment:
              Variables:
                PARTNER_API_KEY: !Ref ApiKey
            """, before="""\
            Parameters:
              ApiKey:
                Type: String
                Default: Zk3pQ9xLm2Vn8Rt5Wy7B
            """)})
        assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "template.yaml", "!Ref ApiKey"))]
        assert findings[0]["message"] == (
            "PARTNER_API_KEY in the environment of OrdersFunction holds an API key in plain text "
            "(****, through !Ref ApiKey)")
        assert "Zk3pQ9xLm2Vn8Rt5Wy7B" not in findings[0]["suggestion"]

    def test_a_password_in_the_literal_part_of_a_sub(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_env(
            'DATABASE_URL: !Sub "postgres://orders:Xk9vQ2mLw7Rt@${DbHost}:5432/orders"\n'
            '          SAFE_URL: !Sub "postgres://orders:${DbPassword}@${DbHost}:5432/orders"')})
        assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "template.yaml", "DATABASE_URL:"))]
        _no_secret_shown(findings)

    def test_globals_environment_is_one_finding_naming_every_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("AFunction", "app.a"), sam_resource("BFunction", "app.b"), before="""\
                Globals:
                  Function:
                    Timeout: 10
                    Environment:
                      Variables:
                        SHARED_PASSWORD: Orders-Db-Pa55-2024
                """)})
        assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "template.yaml", "SHARED_PASSWORD"))]
        assert findings[0]["message"].startswith(
            "SHARED_PASSWORD in the environment of AFunction, BFunction holds a password")

    def test_silenced_by_metadata_or_by_comment_on_the_line(self, tmp_path):
        password = "DB_PASSWORD: Orders-Db-Pa55-2024"
        assert lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("ByMetadata", timeout=10, properties=sam_environment(password),
                         metadata="{lambdalint: {ignore: [secret-in-environment]}}"),
            sam_resource("ByComment", timeout=10, properties=sam_environment(
                password + "  # lambdalint: ignore[LL204]")))}) == []

    def test_extra_secret_names(self, tmp_path):
        template = _sam_env("WEBHOOK_SIGNATURE: 9f8e7d6c5b4a3f2e1d0c9b8a")
        assert lint(tmp_path, {"template.yaml": template}) == []
        findings = lint(tmp_path / "extra", {"template.yaml": template, "pyproject.toml": """\
            [tool.lambdalint.rules.LL204]
            extra-secret-names = ["signature"]
            """})
        assert ids_and_lines(findings) == [
            ("LL204", line_of(tmp_path / "extra" / "template.yaml", "WEBHOOK_SIGNATURE"))]
        assert "9f8e7d6c5b4a3f2e1d0c9b8a" not in findings[0]["message"]


def _sam_env(variables: str) -> str:
    return sam_orders("""\
        Environment:
          Variables:
            VARIABLES
        """).replace("VARIABLES", variables)


class TestSecretServerless:
    def test_provider_and_function_environment(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            custom:
              dbPassword: Orders-Db-Pa55-2024
            provider:
              name: aws
              timeout: 10
              environment:
                DB_PASSWORD: ${self:custom.dbPassword}
                STRIPE_API_KEY: ${ssm:/orders/stripe-api-key}
                SIGNING_SECRET: ${env:SIGNING_SECRET}
                SECRET_NAME: prod/db
                TOKEN_TYPE: accessToken
            functions:
              create:
                handler: src/orders.create
                environment:
                  UPSTREAM_ID: AKIAZ7Q2M4N8P3R5T6W1
              get:
                handler: src/orders.get
            """})
        at = lambda needle: line_of(tmp_path / "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL204", at("DB_PASSWORD:")), ("LL204", at("UPSTREAM_ID:"))]
        assert findings[0]["message"] == (
            "DB_PASSWORD in the environment of create, get holds a password in plain text "
            "(****, through ${self:custom.dbPassword})")
        assert "DB_PASSWORD: ${ssm:/my-app/db-password}" in findings[0]["suggestion"]
        assert findings[1]["message"].startswith("UPSTREAM_ID in the environment of create holds")
        _no_secret_shown(findings)


class TestSecretTerraform:
    def test_literals_variables_and_references(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_environment("""\
            DB_PASSWORD     = "Orders-Db-Pa55-2024"
            FROM_VAR        = var.db_password
            INTERPOLATED    = "${var.db_password}"
            STRIPE_API_KEY  = data.aws_secretsmanager_secret_version.stripe.secret_string
            DB_SECRET_ARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
            DB_PORT         = 5432
            PASSWORD_ITERATIONS = 4096
            """, before="""\
            variable "db_password" {
              type      = string
              sensitive = true
            }

            data "aws_secretsmanager_secret_version" "stripe" {
              secret_id = "prod/stripe"
            }

            """)})
        assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "main.tf", "DB_PASSWORD     ="))]
        finding = findings[0]
        assert finding["message"] == (
            "DB_PASSWORD in the environment of aws_lambda_function.api holds a password in plain "
            "text (****)")
        assert "DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db_password.arn" in finding["suggestion"]
        _no_secret_shown(findings)


class TestSecretCdk:
    def test_environment_dict(self, tmp_path):
        findings = lint(tmp_path, cdk_orders("""\
            environment={
                "DB_PASSWORD": "Orders-Db-Pa55-2024",
                "PASSWORD_ITERATIONS": "4096",
                "TABLE_NAME": "orders",
            },
            """), "LL204")
        assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "app.py", '"DB_PASSWORD"'))]
        assert '"DB_PASSWORD_SECRET_ARN": secret.secret_arn,' in findings[0]["suggestion"]
        _no_secret_shown(findings)


# -- AWS keys and weak passwords in every format (checkov's fixtures put AWS's example keys in
# Lambda environments); LL214 reports the reserved names on the same lines, with the same advice.

EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

_CFN_JSON = """\
{
  "Resources": {
    "OrdersFunction": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Handler": "app.handler", "Runtime": "python3.12", "Timeout": 10,
        "Role": "arn:aws:iam::123456789012:role/orders",
        "Code": {"S3Bucket": "b", "S3Key": "k.zip"},
        "Environment": {"Variables": {
          "AWS_ACCESS_KEY_ID": "%s",
          "AWS_SECRET_ACCESS_KEY": "%s",
          "SMTP_PASSWORD": "secret"
        }}
      }
    }
  }
}
""" % (EXAMPLE_ID, EXAMPLE_SECRET)

def _sls_env(variables: str) -> str:
    """A service whose one function ``create`` has the environment ``variables`` (continuation
    lines indented by six spaces)."""
    return ("service: orders\nprovider: {name: aws, runtime: python3.12, timeout: 10}\n"
            "functions:\n  create:\n    handler: src/orders.create\n    environment:\n"
            f"      {variables}\n")


_FORMATS = {
    "sam": ("template.yaml", _sam_env(
        f"AWS_ACCESS_KEY_ID: {EXAMPLE_ID}\n          AWS_SECRET_ACCESS_KEY: {EXAMPLE_SECRET}\n"
        "          SMTP_PASSWORD: secret")),
    "cloudformation-json": ("template.json", _CFN_JSON),
    "serverless": ("serverless.yml", _sls_env(
        f"AWS_ACCESS_KEY_ID: {EXAMPLE_ID}\n      AWS_SECRET_ACCESS_KEY: {EXAMPLE_SECRET}\n"
        "      SMTP_PASSWORD: secret")),
    "terraform": ("main.tf", terraform_function(body=f"""\
        environment {{
          variables = {{
            AWS_ACCESS_KEY_ID     = "{EXAMPLE_ID}"
            AWS_SECRET_ACCESS_KEY = "{EXAMPLE_SECRET}"
            SMTP_PASSWORD         = "secret"
          }}
        }}
        """)),
}


def _cdk_files() -> dict:
    return cdk_app(f"""\
        _lambda.Function(
            self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,
            handler="app.handler", code=_lambda.Code.from_asset("src"),
            timeout=Duration.seconds(10),
            environment={{
                "AWS_ACCESS_KEY_ID": "{EXAMPLE_ID}",
                "AWS_SECRET_ACCESS_KEY": "{EXAMPLE_SECRET}",
                "SMTP_PASSWORD": "secret",
            }},
        )
        """)


@pytest.mark.parametrize("fmt", [*_FORMATS, "cdk"])
def test_example_keys_and_weak_passwords_in_every_format(tmp_path, fmt):
    if fmt == "cdk":
        files, name = _cdk_files(), "app.py"
    else:
        name, text = _FORMATS[fmt]
        files = {name: text}
    findings = lint(tmp_path, files, "LL204,LL214")
    at = lambda needle: line_of(tmp_path / name, needle)  # noqa: E731
    ll204 = [f for f in findings if f["rule"] == "LL204"]
    ll214 = [f for f in findings if f["rule"] == "LL214"]
    assert [f["line"] for f in ll204] == [
        at("AWS_ACCESS_KEY_ID"), at("AWS_SECRET_ACCESS_KEY"), at("SMTP_PASSWORD")]
    assert [f["line"] for f in ll214] == [at("AWS_ACCESS_KEY_ID"), at("AWS_SECRET_ACCESS_KEY")]
    assert "AWS's example key (AKIA****, 20 characters)" in ll204[0]["message"]
    assert "AWS's example key (wJal****, 40 characters)" in ll204[1]["message"]
    assert ll204[2]["message"].endswith("holds a password in plain text (****)")
    # The two rules on one line agree: remove the key, rely on the execution role.
    for mine, reserved in zip(ll204, ll214):
        assert mine["suggestion"] == reserved["suggestion"]
        assert "execution role" in mine["suggestion"]
    text = json.dumps(findings)
    assert EXAMPLE_SECRET not in text and EXAMPLE_ID not in text and '"secret"' not in text


def test_a_non_reserved_aws_key_name_gets_the_role_advice(tmp_path):
    findings = lint(tmp_path, {"template.yaml": _sam_env(
        "PARTNER_AWS_SECRET_ACCESS_KEY: Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q")},
        "LL204,LL214")
    assert ids_and_lines(findings) == [
        ("LL204", line_of(tmp_path / "template.yaml", "PARTNER_AWS"))]
    assert "execution role" in findings[0]["suggestion"]
    assert "secretsmanager" not in findings[0]["suggestion"].lower()


@pytest.mark.parametrize("value", ["changeme", "'${ssm:/orders/db-password}'", "''",
                                   "'<password>'", "your-password-here"])
def test_not_a_value_in_an_environment_is_silent(tmp_path, value):
    assert lint(tmp_path, {"serverless.yml": _sls_env(f"DB_PASSWORD: {value}")}, "LL204") == []


def test_a_weak_password_through_self_custom(tmp_path):
    findings = lint(tmp_path, {"serverless.yml": """\
        service: orders
        custom:
          db: {password: maria2019}
        provider: {name: aws, runtime: python3.12, timeout: 10}
        functions:
          create:
            handler: src/orders.create
            environment:
              DB_PASSWORD: ${self:custom.db.password}
        """}, "LL204")
    assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / "serverless.yml", "DB_PASSWORD"))]
    assert findings[0]["message"].endswith("(****, through ${self:custom.db.password})")


_FILE_SERVICE = """\
    service: orders
    provider: {name: aws, runtime: python3.12, timeout: 10}
    functions:
      create:
        handler: src/orders.create
        environment:
          DB_PASSWORD: ${file(./config/secrets.yml):db.password}
          API_TOKEN: ${file(config/secrets.json):token}
          OUTSIDE_KEY: ${file(../outside.yml):key}
          LINKED_KEY: ${file(config/linked.yml):key}
          SCRIPT_KEY: ${file(config/keys.js):key}
          BIG_KEY: ${file(config/big.yml):key}
          MISSING_PASSWORD: ${file(config/nothere.yml):x, 'changeme'}
    """


def test_file_variables_inside_the_service_feed_ll204(tmp_path):
    """``${file(...)}`` is read below the service's directory only (after symlinks), YAML or
    JSON, through the size limit; anything else stays unknown, so it is not reported."""
    (tmp_path / "outside.yml").write_text("key: Zq8xLm3Vt9Bc4Hd6\n", encoding="utf-8")
    service = tmp_path / "svc"
    (service / "config").mkdir(parents=True)
    (service / "config" / "linked.yml").symlink_to(tmp_path / "outside.yml")
    big = "key: Zq8xLm3Vt9Bc4Hd6\n" + "# padding\n" * 40_000
    findings = lint(service, {
        "serverless.yml": _FILE_SERVICE,
        "config/secrets.yml": "db:\n  password: maria2019\n",
        "config/secrets.json": '{"token": "Zq8xLm3Vt9Bc4Hd6Wp2"}',
        "config/keys.js": "module.exports = {key: 'Zq8xLm3Vt9Bc4Hd6'}\n",
        "config/big.yml": big,
    }, "LL204")
    at = lambda needle: line_of(service / "serverless.yml", needle)  # noqa: E731
    assert ids_and_lines(findings) == [("LL204", at("DB_PASSWORD")), ("LL204", at("API_TOKEN"))]
    assert findings[0]["message"].endswith(
        "holds a password in plain text (****, through ${file(./config/secrets.yml):db.password})")
    text = json.dumps(findings)
    assert "maria2019" not in text and "Zq8xLm3Vt9Bc4Hd6" not in text


def test_a_made_up_aws_key_id_under_any_name_is_the_same_defect(tmp_path):
    """checkov's CKV_AWS_45 fixture: ``key1: AKIAAAAAAAAAAAAAAAAA``. The body is made up, the
    form is a long-term key in the configuration; a masked body is an instruction."""
    findings = lint(tmp_path, {"template.yaml": _sam_env(
        "key1: AKIAAAAAAAAAAAAAAAAA\n          UPLOAD_ID: AKIA1234567890ABCDEF\n"
        "          PLACEHOLDER_ID: AKIAXXXXXXXXXXXXXXXX\n          STARS_ID: 'AKIA****************'")},
        "LL204")
    at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
    assert ids_and_lines(findings) == [("LL204", at("key1")), ("LL204", at("UPLOAD_ID"))]
    assert findings[0]["message"] == (
        "key1 in the environment of OrdersFunction holds a made-up AWS access key id (AKIA****, "
        "20 characters): the configuration passes long-term keys where the execution role "
        "should sign; use the execution role")
    assert "execution role" in findings[0]["suggestion"]
    assert "secretsmanager" not in findings[0]["suggestion"].lower()
    assert "AKIAAAAA" not in json.dumps(findings)


@pytest.mark.parametrize("fmt", ["serverless", "terraform"])
def test_a_made_up_aws_key_id_in_the_other_formats(tmp_path, fmt):
    if fmt == "serverless":
        name, text = "serverless.yml", _sls_env(
            "UPLOAD_ID: AKIAAAAAAAAAAAAAAAAA\n      MASKED_ID: AKIAXXXXXXXXXXXXXXXX")
    else:
        name, text = "main.tf", terraform_function(body="""\
            environment {
              variables = {
                UPLOAD_ID = "AKIAAAAAAAAAAAAAAAAA"
                MASKED_ID = "AKIAXXXXXXXXXXXXXXXX"
              }
            }""")
    findings = lint(tmp_path, {name: text}, "LL204")
    assert ids_and_lines(findings) == [("LL204", line_of(tmp_path / name, "UPLOAD_ID"))]
    assert "holds a made-up AWS access key id (AKIA****, 20 characters)" in findings[0]["message"]
