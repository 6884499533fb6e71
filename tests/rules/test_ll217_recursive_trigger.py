"""LL217 recursive-trigger: handler code writing to the bucket, queue or topic that triggers its
function, in every format that can say which resource triggers it (real files, the real CLI)."""

from __future__ import annotations

import helpers
from helpers import ids_and_lines, line_of, sam

WRITES_TO_BUCKET = """\
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    s3.put_object(Bucket=os.environ["BUCKET"], Key="out.png", Body=b"")
"""


def lint(root, files):
    return helpers.lint(root, files, "LL217")


def _sam_trigger(resource: str = "Uploads", kind: str = "AWS::S3::Bucket",
                 variable: str = "BUCKET", event: str = "S3",
                 event_properties: str = "Bucket: !Ref Uploads, Events: s3:ObjectCreated:*") -> str:
    """A SAM template: ``resource`` of type ``kind``, and ``Fn`` (app.handler in src/) whose
    environment passes it as ``variable`` and which it triggers by an ``event`` event."""
    return sam(f"""\
        Resources:
          {resource}:
            Type: {kind}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              Runtime: python3.12
              Environment:
                Variables:
                  {variable}: !Ref {resource}
              Events:
                Trigger:
                  Type: {event}
                  Properties: {{{event_properties}}}
        """)


class TestSam:
    def test_a_write_to_the_triggering_bucket(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_trigger(), "src/app.py": WRITES_TO_BUCKET})
        assert ids_and_lines(findings) == [("LL217", line_of(tmp_path / "src/app.py", "put_object"))]
        assert findings[0]["path"] == "src/app.py"
        assert findings[0]["message"] == (
            "`s3.put_object(...)` writes to the bucket Uploads (BUCKET), which triggers Fn "
            f"(template.yaml:{line_of(tmp_path / 'template.yaml', 'Fn:')}) itself: each write invokes the function again, a loop that runs "
            "and bills until stopped")
        assert findings[0]["suggestion"].startswith("Write the output to another bucket")

    def test_a_helper_the_handler_calls_is_checked_too(self, tmp_path):
        code = ('import os\nimport boto3\n\nbucket = boto3.resource("s3").Bucket(os.environ["BUCKET"])\n\n'
                'def save(data):\n    bucket.put_object(Key="k", Body=data)\n\n'
                'def handler(event, context):\n    save(b"")\n')
        findings = lint(tmp_path, {"template.yaml": _sam_trigger(), "src/app.py": code})
        assert ids_and_lines(findings) == [("LL217", 7)]

    def test_an_sns_topic_the_function_publishes_to(self, tmp_path):
        template = _sam_trigger("Alerts", "AWS::SNS::Topic", "TOPIC_ARN", "SNS",
                                "Topic: !Ref Alerts")
        code = ('import os\nimport boto3\n\nsns = boto3.client("sns")\nTOPIC = os.getenv("TOPIC_ARN")\n\n'
                'def handler(event, context):\n    sns.publish(TopicArn=TOPIC, Message="again")\n')
        findings = lint(tmp_path, {"template.yaml": template, "src/app.py": code})
        assert ids_and_lines(findings) == [("LL217", 8)]
        assert "writes to the topic Alerts (TOPIC_ARN)" in findings[0]["message"]

    def test_a_key_filter_leaves_it_alone(self, tmp_path):
        filtered = _sam_trigger(event_properties=(
            "Bucket: !Ref Uploads, Events: s3:ObjectCreated:*, "
            "Filter: {S3Key: {Rules: [{Name: prefix, Value: uploads/}]}}"))
        assert lint(tmp_path, {"template.yaml": filtered, "src/app.py": WRITES_TO_BUCKET}) == []

    def test_a_write_at_import_time_is_not_a_loop_per_invocation(self, tmp_path):
        code = ('import os\nimport boto3\n\nboto3.client("s3").put_object(Bucket=os.environ["BUCKET"], '
                'Key="started", Body=b"")\n\ndef handler(event, context):\n    return 1\n')
        assert lint(tmp_path, {"template.yaml": _sam_trigger(), "src/app.py": code}) == []


