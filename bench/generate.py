"""A synthetic serverless monorepo, the same for the same seed and size.

Shaped like the public pattern collections: many small services, each with its deployment config
(AWS SAM, CloudFormation JSON, Serverless Framework, Terraform or a CDK app in Python), its
handler code, sometimes shared helpers and unit tests; Lambda layers with vendored third-party
packages (about a third of the Python files, as in real repositories); and what builds leave
behind (``.aws-sam/``, ``.serverless/``, ``cdk.out/``). Most code is clean; a share of it breaks
each rule on purpose, so the linters have something to report.

    python bench/generate.py --functions 2000 --seed 1 --out /tmp/lambdalint-bench/n2000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Tuple

FORMATS = (("sam", 40), ("cfn", 10), ("serverless", 20), ("terraform", 20), ("cdk", 10))
SERVICES = ("s3", "dynamodb", "sqs", "sns", "events", "stepfunctions", "ssm", "secretsmanager")
NOUNS = ("order", "invoice", "user", "payment", "image", "report", "ticket", "shipment", "review",
         "session", "device", "alert", "profile", "catalog", "booking", "message", "upload")
VERBS = ("create", "get", "list", "update", "delete", "process", "sync", "notify", "resize",
         "export", "validate", "archive", "enrich", "route")


# -- handler code ----------------------------------------------------------------------------

HELPERS = [
    '''
def _response(status, body):
    """An API Gateway proxy response."""
    return {{
        "statusCode": status,
        "headers": {{"Content-Type": "application/json"}},
        "body": json.dumps(body, default=str),
    }}
''',
    '''
def _parse_body(event):
    raw = event.get("body") or "{{}}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    try:
        return json.loads(raw)
    except ValueError:
        logger.warning("invalid JSON body for {noun}")
        return {{}}
''',
    '''
def _validate_{noun}(item):
    missing = [field for field in ("id", "{noun}_type", "created_at") if field not in item]
    if missing:
        raise ValueError(f"missing fields: {{', '.join(missing)}}")
    if len(str(item["id"])) > 64:
        raise ValueError("id too long")
    return item
''',
    '''
class {Noun}Record:
    """One {noun} as stored."""

    def __init__(self, item_id, payload, version=1):
        self.item_id = item_id
        self.payload = payload
        self.version = version

    def to_item(self):
        return {{"pk": f"{noun}#{{self.item_id}}", "payload": self.payload, "version": self.version}}

    @classmethod
    def from_item(cls, item):
        return cls(item["pk"].split("#", 1)[1], item.get("payload", {{}}), int(item.get("version", 1)))
''',
    '''
def _chunks(items, size={size}):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
''',
    '''
def _records(event):
    for record in event.get("Records", []):
        body = record.get("body") or record.get("Sns", {{}}).get("Message") or "{{}}"
        try:
            yield json.loads(body)
        except ValueError:
            logger.error("skipping malformed record %s", record.get("messageId"))
''',
    '''
def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()
''',
]

MODULE_CLIENT = {
    "s3": ('s3 = boto3.client("s3")', 's3.put_object(Bucket=BUCKET, Key=f"{noun}/{{item_id}}.json", '
           'Body=json.dumps(body))', 'BUCKET = os.environ["BUCKET_NAME"]'),
    "dynamodb": ('table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])',
                 'table.put_item(Item={{"pk": item_id, "body": body}})', ''),
    "sqs": ('sqs = boto3.client("sqs")', 'sqs.send_message(QueueUrl=QUEUE_URL, '
            'MessageBody=json.dumps(body))', 'QUEUE_URL = os.environ["QUEUE_URL"]'),
    "sns": ('sns = boto3.client("sns")', 'sns.publish(TopicArn=TOPIC_ARN, Message=json.dumps(body))',
            'TOPIC_ARN = os.environ["TOPIC_ARN"]'),
    "events": ('events = boto3.client("events")', 'events.put_events(Entries=[{{"Source": "{noun}s", '
               '"DetailType": "{verb}", "Detail": json.dumps(body)}}])', ''),
    "stepfunctions": ('sfn = boto3.client("stepfunctions")', 'sfn.start_execution(stateMachineArn='
                      'STATE_MACHINE, input=json.dumps(body))',
                      'STATE_MACHINE = os.environ["STATE_MACHINE_ARN"]'),
    "ssm": ('ssm = boto3.client("ssm")', 'ssm.get_parameter(Name=f"/{noun}/{{item_id}}")', ''),
    "secretsmanager": ('secrets = boto3.client("secretsmanager")',
                       'secrets.get_secret_value(SecretId=os.environ["SECRET_ID"])', ''),
}


def handler_code(rng: random.Random, noun: str, verb: str, name: str, variant: str) -> str:
    """A handler module ``name`` (the function's name) in one of the variants."""
    service = rng.choice(SERVICES)
    client, call, constant = MODULE_CLIENT[service]
    fmt = {"noun": noun, "Noun": noun.capitalize(), "verb": verb, "size": rng.choice((10, 25, 100))}
    helpers = rng.sample(HELPERS, rng.randint(2, 5))
    lines = ['"""' + f"{verb.capitalize()} {noun}s." + '"""', "",
             "import base64", "import datetime", "import json", "import logging", "import os", ""]
    if variant != "compute":
        lines += ["import boto3", ""]
    lines += ["logger = logging.getLogger()", 'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))']
    if constant:
        lines.append(constant)
    if variant == "invoke":
        lines.append('lambda_client = boto3.client("lambda")')
    if variant == "credential":
        lines.append(f'DB_PASSWORD = "{rng.choice(("Pr0d", "Sup3r", "Xk9q"))}-{noun}-{rng.randint(1000, 9999)}!z"')
    if variant not in ("compute", "client"):
        lines.append(client)
    body = "".join(h.format(**fmt) for h in helpers)
    lines.append(body.rstrip("\n"))
    lines += ["", "", f"def {name}(event, context):",
              f'    logger.info("{verb} {noun}: %s", event.get("requestContext", {{}}).get("requestId"))',
              "    body = event.get(\"detail\") or {}",
              '    item_id = body.get("id") or context.aws_request_id']
    if variant == "client":
        lines.append("    " + client)
    if variant == "invoke":
        lines += ["    response = lambda_client.invoke(",
                  f'        FunctionName=os.environ["{noun.upper()}_PRICING_FUNCTION"],',
                  "        Payload=json.dumps(body),", "    )",
                  '    body["price"] = json.loads(response["Payload"].read())']
    if variant != "compute":
        lines.append("    " + call.format(**fmt))
    lines += ['    if body.get("dry_run"):', '        return {"statusCode": 204, "body": ""}',
              '    return {"statusCode": 200, "body": json.dumps({"id": item_id})}', ""]
    return "\n".join(lines)


def shared_module(rng: random.Random, noun: str) -> str:
    helpers = rng.sample(HELPERS, 4)
    fmt = {"noun": noun, "Noun": noun.capitalize(), "verb": "share", "size": 50}
    head = ['"""Helpers shared by the functions of this service."""', "", "import base64",
            "import datetime", "import json", "import logging", "", "logger = logging.getLogger(__name__)"]
    return "\n".join(head) + "\n" + "".join(h.format(**fmt) for h in helpers)


def test_module(noun: str, module: str, name: str) -> str:
    return f'''import importlib
import json
from unittest import mock

import pytest


@pytest.fixture
def event():
    return {{"body": json.dumps({{"id": "42", "{noun}_type": "standard"}}), "requestContext": {{}}}}


def test_{name}_returns_200(event, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "test-table")
    with mock.patch("boto3.client"), mock.patch("boto3.resource"):
        module = importlib.import_module("{module}")
        result = module.{name}(event, mock.Mock(aws_request_id="r-1"))
    assert result["statusCode"] in (200, 204)


def test_password_fixture_is_not_real():
    password = "test-password"
    assert len(password) > 4
'''


def vendored_module(rng: random.Random, package: str, index: int) -> str:
    """Third-party looking code: classes and functions, about 150-300 lines."""
    parts = [f'"""{package}.mod{index}: vendored third-party code."""', "",
             "from __future__ import annotations", "", "import functools", "import re",
             "from typing import Any, Dict, Iterable, List, Optional", ""]
    for c in range(rng.randint(3, 6)):
        parts.append(f'''
class Component{c}:
    """A component of the vendored package."""

    pattern = re.compile(r"^[a-z]+_{c}$")

    def __init__(self, name: str, options: Optional[Dict[str, Any]] = None) -> None:
        self.name = name
        self.options = dict(options or {{}})
        self._cache: Dict[str, Any] = {{}}

    def matches(self, value: str) -> bool:
        return bool(self.pattern.match(value))

    @functools.lru_cache(maxsize=128)
    def render(self, depth: int = 0) -> str:
        items = sorted(self.options.items())
        inner = ", ".join(f"{{k}}={{v!r}}" for k, v in items)
        return "  " * depth + f"{{self.name}}({{inner}})"

    def merge(self, other: "Component{c}") -> "Component{c}":
        merged = dict(self.options)
        for key, value in other.options.items():
            if key in merged and isinstance(merged[key], dict) and isinstance(value, dict):
                merged[key] = {{**merged[key], **value}}
            else:
                merged[key] = value
        return Component{c}(self.name, merged)
''')
        for f in range(rng.randint(2, 4)):
            parts.append(f'''
def helper_{c}_{f}(values: Iterable[Any], limit: int = {rng.randint(5, 500)}) -> List[Any]:
    out: List[Any] = []
    for i, value in enumerate(values):
        if i >= limit:
            break
        if isinstance(value, (list, tuple)):
            out.extend(helper_{c}_{f}(value, limit - i))
        elif value is not None:
            out.append(value)
    return out
''')
    return "\n".join(parts)


# -- deployment configs ------------------------------------------------------------------------

def _policy(rng: random.Random, service: str, wildcard: bool) -> Tuple[str, str]:
    actions = {"s3": "s3:PutObject", "dynamodb": "dynamodb:PutItem", "sqs": "sqs:SendMessage",
               "sns": "sns:Publish", "events": "events:PutEvents",
               "stepfunctions": "states:StartExecution", "ssm": "ssm:GetParameter",
               "secretsmanager": "secretsmanager:GetSecretValue"}
    if wildcard:
        prefix = actions[service].split(":")[0]
        return f"{prefix}:*", "*"
    account = "123456789012"
    return actions[service], f"arn:aws:{actions[service].split(':')[0]}:eu-west-1:{account}:{service}-{rng.randint(1, 999)}"


class Service:
    """One service: its functions and the violations its config carries."""

    def __init__(self, rng: random.Random, index: int, fmt: str, count: int) -> None:
        self.rng = rng
        self.fmt = fmt
        self.noun = rng.choice(NOUNS)
        self.name = f"{self.noun}-{fmt}-{index:04d}"
        self.functions = []
        for i in range(count):
            verb = VERBS[(index + i) % len(VERBS)]
            roll = rng.random()
            variant = ("client" if roll < 0.15 else "invoke" if roll < 0.20 else
                       "credential" if roll < 0.25 else "compute" if roll < 0.40 else "clean")
            self.functions.append({
                "logical": f"{verb.capitalize()}{self.noun.capitalize()}{i}Function",
                "slug": f"{verb}_{self.noun}_{i}",
                "verb": verb,
                "service": rng.choice(SERVICES),
                "variant": variant,
                "timeout": None if rng.random() < 0.2 else rng.choice((10, 15, 30, 60)),
                "wildcard": rng.random() < 0.1,
                "secret_env": rng.random() < 0.05,
            })


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _env(fn: dict) -> Dict[str, str]:
    env = {"LOG_LEVEL": "INFO", "TABLE_NAME": f"{fn['slug']}-table"}
    if fn["secret_env"]:
        env["API_TOKEN"] = "tk_" + "".join("abcdef0123456789"[(i * 7 + len(fn["slug"])) % 16] for i in range(24))
    return env


def write_sam(root: Path, svc: Service) -> List[Path]:
    out = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
           f"Description: {svc.name}", "", "Globals:", "  Function:", "    Runtime: python3.12",
           "    MemorySize: 256", "    Tracing: Active", "", "Resources:"]
    code_files = []
    for fn in svc.functions:
        action, resource = _policy(svc.rng, fn["service"], fn["wildcard"])
        out += [f"  {fn['logical']}:", "    Type: AWS::Serverless::Function", "    Properties:",
                f"      CodeUri: src/{fn['slug']}/", "      Handler: app.lambda_handler"]
        if fn["timeout"]:
            out.append(f"      Timeout: {fn['timeout']}")
        out += ["      Environment:", "        Variables:"]
        out += [f"          {k}: {json.dumps(v)}" for k, v in _env(fn).items()]
        out += ["      Policies:", "        - Statement:", "            - Effect: Allow",
                f"              Action: {action}", f'              Resource: "{resource}"',
                "      Events:", "        Api:", "          Type: Api", "          Properties:",
                f"            Path: /{fn['slug']}", "            Method: post", ""]
        code = root / "src" / fn["slug"] / "app.py"
        write(code, handler_code(svc.rng, svc.noun, fn["verb"], "lambda_handler", fn["variant"]))
        write(root / "src" / fn["slug"] / "requirements.txt", "boto3\n")
        code_files.append(code)
    out += ["Outputs:", "  Api:", "    Value: !Sub https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/", ""]
    write(root / "template.yaml", "\n".join(out))
    write(root / "samconfig.toml", f'version = 0.1\n[default.deploy.parameters]\nstack_name = "{svc.name}"\n')
    return code_files


