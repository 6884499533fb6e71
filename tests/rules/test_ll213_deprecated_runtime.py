"""LL213 deprecated-runtime across formats: real files in tmp_path, the real CLI, a fixed day.

The rule judges by ``DeprecatedRuntime.TODAY`` (None: today); every test sets it, so that no test
changes its answer when a date of the runtime table passes.
"""

from __future__ import annotations

import datetime
import json

import pytest

import helpers
from helpers import line_of
from lambdalint.rules import ll213_deprecated_runtime as ll213
from lambdalint.rules.ll213_deprecated_runtime import DeprecatedRuntime

DAY = datetime.date(2026, 12, 7)  # the day the table was retrieved

# python3.8: deprecated 2024-10-14, creates blocked 2027-02-01, updates blocked 2027-03-03.
# python3.11: deprecated 2027-06-30 (note from 2027-01-01 with the default 180 days).


@pytest.fixture
def on(monkeypatch):
    """Set the day the rule judges by."""
    def set_day(day: datetime.date) -> None:
        monkeypatch.setattr(DeprecatedRuntime, "TODAY", day)
    set_day(DAY)
    return set_day


def lint(root, files):
    return helpers.lint(root, files, "LL213", "--no-cache")


def severities(findings):
    return [(f["rule"], f["line"], f["severity"]) for f in findings]


def sam_one(runtime: str) -> str:
    return f"""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: {runtime}
              Handler: app.handler
              CodeUri: src/
        """


class TestSam:
    def test_deprecated_runtime_is_a_warning_at_the_value(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": sam_one("python3.8")})
        assert severities(findings) == [("LL213", 6, "warning")]
        assert findings[0]["column"] == 16
        assert findings[0]["message"] == (
            "OrdersFunction uses python3.8, deprecated by AWS on 2024-10-14: it gets no more "
            "security patches; Lambda refuses new functions on it from 2027-02-01 and updates "
            "from 2027-03-03, when deploys start to fail")
        assert findings[0]["suggestion"] == (
            "Move to python3.14 (test the code on it first):\n    Runtime: python3.14")

    def test_blocked_update_is_an_error(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": sam_one("python2.7")})
        assert severities(findings) == [("LL213", 6, "error")]
        assert findings[0]["message"] == (
            "OrdersFunction uses python2.7, on which Lambda has refused function updates since "
            "2022-05-30 (deprecated 2021-07-15): the next deploy that changes the code or "
            "configuration fails")

    def test_current_runtime_is_silent(self, tmp_path, on):
        assert lint(tmp_path, {"template.yaml": sam_one("python3.14")}) == []

    @pytest.mark.parametrize("runtime", ["provided.al2099", "python9.9", "java8.al2099",
                                         "Python3.8x", "3.8"])
    def test_unknown_runtime_is_silent(self, tmp_path, on, runtime):
        assert lint(tmp_path, {"template.yaml": sam_one(runtime)}) == []

    def test_non_literal_runtime_is_silent(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Runtime:
                Type: String
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: !Ref Runtime
                  Handler: app.handler
                  CodeUri: src/
            """})
        assert findings == []

    def test_no_runtime_is_silent(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              ImageFunction:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                  ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1
            """})
        assert findings == []

    def test_globals_runtime_is_one_finding_naming_the_functions(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: nodejs18.x
            Resources:
              AFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.a, CodeUri: src/}
              BFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.b, CodeUri: src/}
              OwnFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.c, CodeUri: src/, Runtime: nodejs12.x}
              NewFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.d, CodeUri: src/, Runtime: nodejs24.x}
            """})
        assert severities(findings) == [("LL213", 4, "warning"), ("LL213", 14, "error")]
        assert findings[0]["message"].startswith("AFunction, BFunction use nodejs18.x, deprecated")
        assert findings[1]["message"].startswith("OwnFunction uses nodejs12.x, on which")
        assert findings[0]["suggestion"].endswith("\n    Runtime: nodejs24.x")

    def test_an_ignored_function_leaves_the_shared_finding(self, tmp_path, on):
        findings = lint(tmp_path, {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: python3.9
            Resources:
              AFunction:
                Type: AWS::Serverless::Function
                Metadata: {lambdalint: {ignore: [LL213]}}
                Properties: {Handler: app.a, CodeUri: src/}
              BFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.b, CodeUri: src/}
            """})
        assert severities(findings) == [("LL213", 4, "warning")]
        assert findings[0]["message"].startswith("BFunction uses python3.9,")


