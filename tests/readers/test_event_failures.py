"""Event kinds and failure-handling facts of every reader: the one kind vocabulary
(``model.EVENT_KINDS``), ``report_batch_failures`` of SQS/stream mappings, a stream mapping's
destination/bisect/retry bounds, an SQS queue's redrive policy, and each function's
asynchronous-invocation config. Real files, read as a run reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

from lambdalint.model import EVENT_KINDS, EventSource, Function, Value
from helpers import line_of, read_unit, sam, write  # noqa: F401 - write used by read_unit


def cdk_stack(imports: str, body: str) -> str:
    """An app.py: ``imports``, then the stack ``Orders`` whose constructor runs ``body`` (written
    at its indentation), then the app that synthesizes it."""
    return (imports + "\n\nclass Orders(Stack):\n    def __init__(self, scope, id):\n"
            "        super().__init__(scope, id)\n" + body
            + '\n\napp = App()\nOrders(app, "Orders")\napp.synth()\n')


def functions_of(root: Path, files: Dict[str, str]) -> Dict[str, Function]:
    project = read_unit(root, files)
    assert project.errors == []
    return {f.name: f for f in project.functions}


def shown(value: Optional[Value]) -> Optional[Tuple[object, int]]:
    """(value, or text when not literal; line) of a Value."""
    if value is None:
        return None
    return (value.value if value.literal else value.text, value.line)


def kinds(events: List[EventSource]) -> List[Tuple[str, int]]:
    assert all(e.kind in EVENT_KINDS for e in events)
    return [(e.kind, e.line) for e in events]


# -- SAM and CloudFormation ----------------------------------------------------------------------

SAM_TEMPLATE = sam("""
    Globals:
      Function:
        EventInvokeConfig:
          MaximumRetryAttempts: 1
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          DeadLetterQueue:
            Type: SQS
            TargetArn: !GetAtt Dlq.Arn
          Events:
            Stream:
              Type: Kinesis
              Properties:
                Stream: !GetAtt Stream.Arn
                BisectBatchOnFunctionError: true
                MaximumRetryAttempts: 3
                DestinationConfig:
                  OnFailure:
                    Destination: !GetAtt Dlq.Arn
                FunctionResponseTypes:
                  - ReportBatchItemFailures
            Jobs:
              Type: SQS
              Properties:
                Queue: !GetAtt Jobs.Arn
            Upload:
              Type: S3
              Properties: {Bucket: !Ref Bucket}
            Nightly:
              Type: ScheduleV2
            Rule:
              Type: EventBridgeRule
            Logs:
              Type: CloudWatchLogs
            Thing:
              Type: IoTRule
      Jobs:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
      Dlq:
        Type: AWS::SQS::Queue
      Raw:
        Type: AWS::Lambda::Function
        Properties: {Handler: a.b}
      Hourly:
        Type: AWS::Events::Rule
        Properties:
          ScheduleExpression: rate(1 hour)
          Targets:
            - Arn: !GetAtt Raw.Arn
              Id: raw
      Invoke:
        Type: AWS::Lambda::EventInvokeConfig
        Properties:
          FunctionName: !Ref Raw
          Qualifier: $LATEST
          MaximumEventAgeInSeconds: 3600
          DestinationConfig:
            OnFailure:
              Destination: !GetAtt Dlq.Arn
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: !Ref Raw
          EventSourceArn: !GetAtt Dlq.Arn
          FunctionResponseTypes: []
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          NotificationConfiguration:
            LambdaConfigurations:
              - Event: s3:ObjectCreated:*
                Function: !GetAtt Raw.Arn
      Filter:
        Type: AWS::Logs::SubscriptionFilter
        Properties:
          DestinationArn: !GetAtt Raw.Arn
    """)


def test_sam_and_cloudformation_event_facts(tmp_path):
    text = SAM_TEMPLATE
    functions = functions_of(tmp_path, {"template.yaml": text})
    worker, raw = functions["Worker"], functions["Raw"]
    assert kinds(worker.events) == [
        ("kinesis", line_of(text, "Stream:")), ("sqs", line_of(text, "Jobs:")),
        ("s3", line_of(text, "Upload:")), ("schedule", line_of(text, "Nightly:")),
        ("eventbridge", line_of(text, "Rule:")), ("logs", line_of(text, "Logs:")),
        ("iot", line_of(text, "Thing:"))]
    stream, jobs = worker.events[:2]
    assert shown(stream.report_batch_failures) == (True, line_of(text, "- ReportBatchItem"))
    assert shown(stream.on_failure) == ("!GetAtt Dlq.Arn", line_of(text, "Destination: !GetAtt"))
    assert shown(stream.bisect) == (True, line_of(text, "BisectBatch"))
    assert shown(stream.max_retries) == (3, line_of(text, "MaximumRetryAttempts: 3"))
    assert stream.max_record_age is None
    assert (jobs.redrive, jobs.queue_path, jobs.queue_line) == \
        (True, "template.yaml", line_of(text, "Jobs:", 2))
    assert jobs.report_batch_failures is None
    config = worker.async_config
    assert shown(config.dead_letter) == ("!GetAtt Dlq.Arn", line_of(text, "TargetArn"))
    assert config.on_failure is None
    assert shown(config.max_retries) == (1, line_of(text, "MaximumRetryAttempts: 1"))
    assert kinds(raw.events) == [
        ("schedule", line_of(text, "- Arn: !GetAtt Raw")), ("sqs", line_of(text, "Mapping:")),
        ("s3", line_of(text, "- Event: s3")), ("logs", line_of(text, "Filter:"))]
    mapping = raw.events[1]
    assert shown(mapping.report_batch_failures) == (False, line_of(text, "FunctionResponseTypes: []"))
    assert (mapping.redrive, mapping.queue_line) == (False, line_of(text, "  Dlq:"))
    assert shown(raw.async_config.on_failure) == (
        "!GetAtt Dlq.Arn", line_of(text, "Destination: !GetAtt", 2))
    assert shown(raw.async_config.max_event_age) == (3600, line_of(text, "MaximumEventAge"))
    assert raw.async_config.dead_letter is None


def test_cloudformation_json_dead_letter_config_and_unknown_queue(tmp_path):
    text = """{
      "Resources": {
        "Fn": {"Type": "AWS::Lambda::Function",
               "Properties": {"Handler": "a.b",
                              "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:1:dlq"}}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {"FunctionName": {"Ref": "Fn"},
                                   "EventSourceArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                                   "MaximumRecordAgeInSeconds": -1,
                                   "FunctionResponseTypes": {"Ref": "Types"}}}
      }
    }
    """
    fn = functions_of(tmp_path, {"template.json": text})["Fn"]
    assert shown(fn.async_config.dead_letter) == ("arn:aws:sqs:us-east-1:1:dlq", 5)
    event, = fn.events
    assert (event.kind, event.redrive) == ("dynamodb", None)
    assert shown(event.max_record_age) == (-1, 9)
    assert event.report_batch_failures.literal is False


# -- Serverless ------------------------------------------------------------------------------------

SERVERLESS = """\
service: s
provider:
  name: aws
  runtime: python3.12
