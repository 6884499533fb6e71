import json
import os

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    body = s3.get_object(Bucket=os.environ["BUCKET"], Key=event["key"])["Body"].read()
    return {"statusCode": 200, "body": json.dumps({"size": len(body)})}
