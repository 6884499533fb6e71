"""LL214 reserved-environment-variable across formats: real files in tmp_path, the real CLI.

Exact rule ids and lines per format, one finding per shared line (SAM Globals, Serverless
provider), what stays silent (names Lambda lets you set, other spellings), suppression, and
that a literal credential under a reserved name is LL204's too without the secret being shown.
"""

from __future__ import annotations

import json

import helpers
from helpers import (cdk_orders, ids_and_lines, line_of, sam, sam_environment, sam_inline,
                     sam_resource, sam_resources, terraform_environment)

REFUSED = ("the deployment is refused (\"Lambda was unable to configure your environment "
           "variables because the environment variables you have provided contains reserved "
           "keys\")")


def lint(root, files, select="LL214"):
    return helpers.lint(root, files, select)


class TestSam:
    TEMPLATE = sam("""\
        Globals:
          Function:
            Timeout: 10
            Environment:
              Variables:
                AWS_DEFAULT_REGION: eu-west-1
                LOG_LEVEL: INFO
        Resources:
          AFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.a
              Runtime: python3.12
              CodeUri: src/
              Environment:
                Variables:
                  _HANDLER: app.other
                  TZ: Asia/Tokyo
                  aws_region: eu-west-1
                  Aws_Region: eu-west-1
                  TABLE_NAME: orders
          BFunction:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.b, Runtime: python3.12, CodeUri: src/}
          CFunction:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.c, Runtime: python3.12, CodeUri: src/}
        """)

    def test_function_and_globals(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": self.TEMPLATE})
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL214", at("AWS_DEFAULT_REGION:")),
                                           ("LL214", at("_HANDLER:"))]
        shared, own = findings
        assert shared["message"] == (
            "AWS_DEFAULT_REGION in the environment of AFunction, BFunction, CFunction is "
            f"reserved by Lambda, which sets it itself: {REFUSED}")
        assert shared["severity"] == "error"
        assert "already sets it to the Region" in shared["suggestion"]
        assert shared["suggestion"].startswith("Remove AWS_DEFAULT_REGION")
        assert own["message"].startswith("_HANDLER in the environment of AFunction is reserved")
        assert own["suggestion"].startswith("Remove _HANDLER: Lambda sets it itself (the handler")

    def test_settable_and_other_spellings_are_silent(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(sam_resource(
            "Fn", timeout=10, properties=sam_environment("""\
            TZ: Asia/Tokyo
            LANG: en_US.UTF-8
            NODE_OPTIONS: --enable-source-maps
            PYTHONPATH: /opt/python
            AWS_XRAY_CONTEXT_MISSING: IGNORE_ERROR
            aws_region: eu-west-1
            AWS_REGION_NAME: eu-west-1
            MY_AWS_REGION: eu-west-1
            AWS_SECRET_KEY_NAME: prod/key
            """)))})
        assert findings == []

    def test_suppressed_by_comment_on_the_line_or_metadata(self, tmp_path):
        findings = lint(tmp_path, {"template.yaml": sam_resources(
            sam_resource("ByComment", timeout=10, properties=sam_environment("""\
                AWS_REGION: eu-west-1  # lambdalint: ignore[LL214]
                LAMBDA_TASK_ROOT: /var/task
                """)),
            sam_resource("ByMetadata", timeout=10, properties=sam_environment("AWS_REGION: eu-west-1"),
                         metadata="{lambdalint: {ignore: [reserved-environment-variable]}}"))})
        assert ids_and_lines(findings) == [
            ("LL214", line_of(tmp_path / "template.yaml", "LAMBDA_TASK_ROOT:"))]

    def test_credentials_are_ll204_too_and_never_shown(self, tmp_path):
        key_id, secret = "AKIAZ7Q2M4N8P3R5T6W1", "Zk3pQ9xLm2Vn8Rt5Wy7B/Zk3pQ9xLm2Vn8Rt5Wy7B"
        findings = lint(tmp_path, {"template.yaml": sam_resources(sam_resource(
            "Fn", timeout=10, properties=sam_environment(f"""\
            AWS_ACCESS_KEY_ID: {key_id}
            AWS_SECRET_ACCESS_KEY: {secret}
            AWS_SESSION_TOKEN: !Ref SessionToken
            """)))}, select="LL204,LL214")
        at = lambda needle: line_of(tmp_path / "template.yaml", needle)  # noqa: E731
        assert sorted(ids_and_lines(findings)) == sorted([
            ("LL214", at("AWS_ACCESS_KEY_ID:")), ("LL204", at("AWS_ACCESS_KEY_ID:")),
            ("LL214", at("AWS_SECRET_ACCESS_KEY:")), ("LL204", at("AWS_SECRET_ACCESS_KEY:")),
            ("LL214", at("AWS_SESSION_TOKEN:"))])
        for finding in findings:
            if finding["rule"] == "LL214":
                assert "the function's execution role provides credentials" in finding["suggestion"]
        shown = json.dumps(findings)
        assert key_id not in shown and secret not in shown


