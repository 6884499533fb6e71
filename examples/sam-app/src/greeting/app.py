"""LL106: the REST API in front of this function needs {"statusCode": ..., "body": "..."}."""

import json


def lambda_handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return json.dumps({"message": f"hello {name}"})
