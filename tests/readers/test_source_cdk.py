"""The AWS CDK reader, on real CDK app files (Python) written for each test, never run."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Dict

import pytest

from lambdalint import registry
from lambdalint.discovery import SourceFile
from lambdalint.model import Function
from lambdalint.sources import cdk
from helpers import (
    check_json,
    environment_of,
    ids_and_lines,
    linked_by_name,
    values_at,
    write,
)

HANDLER = """
def handler(event, context):
    return {"statusCode": 200}
"""

HEADER = """
import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
"""


def at(text: str, needle: str, nth: int = 0) -> int:
    """The 1-based line of the ``nth`` line holding ``needle`` in the dedented ``text``."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if needle in line]
    assert len(found) > nth, (needle, found)
    return found[nth]


def read(root: Path, text: str, name: str = "app.py", cdk_json: bool = True,
         extra: Dict[str, str] = None) -> Dict[str, Function]:
    """Write a CDK project (cdk.json, lambda/app.py, the app file) and read the app file."""
    files = {name: text, "lambda/app.py": HANDLER}
    if cdk_json:
        files["cdk.json"] = '{"app": "python3 app.py"}\n'
    files.update(extra or {})
    write(root, files)
    functions, errors = cdk.read_app(SourceFile(root / name, name, "python"))
    assert errors == []
    return linked_by_name(functions)


def stack(body: str, header: str = HEADER) -> str:
    """A stack class around ``body`` (the __init__ body, written at 8 spaces)."""
    return textwrap.dedent(header).lstrip("\n") + textwrap.dedent("""

        class AppStack(Stack):
            def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
                super().__init__(scope, construct_id, **kwargs)
        """) + textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8) + "\n"


# ---------------------------------------------------------------------------------------------
# Functions, names, lines, handler, runtime, code, linking


def test_reads_a_function_and_links_its_handler(tmp_path):
    text = stack("""
        fn = lambda_.Function(
            self, "HelloFunction",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset("lambda", exclude=["tests/*", "*.md"]),
            memory_size=256,
        )
    """)
    hello = read(tmp_path, text)["HelloFunction"]
    assert (hello.format, hello.path) == ("cdk", "app.py")
    assert hello.line == at(text, "lambda_.Function(")
    assert hello.end_line == at(text, "        )", 0)
    assert (hello.runtime.value, hello.runtime.line) == ("python3.12", at(text, "runtime="))
    assert (hello.handler.value, hello.handler.line) == ("app.handler", at(text, "handler="))
    assert (hello.memory.value, hello.memory.line) == (256, at(text, "memory_size"))
    assert hello.code.kind == "local"
    assert hello.code.path == str(tmp_path / "lambda")
    assert hello.code.excludes == ["tests/*", "*.md"]
    assert hello.handler_file == str(tmp_path / "lambda" / "app.py")
    assert hello.handler_function == "handler"
    assert hello.role is None


@pytest.mark.parametrize("imports, function, runtime, code", [
    ("from aws_cdk import aws_lambda as _lambda", "_lambda.Function", "_lambda.Runtime.PYTHON_3_11",
     '_lambda.Code.from_asset("lambda")'),
    ("import aws_cdk.aws_lambda as lmb", "lmb.Function", "lmb.Runtime.PYTHON_3_11",
     'lmb.Code.from_asset("lambda")'),
    ("import aws_cdk.aws_lambda", "aws_cdk.aws_lambda.Function",
     "aws_cdk.aws_lambda.Runtime.PYTHON_3_11", 'aws_cdk.aws_lambda.Code.from_asset("lambda")'),
    ("from aws_cdk.aws_lambda import Function, Runtime, Code", "Function", "Runtime.PYTHON_3_11",
     'Code.from_asset("lambda")'),
    ("from aws_cdk.aws_lambda import Function as Fn, Runtime as R, AssetCode", "Fn",
     "R.PYTHON_3_11", 'AssetCode("lambda")'),
    ("import aws_cdk as cdk", "cdk.aws_lambda.Function", "cdk.aws_lambda.Runtime.PYTHON_3_11",
     'cdk.aws_lambda.Code.from_asset("lambda")'),
    ("from aws_cdk import aws_lambda", "aws_lambda.SingletonFunction",
     "aws_lambda.Runtime.PYTHON_3_11", 'aws_lambda.Code.from_asset("lambda")'),
])
def test_every_import_spelling(tmp_path, imports, function, runtime, code):
    text = f"""
        {imports}
        from aws_cdk import Stack

        class S(Stack):
            def __init__(self, scope, id):
                super().__init__(scope, id)
                {function}(self, "Fn", runtime={runtime}, handler="app.handler",
                           code={code})
    """
    fn = read(tmp_path, text)["Fn"]
    assert fn.line == 7
    assert fn.runtime.value == "python3.11"
    assert fn.code.path == str(tmp_path / "lambda")
    assert fn.handler_file == str(tmp_path / "lambda" / "app.py")


def test_not_cdk_lambda_constructs_are_not_functions(tmp_path):
    text = stack("""
        lambda_.Function.from_function_arn(self, "Imported", fn_arn)
        lambda_.Alias(self, "Live", alias_name="live", version=None)
        Function = print
        Function(self, "NotCdk")
        mything.Function(self, "AlsoNot")
    """)
    assert read(tmp_path, text) == {}