functions:
  hello-world:
    handler: h.h
    destinations:
      onFailure: arn:aws:sqs:us-east-1:1:dlq
    maximumRetryAttempts: 1
    events:
      - s3: uploads
      - stream:
          type: dynamodb
          arn: {Fn::GetAtt: [Table, StreamArn]}
          bisectBatchOnFunctionError: true
          maximumRetryAttempts: 5
          destinations:
            onFailure:
              arn: {Fn::GetAtt: [Jobs, Arn]}
              type: sqs
          functionResponseType: ReportBatchItemFailures
      - sqs:
          arn: {Fn::GetAtt: [Jobs, Arn]}
          functionResponseType: ReportBatchItemFailures
      - websocket: $connect
      - eventBridge:
          schedule: rate(1 hour)
      - cloudwatchLog: /aws/lambda/other
  other:
    handler: h.o
    onError: arn:aws:sns:us-east-1:1:failed
    events:
      - stream: arn:aws:kinesis:us-east-1:1:stream/x
      - sqs: arn:aws:sqs:us-east-1:1:elsewhere
  third:
    handler: h.t
    events:
      - sns: topic
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
    Invoke:
      Type: AWS::Lambda::EventInvokeConfig
      Properties:
        FunctionName: !Ref ThirdLambdaFunction
        Qualifier: $LATEST
        DestinationConfig:
          OnFailure:
            Destination: arn:aws:sns:us-east-1:1:failed
