"""The config rules LL201-LL204 across formats: real templates in tmp_path, the real CLI.

The readers have their own tests of the model; these are about the rules' logic: what each one
reports (exact rule ids and lines), what it must leave alone (no noise), what its messages name
and whether its suggestions can be pasted.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

from helpers import check_json, ids_and_lines, write


def lint(root: Path, files: Dict[str, str], select: str = "LL2", *extra: str) -> List[dict]:
    """Write ``files`` (and an empty config, so nothing from above applies) and check them."""
    if not any(name.endswith(("lambdalint.toml", "pyproject.toml")) for name in files):
        files = {"lambdalint.toml": "", **files}
    write(root, files)
    return check_json(["."], root, "--select", select, *extra)


def ln(root: Path, name: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``root/name`` that contains ``needle``."""
    hits = [i for i, text in enumerate((root / name).read_text().splitlines(), 1) if needle in text]
    assert len(hits) >= nth, f"{needle!r} is not in {name} {nth} times"
    return hits[nth - 1]


def only(findings: List[dict], rule: str) -> List[dict]:
    return [f for f in findings if f["rule"] == rule]


def by_line(findings: List[dict]) -> Dict[Tuple[str, int], dict]:
    return {(f["rule"], f["line"]): f for f in findings}


SAM_HEAD = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    """


def sam(body: str, head: str = SAM_HEAD) -> str:
    return textwrap.dedent(head) + textwrap.dedent(body)


HANDLER = """\
    import os

    import boto3

    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


    def handler(event, context):
        body = s3.get_object(Bucket="in", Key=event["key"])["Body"].read()
        table.put_item(Item={"id": event["key"], "size": len(body)})
    """


# =============================================================================================
# LL201 default-timeout
# =============================================================================================


class TestTimeoutSam:
    def test_no_timeout_names_the_sam_default_at_the_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: src/
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "OrdersFunction:"))]
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
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 3
              ReportsFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 12
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("OrdersFunction has its timeout set to 3 s, the "
                                                 "Lambda default")

    def test_globals_three_seconds_is_one_finding_naming_every_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Globals:
              Function:
                Timeout: 3
            Resources:
              AFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.a, CodeUri: src/}
              BFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.b, CodeUri: src/}
              OwnFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.c, CodeUri: src/, Timeout: 20}
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 3"))]
        message = findings[0]["message"]
        assert message.startswith("AFunction, BFunction run with a 3 s timeout set once in Globals")
        assert "OwnFunction" not in message
        assert "Globals:\n      Function:\n        Timeout: 30" in findings[0]["suggestion"]

    def test_globals_shared_by_many_functions_says_how_many_more(self, tmp_path):
        functions = "".join(f"  F{i}:\n    Type: AWS::Serverless::Function\n"
                            f"    Properties: {{Handler: app.f{i}, CodeUri: src/}}\n"
                            for i in range(1, 6))
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Globals:
              Function:
                Timeout: 3
            Resources:
            """) + functions})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("F1, F2, F3 and 2 more run with a 3 s timeout")

    def test_globals_leaves_out_functions_that_silence_the_rule(self, tmp_path):
        template = sam("""\
            Globals:
              Function:
                Timeout: 3
            Resources:
              AFunction:  # lambdalint: ignore[LL201]
                Type: AWS::Serverless::Function
                Properties: {Handler: app.a, CodeUri: src/}
              BFunction:
                Type: AWS::Serverless::Function
                Metadata:
                  lambdalint:
                    ignore: [default-timeout]
                Properties: {Handler: app.b, CodeUri: src/}
              CFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.c, CodeUri: src/}
            """)
        findings = lint(tmp_path, {"template.yaml": template})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 3"))]
        assert findings[0]["message"].startswith("CFunction runs with a 3 s timeout set once in Globals")
        # When every function silences it, nothing is left to report.
        silent = template.replace("  CFunction:\n", "  CFunction:  # lambdalint: ignore[LL201]\n")
        assert lint(tmp_path / "all", {"template.yaml": silent}) == []

    def test_parameter_default_of_three_is_reported_at_the_reference(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
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
            Resources:
              FromDefault:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.a
                  CodeUri: src/
                  Timeout: !Ref ShortTimeout
              FromDeployer:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.b
                  CodeUri: src/
                  Timeout: !Ref FreeTimeout
              Conditional:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.c
                  CodeUri: src/
                  Timeout: !If [IsProd, 3, 10]
            """)})
        assert ids_and_lines(findings) == [
            ("LL201", ln(tmp_path, "template.yaml", "Timeout: !Ref ShortTimeout"))]
        assert findings[0]["message"].startswith(
            "FromDefault has a 3 s timeout taken from a parameter's default")
        assert "Raise the parameter's Default" in findings[0]["suggestion"]

    def test_api_gateway_limit(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              SlowApi:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.slow
                  CodeUri: src/
                  Timeout: 60
                  Events:
                    Get: {Type: Api, Properties: {Path: /slow, Method: get}}
              FastApi:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.fast
                  CodeUri: src/
                  Timeout: 20
                  Events:
                    Get: {Type: Api, Properties: {Path: /fast, Method: get}}
              EdgeHttpApi:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.edge
                  CodeUri: src/
                  Timeout: 30
                  Events:
                    Get: {Type: HttpApi}
              EdgeRestApi:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.edge
                  CodeUri: src/
                  Timeout: 29
                  Events:
                    Get: {Type: Api, Properties: {Path: /edge, Method: get}}
              Scheduled:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.batch
                  CodeUri: src/
                  Timeout: 600
                  Events:
                    Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 60"))]
        finding = findings[0]
        assert finding["message"].startswith(
            "SlowApi has a 60 s timeout but is called through API Gateway, which stops waiting "
            "after 29 s")
        assert "SlowApi:\n      Properties:\n        Timeout: 29" in finding["suggestion"]

    def test_default_timeout_behind_an_api_suggests_a_value_below_the_limit(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.api
                  CodeUri: src/
                  Events:
                    Get: {Type: Api, Properties: {Path: /, Method: get}}
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Api:"))]
        assert "Timeout: 10" in findings[0]["suggestion"]

    def test_sqs_visibility_must_be_six_times_the_timeout(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              Jobs:
                Type: AWS::SQS::Queue
              Roomy:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 120
              Exact:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 60
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.work
                  CodeUri: src/
                  Timeout: 10
                  Events:
                    Q: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
              RoomyWorker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.work
                  CodeUri: src/
                  Timeout: 11
                  Events:
                    Q: {Type: SQS, Properties: {Queue: !GetAtt Roomy.Arn}}
              ExactWorker:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.work
                  CodeUri: src/
                  Timeout: 10
                  Events:
                    Q: {Type: SQS, Properties: {Queue: !GetAtt Exact.Arn}}
            """)})
        assert ids_and_lines(findings) == [("LL201", ln(tmp_path, "template.yaml", "Timeout: 10"))]
        finding = findings[0]
        assert finding["message"] == (
            "Worker has a 10 s timeout but its SQS queue hides messages for only 30 s (the SQS "
            "default: the queue sets no visibility timeout); AWS asks for at least six times the "
            "function timeout (60 s), or a message becomes visible again while still in work and "
            "is processed twice")
        queue_line = ln(tmp_path, "template.yaml", "Jobs:")
        assert finding["suggestion"] == (
            f"Give the queue at template.yaml:{queue_line} a visibility timeout of at least 60 s:\n"
            "    VisibilityTimeout: 60\n"
            "or lower the function timeout to at most 5 s.")

    def test_suggestion_pasted_into_the_template_clears_the_finding(self, tmp_path):
        template = sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
            """)
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
            ("LL201", ln(tmp_path, "template.yaml", "OtherRuleSilenced:"))]


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
        at = lambda needle: ln(tmp_path, "serverless.yml", needle)  # noqa: E731
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

    def test_api_limit_skips_async_http_and_alb(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
            functions:
              sync:
                handler: src/orders.sync
                timeout: 60
                events:
                  - http:
                      path: /sync
                      method: get
              http2:
                handler: src/orders.http2
                timeout: 31
                events:
                  - httpApi: GET /two
              http2fine:
                handler: src/orders.http2
                timeout: 30
                events:
                  - httpApi: GET /three
              queued:
                handler: src/orders.queued
                timeout: 60
                events:
                  - http:
                      path: /queued
                      method: post
                      async: true
              balanced:
                handler: src/orders.balanced
                timeout: 60
                events:
                  - alb:
                      listenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2
                      priority: 1
                      conditions:
                        path: /balanced
            """})
        at = lambda needle: ln(tmp_path, "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL201", at("timeout: 60")), ("LL201", at("timeout: 31"))]
        assert "through API Gateway, which stops waiting after 29 s" in findings[0]["message"]
        # An HTTP API waits up to 30 s.
        assert "through an API Gateway HTTP API, which stops waiting after 30 s" in findings[1]["message"]
        assert "timeout: 30" in findings[1]["suggestion"]

    def test_sqs_visibility(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: jobs
            provider:
              name: aws
            functions:
              worker:
                handler: src/jobs.worker
                timeout: 10
                events:
                  - sqs:
                      arn: !GetAtt Jobs.Arn
              roomy:
                handler: src/jobs.roomy
                timeout: 10
                events:
                  - sqs:
                      arn:
                        Fn::GetAtt: [Roomy, Arn]
            resources:
              Resources:
                Jobs:
                  Type: AWS::SQS::Queue
                  Properties:
                    VisibilityTimeout: 30
                Roomy:
                  Type: AWS::SQS::Queue
                  Properties:
                    VisibilityTimeout: 120
            """})
        assert ids_and_lines(findings) == [("LL201", 7)]
        assert findings[0]["message"].startswith(
            "worker has a 10 s timeout but its SQS queue Jobs hides messages for only 30 s;")
        visibility = ln(tmp_path, "serverless.yml", "VisibilityTimeout: 30")
        assert findings[0]["suggestion"].startswith(
            f"Raise the visibility timeout at serverless.yml:{visibility} to at least 60 s:\n"
            "    VisibilityTimeout: 60\n")

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

        resource "aws_lambda_function" "none" {
          function_name = "none"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"
        }

        resource "aws_lambda_function" "three" {
          function_name = "three"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"
          timeout       = 3
        }

        resource "aws_lambda_function" "from_var" {
          function_name = "from_var"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"
          timeout       = var.short
        }

        resource "aws_lambda_function" "deployer" {
          function_name = "deployer"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"
          timeout       = var.given
        }

        resource "aws_lambda_function" "fine" {
          function_name = "fine"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          role          = "arn:aws:iam::123456789012:role/app"
          timeout       = 15
        }
        """

    def test_defaults_literals_and_variables(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": self.MAIN})
        at = lambda needle: ln(tmp_path, "main.tf", needle)  # noqa: E731
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

    def test_api_gateway_alb_and_sqs(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": """\
            resource "aws_lambda_function" "web" {
              function_name = "web"
              timeout       = 60
            }
            resource "aws_apigatewayv2_integration" "web" {
              api_id           = "abc123"
              integration_type = "AWS_PROXY"
              integration_uri  = aws_lambda_function.web.invoke_arn
            }
            resource "aws_lambda_function" "behind_alb" {
              function_name = "behind_alb"
              timeout       = 60
            }
            resource "aws_lb_target_group_attachment" "alb" {
              target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067"
              target_id        = aws_lambda_function.behind_alb.arn
            }
            resource "aws_lambda_function" "consumer" {
              function_name = "consumer"
              timeout       = 10
            }
            resource "aws_sqs_queue" "jobs" {}
            resource "aws_lambda_event_source_mapping" "jobs" {
              event_source_arn = aws_sqs_queue.jobs.arn
              function_name    = aws_lambda_function.consumer.arn
            }
            resource "aws_lambda_function" "roomy" {
              function_name = "roomy"
              timeout       = 10
            }
            resource "aws_sqs_queue" "roomy" {
              visibility_timeout_seconds = 120
            }
            resource "aws_lambda_event_source_mapping" "roomy" {
              event_source_arn = aws_sqs_queue.roomy.arn
              function_name    = aws_lambda_function.roomy.arn
            }
            """})
        assert ids_and_lines(findings) == [("LL201", 3), ("LL201", 20)]
        assert "API Gateway" in findings[0]["message"]
        assert "SQS" in findings[1]["message"]
        assert "visibility_timeout_seconds = 60" in findings[1]["suggestion"]

    def test_silenced_by_comment_on_the_resource(self, tmp_path):
        assert lint(tmp_path, {"main.tf": """\
            resource "aws_lambda_function" "none" { # lambdalint: ignore[LL201]
              function_name = "none"
            }
            """}) == []


class TestTimeoutCdk:
    def test_default_and_three_seconds(self, tmp_path):
        findings = lint(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": """\
            from aws_cdk import App, Duration, Stack
            from aws_cdk import aws_lambda as _lambda


            class Orders(Stack):
                def __init__(self, scope, id):
                    super().__init__(scope, id)
                    _lambda.Function(self, "Plain", runtime=_lambda.Runtime.PYTHON_3_12,
                                     handler="app.handler", code=_lambda.Code.from_asset("src"))
                    _lambda.Function(self, "Three", runtime=_lambda.Runtime.PYTHON_3_12,
                                     handler="app.handler", code=_lambda.Code.from_asset("src"),
                                     timeout=Duration.seconds(3))
                    _lambda.Function(self, "Minute", runtime=_lambda.Runtime.PYTHON_3_12,
                                     handler="app.handler", code=_lambda.Code.from_asset("src"),
                                     timeout=Duration.minutes(1))


            app = App()
            Orders(app, "Orders")
            app.synth()
            """}, "LL201")
        at = lambda needle: ln(tmp_path, "app.py", needle)  # noqa: E731
        assert [f["line"] for f in findings] == [at('"Plain"'), at("Duration.seconds(3)")]
        assert findings[0]["message"] == "Plain sets no timeout, so it runs with the AWS CDK default of 3 s"
        assert "timeout=Duration.seconds(30)," in findings[0]["suggestion"]


# =============================================================================================
# LL202 wildcard-iam-action
# =============================================================================================


class TestActionSam:
    def test_wildcards_in_a_statement(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action:
                            - "*"
                            - s3:*
                            - S3:*
                            - "*:*"
                            - s3:Get*
                            - dynamodb:GetItem
                          Resource: arn:aws:s3:::orders/*
                        - Effect: Deny
                          Action: "*"
                          Resource: arn:aws:s3:::orders/secret/*
                        - Effect: Allow
                          NotAction:
                            - iam:*
                            - organizations:*
                          Resource: arn:aws:s3:::orders/*
            """)}, "LL202")
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [
            ("LL202", at('- "*"')), ("LL202", at("- s3:*")), ("LL202", at("- S3:*")),
            ("LL202", at('- "*:*"')), ("LL202", at("- iam:*")),
        ]
        messages = [f["message"] for f in findings]
        assert messages[0] == "Policies of OrdersFunction allows * (every action of every service)"
        assert messages[1] == "Policies of OrdersFunction allows s3:* (every s3 action)"
        assert messages[2] == "Policies of OrdersFunction allows S3:* (every s3 action)"
        assert messages[4] == (
            "Policies of OrdersFunction uses Allow with NotAction: it allows every action except "
            "iam:*, organizations:*, including actions AWS adds later")

    def test_managed_policies_by_name_arn_and_sub(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              ByName:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.a
                  CodeUri: src/
                  Timeout: 10
                  Policies:
                    - AWSLambdaBasicExecutionRole
                    - AmazonS3FullAccess
                    - AWSXRayDaemonWriteAccess
              ByArn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.b
                  CodeUri: src/
                  Timeout: 10
                  Policies:
                    - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
                    - arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess
                    - arn:aws:iam::123456789012:policy/TeamFullAccess
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: {Service: lambda.amazonaws.com}
                        Action: sts:AssumeRole
                  ManagedPolicyArns:
                    - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
                    - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
              BySub:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.c
                  CodeUri: src/
                  Timeout: 10
                  Role: !GetAtt Role.Arn
            """)}, "LL202")
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [
            ("LL202", at("- AmazonS3FullAccess")),
            ("LL202", at("AmazonDynamoDBFullAccess")),
            ("LL202", at("policy/AdministratorAccess")),
        ]
        assert findings[0]["message"] == (
            "ByName runs with the AWS managed policy AmazonS3FullAccess (Policies of ByName), "
            "which grants full access")
        assert findings[2]["message"] == (
            "BySub runs with the AWS managed policy AdministratorAccess (ManagedPolicyArns of role "
            "Role), which grants every action on every resource of the account")
        assert "S3ReadPolicy" in findings[0]["suggestion"]

    def test_a_role_shared_by_two_functions_is_reported_once_naming_both(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              SharedRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: {Service: lambda.amazonaws.com}
                        Action: sts:AssumeRole
                  ManagedPolicyArns:
                    - arn:aws:iam::aws:policy/PowerUserAccess
                  Policies:
                    - PolicyName: data
                      PolicyDocument:
                        Statement:
                          - Effect: Allow
                            Action: dynamodb:*
                            Resource: !GetAtt Table.Arn
              Table:
                Type: AWS::DynamoDB::Table
              Reader:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.read, CodeUri: src/, Timeout: 10, Role: !GetAtt SharedRole.Arn}
              Writer:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.write, CodeUri: src/, Timeout: 10, Role: !GetAtt SharedRole.Arn}
            """)}, "LL202")
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL202", at("PowerUserAccess")),
                                           ("LL202", at("Action: dynamodb:*"))]
        assert findings[0]["message"].startswith("Reader, Writer run with the AWS managed policy "
                                                 "PowerUserAccess")
        assert findings[1]["message"] == (
            "policy data of role SharedRole allows dynamodb:* (every dynamodb action) for "
            "Reader, Writer")

    def test_one_function_silencing_the_shared_role_leaves_the_other(self, tmp_path):
        template = sam("""\
            Resources:
              SharedRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
                  Policies:
                    - PolicyName: data
                      PolicyDocument:
                        Statement: [{Effect: Allow, Action: sqs:*, Resource: arn:aws:sqs:us-east-1:123456789012:jobs}]
              Reader:
                Type: AWS::Serverless::Function
                Metadata: {lambdalint: {ignore: [LL202]}}
                Properties: {Handler: app.read, CodeUri: src/, Timeout: 10, Role: !GetAtt SharedRole.Arn}
              Writer:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.write, CodeUri: src/, Timeout: 10, Role: !GetAtt SharedRole.Arn}
            """)
        findings = lint(tmp_path, {"template.yaml": template}, "LL202")
        assert ids_and_lines(findings) == [("LL202", ln(tmp_path, "template.yaml", "Action: sqs:*"))]
        assert findings[0]["message"].endswith("for Writer")
        both = template.replace("  Writer:\n", "  Writer:  # lambdalint: ignore[LL202]\n")
        assert lint(tmp_path / "both", {"template.yaml": both}, "LL202") == []

    def test_roles_of_other_services_and_resource_policies_are_not_lambdas(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              StatesRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {Service: states.amazonaws.com}, Action: sts:AssumeRole}]
                  ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
                  Policies:
                    - PolicyName: all
                      PolicyDocument:
                        Statement: [{Effect: Allow, Action: lambda:*, Resource: "*"}]
              ApiRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]
                  Policies:
                    - PolicyName: all
                      PolicyDocument:
                        Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
              Bucket:
                Type: AWS::S3::Bucket
              BucketPolicy:
                Type: AWS::S3::BucketPolicy
                Properties:
                  Bucket: !Ref Bucket
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: {AWS: arn:aws:iam::123456789012:root}
                        Action: s3:*
                        Resource: "*"
              Machine:
                Type: AWS::StepFunctions::StateMachine
                Properties:
                  RoleArn: !GetAtt StatesRole.Arn
                  DefinitionString: "{}"
              Fine:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Policies:
                    - S3ReadPolicy: {BucketName: !Ref Bucket}
            """)}, "LL202,LL203")
        assert findings == []

    def test_least_privilege_from_the_linked_handler_code(self, tmp_path):
        findings = lint(tmp_path, {"src/app.py": HANDLER, "template.yaml": sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Policies:
                    - AmazonDynamoDBFullAccess
                    - Statement:
                        - Effect: Allow
                          Action: s3:*
                          Resource: arn:aws:s3:::in/*
                        - Effect: Allow
                          Action: "*"
                          Resource: arn:aws:s3:::in/*
            """)}, "LL202")
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        found = by_line(findings)
        assert sorted(found) == sorted([("LL202", at("AmazonDynamoDBFullAccess")),
                                        ("LL202", at("Action: s3:*")),
                                        ("LL202", at('Action: "*"'))])
        # s3:* -> only the s3 actions the code calls
        assert found[("LL202", at("Action: s3:*"))]["suggestion"] == (
            "The handler code calls only these; grant exactly them (add any that other modules "
            "call):\n    Action: s3:GetObject")
        # * -> every action the code calls, the DynamoDB Table resource's put_item included
        assert found[("LL202", at('Action: "*"'))]["suggestion"].endswith(
            "    Action:\n      - dynamodb:PutItem\n      - s3:GetObject")
        assert "dynamodb:PutItem" in found[("LL202", at("AmazonDynamoDBFullAccess"))]["suggestion"]

    def test_without_linked_code_the_suggestion_gives_the_service_examples(self, tmp_path):
        (finding,) = lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              OrdersFunction:
                Type: AWS::Lambda::Function
                Properties:
                  Handler: index.handler
                  Runtime: python3.12
                  Timeout: 10
                  Role: !GetAtt Role.Arn
                  Code: {S3Bucket: b, S3Key: k.zip}
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
                  Policies:
                    - PolicyName: q
                      PolicyDocument:
                        Statement: [{Effect: Allow, Action: "sqs:*", Resource: !GetAtt Queue.Arn}]
              Queue:
                Type: AWS::SQS::Queue
            """)}, "LL202")
        assert finding["suggestion"] == (
            "List only the sqs actions the function calls instead of sqs:*, e.g.\n"
            "    Action: sqs:SendMessage")


class TestActionServerless:
    def test_provider_statements_and_managed_policies(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              timeout: 10
              iam:
                role:
                  managedPolicies:
                    - arn:aws:iam::aws:policy/AmazonSQSFullAccess
                    - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
                  statements:
                    - Effect: Allow
                      Action: s3:*
                      Resource: arn:aws:s3:::orders/*
                    - Effect: Allow
                      Action: [s3:GetObject]
                      Resource: arn:aws:s3:::orders/*
                    - Effect: Deny
                      Action: "*"
                      Resource: arn:aws:s3:::orders/private/*
            functions:
              create:
                handler: src/orders.create
              get:
                handler: src/orders.get
            resources:
              Resources:
                Policy:
                  Type: AWS::SQS::QueuePolicy
                  Properties:
                    Queues: [https://sqs.us-east-1.amazonaws.com/123456789012/jobs]
                    PolicyDocument:
                      Statement: [{Effect: Allow, Principal: "*", Action: "sqs:*", Resource: "*"}]
            """}, "LL202")
        at = lambda needle: ln(tmp_path, "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL202", at("AmazonSQSFullAccess")),
                                           ("LL202", at("Action: s3:*"))]
        assert findings[0]["message"] == (
            "create, get run with the AWS managed policy AmazonSQSFullAccess "
            "(provider.iam.role.managedPolicies), which grants full access")
        assert findings[1]["message"] == (
            "provider.iam.role.statements allows s3:* (every s3 action) for create, get")

    def test_old_iam_role_statements(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              timeout: 10
              iamRoleStatements:
                - Effect: Allow
                  Action:
                    - dynamodb:*
                  Resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders
            functions:
              create:
                handler: src/orders.create
            """}, "LL202")
        assert ids_and_lines(findings) == [("LL202", ln(tmp_path, "serverless.yml", "- dynamodb:*"))]


class TestActionTerraform:
    MAIN = """\
        resource "aws_iam_role" "app" {
          name = "app"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
          })
        }

        resource "aws_iam_role_policy" "app" {
          role = aws_iam_role.app.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              {
                Effect   = "Allow"
                Action   = ["s3:*"]
                Resource = "arn:aws:s3:::orders/*"
              },
              {
                Effect   = "Deny"
                Action   = "*"
                Resource = "arn:aws:s3:::orders/private/*"
              },
            ]
          })
        }

        data "aws_iam_policy_document" "extra" {
          statement {
            actions   = ["*"]
            resources = ["arn:aws:sqs:us-east-1:123456789012:jobs"]
          }
        }

        resource "aws_iam_role_policy" "extra" {
          role   = aws_iam_role.app.id
          policy = data.aws_iam_policy_document.extra.json
        }

        resource "aws_iam_role_policy_attachment" "admin" {
          role       = aws_iam_role.app.name
          policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
        }

        resource "aws_iam_role_policy_attachment" "basic" {
          role       = aws_iam_role.app.name
          policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        }

        resource "aws_iam_role" "states" {
          name = "states"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "states.amazonaws.com" } }]
          })
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }

        resource "aws_lambda_function" "api" {
          function_name = "api"
          role          = aws_iam_role.app.arn
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          timeout       = 10
        }

        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = aws_iam_role.app.arn
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "app.zip"
          timeout       = 10
        }
        """

    def test_statements_documents_and_attachments(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": self.MAIN}, "LL202")
        at = lambda needle: ln(tmp_path, "main.tf", needle)  # noqa: E731
        assert ids_and_lines(findings) == [
            ("LL202", at('Action   = ["s3:*"]')),
            ("LL202", at('actions   = ["*"]')),
            ("LL202", at('"arn:aws:iam::aws:policy/AdministratorAccess"')),
        ]
        s3, star, admin = findings
        assert s3["message"] == ("aws_iam_role_policy.app allows s3:* (every s3 action) for "
                                 "aws_lambda_function.api, aws_lambda_function.worker")
        # The suggestion speaks the statement's own syntax: jsonencode keys, then HCL blocks.
        assert 'Action = ["s3:GetObject", "s3:PutObject"]' in s3["suggestion"]
        assert 'actions = ["s3:GetObject", "dynamodb:PutItem"]' in star["suggestion"]
        assert admin["message"].startswith(
            "aws_lambda_function.api, aws_lambda_function.worker run with the AWS managed policy "
            "AdministratorAccess (aws_iam_role_policy_attachment.admin)")
        assert "SAM" not in admin["suggestion"]


class TestActionCdk:
    def test_policy_statement_and_managed_policy(self, tmp_path):
        findings = lint(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": """\
            from aws_cdk import App, Duration, Stack
            from aws_cdk import aws_iam as iam
            from aws_cdk import aws_lambda as _lambda


            class Orders(Stack):
                def __init__(self, scope, id):
                    super().__init__(scope, id)
                    fn = _lambda.Function(self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,
                                          handler="app.handler", code=_lambda.Code.from_asset("src"),
                                          timeout=Duration.seconds(10))
                    fn.add_to_role_policy(iam.PolicyStatement(
                        actions=["s3:*"],
                        resources=["arn:aws:s3:::orders/*"],
                    ))
                    fn.add_to_role_policy(iam.PolicyStatement(
                        actions=["s3:GetObject"],
                        resources=["arn:aws:s3:::orders/*"],
                    ))
                    fn.role.add_managed_policy(
                        iam.ManagedPolicy.from_aws_managed_policy_name("AWSLambda_FullAccess"))


            app = App()
            Orders(app, "Orders")
            app.synth()
            """}, "LL202")
        at = lambda needle: ln(tmp_path, "app.py", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL202", at('actions=["s3:*"]')),
                                           ("LL202", at("AWSLambda_FullAccess"))]
        assert 'actions=["s3:GetObject", "s3:PutObject"],' in findings[0]["suggestion"]
        assert "grant" in findings[1]["suggestion"]


# =============================================================================================
# LL203 wildcard-iam-resource
# =============================================================================================


def _sam_statements(statements: str, extra: str = "") -> str:
    body = """\
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              Timeout: 10
              Policies:
        """
    return (sam(body) + textwrap.indent(textwrap.dedent(statements), " " * 8)
            + textwrap.dedent(extra))


class TestResourceSam:
    def test_star_with_resource_scoped_actions(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [dynamodb:GetItem, dynamodb:PutItem]
                  Resource: "*"
            """)})
        assert ids_and_lines(findings) == [("LL203", ln(tmp_path, "template.yaml", 'Resource: "*"'))]
        assert findings[0]["message"] == (
            'Policies of OrdersFunction grants dynamodb:GetItem, dynamodb:PutItem on * (every '
            "resource); these actions can be limited to specific resources")
        assert "Resource: !GetAtt MyTable.Arn" in findings[0]["suggestion"]

    def test_actions_that_only_work_on_star_are_silent(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [xray:PutTraceSegments, xray:PutTelemetryRecords]
                  Resource: "*"
                - Effect: Allow
                  Action:
                    - ec2:CreateNetworkInterface
                    - ec2:DescribeNetworkInterfaces
                    - ec2:DeleteNetworkInterface
                  Resource: "*"
                - Effect: Allow
                  Action: cloudwatch:PutMetricData
                  Resource: "*"
                - Effect: Allow
                  Action: [logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents]
                  Resource: "*"
            """)}) == []

    def test_mixed_star_only_and_scoped_actions_name_only_the_scoped_ones(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [xray:PutTraceSegments, sqs:SendMessage]
                  Resource: "*"
            """)})
        assert ids_and_lines(findings) == [("LL203", ln(tmp_path, "template.yaml", 'Resource: "*"'))]
        assert "grants sqs:SendMessage on *" in findings[0]["message"]
        assert "xray" not in findings[0]["message"]

    def test_logs_on_star_are_reported_when_the_option_says_so(self, tmp_path):
        files = {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents]
                  Resource: "*"
            """)}
        assert lint(tmp_path, dict(files)) == []
        strict = {**files, "pyproject.toml": """\
            [tool.lambdalint.rules.LL203]
            allow-logs-on-star = false
            """}
        findings = lint(tmp_path / "strict", strict)
        assert ids_and_lines(findings) == [
            ("LL203", ln(tmp_path / "strict", "template.yaml", 'Resource: "*"'))]
        assert "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents" in findings[0]["message"]

    def test_every_bucket_and_every_object(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: s3:ListBucket
                  Resource: arn:aws:s3:::*
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::*/*
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::orders/*
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
            """)})
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at("Resource: arn:aws:s3:::*")),
                                           ("LL203", at("Resource: arn:aws:s3:::*/*"))]
        assert "(every bucket)" in findings[0]["message"]
        assert "(every object in every bucket)" in findings[1]["message"]

    def test_every_table_arn_is_a_wildcard_a_prefix_is_not(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: !Sub "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: arn:aws:dynamodb:*:*:table/orders-*
            """)})
        assert ids_and_lines(findings) == [("LL203", ln(tmp_path, "template.yaml", ":table/*"))]
        assert "(every dynamodb table)" in findings[0]["message"]

    def test_policy_templates_with_star_and_with_a_reference(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - S3CrudPolicy:
                BucketName: "*"
            - S3ReadPolicy:
                BucketName: !Ref Bucket
            - DynamoDBCrudPolicy:
                TableName: "*"
            """)})
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at('BucketName: "*"')),
                                           ("LL203", at('TableName: "*"'))]
        assert findings[0]["message"].startswith(
            "SAM policy template S3CrudPolicy of OrdersFunction grants s3:GetObject, "
            's3:PutObject, s3:DeleteObject, s3:ListBucket on "*" (every bucket)')
        assert findings[0]["suggestion"] == (
            'Give the policy template the resource instead of "*":\n'
            "    - S3CrudPolicy:\n        BucketName: !Ref MyBucket")

    def test_non_literal_and_not_action_are_left_to_other_checks(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: !GetAtt Table.Arn
                - Effect: Allow
                  Action: !Ref ActionParam
                  Resource: "*"
                - Effect: Allow
                  NotAction: iam:*
                  Resource: "*"
                - Effect: Deny
                  Action: dynamodb:DeleteTable
                  Resource: "*"
            """, """\
            Parameters:
              ActionParam:
                Type: String
            """)})
        # NotAction on "*": one LL202, no second finding of LL203 for the same statement.
        assert ids_and_lines(findings) == [("LL202", ln(tmp_path, "template.yaml", "NotAction: iam:*"))]

    def test_silenced_by_comment_on_the_reported_line(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: sqs:SendMessage
                  Resource: "*"  # lambdalint: ignore[LL203]
            """)}) == []


