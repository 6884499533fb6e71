"""The engine's own duties: linking in pre-commit runs, one finding per problem, no crash."""

from __future__ import annotations

from helpers import HANDLER_BY_CONFIG_ONLY, check_json, ids_and_lines, sam_template, write

TEMPLATE = sam_template("orders/", "app.process", "OrdersFunction")
HANDLER = HANDLER_BY_CONFIG_ONLY


def test_precommit_file_list_still_reads_the_template_around_it(tmp_path):
    write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "template.yaml": TEMPLATE,
                     "orders/app.py": HANDLER})
    # pre-commit passes only the changed handler file: the template is read for linking,
    # its own findings (LL201: no timeout) are not reported, the handler's are.
    findings = check_json(["orders/app.py"], tmp_path)
    assert ids_and_lines(findings) == [("LL102", 5)]
    assert findings[0]["path"] == "orders/app.py"


def test_without_the_template_the_function_is_not_a_handler(tmp_path):
    write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "orders/app.py": HANDLER})
    assert check_json(["orders/app.py"], tmp_path) == []


def test_whole_tree_reports_template_and_handler(tmp_path):
    write(tmp_path, {"template.yaml": TEMPLATE, "orders/app.py": HANDLER})
    findings = check_json(["."], tmp_path)
    assert [(f["path"], f["rule"], f["line"]) for f in findings] == [
        ("orders/app.py", "LL102", 5),
        ("template.yaml", "LL201", 3),
    ]


def test_file_libcst_rejects_after_parsing_is_ll001_and_the_run_goes_on(tmp_path):
    write(tmp_path, {"bad.py": 'x = "a" b"b"\n',
                     "good.py": 'PASSWORD = "Xk9vQ2mLw7Rt-orders"\n'})
    findings = check_json(["."], tmp_path)
    assert [(f["path"], f["rule"], f["line"]) for f in findings] == [
        ("bad.py", "LL001", 1), ("good.py", "LL101", 1)]


CDK_APP = """
from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_


class OrdersStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        lambda_.Function(
            self, "Orders",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(10),
            environment={"DB_PASSWORD": "Xk9vQ2mLw7Rt-orders"},
        )
"""


def test_a_secret_in_a_cdk_environment_is_reported_once_as_ll204(tmp_path):
    write(tmp_path, {"cdk.json": "{}", "app.py": CDK_APP, "lambda/app.py": "def handler(e, c):\n    return 1\n"})
    findings = check_json(["."], tmp_path)
    assert ids_and_lines(findings) == [("LL204", 14)]
    # the same literal, seen by the code rule alone
    assert ids_and_lines(check_json(["app.py"], tmp_path, "--select", "LL101")) == [("LL101", 14)]