"""


def test_serverless_event_facts(tmp_path):
    text = SERVERLESS
    functions = functions_of(tmp_path, {"serverless.yml": text})
    hello = functions["hello-world"]
    assert kinds(hello.events) == [
        ("s3", line_of(text, "- s3:")), ("dynamodb", line_of(text, "- stream:")),
        ("sqs", line_of(text, "- sqs:")), ("api", line_of(text, "- websocket")),
        ("schedule", line_of(text, "- eventBridge")), ("logs", line_of(text, "cloudwatchLog"))]
    stream, jobs = hello.events[1:3]
    assert shown(stream.report_batch_failures) == (True, line_of(text, "functionResponseType"))
    assert shown(stream.on_failure) == ("!GetAtt Jobs.Arn", line_of(text, "arn: {Fn::GetAtt: [Jobs"))
    assert shown(stream.bisect) == (True, line_of(text, "bisectBatch"))
    assert shown(stream.max_retries) == (5, line_of(text, "maximumRetryAttempts: 5"))
    assert shown(jobs.report_batch_failures) == (
        True, line_of(text, "functionResponseType", 2))
    assert (jobs.redrive, jobs.queue_line) == (False, line_of(text, "    Jobs:"))
    assert shown(hello.async_config.on_failure) == (
        "arn:aws:sqs:us-east-1:1:dlq", line_of(text, "onFailure: arn"))
    assert shown(hello.async_config.max_retries) == (1, line_of(text, "maximumRetryAttempts: 1"))
    other = functions["other"]
    assert kinds(other.events) == [("kinesis", line_of(text, "- stream: arn")),
                                   ("sqs", line_of(text, "- sqs: arn"))]
    assert other.events[1].redrive is None
    assert shown(other.async_config.dead_letter) == (
        "arn:aws:sns:us-east-1:1:failed", line_of(text, "    onError:"))
    third = functions["third"]
    assert shown(third.async_config.on_failure) == (
        "arn:aws:sns:us-east-1:1:failed", line_of(text, "Destination: arn"))


# -- Terraform -------------------------------------------------------------------------------------

TERRAFORM = """\
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
}
resource "aws_lambda_function" "other" {
  function_name = "other"
}
resource "aws_sqs_queue" "dlq" {}
resource "aws_sqs_queue" "jobs" {
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
}
resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn        = aws_sqs_queue.jobs.arn
  function_name           = aws_lambda_function.fn.arn
  function_response_types = ["ReportBatchItemFailures"]
}
resource "aws_lambda_event_source_mapping" "dlq" {
  event_source_arn = aws_sqs_queue.dlq.arn
  function_name    = aws_lambda_function.fn.arn
}
resource "aws_kinesis_stream" "s" {}
resource "aws_lambda_event_source_mapping" "s" {
  event_source_arn               = aws_kinesis_stream.s.arn
  function_name                  = aws_lambda_function.other.arn
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = 3
  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.dlq.arn
    }
  }
}
resource "aws_cloudwatch_event_rule" "hourly" {
  schedule_expression = "rate(1 hour)"
}
resource "aws_cloudwatch_event_target" "hourly" {
  rule = aws_cloudwatch_event_rule.hourly.name
  arn  = aws_lambda_function.other.arn
}
resource "aws_lambda_function_event_invoke_config" "other" {
  function_name          = aws_lambda_function.other.function_name
  maximum_retry_attempts = 0
  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq.arn
    }
  }
}
resource "aws_cloudwatch_log_subscription_filter" "logs" {
  destination_arn = aws_lambda_function.fn.arn
}
module "m" {
  source                    = "terraform-aws-modules/lambda/aws"
  create_async_event_config = true
  destination_on_failure    = aws_sqs_queue.dlq.arn
  event_source_mapping = {
    ddb = {
      event_source_arn           = aws_dynamodb_table.t.stream_arn
      function_response_types    = ["ReportBatchItemFailures"]
      destination_arn_on_failure = aws_sqs_queue.dlq.arn
      maximum_retry_attempts     = 2
    }
  }
}
"""


def test_terraform_event_facts(tmp_path):
    text = TERRAFORM
    functions = functions_of(tmp_path, {"main.tf": text})
    fn = functions["aws_lambda_function.fn"]
    assert kinds(fn.events) == [
        ("sqs", line_of(text, '"aws_lambda_event_source_mapping" "jobs"')),
        ("sqs", line_of(text, '"aws_lambda_event_source_mapping" "dlq"')),
        ("logs", line_of(text, "aws_cloudwatch_log_subscription_filter"))]
    jobs, dlq = fn.events[:2]
    assert shown(jobs.report_batch_failures) == (True, line_of(text, "function_response_types"))
    assert (jobs.redrive, jobs.queue_line) == (True, line_of(text, '"aws_sqs_queue" "jobs"'))
    assert (dlq.redrive, dlq.queue_line) == (False, line_of(text, '"aws_sqs_queue" "dlq"'))
    assert shown(fn.async_config.dead_letter) == ("aws_sqs_queue.dlq.arn", 4)
    other = functions["aws_lambda_function.other"]
    assert kinds(other.events) == [
        ("kinesis", line_of(text, '"aws_lambda_event_source_mapping" "s"')),
        ("schedule", line_of(text, '"aws_cloudwatch_event_target" "hourly"'))]
    stream = other.events[0]
    assert shown(stream.on_failure) == ("aws_sqs_queue.dlq.arn", line_of(text, "destination_arn ="))
    assert shown(stream.bisect) == (True, line_of(text, "bisect_batch"))
    assert shown(stream.max_retries) == (3, line_of(text, "maximum_retry_attempts         = 3"))
    assert stream.report_batch_failures is None
    assert shown(other.async_config.on_failure) == (
        "aws_sqs_queue.dlq.arn", line_of(text, "destination = aws"))
    assert shown(other.async_config.max_retries) == (0, line_of(text, "= 0"))
    module = functions["module.m"]
    event, = module.events
    assert event.kind == "dynamodb"
    assert shown(event.report_batch_failures) == (True, line_of(text, "function_response_types", 2))
    assert shown(event.on_failure) == ("aws_sqs_queue.dlq.arn", line_of(text, "destination_arn_on"))
    assert shown(event.max_retries) == (2, line_of(text, "= 2"))
    assert shown(module.async_config.on_failure) == (
        "aws_sqs_queue.dlq.arn", line_of(text, "destination_on_failure"))


# -- CDK ---------------------------------------------------------------------------------------------

CDK_APP = cdk_stack("""\
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import (DynamoEventSource, S3EventSource, SqsDlq,
                                              SqsEventSource)