def write_cfn(root: Path, svc: Service) -> List[Path]:
    resources: Dict[str, dict] = {}
    code_files = []
    for fn in svc.functions:
        action, resource = _policy(svc.rng, fn["service"], fn["wildcard"])
        role = fn["logical"] + "Role"
        resources[role] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "app", "PolicyDocument": {"Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}}]}}
        props = {"Runtime": "python3.12", "Handler": "index.handler",
                 "Code": {"S3Bucket": "artifacts-bucket", "S3Key": f"{svc.name}/{fn['slug']}.zip"},
                 "Role": {"Fn::GetAtt": [role, "Arn"]},
                 "Environment": {"Variables": _env(fn)}}
        if fn["timeout"]:
            props["Timeout"] = fn["timeout"]
        resources[fn["logical"]] = {"Type": "AWS::Lambda::Function", "Properties": props}
        code = root / "src" / fn["slug"] / "index.py"
        write(code, handler_code(svc.rng, svc.noun, fn["verb"], "handler", fn["variant"]))
        code_files.append(code)
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": svc.name,
                "Resources": resources}
    write(root / "template.json", json.dumps(template, indent=2) + "\n")
    return code_files


def write_serverless(root: Path, svc: Service) -> List[Path]:
    statements = []
    for fn in svc.functions:
        action, resource = _policy(svc.rng, fn["service"], fn["wildcard"])
        statements += ["        - Effect: Allow", f"          Action: {action}",
                       f'          Resource: "{resource}"']
    out = [f"service: {svc.name}", "frameworkVersion: '3'", "", "provider:", "  name: aws",
           "  runtime: python3.12", "  region: eu-west-1", "  iam:", "    role:", "      statements:",
           *statements, "", "functions:"]
    code_files = []
    for fn in svc.functions:
        out += [f"  {fn['slug']}:", f"    handler: handlers/{fn['slug']}.main"]
        if fn["timeout"]:
            out.append(f"    timeout: {fn['timeout']}")
        out += ["    environment:"] + [f"      {k}: {json.dumps(v)}" for k, v in _env(fn).items()]
        out += ["    events:", "      - http:", f"          path: {fn['slug']}", "          method: post"]
        code = root / "handlers" / f"{fn['slug']}.py"
        write(code, handler_code(svc.rng, svc.noun, fn["verb"], "main", fn["variant"]))
        code_files.append(code)
    write(root / "serverless.yml", "\n".join(out) + "\n")
    return code_files


