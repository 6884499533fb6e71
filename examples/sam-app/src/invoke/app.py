import json
import os

import boto3

lambda_client = boto3.client("lambda")


def lambda_handler(event, context):
    response = lambda_client.invoke(
        FunctionName=os.environ["PRICING_FUNCTION"],
        Payload=json.dumps(event),
    )
    return json.loads(response["Payload"].read())
