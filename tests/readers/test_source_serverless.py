"""The Serverless Framework reader, on real serverless.yml files written for each test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest

from lambdalint import registry
from lambdalint.discovery import SourceFile
from lambdalint.model import Function
from lambdalint.sources import configs, serverless, yamlload
from helpers import (
    check_json,
    environment_of,
    ids_and_lines,
    linked_by_name,
    load_document,
    values_at,
    write,
)


def read(root: Path, text: str, name: str = "serverless.yml") -> Dict[str, Function]:
    """Write ``text`` as ``name`` under ``root`` and read it with the Serverless reader."""
    data, source, body = load_document(root, text, name)
    assert serverless.is_serverless(data)
    return linked_by_name(serverless.read_service(data, source, body))


# ---------------------------------------------------------------------------------------------
# Recognition


@pytest.mark.parametrize("text, expected", [
    ("service: a\nprovider:\n  name: aws\n", True),
    ("service: a\nfunctions:\n  f:\n    handler: h.f\n", True),
    ("service: a\nprovider: aws\n", True),
    ("service:\n  name: a\nprovider:\n  name: aws\n  runtime: python3.12\n", True),
    ("provider:\n  name: aws\nfunctions:\n  f:\n    handler: h.f\n", True),
    ("service: a\nprovider:\n  name: google\nfunctions:\n  f:\n    handler: h.f\n", False),
    ("service: a\nprovider:\n  name: azure\n", False),
    ("service: a\n", False),
    ("services:\n  web:\n    image: nginx\n", False),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
     False),
    ("- service: a\n", False),
])
def test_recognises_a_service_by_content(text, expected):
    assert serverless.is_serverless(yamlload.load(text)) is expected


def test_reads_serverless_json(tmp_path):
    text = json.dumps({
        "service": "users",
        "provider": {"name": "aws", "runtime": "python3.12", "timeout": 12},
        "functions": {"create": {"handler": "src/users.create", "memorySize": 256}},
    }, indent=2)
    functions = read(tmp_path, text, "serverless.json")
    create = functions["create"]
    assert (create.format, create.path, create.line) == ("serverless", "serverless.json", 9)
    assert (create.timeout.seconds, create.timeout.origin, create.timeout.line) == (12, "provider", 6)
    assert (create.memory.value, create.memory.line) == (256, 11)
    assert create.runtime.value == "python3.12"


# ---------------------------------------------------------------------------------------------
# Functions, timeouts, memory, handler linking


SERVICE = """\
service: users
provider:
  name: aws
  runtime: python3.12
  memorySize: 512
functions:
  create:
    handler: src/users.create
    timeout: 20
    memorySize: 2048
  list:
    handler: src/users.list
    layers:
      - arn:aws:lambda:eu-west-1:123456789012:layer:deps:3
      - !Ref DepsLambdaLayer
  remove:
    handler: src.users.remove
    runtime: python3.11
