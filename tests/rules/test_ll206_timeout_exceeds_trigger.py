"""LL206 timeout-exceeds-trigger across formats: a timeout API Gateway cannot wait for, or one
an SQS queue's visibility timeout does not cover (real templates in tmp_path, the real CLI)."""

from __future__ import annotations


import json

import helpers
from helpers import ids_and_lines, line_of, sam_resource, sam_resources


def lint(root, files, *extra):
    return helpers.lint(root, files, "LL206", *extra)


class TestSam:
    def test_api_gateway_limit(self, tmp_path):
        api = "{Type: Api, Properties: {Path: /%s, Method: get}}"
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("SlowApi", "app.slow", 60, ["Get: " + api % "slow"]),
            sam_resource("FastApi", "app.fast", 20, ["Get: " + api % "fast"]),
            sam_resource("EdgeHttpApi", "app.edge", 30, ["Get: {Type: HttpApi}"]),
            sam_resource("EdgeRestApi", "app.edge", 29, ["Get: " + api % "edge"]),
            sam_resource("Scheduled", "app.batch", 600,
                         ["Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}"]),
        )})
        assert ids_and_lines(findings) == [("LL206", line_of(tmp_path / "template.yaml", "Timeout: 60"))]
        finding = findings[0]
        assert finding["message"].startswith(
            "SlowApi has a 60 s timeout but is called through API Gateway, which stops waiting "
            "after 29 s")
        assert "SlowApi:\n      Properties:\n        Timeout: 29" in finding["suggestion"]

    def test_sqs_visibility_must_be_six_times_the_timeout(self, tmp_path):
        queue = "Q: {Type: SQS, Properties: {Queue: !GetAtt %s.Arn}}"
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            "  Jobs:\n    Type: AWS::SQS::Queue\n",
            "  Roomy:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 120\n",
            "  Exact:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n",
            sam_resource("Worker", "app.work", 10, [queue % "Jobs"]),
            sam_resource("RoomyWorker", "app.work", 11, [queue % "Roomy"]),
            sam_resource("ExactWorker", "app.work", 10, [queue % "Exact"]),
        )})
        assert ids_and_lines(findings) == [("LL206", line_of(tmp_path / "template.yaml", "Timeout: 10"))]
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


class TestServerless:
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
        assert ids_and_lines(findings) == [("LL206", at("timeout: 60")), ("LL206", at("timeout: 31"))]
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
        assert ids_and_lines(findings) == [("LL206", 7)]
        assert findings[0]["message"].startswith(
            "worker has a 10 s timeout but its SQS queue Jobs hides messages for only 30 s;")
        visibility = line_of(tmp_path / "serverless.yml", "VisibilityTimeout: 30")
        assert findings[0]["suggestion"].startswith(
            f"Raise the visibility timeout at serverless.yml:{visibility} to at least 60 s:\n"
            "    VisibilityTimeout: 60\n")


class TestTerraform:
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
        assert ids_and_lines(findings) == [("LL206", 3), ("LL206", 20)]
        assert "API Gateway" in findings[0]["message"]
        assert "SQS" in findings[1]["message"]
        assert "visibility_timeout_seconds = 60" in findings[1]["suggestion"]


API_60 = sam_resources(sam_resource(
    "SlowApi", "app.slow", '"60"', ["Get: {Type: Api, Properties: {Path: /slow, Method: get}}"]))


class TestOptionsAndValues:
    def test_a_timeout_written_as_a_string_is_a_number(self, tmp_path):
        # Issue 13: `Timeout: "600"` is what some templates write; CloudFormation reads a number.
        findings = lint(tmp_path, {"template.yaml": API_60})
        assert ids_and_lines(findings) == [("LL206", line_of(tmp_path / "template.yaml", 'Timeout: "60"'))]
        assert "has a 60 s timeout" in findings[0]["message"]
        assert "`api-gateway-limit` option" in findings[0]["suggestion"]

    def test_a_raised_rest_api_quota_is_an_option(self, tmp_path):
        config = '[tool.lambdalint.rules.LL206]\napi-gateway-limit = 90\n'
        assert lint(tmp_path, {"template.yaml": API_60, "pyproject.toml": config}) == []

    def test_the_raised_limit_does_not_apply_to_http_apis(self, tmp_path):
        config = '[tool.lambdalint.rules.LL206]\napi-gateway-limit = 90\n'
        template = API_60.replace("Get: {Type: Api, Properties: {Path: /slow, Method: get}}",
                                  "Get: {Type: HttpApi}")
        findings = lint(tmp_path, {"template.yaml": template, "pyproject.toml": config})
        assert ids_and_lines(findings) == [("LL206", line_of(tmp_path / "template.yaml", 'Timeout: "60"'))]
        assert "an API Gateway HTTP API, which stops waiting after 30 s" in findings[0]["message"]
        assert "api-gateway-limit" not in findings[0]["suggestion"]

    def test_visibility_factor_option(self, tmp_path):
        template = sam_resources(
            "  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 40\n",
            sam_resource("Worker", "app.work", 10, ["Q: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}"]))
        findings = lint(tmp_path / "default", {"template.yaml": template})
        assert "AWS asks for at least six times the function timeout (60 s)" in findings[0]["message"]
        config = '[tool.lambdalint.rules.LL206]\nsqs-visibility-factor = 3\n'
        assert lint(tmp_path / "three", {"template.yaml": template, "pyproject.toml": config}) == []
        config = '[tool.lambdalint.rules.LL206]\nsqs-visibility-factor = 5\n'
        findings = lint(tmp_path / "five", {"template.yaml": template, "pyproject.toml": config})
        assert "the project asks for at least 5 times the function timeout (50 s)" in (
            findings[0]["message"])
        assert "or lower the function timeout to at most 8 s." in findings[0]["suggestion"]

    def test_a_bad_option_exits_2_with_one_line(self, tmp_path):
        config = '[tool.lambdalint.rules.LL206]\napi-gateway-limit = "long"\n'
        helpers.write(tmp_path, {"template.yaml": API_60, "pyproject.toml": config})
        code, out, err = helpers.run_cli(["check", "."], cwd=tmp_path)
        assert code == 2 and "api-gateway-limit" in err and len(err.strip().splitlines()) == 1

    def test_cloudformation_json_event_source_mapping(self, tmp_path):
        template = {
            "Resources": {
                "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
                "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
                    "Runtime": "python3.12", "Handler": "app.work", "Timeout": 15,
                    "Role": "arn:aws:iam::123456789012:role/w",
                    "Code": {"S3Bucket": "b", "S3Key": "k"}}},
                "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                    "FunctionName": {"Ref": "Worker"},
                    "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}}},
            }
        }
        text = json.dumps(template, indent=2)
        findings = lint(tmp_path, {"stack.json": text})
        assert ids_and_lines(findings) == [("LL206", line_of(text, '"Timeout": 15'))]
        assert "hides messages for only 30 s" in findings[0]["message"]

    def test_ll201_no_longer_reports_the_trigger(self, tmp_path):
        assert helpers.lint(tmp_path, {"template.yaml": API_60}, "LL201") == []
