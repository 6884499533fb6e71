"""How a boto3 call names its IAM actions: ``s3.get_object`` is ``s3:GetObject``.

Tables only, no LibCST and no IAM data: the LibCST collector (``actions``) and the pre-filter's
reading of the same calls from Python's own ``ast`` (``prefilter.actions_from_ast``) both call
``actions_for``, so they map every call the same way. Most methods are their operation's name
in PascalCase; ``EXCEPTIONS`` holds the others (each checked against AWS's data by
tests/rules/test_ll202_call_actions.py). Whether a name really is an action is decided later,
against the data (``rules._iam_calls``): what is not is reported as a call that could not be
mapped, never suggested.

A call that names no operation the table knows (a waiter or paginator whose name is not a
literal) is recorded as ``<prefix>:?<what was written>`` so that the suggestion can say so.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

# boto3 service name -> IAM action prefix, where they differ.
IAM_PREFIX = {
    "stepfunctions": "states",
    "dynamodbstreams": "dynamodb",
    "sagemaker-runtime": "sagemaker",
    "sagemaker-featurestore-runtime": "sagemaker",
    "bedrock-runtime": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "bedrock-agent": "bedrock",
    "iot-data": "iot",
    "sesv2": "ses",
    "elbv2": "elasticloadbalancing",
    "apigatewaymanagementapi": "execute-api",
    "apigatewayv2": "apigateway",
    "s3control": "s3",
    "appconfigdata": "appconfig",
    "timestream-write": "timestream",
    "timestream-query": "timestream",
    "lexv2-runtime": "lex",
    "lex-runtime": "lex",
    "opensearch": "es",
    "monitoring": "cloudwatch",
    "bedrock-agentcore-control": "bedrock-agentcore",
    "pinpoint": "mobiletargeting",
    "pinpoint-sms-voice-v2": "sms-voice",
    "resourcegroupstaggingapi": "tag",
    "service-quotas": "servicequotas",
}

# (IAM prefix, method) -> the actions the call needs, where they are not the method's name in
# PascalCase (a name with a colon is of another service). Sources: the Service Authorization Reference and each API's "Permissions" notes.
EXCEPTIONS: Dict[Tuple[str, str], Tuple[str, ...]] = {
    # S3: the transfer manager and the resource API are PutObject/GetObject underneath;
    # HEAD and list requests are authorized as the read they belong to.
    ("s3", "upload_file"): ("PutObject",),
    ("s3", "upload_fileobj"): ("PutObject",),
    ("s3", "put"): ("PutObject",),
    ("s3", "download_file"): ("GetObject",),
    ("s3", "download_fileobj"): ("GetObject",),
    ("s3", "get"): ("GetObject",),
    ("s3", "head_object"): ("GetObject",),
    ("s3", "select_object_content"): ("GetObject",),
    ("s3", "head_bucket"): ("ListBucket",),
    ("s3", "list_objects"): ("ListBucket",),
    ("s3", "list_objects_v2"): ("ListBucket",),
    ("s3", "list_object_versions"): ("ListBucketVersions",),
    ("s3", "list_buckets"): ("ListAllMyBuckets",),
    ("s3", "list_parts"): ("ListMultipartUploadParts",),
    ("s3", "list_multipart_uploads"): ("ListBucketMultipartUploads",),
    ("s3", "create_multipart_upload"): ("PutObject",),
    ("s3", "upload_part"): ("PutObject",),
    ("s3", "complete_multipart_upload"): ("PutObject",),
    ("s3", "copy_object"): ("GetObject", "PutObject"),
    ("s3", "copy"): ("GetObject", "PutObject"),
    ("s3", "upload_part_copy"): ("GetObject", "PutObject"),
    ("s3", "delete_objects"): ("DeleteObject",),
    ("s3", "generate_presigned_post"): ("PutObject",),
    # An Object Lambda access point's response is its own service's action.
    ("s3", "write_get_object_response"): ("s3-object-lambda:WriteGetObjectResponse",),
    # RDS IAM authentication: the token is signed locally; connecting needs rds-db:connect.
    ("rds", "generate_db_auth_token"): ("rds-db:connect",),
    # DynamoDB: batch and transaction calls are authorized per item operation; a Table
    # resource's delete() is DeleteTable.
    ("dynamodb", "delete"): ("DeleteTable",),
    ("dynamodb", "batch_writer"): ("BatchWriteItem",),
    ("dynamodb", "transact_get_items"): ("GetItem",),
    # Bedrock: Converse is authorized as InvokeModel.
    ("bedrock", "converse"): ("InvokeModel",),
    ("bedrock", "converse_stream"): ("InvokeModelWithResponseStream",),
    # Lambda, SQS, SNS: the streaming and batch forms of a call need the plain action.
    ("lambda", "invoke"): ("InvokeFunction",),
    ("lambda", "invoke_with_response_stream"): ("InvokeFunction",),
    ("sqs", "send_message_batch"): ("SendMessage",),
    ("sqs", "delete_message_batch"): ("DeleteMessage",),
    ("sqs", "change_message_visibility_batch"): ("ChangeMessageVisibility",),
    ("sns", "publish_batch"): ("Publish",),
    # API Gateway's management API (WebSocket connections) is one action.
    ("execute-api", "post_to_connection"): ("ManageConnections",),
    ("execute-api", "get_connection"): ("ManageConnections",),
    ("execute-api", "delete_connection"): ("ManageConnections",),
}

# Waiters: the operation each one polls (botocore's waiter models).
WAITERS: Dict[Tuple[str, str], str] = {
    ("s3", "object_exists"): "head_object",
    ("s3", "object_not_exists"): "head_object",
    ("s3", "bucket_exists"): "head_bucket",
    ("s3", "bucket_not_exists"): "head_bucket",
    ("dynamodb", "table_exists"): "describe_table",
    ("dynamodb", "table_not_exists"): "describe_table",
    ("lambda", "function_exists"): "get_function",
    ("lambda", "function_active_v2"): "get_function",
    ("lambda", "function_updated_v2"): "get_function",
    ("lambda", "function_active"): "get_function_configuration",
    ("lambda", "function_updated"): "get_function_configuration",
    ("ec2", "instance_running"): "describe_instances",
    ("ec2", "instance_stopped"): "describe_instances",
    ("ec2", "instance_terminated"): "describe_instances",
    ("cloudformation", "stack_create_complete"): "describe_stacks",
    ("cloudformation", "stack_update_complete"): "describe_stacks",
    ("cloudformation", "stack_delete_complete"): "describe_stacks",
}

# API Gateway's control plane is authorized by HTTP verb on the resource path.
_APIGATEWAY_VERBS = (("get_", "GET"), ("create_", "POST"), ("put_", "PUT"),
                     ("update_", "PATCH"), ("delete_", "DELETE"), ("import_", "PUT"),
                     ("tag_", "PUT"), ("untag_", "DELETE"))

# Methods that call no API (or whose action depends on what they wrap: see ``ARGUMENT_OF``).
NOT_API_CALLS = {"can_paginate", "close", "meta", "exceptions", "load", "reload",
                 "wait_until_exists", "wait_until_not_exists", "paginate", "wait"}

# Methods whose action comes from an argument: the keyword that names it (else the first
# positional argument).
ARGUMENT_OF = {"get_paginator": "operation_name", "get_waiter": "waiter_name",
               "generate_presigned_url": "ClientMethod"}


def pascal(method: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in method.split("_"))


# Keyword arguments that make a call need more: an object written with a customer managed KMS
# key needs kms:GenerateDataKey on it (S3 user guide, "Using SSE-KMS": "Permissions").
KEYWORD_ACTIONS: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("s3", "SSEKMSKeyId"): ("kms:GenerateDataKey",),
}


def actions_for(service: str, method: str, argument: Optional[str] = None,
                keywords: Iterable[str] = ()) -> List[str]:
    """The actions (``s3:GetObject``) that calling ``method`` on a ``service`` client or
    resource needs; ``argument`` is the literal naming the operation of ``get_paginator``,
    ``get_waiter`` and ``generate_presigned_url`` (None when it is not a literal);
    ``keywords`` the names of the call's keyword arguments."""
    extra = [a for k in keywords for a in KEYWORD_ACTIONS.get((service, k), ())]
    return _actions_for(service, method, argument) + extra


def _actions_for(service: str, method: str, argument: Optional[str] = None) -> List[str]:
    if method in ARGUMENT_OF:
        if argument is None:
            return [f"{service}:?{method}(...)"]
        if method == "get_waiter":
            operation = WAITERS.get((service, argument))
            if operation is None:
                return [f"{service}:?get_waiter('{argument}')"]
            return actions_for(service, operation)
        return actions_for(service, argument)
    if (service, method) in EXCEPTIONS:
        return [name if ":" in name else f"{service}:{name}"
                for name in EXCEPTIONS[(service, method)]]
    if service == "apigateway":
        for prefix, verb in _APIGATEWAY_VERBS:
            if method.startswith(prefix):
                return [f"apigateway:{verb}"]
    return [f"{service}:{pascal(method)}"]
