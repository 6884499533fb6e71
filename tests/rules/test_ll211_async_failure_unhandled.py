"""LL211 async-failure-unhandled across formats: real files in tmp_path, the real CLI."""

from __future__ import annotations

import json

from helpers import (cdk_app, check_json, ids_and_lines, line_of, sam_orders, terraform_function,
                     write)


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL211", *extra)


S3_EVENT = """\
Events:
  Upload:
    Type: S3
    Properties:
      Bucket: !Ref Uploads
      Events: s3:ObjectCreated:*
"""
BUCKET = "  Uploads:\n    Type: AWS::S3::Bucket\n"


class TestSam:
    def test_s3_trigger_without_destination_is_reported_on_the_function(self, tmp_path):
        text = sam_orders(S3_EVENT) + BUCKET
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL211", line_of(text, "OrdersFunction:"))]
        assert findings[0]["message"] == (
            "OrdersFunction is invoked asynchronously by S3 but has neither an on-failure "
            "destination nor a dead-letter queue: an event that still fails after 2 retries is "
            "dropped")
        assert ("OrdersFunction:\n      Properties:\n        EventInvokeConfig:\n"
                "          DestinationConfig:\n            OnFailure:\n              Type: SQS"
                ) in findings[0]["suggestion"]

    def test_destination_or_dead_letter_queue_or_globals(self, tmp_path):
        handled = [
            "EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n      Type: SQS\n",
            "DeadLetterQueue:\n  Type: SQS\n  TargetArn: !GetAtt Dlq.Arn\n",
        ]
        for setting in handled:
            text = sam_orders(S3_EVENT + setting) + BUCKET
            assert lint(tmp_path, {"template.yaml": text}) == [], setting
        globals_ = ("Globals:\n  Function:\n    DeadLetterQueue:\n      Type: SNS\n"
                    "      TargetArn: !Ref Failures\n")
        text = sam_orders(S3_EVENT, before=globals_) + BUCKET
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_synchronous_and_polled_triggers_are_not_judged(self, tmp_path):
        events = ("Events:\n  Get:\n    Type: Api\n    Properties: {Path: /, Method: get}\n"
                  "  Jobs:\n    Type: SQS\n    Properties: {Queue: arn:aws:sqs:us-east-1:1:q}\n"
                  "  Stream:\n    Type: Kinesis\n"
                  "    Properties: {Stream: arn:aws:kinesis:us-east-1:1:stream/s}\n")
        assert lint(tmp_path, {"template.yaml": sam_orders(events)}) == []

    def test_every_asynchronous_kind_one_finding(self, tmp_path):
        events = ("Events:\n  Topic:\n    Type: SNS\n    Properties: {Topic: !Ref T}\n"
                  "  Rule:\n    Type: EventBridgeRule\n    Properties: {Pattern: {source: [x]}}\n"
                  "  Nightly:\n    Type: Schedule\n    Properties: {Schedule: rate(1 day)}\n"
                  "  Logs:\n    Type: CloudWatchLogs\n"
                  "    Properties: {LogGroupName: g, FilterPattern: ''}\n")
        findings = lint(tmp_path, {"template.yaml": sam_orders(events)})
        assert len(findings) == 1
        assert "invoked asynchronously by SNS, EventBridge, a schedule and CloudWatch Logs" \
            in findings[0]["message"]

    def test_sns_through_an_sqs_subscription_is_not_asynchronous(self, tmp_path):
        events = ("Events:\n  Topic:\n    Type: SNS\n"
                  "    Properties: {Topic: !Ref T, SqsSubscription: true}\n")
        assert lint(tmp_path, {"template.yaml": sam_orders(events)}) == []

    def test_ignore_triggers_option_and_metadata(self, tmp_path):
        events = "Events:\n  Nightly:\n    Type: Schedule\n    Properties: {Schedule: rate(1 day)}\n"
        text = sam_orders(events)
        write(tmp_path, {"template.yaml": text,
                         "lambdalint.toml": '[rules.LL211]\nignore-triggers = ["schedule"]\n'})
        assert check_json(["."], tmp_path, "--no-cache", "--select", "LL211") == []
        ignored = text.replace("    Type: AWS::Serverless::Function\n",
                               "    Type: AWS::Serverless::Function\n"
                               "    Metadata: {lambdalint: {ignore: [LL211]}}\n")
        assert lint(tmp_path / "m", {"template.yaml": ignored}) == []