def test_cdk_v1_core_and_asset(tmp_path):
    text = """
        from aws_cdk import core
        from aws_cdk import aws_lambda as _lambda
        from aws_cdk.core import Duration as D

        class V1Stack(core.Stack):
            def __init__(self, scope: core.Construct, id: str, **kwargs) -> None:
                super().__init__(scope, id, **kwargs)
                _lambda.Function(self, "One", runtime=_lambda.Runtime.PYTHON_3_8,
                                 handler="app.handler", code=_lambda.Code.asset("lambda"),
                                 timeout=core.Duration.seconds(15))
                _lambda.Function(self, "Two", runtime=_lambda.Runtime.PYTHON_3_8,
                                 handler="app.handler", code=_lambda.Code.asset("lambda"),
                                 timeout=D.minutes(2))
    """
    functions = read(tmp_path, text)
    one, two = functions["One"], functions["Two"]
    assert (one.timeout.seconds, one.timeout.origin, one.timeout.line) == (15, "function", 10)
    assert (two.timeout.seconds, two.timeout.origin, two.timeout.line) == (120, "function", 13)
    assert one.handler_file == str(tmp_path / "lambda" / "app.py")


def test_python_function_entry_index_and_handler(tmp_path):
    text = stack("""
        PythonFunction(self, "Defaults", entry="lambda")
        PythonFunction(self, "Named", entry="services/orders", index="api/main.py",
                       handler="lambda_handler", runtime=lambda_.Runtime.PYTHON_3_13)
    """, HEADER + "from aws_cdk.aws_lambda_python_alpha import PythonFunction\n")
    functions = read(tmp_path, text, extra={
        "lambda/index.py": "def handler(event, context):\n    return 1\n",
        "services/orders/api/main.py": "def lambda_handler(event, context):\n    return 1\n",
    })
    defaults, named = functions["Defaults"], functions["Named"]
    assert defaults.handler.value == "index.handler"
    assert defaults.handler.line == defaults.line
    assert defaults.code.path == str(tmp_path / "lambda")
    assert defaults.handler_file == str(tmp_path / "lambda" / "index.py")
    assert named.handler.value == "api.main.lambda_handler"
    assert named.handler.line == at(text, 'handler="lambda_handler"')
    assert named.handler_file == str(tmp_path / "services" / "orders" / "api" / "main.py")
    assert named.handler_function == "lambda_handler"
    assert named.runtime.value == "python3.13"
    assert (defaults.timeout.seconds, defaults.timeout.origin) == (3, "default")


def test_docker_image_and_other_code_kinds(tmp_path):
    text = stack("""
        lambda_.DockerImageFunction(self, "Image",
            code=lambda_.DockerImageCode.from_image_asset("image"))
        lambda_.DockerImageFunction(self, "Ecr",
            code=lambda_.DockerImageCode.from_ecr(repo, tag_or_digest="v1"))
        lambda_.Function(self, "Zip", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
            code=lambda_.Code.from_asset("dist/bundle.zip"))
        lambda_.Function(self, "S3", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
            code=lambda_.Code.from_bucket(bucket, "builds/app.zip"))
        lambda_.Function(self, "Odd", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
            code=make_code())
    """)
    functions = read(tmp_path, text)
    assert (functions["Image"].code.kind, functions["Image"].code.path) == \
        ("image", str(tmp_path / "image"))
    assert functions["Image"].handler is None and functions["Image"].runtime is None
    assert functions["Ecr"].code.kind == "image"
    assert (functions["Zip"].code.kind, functions["Zip"].code.path) == \
        ("zip", str(tmp_path / "dist" / "bundle.zip"))
    assert (functions["S3"].code.kind, functions["S3"].code.path) == ("s3", "builds/app.zip")
    assert functions["Odd"].code.kind == "unknown"
    assert all(f.handler_file is None for f in functions.values())


@pytest.mark.parametrize("expression", [
    'os.path.join(os.path.dirname(__file__), "..", "lambda")',
    'os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir if False else "..", '
    '"lambda")',
    'str(Path(__file__).parent.parent / "lambda")',
    'str(Path(__file__).resolve().parents[1] / "lambda")',
    'str(Path(__file__).parent.joinpath("..", "lambda"))',
    'LAMBDA_DIR',
    'path.join(ROOT, "lambda")',
    'f"{ROOT}/lambda"',
    '"lambda"',
])
def test_asset_paths_evaluated_statically(tmp_path, expression):
    text = f"""
        import os
        from os import path
        from pathlib import Path
        from aws_cdk import aws_lambda as lambda_

        ROOT = os.path.dirname(os.path.dirname(__file__))
        LAMBDA_DIR = os.path.join(ROOT, "lambda")

        def build(scope):
            lambda_.Function(scope, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
                             handler="app.handler", code=lambda_.Code.from_asset({expression}))
    """
    fn = read(tmp_path, text, name="stacks/app_stack.py")["Fn"]
    if "pardir" in expression:  # a conditional expression is not evaluated
        assert fn.code.kind == "unknown"
        return
    assert fn.code.path == str(tmp_path / "lambda"), expression
    assert fn.handler_file == str(tmp_path / "lambda" / "app.py")


def test_relative_paths_resolve_against_the_cdk_json_directory(tmp_path):
    text = """
        from aws_cdk import aws_lambda as lambda_
        lambda_.Function(app, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
                         code=lambda_.Code.from_asset("lambda"))
    """
    with_json = read(tmp_path / "a", text, name="infra/stacks/stack.py")["Fn"]
    assert with_json.code.path == str(tmp_path / "a" / "lambda")
    without = read(tmp_path / "b", text, name="infra/stacks/stack.py", cdk_json=False)["Fn"]
    assert without.code.path == str(tmp_path / "b" / "infra" / "stacks" / "lambda")
    assert without.handler_file is None