""", """\
        dlq = sqs.Queue(self, "Dlq")
        jobs = sqs.Queue(self, "Jobs",
                         dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq))
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="a.h",
                              code=lambda_.Code.from_asset("src"), on_failure=None,
                              dead_letter_queue=dlq, retry_attempts=1)
        fn.add_event_source(SqsEventSource(jobs, report_batch_item_failures=True))
        fn.add_event_source(SqsEventSource(dlq))
        fn.add_event_source(DynamoEventSource(table, starting_position=lambda_.StartingPosition.LATEST,
                            bisect_batch_on_error=True, retry_attempts=3,
                            max_record_age=Duration.hours(1), on_failure=SqsDlq(dlq)))
        fn.add_event_source(S3EventSource(bucket, events=[]))
""")


def test_cdk_event_facts(tmp_path):
    text = CDK_APP
    functions = functions_of(tmp_path, {"app.py": text, "cdk.json": '{"app": "python3 app.py"}'})
    fn = functions["Fn"]
    assert kinds(fn.events) == [
        ("sqs", line_of(text, "SqsEventSource(jobs")), ("sqs", line_of(text, "SqsEventSource(dlq")),
        ("dynamodb", line_of(text, "DynamoEventSource(table")),
        ("s3", line_of(text, "S3EventSource(bucket"))]
    jobs, dlq, stream = fn.events[:3]
    assert shown(jobs.report_batch_failures) == (True, line_of(text, "report_batch_item"))
    assert (jobs.redrive, jobs.queue_line) == (True, line_of(text, 'sqs.Queue(self, "Jobs"'))
    assert (dlq.redrive, dlq.queue_line) == (False, line_of(text, 'sqs.Queue(self, "Dlq"'))
    assert dlq.report_batch_failures is None
    assert shown(stream.on_failure) == ("SqsDlq(dlq)", line_of(text, "on_failure=SqsDlq"))
    assert shown(stream.bisect) == (True, line_of(text, "bisect_batch_on_error"))
    assert shown(stream.max_retries) == (3, line_of(text, "bisect_batch_on_error"))
    assert shown(stream.max_record_age) == (3600, line_of(text, "max_record_age"))
    config = fn.async_config
    assert config.on_failure is None  # on_failure=None is the default
    assert shown(config.dead_letter) == ("dlq", line_of(text, "dead_letter_queue=dlq"))
    assert shown(config.max_retries) == (1, line_of(text, "retry_attempts=1"))


CDK_ASYNC = cdk_stack("""\
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sns_subscriptions as subs

