"""How a boto3 call names its IAM action: ``s3.get_object`` is ``s3:GetObject``.

Tables only, no LibCST: the LibCST collector (``actions``) and the pre-filter's reading of the same
calls from Python's own ``ast`` (``prefilter.actions_from_ast``) share them.
"""

from __future__ import annotations

# boto3 service name -> IAM action prefix, where they differ.
IAM_PREFIX = {
    "stepfunctions": "states",
    "dynamodbstreams": "dynamodb",
    "sagemaker-runtime": "sagemaker",
    "bedrock-runtime": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "iot-data": "iot",
    "sesv2": "ses",
    "elbv2": "elasticloadbalancing",
    "apigatewaymanagementapi": "execute-api",
    "s3control": "s3",
    "logs": "logs",
    "monitoring": "cloudwatch",
}

# Methods whose action is not the method's name in PascalCase.
SPECIAL = {
    ("s3", "upload_file"): "PutObject",
    ("s3", "upload_fileobj"): "PutObject",
    ("s3", "put"): "PutObject",
    ("s3", "download_file"): "GetObject",
    ("s3", "download_fileobj"): "GetObject",
    ("s3", "head_object"): "GetObject",
    ("s3", "list_objects"): "ListBucket",
    ("s3", "list_objects_v2"): "ListBucket",
    ("s3", "copy_object"): "PutObject",
    ("execute-api", "post_to_connection"): "ManageConnections",
    ("execute-api", "get_connection"): "ManageConnections",
    ("execute-api", "delete_connection"): "ManageConnections",
}

NOT_API_CALLS = {"get_paginator", "get_waiter", "generate_presigned_url", "generate_presigned_post",
                 "can_paginate", "close", "meta", "exceptions", "load", "reload", "wait_until_exists"}


def pascal(method: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in method.split("_"))
