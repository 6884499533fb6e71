"""The code-to-action mapping behind LL202's least-privilege suggestion.

boto3 calls (client and resource methods, paginators, waiters, batch_writer, transfers,
presigned URLs) become IAM actions through one table (``analysis.action_names``) that both
collectors share; every suggested action exists in AWS's data, and a call that maps to none is
named, not invented.
"""

from __future__ import annotations

import re
import shutil
import textwrap

import pytest

from helpers import REPO, by_line, check_json, line_of, lint, sam_orders
from lambdalint import pycheck
from lambdalint.analysis import action_names
from lambdalint.rules import _iam_data


@pytest.mark.parametrize("service, method, argument, expected", [
    ("s3", "list_objects_v2", None, ["s3:ListBucket"]),
    ("s3", "head_object", None, ["s3:GetObject"]),
    ("s3", "list_buckets", None, ["s3:ListAllMyBuckets"]),
    ("bedrock", "converse", None, ["bedrock:InvokeModel"]),
    ("bedrock", "converse_stream", None, ["bedrock:InvokeModelWithResponseStream"]),
    ("s3", "copy_object", None, ["s3:GetObject", "s3:PutObject"]),
    ("s3", "delete_objects", None, ["s3:DeleteObject"]),
    ("s3", "upload_file", None, ["s3:PutObject"]),
    ("s3", "download_file", None, ["s3:GetObject"]),
    ("dynamodb", "batch_writer", None, ["dynamodb:BatchWriteItem"]),
    ("s3", "get_paginator", "list_objects_v2", ["s3:ListBucket"]),
    ("dynamodb", "get_paginator", "scan", ["dynamodb:Scan"]),
    ("s3", "get_waiter", "object_exists", ["s3:GetObject"]),
    ("dynamodb", "get_waiter", "table_exists", ["dynamodb:DescribeTable"]),
    ("s3", "generate_presigned_url", "put_object", ["s3:PutObject"]),
    ("s3", "generate_presigned_post", None, ["s3:PutObject"]),
    ("sqs", "send_message_batch", None, ["sqs:SendMessage"]),
    ("lambda", "invoke", None, ["lambda:InvokeFunction"]),
    ("apigateway", "get_rest_apis", None, ["apigateway:GET"]),
    ("apigateway", "create_deployment", None, ["apigateway:POST"]),
    ("execute-api", "post_to_connection", None, ["execute-api:ManageConnections"]),
    ("dynamodb", "put_item", None, ["dynamodb:PutItem"]),
    ("s3", "write_get_object_response", None, ["s3-object-lambda:WriteGetObjectResponse"]),
    ("rds", "generate_db_auth_token", None, ["rds-db:connect"]),
])
def test_calls_map_to_actions_that_exist(service, method, argument, expected):
    actions = action_names.actions_for(service, method, argument)
    assert actions == expected
    assert all(_iam_data.action(a) is not None for a in actions)


def test_every_exception_and_waiter_names_a_real_action():
    for service, method in action_names.EXCEPTIONS:
        for action in action_names.actions_for(service, method):
            assert _iam_data.action(action) is not None, (service, method, action)
    for (service, waiter) in action_names.WAITERS:
        for action in action_names.actions_for(service, "get_waiter", waiter):
            assert _iam_data.action(action) is not None, (service, waiter, action)
    for service, prefix in action_names.IAM_PREFIX.items():
        assert _iam_data.service_exists(prefix), service


def test_an_object_written_with_a_kms_key_needs_generate_data_key():
    assert action_names.actions_for("s3", "put_object", None, ["Bucket", "SSEKMSKeyId"]) == [
        "s3:PutObject", "kms:GenerateDataKey"]
    assert action_names.actions_for("s3", "put_object", None, ["Bucket"]) == ["s3:PutObject"]


def test_the_examples_without_linked_code_exist():
    from lambdalint.rules.ll202_wildcard_iam_action import _EXAMPLE_ACTIONS

    for service, actions in _EXAMPLE_ACTIONS.items():
        assert all(_iam_data.action(a) is not None for a in actions), service


def test_what_names_no_operation_is_marked_not_guessed():
    assert action_names.actions_for("s3", "get_waiter", "no_such_waiter") == [
        "s3:?get_waiter('no_such_waiter')"]
    assert action_names.actions_for("s3", "get_paginator", None) == ["s3:?get_paginator(...)"]


HANDLER = """\
    import boto3

    s3 = boto3.client("s3")
    bedrock = boto3.client("bedrock-runtime")
    table = boto3.resource("dynamodb").Table("orders")


    def handler(event, context):
        s3.list_objects_v2(Bucket="in")
        s3.put_object(Bucket="out", Key="k", Body=b"", SSEKMSKeyId="alias/app")
        s3.head_object(Bucket="in", Key="k")
        s3.list_buckets()
        s3.copy_object(Bucket="out", Key="k", CopySource="in/k")
        s3.delete_objects(Bucket="in", Delete={"Objects": []})
        s3.upload_file("/tmp/f", "out", "k")
        s3.download_file("in", "k", "/tmp/f")
        s3.generate_presigned_url("get_object", Params={"Bucket": "in", "Key": "k"})
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="in"):
            pass
        s3.get_waiter("object_exists").wait(Bucket="in", Key="k")
        s3.get_waiter(event["waiter"])
        s3.frobnicate_bucket(Bucket="in")
        bedrock.converse(modelId="m", messages=[])
        with table.batch_writer() as batch:
            batch.put_item(Item={})
    """

EXPECTED = ["bedrock:InvokeModel", "dynamodb:BatchWriteItem", "kms:GenerateDataKey",
            "s3:DeleteObject",
            "s3:GetObject", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:PutObject"]


def test_both_collectors_read_the_calls_the_same_way():
    data = textwrap.dedent(HANDLER).encode()
    on = pycheck.check_data(data, "app.py", [], {}, ["handler"], True, True)
    off = pycheck.check_data(data, "app.py", [], {}, ["handler"], True, False)
    assert on.actions == off.actions
    assert "s3:?get_waiter(...)" in on.actions and "s3:FrobnicateBucket" in on.actions


def test_the_suggestion_lists_real_actions_and_names_what_it_could_not_map(tmp_path):
    findings = lint(tmp_path, {"src/app.py": HANDLER, "template.yaml": sam_orders("""\
        Policies:
          - Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
        """)}, "LL202")
    found = by_line(findings)[("LL202", line_of(tmp_path / "template.yaml", 'Action: "*"'))]
    listed = re.findall(r"^\s+- (\S+)$", found["suggestion"], re.MULTILINE)
    assert listed == EXPECTED
    assert found["suggestion"].endswith(
        "Could not map `s3.get_waiter(...)`, `s3.frobnicate_bucket()` to an IAM action: check "
        "what they need in the Service Authorization Reference.")


def test_every_action_suggested_for_the_examples_exists(tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    findings = check_json(["--select", "LL202,LL203", "."], tmp_path / "examples")
    suggested = {token for f in findings for token in
                 re.findall(r"\b([a-z0-9-]+:[A-Za-z0-9*]+)\b", f.get("suggestion") or "")
                 if not token.startswith(("arn:", "aws:", "http"))}
    assert suggested  # the examples do get least-privilege suggestions
    missing = sorted(a for a in suggested if not _iam_data.expand(a))
    assert missing == []