class TestCloudFormation:
    FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
        "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}}
    BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {"NotificationConfiguration": {
        "LambdaConfigurations": [{"Event": "s3:ObjectCreated:*",
                                  "Function": {"Fn::GetAtt": ["Fn", "Arn"]}}]}}}

    def test_json_bucket_notification_and_json_suggestion(self, tmp_path):
        template = {"Resources": {"Fn": self.FUNCTION, "Bucket": self.BUCKET}}
        findings = lint(tmp_path, {"template.json": json.dumps(template, indent=2)})
        assert ids_and_lines(findings) == [("LL211", 3)]
        assert '"Type": "AWS::Lambda::EventInvokeConfig"' in findings[0]["suggestion"]
        assert "sqs:SendMessage" in findings[0]["suggestion"]

    def test_event_invoke_config_resource_or_dead_letter_config(self, tmp_path):
        invoke = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST",
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:dlq"}}}}
        template = {"Resources": {"Fn": self.FUNCTION, "Bucket": self.BUCKET, "Invoke": invoke}}
        assert lint(tmp_path, {"template.json": json.dumps(template)}) == []
        function = json.loads(json.dumps(self.FUNCTION))
        function["Properties"]["DeadLetterConfig"] = {"TargetArn": "arn:aws:sqs:us-east-1:1:dlq"}
        template = {"Resources": {"Fn": function, "Bucket": self.BUCKET}}
        assert lint(tmp_path, {"template.json": json.dumps(template)}) == []

    def test_eventbridge_rule_target_dead_letter_queue_does_not_count(self, tmp_path):
        text = ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                "      Runtime: python3.12\n      Handler: app.handler\n      Timeout: 10\n"
                "      Role: arn:aws:iam::123456789012:role/x\n      Code: {ZipFile: x}\n"
                "  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n"
                "      ScheduleExpression: rate(1 hour)\n      Targets:\n"
                "        - Arn: !GetAtt Fn.Arn\n          Id: fn\n"
                "          DeadLetterConfig: {Arn: !GetAtt RuleDlq.Arn}\n")
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL211", line_of(text, "  Fn:"))]
        assert "by a schedule" in findings[0]["message"]


class TestServerless:
    SERVICE = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
               "functions:\n  resize:\n    handler: app.resize\n{settings}    events:\n"
               "      - s3: uploads\n")

    def test_s3_event_without_destination(self, tmp_path):
        text = self.SERVICE.format(settings="")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL211", line_of(text, "resize:"))]
        assert ("functions:\n      resize:\n        destinations:\n          onFailure:\n"
                "            type: sqs\n            arn: !GetAtt ResizeFailures.Arn"
                ) in findings[0]["suggestion"]

    def test_destinations_or_on_error(self, tmp_path):
        for settings in ("    destinations:\n      onFailure: arn:aws:sqs:us-east-1:1:dlq\n",
                         "    onError: arn:aws:sns:us-east-1:1:failed\n",
                         "    destinations:\n      onFailure: ${self:custom.dlq}\n"):
            text = self.SERVICE.format(settings=settings)
            assert lint(tmp_path, {"serverless.yml": text}) == [], settings

    def test_http_async_is_asynchronous(self, tmp_path):
        text = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "functions:\n  accept:\n    handler: app.accept\n    events:\n"
                "      - http:\n          path: /\n          method: post\n"
                "          async: true\n      - http:\n          path: /x\n          method: get\n")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL211", line_of(text, "accept:"))]
        assert "by API Gateway (async)" in findings[0]["message"]


