"""LL106 handler-response-shape through the real CLI: values JSON cannot hold (without a config),
and the proxy response shape by trigger in SAM, Serverless, Terraform and CDK."""

from __future__ import annotations

from helpers import cdk_app, check_json, ids_and_lines, sam, sam_resource, sam_resources, write

PLAIN = '''
import json


def handler(event, context):
    return json.dumps({"ok": True})
'''


def _check(tmp_path, files):
    write(tmp_path, {"lambdalint.toml": "", **files})
    return check_json(["."], tmp_path, "--select", "LL106")


def test_values_json_cannot_hold_are_reported_where_they_are(tmp_path):
    found = _check(tmp_path, {"app.py": """
        import base64
        import datetime
        import json
        import os
        from decimal import Decimal

        import boto3

        TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


        def handler(event, context):
            if event.get("a"):
                return {"when": datetime.datetime.utcnow()}
            if event.get("b"):
                return {"price": Decimal("1.10"), "ok": True}
            if event.get("c"):
                return {"statusCode": 200, "body": base64.b64encode(b"png"),
                        "isBase64Encoded": True}
            if event.get("d"):
                items = TABLE.query(KeyConditionExpression="x")["Items"]
                return {"statusCode": 200, "body": json.dumps(items)}
            return {"tags": frozenset(event["tags"])}
        """})
    assert ids_and_lines(found) == [("LL106", 14), ("LL106", 16), ("LL106", 18), ("LL106", 22),
                                    ("LL106", 23)]
    when, price, body, items, tags = (f["message"] for f in found)
    assert "returns a datetime" in when and "MarshalError" in when
    assert "returns a Decimal" in price
    assert "returns bytes" in body
    assert "returns a DynamoDB item" in items and "json.dumps raises TypeError" in items
    assert "returns a set" in tags
    assert "isoformat" in found[0]["suggestion"] and "default=str" in found[3]["suggestion"]


def test_converted_values_helpers_and_tests_stay_silent(tmp_path):
    found = _check(tmp_path, {
        "app.py": """
            import base64
            import datetime
            import json


            def handler(event, context):
                return {"when": datetime.datetime.utcnow().isoformat(),
                        "tags": sorted(set(event["tags"])),
                        "png": base64.b64encode(b"png").decode("ascii"),
                        "body": json.dumps({"at": datetime.date.today()}, default=str)}


            def helper(a, b):
                return {1, 2}, b"x"
            """,
        "tests/test_app.py": "def test_x():\n    return {1}\n",
    })
    assert found == []


def _sam(event: str) -> str:
    properties = ", Properties: {Path: /, Method: get}" if event == "Api" else ""
    return sam_resources(sam_resource("Hello", timeout=10, events=[f"Get: {{Type: {event}{properties}}}"]))


class TestProxyShape:
    def test_sam_rest_api_needs_a_status_code_http_api_does_not(self, tmp_path):
        write(tmp_path / "rest", {"template.yaml": _sam("Api"), "src/app.py": PLAIN})
        write(tmp_path / "http", {"template.yaml": _sam("HttpApi"), "src/app.py": PLAIN})
        found = _check(tmp_path, {})
        assert [(f["path"], f["line"]) for f in found] == [("rest/src/app.py", 5)]
        assert "returns a JSON string, not a response dict" in found[0]["message"]
        assert "Hello's API Gateway REST API trigger (rest/template.yaml:" in found[0]["message"]
        assert "502" in found[0]["message"]

    def test_a_dict_without_status_code_and_a_body_that_is_not_a_string(self, tmp_path):
        found = _check(tmp_path, {"template.yaml": _sam("Api"), "src/app.py": """
            def handler(event, context):
                if event.get("x"):
                    return {"message": "hello"}
                if event.get("y"):
                    return {"statusCode": 200, "body": {"message": "hello"}}
                return {"statusCode": 200, "body": "hello", **event.get("extra", {})}
            """})
        assert ids_and_lines(found) == [("LL106", 3), ("LL106", 5)]
        assert "without statusCode" in found[0]["message"]
        assert "body that is not a string" in found[1]["message"]

    def test_serverless_http_and_http_api(self, tmp_path):
        found = _check(tmp_path, {"serverless.yml": """
            service: hello
            provider:
              name: aws
              runtime: python3.12
              timeout: 10
            functions:
              rest:
                handler: rest.handler
                events:
                  - http: {path: /, method: get}
              http:
                handler: http.handler
                events:
                  - httpApi: {path: /, method: get}
            """, "rest.py": PLAIN, "http.py": PLAIN})
        assert [(f["path"], f["line"]) for f in found] == [("rest.py", 5)]

    def test_terraform_rest_api_integration(self, tmp_path):
        tf = '''
            data "archive_file" "fn" {
              type        = "zip"
              source_dir  = "${path.module}/src"
              output_path = "fn.zip"
            }

            resource "aws_lambda_function" "hello" {
              function_name = "hello"
              role          = "arn:aws:iam::123456789012:role/r"
              handler       = "app.handler"
              runtime       = "python3.12"
              timeout       = 10
              filename      = data.archive_file.fn.output_path
            }

            resource "aws_api_gateway_integration" "get" {
              rest_api_id             = "abc"
              resource_id             = "def"
              http_method             = "GET"
              integration_http_method = "POST"
              type                    = "AWS_PROXY"
              uri                     = aws_lambda_function.hello.invoke_arn
            }
            '''
        found = _check(tmp_path, {"main.tf": tf, "src/app.py": PLAIN})
        assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 5)]

    def test_cdk_lambda_rest_api(self, tmp_path):
        files = cdk_app(
            'from aws_cdk import aws_apigateway as apigw\n'
            'fn = _lambda.Function(self, "Hello", runtime=_lambda.Runtime.PYTHON_3_12,\n'
            '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
            '                      timeout=Duration.seconds(10))\n'
            'apigw.LambdaRestApi(self, "Api", handler=fn)\n')
        found = _check(tmp_path, {**files, "src/app.py": PLAIN})
        assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 5)]
        assert "Hello's API Gateway REST API trigger (app.py:" in found[0]["message"]

    def test_an_api_with_its_own_definition_may_map_the_response(self, tmp_path):
        # From serverless-patterns (apigw-mappingtemplate-lambda): the Api's OpenAPI definition
        # integrates without a proxy and maps the response with a template.
        template = sam("""\
            Resources:
              RestApi:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: dev
                  DefinitionUri: ./api.yaml
              Hello:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: src/
                  Timeout: 10
                  Events:
                    Any:
                      Type: Api
                      Properties: {RestApiId: !Ref RestApi, Path: /, Method: any}
            """)
        found = _check(tmp_path, {"template.yaml": template, "src/app.py":
                                  'def handler(event, context):\n    return {"body": "x"}\n'})
        assert found == []