def write_terraform(root: Path, svc: Service) -> List[Path]:
    main = ['terraform {', '  required_providers {', '    aws = {', '      source  = "hashicorp/aws"',
            '      version = "~> 5.0"', '    }', '  }', '}', '', 'provider "aws" {',
            '  region = var.region', '}', '']
    iam = []
    code_files = []
    for fn in svc.functions:
        slug = fn["slug"]
        action, resource = _policy(svc.rng, fn["service"], fn["wildcard"])
        main += [f'data "archive_file" "{slug}" {{', '  type        = "zip"',
                 f'  source_dir  = "${{path.module}}/src/{slug}"',
                 f'  output_path = "${{path.module}}/build/{slug}.zip"', '}', '',
                 f'resource "aws_lambda_function" "{slug}" {{', f'  function_name = "{svc.name}-{slug}"',
                 '  runtime       = "python3.12"', '  handler       = "lambda_function.lambda_handler"',
                 f'  filename      = data.archive_file.{slug}.output_path',
                 f'  source_code_hash = data.archive_file.{slug}.output_base64sha256',
                 f'  role          = aws_iam_role.{slug}.arn']
        if fn["timeout"]:
            main.append(f'  timeout       = {fn["timeout"]}')
        main += ['', '  environment {', '    variables = {']
        main += [f'      {k} = {json.dumps(v)}' for k, v in _env(fn).items()]
        main += ['    }', '  }', '}', '']
        iam += [f'resource "aws_iam_role" "{slug}" {{', f'  name = "{svc.name}-{slug}"',
                '  assume_role_policy = jsonencode({', '    Version = "2012-10-17"',
                '    Statement = [{', '      Effect    = "Allow"', '      Action    = "sts:AssumeRole"',
                '      Principal = { Service = "lambda.amazonaws.com" }', '    }]', '  })', '}', '',
                f'resource "aws_iam_role_policy" "{slug}" {{', f'  role = aws_iam_role.{slug}.id',
                '  policy = jsonencode({', '    Version = "2012-10-17"', '    Statement = [{',
                '      Effect   = "Allow"', f'      Action   = ["{action}"]',
                f'      Resource = "{resource}"', '    }]', '  })', '}', '']
        code = root / "src" / slug / "lambda_function.py"
        write(code, handler_code(svc.rng, svc.noun, fn["verb"], "lambda_handler", fn["variant"]))
        code_files.append(code)
    write(root / "main.tf", "\n".join(main))
    write(root / "iam.tf", "\n".join(iam))
    write(root / "variables.tf", 'variable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n')
    return code_files