# ---------------------------------------------------------------------------------------------
# Timeouts


def test_timeouts_written_defaulted_and_through_constants(tmp_path):
    header = HEADER + textwrap.dedent("""
        TIMEOUT = Duration.seconds(10)
        TIMEOUT_S = 20
        LONG = cdk.Duration.minutes(TIMEOUT_S // 10)
    """)
    text = stack("""
        lambda_.Function(self, "Default", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        lambda_.Function(self, "Written", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(30))
        lambda_.Function(self, "Constant", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=TIMEOUT)
        lambda_.Function(self, "Seconds", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(TIMEOUT_S))
        lambda_.Function(self, "Long", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=LONG)
        lambda_.Function(self, "Millis", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.millis(1500))
        lambda_.Function(self, "FromEnv", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(int(os.environ["TIMEOUT"])))
        lambda_.Function(self, "NoneGiven", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=None)
    """, header)
    functions = read(tmp_path, text)

    def timeout(name):
        t = functions[name].timeout
        return t.seconds, t.origin, t.path, t.line

    assert timeout("Default") == (3, "default", "app.py", functions["Default"].line)
    assert timeout("Written") == (30, "function", "app.py", at(text, "Duration.seconds(30)"))
    assert timeout("Constant") == (10, "variable", "app.py", at(text, "timeout=TIMEOUT)"))
    assert timeout("Seconds") == (20, "variable", "app.py", at(text, "Duration.seconds(TIMEOUT_S)"))
    assert timeout("Long") == (120, "variable", "app.py", at(text, "timeout=LONG"))
    assert timeout("Millis") == (1.5, "function", "app.py", at(text, "millis"))
    assert timeout("FromEnv") == (None, "unknown", "app.py", at(text, "os.environ"))
    assert timeout("NoneGiven") == (3, "default", "app.py", functions["NoneGiven"].line)


def test_a_name_assigned_twice_is_not_a_constant(tmp_path):
    header = HEADER + textwrap.dedent("""
        if os.environ.get("STAGE") == "prod":
            TIMEOUT = Duration.seconds(30)
        else:
            TIMEOUT = Duration.seconds(3)
    """)
    text = stack("""
        lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"), timeout=TIMEOUT)
    """, header)
    timeout = read(tmp_path, text)["Fn"].timeout
    assert (timeout.seconds, timeout.origin) == (None, "unknown")


def test_props_dicts_and_unknown_kwargs(tmp_path):
    text = stack("""
        common = dict(runtime=lambda_.Runtime.PYTHON_3_12, timeout=Duration.seconds(45),
                      code=lambda_.Code.from_asset("lambda"))
        lambda_.Function(self, "FromDict", handler="app.handler", **common)
        props = {"handler": "app.handler", **common, "memory_size": 512}
        lambda_.Function(self, "FromLiteral", **props)
        lambda_.Function(self, "Unknown", handler="app.handler", **kwargs)
    """)
    functions = read(tmp_path, text)
    from_dict = functions["FromDict"]
    assert (from_dict.timeout.seconds, from_dict.timeout.line) == (45, at(text, "seconds(45)"))
    assert from_dict.handler_file == str(tmp_path / "lambda" / "app.py")
    assert functions["FromLiteral"].memory.value == 512
    assert functions["FromLiteral"].timeout.seconds == 45
    unknown = functions["Unknown"]
    assert (unknown.timeout.seconds, unknown.timeout.origin) == (None, "unknown")


def test_helper_methods_with_parameters(tmp_path):
    text = stack("""
        self.make("Orders", 30)
        self.make("Users", 3)
    """) + textwrap.indent(textwrap.dedent("""
        def make(self, name, seconds):
            return lambda_.Function(self, name, runtime=lambda_.Runtime.PYTHON_3_12,
                                    handler="app.handler", code=lambda_.Code.from_asset("lambda"),
                                    timeout=Duration.seconds(seconds))
    """), "    ")
    functions = read(tmp_path, text)
    assert list(functions) == ["name"]  # one construct call, its id is not a literal
    assert functions["name"].timeout.origin == "unknown"


# ---------------------------------------------------------------------------------------------
# Environment


def test_environment_literal_and_not(tmp_path):
    header = HEADER + 'DB_PASSWORD = "s3cr3t-Pa55word!"\n'
    text = stack("""
        table = dynamodb.Table(self, "T", partition_key=key)
        secret = secretsmanager.Secret(self, "S")
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            environment={
                "TABLE_NAME": table.table_name,
                "SECRET_ARN": secret.secret_arn,
                "STAGE": "prod",
                "RETRIES": 3,
                "FROM_ENV": os.environ["X"],
                "PASSWORD": DB_PASSWORD,
                "URL": f"https://{table.table_name}",
            })
        fn.add_environment("API_KEY", "AKIA-not-really")
    """, header)
    fn = read(tmp_path, text)["Fn"]
    values = environment_of(fn)
    assert list(values) == ["TABLE_NAME", "SECRET_ARN", "STAGE", "RETRIES", "FROM_ENV",
                            "PASSWORD", "URL", "API_KEY"]
    assert (values["TABLE_NAME"].literal, values["TABLE_NAME"].text) == (False, "table.table_name")
    assert values["SECRET_ARN"].literal is False
    assert (values["STAGE"].value, values["STAGE"].line) == ("prod", at(text, '"STAGE"'))
    assert values["RETRIES"].value == 3
    assert (values["FROM_ENV"].literal, values["FROM_ENV"].text) == (False, 'os.environ["X"]')
    password = values["PASSWORD"]
    assert (password.value, password.literal, password.line) == \
        ("s3cr3t-Pa55word!", True, at(text, '"PASSWORD"'))
    assert password.text == "DB_PASSWORD (= s3cr3t-Pa55word!)"
    assert values["URL"].literal is False
    assert (values["API_KEY"].value, values["API_KEY"].line) == \
        ("AKIA-not-really", at(text, "add_environment"))
    var = fn.environment[2]
    assert (var.line, var.column) == (at(text, '"STAGE"'), 17)