""", """\
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="a.h",
                              code=lambda_.Code.from_asset("src"))
        events.Rule(self, "Nightly", schedule=events.Schedule.rate(Duration.days(1)),
                    targets=[targets.LambdaFunction(fn)])
        topic.add_subscription(subs.LambdaSubscription(fn))
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(fn))
        ses_actions.Lambda(function=fn, invocation_type=ses_actions.LambdaInvocationType.REQUEST_RESPONSE)
        fn.configure_async_invoke(retry_attempts=0,
                                  on_failure=destinations.SqsDestination(dlq))
        other = lambda_.Function(self, "Other", runtime=lambda_.Runtime.PYTHON_3_12,
                                 handler="a.h", code=lambda_.Code.from_asset("src"),
                                 dead_letter_queue_enabled=True)
        lambda_.EventInvokeConfig(self, "Invoke", function=other,
                                  max_event_age=Duration.hours(1))
        third = lambda_.Function(self, "Third", runtime=lambda_.Runtime.PYTHON_3_12,
                                 handler="a.h", code=lambda_.Code.from_asset("src"),
                                 dead_letter_queue_enabled=False, **settings)
""")


def test_cdk_async_triggers_and_invoke_config(tmp_path):
    text = CDK_ASYNC
    functions = functions_of(tmp_path, {"app.py": text, "cdk.json": '{"app": "python3 app.py"}'})
    fn = functions["Fn"]
    assert kinds(fn.events) == [
        ("eventbridge", line_of(text, "targets.LambdaFunction")),
        ("sns", line_of(text, "LambdaSubscription")), ("s3", line_of(text, "LambdaDestination"))]
    assert shown(fn.async_config.on_failure) == (
        "destinations.SqsDestination(dlq)", line_of(text, "on_failure="))
    assert shown(fn.async_config.max_retries) == (0, line_of(text, "retry_attempts=0"))
    other = functions["Other"].async_config
    assert shown(other.dead_letter) == (True, line_of(text, "dead_letter_queue_enabled=True"))
    assert shown(other.max_event_age) == (3600, line_of(text, "max_event_age"))
    third = functions["Third"].async_config
    assert (third.dead_letter, third.unknown, third.handled()) == (None, True, True)


def test_sam_sns_through_an_sqs_subscription_is_an_sqs_trigger(tmp_path):
    text = sam("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Events:
                Direct:
                  Type: SNS
                  Properties: {Topic: !Ref Topic}
                Queued:
                  Type: SNS
                  Properties: {Topic: !Ref Topic, SqsSubscription: true}
                Named:
                  Type: SNS
                  Properties:
                    Topic: !Ref Topic
                    SqsSubscription: {QueueArn: !GetAtt Buffer.Arn, QueueUrl: !Ref Buffer}
          Buffer:
            Type: AWS::SQS::Queue
        """)
    events = functions_of(tmp_path, {"template.yaml": text})["Fn"].events
    assert kinds(events) == [("sns", line_of(text, "Direct:")), ("sqs", line_of(text, "Queued:")),
                             ("sqs", line_of(text, "Named:"))]
    assert [e.redrive for e in events] == [None, None, False]


