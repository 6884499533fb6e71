"""LL201 default-timeout across formats: real templates in tmp_path, the real CLI.

What it reports (exact lines), what it must leave alone, what its messages name and whether its
suggestions can be pasted. How each format writes a timeout is asserted in test_dialects.
"""

from __future__ import annotations

import textwrap

from helpers import cdk_app, ids_and_lines, line_of, lint, sam


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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 3"))]
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
            ("LL201", line_of(tmp_path / "template.yaml", "Timeout: !Ref ShortTimeout"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 60"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Api:"))]
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
        assert ids_and_lines(findings) == [("LL201", line_of(tmp_path / "template.yaml", "Timeout: 10"))]
        finding = findings[0]
        assert finding["message"] == (
            "Worker has a 10 s timeout but its SQS queue hides messages for only 30 s (the SQS "
            "default: the queue sets no visibility timeout); AWS asks for at least six times the "
            "function timeout (60 s), or a message becomes visible again while still in work and "
            "is processed twice")
        queue_line = line_of(tmp_path / "template.yaml", "Jobs:")
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
        at = lambda needle: line_of(tmp_path / "serverless.yml", needle)  # noqa: E731
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
        visibility = line_of(tmp_path / "serverless.yml", "VisibilityTimeout: 30")
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
