"""LL112 tmp-not-cleaned: every object is downloaded to a new /tmp file that is never removed."""

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    key = event["key"]
    s3.download_file("uploads", key, f"/tmp/{key}")
    return {"downloaded": key}
