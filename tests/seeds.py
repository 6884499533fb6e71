"""Realistic inputs of every kind lambdalint reads, one each: the seeds the fuzz tests mutate and
part of the tree the no-exec test checks (data only: nothing here runs)."""

from __future__ import annotations

import json

from helpers import REPO, TERRAFORM_HELLO

PYTHON_SEED = '''\
"""Orders API."""
import json
import os

import boto3
from botocore.config import Config

TABLE = os.environ.get("TABLE_NAME", "orders")
password = "correct-horse-battery"


class Repo:
    def __init__(self, name: str) -> None:
        self.name = name

    async def get(self, key, *args, **kwargs):
        return {"key": key, **kwargs}


@decorator(level=1)
def lambda_handler(event, context):
    """Store the order."""
    table = boto3.resource("dynamodb").Table(TABLE)  # a resource per call
    lam = boto3.client("lambda", config=Config(retries={"max_attempts": 2}))
    for record in event.get("Records", []):
        body = json.loads(record["body"]) if record else {}
        lam.invoke(FunctionName="next", Payload=json.dumps(body).encode())
    try:
        table.put_item(Item={"id": event["id"], "n": [1, 2.5, -3e4, 0x1F]})
    except Exception as exc:  # noqa: BLE001
        raise RuntimeError(f"failed: {exc!r}") from exc
    finally:
        pass
    return {"statusCode": 200, "body": json.dumps(lambda x: x ** 2)}
'''

CDK_SEED = '''\
import aws_cdk as cdk
from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class AppStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        fn = lambda_.Function(
            self, "Orders",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(3),
            environment={"API_TOKEN": "tok-7f3a9c2e", "STAGE": "prod"},
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))


app = cdk.App()
AppStack(app, "AppStack")
app.synth()
'''

TEMPLATE_SEED = (REPO / "examples" / "sam-app" / "template.yaml").read_text(encoding="utf-8") + '''
  Anchored:
    Type: AWS::Serverless::Function
    Metadata:
      lambdalint:
        ignore: [LL203]
    Properties: &props
      CodeUri: src/orders/
      Handler: app.lambda_handler
      Timeout: !If [IsProd, 30, 3]
      Environment:
        Variables:
          SECRET_KEY: !Sub "${AWS::StackName}-key"
      Events:
        Api: {Type: Api, Properties: {Path: /x, Method: get}}
      Policies:
        - Statement:
            - Effect: Allow
              Action: ["s3:GetObject", "dynamodb:*"]
              Resource: !GetAtt OrdersTable.Arn
  Merged:
    Type: AWS::Serverless::Function
    Properties:
      <<: *props
      Timeout: 900
'''

SERVERLESS_SEED = '''\
service: users
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
  timeout: 6
  environment:
    DB_PASSWORD: hunter2-but-longer
    TABLE: ${self:service}-${sls:stage}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*"
functions:
  create:
    handler: src/users.create
    timeout: ${env:TIMEOUT, 10}
    events:
      - http: {path: users, method: post}
      - sqs:
          arn: !GetAtt Queue.Arn
  list:
    handler: src/users.list_users
    memorySize: 256
resources:
  Resources:
    Queue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 5
'''

JSON_SEED = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "app.handler",
                "Runtime": "python3.12",
                "Code": {"ZipFile": "import boto3\ndef handler(event, context):\n"
                                    "    s3 = boto3.client('s3')\n    return 1\n"},
                "Environment": {"Variables": {"API_KEY": "sk_live_abcdefghijklmnopqrstuvwx"}},
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]},
        },
    },
}, indent=2)

TERRAFORM_SEED = '''\
variable "timeout" {
  type    = number
  default = 3
}

locals {
  memory = 256
  tags   = { team = "orders", "cost-center" = 42 }
}

''' + TERRAFORM_HELLO + '''
data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = var.extra
    content {
      actions   = [for a in statement.value : upper(a)]
      resources = length(var.arns) > 0 ? var.arns : ["*"]
    }
  }
}
'''

REQUIREMENTS_SEED = '''\
# pinned
boto3==1.34.0
requests>=2.31,<3 ; python_version >= "3.9"
numpy
pandas[performance]==2.2.0 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
-r other.txt
-c constraints.txt
--index-url https://pypi.org/simple
-e .
git+https://github.com/example/pkg.git@0123456789abcdef0123456789abcdef01234567#egg=pkg
https://example.com/pkg-1.0.tar.gz
Django ~= 4.2
'''

# Text that often breaks one format or another, for the mutations to insert.