class TestCloudFormationJson:
    def test_function_environment(self, tmp_path):
        template = json.dumps({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Handler": "app.handler", "Runtime": "python3.12", "Timeout": 10,
                "Role": "arn:aws:iam::123456789012:role/fn",
                "Code": {"S3Bucket": "b", "S3Key": "k.zip"},
                "Environment": {"Variables": {"TABLE": "orders",
                                              "AWS_LAMBDA_FUNCTION_NAME": "fn",
                                              "TZ": "UTC"}}}}},
        }, indent=2)
        findings = lint(tmp_path, {"template.json": template})
        assert ids_and_lines(findings) == [
            ("LL214", line_of(template, '"AWS_LAMBDA_FUNCTION_NAME"'))]
        assert findings[0]["path"] == "template.json"
        assert findings[0]["message"].startswith(
            "AWS_LAMBDA_FUNCTION_NAME in the environment of Fn is reserved by Lambda")


class TestServerless:
    def test_provider_and_function_environment(self, tmp_path):
        findings = lint(tmp_path, {"serverless.yml": """\
            service: orders
            provider:
              name: aws
              runtime: python3.12
              timeout: 10
              environment:
                AWS_REGION: ${self:provider.region}
                STAGE: ${sls:stage}
            functions:
              create:
                handler: src/orders.create
                environment:
                  AWS_SESSION_TOKEN: ${env:AWS_SESSION_TOKEN}
                  TZ: Europe/Paris
              get:
                handler: src/orders.get
            """})
        at = lambda needle: line_of(tmp_path / "serverless.yml", needle)  # noqa: E731
        assert ids_and_lines(findings) == [("LL214", at("AWS_REGION:")),
                                           ("LL214", at("AWS_SESSION_TOKEN:"))]
        assert findings[0]["message"].startswith(
            "AWS_REGION in the environment of create, get is reserved")
        assert findings[1]["message"].startswith(
            "AWS_SESSION_TOKEN in the environment of create is reserved")


class TestTerraform:
    def test_environment_variables(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_environment("""\
            TABLE_NAME         = "orders"
            AWS_DEFAULT_REGION = "eu-west-1"
            aws_region         = "eu-west-1"
            TZ                 = "UTC"
            """)})
        assert ids_and_lines(findings) == [
            ("LL214", line_of(tmp_path / "main.tf", "AWS_DEFAULT_REGION ="))]
        assert findings[0]["message"].startswith(
            "AWS_DEFAULT_REGION in the environment of aws_lambda_function.api is reserved")


class TestCdk:
    def test_environment_dict(self, tmp_path):
        findings = lint(tmp_path, cdk_orders("""\
            environment={
                "TABLE_NAME": "orders",
                "AWS_REGION": "eu-west-1",
                "TZ": "UTC",
            },
            """))
        assert ids_and_lines(findings) == [("LL214", line_of(tmp_path / "app.py", '"AWS_REGION"'))]
        assert "already sets it to the Region" in findings[0]["suggestion"]

    def test_add_environment(self, tmp_path):
        findings = lint(tmp_path, cdk_orders(after="""\
            fn.add_environment("TABLE_NAME", "orders")
            fn.add_environment("AWS_LAMBDA_LOG_GROUP_NAME", "/custom/orders")
            """))
        assert ids_and_lines(findings) == [
            ("LL214", line_of(tmp_path / "app.py", '"AWS_LAMBDA_LOG_GROUP_NAME"'))]