class TestResourceOtherFormats:
    def test_serverless(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              timeout: 10
              iam:
                role:
                  statements:
                    - Effect: Allow
                      Action: [dynamodb:PutItem]
                      Resource: "*"
                    - Effect: Allow
                      Action: [logs:CreateLogStream, logs:PutLogEvents, xray:PutTraceSegments]
                      Resource: "*"
            functions:
              create:
                handler: src/orders.create
            """})
        assert ids_and_lines(findings) == [("LL203", ln(tmp_path, "serverless.yml", 'Resource: "*"'))]
        assert findings[0]["message"] == (
            "provider.iam.role.statements grants dynamodb:PutItem on * (every resource) for "
            "create; these actions can be limited to specific resources")

    def test_terraform(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": """\
            resource "aws_iam_role" "app" {
              name = "app"
              assume_role_policy = jsonencode({
                Version   = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
              })
            }

            resource "aws_iam_role_policy" "app" {
              role = aws_iam_role.app.id
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [
                  {
                    Effect   = "Allow"
                    Action   = ["sqs:SendMessage"]
                    Resource = "*"
                  },
                ]
              })
            }

            data "aws_iam_policy_document" "tracing" {
              statement {
                actions   = ["xray:PutTraceSegments", "ec2:DescribeNetworkInterfaces"]
                resources = ["*"]
              }
              statement {
                actions   = ["dynamodb:Query"]
                resources = ["*"]
              }
            }

            resource "aws_iam_role_policy" "tracing" {
              role   = aws_iam_role.app.id
              policy = data.aws_iam_policy_document.tracing.json
            }

            resource "aws_lambda_function" "api" {
              function_name = "api"
              role          = aws_iam_role.app.arn
              handler       = "app.handler"
              runtime       = "python3.12"
              filename      = "app.zip"
              timeout       = 10
            }
            """})
        at = lambda needle, nth=1: ln(tmp_path, "main.tf", needle, nth)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at('Resource = "*"')),
                                           ("LL203", at('resources = ["*"]', 2))]
        jsonencoded, document = findings
        assert "Resource = aws_sqs_queue.my_queue.arn" in jsonencoded["suggestion"]
        assert "resources = [aws_dynamodb_table.my_table.arn]" in document["suggestion"]

    def test_cdk(self, tmp_path):
        findings = lint(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": """\
            from aws_cdk import App, Duration, Stack
            from aws_cdk import aws_iam as iam
            from aws_cdk import aws_lambda as _lambda


            class Orders(Stack):
                def __init__(self, scope, id):
                    super().__init__(scope, id)
                    fn = _lambda.Function(self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,
                                          handler="app.handler", code=_lambda.Code.from_asset("src"),
                                          timeout=Duration.seconds(10))
                    fn.add_to_role_policy(iam.PolicyStatement(
                        actions=["dynamodb:GetItem"],
                        resources=["*"],
                    ))
                    fn.add_to_role_policy(iam.PolicyStatement(
                        actions=["xray:PutTraceSegments"],
                        resources=["*"],
                    ))


            app = App()
            Orders(app, "Orders")
            app.synth()
            """}, "LL203")
        assert ids_and_lines(findings) == [("LL203", ln(tmp_path, "app.py", 'resources=["*"]'))]
        assert "table.grant_read_write_data(fn)" in findings[0]["suggestion"]


# =============================================================================================
# LL204 secret-in-environment
# =============================================================================================

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
    TEMPLATE = sam("""\
        Parameters:
          DbPassword:
            Type: String
            NoEcho: true
        Resources:
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              Timeout: 10
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
        """)

    def test_literal_secrets_and_everything_that_only_looks_secret(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": self.TEMPLATE})
        at = lambda needle: ln(tmp_path, "template.yaml", needle)  # noqa: E731
        assert [(f["rule"], f["line"], f["column"]) for f in findings] == [
            ("LL204", at("DB_PASSWORD:"), 24),
            ("LL204", at("STRIPE_API_KEY:"), 27),
            ("LL204", at("UPSTREAM_ID:"), 24),
            ("LL204", at("DATABASE_URL:"), 25),
        ]
        assert [f["message"] for f in findings] == [
            "DB_PASSWORD in the environment of OrdersFunction holds a password in plain text (****)",
            "STRIPE_API_KEY in the environment of OrdersFunction holds a Stripe live secret key "
            "in plain text (sk_live_****)",
            "UPSTREAM_ID in the environment of OrdersFunction holds an AWS access key id in plain "
            "text (AKIA****)",
            "DATABASE_URL in the environment of OrdersFunction holds a connection URL with an "
            "inline password in plain text (postgres://orders:****@db.internal.acme.io)",
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
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Parameters:
              ApiKey:
                Type: String
                Default: Zk3pQ9xLm2Vn8Rt5Wy7B
            Resources:
              OrdersFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Environment:
                    Variables:
                      PARTNER_API_KEY: !Ref ApiKey
            """)})
        assert ids_and_lines(findings) == [("LL204", ln(tmp_path, "template.yaml", "!Ref ApiKey"))]
        assert findings[0]["message"] == (
            "PARTNER_API_KEY in the environment of OrdersFunction holds an API key in plain text "
            "(****, through !Ref ApiKey)")
        assert "Zk3pQ9xLm2Vn8Rt5Wy7B" not in findings[0]["suggestion"]

    def test_a_password_in_the_literal_part_of_a_sub(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_env(
            'DATABASE_URL: !Sub "postgres://orders:Xk9vQ2mLw7Rt@${DbHost}:5432/orders"\n'
            '          SAFE_URL: !Sub "postgres://orders:${DbPassword}@${DbHost}:5432/orders"')})
        assert ids_and_lines(findings) == [("LL204", ln(tmp_path, "template.yaml", "DATABASE_URL:"))]
        _no_secret_shown(findings)

    def test_globals_environment_is_one_finding_naming_every_function(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam("""\
            Globals:
              Function:
                Timeout: 10
                Environment:
                  Variables:
                    SHARED_PASSWORD: Orders-Db-Pa55-2024
            Resources:
              AFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.a, CodeUri: src/}
              BFunction:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.b, CodeUri: src/}
            """)})
        assert ids_and_lines(findings) == [("LL204", ln(tmp_path, "template.yaml", "SHARED_PASSWORD"))]
        assert findings[0]["message"].startswith(
            "SHARED_PASSWORD in the environment of AFunction, BFunction holds a password")

    def test_silenced_by_metadata_or_by_comment_on_the_line(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": sam("""\
            Resources:
              ByMetadata:
                Type: AWS::Serverless::Function
                Metadata: {lambdalint: {ignore: [secret-in-environment]}}
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Environment:
                    Variables:
                      DB_PASSWORD: Orders-Db-Pa55-2024
              ByComment:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Environment:
                    Variables:
                      DB_PASSWORD: Orders-Db-Pa55-2024  # lambdalint: ignore[LL204]
            """)}) == []

    def test_extra_secret_names(self, tmp_path):
        template = _sam_env("WEBHOOK_SIGNATURE: 9f8e7d6c5b4a3f2e1d0c9b8a")
        assert lint(tmp_path, {"template.yaml": template}) == []
        findings = lint(tmp_path / "extra", {"template.yaml": template, "pyproject.toml": """\
            [tool.lambdalint.rules.LL204]
            extra-secret-names = ["signature"]
            """})
        assert ids_and_lines(findings) == [
            ("LL204", ln(tmp_path / "extra", "template.yaml", "WEBHOOK_SIGNATURE"))]
        assert "9f8e7d6c5b4a3f2e1d0c9b8a" not in findings[0]["message"]


def _sam_env(variables: str) -> str:
    return sam("""\
        Resources:
          OrdersFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              Timeout: 10
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
        at = lambda needle: ln(tmp_path, "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL204", at("DB_PASSWORD:")), ("LL204", at("UPSTREAM_ID:"))]
        assert findings[0]["message"] == (
            "DB_PASSWORD in the environment of create, get holds a password in plain text "
            "(****, through ${self:custom.dbPassword})")
        assert "DB_PASSWORD: ${ssm:/my-app/db-password}" in findings[0]["suggestion"]
        assert findings[1]["message"].startswith("UPSTREAM_ID in the environment of create holds")
        _no_secret_shown(findings)


