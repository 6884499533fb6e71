"""LL108 unpaginated-call: a scan returns 1 MB of items per call; the rest are silently lost."""

import boto3

table = boto3.resource("dynamodb").Table("orders")


def handler(event, context):
    return {"count": len(table.scan()["Items"])}
