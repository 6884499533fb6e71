import json
import os

import boto3


def lambda_handler(event, context):
    dynamodb = boto3.client("dynamodb")
    response = dynamodb.get_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"id": {"S": event["pathParameters"]["id"]}},
    )
    return {"statusCode": 200, "body": json.dumps(response.get("Item", {}))}