def write_cdk(root: Path, svc: Service) -> List[Path]:
    out = ["import aws_cdk as cdk", "from aws_cdk import Duration, Stack", "from aws_cdk import aws_iam as iam",
           "from aws_cdk import aws_lambda as lambda_", "from constructs import Construct", "", "",
           f"class {svc.noun.capitalize()}Stack(Stack):",
           "    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:",
           "        super().__init__(scope, construct_id, **kwargs)"]
    code_files = []
    for i, fn in enumerate(svc.functions):
        action, resource = _policy(svc.rng, fn["service"], fn["wildcard"])
        out += [f"        fn{i} = lambda_.Function(", f'            self, "{fn["logical"]}",',
                "            runtime=lambda_.Runtime.PYTHON_3_12,", '            handler="index.handler",',
                f'            code=lambda_.Code.from_asset("lambda/{fn["slug"]}"),']
        if fn["timeout"]:
            out.append(f"            timeout=Duration.seconds({fn['timeout']}),")
        out.append("            environment={" + ", ".join(f'"{k}": {json.dumps(v)}' for k, v in _env(fn).items()) + "},")
        out += ["        )", f"        fn{i}.add_to_role_policy(iam.PolicyStatement(",
                f'            actions=["{action}"], resources=["{resource}"]))']
        code = root / "lambda" / fn["slug"] / "index.py"
        write(code, handler_code(svc.rng, svc.noun, fn["verb"], "handler", fn["variant"]))
        code_files.append(code)
    out += ["", "", "app = cdk.App()", f'{svc.noun.capitalize()}Stack(app, "{svc.name}")', "app.synth()", ""]
    write(root / "app.py", "\n".join(out))
    write(root / "cdk.json", json.dumps({"app": "python3 app.py"}) + "\n")
    write(root / "requirements.txt", "aws-cdk-lib>=2\nconstructs>=10\n")
    return code_files


