"""LL202 wildcard-iam-action across formats: real templates in tmp_path, the real CLI.

What it reports (exact lines), what it must leave alone, what its messages name and whether its
suggestions (the actions the linked handler calls) can be pasted.
"""

from __future__ import annotations

import textwrap

from helpers import (by_line, cdk_role_statements, ids_and_lines, line_of, lint, resources,
                     sam_orders, sam_resource, sam_resources, sam_role, terraform_role_document)


HANDLER = """\
    import os

    import boto3

    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


    def handler(event, context):
        body = s3.get_object(Bucket="in", Key=event["key"])["Body"].read()
        table.put_item(Item={"id": event["key"], "size": len(body)})
    """



class TestActionSam:
    def test_wildcards_in_a_statement(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_orders("""\
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
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
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
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("ByName", "app.a", 10, properties="""\
                Policies:
                  - AWSLambdaBasicExecutionRole
                  - AmazonS3FullAccess
                  - AWSXRayDaemonWriteAccess
                """),
            sam_resource("ByArn", "app.b", 10, properties="""\
                Policies:
                  - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
                  - arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess
                  - arn:aws:iam::123456789012:policy/TeamFullAccess
                """),
            sam_role("Role", """\
                ManagedPolicyArns:
                  - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
                  - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
                """),
            sam_resource("BySub", "app.c", 10, properties="Role: !GetAtt Role.Arn"))}, "LL202")
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
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
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_role("SharedRole", """\
                ManagedPolicyArns:
                  - arn:aws:iam::aws:policy/PowerUserAccess
                Policies:
                  - PolicyName: data
                    PolicyDocument:
                      Statement:
                        - Effect: Allow
                          Action: dynamodb:*
                          Resource: !GetAtt Table.Arn
                """),
            "  Table:\n    Type: AWS::DynamoDB::Table\n",
            sam_resource("Reader", "app.read", 10, properties="Role: !GetAtt SharedRole.Arn"),
            sam_resource("Writer", "app.write", 10, properties="Role: !GetAtt SharedRole.Arn"))},
            "LL202")
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL202", at("PowerUserAccess")),
                                           ("LL202", at("Action: dynamodb:*"))]
        assert findings[0]["message"].startswith("Reader, Writer run with the AWS managed policy "
                                                 "PowerUserAccess")
        assert findings[1]["message"] == (
            "policy data of role SharedRole allows dynamodb:* (every dynamodb action) for "
            "Reader, Writer")

    def test_one_function_silencing_the_shared_role_leaves_the_other(self, tmp_path):
        template = sam_resources(
            sam_role("SharedRole", """\
                Policies:
                  - PolicyName: data
                    PolicyDocument:
                      Statement: [{Effect: Allow, Action: sqs:*, Resource: arn:aws:sqs:us-east-1:123456789012:jobs}]
                """),
            sam_resource("Reader", "app.read", 10, properties="Role: !GetAtt SharedRole.Arn",
                         metadata="{lambdalint: {ignore: [LL202]}}"),
            sam_resource("Writer", "app.write", 10, properties="Role: !GetAtt SharedRole.Arn"))
        findings = lint(tmp_path, {"template.yaml": template}, "LL202")
        assert ids_and_lines(findings) == [("LL202", line_of(tmp_path / "template.yaml", "Action: sqs:*"))]
        assert findings[0]["message"].endswith("for Writer")
        both = template.replace("  Writer:\n", "  Writer:  # lambdalint: ignore[LL202]\n")
        assert lint(tmp_path / "both", {"template.yaml": both}, "LL202") == []

    def test_roles_of_other_services_and_resource_policies_are_not_lambdas(self, tmp_path):
        everything = """\
            Policies:
              - PolicyName: all
                PolicyDocument:
                  Statement: [{Effect: Allow, Action: "%s", Resource: "*"}]
            """
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_role("StatesRole", "ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
                     + textwrap.dedent(everything % "lambda:*"), service="states"),
            sam_role("ApiRole", everything % "*", service="apigateway"), resources("""\
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
            """),
            sam_resource("Fine", timeout=10,
                         properties="Policies:\n  - S3ReadPolicy: {BucketName: !Ref Bucket}"))},
            "LL202,LL203")
        assert findings == []

    def test_least_privilege_from_the_linked_handler_code(self, tmp_path):
        findings = lint(tmp_path, {"src/app.py": HANDLER, "template.yaml": sam_orders("""\
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
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
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
        (finding,) = lint(tmp_path, {"template.yaml": sam_resources(resources("""\
              OrdersFunction:
                Type: AWS::Lambda::Function
                Properties:
                  Handler: index.handler
                  Runtime: python3.12
                  Timeout: 10
                  Role: !GetAtt Role.Arn
                  Code: {S3Bucket: b, S3Key: k.zip}
            """), sam_role("Role", """\
                Policies:
                  - PolicyName: q
                    PolicyDocument:
                      Statement: [{Effect: Allow, Action: "sqs:*", Resource: !GetAtt Queue.Arn}]
                """), "  Queue:\n    Type: AWS::SQS::Queue\n")}, "LL202")
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
        at = lambda needle: line_of(tmp_path / "serverless.yml", needle)  # noqa: E731
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
        assert ids_and_lines(findings) == [("LL202", line_of(tmp_path / "serverless.yml", "- dynamodb:*"))]


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

        """ + textwrap.indent(terraform_role_document(
            "extra", 'actions   = ["*"]\nresources = ["arn:aws:sqs:us-east-1:123456789012:jobs"]'), " " * 8) + """

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
        at = lambda needle: line_of(tmp_path / "main.tf", needle)  # noqa: E731
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
        findings = lint(tmp_path, cdk_role_statements(
            'actions=["s3:*"], resources=["arn:aws:s3:::orders/*"]',
            'actions=["s3:GetObject"], resources=["arn:aws:s3:::orders/*"]', after="""\
            fn.role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name("AWSLambda_FullAccess"))
            """), "LL202")
        at = lambda needle: line_of(tmp_path / "app.py", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL202", at('actions=["s3:*"]')),
                                           ("LL202", at("AWSLambda_FullAccess"))]
        assert 'actions=["s3:GetObject", "s3:PutObject"],' in findings[0]["suggestion"]
        assert "grant" in findings[1]["suggestion"]


class TestNotActionAndServerlessRoles:
    def test_allow_with_not_action_star_grants_nothing(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_orders("""\
            Policies:
              - Statement:
                  - Effect: Allow
                    NotAction: "*"
                    Resource: "*"
                  - Effect: Allow
                    NotAction: [iam:*]
                    Resource: "*"
            """)}, "LL202")
        assert ids_and_lines(findings) == [
            ("LL202", line_of(tmp_path / "template.yaml", "NotAction: [iam:*]"))]
        assert "it allows every action except iam:*" in findings[0]["message"]

    SERVERLESS = """\
        service: orders
        {plugins}
        provider:
          name: aws
          timeout: 10
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
        functions:
          create:
            handler: src/orders.create
            iamRoleStatements:
              - Effect: Allow
                Action: [sqs:*]
                Resource: arn:aws:sqs:us-east-1:123456789012:orders
        """

    def test_function_statements_without_the_plugin_are_ignored(self, tmp_path):
        # Serverless without serverless-iam-roles-per-function ignores iamRoleStatements on a
        # function: it runs with the provider's role, whose Action "*" is reported.
        findings = lint(tmp_path, {"serverless.yml": self.SERVERLESS.format(plugins="")},
                        "LL0,LL202")
        assert ids_and_lines(findings) == [
            ("LL202", line_of(tmp_path / "serverless.yml", 'Action: "*"'))]
        assert findings[0]["message"].endswith("for create")

    def test_function_statements_with_the_plugin_make_a_role_of_its_own(self, tmp_path):
        plugins = "plugins: [serverless-iam-roles-per-function]"
        findings = lint(tmp_path, {"serverless.yml": self.SERVERLESS.format(plugins=plugins)},
                        "LL0,LL202")
        assert ids_and_lines(findings) == [
            ("LL202", line_of(tmp_path / "serverless.yml", "Action: [sqs:*]"))]
