"""LL109: every invocation invokes this same function again, once per item: the chain never ends."""

import json
import os

import boto3

lambda_client = boto3.client("lambda")


def lambda_handler(event, context):
    for item in event["items"]:
        lambda_client.invoke(
            FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            InvocationType="Event",
            Payload=json.dumps({"items": [item]}),
        )
    return {"queued": len(event["items"])}