class TestSecretTerraform:
    def test_literals_variables_and_references(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": """\
            variable "db_password" {
              type      = string
              sensitive = true
            }

            data "aws_secretsmanager_secret_version" "stripe" {
              secret_id = "prod/stripe"
            }

            resource "aws_lambda_function" "api" {
              function_name = "api"
              handler       = "app.handler"
              runtime       = "python3.12"
              filename      = "app.zip"
              role          = "arn:aws:iam::123456789012:role/api"
              timeout       = 10
              environment {
                variables = {
                  DB_PASSWORD     = "Orders-Db-Pa55-2024"
                  FROM_VAR        = var.db_password
                  INTERPOLATED    = "${var.db_password}"
                  STRIPE_API_KEY  = data.aws_secretsmanager_secret_version.stripe.secret_string
                  DB_SECRET_ARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
                  DB_PORT         = 5432
                  PASSWORD_ITERATIONS = 4096
                }
              }
            }
            """})
        assert ids_and_lines(findings) == [("LL204", ln(tmp_path, "main.tf", "DB_PASSWORD     ="))]
        finding = findings[0]
        assert finding["message"] == (
            "DB_PASSWORD in the environment of aws_lambda_function.api holds a password in plain "
            "text (****)")
        assert "DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db_password.arn" in finding["suggestion"]
        _no_secret_shown(findings)


class TestSecretCdk:
    def test_environment_dict(self, tmp_path):
        findings = lint(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": """\
            from aws_cdk import App, Duration, Stack
            from aws_cdk import aws_lambda as _lambda


            class Orders(Stack):
                def __init__(self, scope, id):
                    super().__init__(scope, id)
                    _lambda.Function(
                        self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,
                        handler="app.handler", code=_lambda.Code.from_asset("src"),
                        timeout=Duration.seconds(10),
                        environment={
                            "DB_PASSWORD": "Orders-Db-Pa55-2024",
                            "PASSWORD_ITERATIONS": "4096",
                            "TABLE_NAME": "orders",
                        },
                    )


            app = App()
            Orders(app, "Orders")
            app.synth()
            """}, "LL204")
        assert ids_and_lines(findings) == [("LL204", ln(tmp_path, "app.py", '"DB_PASSWORD"'))]
        assert '"DB_PASSWORD_SECRET_ARN": secret.secret_arn,' in findings[0]["suggestion"]
        _no_secret_shown(findings)


# =============================================================================================
# JSON templates get JSON suggestions
# =============================================================================================


def test_json_template_suggestions_are_json(tmp_path):
    import json

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


def test_account_level_actions_on_star_are_silent(tmp_path):
    # Cost Explorer and account aliases name no resource: "*" is the only way to grant them.
    assert lint(tmp_path, {"serverless.yml": """\
        service: billing-report
        provider:
          name: aws
          runtime: python3.12
          iam:
            role:
              statements:
                - Effect: "Allow"
                  Action:
                    - "ce:GetCostAndUsage"
                  Resource: "*"
                - Effect: "Allow"
                  Action:
                    - "iam:ListAccountAliases"
                  Resource: "*"
        functions:
          report:
            handler: handler.report
            timeout: 10
            events:
              - schedule: cron(0 15 * * ? *)
        """}) == []