def test_environment_through_names_and_dict_calls(tmp_path):
    text = stack("""
        base = {"LOG_LEVEL": "INFO"}
        lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            environment=dict(base, STAGE="dev"))
        lambda_.Function(self, "Odd", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            environment=load_env())
    """)
    functions = read(tmp_path, text)
    values = environment_of(functions["Fn"])
    assert {k: v.value for k, v in values.items()} == {"LOG_LEVEL": "INFO", "STAGE": "dev"}
    assert values["LOG_LEVEL"].line == at(text, '"LOG_LEVEL"')
    assert functions["Odd"].environment == []


# ---------------------------------------------------------------------------------------------
# IAM


def test_statements_through_every_route(tmp_path):
    header = HEADER + textwrap.dedent("""
        SHARED = iam.PolicyStatement(
            actions=[
                "s3:GetObject",
                "s3:*",
            ],
            resources=["*"],
        )
    """)
    text = stack("""
        role = iam.Role(self, "LambdaRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            inline_policies={"ddb": iam.PolicyDocument(statements=[
                iam.PolicyStatement(actions=["dynamodb:*"], resources=["*"]),
            ])})
        one = lambda_.Function(self, "One", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            initial_policy=[SHARED])
        two = lambda_.Function(self, "Two", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"), role=role)
        one.add_to_role_policy(iam.PolicyStatement(effect=iam.Effect.DENY, actions=["iam:*"],
                                                   resources=["*"]))
        one.role.add_to_policy(iam.PolicyStatement(not_actions=["iam:*"], resources=["*"]))
        role.add_to_principal_policy(SHARED)
        iam.Policy(self, "AppPolicy", roles=[role],
                   statements=[iam.PolicyStatement(actions=["sqs:SendMessage"],
                                                   resources=[queue.queue_arn])])
        table.grant_read_write_data(one)
    """, header)
    functions = read(tmp_path, text)
    one, two = functions["One"], functions["Two"]

    def summary(function):
        return [(s.origin, s.effect, s.line, values_at(s.actions), values_at(s.not_actions),
                 values_at(s.resources)) for s in function.statements]

    shared = (at(text, "SHARED = "), [("s3:GetObject", at(text, '"s3:GetObject"')),
                                      ("s3:*", at(text, '"s3:*"'))], [],
              [("*", at(text, 'resources=["*"],'))])
    assert summary(one) == [
        ("initial_policy of One", "Allow", *shared),
        ("add_to_role_policy on One", "Deny", at(text, "Effect.DENY"),
         [("iam:*", at(text, "Effect.DENY"))], [], [("*", at(text, "Effect.DENY") + 1)]),
        ("add_to_policy on the role of One", "Allow", at(text, "not_actions"), [],
         [("iam:*", at(text, "not_actions"))], [("*", at(text, "not_actions"))]),
    ]
    assert summary(two) == [
        ("add_to_principal_policy on role LambdaRole", "Allow", *shared),
        ("inline policy 'ddb' of role LambdaRole", "Allow", at(text, "dynamodb:*"),
         [("dynamodb:*", at(text, "dynamodb:*"))], [], [("*", at(text, "dynamodb:*"))]),
        ("iam.Policy AppPolicy", "Allow", at(text, "sqs:SendMessage"),
         [("sqs:SendMessage", at(text, "sqs:SendMessage"))], [],
         [("queue.queue_arn", at(text, "queue.queue_arn"))]),
    ]
    assert two.role == "LambdaRole"
    assert two.statements[0].path == "app.py"


def test_managed_policies(tmp_path):
    text = stack("""
        role = iam.Role(self, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"),
                iam.ManagedPolicy.from_aws_managed_policy_name("AdministratorAccess"),
            ])
        role.add_managed_policy(iam.ManagedPolicy.from_managed_policy_arn(
            self, "S3", "arn:aws:iam::aws:policy/AmazonS3FullAccess"))
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"), role=role)
        own = lambda_.Function(self, "Own", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        own.role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name("AmazonDynamoDBFullAccess"))
        custom = iam.ManagedPolicy(self, "Custom",
            statements=[iam.PolicyStatement(actions=["kms:*"], resources=["*"])])
        own.role.add_managed_policy(custom)
        own.role.add_managed_policy(iam.ManagedPolicy.from_managed_policy_name(
            self, "Theirs", "AdministratorAccess"))
    """)
    functions = read(tmp_path, text)
    fn, own = functions["Fn"], functions["Own"]
    assert [(m.name.value, m.name.line, m.origin) for m in fn.managed_policies] == [
        ("service-role/AWSLambdaBasicExecutionRole", at(text, '"service-role/'),
         "managed_policies of role R"),
        ("AdministratorAccess", at(text, '"AdministratorAccess"'), "managed_policies of role R"),
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", at(text, "AmazonS3FullAccess"),
         "add_managed_policy on role R"),
    ]
    assert [(m.name.value, m.name.literal, m.origin) for m in own.managed_policies] == [
        ("AmazonDynamoDBFullAccess", True, "add_managed_policy on the role of Own"),
        (None, False, "add_managed_policy on the role of Own"),  # a customer policy's name
    ]
    assert [(s.origin, values_at(s.actions)) for s in own.statements] == \
        [("iam.ManagedPolicy Custom", [("kms:*", at(text, "kms:*"))])]


