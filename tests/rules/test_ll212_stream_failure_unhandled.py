"""LL212 stream-failure-unhandled across formats: real files in tmp_path, the real CLI."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam_orders, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL212", *extra)


def kinesis(properties: str = "") -> str:
    return ("Events:\n  Stream:\n    Type: Kinesis\n    Properties:\n"
            "      Stream: !GetAtt Stream.Arn\n      StartingPosition: LATEST\n"
            + "".join(f"      {line}\n" for line in properties.splitlines()))


DESTINATION = "DestinationConfig:\n  OnFailure:\n    Destination: !GetAtt Failures.Arn"


class TestSamStreams:
    def test_default_mapping_is_reported_on_the_trigger(self, tmp_path):
        text = sam_orders(kinesis())
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "Stream:"))]
        assert findings[0]["message"] == (
            "The Kinesis mapping of OrdersFunction has no on-failure destination and retries a "
            "failing batch until its records expire, neither splitting the batch nor bounding "
            "its retries or record age: one bad record blocks its shard until it expires, then "
            "is dropped")
        assert ("DestinationConfig:\n      OnFailure:\n        Destination: !GetAtt "
                "OrdersFunctionStreamFailures.Arn\n    BisectBatchOnFunctionError: true\n"
                "    MaximumRetryAttempts: 3") in findings[0]["suggestion"]

    def test_destination_and_a_bound_is_silent(self, tmp_path):
        for bound in ("BisectBatchOnFunctionError: true", "MaximumRetryAttempts: 5",
                      "MaximumRecordAgeInSeconds: 3600", "MaximumRetryAttempts: !Ref Retries"):
            text = sam_orders(kinesis(f"{DESTINATION}\n{bound}"))
            assert lint(tmp_path, {"template.yaml": text}) == [], bound

    def test_destination_without_bounds(self, tmp_path):
        text = sam_orders(kinesis(f"{DESTINATION}\nMaximumRetryAttempts: -1\n"
                                  "BisectBatchOnFunctionError: false"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert [f["rule"] for f in findings] == ["LL212"]
        assert "has no on-failure destination" not in findings[0]["message"]
        assert findings[0]["message"].endswith("one bad record blocks its shard until it expires")
        assert "DestinationConfig" not in findings[0]["suggestion"]

    def test_bounds_without_destination_and_the_option(self, tmp_path):
        text = sam_orders(kinesis("MaximumRetryAttempts: 2"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert findings[0]["message"].endswith(
            "has no on-failure destination: a batch that fails past its retry bounds is dropped")
        write(tmp_path, {"lambdalint.toml": "[rules.LL212]\nrequire-destination = false\n"})
        assert check_json(["."], tmp_path, "--no-cache", "--select", "LL212") == []

    def test_dynamodb_event_source_mapping_resource(self, tmp_path):
        text = sam_orders("") + (
            "  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
            "      FunctionName: !Ref OrdersFunction\n      EventSourceArn: !GetAtt Table.StreamArn\n"
            "      StartingPosition: LATEST\n  Table:\n    Type: AWS::DynamoDB::Table\n")
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "Mapping:"))]
        assert findings[0]["message"].startswith("The DynamoDB Streams mapping of OrdersFunction")


class TestSqsQueues:
    QUEUE = "  Jobs:\n    Type: AWS::SQS::Queue\n"
    EVENT = "Events:\n  Jobs:\n    Type: SQS\n    Properties:\n      Queue: !GetAtt Jobs.Arn\n"

    def test_queue_without_redrive_policy(self, tmp_path):
        text = sam_orders(self.EVENT) + self.QUEUE
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "  Jobs:"))]
        assert findings[0]["message"].startswith(
            "The SQS queue that triggers OrdersFunction has no redrive policy")
        assert f"Give the queue (template.yaml:{line_of(text, '  Jobs:', 2)})" in \
            findings[0]["suggestion"]
        assert "RedrivePolicy:\n      deadLetterTargetArn: !GetAtt MyDeadLetterQueue.Arn" in \
            findings[0]["suggestion"]

    def test_redrive_policy_unknown_queue_dead_letter_queue_and_option(self, tmp_path):
        redriven = self.QUEUE + ("    Properties:\n      RedrivePolicy:\n"
                                 "        deadLetterTargetArn: !GetAtt Dlq.Arn\n"
                                 "        maxReceiveCount: 5\n  Dlq:\n    Type: AWS::SQS::Queue\n")
        assert lint(tmp_path, {"template.yaml": sam_orders(self.EVENT) + redriven}) == []
        elsewhere = self.EVENT.replace("!GetAtt Jobs.Arn", "arn:aws:sqs:us-east-1:1:jobs")
        assert lint(tmp_path, {"template.yaml": sam_orders(elsewhere)}) == []
        failures = self.EVENT.replace("Jobs.Arn", "Dlq.Arn")
        assert lint(tmp_path, {"template.yaml": sam_orders(failures) + redriven}) == []
        write(tmp_path, {"template.yaml": sam_orders(self.EVENT) + self.QUEUE,
                         "lambdalint.toml": "[rules.LL212]\ncheck-sqs = false\n"})
        assert check_json(["."], tmp_path, "--no-cache", "--select", "LL212") == []

    def test_json_queue_suggestion_is_json(self, tmp_path):
        template = {"Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
                "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}},
            "Jobs": {"Type": "AWS::SQS::Queue"},
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}}}}}
        text = json.dumps(template, indent=2)
        findings = lint(tmp_path, {"template.json": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, '"Mapping"'))]
        assert '"RedrivePolicy": {' in findings[0]["suggestion"]


class TestServerless:
    SERVICE = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
               "functions:\n  consume:\n    handler: app.consume\n    events:\n{events}"
               "resources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n")

    def test_stream_event_and_sqs_queue(self, tmp_path):
        events = ("      - stream:\n          type: dynamodb\n"
                  "          arn: {Fn::GetAtt: [Table, StreamArn]}\n"
                  "      - sqs:\n          arn: {Fn::GetAtt: [Jobs, Arn]}\n")
        text = self.SERVICE.format(events=events)
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "- stream:")),
                                           ("LL212", line_of(text, "- sqs:"))]
        assert "bisectBatchOnFunctionError: true\n    maximumRetryAttempts: 3" in \
            findings[0]["suggestion"]
        assert findings[1]["message"].startswith("The SQS queue Jobs that triggers consume")

    def test_stream_with_destination_and_retries(self, tmp_path):
        events = ("      - stream:\n          type: kinesis\n"
                  "          arn: arn:aws:kinesis:us-east-1:1:stream/s\n"
                  "          maximumRetryAttempts: 3\n"
                  "          destinations:\n            onFailure:\n"
                  "              arn: arn:aws:sqs:us-east-1:1:failures\n              type: sqs\n")
        assert lint(tmp_path, {"serverless.yml": self.SERVICE.format(events=events)}) == []


class TestTerraform:
    def mapping(self, body: str = "") -> str:
        return ('resource "aws_kinesis_stream" "s" {\n  name = "s"\n  shard_count = 1\n}\n'
                'resource "aws_lambda_event_source_mapping" "s" {\n'
                "  event_source_arn  = aws_kinesis_stream.s.arn\n"
                "  function_name     = aws_lambda_function.fn.arn\n"
                f'  starting_position = "LATEST"\n{body}}}\n')

    def test_mapping_in_another_file(self, tmp_path):
        files = {"main.tf": terraform_function(), "events.tf": self.mapping()}
        findings = lint(tmp_path, files)
        assert [(f["path"], f["line"]) for f in findings] == [("events.tf", 5)]
        assert ("destination_config {\n      on_failure {\n"
                "        destination_arn = aws_sqs_queue.fn_stream_failures.arn") \
            in findings[0]["suggestion"]

    def test_destination_and_bisect(self, tmp_path):
        body = ("  bisect_batch_on_function_error = true\n  destination_config {\n"
                "    on_failure {\n      destination_arn = aws_sqs_queue.f.arn\n    }\n  }\n")
        assert lint(tmp_path, {"main.tf": terraform_function() + self.mapping(body)}) == []

    def test_module_entry_suggestion_and_sqs_redrive(self, tmp_path):
        text = ('module "worker" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
                '  function_name = "worker"\n  handler       = "app.handler"\n'
                '  runtime       = "python3.12"\n  timeout       = 10\n'
                "  event_source_mapping = {\n    ddb = {\n"
                "      event_source_arn = aws_dynamodb_table.t.stream_arn\n"
                "      maximum_retry_attempts = 3\n    }\n"
                "    jobs = {\n      event_source_arn = aws_sqs_queue.jobs.arn\n    }\n  }\n}\n"
                'resource "aws_sqs_queue" "jobs" {}\n')
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "ddb = {")),
                                           ("LL212", line_of(text, "jobs = {"))]
        assert "destination_arn_on_failure = aws_sqs_queue.worker_stream_failures.arn" in \
            findings[0]["suggestion"]
        assert "redrive_policy = jsonencode({" in findings[1]["suggestion"]


class TestCdk:
    STACK = ('fn = _lambda.Function(self, "Consumer", runtime=_lambda.Runtime.PYTHON_3_12,\n'
             '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
             "                      timeout=Duration.seconds(10))\n"
             "{queues}"
             "fn.add_event_source(sources.{source})\n")
    IMPORTS = ("from aws_cdk import aws_sqs as sqs\n"
               "from aws_cdk import aws_lambda_event_sources as sources\n")

    def app(self, source: str, queues: str = "") -> dict:
        files = cdk_app(self.STACK.format(source=source, queues=queues))
        files["app.py"] = self.IMPORTS + files["app.py"]
        return files

    def test_kinesis_source(self, tmp_path):
        files = self.app("KinesisEventSource(stream, starting_position="
                         "_lambda.StartingPosition.LATEST)")
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL212", line_of(files["app.py"], "KinesisEventSource"))]
        assert "on_failure=lambda_event_sources.SqsDlq(failures_queue)," in \
            findings[0]["suggestion"]
        fixed = self.app("KinesisEventSource(stream, starting_position="
                         "_lambda.StartingPosition.LATEST, retry_attempts=3, "
                         "on_failure=sources.SqsDlq(dlq))")
        assert lint(tmp_path, fixed) == []

    def test_sqs_queue_with_and_without_dead_letter_queue(self, tmp_path):
        queues = 'jobs = sqs.Queue(self, "Jobs")\n'
        files = self.app("SqsEventSource(jobs)", queues)
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL212", line_of(files["app.py"], "SqsEventSource"))]
        assert "dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5" in \
            findings[0]["suggestion"]
        queues = ('dlq = sqs.Queue(self, "Dlq")\njobs = sqs.Queue(self, "Jobs", '
                  "dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq))\n")
        assert lint(tmp_path, self.app("SqsEventSource(jobs)", queues)) == []
        assert lint(tmp_path, self.app("SqsEventSource(dlq)", queues)) == []


MSK = ("Events:\n  Orders:\n    Type: MSK\n    Properties:\n"
       "      Stream: arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc\n"
       "      Topics: [orders]\n      StartingPosition: LATEST\n")


class TestKafkaAndMq:
    """Kafka mappings (MSK, self-managed) take an on-failure destination, and with one Lambda
    retries at most 10 times; Amazon MQ mappings take none (the broker redelivers and
    dead-letters): judged where the format can write the destination."""

    def test_sam_msk_event_without_destination(self, tmp_path):
        text = sam_orders(MSK)
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "Orders:"))]
        assert findings[0]["message"] == (
            "The Kafka mapping of OrdersFunction has no on-failure destination and retries a "
            "failing batch until its records expire: one bad record blocks its partition until "
            "it expires, then is dropped")  # its retry bounds need provisioned mode: not named
        suggestion = findings[0]["suggestion"]
        assert "DestinationConfig:\n      OnFailure:" in suggestion
        assert "BisectBatchOnFunctionError" not in suggestion  # provisioned mode only
        assert "at most 10 attempts" in suggestion

    def test_sam_msk_event_with_destination_is_silent(self, tmp_path):
        text = sam_orders(MSK + "".join(f"      {line}\n" for line in DESTINATION.splitlines()))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_self_managed_kafka_and_mq_mapping_resources(self, tmp_path):
        """``AWS::Lambda::EventSourceMapping`` resources: a ``SelfManagedEventSource`` is Kafka;
        one on an ``AWS::AmazonMQ::Broker`` is MQ, not judged."""
        text = sam_orders("") + (
            "  Kafka:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
            "      FunctionName: !Ref OrdersFunction\n      Topics: [orders]\n"
            '      SelfManagedEventSource: {Endpoints: {KafkaBootstrapServers: ["b:9092"]}}\n'
            "  Broker: {Type: AWS::AmazonMQ::Broker}\n"
            "  Mq:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: {FunctionName: "
            "!Ref OrdersFunction, EventSourceArn: !GetAtt Broker.Arn, Queues: [orders]}\n")
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, "Kafka:"))]

    def test_serverless_msk_event_is_not_judged(self, tmp_path):
        """Serverless' msk and kafka events have no destination setting."""
        service = ("service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
                   "  orders:\n    handler: app.handler\n    events:\n      - msk:\n"
                   "          arn: arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc\n"
                   "          topic: orders\n")
        assert lint(tmp_path, {"serverless.yml": service}) == []

    def test_terraform_msk_and_self_managed_mappings(self, tmp_path):
        text = terraform_function() + """\
            resource "aws_msk_cluster" "orders" {}
            resource "aws_lambda_event_source_mapping" "msk" {
              event_source_arn = aws_msk_cluster.orders.arn
              function_name    = aws_lambda_function.fn.arn
              topics           = ["orders"]
            }
            resource "aws_lambda_event_source_mapping" "own" {
              function_name = aws_lambda_function.fn.arn
              topics        = ["orders"]
              self_managed_event_source {
                endpoints = { KAFKA_BOOTSTRAP_SERVERS = "broker:9092" }
              }
              destination_config {
                on_failure {
                  destination_arn = aws_sqs_queue.failures.arn
                }
              }
            }
            """.replace("\n            ", "\n")
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL212", line_of(text, '"msk"'))]
        assert "destination_config {" in findings[0]["suggestion"]

    def test_cdk_kafka_event_sources(self, tmp_path):
        files = cdk_app(
            "from aws_cdk.aws_lambda_event_sources import ManagedKafkaEventSource, SqsDlq\n"
            'fn = _lambda.Function(self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,\n'
            '                      handler="app.handler", code=_lambda.Code.from_asset("src"))\n'
            'fn.add_event_source(ManagedKafkaEventSource(cluster_arn=arn, topic="orders",\n'
            "    starting_position=_lambda.StartingPosition.LATEST))\n"
            'fn.add_event_source(ManagedKafkaEventSource(cluster_arn=arn, topic="audit",\n'
            "    starting_position=_lambda.StartingPosition.LATEST, on_failure=SqsDlq(dlq)))\n"
            "fn.add_event_source(ManagedKafkaEventSource(**props))\n")
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [
            ("LL212", line_of(files["app.py"], "ManagedKafkaEventSource(cluster_arn=arn"))]
        assert "on_failure=lambda_event_sources.SqsDlq(failures_queue)," in \
            findings[0]["suggestion"]