WRITERS = {"sam": write_sam, "cfn": write_cfn, "serverless": write_serverless,
           "terraform": write_terraform, "cdk": write_cdk}


def built_artifacts(root: Path, svc: Service, code_files: List[Path]) -> None:
    """What ``sam build``, ``serverless package`` and ``cdk synth`` leave: copies, ignored."""
    build = {"sam": ".aws-sam/build", "serverless": ".serverless", "cdk": "cdk.out"}.get(svc.fmt)
    if build is None:
        return
    for code in code_files:
        target = root / build / code.parent.name / code.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(code, target)
    if svc.fmt == "sam":
        shutil.copyfile(root / "template.yaml", root / build / "template.yaml")
    else:
        write(root / build / "template.json", json.dumps({"Resources": {}}) + "\n")


def generate(out: Path, functions: int, seed: int) -> Dict[str, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / ".git").mkdir(parents=True)  # a repository root, as pre-commit always runs in one
    write(out / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(out / ".gitignore", ".aws-sam/\n.serverless/\ncdk.out/\n.terraform/\n__pycache__/\nbuild/\n")
    write(out / "README.md", f"# Synthetic serverless monorepo\n\n{functions} functions, seed {seed}.\n")
    formats = [f for f, weight in FORMATS for _ in range(weight)]
    made = 0
    index = 0
    counts: Dict[str, int] = {}
    while made < functions:
        fmt = rng.choice(formats)
        count = min(functions - made, rng.choice((1, 1, 2, 2, 3, 4, 6)))
        svc = Service(rng, index, fmt, count)
        root = out / "services" / svc.name
        code_files = WRITERS[fmt](root, svc)
        if rng.random() < 0.5:
            write(root / "shared" / "utils.py", shared_module(rng, svc.noun))
        for fn, code in zip(svc.functions, code_files):
            if rng.random() < 0.5:
                rel = code.relative_to(root).with_suffix("").as_posix().replace("/", ".")
                name = {"sam": "lambda_handler", "terraform": "lambda_handler", "serverless": "main"}.get(fmt, "handler")
                write(root / "tests" / "unit" / f"test_{fn['slug']}.py", test_module(svc.noun, rel, name))
        if rng.random() < 0.3:
            built_artifacts(root, svc, code_files)
        counts[fmt] = counts.get(fmt, 0) + 1
        made += count
        index += 1
    # Lambda layers built with ``pip install -t python/``: third-party packages with their
    # .dist-info, about a third of the Python files.
    layers = max(1, functions // 12)
    for layer in range(layers):
        package = f"vendorpkg{layer:03d}"
        base = out / "layers" / f"layer-{layer:03d}" / "python"
        record = []
        for m in range(rng.randint(8, 12)):
            rel = f"{package}/mod{m}.py"
            write(base / rel, vendored_module(rng, package, m))
            record.append(f"{rel},,")
        write(base / package / "__init__.py", f'"""{package}."""\n__version__ = "1.{layer}.0"\n')
        record.append(f"{package}/__init__.py,,")
        write(base / f"{package}-1.{layer}.0.dist-info" / "RECORD", "\n".join(record) + "\n")
        write(base / f"{package}-1.{layer}.0.dist-info" / "METADATA", f"Name: {package}\nVersion: 1.{layer}.0\n")
    counts["layers"] = layers
    return counts


def inventory(root: Path) -> Dict[str, List[Path]]:
    """The files each tool is pointed at, outside build output (what a user would lint)."""
    skip = {".git", ".aws-sam", ".serverless", "cdk.out"}
    found: Dict[str, List[Path]] = {"python": [], "templates": [], "serverless": [], "terraform": [],
                                    "vendored": []}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or skip & set(path.relative_to(root).parts):
            continue
        rel = path.relative_to(root).parts
        if path.suffix == ".py":
            found["vendored" if rel[0] == "layers" else "python"].append(path)
        elif path.name in ("template.yaml", "template.json"):
            found["templates"].append(path)
        elif path.name == "serverless.yml":
            found["serverless"].append(path)
        elif path.suffix == ".tf":
            found["terraform"].append(path)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.functions, args.seed)
    files = inventory(args.out)
    print(f"{args.out}: {args.functions} functions in "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + "; "
          + ", ".join(f"{len(v)} {k} files" for k, v in files.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