def test_statement_changes_and_from_json(tmp_path):
    text = stack("""
        stmt = iam.PolicyStatement()
        stmt.add_actions("s3:GetObject", *EXTRA)
        stmt.add_all_resources()
        doc = iam.PolicyStatement.from_json({
            "Effect": "Allow",
            "Action": "ec2:*",
            "Resource": "*",
        })
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            initial_policy=[stmt, doc])
    """, HEADER + 'EXTRA = ["s3:PutObject"]\n')
    first, second = read(tmp_path, text)["Fn"].statements
    assert values_at(first.actions) == [("s3:GetObject", at(text, "add_actions")),
                                    ("s3:PutObject", at(text, "EXTRA = "))]
    assert [(r.value, r.text, r.line) for r in first.resources] == \
        [("*", "add_all_resources()", at(text, "add_all_resources"))]
    assert values_at(second.actions) == [("ec2:*", at(text, '"ec2:*"'))]
    assert values_at(second.resources) == [("*", at(text, '"Resource"'))]


# ---------------------------------------------------------------------------------------------
# Inline code, events, layers, suppression


def test_inline_code_maps_lines_into_the_app_file(tmp_path):
    text = textwrap.dedent(HEADER).lstrip("\n") + textwrap.dedent('''
        import textwrap


        def build(self):
            lambda_.Function(self, "Inline", runtime=lambda_.Runtime.PYTHON_3_12,
                handler="index.handler",
                code=lambda_.Code.from_inline("""
        import boto3
        def handler(event, context):
            return boto3.client("s3").list_buckets()
        """))
            lambda_.Function(self, "Dedented", runtime=lambda_.Runtime.PYTHON_3_12,
                handler="index.handler",
                code=lambda_.Code.from_inline(textwrap.dedent("""
                    def handler(event, context):
                        return 1
                """)))
            lambda_.Function(self, "Node", runtime=lambda_.Runtime.NODEJS_20_X,
                handler="index.handler",
                code=lambda_.Code.from_inline("exports.handler = async () => 1;"))
            lambda_.Function(self, "Latest", runtime=lambda_.Runtime.NODEJS_LATEST,
                handler="index.handler", code=lambda_.Code.from_inline("exports.handler = 1"))
    ''')
    functions = read(tmp_path, text)
    inline = functions["Inline"].code
    assert inline.kind == "inline"
    code = inline.inline
    assert code.path == "app.py"
    lines = code.text.splitlines()
    client_line = next(n for n, line in enumerate(lines, start=1) if "boto3.client" in line)
    assert code.line_offset + client_line == at(text, 'boto3.client("s3")')
    assert code.column_offset == 0
    dedented = functions["Dedented"].code.inline
    assert dedented.text.splitlines()[1] == "def handler(event, context):"
    assert dedented.line_offset + 2 == at(text, "def handler(event, context):", 1)
    assert dedented.column_offset == 12
    assert functions["Node"].code.kind == "inline" and functions["Node"].code.inline is None
    assert functions["Latest"].runtime.literal is False
    assert functions["Latest"].code.inline is None


def test_events_api_and_sqs(tmp_path):
    header = HEADER + textwrap.dedent("""
        from aws_cdk import aws_apigateway as apigw
        from aws_cdk import aws_apigatewayv2_integrations as integrations
        from aws_cdk import aws_sqs as sqs
        from aws_cdk.aws_lambda_event_sources import SqsEventSource, SnsEventSource
    """)
    text = stack("""
        queue = sqs.Queue(self, "Q", visibility_timeout=Duration.minutes(1))
        plain = sqs.Queue(self, "Plain")
        api_fn = lambda_.Function(self, "Api", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        apigw.LambdaRestApi(self, "Rest", handler=api_fn)
        http = integrations.HttpLambdaIntegration("Http", api_fn)
        worker = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            events=[SqsEventSource(plain)])
        worker.add_event_source(SqsEventSource(queue, batch_size=10))
        worker.add_event_source(SnsEventSource(topic))
    """, header)
    functions = read(tmp_path, text)
    assert [(e.kind, e.line) for e in functions["Api"].events] == \
        [("api", at(text, "LambdaRestApi")), ("api", at(text, "HttpLambdaIntegration"))]
    events = functions["Worker"].events
    assert [(e.kind, e.line) for e in events] == [
        ("sqs", at(text, "events=[")), ("sqs", at(text, "batch_size")),
        ("sns", at(text, "SnsEventSource(topic)"))]
    assert [e.http_api for e in functions["Api"].events] == [False, True]
    default = events[0].visibility
    minute = events[1].visibility
    assert (default.value, default.line) == (30, at(text, '"Plain"'))
    assert [e.visibility_defaulted for e in events[:2]] == [True, False]
    assert (minute.value, minute.line) == (60, at(text, "minutes(1)"))


RESOURCES_HEADER = HEADER + textwrap.dedent("""
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_s3_notifications as s3n
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sns_subscriptions as subs
    from aws_cdk import aws_sqs as sqs
    from aws_cdk.aws_lambda_event_sources import S3EventSource, SnsEventSource, SqsEventSource
""")