"""


def test_functions_lines_timeouts_and_memory(tmp_path):
    functions = read(tmp_path, SERVICE)
    assert list(functions) == ["create", "list", "remove"]
    create, listing, remove = functions["create"], functions["list"], functions["remove"]
    assert [(f.line, f.end_line) for f in (create, listing, remove)] == [(7, 10), (11, 15), (16, 18)]
    assert (create.timeout.seconds, create.timeout.origin, create.timeout.line) == (20, "function", 9)
    # Nothing set anywhere: Serverless's own default of 6 s, at the function's first line.
    assert (listing.timeout.seconds, listing.timeout.origin, listing.timeout.line) == (6, "default", 11)
    assert (create.memory.value, create.memory.line) == (2048, 10)
    assert (listing.memory.value, listing.memory.line) == (512, 5)
    assert (remove.runtime.value, remove.runtime.line) == ("python3.11", 18)
    assert (listing.runtime.value, listing.runtime.line) == ("python3.12", 4)
    assert values_at(listing.layers) == [("arn:aws:lambda:eu-west-1:123456789012:layer:deps:3", 14),
                                     ("!Ref DepsLambdaLayer", 15)]
    assert listing.layers[1].literal is False


def test_memory_defaults_to_1024(tmp_path):
    function = read(tmp_path, "service: a\nfunctions:\n  f:\n    handler: h.f\n")["f"]
    assert (function.memory.value, function.memory.line) == (1024, 3)
    assert (function.timeout.seconds, function.timeout.origin) == (6, "default")
    assert function.runtime is None


def test_handler_links_to_the_python_file_in_the_service_directory(tmp_path):
    write(tmp_path, {"src/users.py": "def create(event, context):\n    return {}\n"})
    functions = read(tmp_path, SERVICE)
    create = functions["create"]
    assert (create.handler.value, create.handler.line) == ("src/users.create", 8)
    assert create.code.kind == "local" and create.code.path == str(tmp_path)
    assert Path(create.handler_file) == tmp_path / "src" / "users.py"
    assert create.handler_function == "create"
    # Dotted module path works too.
    assert Path(functions["remove"].handler_file) == tmp_path / "src" / "users.py"
    assert functions["remove"].handler_function == "remove"


def test_service_in_a_subdirectory_resolves_code_there(tmp_path):
    write(tmp_path, {"services/users/handler.py": "def main(e, c):\n    pass\n"})
    function = read(tmp_path, "service: a\nfunctions:\n  f:\n    handler: handler.main\n",
                    "services/users/serverless.yml")["f"]
    assert function.path == "services/users/serverless.yml"
    assert function.code.path == str(tmp_path / "services" / "users")
    assert Path(function.handler_file) == tmp_path / "services" / "users" / "handler.py"


def test_functions_as_a_list_of_mappings(tmp_path):
    functions = read(tmp_path, """\
        service: a
        provider:
          name: aws
          timeout: 15
        functions:
          - first:
              handler: a.first
          - ${file(./more-functions.yml)}
          - second:
              handler: a.second
              timeout: 40
        """)
    assert [(f.name, f.line) for f in functions.values()] == [("first", 6), ("second", 9)]
    assert (functions["first"].timeout.seconds, functions["first"].timeout.origin) == (15, "provider")
    assert (functions["second"].timeout.seconds, functions["second"].timeout.line) == (40, 11)


# ---------------------------------------------------------------------------------------------
# Variables


VARIABLES = """\
service: orders
custom:
  timeout: 25
  stage: ${opt:stage, 'dev'}
  tables:
    dev: orders-dev
    prod: orders-prod
  loop: ${self:custom.loop}
  ping: ${self:custom.pong}
  pong: ${self:custom.ping}
  shared:
    FROM_CUSTOM: shared-value
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
  timeout: ${self:custom.timeout}
  environment:
    TABLE: ${self:custom.tables.${self:provider.stage}}
    NAME: ${self:service}-${sls:stage}-worker
    STAGE: ${opt:stage, "dev"}
    LEVEL: ${env:LOG_LEVEL, 'INFO'}
    LOOP: ${self:custom.loop}
    PING: ${self:custom.ping}
    MISSING: ${self:custom.nothing}
    PARTITION: arn:${AWS::Partition}:s3:::bucket
    SSM: ${ssm:/orders/db-password}
    ENV: ${env:DB_PASSWORD}
    FILE: ${file(./config.yml):password}
    CF: ${cf:other-stack.Output}
    S3: ${s3:bucket/key}
    ACCOUNT: ${aws:accountId}
    INSTANCE: ${sls:instanceId}
    PARAM: ${param:password}
    PREFIXED: prefix-${ssm:/x}
    FALLBACK_SSM: ${ssm:/orders/key, 'dev-key'}
functions:
  worker:
    handler: app.worker
    environment:
      TABLE: override
      PORT: 8080
      DEBUG: true
  timed:
    handler: app.timed
    timeout: ${self:custom.timeout}
  shared:
    handler: app.shared
    environment: ${self:custom.shared}