class TestBoundaries:
    """The day before each date, the date itself and the day after (python3.8 and 3.11)."""

    @pytest.mark.parametrize("day, runtime, expected", [
        # block-update 2027-03-03: warning, then error from that day
        (datetime.date(2027, 3, 2), "python3.8", "warning"),
        (datetime.date(2027, 3, 3), "python3.8", "error"),
        (datetime.date(2027, 3, 4), "python3.8", "error"),
        # deprecation 2024-10-14: note, then warning
        (datetime.date(2024, 10, 13), "python3.8", "note"),
        (datetime.date(2024, 10, 14), "python3.8", "warning"),
        (datetime.date(2024, 10, 15), "python3.8", "warning"),
        # the note window: 180 days before 2027-06-30 is 2027-01-01
        (datetime.date(2026, 12, 31), "python3.11", None),
        (datetime.date(2027, 1, 1), "python3.11", "note"),
        (datetime.date(2027, 1, 2), "python3.11", "note"),
        (datetime.date(2027, 6, 29), "python3.11", "note"),
        (datetime.date(2027, 6, 30), "python3.11", "warning"),
    ])
    def test_severity_by_day(self, tmp_path, on, day, runtime, expected):
        on(day)
        findings = lint(tmp_path, {"template.yaml": sam_one(runtime)})
        assert [f["severity"] for f in findings] == ([expected] if expected else [])

    def test_note_says_when(self, tmp_path, on):
        on(datetime.date(2027, 6, 29))
        findings = lint(tmp_path, {"template.yaml": sam_one("python3.11")})
        assert findings[0]["message"] == (
            "OrdersFunction uses python3.11, which AWS deprecates on 2027-06-30 (in 1 day): from "
            "then on it gets no security patches; Lambda refuses new functions on it from "
            "2027-07-31 and updates from 2027-08-31, when deploys start to fail")

    def test_past_block_create_says_so(self, tmp_path, on):
        on(datetime.date(2027, 2, 1))
        findings = lint(tmp_path, {"template.yaml": sam_one("python3.8")})
        assert "Lambda has refused new functions on it since 2027-02-01 and updates from " \
            "2027-03-03" in findings[0]["message"]

    @pytest.mark.parametrize("days, expected", [(0, []), (30, []), (31, ["note"]),
                                                (400, ["note"])])
    def test_warn_days_option(self, tmp_path, on, days, expected):
        on(datetime.date(2027, 5, 30))  # 31 days before python3.11's deprecation
        findings = lint(tmp_path, {
            "template.yaml": sam_one("python3.11"),
            "lambdalint.toml": f"[rules.LL213]\nwarn-days = {days}\n"})
        assert [f["severity"] for f in findings] == expected

    def test_a_runtime_with_no_block_dates(self, tmp_path, on):
        on(datetime.date(2030, 1, 1))
        findings = lint(tmp_path, {"template.yaml": sam_one("dotnet9")})
        assert [f["severity"] for f in findings] == ["warning"]
        assert findings[0]["message"] == (
            "OrdersFunction uses dotnet9, deprecated by AWS on 2026-11-10: it gets no more "
            "security patches")

    def test_without_a_set_day_the_rule_uses_today(self, monkeypatch):
        monkeypatch.setattr(DeprecatedRuntime, "TODAY", None)
        assert DeprecatedRuntime().today() == datetime.date.today()


class TestCloudFormationJson:
    def test_json_template(self, tmp_path, on):
        template = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Worker": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "nodejs16.x", "Handler": "index.handler",
                "Role": "arn:aws:iam::123456789012:role/worker",
                "Code": {"S3Bucket": "artifacts", "S3Key": "worker.zip"}}}}}
        findings = lint(tmp_path, {"stack.json": json.dumps(template, indent=2)})
        assert severities(findings) == [
            ("LL213", line_of(tmp_path / "stack.json", '"Runtime"'), "warning")]
        assert findings[0]["suggestion"].endswith('\n    "Runtime": "nodejs24.x"')


