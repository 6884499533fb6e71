"""LL107 hardcoded-region: the queue client is pinned to us-east-1 whatever region deploys it."""

import boto3

sqs = boto3.client("sqs", region_name="us-east-1")


def handler(event, context):
    return sqs.send_message(QueueUrl=event["queue"], MessageBody="done")