def test_cloudformation_bucket_notification(tmp_path):
    template = """\
        Resources:
          Uploads:
            Type: AWS::S3::Bucket
            Properties:
              NotificationConfiguration:
                LambdaConfigurations:
                  - Event: s3:ObjectCreated:*
                    Function: !GetAtt Fn.Arn
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Role: arn:aws:iam::123456789012:role/fn
              Code: src/
              Environment:
                Variables:
                  BUCKET: !Ref Uploads
        """
    findings = lint(tmp_path, {"template.yaml": template, "src/app.py": WRITES_TO_BUCKET})
    assert ids_and_lines(findings) == [("LL217", line_of(tmp_path / "src/app.py", "put_object"))]


def test_serverless_bucket_named_by_the_event_and_the_environment(tmp_path):
    service = """\
        service: thumbs
        provider:
          name: aws
          runtime: python3.12
        custom:
          bucket: thumbs-uploads
        functions:
          resize:
            handler: app.handler
            environment:
              BUCKET: ${self:custom.bucket}
            events:
              - s3:
                  bucket: ${self:custom.bucket}
                  event: s3:ObjectCreated:*
          filtered:
            handler: other.handler
            environment:
              BUCKET: ${self:custom.bucket}
            events:
              - s3:
                  bucket: ${self:custom.bucket}
                  event: s3:ObjectCreated:*
                  rules:
                    - prefix: uploads/
        """
    findings = lint(tmp_path, {"serverless.yml": service, "app.py": WRITES_TO_BUCKET,
                               "other.py": WRITES_TO_BUCKET})
    assert [(f["path"], f["line"]) for f in findings] == [
        ("app.py", line_of(tmp_path / "app.py", "put_object"))]
    assert "the bucket thumbs-uploads (BUCKET)" in findings[0]["message"]


def test_terraform_bucket_notification_and_queue_mapping(tmp_path):
    main = """\
        resource "aws_s3_bucket" "uploads" {}
        resource "aws_sqs_queue" "jobs" {}

        data "archive_file" "fn" {
          type        = "zip"
          source_dir  = "${path.module}/src"
          output_path = "${path.module}/fn.zip"
        }

        resource "aws_lambda_function" "resize" {
          function_name = "resize"
          role          = "arn:aws:iam::123456789012:role/fn"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = data.archive_file.fn.output_path
          environment {
            variables = {
              BUCKET    = aws_s3_bucket.uploads.id
              QUEUE_URL = aws_sqs_queue.jobs.url
            }
          }
        }

        resource "aws_s3_bucket_notification" "uploads" {
          bucket = aws_s3_bucket.uploads.id
          lambda_function {
            lambda_function_arn = aws_lambda_function.resize.arn
            events              = ["s3:ObjectCreated:*"]
          }
        }

        resource "aws_lambda_event_source_mapping" "jobs" {
          event_source_arn = aws_sqs_queue.jobs.arn
          function_name    = aws_lambda_function.resize.arn
        }
        """
    code = WRITES_TO_BUCKET + ('\n\ndef again(body):\n'
                               '    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], '
                               'MessageBody=body)\n')
    code = code.replace('Body=b"")\n', 'Body=b"")\n    again("x")\n', 1)
    findings = lint(tmp_path, {"main.tf": main, "src/app.py": code})
    assert ids_and_lines(findings) == [("LL217", line_of(tmp_path / "src/app.py", "put_object")),
                                       ("LL217", line_of(tmp_path / "src/app.py", "send_message"))]
    filtered = main.replace('events              = ["s3:ObjectCreated:*"]',
                            'events              = ["s3:ObjectCreated:*"]\n'
                            '            filter_prefix       = "uploads/"')
    assert ids_and_lines(lint(tmp_path / "f", {"main.tf": filtered, "src/app.py": code})) == [
        ("LL217", line_of(tmp_path / "src/app.py", "send_message"))]