def sources(function: Function):
    """(kind, line, source, key_filter) of each trigger of ``function``."""
    return [(e.kind, e.line, e.source, e.key_filter) for e in function.events]


def test_triggers_and_environment_name_the_same_construct(tmp_path):
    """S3/SQS/SNS event sources, a notification and a subscription name their bucket, queue or
    topic by the variable it was first assigned to; environment values that reference it (an
    attribute, an f-string, ``add_environment``) say so, whatever the spelling."""
    text = stack("""
        bucket = s3.Bucket(self, "Uploads")
        self.uploads = bucket
        self.jobs = sqs.Queue(self, "Jobs")
        topic = sns.Topic(self, "Alerts")
        table = dynamodb.Table.from_table_name(self, "Orders", "orders")
        fn = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            environment={"BUCKET": self.uploads.bucket_name, "TOPIC": f"{topic.topic_arn}",
                         "TABLE": table.table_name, "KEYS": bucket.arn_for_objects("*"),
                         "STAGE": "dev"},
            events=[S3EventSource(bucket, events=[s3.EventType.OBJECT_CREATED])])
        fn.add_event_source(SqsEventSource(self.jobs))
        fn.add_event_source(SnsEventSource(topic))
        fn.add_environment("QUEUE_URL", self.jobs.queue_url)
        topic.add_subscription(subs.LambdaSubscription(fn))
        bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.LambdaDestination(fn))
    """, RESOURCES_HEADER)
    fn = read(tmp_path, text)["Worker"]
    assert sources(fn) == [
        ("s3", at(text, "S3EventSource(bucket"), "bucket", False),
        ("sqs", at(text, "SqsEventSource(self.jobs)"), "self.jobs", False),
        ("sns", at(text, "SnsEventSource(topic)"), "topic", False),
        ("sns", at(text, "LambdaSubscription"), "topic", False),
        ("s3", at(text, "LambdaDestination"), "bucket", False)]
    assert [(v.name, v.refers) for v in fn.environment] == [
        ("BUCKET", ["bucket"]), ("TOPIC", ["topic"]), ("TABLE", ["table"]), ("KEYS", ["bucket"]),
        ("STAGE", []), ("QUEUE_URL", ["self.jobs"])]
    assert [(r.name, r.type) for r in fn.resources] == [
        ("bucket", "s3.Bucket"), ("topic", "sns.Topic"), ("table", "dynamodb.Table"),
        ("self.jobs", "sqs.Queue")]


def test_s3_key_filters_of_event_sources_and_notifications(tmp_path):
    """A prefix or suffix filter keeps input and output apart; an empty filter does not; a
    filter lambdalint cannot read counts as one."""
    text = stack("""
        bucket = s3.Bucket(self, "Uploads")
        fn = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        fn.add_event_source(S3EventSource(bucket, events=[s3.EventType.OBJECT_CREATED],
                            filters=[s3.NotificationKeyFilter(prefix="uploads/")]))
        fn.add_event_source(S3EventSource(bucket, events=[], filters=[]))
        fn.add_event_source(S3EventSource(bucket, events=[], filters=[{"suffix": ".csv"}]))
        fn.add_event_source(S3EventSource(bucket, events=[], filters=load_filters()))
        empty = [s3.NotificationKeyFilter(prefix="")]
        fn.add_event_source(S3EventSource(bucket, events=[], filters=empty))
        bucket.add_object_created_notification(s3n.LambdaDestination(fn),
                                               s3.NotificationKeyFilter(suffix=".png"))
        destination = s3n.LambdaDestination(fn)
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, destination)
        other = s3.Bucket(self, "Other")
        other.add_event_notification(s3.EventType.OBJECT_CREATED, destination, *more)
    """, RESOURCES_HEADER)
    fn = read(tmp_path, text)["Worker"]
    assert [(e.line, e.source, e.key_filter) for e in fn.events] == [
        (at(text, "S3EventSource(bucket, events=[s3"), "bucket", True),
        (at(text, "filters=[])"), "bucket", False),
        (at(text, "suffix"), "bucket", True),
        (at(text, "load_filters"), "bucket", True),
        (at(text, "filters=empty"), "bucket", False),
        (at(text, "add_object_created_notification"), "bucket", True),
        (at(text, "destination = "), "bucket", False),
        (at(text, "destination = "), "other", True)]


def test_a_name_bound_to_two_constructs_names_each_apart(tmp_path):
    """``bucket`` rebound to another bucket: the trigger's bucket and the environment's are
    two resources, named apart."""
    text = stack("""
        bucket = s3.Bucket(self, "In")
        fn = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            events=[S3EventSource(bucket, events=[s3.EventType.OBJECT_CREATED])])
        bucket = s3.Bucket(self, "Out")
        fn.add_environment("BUCKET", bucket.bucket_name)
        s3.Bucket(self, "Logs")
    """, RESOURCES_HEADER)
    fn = read(tmp_path, text)["Worker"]
    out = f"bucket (line {at(text, 'Out')})"
    assert sources(fn) == [("s3", at(text, "S3EventSource(bucket"), "bucket", False)]
    assert [(v.name, v.refers) for v in fn.environment] == [("BUCKET", [out])]
    assert [(r.name, r.type) for r in fn.resources] == [(out, "s3.Bucket")]


