"""Long-term AWS keys in code: AWS's documentation keys count, the pattern is the defect."""

import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",  # want: yes awsdoc
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # want: yes awsdoc
)
session = boto3.Session(
    aws_access_key_id="AKIAI44QH8DHBEXAMPLE",  # want: yes awsdoc
    aws_secret_access_key="je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",  # want: yes awsdoc
)
access_key = "AKIAIOSFODNN7EXAMPLE"  # want: yes awsdoc
AWS_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"  # want: yes shape
UPLOAD_KEY_ID = "AKIA2E3MQ4R5T6Y7U2I3"  # want: yes shape
sqs = boto3.client("sqs", aws_access_key_id="AKIAXXXXXXXXXXXXXXXX")  # want: no instruction
ddb = boto3.client("dynamodb", aws_secret_access_key="<your secret access key>")  # want: no instruction
MOCK_RESPONSE = {"Credentials": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}}  # want: no type
KMS_KEY_ID = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"  # want: no reference
