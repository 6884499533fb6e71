"""LL108 unpaginated-call through the real CLI: clients, Table resources, paginators, loops."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, write

from lambdalint.rules._paginated_operations import BOTOCORE_VERSION, PAGINATED


def test_client_and_table_calls_used_as_complete_are_reported(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3

        s3 = boto3.client("s3")
        table = boto3.resource("dynamodb").Table("orders")


        def handler(event, context):
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="b").get("Contents", [])]
            orders = table.scan()["Items"]
            return keys, orders
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL108")
    assert ids_and_lines(findings) == [("LL108", 8), ("LL108", 9)]
    assert "1,000 keys" in findings[0]["message"]
    assert 's3.get_paginator("list_objects_v2")' in findings[0]["suggestion"]
    assert "LastEvaluatedKey" in findings[1]["suggestion"]


def test_session_clients_and_import_aliases_are_followed(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3 as aws
        from boto3 import client as make_client

        session = aws.Session()
        sqs = session.client("sqs")
        ssm = make_client(service_name="ssm")


        def handler(event, context):
            queues = sqs.list_queues()["QueueUrls"]
            params = ssm.get_parameters_by_path(Path="/app/")["Parameters"]
            return queues, params
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL108")
    assert ids_and_lines(findings) == [("LL108", 10), ("LL108", 11)]
    assert "10 parameters" in findings[1]["message"]


def test_paginators_token_loops_limits_and_unpaged_operations_are_silent(tmp_path):
    write(tmp_path, {
        "paginator.py": """
            import boto3

            s3 = boto3.client("s3")


            def handler(event, context):
                pages = s3.get_paginator("list_objects_v2").paginate(Bucket="b")
                return [o["Key"] for page in pages for o in page.get("Contents", [])]
            """,
        "loop.py": """
            import boto3

            sqs = boto3.client("sqs")


            def handler(event, context):
                urls, prefixes = [], list("abc")
                while prefixes:
                    urls += sqs.list_queues(QueueNamePrefix=prefixes.pop())["QueueUrls"]
                return urls
            """,
        "token.py": """
            import boto3

            sfn = boto3.client("stepfunctions")


            def handler(event, context):
                page = sfn.list_executions(stateMachineArn="arn")
                more = page.get("nextToken")
                return page["executions"], more
            """,
        "limited.py": """
            import boto3

            s3 = boto3.client("s3")


            def handler(event, context):
                empty = s3.list_objects_v2(Bucket="b", MaxKeys=1)["KeyCount"] == 0
                buckets = s3.list_buckets()["Buckets"]
                item = boto3.resource("dynamodb").Table("t").get_item(Key={"id": "1"})
                return empty, buckets, item
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL108") == []


def test_unknown_receivers_scripts_and_tests_are_silent(tmp_path):
    write(tmp_path, {
        "app.py": """
            def handler(event, context, client=None):
                return client.list_objects_v2(Bucket="b")
            """,
        "script.py": """
            import boto3


            def main():
                return boto3.client("s3").list_objects_v2(Bucket="b")["Contents"]
            """,
        "tests/test_app.py": """
            import boto3


            def handler(event, context):
                return boto3.resource("dynamodb").Table("t").scan()["Items"]
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL108") == []


def test_the_table_comes_from_botocore_data():
    assert BOTOCORE_VERSION.count(".") == 2
    assert PAGINATED["dynamodb"]["scan"] == (("ExclusiveStartKey",), ("LastEvaluatedKey",), "Limit")
    assert PAGINATED["s3"]["list_objects_v2"][1] == ("NextContinuationToken", "IsTruncated")
    assert "get_item" not in PAGINATED["dynamodb"]
