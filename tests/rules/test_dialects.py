"""Each format's dialect, asserted directly: how it writes a timeout, an IAM list, a secret
reference, an exclude, and what its framework ships. The rule tests check the same texts inside
findings; here each rendering stands alone, so a new format's dialect has one place to copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Optional

import pytest

from helpers import lint, write
from lambdalint.dialects import dialect_of, for_format
from lambdalint.dialects.base import Dialect
from lambdalint.model import CodeLocation, Function, IamStatement


def function(fmt: str, name: str = "OrdersFunction", path: str = "template.yaml",
             code: Optional[CodeLocation] = None) -> Function:
    return Function(name, fmt, path, 1, 9, code=code or CodeLocation("local", "/app/src"))


def statement(lowercase_keys: bool = False) -> IamStatement:
    return IamStatement("Allow", [], [], [], [], "main.tf", 3, "aws_iam_role_policy.p",
                        lowercase_keys=lowercase_keys)


class TestLookup:
    @pytest.mark.parametrize("fmt, path, label, is_json", [
        ("sam", "template.yaml", "AWS SAM", False),
        ("sam", "template.JSON", "AWS SAM", True),
        ("cloudformation", "stack.yaml", "CloudFormation", False),
        ("cloudformation", "stack.json", "CloudFormation", True),
        ("serverless", "serverless.yml", "Serverless Framework", False),
        ("serverless", "serverless.json", "Serverless Framework", False),
        ("terraform", "main.tf", "Terraform", False),
        ("cdk", "app.py", "AWS CDK", False),
    ])
    def test_by_format_and_json_path(self, fmt, path, label, is_json):
        dialect = dialect_of(function(fmt, path=path))
        assert (dialect.name, dialect.label) == (fmt, label)
        assert getattr(dialect, "json", False) is is_json
        assert dialect is dialect_of(function(fmt, path=path))  # one instance per variant

    def test_an_unknown_format_gets_the_generic_dialect_labelled_by_its_name(self):
        dialect = for_format("pulumi")
        assert isinstance(dialect, Dialect) and dialect.label == "pulumi"
        assert dialect.function_timeout(function("pulumi"), 30) == "a timeout of 30 seconds"
        assert dialect.shared_timeout(30) is None
        assert dialect.scoped_policy_hint() == "a statement"
        assert dialect.config_store == "SSM Parameter Store or AWS AppConfig"
        assert dialect.image_option == "a container image"
        assert dialect.exclude_advice(function("pulumi"), ["tests/"]) == (
            "Leave them out of the package.")
        assert dialect.secret_reference("X", "x", "X_SECRET_ARN", "and read it") == (
            "Store the secret in Secrets Manager or SSM Parameter Store and reference it.")

    def test_importing_the_dialects_imports_no_parser(self):
        code = ("import sys, lambdalint.dialects as d; from lambdalint.model import Function; "
                "[d.for_format(f, j) for f in ('sam', 'cloudformation', 'serverless', "
                "'terraform', 'cdk') for j in (False, True)]; "
                "print(sorted(m for m in ('libcst', 'yaml', 'hcl2', 'lark', "
                "'lambdalint.sources', 'lambdalint.packages.ship') if m in sys.modules))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        assert done.stdout.strip() == "[]"


class TestTimeouts:
    def test_function_timeout_per_format(self):
        assert for_format("sam").function_timeout(function("sam"), 30) == (
            "OrdersFunction:\n  Properties:\n    Timeout: 30")
        rendered = for_format("cloudformation", True).function_timeout(function("sam"), 30)
        assert json.loads("{" + rendered + "}") == {
            "OrdersFunction": {"Properties": {"Timeout": 30}}}
        assert for_format("serverless").function_timeout(function("serverless", "hello"), 6) == (
            "functions:\n  hello:\n    timeout: 6")
        assert for_format("cdk").function_timeout(function("cdk", "Api"), 10) == (
            "timeout=Duration.seconds(10),  # an argument of the Api construct; "
            "from aws_cdk import Duration")

    @pytest.mark.parametrize("name, expected", [
        ("aws_lambda_function.api", 'resource "aws_lambda_function" "api" {\n  timeout = 10\n}'),
        ("module.api", 'module "api" {\n  timeout = 10\n}'),
        ("api", "timeout = 10"),
    ])
    def test_terraform_writes_the_block_the_function_is(self, name, expected):
        assert for_format("terraform").function_timeout(function("terraform", name), 10) == expected

    def test_shared_timeout_only_where_the_format_has_one(self):
        assert for_format("sam").shared_timeout(30) == "Globals:\n  Function:\n    Timeout: 30"
        assert json.loads("{" + for_format("sam", True).shared_timeout(30) + "}") == {
            "Globals": {"Function": {"Timeout": 30}}}
        assert for_format("serverless").shared_timeout(30) == "provider:\n  timeout: 30"
        for fmt, is_json in (("cloudformation", False), ("cloudformation", True),
                             ("terraform", False), ("cdk", False)):
            assert for_format(fmt, is_json).shared_timeout(30) is None

    def test_queue_visibility_follows_the_queue_file_not_the_function(self):
        # A Serverless function's queue is a CloudFormation resource, JSON when its file is.
        serverless = for_format("serverless")
        assert serverless.queue_visibility(60, "resources/queues.json") == '"VisibilityTimeout": 60'
        assert serverless.queue_visibility(60, "serverless.yml") == "VisibilityTimeout: 60"
        assert for_format("sam", True).queue_visibility(60, "queues.yaml") == (
            "VisibilityTimeout: 60")
        assert for_format("terraform").queue_visibility(60, "q.tf") == (
            "visibility_timeout_seconds = 60")
        assert for_format("cdk").queue_visibility(60, "app.py") == (
            "visibility_timeout=Duration.seconds(60),")


class TestIam:
    def test_statement_lists(self):
        items = ["s3:GetObject", "s3:PutObject"]
        assert for_format("sam").statement_list("Action", items, None) == (
            "Action:\n  - s3:GetObject\n  - s3:PutObject")
        assert for_format("serverless").statement_list("Action", items[:1], None) == (
            "Action: s3:GetObject")
        assert for_format("cloudformation", True).statement_list(
            "Resource", ["!GetAtt T.Arn", '!Sub "arn:${AWS::Partition}:s3:::b/*"'], None) == (
            '"Resource": [{"Fn::GetAtt": ["T", "Arn"]}, '
            '{"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}]')
        assert for_format("cdk").statement_list("Action", ['"s3:GetObject"'], None) == (
            'actions=["s3:GetObject"],')

    def test_terraform_keys_follow_the_statement_block(self):
        terraform = for_format("terraform")
        quoted = terraform.quote_actions(["s3:GetObject"])
        assert quoted == ['"s3:GetObject"']
        assert terraform.statement_list("Action", quoted, statement()) == 'Action = "s3:GetObject"'
        assert terraform.statement_list("Action", quoted, statement(lowercase_keys=True)) == (
            'actions = ["s3:GetObject"]')
        assert terraform.statement_list("Action", quoted * 2, None) == (
            'Action = ["s3:GetObject", "s3:GetObject"]')

    def test_quoting_and_scoped_policy_hints(self):
        assert for_format("serverless").quote_actions(["sqs:SendMessage"]) == ["sqs:SendMessage"]
        assert for_format("cdk").quote_actions(["sqs:SendMessage"]) == ['"sqs:SendMessage"']
        assert for_format("sam").scoped_policy_hint().startswith("a SAM policy template")
        assert for_format("cdk").scoped_policy_hint().startswith("a grant method")
        assert for_format("cloudformation").scoped_policy_hint() == "a statement"

    def test_resource_suggestions(self):
        sam = for_format("sam").resource_suggestion(["dynamodb"], statement())
        assert sam.startswith(
            'Name the resources instead of "*", e.g.\n    Resource: !GetAtt MyTable.Arn')
        assert sam.endswith("write the scoped statement for you.)")
        assert for_format("cloudformation", True).resource_suggestion(["sqs"], statement()) == (
            'Name the resources instead of "*", e.g.\n'
            '    "Resource": {"Fn::GetAtt": ["MyQueue", "Arn"]}')
        assert for_format("terraform").resource_suggestion(["sns"], statement(True)) == (
            'Name the resources instead of "*", e.g.\n'
            "    resources = [aws_sns_topic.my_topic.arn]")
        cdk = for_format("cdk").resource_suggestion(["s3", "kms"], statement())
        assert 'resources=[bucket.arn_for_objects("*"), key.key_arn],' in cdk
        assert "bucket.grant_read_write(fn) or key.grant_decrypt(fn)" in cdk
        for fmt in ("sam", "serverless", "terraform", "cdk"):
            assert for_format(fmt).resource_suggestion(["glue"], statement()) is None


class TestEnvironment:
    @pytest.mark.parametrize("fmt, is_json, expected", [
        ("sam", False, "DB_PASSWORD_SECRET_ARN: !Ref DbPasswordSecret"),
        ("cloudformation", True, '"DB_PASSWORD_SECRET_ARN": {"Ref": "DbPasswordSecret"}'),
        ("serverless", False, "DB_PASSWORD: ${ssm:/my-app/db-password}"),
        ("terraform", False,
         "DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db_password.arn"),
        ("cdk", False, '"DB_PASSWORD_SECRET_ARN": secret.secret_arn,'),
    ])
    def test_secret_reference(self, fmt, is_json, expected):
        text = for_format(fmt, is_json).secret_reference(
            "DB_PASSWORD", "db-password", "DB_PASSWORD_SECRET_ARN", "and read it at runtime")
        assert "\n    " + expected + "\n" in text

    def test_config_store(self):
        assert for_format("terraform").config_store.startswith("an aws_ssm_parameter")
        assert for_format("cdk").config_store.startswith("an ssm.StringParameter")
        assert for_format("sam").config_store.endswith("PARAMETER_NAME: /my-app/config")


class TestPackages:
    def test_image_options_and_direct_upload(self):
        assert for_format("sam").image_option == "PackageType: Image"
        assert for_format("terraform").image_option == 'package_type = "Image"'
        assert for_format("cdk").image_option == "lambda_.DockerImageFunction"
        assert [f for f in ("sam", "cloudformation", "serverless", "terraform", "cdk")
                if for_format(f).direct_upload_zip] == ["terraform"]
        assert [f for f in ("sam", "cloudformation", "serverless", "terraform", "cdk")
                if for_format(f).per_function_build] == ["sam"]

    def test_exclude_advice(self):
        entries = ["tests/", ".venv/", "data.csv"]
        assert for_format("serverless").exclude_advice(function("serverless"), entries) == (
            "Leave them out with package.patterns in serverless.yml:\npackage:\n  patterns:\n"
            "    - '!tests/**'\n    - '!.venv/**'\n    - '!data.csv'")
        assert for_format("cdk").exclude_advice(function("cdk"), entries) == (
            'Leave them out of the asset: Code.from_asset(..., exclude=["tests", ".venv", '
            '"data.csv"])')
        terraform = for_format("terraform")
        assert terraform.exclude_advice(function("terraform"), entries[:1]) == (
            'Leave them out of the archive_file: excludes = ["tests"]')
        zipped = function("terraform", code=CodeLocation("zip", "/app/build.zip"))
        assert terraform.exclude_advice(zipped, entries).startswith("Rebuild the zip")
        assert "build-OrdersFunction target" in for_format("sam").exclude_advice(
            function("sam"), entries)

    def test_code_settings(self):
        assert [for_format(f).code_setting(function(f)) for f in (
            "sam", "cloudformation", "terraform", "cdk", "serverless")] == [
            "CodeUri", "Code", "source", "Code.from_asset", "the service directory"]
        packaged = function("serverless", code=CodeLocation("zip", "/app/x.zip"))
        assert for_format("serverless").code_setting(packaged) == "package.artifact"

    def test_serverless_node_modules_ship_with_runtime_dependencies_only(self, tmp_path):
        serverless = for_format("serverless")
        assert serverless.node_modules_ship(tmp_path) is True  # no package.json: the default
        write(tmp_path, {"package.json": '{"devDependencies": {"jest": "1"}}'})
        assert serverless.node_modules_ship(tmp_path) is False
        write(tmp_path, {"package.json": '{"dependencies": {"uuid": "9"}}'})
        assert serverless.node_modules_ship(tmp_path) is True
        assert for_format("sam").node_modules_ship(tmp_path) is None

    def test_built_artifacts(self, tmp_path):
        template = tmp_path / "template.yaml"
        fn = function("sam", path=str(template))
        assert for_format("sam").built_artifact(fn) is None
        build = tmp_path / ".aws-sam" / "build" / "OrdersFunction"
        build.mkdir(parents=True)
        assert for_format("sam").built_artifact(fn) == build
        write(tmp_path, {"serverless.yml": "service: orders\n", ".serverless/orders.zip": b"PK"})
        sls = function("serverless", "hello", str(tmp_path / "serverless.yml"))
        built = for_format("serverless").built_artifact(sls)
        assert built == tmp_path / ".serverless" / "orders.zip"
        assert for_format("cloudformation").built_artifact(fn) is None


# -- JSON templates get JSON suggestions, through the whole run ---------------------------------


def test_json_template_suggestions_are_json(tmp_path):
    findings = lint(tmp_path, {"template.json": json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "OrdersFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Handler": "app.handler",
                    "CodeUri": "src/",
                    "Environment": {"Variables": {"DB_PASSWORD": "Orders-Db-Pa55-2024"}},
                    "Policies": [{"Statement": [
                        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}],
                },
            },
        },
    }, indent=2)})
    assert [f["rule"] for f in findings] == ["LL201", "LL204", "LL202", "LL203"]
    timeout, secret, action, resource = findings
    lines = timeout["suggestion"].splitlines()
    block = "\n".join(lines[1:6])
    assert json.loads("{" + textwrap.dedent(block) + "}") == {
        "OrdersFunction": {"Properties": {"Timeout": 30}}}
    assert '"DB_PASSWORD": "{{resolve:secretsmanager:my-app/db-password:SecretString}}"' in secret["suggestion"]
    assert '"Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]' in action["suggestion"]
    assert '"Resource": {"Fn::GetAtt": ["MyTable", "Arn"]}' in resource["suggestion"]