class TestTerraform:
    NOTIFICATION = ('resource "aws_s3_bucket_notification" "uploads" {\n'
                    "  bucket = aws_s3_bucket.uploads.id\n  lambda_function {\n"
                    "    lambda_function_arn = aws_lambda_function.fn.arn\n"
                    '    events              = ["s3:ObjectCreated:*"]\n  }\n}\n')

    def test_bucket_notification_without_destination(self, tmp_path):
        text = terraform_function() + self.NOTIFICATION
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL211", 1)]
        assert ('resource "aws_lambda_function_event_invoke_config" "fn" {\n'
                "      function_name = aws_lambda_function.fn.function_name") \
            in findings[0]["suggestion"]

    def test_trigger_in_another_file_and_invoke_config(self, tmp_path):
        invoke = ('resource "aws_lambda_function_event_invoke_config" "fn" {\n'
                  "  function_name = aws_lambda_function.fn.function_name\n"
                  "  destination_config {\n    on_failure {\n"
                  "      destination = aws_sqs_queue.failures.arn\n    }\n  }\n}\n")
        files = {"main.tf": terraform_function(), "events.tf": self.NOTIFICATION}
        assert ids_and_lines(lint(tmp_path, files)) == [("LL211", 1)]
        assert lint(tmp_path, {**files, "invoke.tf": invoke}) == []

    def test_dead_letter_config_and_module_inputs(self, tmp_path):
        text = terraform_function(body="dead_letter_config {\n  target_arn = aws_sqs_queue.d.arn\n}"
                                  ) + self.NOTIFICATION
        assert lint(tmp_path, {"main.tf": text}) == []
        module = ('module "worker" {{\n  source        = "terraform-aws-modules/lambda/aws"\n'
                  '  function_name = "worker"\n  handler       = "app.handler"\n'
                  '  runtime       = "python3.12"\n  timeout       = 10\n{extra}}}\n'
                  'resource "aws_cloudwatch_event_target" "t" {{\n  rule = "r"\n'
                  "  arn  = module.worker.lambda_function_arn\n}}\n")
        bare = module.format(extra="")
        findings = lint(tmp_path / "m", {"main.tf": bare})
        assert ids_and_lines(findings) == [("LL211", 1)]
        assert "create_async_event_config = true" in findings[0]["suggestion"]
        with_destination = module.format(
            extra="  create_async_event_config = true\n"
                  "  destination_on_failure    = aws_sqs_queue.d.arn\n")
        assert lint(tmp_path / "m2", {"main.tf": with_destination}) == []
        without_switch = module.format(extra="  destination_on_failure = aws_sqs_queue.d.arn\n")
        assert ids_and_lines(lint(tmp_path / "m3", {"main.tf": without_switch})) == [("LL211", 1)]


    @staticmethod
    def permission(name: str, principal: str) -> str:
        return (f'resource "aws_lambda_permission" "{name}" {{\n'
                '  action        = "lambda:InvokeFunction"\n'
                "  function_name = aws_lambda_function.fn.function_name\n"
                f'  principal     = "{principal}"\n}}\n')

    def test_a_permission_alone_is_an_asynchronous_trigger(self, tmp_path):
        """The bucket, topic or rule is elsewhere (another stack, the console): the permission
        for its service to invoke the function is all the module says, and is enough."""
        text = (terraform_function() + self.permission("s3", "s3.amazonaws.com")
                + self.permission("logs", "logs.eu-west-1.amazonaws.com"))
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL211", 1)]
        assert "invoked asynchronously by S3 and CloudWatch Logs" in findings[0]["message"]

    def test_a_permission_beside_its_notification_is_one_trigger(self, tmp_path):
        text = (terraform_function() + self.NOTIFICATION
                + self.permission("s3", "s3.amazonaws.com"))
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL211", 1)]
        assert "invoked asynchronously by S3 but" in findings[0]["message"]

    def test_synchronous_and_unknown_principals_are_not_triggers(self, tmp_path):
        text = terraform_function()
        for name, principal in (("api", "apigateway.amazonaws.com"),
                                ("alb", "elasticloadbalancing.amazonaws.com"),
                                ("cognito", "cognito-idp.amazonaws.com"),
                                ("spoof", "s3.example.com")):
            text += self.permission(name, principal)
        assert lint(tmp_path, {"main.tf": text}) == []

    def test_module_allowed_triggers(self, tmp_path):
        module = ('module "worker" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
                  '  function_name = "worker"\n  handler       = "app.handler"\n'
                  '  runtime       = "python3.12"\n  timeout       = 10\n'
                  "  allowed_triggers = {\n"
                  '    Nightly = {\n      principal  = "events.amazonaws.com"\n'
                  '      source_arn = "arn:aws:events:eu-west-1:123456789012:rule/nightly"\n    }\n'
                  '    Api = {\n      service = "apigateway"\n    }\n  }\n}\n')
        findings = lint(tmp_path, {"main.tf": module})
        assert ids_and_lines(findings) == [("LL211", 1)]
        assert "invoked asynchronously by EventBridge but" in findings[0]["message"]


class TestCdk:
    FUNCTION = ('fn = _lambda.Function(self, "Resize", runtime=_lambda.Runtime.PYTHON_3_12,\n'
                '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
                "                      timeout=Duration.seconds(10){extra})\n"
                "bucket.add_event_notification(s3.EventType.OBJECT_CREATED, "
                "s3n.LambdaDestination(fn))\n")
    IMPORTS = "from aws_cdk import aws_s3 as s3\nfrom aws_cdk import aws_s3_notifications as s3n\n"

    def app(self, extra: str = "") -> dict:
        files = cdk_app(self.FUNCTION.format(extra=extra))
        files["app.py"] = self.IMPORTS + files["app.py"]
        return files

    def test_s3_notification_without_destination(self, tmp_path):
        files = self.app()
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL211", line_of(files["app.py"], "_lambda.Function("))]
        assert "on_failure=destinations.SqsDestination(failures_queue)," in \
            findings[0]["suggestion"]

    def test_on_failure_dead_letter_queue_or_configure_async_invoke(self, tmp_path):
        for extra in (", on_failure=destinations.SqsDestination(q)",
                      ", dead_letter_queue_enabled=True", ", **settings"):
            assert lint(tmp_path, self.app(extra)) == [], extra
        files = self.app()
        files["app.py"] = files["app.py"].replace(
            "app = App()", "        fn.configure_async_invoke(on_failure=dest)\n\napp = App()")
        assert lint(tmp_path, files) == []

    def test_dead_letter_queue_enabled_false_is_reported(self, tmp_path):
        findings = lint(tmp_path, self.app(", dead_letter_queue_enabled=False"))
        assert [f["rule"] for f in findings] == ["LL211"]