"""


def test_self_variables_resolve_to_literals(tmp_path):
    functions = read(tmp_path, VARIABLES)
    worker = functions["worker"]
    values = environment_of(worker)
    # The function's own value wins over the provider's, in the provider's order.
    assert [v.name for v in worker.environment][:3] == ["TABLE", "NAME", "STAGE"]
    assert (values["TABLE"].value, values["TABLE"].line) == ("override", 40)
    assert values["NAME"].value == "orders-dev-worker" and values["NAME"].literal
    assert values["NAME"].text == "${self:service}-${sls:stage}-worker (= orders-dev-worker)"
    assert (values["STAGE"].value, values["STAGE"].line) == ("dev", 20)
    assert values["LEVEL"].value == "INFO"
    assert values["LEVEL"].text == "${env:LOG_LEVEL, 'INFO'} (default INFO)"
    assert values["PARTITION"].value == "arn:${AWS::Partition}:s3:::bucket"
    assert (values["PORT"].value, values["DEBUG"].value) == ("8080", "true")
    timed = functions["timed"]
    # A timeout taken from custom: the literal, set on the function, at the reference's line.
    assert (timed.timeout.seconds, timed.timeout.origin, timed.timeout.line) == (25, "function", 45)
    assert (worker.timeout.seconds, worker.timeout.origin, worker.timeout.line) == (25, "provider", 16)
    shared = environment_of(functions["shared"])
    assert (shared["FROM_CUSTOM"].value, shared["FROM_CUSTOM"].line) == ("shared-value", 12)
    assert shared["TABLE"].value == "orders-dev"
    assert shared["TABLE"].text == \
        "${self:custom.tables.${self:provider.stage}} (orders-dev, from custom.tables.dev)"
    assert shared["TABLE"].line == 18


@pytest.mark.parametrize("name", [
    "LOOP", "PING", "MISSING", "SSM", "ENV", "FILE", "CF", "S3", "ACCOUNT", "INSTANCE", "PARAM",
    "PREFIXED", "FALLBACK_SSM",
])
def test_variables_that_cannot_be_known_are_not_literal(tmp_path, name):
    values = environment_of(read(tmp_path, VARIABLES)["worker"])
    value = values[name]
    assert value.literal is False and value.value is None
    written = VARIABLES.split(f"    {name}: ", 1)[1].split("\n", 1)[0]
    assert value.text == written


def test_a_variable_timeout_that_cannot_be_known(tmp_path):
    function = read(tmp_path, """\
        service: a
        provider:
          name: aws
          timeout: ${ssm:/a/timeout}
        functions:
          f:
            handler: h.f
          g:
            handler: h.g
            timeout: ${self:functions.g.timeout}
        """)
    assert (function["f"].timeout.seconds, function["f"].timeout.origin) == (None, "unknown")
    assert function["f"].timeout.line == 4
    assert (function["g"].timeout.seconds, function["g"].timeout.origin) == (None, "unknown")


def test_variables_that_grow_without_end_stop(tmp_path):
    doubling = "".join(f"  v{i}: ${{self:custom.v{i + 1}}}${{self:custom.v{i + 1}}}\n"
                       for i in range(60))
    listing = "".join(f"  l{i}:\n    - ${{self:custom.l{i + 1}}}\n    - ${{self:custom.l{i + 1}}}\n"
                      for i in range(60))
    text = ("service: a\ncustom:\n" + doubling + "  v60: xxxxxxxx\n" + listing + "  l60: x\n"
            "provider:\n  name: aws\n  environment:\n    BIG: ${self:custom.v0}\n"
            "    LIST: ${self:custom.l0}\nfunctions:\n  f:\n    handler: h.f\n")
    values = environment_of(read(tmp_path, text)["f"])
    assert values["BIG"].literal is False
    assert values["LIST"].literal is False


# ---------------------------------------------------------------------------------------------
# IAM


def test_provider_statements_and_managed_policies(tmp_path):
    functions = read(tmp_path, """\
        service: a
        provider:
          name: aws
          iam:
            role:
              statements:
                - Effect: Allow
                  Action:
                    - dynamodb:*
                    - s3:GetObject
                  Resource: "*"
                - Effect: Deny
                  NotAction: iam:*
                  NotResource:
                    - !GetAtt Table.Arn
              managedPolicies:
                - arn:aws:iam::aws:policy/AmazonS3FullAccess
          iamRoleStatements:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: arn:aws:sqs:eu-west-1:123456789012:${self:service}-jobs
          iamManagedPolicies:
            - arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess
        functions:
          one:
            handler: h.one
          two:
            handler: h.two
        """)
    one, two = functions["one"], functions["two"]
    first, second, third = one.statements
    assert (first.effect, first.line, first.origin) == ("Allow", 7, "provider.iam.role.statements")
    assert values_at(first.actions) == [("dynamodb:*", 9), ("s3:GetObject", 10)]
    assert values_at(first.resources) == [("*", 11)]
    assert (second.effect, second.line) == ("Deny", 12)
    assert values_at(second.not_actions) == [("iam:*", 13)]
    assert values_at(second.not_resources) == [("!GetAtt Table.Arn", 15)]
    assert second.not_resources[0].literal is False
    assert (third.origin, third.line) == ("provider.iamRoleStatements", 19)
    assert values_at(third.resources) == [("arn:aws:sqs:eu-west-1:123456789012:a-jobs", 21)]
    assert [(p.name.value, p.name.line, p.origin) for p in one.managed_policies] == [
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", 17, "provider.iam.role.managedPolicies"),
        ("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", 23, "provider.iamManagedPolicies"),
    ]
    # One role for the service: both functions carry the same statements.
    assert [s.line for s in two.statements] == [7, 12, 19]
    assert one.role == two.role == "IamRoleLambdaExecution"


@pytest.mark.parametrize("role", [
    "  iam:\n    role: arn:aws:iam::123456789012:role/shared",
    "  role: arn:aws:iam::123456789012:role/shared",
    "  iam:\n    role: ${ssm:/roles/shared}",
])
def test_an_external_role_has_no_known_statements(tmp_path, role):
    function = read(tmp_path, "service: a\nprovider:\n  name: aws\n" + role + "\n"
                    "  iamRoleStatements:\n    - Effect: Allow\n      Action: '*'\n"
                    "      Resource: '*'\nfunctions:\n  f:\n    handler: h.f\n")["f"]
    assert function.statements == [] and function.managed_policies == []
    assert function.role in ("shared", "${ssm:/roles/shared}")


ROLES = """\
service: a
provider:
  name: aws
  iam:
    role:
      statements:
        - Effect: Allow
          Action: logs:PutLogEvents
          Resource: "*"