CDK_STACK = """\
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import S3EventSource, SqsEventSource


class Thumbs(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        self.uploads = s3.Bucket(self, "Uploads")
        thumbnails = s3.Bucket(self, "Thumbnails")
        fn = lambda_.Function(self, "Resize", runtime=lambda_.Runtime.PYTHON_3_12,
                              handler="app.handler", code=lambda_.Code.from_asset("src"),
                              environment={"BUCKET": %(bucket)s.bucket_name})
%(triggers)s

app = App()
Thumbs(app, "Thumbs")
app.synth()
"""
S3_SOURCE = "        fn.add_event_source(S3EventSource(self.uploads, events=[s3.EventType.OBJECT_CREATED]%s))"


def _cdk(bucket: str = "self.uploads", triggers: str = S3_SOURCE % "") -> dict:
    """A CDK app whose ``Resize`` function (app.handler in src/) gets ``bucket``'s name as
    BUCKET and is triggered by ``triggers`` (statements of the stack)."""
    return {"cdk.json": '{"app": "python3 app.py"}',
            "app.py": CDK_STACK % {"bucket": bucket, "triggers": triggers}}


class TestCdk:
    def test_an_s3_event_source_on_the_bucket_the_code_writes_to(self, tmp_path):
        findings = lint(tmp_path, {**_cdk(), "src/app.py": WRITES_TO_BUCKET})
        assert ids_and_lines(findings) == [("LL217", line_of(tmp_path / "src/app.py", "put_object"))]
        assert findings[0]["message"].startswith(
            "`s3.put_object(...)` writes to the bucket self.uploads (BUCKET), which triggers Resize "
            f"(app.py:{line_of(tmp_path / 'app.py', 'lambda_.Function(')}) itself")

    def test_a_notification_through_another_spelling_of_the_bucket(self, tmp_path):
        """``bucket.add_event_notification(..., LambdaDestination(fn))`` on ``uploads``, the
        same construct the environment names as ``self.uploads``."""
        triggers = ("        uploads = self.uploads\n"
                    "        uploads.add_event_notification(s3.EventType.OBJECT_CREATED,\n"
                    "                                       s3n.LambdaDestination(fn))")
        findings = lint(tmp_path, {**_cdk(triggers=triggers), "src/app.py": WRITES_TO_BUCKET})
        assert ids_and_lines(findings) == [("LL217", line_of(tmp_path / "src/app.py", "put_object"))]

    def test_output_to_another_bucket_is_no_loop(self, tmp_path):
        assert lint(tmp_path, {**_cdk(bucket="thumbnails"), "src/app.py": WRITES_TO_BUCKET}) == []

    def test_a_key_filter_on_the_trigger_leaves_it_alone(self, tmp_path):
        filtered = _cdk(triggers=S3_SOURCE % ', filters=[s3.NotificationKeyFilter(prefix="in/")]')
        assert lint(tmp_path, {**filtered, "src/app.py": WRITES_TO_BUCKET}) == []

    def test_an_sqs_worker_that_sends_to_its_own_queue(self, tmp_path):
        triggers = ('        jobs = sqs.Queue(self, "Jobs")\n'
                    "        fn.add_event_source(SqsEventSource(jobs))\n"
                    '        fn.add_environment("QUEUE_URL", jobs.queue_url)')
        code = ('import os\nimport boto3\n\nsqs = boto3.client("sqs")\n\n'
                'def handler(event, context):\n'
                '    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="again")\n')
        findings = lint(tmp_path, {**_cdk(bucket="thumbnails", triggers=triggers),
                                   "src/app.py": code})
        assert ids_and_lines(findings) == [("LL217", 7)]
        assert "writes to the queue jobs (QUEUE_URL)" in findings[0]["message"]
