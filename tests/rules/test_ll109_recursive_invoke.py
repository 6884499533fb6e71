"""LL109 recursive-invoke through the real CLI: the ways code names its own function, the
guards that stop a chain, and the names deployment configs give a function (SAM, Terraform,
CDK, inline code)."""

from __future__ import annotations

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam, sam_inline, terraform_function, write

FANOUT = """
import json
import os

import boto3

lam = boto3.client("lambda")


def handler(event, context):
    for item in event["items"]:
        lam.invoke(FunctionName={target}, InvocationType="Event",
                   Payload=json.dumps(item))
    return {{"queued": len(event["items"])}}
"""


def _check(tmp_path, files, *paths):
    write(tmp_path, {"lambdalint.toml": "", **files})
    return check_json(list(paths) or ["."], tmp_path, "--select", "LL109")


def test_the_runtime_variable_and_the_context_name_are_the_function_itself(tmp_path):
    found = _check(tmp_path, {
        "env.py": FANOUT.format(target='os.environ["AWS_LAMBDA_FUNCTION_NAME"]'),
        "ctx.py": FANOUT.format(target="context.invoked_function_arn"),
        "other.py": FANOUT.format(target='os.environ["WORKER"]'),
    })
    assert [(f["path"], f["line"]) for f in found] == [("ctx.py", 11), ("env.py", 11)]
    assert "AWS_LAMBDA_FUNCTION_NAME is the function's own name" in found[1]["message"]
    assert "the context's invoked_function_arn" in found[0]["message"]
    assert "depth" in found[0]["suggestion"] and "16 invocations" in found[0]["suggestion"]


def test_guards_on_the_event_a_depth_or_the_time_left_silence_it(tmp_path):
    found = _check(tmp_path, {
        "depth.py": """
            import os
            import boto3

            lam = boto3.client("lambda")
            MAX_DEPTH = 5


            def handler(event, context):
                if event.get("generation", 0) >= MAX_DEPTH:
                    return None
                lam.invoke(FunctionName=context.function_name, InvocationType="Event")
            """,
        "time.py": """
            import boto3

            lam = boto3.client("lambda")


            def handler(event, context):
                while work_left():
                    if context.get_remaining_time_in_millis() < 10_000:
                        lam.invoke(FunctionName=context.function_name, InvocationType="Event")
                        return


            def work_left():
                return False
            """,
        "local.py": """
            import os
            import boto3


            def rerun():
                boto3.client("lambda").invoke(FunctionName=os.environ["AWS_LAMBDA_FUNCTION_NAME"])
            """,
    })
    assert found == []


def test_sam_function_name_and_the_variable_holding_it(tmp_path):
    template = sam("""\
        Resources:
          Fanout:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Timeout: 120
              FunctionName: orders-fanout
              Environment:
                Variables:
                  ME: orders-fanout
                  WORKER: orders-worker
        """)
    found = _check(tmp_path, {
        "template.yaml": template,
        "src/app.py": FANOUT.format(target='os.environ["ME"]').replace(
            "return {", 'lam.invoke(FunctionName="orders-fanout", InvocationType="Event")\n'
                        '    lam.invoke(FunctionName=os.environ["WORKER"], InvocationType="Event")\n'
                        "    return {"),
    })
    assert ids_and_lines(found) == [("LL109", 11), ("LL109", 13)]
    assert "the config sets ME to the function's own name" in found[0]["message"]
    assert "this code (Fanout: the config sets ME" in found[0]["message"]
    assert "Fanout is deployed as orders-fanout" in found[1]["message"]


def test_terraform_function_name(tmp_path):
    tf = terraform_function("data.archive_file.fn.output_path", body="""
        environment {
          variables = { SELF_NAME = "fn" }
        }
        """, before="""
        data "archive_file" "fn" {
          type        = "zip"
          source_dir  = "${path.module}/src"
          output_path = "fn.zip"
        }
        """).replace("timeout       = 10", "timeout       = 120")
    found = _check(tmp_path, {"main.tf": tf,
                              "src/app.py": FANOUT.format(target='os.getenv("SELF_NAME")')})
    assert ids_and_lines(found) == [("LL109", 11)]
    assert "aws_lambda_function.fn" in found[0]["message"]


def test_cdk_function_name(tmp_path):
    files = cdk_app(
        'fn = _lambda.Function(self, "Fanout", runtime=_lambda.Runtime.PYTHON_3_12,\n'
        '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
        '                      function_name="fanout", timeout=Duration.seconds(120))\n')
    found = _check(tmp_path, {**files, "src/app.py": FANOUT.format(
        target='"arn:aws:lambda:us-east-1:123456789012:function:fanout"')})
    assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 11)]
    assert "Fanout is deployed as fanout" in found[0]["message"]


def test_inline_code(tmp_path):
    template = sam_inline("""\
        import boto3
        lam = boto3.client("lambda")
        def handler(event, context):
            lam.invoke(FunctionName=context.function_name, InvocationType="Event")
        """, timeout=120)
    found = _check(tmp_path, {"template.yaml": template})
    assert ids_and_lines(found) == [("LL109", line_of(template, "lam.invoke("))]
