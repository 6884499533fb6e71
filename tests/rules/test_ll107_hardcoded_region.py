"""LL107 hardcoded-region through the real CLI: exact lines, constants, exemptions."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, sam_template, write


def test_literal_region_and_regional_endpoint_are_reported_on_their_lines(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3

        s3 = boto3.client("s3", region_name="eu-west-1")
        sqs = boto3.client(
            "sqs",
            endpoint_url="https://sqs.eu-west-1.amazonaws.com",
        )


        def handler(event, context):
            return s3.list_buckets(), sqs.list_queues()
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL107")
    assert ids_and_lines(findings) == [("LL107", 3), ("LL107", 6)]
    assert findings[0]["column"] == 37  # the region literal
    assert "region_name='eu-west-1'" in findings[0]["message"]
    assert "endpoint URL in eu-west-1" in findings[1]["message"]


def test_module_constant_session_and_config_are_followed(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3 as b
        from botocore.config import Config

        REGION = "ap-southeast-2"
        session = b.session.Session(region_name=REGION)
        cfg = Config(region_name=REGION, retries={"max_attempts": 2})


        def lambda_handler(event, context):
            return session, cfg
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL107")
    assert ids_and_lines(findings) == [("LL107", 5), ("LL107", 6)]


def test_runtime_region_global_services_and_multi_region_files_are_silent(tmp_path):
    write(tmp_path, {
        "env.py": """
            import os
            import boto3

            ddb = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"))


            def handler(event, context):
                return ddb.list_tables()
            """,
        "global_services.py": """
            import boto3

            acm = boto3.client("acm", region_name="us-east-1")
            ce = boto3.client(service_name="ce", region_name="us-east-1")


            def handler(event, context):
                return acm.list_certificates(), ce
            """,
        "replicate.py": """
            import boto3

            source = boto3.client("s3", region_name="us-east-1")
            target = boto3.client("s3", region_name="eu-central-1")


            def handler(event, context):
                return source, target
            """,
        "shadowed.py": """
            import boto3

            region_name = "us-east-1"


            def handler(event, context):
                region_name = event["region"]
                return boto3.Session(region_name=region_name)
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL107") == []


def test_acm_outside_us_east_1_is_still_reported(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3

        acm = boto3.client("acm", region_name="eu-west-1")


        def handler(event, context):
            return acm.list_certificates()
        """})
    assert ids_and_lines(check_json(["app.py"], tmp_path, "--select", "LL107")) == [("LL107", 3)]


def test_scripts_and_test_files_are_not_lambda_code(tmp_path):
    write(tmp_path, {
        "deploy.py": """
            import boto3


            def main():
                return boto3.client("lambda", region_name="us-east-1")
            """,
        "tests/conftest.py": """
            import boto3


            def handler(event, context):
                return boto3.client("sns", region_name="us-west-2")
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL107") == []


def test_handler_named_by_the_template_counts(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_template(handler="worker.run", timeout=10),
        "src/worker.py": """
            import boto3

            sns = boto3.client("sns", region_name="us-west-2")


            def run(message):
                return sns.publish(TopicArn="t", Message=message)
            """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL107")
    assert [(f["path"], f["line"]) for f in findings] == [("src/worker.py", 3)]


def test_suppression_comment_silences_it(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3

        sns = boto3.client("sns", region_name="us-west-2")  # lambdalint: ignore[LL107]


        def handler(event, context):
            return sns
        """})
    assert check_json(["app.py"], tmp_path, "--select", "LL107") == []
