"""LL201 default-timeout across formats: real templates in tmp_path, the real CLI.

What it reports (exact lines), what it must leave alone, what its messages name and whether its
suggestions can be pasted. How each format writes a timeout is asserted in test_dialects.
"""

from __future__ import annotations

import textwrap

from helpers import cdk_app, ids_and_lines, line_of, lint, sam, sam_resource, sam_resources

GLOBALS_3 = "Globals:\n  Function:\n    Timeout: 3\n"


class TestTimeoutSam:
    def test_no_timeout_names_the_sam_default_at_the_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("OrdersFunction"))})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "OrdersFunction:"))]
        assert findings[0]["message"] == (
            "OrdersFunction sets no timeout, so it runs with the AWS SAM default of 3 s")

    def test_plain_cloudformation_names_its_default(self, tmp_path):
        findings = lint(tmp_path, {"stack.yaml": """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Worker:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  Role: arn:aws:iam::123456789012:role/worker
                  Code: {S3Bucket: artifacts, S3Key: worker.zip}
            """})
        assert ids_and_lines(findings) == [("LL201", 3)]
        assert "CloudFormation default of 3 s" in findings[0]["message"]
        # CloudFormation has no Globals: the suggestion offers only the function's Properties.
        assert "Globals" not in findings[0]["suggestion"]
        assert "Worker:\n      Properties:\n        Timeout: 30" in findings[0]["suggestion"]

    def test_explicit_three_seconds_is_reported_at_the_value(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("OrdersFunction", timeout=3), sam_resource("ReportsFunction", timeout=12))})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("OrdersFunction has its timeout set to 3 s, the "
                                                 "Lambda default")

    def test_globals_three_seconds_is_one_finding_naming_every_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("AFunction", "app.a"), sam_resource("BFunction", "app.b"),
            sam_resource("OwnFunction", "app.c", 20), before=GLOBALS_3)})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
        message = findings[0]["message"]
        assert message.startswith("AFunction, BFunction run with a 3 s timeout set once in Globals")
        assert "OwnFunction" not in message
        assert "Globals:\n      Function:\n        Timeout: 30" in findings[0]["suggestion"]

    def test_globals_shared_by_many_functions_says_how_many_more(self, tmp_path):
        functions = [sam_resource(f"F{i}", f"app.f{i}") for i in range(1, 6)]
        findings = lint(tmp_path, {"template.yaml": sam_resources(*functions, before=GLOBALS_3)})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("F1, F2, F3 and 2 more run with a 3 s timeout")

    def test_globals_leaves_out_functions_that_silence_the_rule(self, tmp_path):
        template = sam_resources(
            sam_resource("AFunction", "app.a").replace(
                "AFunction:", "AFunction:  # lambdalint: ignore[LL201]"),
            sam_resource("BFunction", "app.b", metadata="{lambdalint: {ignore: [default-timeout]}}"),
            sam_resource("CFunction", "app.c"), before=GLOBALS_3)
        findings = lint(tmp_path, {"template.yaml": template})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("CFunction runs with a 3 s timeout set once in Globals")
        # When every function silences it, nothing is left to report.
        silent = template.replace("  CFunction:\n", "  CFunction:  # lambdalint: ignore[LL201]\n")
        assert lint(tmp_path / "all", {"template.yaml": silent}) == []

    def test_parameter_default_of_three_is_reported_at_the_reference(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("FromDefault", "app.a", "!Ref ShortTimeout"),
            sam_resource("FromDeployer", "app.b", "!Ref FreeTimeout"),
            sam_resource("Conditional", "app.c", "!If [IsProd, 3, 10]"),
            before="""\
                Parameters:
                  ShortTimeout:
                    Type: Number
                    Default: 3
                  FreeTimeout:
                    Type: Number
                  Stage:
                    Type: String
                Conditions:
                  IsProd: !Equals [!Ref Stage, prod]
                """)})
        assert ids_and_lines(findings) == [
            ("LL201", line_of(tmp_path / "template.yaml", "Timeout: !Ref ShortTimeout"))]
        assert findings[0]["message"].startswith(
            "FromDefault has a 3 s timeout taken from a parameter's default")
        assert "Raise the parameter's Default" in findings[0]["suggestion"]

    def test_default_timeout_behind_an_api_suggests_a_value_below_the_limit(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("Api", "app.api", events=["Get: {Type: Api, Properties: {Path: /, Method: get}}"]))})
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Api:"))]
        assert "Timeout: 10" in findings[0]["suggestion"]

    def test_suggestion_pasted_into_the_template_clears_the_finding(self, tmp_path):
        template = sam_resources(sam_resource("OrdersFunction"))
        (finding,) = lint(tmp_path, {"template.yaml": template})
        lines = finding["suggestion"].splitlines()
        start = lines.index("or once for every function:") + 1
        globals_block = textwrap.dedent("\n".join(lines[start:start + 3])) + "\n"
        assert globals_block == "Globals:\n  Function:\n    Timeout: 30\n"
        assert lint(tmp_path / "fixed", {"template.yaml": template + globals_block}) == []

    def test_silenced_by_comment_or_metadata(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              ByComment:  # lambdalint: ignore[LL201]
                Type: AWS::Serverless::Function
                Properties: {Handler: app.a, CodeUri: src/}
              ByNoqa:  # noqa: LL201
                Type: AWS::Serverless::Function
                Properties: {Handler: app.b, CodeUri: src/}
              ByMetadata:
                Type: AWS::Serverless::Function
                Metadata:
                  lambdalint:
                    ignore: [LL201]
                Properties: {Handler: app.c, CodeUri: src/}
              OtherRuleSilenced:  # lambdalint: ignore[LL204]
                Type: AWS::Serverless::Function
                Properties: {Handler: app.d, CodeUri: src/}
            """)})
        assert ids_and_lines(findings) == [
            ("LL201", line_of(tmp_path / "template.yaml", "OtherRuleSilenced:"))]


class TestTimeoutServerless:
    def test_default_provider_function_and_shared_values(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              runtime: python3.12
            functions:
              create:
                handler: src/orders.create
              three:
                handler: src/orders.three
                timeout: 3
              six:
                handler: src/orders.six
                timeout: 6
            """})
        at = lambda needle: line_of(tmp_path / "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL201", at("create:")), ("LL201", at("timeout: 3"))]
        default = findings[0]
        assert default["message"] == (
            "create sets no timeout, so it runs with the Serverless Framework default of 6 s")
        assert "functions:\n      create:\n        timeout: 30" in default["suggestion"]
        assert "provider:\n      timeout: 30" in default["suggestion"]

    def test_provider_three_seconds_is_one_finding(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              timeout: 3
            functions:
              create:
                handler: src/orders.create
              get:
                handler: src/orders.get
              slow:
                handler: src/orders.slow
                timeout: 25
            """})
        assert ids_and_lines(findings) == [("LL201", 4)]
        assert findings[0]["message"].startswith(
            "create, get run with a 3 s timeout set once under provider")
        assert "Raise it under provider:\n    provider:\n      timeout: 30" in findings[0]["suggestion"]

    def test_provider_six_seconds_set_on_purpose_is_fine(self, tmp_path):
        assert lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              timeout: 6
            functions:
              create:
                handler: src/orders.create
            """}) == []

    def test_silenced_by_comment_on_the_function(self, tmp_path):
        assert lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
            functions:
              create:  # lambdalint: ignore[LL201]
                handler: src/orders.create
            """}) == []


class TestTimeoutTerraform:
    MAIN = """\
        variable "short" {
          default = 3
        }

        variable "given" {
          type = number
        }

        """ + "".join(f"""
        resource "aws_lambda_function" "{name}" {{
          function_name = "{name}"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"{timeout}
        }}
        """ for name, timeout in [("none", ""), ("three", "\n          timeout       = 3"),
                                  ("from_var", "\n          timeout       = var.short"),
                                  ("deployer", "\n          timeout       = var.given"),
                                  ("fine", "\n          timeout       = 15")])

    def test_defaults_literals_and_variables(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": self.MAIN})
        at = lambda needle: line_of(tmp_path / "main.tf", needle)  # noqa: E731
        assert ids_and_lines(findings) == [
            ("LL201", at('"aws_lambda_function" "none"')),
            ("LL201", at("timeout       = 3")),
            ("LL201", at("timeout       = var.short")),
        ]
        none, three, from_var = findings
        assert none["message"] == (
            "aws_lambda_function.none sets no timeout, so it runs with the Terraform default of 3 s")
        assert 'resource "aws_lambda_function" "none" {\n      timeout = 30\n    }' in none["suggestion"]
        assert three["message"].startswith("aws_lambda_function.three has its timeout set to 3 s")
        assert from_var["message"].startswith(
            "aws_lambda_function.from_var has a 3 s timeout taken from a variable or constant")

    def test_suggested_line_pasted_into_the_resource_clears_the_finding(self, tmp_path):
        main = """\
            resource "aws_lambda_function" "none" {
              function_name = "none"
              handler       = "app.handler"
              runtime       = "python3.12"
              filename      = "app.zip"
              role          = "arn:aws:iam::123456789012:role/app"
            }
            """
        (finding,) = lint(tmp_path, {"main.tf": main})
        inner = [l.strip() for l in finding["suggestion"].splitlines() if l.strip().startswith("timeout")]
        assert inner == ["timeout = 30"]
        fixed = textwrap.dedent(main).replace("}\n", f"  {inner[0]}\n}}\n")
        assert lint(tmp_path / "fixed", {"main.tf": fixed}) == []

    def test_silenced_by_comment_on_the_resource(self, tmp_path):
        assert lint(tmp_path, {"main.tf": """\
            resource "aws_lambda_function" "none" { # lambdalint: ignore[LL201]
              function_name = "none"
            }
            """}) == []


class TestTimeoutCdk:
    def test_default_and_three_seconds(self, tmp_path):
        findings = lint(tmp_path, cdk_app("""\
            _lambda.Function(self, "Plain", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"))
            _lambda.Function(self, "Three", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             timeout=Duration.seconds(3))
            _lambda.Function(self, "Minute", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             timeout=Duration.minutes(1))
            """), "LL201")
        at = lambda needle: line_of(tmp_path / "app.py", needle)  # noqa: E731
        assert [f["line"] for f in findings] == [at('"Plain"'), at("Duration.seconds(3)")]
        assert findings[0]["message"] == "Plain sets no timeout, so it runs with the AWS CDK default of 3 s"
        assert "timeout=Duration.seconds(30)," in findings[0]["suggestion"]