functions:
  byName:
    handler: h.by_name
    role: WorkerRole
  byGetAtt:
    handler: h.by_get_att
    role: !GetAtt WorkerRole.Arn
  byLongForm:
    handler: h.long
    role:
      Fn::GetAtt: [WorkerRole, Arn]
  byArn:
    handler: h.by_arn
    role: arn:aws:iam::123456789012:role/elsewhere
  default:
    handler: h.default
resources:
  Resources:
    WorkerRole:
      Type: AWS::IAM::Role
      Properties:
        ManagedPolicyArns:
          - arn:aws:iam::aws:policy/AdministratorAccess
        Policies:
          - PolicyName: worker
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: s3:*
                  Resource: arn:aws:s3:::bucket/*
    ExtraPolicy:
      Type: AWS::IAM::Policy
      Properties:
        Roles:
          - !Ref WorkerRole
          - !Ref IamRoleLambdaExecution
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: sqs:*
              Resource: "*"
"""


def test_function_roles_read_from_resources(tmp_path):
    functions = read(tmp_path, ROLES)
    for name in ("byName", "byGetAtt", "byLongForm"):
        function = functions[name]
        assert [(s.origin, s.line) for s in function.statements] == [
            ("policy worker of role WorkerRole", 37), ("AWS::IAM::Policy ExtraPolicy", 48)], name
        assert values_at(function.statements[0].actions) == [("s3:*", 38)]
        assert [(p.name.value, p.name.line) for p in function.managed_policies] == [
            ("arn:aws:iam::aws:policy/AdministratorAccess", 32)]
        assert function.role == "WorkerRole"
    assert functions["byArn"].statements == []
    assert functions["byArn"].role == "elsewhere"
    # The role Serverless creates gets the provider statements, plus policies naming it.
    assert [(s.origin, s.line) for s in functions["default"].statements] == [
        ("provider.iam.role.statements", 7), ("AWS::IAM::Policy ExtraPolicy", 48)]


PER_FUNCTION = """\
service: a
plugins:
  - serverless-iam-roles-per-function
custom:
  serverless-iam-roles-per-function:
    defaultInherit: {default_inherit}
provider:
  name: aws
  iamRoleStatements:
    - Effect: Allow
      Action: xray:PutTraceSegments
      Resource: "*"
  iamManagedPolicies:
    - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
functions:
  own:
    handler: h.own
    iamRoleStatements:
      - Effect: Allow
        Action: dynamodb:GetItem
        Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/t
  inherits:
    handler: h.inherits
    iamRoleStatementsInherit: true
    iamRoleStatements:
      - Effect: Allow
        Action: dynamodb:PutItem
        Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/t
  refuses:
    handler: h.refuses
    iamRoleStatementsInherit: false
    iamRoleStatements: []
  plain:
    handler: h.plain
"""


def test_per_function_roles_plugin(tmp_path):
    functions = read(tmp_path, PER_FUNCTION.format(default_inherit="false"))
    own = functions["own"]
    assert [(s.origin, s.line) for s in own.statements] == [("iamRoleStatements of own", 19)]
    assert [p.name.line for p in own.managed_policies] == [14]
    assert [(s.origin, s.line) for s in functions["inherits"].statements] == [
        ("provider.iamRoleStatements", 10), ("iamRoleStatements of inherits", 26)]
    assert functions["refuses"].statements == []
    assert [s.line for s in functions["plain"].statements] == [10]
    assert functions["plain"].role == "IamRoleLambdaExecution"
    assert own.role == "the role of own"


def test_per_function_roles_plugin_default_inherit(tmp_path):
    functions = read(tmp_path, PER_FUNCTION.format(default_inherit="true"))
    assert [s.line for s in functions["own"].statements] == [10, 19]
    assert functions["refuses"].statements == []


# ---------------------------------------------------------------------------------------------
# Events


EVENTS = """\
service: a
provider:
  name: aws
functions:
  api:
    handler: h.api
    events:
      - http:
          path: users
          method: post
      - httpApi: GET /users
      - alb:
          listenerArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/y/z
          priority: 1
          conditions:
            path: /users
      - http:
          path: slow
          method: post
          async: true
  worker:
    handler: h.worker
    events:
      - sqs:
          arn: !GetAtt JobsQueue.Arn
          batchSize: 10
      - sqs:
          arn:
            Fn::GetAtt: [DefaultQueue, Arn]
      - sqs: arn:aws:sqs:eu-west-1:123456789012:outside
      - sqs:
          arn: ${self:custom.nothing, 'arn:aws:sqs:eu-west-1:123456789012:other'}
      - schedule: rate(5 minutes)
      - eventBridge:
          pattern:
            source: [my.app]
      - s3: uploads
resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 60
    DefaultQueue:
      Type: AWS::SQS::Queue
"""


def test_events(tmp_path):
    functions = read(tmp_path, EVENTS)
    api = functions["api"]
    assert [(e.kind, e.line, e.http_api, e.asynchronous) for e in api.events] == [
        ("api", 8, False, False), ("api", 11, True, False), ("alb", 12, False, False),
        ("api", 17, False, True)]
    worker = functions["worker"]
    assert [(e.kind, e.line) for e in worker.events] == [
        ("sqs", 24), ("sqs", 27), ("sqs", 30), ("sqs", 31), ("schedule", 33),
        ("eventbridge", 34), ("s3", 37)]
    jobs, default_queue, outside, other = worker.events[:4]
    visibility = jobs.visibility
    assert (visibility.value, visibility.line, visibility.literal) == (60, 43, True)
    assert (jobs.queue, jobs.visibility_defaulted) == ("JobsQueue", False)
    assert jobs.batch_size.value == 10
    visibility = default_queue.visibility
    assert (visibility.value, visibility.line, default_queue.visibility_defaulted) == (30, 44, True)
    assert outside.visibility is None
    assert other.visibility is None


# ---------------------------------------------------------------------------------------------
# Code location


def test_code_locations(tmp_path):
    functions = read(tmp_path, """\
        service: a
        package:
          individually: true
          patterns:
            - '!node_modules/**'
            - src/**
          exclude:
            - tests/**
        provider:
          name: aws
          ecr:
            images:
              appimage:
                path: ./
        functions:
          local:
            handler: src/app.handler
            package:
              patterns:
                - '!src/big/**'
          zipped:
            handler: app.handler
            package:
              artifact: build/zipped.zip
          container:
            image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest
          named:
            image:
              name: appimage
        """)
    local = functions["local"].code
    assert (local.kind, local.path) == ("local", str(tmp_path))
    assert local.includes == ["src/**"]
    assert local.excludes == ["node_modules/**", "tests/**", "src/big/**"]
    zipped = functions["zipped"].code
    assert (zipped.kind, zipped.path) == ("zip", str(tmp_path / "build" / "zipped.zip"))
    container = functions["container"].code
    assert (container.kind, container.path) == (
        "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest")
    assert (functions["named"].code.kind, functions["named"].code.path) == ("image", "appimage")
    assert functions["container"].handler is None and functions["container"].handler_file is None


def test_service_artifact_is_a_zip(tmp_path):
    function = read(tmp_path, "service: a\npackage:\n  artifact: dist/service.zip\n"
                    "functions:\n  f:\n    handler: app.f\n")["f"]
    assert (function.code.kind, function.code.path) == ("zip", str(tmp_path / "dist" / "service.zip"))


# ---------------------------------------------------------------------------------------------
# Suppressions and hostile input


def test_ignore_comment_on_the_function_line(tmp_path):
    functions = read(tmp_path, """\
        service: a
        functions:
          quiet:  # lambdalint: ignore
            handler: h.quiet
          some:  # lambdalint: ignore[LL102]
            handler: h.some
          loud:
            handler: h.loud  # lambdalint: ignore
        """)
    assert functions["quiet"].ignored_rules == {"*"}
    assert functions["some"].ignored_rules == {"LL102"}
    assert functions["loud"].ignored_rules == set()


HOSTILE = [
    "service: a\nprovider:\n  name: aws\nfunctions:\n",
    "service: a\nfunctions:\n  - 1\n  - [x]\n  - null\n",
    "service: a\nfunctions:\n  f: handler.f\n  g: null\n  h: [1, 2]\n  i: !GetAtt X.Arn\n",
    "service: a\nfunctions:\n  3:\n    handler: a.b\n  ? [1, 2]\n  : handler: c.d\n",
    "service: ${self:service}\nprovider:\n  name: aws\n  timeout: ${self:provider.timeout}\n"
    "  environment: ${self:provider.environment}\n  iam: ${self:provider}\n"
    "functions:\n  f:\n    handler: a.b\n    environment: ${self:functions}\n"
    "    role: ${self:functions.f.role}\n",
    "service: a\nprovider:\n  name: aws\n  iam:\n    role:\n      statements: 5\n"
    "      managedPolicies: {a: 1}\n  iamRoleStatements:\n    - 7\n    - Effect: [1]\n"
    "      Action: {x: 1}\nfunctions:\n  f:\n    handler: [1]\n    events: {a: 1}\n"
    "    environment: [1, 2]\n    package: 5\n    image: {}\n    layers: x\n    timeout: [3]\n"
    "    memorySize: {a: 1}\n    role: 5\n",
    "service: a\nfunctions:\n  f:\n    handler: a.b\n    events:\n      - 5\n      - {}\n"
    "      - sqs: {arn: {Fn::GetAtt: []}}\n      - sqs: {arn: {Fn::GetAtt: Q.Arn}}\n"
    "      - {1: 2}\n      - http\n      - sqs: null\n      - sqs: [1]\n"
    "resources: [1, {Resources: 5}, {Resources: {Q: {Type: AWS::SQS::Queue, Properties: 4}}}]\n",
    "service: a\nprovider:\n  name: aws\n  environment:\n    A: ${self:custom.x\n    B: '${'\n"
    "    C: '}${}${:}${self:}'\n    D: ${self:custom.x, ${opt:y, 'z'}}\n    E: '${,,,}'\n"
    "    F: ${self:custom.${self:custom.${self:custom.x}}}\n    G: '${opt:a, \"b}'\n"
    "functions:\n  f:\n    handler: a.b\n",
    "service: a\nprovider: [1]\nfunctions: {f: {handler: a.b}}\nresources: ${file(r.yml)}\n",
    "service: a\nprovider:\n  name: aws\n  iam:\n    role:\n      statements: ${file(iam.yml)}\n"
    "functions: {f: {handler: a.b, role: {Fn::GetAtt: [Missing, Arn]}}}\n"
    "resources: {Resources: {Missing: {Type: AWS::IAM::Role, Properties: {Policies: [1, {PolicyDocument: 3}]}}}}\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(tmp_path, text):
    write(tmp_path, {"serverless.yml": text})
    data = yamlload.load(text)
    source = SourceFile(tmp_path / "serverless.yml", "serverless.yml", "yaml")
    if serverless.is_serverless(data):
        for function in serverless.read_service(data, source, text):
            assert function.timeout is not None and function.line >= 1
            configs.link(function)


def test_hostile_values_come_out_as_unknown(tmp_path):
    functions = read(tmp_path, HOSTILE[5])
    function = functions["f"]
    assert (function.timeout.seconds, function.timeout.origin) == (None, "unknown")
    assert function.events == [] and function.environment == [] and function.statements == []
    values = environment_of(read(tmp_path, HOSTILE[7])["f"])
    assert (values["A"].value, values["B"].value) == ("${self:custom.x", "${")
    assert values["C"].literal is False
    assert values["D"].value == "z"
    assert values["F"].literal is False


# ---------------------------------------------------------------------------------------------
# Through the CLI


def test_broken_yaml_in_serverless_yml_is_ll001(tmp_path):
    write(tmp_path, {"serverless.yml": """\
        service: a
        provider:
          name: aws
        functions:
          f:
            handler: h.f
           timeout: 3
        """})
    findings = check_json(["."], tmp_path)
    assert ids_and_lines(findings) == [("LL001", 7)]
    assert findings[0]["path"] == "serverless.yml"


def _needs(*rule_ids: str) -> None:
    missing = [r for r in rule_ids if registry.get(r) is None]
    if missing:
        pytest.skip(f"rules not registered yet: {', '.join(missing)}")


CLI_SERVICE = """\
service: orders
custom:
  shortTimeout: 3
provider:
  name: aws
  runtime: python3.12
  environment:
    DB_PASSWORD: Zq8vR2mN5kW9xT4b
    TABLE_NAME: orders
  iam:
    role:
      statements:
        - Effect: Allow
          Action:
            - s3:*
          Resource: "*"
        - Effect: Allow
          Action: dynamodb:GetItem
          Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
      managedPolicies:
        - arn:aws:iam::aws:policy/AmazonS3FullAccess
functions:
  nothingSet:
    handler: src/orders.nothing
  threeSeconds:
    handler: src/orders.three
    timeout: 3
  fromCustom:
    handler: src/orders.custom
    timeout: ${self:custom.shortTimeout}
  fine:
    handler: src/orders.fine
    timeout: 10
  silenced:  # lambdalint: ignore
    handler: src/orders.silenced
"""


def test_cli_findings_for_a_service(tmp_path):
    _needs("LL201", "LL202", "LL203", "LL204")
    write(tmp_path, {"serverless.yml": CLI_SERVICE})
    findings = check_json(["."], tmp_path, "--select", "LL2")
    assert sorted(ids_and_lines(findings)) == [
        ("LL201", 23),  # no timeout anywhere: the Serverless default of 6 s
        ("LL201", 27),  # timeout: 3
        ("LL201", 30),  # ${self:custom.shortTimeout} resolves to 3, reported at the reference
        ("LL202", 15),  # s3:*
        ("LL202", 21),  # AmazonS3FullAccess
        ("LL203", 16),  # Resource "*" with s3:*
        ("LL204", 8),  # a literal password
    ]
    by_line = {(f["rule"], f["line"]): f for f in findings}
    assert "Serverless Framework default of 6 s" in by_line[("LL201", 23)]["message"]


def test_cli_sqs_visibility_and_api_limit(tmp_path):
    _needs("LL206")
    write(tmp_path, {"serverless.yml": """\
        service: jobs
        provider:
          name: aws
          timeout: 20
        functions:
          worker:
            handler: h.worker
            events:
              - sqs:
                  arn: !GetAtt JobsQueue.Arn
          roomy:
            handler: h.roomy
            events:
              - sqs:
                  arn:
                    Fn::GetAtt: [RoomyQueue, Arn]
          api:
            handler: h.api
            timeout: 60
            events:
              - httpApi: POST /jobs
        resources:
          Resources:
            JobsQueue:
              Type: AWS::SQS::Queue
            RoomyQueue:
              Type: AWS::SQS::Queue
              Properties:
                VisibilityTimeout: 120
        """})
    findings = check_json(["."], tmp_path, "--select", "LL206")
    # worker: 30 s (SQS default) < 6 x 20 s, reported at the provider timeout; api: 60 s > 29 s.
    assert sorted(ids_and_lines(findings)) == [("LL206", 4), ("LL206", 19)]


def test_resources_read_as_cloudformation(tmp_path):
    write(tmp_path, {"legacy/index.py": "def handler(event, context):\n    pass\n"})
    functions = read(tmp_path, """\
        service: a
        custom:
          bucket: reports-bucket
        provider:
          name: aws
          iam:
            role: SharedRole
        functions:
          shared:
            handler: h.shared
          named:
            handler: h.named
            role: arn:aws:iam::123456789012:role/named-role
        resources:
          - Resources:
              SharedRole:
                Type: AWS::IAM::Role
                Properties:
                  Policies:
                    - PolicyName: shared
                      PolicyDocument:
                        Statement:
                          - Effect: Allow
                            Action: s3:GetObject
                            Resource: arn:aws:s3:::${self:custom.bucket}/*
                          - Effect: Allow
                            Action: ssm:GetParameter
                            Resource: ${ssm:/a/parameter-arn}
          - Resources:
              NamedRole:
                Type: AWS::IAM::Role
                Properties:
                  RoleName: named-role
                  ManagedPolicyArns:
                    - arn:aws:iam::aws:policy/AmazonSQSFullAccess
              Legacy:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  Code: legacy/
                  Role: !GetAtt SharedRole.Arn
                  Environment:
                    Variables:
                      TOKEN: ${ssm:/a/token}
                      BUCKET: ${self:custom.bucket}
        """)
    shared = functions["shared"]
    assert shared.role == "SharedRole"
    first, second = shared.statements
    assert values_at(first.resources) == [("arn:aws:s3:::reports-bucket/*", 25)]
    assert second.resources[0].literal is False
    assert second.resources[0].text == "${ssm:/a/parameter-arn}"
    named = functions["named"]
    assert named.role == "NamedRole" and named.statements == []
    assert [(p.name.value, p.name.line) for p in named.managed_policies] == [
        ("arn:aws:iam::aws:policy/AmazonSQSFullAccess", 35)]
    legacy = functions["Legacy"]
    assert (legacy.format, legacy.line, legacy.path) == ("cloudformation", 36, "serverless.yml")
    assert (legacy.timeout.seconds, legacy.timeout.origin) == (3, "default")
    assert [s.line for s in legacy.statements] == [23, 26]
    values = environment_of(legacy)
    assert values["TOKEN"].literal is False and values["TOKEN"].text == "${ssm:/a/token}"
    assert (values["BUCKET"].value, values["BUCKET"].line) == ("reports-bucket", 46)


def test_timeout_written_as_a_string_is_a_number(tmp_path):
    # "600" (quoted, or through a variable) is 600 s, as the framework reads it: over API
    # Gateway's 29 s, not an unknown timeout.
    write(tmp_path, {"lambdalint.toml": "", "serverless.yml": """
        service: s
        custom:
          t: "600"
        provider:
          name: aws
          runtime: python3.12
          timeout: "3"
        functions:
          a:
            handler: h.a
            timeout: '900'
            events:
              - http: {path: /, method: get}
          b:
            handler: h.b
            timeout: ${self:custom.t}
            events:
              - http: {path: /, method: get}
          c:
            handler: h.c
        """})
    found = {(f["rule"], f["line"]): f["message"] for f in check_json(["."], tmp_path)
             if f["rule"] in ("LL201", "LL206")}
    assert sorted(found) == [("LL201", 7), ("LL206", 11), ("LL206", 16)]
    assert found[("LL206", 11)].startswith("a has a 900 s timeout but is called through API Gateway")
    assert found[("LL206", 16)].startswith("b has a 600 s timeout but is called through API Gateway")
    assert found[("LL201", 7)].startswith("c runs with a 3 s timeout set once under provider")


def test_memory_tracing_and_log_retention(tmp_path):
    functions = read(tmp_path, """\
service: a
provider:
  name: aws
  tracing:
    lambda: true
  logRetentionInDays: 14
functions:
  plain:
    handler: h.f
  own:
    handler: h.g
    memorySize: 512
    tracing: PassThrough
    logRetentionInDays: 7
""")
    plain, own = functions["plain"], functions["own"]
    assert (plain.memory.value, plain.memory_defaulted) == (1024, True)
    assert (own.memory.value, own.memory_defaulted) == (512, False)
    assert (plain.tracing.value, plain.tracing.line) == (True, 5)
    assert (own.tracing.value, own.tracing.line) == ("PassThrough", 13)
    assert (plain.log_retention.value, plain.log_retention.line) == (14, 6)
    assert (own.log_retention.value, own.log_retention.line) == (7, 14)
    assert plain.log_group is None
