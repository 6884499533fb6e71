"""LL110 batch-failures-ignored through the real CLI, both directions, in every format that can
write an SQS, Kinesis or DynamoDB trigger's FunctionResponseTypes: SAM, CloudFormation, Serverless, Terraform, CDK; and what leaves it silent."""

from __future__ import annotations

import textwrap

from helpers import (cdk_app, check_json, ids_and_lines, inline_function_template, line_of,
                     sam_resource, sam_resources, write)

# Catches every error and returns nothing: with ReportBatchItemFailures on, the batch succeeds.
SWALLOW = """
def handler(event, context):
    for record in event["Records"]:
        try:
            work(record)
        except Exception as error:
            print("failed", record["messageId"], error)


def work(record):
    pass
"""

# Reports the records that failed.
PARTIAL = """
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            work(record)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def work(record):
    pass
"""


def _check(tmp_path, files):
    write(tmp_path, {"lambdalint.toml": "", **files})
    return check_json(["."], tmp_path, "--select", "LL110")


def _sam(event: str, reports: bool) -> str:
    """A SAM template: ``Worker`` runs src/app.handler, triggered by an ``event`` (SQS, Kinesis,
    DynamoDB) mapping that reports batch item failures when ``reports``."""
    source = "Queue: arn:aws:sqs:us-east-1:123456789012:jobs" if event == "SQS" else \
        "Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s\n    StartingPosition: LATEST"
    properties = source + ("\nFunctionResponseTypes: [ReportBatchItemFailures]" if reports else "")
    events = "Events:\n  Jobs:\n    Type: %s\n    Properties:\n" % event
    return sam_resources(sam_resource("Worker", timeout=30, properties=events + textwrap.indent(
        properties.replace("\n    ", "\n"), " " * 6)))


class TestSam:
    def test_reports_on_but_the_handler_never_returns_them(self, tmp_path):
        template = _sam("SQS", True)
        found = _check(tmp_path, {"template.yaml": template, "src/app.py": SWALLOW})
        assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 1)]
        assert (f"Worker's SQS trigger (template.yaml:"
                f"{line_of(template, 'FunctionResponseTypes')})") in found[0]["message"]
        assert "never returns batchItemFailures" in found[0]["message"]

    def test_returned_but_the_mapping_does_not_report_them(self, tmp_path):
        template = _sam("Kinesis", False)
        found = _check(tmp_path, {"template.yaml": template, "src/app.py": PARTIAL})
        assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 8)]
        assert "Worker's Kinesis trigger (template.yaml:" in found[0]["message"]
        assert "ignores what the handler returns" in found[0]["message"]

    def test_agreeing_handlers_stay_silent(self, tmp_path):
        write(tmp_path / "a", {"template.yaml": _sam("DynamoDB", True), "src/app.py": PARTIAL})
        write(tmp_path / "b", {"template.yaml": _sam("SQS", False), "src/app.py": SWALLOW})
        assert _check(tmp_path, {}) == []


def test_cloudformation_event_source_mapping_and_inline_code(tmp_path):
    # (Inline code in a JSON template is not read as Python by the reader yet: YAML here.)
    template = inline_function_template(SWALLOW, timeout=30, after=(
        "  Mapping:\n"
        "    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n"
        "      FunctionName: !Ref Fn\n"
        "      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs\n"
        "      FunctionResponseTypes:\n"
        "        - ReportBatchItemFailures\n"))
    found = _check(tmp_path, {"template.yaml": template})
    assert ids_and_lines(found) == [("LL110", line_of(template, "def handler"))]
    assert f"(template.yaml:{line_of(template, '- ReportBatchItemFailures')})" in \
        found[0]["message"]


def test_serverless(tmp_path):
    found = _check(tmp_path, {"serverless.yml": """
        service: jobs
        provider:
          name: aws
          runtime: python3.12
          timeout: 30
        functions:
          worker:
            handler: app.handler
            events:
              - sqs:
                  arn: arn:aws:sqs:us-east-1:123456789012:jobs
                  functionResponseType: ReportBatchItemFailures
        """, "app.py": SWALLOW})
    assert [(f["path"], f["line"]) for f in found] == [("app.py", 1)]
    assert "worker's SQS trigger (serverless.yml:12)" in found[0]["message"]


def test_terraform(tmp_path):
    tf = """
        data "archive_file" "fn" {
          type        = "zip"
          source_dir  = "${path.module}/src"
          output_path = "fn.zip"
        }

        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = "arn:aws:iam::123456789012:role/r"
          handler       = "app.handler"
          runtime       = "python3.12"
          timeout       = 30
          filename      = data.archive_file.fn.output_path
        }

        resource "aws_lambda_event_source_mapping" "stream" {
          event_source_arn  = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"
          function_name     = aws_lambda_function.worker.arn
          starting_position = "LATEST"
        }
        """
    found = _check(tmp_path, {"main.tf": tf, "src/app.py": PARTIAL})
    assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 8)]
    assert "aws_lambda_function.worker's DynamoDB Streams trigger (main.tf:" in found[0]["message"]


def test_cdk(tmp_path):
    files = cdk_app(
        'from aws_cdk import aws_sqs as sqs\n'
        'from aws_cdk.aws_lambda_event_sources import SqsEventSource\n'
        'jobs = sqs.Queue(self, "Jobs", visibility_timeout=Duration.seconds(180))\n'
        'fn = _lambda.Function(self, "Worker", runtime=_lambda.Runtime.PYTHON_3_12,\n'
        '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
        '                      timeout=Duration.seconds(30))\n'
        'fn.add_event_source(SqsEventSource(jobs, report_batch_item_failures=True))\n')
    found = _check(tmp_path, {**files, "src/app.py": SWALLOW})
    assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 1)]
    assert "Worker's SQS trigger (app.py:" in found[0]["message"]


def test_functions_sharing_a_handler_are_named_in_one_finding(tmp_path):
    queue = "Jobs: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:%s}}"
    template = sam_resources(sam_resource("A", timeout=30, events=[queue % "a"]),
                             sam_resource("B", timeout=30, events=[queue % "b"]))
    found = _check(tmp_path, {"template.yaml": template, "src/app.py": PARTIAL})
    assert len(found) == 1
    assert "A's SQS trigger" in found[0]["message"] and "B's SQS trigger" in found[0]["message"]


def test_handlers_that_let_errors_raise_lose_nothing(tmp_path):
    # From serverless-patterns (iot-sqs-lambda-cdk, serverless-message-processing): no try at
    # all, or every except raises again: the whole batch is retried.
    plain = 'import json\n\n\ndef handler(event, context):\n    print(json.dumps(event))\n' \
            '    return {"statusCode": 200}\n'
    reraise = ('import json\n\n\ndef handler(event, context):\n    for record in event["Records"]:\n'
               '        try:\n            json.loads(record["body"])\n'
               '        except json.JSONDecodeError:\n            print("bad")\n            raise\n'
               '        except Exception as error:\n            print(error)\n            raise\n'
               '    return {"statusCode": 200}\n')
    write(tmp_path / "a", {"template.yaml": _sam("SQS", True), "src/app.py": plain})
    write(tmp_path / "b", {"template.yaml": _sam("SQS", True), "src/app.py": reraise})
    assert _check(tmp_path, {}) == []


def test_the_suggestion_shows_the_response_to_return(tmp_path):
    found = _check(tmp_path, {"template.yaml": _sam("SQS", True), "src/app.py": SWALLOW})
    assert ('return {"batchItemFailures": [{"itemIdentifier": record["messageId"]}, ...]} '
            '(the sequence number for streams)') in found[0]["suggestion"]