def test_layers_and_suppression_comment(tmp_path):
    text = stack("""
        fn = lambda_.Function(self, "Fn",  # lambdalint: ignore
            runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
            code=lambda_.Code.from_asset("lambda"),
            layers=[lambda_.LayerVersion.from_layer_version_arn(
                self, "L", "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3")])
        quiet = lambda_.Function(self, "Quiet", runtime=lambda_.Runtime.PYTHON_3_12,  # noqa: LL102
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        loud = lambda_.Function(self, "Loud", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"))  # lambdalint: ignore
    """)
    functions = read(tmp_path, text)
    fn = functions["Fn"]
    assert values_at(fn.layers) == [("arn:aws:lambda:eu-west-1:123456789012:layer:deps:3",
                                 at(text, "arn:aws:lambda"))]
    assert fn.ignored_rules == {"*"}
    assert functions["Quiet"].ignored_rules == {"LL102"}
    assert functions["Loud"].ignored_rules == set()  # not on the constructor call's first line


# ---------------------------------------------------------------------------------------------
# Hostile input: never a traceback, never an error for a syntax error


@pytest.mark.parametrize("body", [
    'lambda_.Function()',
    'lambda_.Function(self)',
    'lambda_.Function(self, 42, timeout=Duration.seconds("x"), environment=None)',
    'lambda_.Function(self, "X", timeout=Duration.seconds(), environment=[1, 2], '
    'initial_policy=5, code=lambda_.Code.from_asset(), layers="x", events=None, role=None)',
    'lambda_.Function(self, "X", *args, environment={**x, 1: 2, "A": lambda: 1})',
    'lambda_.Function(self, "X", code=lambda_.Code.from_inline(open("f").read()))',
    'x = x = lambda_.Function(self, "X", timeout=Duration.seconds(1 / 0))',
    'a, *b = lambda_.Function(self, "X"), 1',
    'fn = lambda_.Function(self, "X", environment=E)\nE = {"A": fn}\nfn.add_to_role_policy(fn)',
    'P = P + 1\nlambda_.Function(self, "X", timeout=Duration.seconds(P))',
    'p = os.path.join(p, "x")\nlambda_.Function(self, "X", code=lambda_.Code.from_asset(p))',
    'match x:\n    case 1:\n        lambda_.Function(self, "X")',
    'try:\n    import y\nexcept* ValueError as e:\n    lambda_.Function(self, "X")',
])
def test_odd_shapes_do_not_crash(tmp_path, body):
    text = stack(body)
    functions = read(tmp_path, text)
    for function in functions.values():
        assert function.timeout is not None
        assert function.path == "app.py"


def test_deep_nesting_and_syntax_errors_are_quiet(tmp_path):
    deep = HEADER + "x = " + "(" * 300 + "1" + ")" * 300 + "\nlambda_.Function(app, 'X')\n"
    write(tmp_path, {"deep.py": deep, "broken.py": HEADER + "def f(:\n    lambda_.Function(\n",
                     "latin.py": b"import aws_cdk\n# \xff\xfe Function\n"})
    for name in ("deep.py", "broken.py", "latin.py"):
        functions, errors = cdk.read_app(SourceFile(tmp_path / name, name, "python"))
        assert errors == []
        assert all(f.name == "X" for f in functions)


def test_a_300_line_stack_is_read_quickly(tmp_path):
    body = []
    for i in range(29):
        body += [f'fn{i} = lambda_.Function(self, "Fn{i}",',
                 "    runtime=lambda_.Runtime.PYTHON_3_12, handler='app.handler',",
                 "    code=lambda_.Code.from_asset(",
                 "        os.path.join(os.path.dirname(__file__), 'lambda')),",
                 "    timeout=Duration.seconds(10),",
                 f"    environment={{'TABLE': 't{i}', 'N': str({i})}},",
                 ")",
                 f"fn{i}.add_to_role_policy(iam.PolicyStatement(",
                 "    actions=['s3:GetObject'], resources=['*']))",
                 ""]
    text = stack("\n".join(body))
    assert 280 <= len(text.splitlines()) <= 320
    write(tmp_path, {"app.py": text, "cdk.json": "{}"})
    source = SourceFile(tmp_path / "app.py", "app.py", "python")
    cdk.read_app(source)
    started = time.perf_counter()
    functions, _ = cdk.read_app(source)
    elapsed = time.perf_counter() - started
    assert len(functions) == 29 and all(len(f.statements) == 1 for f in functions)
    assert elapsed < 2.0  # about 0.1 s on a laptop; generous for a loaded CI machine


# ---------------------------------------------------------------------------------------------
# Through the CLI


APP = stack('''
    fn = lambda_.Function(self, "HelloFunction",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset("lambda"),
        environment={"DB_PASSWORD": "Sup3r-S3cret-Passw0rd!"},
        initial_policy=[iam.PolicyStatement(
            actions=["s3:*"],
            resources=["*"],
        )],
    )
    lambda_.Function(self, "Scoped",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="app.handler",
        code=lambda_.Code.from_asset("lambda"),
        timeout=Duration.seconds(20),
        initial_policy=[iam.PolicyStatement(
            actions=["xray:PutTraceSegments"],
            resources=["*"],
        )],
    )
''')


def test_cli_reads_the_app_and_still_checks_its_code(tmp_path):
    write(tmp_path, {"app.py": APP, "cdk.json": "{}", "lambda/app.py": HANDLER})
    findings = check_json(["."], tmp_path, "--select", "LL101")
    # The app file is Python too: the handler-code rules see the literal password in it.
    assert ids_and_lines(findings) == [("LL101", at(APP, "DB_PASSWORD"))]
    assert findings[0]["path"] == "app.py"


