"""LL203 wildcard-iam-resource across formats: real templates in tmp_path, the real CLI.

What it reports (exact lines), what it must leave alone (actions that take only "*"), what its
messages name and whether its suggestions can be pasted.
"""

from __future__ import annotations

import textwrap

import pytest

from helpers import (cdk_role_statements, ids_and_lines, line_of, lint, sam,
                     serverless_statements, terraform_lambda_role,
                     terraform_role_document)


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
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "template.yaml", 'Resource: "*"'))]
        assert findings[0]["message"] == (
            'Policies of OrdersFunction grants dynamodb:PutItem, dynamodb:GetItem on * (every '
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
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "template.yaml", 'Resource: "*"'))]
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
            ("LL203", line_of(tmp_path / "strict" / "template.yaml", 'Resource: "*"'))]
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
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at("Resource: arn:aws:s3:::*")),
                                           ("LL203", at("Resource: arn:aws:s3:::*/*"))]
        assert "(every bucket and object)" in findings[0]["message"]
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
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "template.yaml", ":table/*"))]
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
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at('BucketName: "*"')),
                                           ("LL203", at('TableName: "*"'))]
        assert findings[0]["message"].startswith(
            "SAM policy template S3CrudPolicy of OrdersFunction grants s3:PutObject, "
            's3:DeleteObject, s3:GetObject, s3:ListBucket on "*" (every bucket and object)')
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
        assert ids_and_lines(findings) == [("LL202", line_of(tmp_path / "template.yaml", "NotAction: iam:*"))]

    def test_silenced_by_comment_on_the_reported_line(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: sqs:SendMessage
                  Resource: "*"  # lambdalint: ignore[LL203]
            """)}) == []


class TestResourceOtherFormats:
    def test_serverless(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": serverless_statements("""\
            - Effect: Allow
              Action: [dynamodb:PutItem]
              Resource: "*"
            - Effect: Allow
              Action: [logs:CreateLogStream, logs:PutLogEvents, xray:PutTraceSegments]
              Resource: "*"
            """)})
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "serverless.yml", 'Resource: "*"'))]
        assert findings[0]["message"] == (
            "provider.iam.role.statements grants dynamodb:PutItem on * (every resource) for "
            "create; these actions can be limited to specific resources")

    def test_terraform(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_lambda_role(textwrap.dedent("""\
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

            """) + terraform_role_document(
                "tracing", 'actions   = ["xray:PutTraceSegments", "ec2:DescribeNetworkInterfaces"]\n'
                           'resources = ["*"]', 'actions   = ["dynamodb:Query"]\nresources = ["*"]'))})
        at = lambda needle, nth=1: line_of(tmp_path / "main.tf", needle, nth)  # noqa: E731
        assert ids_and_lines(findings) == [("LL203", at('Resource = "*"')),
                                           ("LL203", at('resources = ["*"]', 2))]
        jsonencoded, document = findings
        assert "Resource = aws_sqs_queue.my_queue.arn" in jsonencoded["suggestion"]
        assert "resources = [aws_dynamodb_table.my_table.arn]" in document["suggestion"]

    def test_cdk(self, tmp_path):
        findings = lint(tmp_path, cdk_role_statements('actions=["dynamodb:GetItem"], resources=["*"]',
                                                      'actions=["xray:PutTraceSegments"], resources=["*"]'),
                        "LL203")
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "app.py", 'resources=["*"]'))]
        assert "table.grant_read_write_data(fn)" in findings[0]["suggestion"]

    def test_cdk_offers_a_grant_only_when_it_covers_the_actions(self, tmp_path):
        findings = lint(tmp_path, cdk_role_statements(
            'actions=["secretsmanager:CreateSecret"], resources=["*"]',
            'actions=["secretsmanager:GetSecretValue"], resources=["*"]'), "LL203")
        create, read = findings
        assert "secret.secret_arn" in create["suggestion"]
        assert "grant_read" not in create["suggestion"]  # it reads; CreateSecret writes
        assert "secret.grant_read(fn)" in read["suggestion"]




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
        """}, "LL203") == []