def test_a_dead_letter_queue_that_triggers_a_function_is_marked(tmp_path):
    template = sam("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Events:
                Failed: {Type: SQS, Properties: {Queue: !GetAtt Dlq.Arn}}
                Main: {Type: SQS, Properties: {Queue: !GetAtt Main.Arn}}
          Main:
            Type: AWS::SQS::Queue
            Properties:
              RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
          Dlq:
            Type: AWS::SQS::Queue
        """)
    terraform = """\
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
        }
        resource "aws_sqs_queue" "main" {
          redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
        }
        resource "aws_sqs_queue" "dlq" {}
        resource "aws_lambda_event_source_mapping" "dlq" {
          event_source_arn = aws_sqs_queue.dlq.arn
          function_name    = aws_lambda_function.fn.arn
        }
        resource "aws_lambda_event_source_mapping" "main" {
          event_source_arn = aws_sqs_queue.main.arn
          function_name    = aws_lambda_function.fn.arn
        }
        """
    cdk = CDK_APP.replace("SqsEventSource(jobs, report_batch_item_failures=True)",
                          "SqsEventSource(jobs)")
    sam_fn = functions_of(tmp_path / "sam", {"template.yaml": template})["Fn"]
    tf_fn = functions_of(tmp_path / "tf", {"main.tf": terraform})["aws_lambda_function.fn"]
    cdk_fn = functions_of(tmp_path / "cdk", {"app.py": cdk, "cdk.json": '{"app": "x"}'})["Fn"]
    for events in (sam_fn.events, tf_fn.events, cdk_fn.events[:2][::-1]):
        assert [(e.redrive, e.dead_letter_queue) for e in events[:2]] == \
            [(False, True), (True, False)]


def test_terraform_permissions_are_triggers_only_where_nothing_else_links_them(tmp_path):
    """An ``aws_lambda_permission`` for an asynchronous service is that service's trigger when
    no notification, subscription or target of the module links it; a schedule's rule and an
    EventBridge permission are one trigger."""
    text = TERRAFORM + "".join(
        f'resource "aws_lambda_permission" "{service}" {{\n'
        f"  function_name = {function}\n  principal     = \"{service}.amazonaws.com\"\n}}\n"
        for service, function in (("events", "aws_lambda_function.other.function_name"),
                                  ("sns", "aws_lambda_function.other.arn"), ("iot", '"other"')))
    other = functions_of(tmp_path, {"main.tf": text})["aws_lambda_function.other"]
    assert kinds(other.events) == [
        ("kinesis", line_of(text, '"aws_lambda_event_source_mapping" "s"')),
        ("schedule", line_of(text, '"aws_cloudwatch_event_target" "hourly"')),
        ("sns", line_of(text, '"aws_lambda_permission" "sns"')),
        ("iot", line_of(text, '"aws_lambda_permission" "iot"'))]
    assert {e.path for e in other.events} == {"main.tf"}
