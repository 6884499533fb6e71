"""A literal bound to a neutral name that flows into a credential; bytes; escapes."""

import boto3

value = "Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q"  # want: yes flow
client = boto3.client("s3", aws_secret_access_key=value)
DB_PASSWORD = b"bytes-pw1".decode()  # want: yes flow
API_TOKEN = "tok\x2d9f8a7b"  # want: yes flow
SIGNING_KEY = '_5#y2L"F4Q8z\n\xec]/'  # want: yes flow
region = "eu-west-1"  # want: no type
other = boto3.client("s3", region_name=region)
