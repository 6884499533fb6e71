"""LL210 log-retention-missing across formats: real files in tmp_path, the real CLI."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL210", *extra)


def sam_fn(name: str = "OrdersFunction", extra: str = "") -> str:
    return (f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            f"      Timeout: 10\n{extra}")


def group(name: str, log_name: str, retention: str = "      RetentionInDays: 14\n") -> str:
    return (f"  {name}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
            f"      LogGroupName: {log_name}\n{retention}")


class TestSam:
    def test_no_log_group_is_reported_on_the_function(self, tmp_path):
        text = sam("Resources:\n" + sam_fn())
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL210", line_of(text, "OrdersFunction:"))]
        assert findings[0]["message"] == (
            "OrdersFunction has no log group with a retention, so its logs are kept (and billed) "
            "forever")
        assert ("OrdersFunctionLogGroup:\n      Type: AWS::Logs::LogGroup\n      Properties:\n"
                "        LogGroupName: !Sub /aws/lambda/${OrdersFunction}\n"
                "        RetentionInDays: 30") in findings[0]["suggestion"]

    def test_group_named_after_the_function_with_retention(self, tmp_path):
        text = sam("Resources:\n" + sam_fn()
                   + group("OrdersLogs", "!Sub /aws/lambda/${OrdersFunction}"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_group_by_join_and_by_function_name(self, tmp_path):
        text = sam("Resources:\n" + sam_fn("A") + sam_fn("B", "      FunctionName: bee\n")
                   + group("ALogs", '!Join ["", ["/aws/lambda/", !Ref A]]')
                   + group("BLogs", "/aws/lambda/bee"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_group_without_retention_is_reported_at_the_group(self, tmp_path):
        text = sam("Resources:\n" + sam_fn()
                   + group("OrdersLogs", "!Sub /aws/lambda/${OrdersFunction}", retention=""))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL210", line_of(text, "OrdersLogs:"))]
        assert findings[0]["message"].startswith(
            "The log group OrdersLogs of OrdersFunction sets no retention")
        assert findings[0]["suggestion"].endswith("RetentionInDays: 30")

    def test_logging_config_names_the_group(self, tmp_path):
        text = sam("Resources:\n"
                   + sam_fn(extra="      LoggingConfig:\n        LogGroup: !Ref Shared\n")
                   + "  Shared:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
                     "      RetentionInDays: 7\n"
                   + sam_fn("Other", "      LoggingConfig:\n        LogGroup: /made/elsewhere\n"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_a_group_for_another_function_does_not_count(self, tmp_path):
        text = sam("Resources:\n" + sam_fn("A") + sam_fn("B")
                   + group("ALogs", "!Sub /aws/lambda/${A}"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL210", line_of(text, "  B:"))]

    def test_max_days_option(self, tmp_path):
        text = sam("Resources:\n" + sam_fn()
                   + group("OrdersLogs", "!Sub /aws/lambda/${OrdersFunction}",
                           "      RetentionInDays: 3653\n"))
        write(tmp_path, {"template.yaml": text,
                         "lambdalint.toml": "[rules.LL210]\nmax-days = 365\ndays = 14\n"})
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL210")
        assert ids_and_lines(findings) == [("LL210", line_of(text, "RetentionInDays: 3653"))]
        assert "longer than the 365 days" in findings[0]["message"]


class TestCloudFormationJson:
    def test_json_suggestion(self, tmp_path):
        template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
            "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}}}}
        findings = lint(tmp_path, {"template.json": json.dumps(template, indent=2)})
        assert [f["rule"] for f in findings] == ["LL210"]
        assert '"LogGroupName": {"Fn::Sub": "/aws/lambda/${Fn}"}' in findings[0]["suggestion"]


class TestServerless:
    SERVICE = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n{provider}"
               "functions:\n  create:\n    handler: app.create\n{function}")

    def test_without_log_retention(self, tmp_path):
        text = self.SERVICE.format(provider="", function="")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL210", line_of(text, "create:"))]
        assert "provider:\n      logRetentionInDays: 30" in findings[0]["suggestion"]

    def test_provider_and_function_retention(self, tmp_path):
        for provider, function in (("  logRetentionInDays: 14\n", ""),
                                   ("", "    logRetentionInDays: 14\n")):
            text = self.SERVICE.format(provider=provider, function=function)
            assert lint(tmp_path, {"serverless.yml": text}) == []


class TestTerraform:
    def test_function_without_a_group(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_function()})
        assert ids_and_lines(findings) == [("LL210", 1)]
        assert ('resource "aws_cloudwatch_log_group" "fn" {\n'
                '      name              = "/aws/lambda/${aws_lambda_function.fn.function_name}"'
                ) in findings[0]["suggestion"]

    def test_group_by_reference_or_same_name(self, tmp_path):
        for name in ('"/aws/lambda/${aws_lambda_function.fn.function_name}"', '"/aws/lambda/fn"'):
            text = terraform_function() + (
                f'resource "aws_cloudwatch_log_group" "g" {{\n  name = {name}\n'
                "  retention_in_days = 14\n}\n")
            assert lint(tmp_path, {"main.tf": text}) == [], name

    def test_group_without_retention(self, tmp_path):
        text = terraform_function() + (
            'resource "aws_cloudwatch_log_group" "g" {\n  name = "/aws/lambda/fn"\n}\n')
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL210", line_of(text, "aws_cloudwatch_log_group"))]
        assert findings[0]["suggestion"].endswith("retention_in_days = 30")

    def test_group_name_built_with_count_is_not_judged(self, tmp_path):
        text = terraform_function() + (
            'resource "aws_cloudwatch_log_group" "g" {\n  count = 2\n'
            '  name = "/aws/lambda/${element(["fn", "other"], count.index)}"\n}\n')
        assert lint(tmp_path, {"main.tf": text}) == []

    def test_module_retention_input(self, tmp_path):
        module = ('module "orders" {{\n  source        = "terraform-aws-modules/lambda/aws"\n'
                  '  function_name = "orders"\n  handler       = "app.handler"\n'
                  '  runtime       = "python3.12"\n  source_path   = "src"\n{extra}}}\n')
        findings = lint(tmp_path, {"main.tf": module.format(extra="")})
        assert ids_and_lines(findings) == [("LL210", 1)]
        assert "cloudwatch_logs_retention_in_days = 30" in findings[0]["suggestion"]
        kept = module.format(extra="  cloudwatch_logs_retention_in_days = 14\n")
        assert lint(tmp_path, {"main.tf": kept}) == []


class TestCdk:
    def test_log_retention_log_group_and_none(self, tmp_path):
        files = cdk_app("""\
            from aws_cdk import aws_logs as logs
            _lambda.Function(self, "Bare", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"))
            _lambda.Function(self, "Kept", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             log_retention=logs.RetentionDays.ONE_WEEK)
            _lambda.Function(self, "Grouped", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             log_group=logs.LogGroup(self, "Logs"))
            """)
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL210", line_of(files["app.py"], '"Bare"'))]
        assert ('log_group=logs.LogGroup(self, "BareLogs", '
                "retention=logs.RetentionDays.ONE_MONTH),") in findings[0]["suggestion"]

    def test_separate_log_group_named_after_the_function(self, tmp_path):
        files = cdk_app("""\
            from aws_cdk import aws_logs as logs
            fn = _lambda.Function(self, "Named", runtime=_lambda.Runtime.PYTHON_3_12,
                                  handler="app.handler", code=_lambda.Code.from_asset("src"))
            logs.LogGroup(self, "NamedLogs", log_group_name=f"/aws/lambda/{fn.function_name}",
                          retention=logs.RetentionDays.ONE_DAY)
            _lambda.Function(self, "Literal", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             function_name="literal-fn")
            logs.CfnLogGroup(self, "LiteralLogs", log_group_name="/aws/lambda/literal-fn")
            """)
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL210", line_of(files["app.py"], "CfnLogGroup"))]
        assert findings[0]["message"].startswith(
            "The log group LiteralLogs of Literal sets no retention")