class TestServerless:
    def test_provider_and_function_runtimes(self, tmp_path, on):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              runtime: python3.9
            functions:
              create:
                handler: src/orders.create
              list:
                handler: src/orders.list
              legacy:
                handler: src/orders.legacy
                runtime: python3.6
              fresh:
                handler: src/orders.fresh
                runtime: python3.14
            """})
        assert severities(findings) == [("LL213", 4, "warning"), ("LL213", 12, "error")]
        assert findings[0]["message"].startswith("create, list use python3.9,")
        assert findings[1]["message"].startswith("legacy uses python3.6,")
        assert findings[0]["suggestion"].endswith("\n    runtime: python3.14")


class TestTerraform:
    def test_resource_runtime(self, tmp_path, on):
        findings = lint(tmp_path, {"main.tf": """\
            resource "aws_lambda_function" "fn" {
              function_name = "fn"
              role          = "arn:aws:iam::123456789012:role/fn"
              handler       = "app.handler"
              runtime       = "python3.8"
              timeout       = 10
              filename      = "fn.zip"
            }

            variable "runtime" {
              type = string
            }

            resource "aws_lambda_function" "other" {
              function_name = "other"
              role          = "arn:aws:iam::123456789012:role/fn"
              handler       = "app.handler"
              runtime       = var.runtime
              timeout       = 10
              filename      = "fn.zip"
            }
            """})
        assert severities(findings) == [("LL213", 5, "warning")]
        assert findings[0]["message"].startswith("aws_lambda_function.fn uses python3.8,")
        assert findings[0]["suggestion"].endswith('\n    runtime = "python3.14"')


class TestCdk:
    def test_runtime_constant(self, tmp_path, on):
        app = (
            "from aws_cdk import App, Duration, Stack\n"
            "from aws_cdk import aws_lambda as lambda_\n"
            "\n"
            "\n"
            "class Orders(Stack):\n"
            "    def __init__(self, scope, id):\n"
            "        super().__init__(scope, id)\n"
            '        lambda_.Function(self, "Old", runtime=lambda_.Runtime.PYTHON_3_8,\n'
            '                         handler="app.handler", code=lambda_.Code.from_asset("src"),\n'
            "                         timeout=Duration.seconds(10))\n"
            '        lambda_.Function(self, "Node", runtime=lambda_.Runtime.NODEJS_12_X,\n'
            '                         handler="app.handler", code=lambda_.Code.from_asset("src"),\n'
            "                         timeout=Duration.seconds(10))\n"
            '        lambda_.Function(self, "New", runtime=lambda_.Runtime.PYTHON_3_14,\n'
            '                         handler="app.handler", code=lambda_.Code.from_asset("src"),\n'
            "                         timeout=Duration.seconds(10))\n"
            "\n"
            "\n"
            "app = App()\n"
            'Orders(app, "Orders")\n'
            "app.synth()\n")
        findings = lint(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": app})
        assert severities(findings) == [("LL213", 8, "warning"), ("LL213", 11, "error")]
        assert findings[0]["message"].startswith("Old uses python3.8,")
        assert findings[0]["suggestion"].endswith(
            "\n    runtime=lambda_.Runtime.PYTHON_3_14,  # lambda_: aws_cdk.aws_lambda")
        assert findings[1]["suggestion"].splitlines()[1].strip().startswith(
            "runtime=lambda_.Runtime.NODEJS_24_X,")


class TestTable:
    def test_every_row_is_dated_and_replaced_by_a_known_runtime(self):
        rows = ll213.table()
        assert "python3.8" in rows and "nodejs18.x" in rows
        for life in rows.values():
            assert life.deprecation is not None
            assert life.replacement is None or life.replacement in rows
            if life.replacement:
                assert rows[life.replacement].replacement is None  # the newest of its family

    def test_the_data_file_keeps_its_sources(self):
        data = json.loads(ll213.DATA.read_text(encoding="utf-8"))
        assert data["retrieved"] == "2026-12-07"
        assert data["source"][0] == (
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html")
