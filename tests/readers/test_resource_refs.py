"""What each reader records as the resources a function's settings name (``Function.resources``),
asserted on the model: least-privilege advice fills these names in instead of placeholders."""

from __future__ import annotations

from helpers import read_unit, sam


def _resources(project):
    return {f.name: [(r.name, r.type) for r in f.resources] for f in project.functions}


def test_sam_environment_refs_getatts_and_subs_name_template_resources(tmp_path):
    project = read_unit(tmp_path, {"template.yaml": sam("""\
        Globals:
          Function:
            Environment:
              Variables:
                SHARED_TOPIC: !Ref Alerts
        Resources:
          Alerts:
            Type: AWS::SNS::Topic
          Uploads:
            Type: AWS::S3::Bucket
          Orders:
            Type: AWS::DynamoDB::Table
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              Runtime: python3.12
              Environment:
                Variables:
                  BUCKET: !Ref Uploads
                  TABLE_ARN: !GetAtt Orders.Arn
                  TABLE_URL: !Sub "https://example.com/${Orders}/${AWS::Region}"
                  STACK: !Ref AWS::StackName
                  STAGE: !Ref Stage
                  PLAIN: Uploads
        """)})
    assert _resources(project) == {"Fn": [("Alerts", "AWS::SNS::Topic"),
                                          ("Uploads", "AWS::S3::Bucket"),
                                          ("Orders", "AWS::DynamoDB::Table")]}


def test_cloudformation_json_environment_names_resources(tmp_path):
    project = read_unit(tmp_path, {"stack.json": """{
      "Resources": {
        "Jobs": {"Type": "AWS::SQS::Queue"},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
          "Handler": "app.handler", "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r",
          "Code": {"S3Bucket": "b", "S3Key": "k"},
          "Environment": {"Variables": {"QUEUE_URL": {"Ref": "Jobs"}}}}}
      }
    }"""})
    assert _resources(project) == {"Fn": [("Jobs", "AWS::SQS::Queue")]}


def test_serverless_environment_names_resources_of_its_resources_section(tmp_path):
    project = read_unit(tmp_path, {"serverless.yml": """
        service: s
        provider:
          name: aws
          runtime: python3.12
          environment:
            TABLE: !Ref Orders
        functions:
          api:
            handler: app.handler
            environment:
              BUCKET: {Ref: Uploads}
              OTHER: !Ref NotDefinedHere
        resources:
          Resources:
            Orders: {Type: AWS::DynamoDB::Table}
            Uploads: {Type: AWS::S3::Bucket}
        """})
    assert _resources(project) == {"api": [("Orders", "AWS::DynamoDB::Table"),
                                           ("Uploads", "AWS::S3::Bucket")]}


def test_terraform_environment_references_managed_resources_not_data_sources(tmp_path):
    project = read_unit(tmp_path, {"main.tf": """
        resource "aws_s3_bucket" "uploads" {}
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          role          = "arn:aws:iam::123456789012:role/fn"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "fn.zip"
          environment {
            variables = {
              BUCKET = aws_s3_bucket.uploads.id
              TABLE  = "${aws_dynamodb_table.orders.name}"
              AGAIN  = aws_s3_bucket.uploads.arn
              OTHER  = data.aws_s3_bucket.shared.id
              PLAIN  = "aws_s3_bucket.uploads"
            }
          }
        }
        """})
    assert _resources(project) == {"aws_lambda_function.fn": [
        ("aws_s3_bucket.uploads", "aws_s3_bucket"),
        ("aws_dynamodb_table.orders", "aws_dynamodb_table")]}