@pytest.mark.skipif(registry.get("LL201") is None, reason="config rules not registered yet")
def test_cli_config_rules_on_a_cdk_app(tmp_path):
    write(tmp_path, {"app.py": APP, "cdk.json": "{}", "lambda/app.py": HANDLER})
    findings = check_json(["."], tmp_path, "--select", "LL201,LL202,LL203,LL204")
    assert sorted(ids_and_lines(findings)) == sorted([
        ("LL201", at(APP, '"HelloFunction"')),
        ("LL202", at(APP, '"s3:*"')),
        ("LL203", at(APP, 'resources=["*"]', 0)),
        ("LL204", at(APP, "DB_PASSWORD")),
    ])


@pytest.mark.skipif(registry.get("LL201") is None, reason="config rules not registered yet")
def test_cli_suppression_on_the_constructor_line(tmp_path):
    quiet = APP.replace('"HelloFunction",', '"HelloFunction",  # lambdalint: ignore[LL201,LL202]')
    write(tmp_path, {"app.py": quiet, "cdk.json": "{}", "lambda/app.py": HANDLER})
    findings = check_json(["."], tmp_path, "--select", "LL201,LL202,LL203")
    assert sorted(ids_and_lines(findings)) == [("LL203", at(APP, 'resources=["*"]', 0))]


def test_cli_inline_code_is_checked_at_app_file_lines(tmp_path):
    text = textwrap.dedent(HEADER).lstrip("\n") + textwrap.dedent('''

        def build(self):
            lambda_.Function(self, "Inline", runtime=lambda_.Runtime.PYTHON_3_12,
                handler="index.handler", timeout=Duration.seconds(10),
                code=lambda_.Code.from_inline("""
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """))
    ''')
    write(tmp_path, {"app.py": text, "cdk.json": "{}"})
    findings = check_json(["."], tmp_path, "--select", "LL102")
    assert ids_and_lines(findings) == [("LL102", at(text, 's3 = boto3.client("s3")'))]


@pytest.mark.skipif(registry.get("LL201") is None, reason="config rules not registered yet")
def test_cli_timeouts_against_api_gateway_and_sqs(tmp_path):
    header = HEADER + textwrap.dedent("""
        from aws_cdk import aws_apigateway as apigw
        from aws_cdk import aws_sqs as sqs
        from aws_cdk.aws_lambda_event_sources import SqsEventSource

        SHORT = Duration.seconds(3)
    """)
    text = stack("""
        api_fn = lambda_.Function(self, "Api", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.minutes(1))
        apigw.LambdaRestApi(self, "Rest", handler=api_fn)
        worker = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(10))
        worker.add_event_source(SqsEventSource(sqs.Queue(self, "Jobs")))
        lambda_.Function(self, "Short", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"), timeout=SHORT)
        lambda_.Function(self, "Fine", runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler", code=lambda_.Code.from_asset("lambda"),
            timeout=Duration.seconds(20))
    """, header)
    write(tmp_path, {"app.py": text, "cdk.json": "{}", "lambda/app.py": HANDLER})
    findings = check_json(["."], tmp_path, "--select", "LL201,LL206")
    assert sorted(ids_and_lines(findings)) == sorted([
        ("LL206", at(text, "Duration.minutes(1)")),  # longer than API Gateway waits
        ("LL206", at(text, "Duration.seconds(10)")),  # queue hides messages 30 s < 6 x 10 s
        ("LL201", at(text, "timeout=SHORT")),  # 3 s through a constant, at the reference
    ])


def test_tracing_and_log_retention(tmp_path):
    text = stack("""
        from aws_cdk import aws_logs as logs
        traced = lambda_.Function(self, "Traced", runtime=lambda_.Runtime.PYTHON_3_12,
                                  handler="app.handler", code=lambda_.Code.from_asset("lambda"),
                                  tracing=lambda_.Tracing.ACTIVE,
                                  log_retention=logs.RetentionDays.TWO_WEEKS)
        shared = logs.LogGroup(self, "Shared")
        grouped = lambda_.Function(self, "Grouped", runtime=lambda_.Runtime.PYTHON_3_12,
                                   handler="app.handler", code=lambda_.Code.from_asset("lambda"),
                                   tracing=lambda_.Tracing.PASS_THROUGH, log_group=shared)
        named = lambda_.Function(self, "Named", runtime=lambda_.Runtime.PYTHON_3_12,
                                 handler="app.handler", code=lambda_.Code.from_asset("lambda"))
        logs.CfnLogGroup(self, "NamedLogs", log_group_name=f"/aws/lambda/{named.function_name}",
                         retention_in_days=7)
        """)
    functions = read(tmp_path, text)
    traced, grouped, named = functions["Traced"], functions["Grouped"], functions["Named"]
    assert (traced.tracing.value, traced.tracing.line) == ("Active", at(text, "Tracing.ACTIVE"))
    assert (traced.log_retention.value, traced.log_retention.line) == \
        (14, at(text, "TWO_WEEKS"))
    assert traced.log_group is None
    assert grouped.tracing.value == "PassThrough"
    assert (grouped.log_group.line, grouped.log_group.followed) == (at(text, '"Shared"'), True)
    assert (grouped.log_retention.value, grouped.log_retention.literal) == (731, True)
    assert (named.log_retention.value, named.log_group.line) == (7, at(text, "CfnLogGroup"))
    assert named.tracing is None and named.memory is None
