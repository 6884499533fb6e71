"""LL203 in CDK names the function's own resources: the CDK reader records what an environment
value references (``EnvVar.refers``), so the suggested ``resources=[...]`` and grant method name
the construct's variable instead of a placeholder (real app files, the real CLI)."""

from __future__ import annotations

from helpers import cdk_app, ids_and_lines, line_of, lint

STATEMENT = """\
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
self.uploads = s3.Bucket(self, "Uploads")
jobs = sqs.Queue(self, "Jobs")
fn = _lambda.Function(self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,
                      handler="app.handler", code=_lambda.Code.from_asset("src"),
                      timeout=Duration.seconds(10),
                      environment={"BUCKET": self.uploads.bucket_name, %(more)s})
fn.add_to_role_policy(iam.PolicyStatement(actions=%(actions)s, resources=["*"]))
"""


def _suggestion(tmp_path, actions: str, more: str = '"STAGE": "dev"') -> str:
    files = cdk_app(STATEMENT % {"actions": actions, "more": more})
    findings = lint(tmp_path, files, "LL203")
    assert ids_and_lines(findings) == [("LL203", line_of(files["app.py"], 'resources=["*"]'))]
    return findings[0]["suggestion"]


def test_the_bucket_the_environment_names_fills_in_the_placeholder(tmp_path):
    assert _suggestion(tmp_path, '["s3:GetObject", "s3:PutObject"]') == (
        'Name the resources instead of "*" (the function\'s environment names self.uploads):\n'
        '    resources=[self.uploads.arn_for_objects("*")],\n'
        "or use a grant method (self.uploads.grant_read_write(fn)), which writes a scoped "
        "policy for you.")


def test_each_service_its_own_resource_and_a_placeholder_for_the_rest(tmp_path):
    suggestion = _suggestion(tmp_path, '["sqs:SendMessage", "dynamodb:PutItem"]',
                             '"QUEUE_URL": f"{jobs.queue_url}"')
    assert suggestion.startswith(
        'Name the resources instead of "*" (the function\'s environment names jobs):\n'
        "    resources=[jobs.queue_arn, table.table_arn],")


def test_a_construct_no_variable_holds_keeps_the_placeholder(tmp_path):
    suggestion = _suggestion(tmp_path, '["sns:Publish"]',
                             '"TOPIC": sns.Topic(self, "Alerts").topic_arn')
    assert suggestion.startswith('Name the resources instead of "*":\n    resources=[topic.topic_arn],')
