"""LL104: an async handler; the Python runtime calls it without awaiting it."""

import json


async def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"notified": True})}