class TestFromAwsData:
    """Which actions take only "*" comes from AWS's data, not a hand-kept list."""

    def test_actions_without_resource_types_are_silent(self, tmp_path):
        assert lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action:
                    - textract:StartDocumentAnalysis
                    - rekognition:StartLabelDetection
                    - sagemaker:ListEndpoints
                    - ecs:ListClusters
                    - health:DescribeEvents
                    - xray:Put*
                  Resource: "*"
                # Seen in serverless-patterns: no resource types in AWS's data either.
                - Effect: Allow
                  Action: [rbin:ListRules, logs:DescribeExportTasks, ec2:WithdrawByoipCidr]
                  Resource: "*"
                # Scopable, but AWS's managed policy for Object Lambda grants it on "*".
                - Effect: Allow
                  Action: s3-object-lambda:WriteGetObjectResponse
                  Resource: "*"
            """)}) == []

    def test_a_wildcard_with_one_scopable_action_is_reported(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [textract:Start*, rekognition:Start*]
                  Resource: "*"
            """)})
        # Every textract:Start* takes only "*"; rekognition:StartFaceSearch takes a collection.
        assert [f["rule"] for f in findings] == ["LL203"]
        assert "grants rekognition:Start* on *" in findings[0]["message"]

    def test_the_effective_scope_decides_whatever_the_spelling(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:*:s3:::*
                - Effect: Allow
                  Action: logs:GetLogEvents
                  Resource: arn:aws:logs:*:*:*
                - Effect: Allow
                  Action: dynamodb:GetItem
                  Resource: arn:aws:logs:*:*:*
                - Effect: Allow
                  Action: sqs:SendMessage
                  Resource: arn:aws:*:*:*:*
            """)})
        at = lambda needle, nth=1: line_of(tmp_path / "template.yaml", needle, nth)  # noqa: E731
        # dynamodb:GetItem on a logs ARN reaches no table: nothing to narrow.
        assert ids_and_lines(findings) == [("LL203", at("Resource: arn:*:s3:::*")),
                                           ("LL203", at("Resource: arn:aws:logs:*:*:*")),
                                           ("LL203", at("Resource: arn:aws:*:*:*:*"))]
        assert "(every bucket and object)" in findings[0]["message"]
        assert "(every logs resource)" in findings[1]["message"]
        assert "(every resource)" in findings[2]["message"]

    def test_the_most_powerful_actions_are_named_first(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [s3:ListBucket, s3:GetObject, s3:PutBucketPolicy, s3:PutObject]
                  Resource: "*"
            """)})
        # Permissions management, Write, Read, List (AWS's access levels)
        assert ("grants s3:PutBucketPolicy, s3:PutObject, s3:GetObject, s3:ListBucket on *"
                in findings[0]["message"])

    def test_not_resource_grants_everything_else(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: dynamodb:PutItem
                  NotResource: arn:aws:dynamodb:us-east-1:123456789012:table/audit
            """)})
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "template.yaml",
                                                              "NotResource:"))]
        assert ("grants dynamodb:PutItem on NotResource (every resource except "
                "arn:aws:dynamodb:us-east-1:123456789012:table/audit)") in findings[0]["message"]

    def test_a_condition_that_pins_the_calling_service_lowers_it_to_a_note(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: kms:Decrypt
                  Resource: "*"
                  Condition:
                    StringEquals:
                      kms:ViaService: secretsmanager.us-east-1.amazonaws.com
                - Effect: Allow
                  Action: kms:Encrypt
                  Resource: "*"
                  Condition:
                    Bool:
                      aws:SecureTransport: "true"
            """)})
        assert [(f["rule"], f["severity"]) for f in findings] == [("LL203", "note"),
                                                                  ("LL203", "warning")]
        assert findings[0]["message"].endswith(
            "grants kms:Decrypt on * (every resource), limited by the condition kms:ViaService")

    def test_a_service_without_an_example_gets_its_own_arn_format(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [rds-data:ExecuteStatement, secretsmanager:GetSecretValue]
                  Resource: "*"
            """)})
        suggestion = findings[0]["suggestion"]
        assert ("rds-data:ExecuteStatement: arn:${Partition}:rds:${Region}:${Account}:cluster:"
                in suggestion)
        assert "secretsmanager:GetSecretValue:" not in suggestion  # the example covers it


CONDITION_FILES = {
    "cloudformation": {"template.json": """\
        {"Resources": {
          "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
              "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{
              "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
              "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}}]}},
          "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 10,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(e, c):\\n    return 1\\n"}}}}}
        """},
    "serverless": {"serverless.yml": serverless_statements("""\
        - Effect: Allow
          Action: kms:Decrypt
          Resource: "*"
          Condition:
            StringEquals:
              kms:ViaService: s3.us-east-1.amazonaws.com
        """)},
    "terraform": {"main.tf": terraform_lambda_role("""\
        data "aws_iam_policy_document" "app" {
          statement {
            actions   = ["kms:Decrypt"]
            resources = ["*"]
            condition {
              test     = "StringEquals"
              variable = "kms:ViaService"
              values   = ["s3.us-east-1.amazonaws.com"]
            }
          }
        }

        resource "aws_iam_role_policy" "app" {
          role   = aws_iam_role.app.id
          policy = data.aws_iam_policy_document.app.json
        }

        resource "aws_iam_role_policy" "json" {
          role   = aws_iam_role.app.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Action    = "kms:Encrypt"
              Resource  = "*"
              Condition = { StringEquals = { "kms:ViaService" = "s3.us-east-1.amazonaws.com" } }
            }]
          })
        }
        """)},
    "cdk": cdk_role_statements(
        'actions=["kms:Decrypt"], resources=["*"], '
        'conditions={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}'),
}


@pytest.mark.parametrize("fmt", sorted(CONDITION_FILES))
def test_each_format_reads_the_condition_keys(tmp_path, fmt):
    findings = lint(tmp_path, CONDITION_FILES[fmt], "LL203")
    assert len(findings) == (2 if fmt == "terraform" else 1), findings  # jsonencode and blocks
    assert all(f["severity"] == "note" and "limited by the condition kms:ViaService"
               in f["message"] for f in findings), findings


class TestTheFunctionsOwnResources:
    """The suggestion names the resources the function's environment passes it (issue 12: "with
    the function's own resources filled in where the template names them"), and keeps the
    placeholder for a service whose resource the project does not name."""

    def test_sam_fills_in_the_bucket_and_table_its_environment_names(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements(
            """\
            - Statement:
                - Effect: Allow
                  Action: [s3:GetObject, dynamodb:PutItem, sqs:SendMessage]
                  Resource: "*"
            """).replace("  Bucket:\n", "  Orders:\n    Type: AWS::DynamoDB::Table\n  Bucket:\n", 1)
            .replace("      Timeout: 10\n", "      Timeout: 10\n      Environment:\n"
                         "        Variables:\n          BUCKET: !Ref Bucket\n"
                         "          TABLE_ARN: !GetAtt Orders.Arn\n", 1)})
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "template.yaml", 'Resource: "*"'))]
        assert findings[0]["suggestion"].startswith(
            'Name the resources instead of "*" (the function\'s environment names Bucket, '
            "Orders):\n"
            "    Resource:\n"
            "      - !GetAtt Orders.Arn\n"
            "      - !GetAtt MyQueue.Arn\n"
            '      - !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"\n')

    def test_serverless_fills_in_a_resource_of_its_resources_section(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": serverless_statements("""\
            - Effect: Allow
              Action: [dynamodb:PutItem]
              Resource: "*"
            """, provider="environment:\n  TABLE: !Ref Orders\n", after="""\
            resources:
              Resources:
                Orders:
                  Type: AWS::DynamoDB::Table
            """)})
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "serverless.yml", 'Resource: "*"'))]
        assert "names Orders):\n    Resource: !GetAtt Orders.Arn" in findings[0]["suggestion"]

    def test_terraform_fills_in_the_address_its_environment_references(self, tmp_path):
        template = terraform_lambda_role("""\
            resource "aws_sqs_queue" "jobs" {}

            resource "aws_iam_role_policy" "app" {
              role = aws_iam_role.app.id
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "*" }]
              })
            }
            """).replace("  timeout       = 10\n", "  timeout       = 10\n  environment {\n"
                         "    variables = { QUEUE_URL = aws_sqs_queue.jobs.url }\n  }\n")
        findings = lint(tmp_path, {"main.tf": template})
        assert ids_and_lines(findings) == [("LL203", line_of(tmp_path / "main.tf", 'Resource = "*"'))]
        assert findings[0]["suggestion"] == (
            'Name the resources instead of "*" (the function\'s environment names '
            "aws_sqs_queue.jobs):\n    Resource = aws_sqs_queue.jobs.arn")

    def test_a_resource_of_another_service_leaves_the_placeholder(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": _sam_statements("""\
            - Statement:
                - Effect: Allow
                  Action: [dynamodb:GetItem]
                  Resource: "*"
            """).replace("      Timeout: 10\n", "      Timeout: 10\n      Environment:\n"
                         "        Variables:\n          BUCKET: !Ref Bucket\n", 1)})
        assert findings[0]["suggestion"].startswith(
            'Name the resources instead of "*", e.g.\n    Resource: !GetAtt MyTable.Arn')