# -- the part on handler code (lambdalint/rules/_ll214_in_code.py) --------------------------


class TestCode:
    def test_module_level_and_reached_writes_are_reported_with_what_they_break(self, tmp_path):
        found = lint(tmp_path, {"app.py": """
            import os
            from os import environ

            os.environ["AWS_REGION"] = "us-east-1"
            KEY = "AWS_SECRET_ACCESS_KEY"


            def drop_keys():
                environ.pop(KEY, None)


            def handler(event, context):
                drop_keys()
                os.environ.update(AWS_LAMBDA_FUNCTION_NAME="x", TABLE="orders")
                return 1
            """})
        assert ids_and_lines(found) == [("LL214", 4), ("LL214", 9), ("LL214", 14)]
        region, keys, name = (f["message"] for f in found)
        assert "sets AWS_REGION" in region and "at init" in region and "Region" in region
        assert "removes AWS_SECRET_ACCESS_KEY" in keys and "per invocation" in keys
        assert "credentials" in keys
        assert "sets AWS_LAMBDA_FUNCTION_NAME" in name
        assert "region_name=" in found[0]["suggestion"]

    def test_local_runs_scripts_tests_and_own_names_stay_silent(self, tmp_path):
        found = lint(tmp_path, {
            "app.py": """
                import os


                def handler(event, context):
                    os.environ["MY_REGION"] = event["region"]
                    return os.environ["AWS_REGION"]


                def unused():
                    os.environ["AWS_REGION"] = "eu-west-1"


                if __name__ == "__main__":
                    os.environ["AWS_REGION"] = "us-east-1"
                    handler({}, None)
                """,
            "scripts/deploy.py": 'import os\n\nos.environ["AWS_DEFAULT_REGION"] = "eu-west-1"\n',
            "tests/test_app.py": 'import os\n\nos.environ["AWS_REGION"] = "us-east-1"\n\n'
                                 'def test_handler():\n    pass\n',
        })
        assert found == []

    def test_a_handler_only_the_template_names_is_judged_as_one(self, tmp_path):
        # process(payload) is no handler by its shape: the template makes it one.
        found = lint(tmp_path, {
            "template.yaml": sam("""\
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Runtime: python3.12
                      Handler: app.process
                      CodeUri: src/
                      Timeout: 10
                """),
            "src/app.py": 'import os\n\n\ndef process(payload):\n'
                          '    del os.environ["AWS_SESSION_TOKEN"]\n    return payload\n',
        })
        assert ids_and_lines(found) == [("LL214", 5)]
        assert found[0]["path"] == "src/app.py"

    def test_config_and_code_parts_report_under_one_id(self, tmp_path):
        template = sam_inline("""\
            import os
            os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"
            def handler(event, context):
                return 1
            """, properties="Environment:\n  Variables:\n    AWS_REGION: eu-west-1\n")
        found = lint(tmp_path, {"template.yaml": template})
        assert sorted(ids_and_lines(found)) == [
            ("LL214", line_of(template, "AWS_REGION: eu-west-1")),
            ("LL214", line_of(template, 'os.environ["AWS_DEFAULT_REGION"]'))]
        assert {f["severity"] for f in found} == {"error"}

    def test_the_code_part_is_silenced_like_any_rule(self, tmp_path):
        found = lint(tmp_path, {"app.py": """
            import os

            os.environ["AWS_REGION"] = "us-east-1"  # lambdalint: ignore[LL214]


            def handler(event, context):
                return 1
            """})
        assert found == []


def test_one_id_has_a_config_part_and_a_code_part():
    from lambdalint import registry

    rule = registry.get("LL214")
    assert (rule.kind, rule.checks_config, rule.checks_code) == ("config", True, True)
    assert rule.code_module == "lambdalint.rules._ll214_in_code"
    assert rule.load_code().ID == "LL214" and rule.load().ID == "LL214"
    assert not registry.get("LL201").checks_code and not registry.get("LL105").checks_config
