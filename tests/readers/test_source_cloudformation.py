"""The SAM / CloudFormation reader: real templates written to tmp_path, read by the real loader."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict

import pytest

from helpers import check_json, load_document, sam_template, write
from lambdalint.discovery import SourceFile
from lambdalint.model import Function
from lambdalint.sources import cloudformation, configs, yamlload


def read(root: Path, text: str, name: str = "template.yaml") -> Dict[str, Function]:
    """Write ``text`` as ``name`` under root and read it: {logical id: Function}."""
    data, source, body = load_document(root, text, name)
    return {f.name: f for f in cloudformation.read_template(data, source, body)}


def line(root: Path, needle: str, name: str = "template.yaml", nth: int = 1) -> int:
    """The 1-based line of the nth occurrence of ``needle`` in the written file."""
    seen = 0
    for number, text in enumerate((root / name).read_text().splitlines(), start=1):
        if needle in text:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in {name}")


def texts(values):
    return [v.value if v.literal else v.text for v in values]


# -- recognising a template -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ('AWSTemplateFormatVersion: "2010-09-09"\n', True),
    ("Transform: AWS::Serverless-2016-10-31\n", True),
    ("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n", True),
    ("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n", True),
    ("Resources:\n  C:\n    Type: Custom::Thing\n", True),
    ('{"Resources": {"F": {"Type": "AWS::Lambda::Function"}}}', True),
    ("Resources:\n  F: {Type: not a type}\n", False),
    ("Resources: []\n", False),
    ("Resources:\n", False),
    ("service: api\nprovider: {name: aws}\n", False),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", False),
    ("- AWSTemplateFormatVersion\n", False),
    ("Transform: AWS::Include\n", False),
])
def test_is_template_by_content(text, expected):
    assert cloudformation.is_template(yamlload.load(text)) is expected


def test_any_file_name_is_read_by_content(tmp_path):
    write(tmp_path, {
        "infra/stack.yml": """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Code: src/
            """,
        "infra/src/app.py": "def handler(event, context):\n    return 1\n",
        "other.yaml": "name: not a template\nResources: [1]\n",
    })
    project = configs.read_project(
        [SourceFile((tmp_path / "infra/stack.yml").absolute(), "infra/stack.yml", "yaml"),
         SourceFile((tmp_path / "other.yaml").absolute(), "other.yaml", "yaml")], [], [])
    assert [f.name for f in project.functions] == ["Fn"]
    assert project.errors == []
    assert project.functions[0].handler_file == str(tmp_path / "infra/src/app.py")


# -- SAM functions and Globals -----------------------------------------------------------------------

SAM_APP = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Timeout: 20
        MemorySize: 512
        Runtime: python3.12
        Handler: app.lambda_handler
        CodeUri: shared/
        Layers:
          - arn:aws:lambda:us-east-1:123456789012:layer:common:3
        Environment:
          Variables:
            STAGE: prod
            LOG_LEVEL: INFO
    Resources:
      HelloFunction:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: hello_world/
          Timeout: 5
          Layers:
            - !Ref DepsLayer
          Environment:
            Variables:
              LOG_LEVEL: DEBUG
              TABLE: !Ref Table
      PlainFunction:
        Type: AWS::Serverless::Function
        Properties:
          MemorySize: 1024
      RawFunction:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.11
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/external
          Code:
            S3Bucket: my-artifacts
            S3Key: raw.zip
      Table:
        Type: AWS::DynamoDB::Table
      DepsLayer:
        Type: AWS::Serverless::LayerVersion
    """


def test_sam_function_takes_globals_and_its_own_values_win(tmp_path):
    functions = read(tmp_path, SAM_APP)
    assert sorted(functions) == ["HelloFunction", "PlainFunction", "RawFunction"]
    hello = functions["HelloFunction"]
    assert hello.format == "sam"
    assert hello.path == "template.yaml"
    assert hello.line == line(tmp_path, "HelloFunction:")
    assert hello.end_line == line(tmp_path, "TABLE: !Ref Table")
    assert (hello.timeout.seconds, hello.timeout.origin, hello.timeout.line) == \
        (5, "function", line(tmp_path, "Timeout: 5"))
    assert (hello.memory.value, hello.memory.line) == (512, line(tmp_path, "MemorySize: 512"))
    assert (hello.runtime.value, hello.runtime.line) == ("python3.12", line(tmp_path, "Runtime: python3.12"))
    assert hello.handler.value == "app.lambda_handler"
    assert hello.code.kind == "local"
    assert hello.code.path == str(tmp_path / "hello_world")
    assert texts(hello.layers) == ["arn:aws:lambda:us-east-1:123456789012:layer:common:3", "!Ref DepsLayer"]
    env = {e.name: e for e in hello.environment}
    assert sorted(env) == ["LOG_LEVEL", "STAGE", "TABLE"]
    assert env["LOG_LEVEL"].value.value == "DEBUG"  # the function wins
    assert env["LOG_LEVEL"].line == line(tmp_path, "LOG_LEVEL: DEBUG")
    assert env["STAGE"].value.value == "prod"
    assert env["STAGE"].line == line(tmp_path, "STAGE: prod")
    assert (env["TABLE"].value.literal, env["TABLE"].value.value, env["TABLE"].value.text) == \
        (False, None, "!Ref Table")
    assert hello.role == "HelloFunctionRole"

    plain = functions["PlainFunction"]
    assert (plain.timeout.seconds, plain.timeout.origin, plain.timeout.line) == \
        (20, "globals", line(tmp_path, "Timeout: 20"))
    assert plain.memory.value == 1024
    assert plain.code.path == str(tmp_path / "shared")

    raw = functions["RawFunction"]  # Globals are for AWS::Serverless::Function only
    assert raw.format == "sam"  # but the template is a SAM template
    assert (raw.timeout.seconds, raw.timeout.origin, raw.timeout.line) == (3, "default", raw.line)
    assert raw.memory is None
    assert raw.environment == []
    assert raw.runtime.value == "python3.11"
    assert (raw.code.kind, raw.code.path) == ("s3", "s3://my-artifacts/raw.zip")
    assert raw.role == "external"
    assert raw.statements == [] and raw.managed_policies == []


def test_format_cloudformation_without_transform_and_sam_by_resource_type(tmp_path):
    functions = read(tmp_path, """
        Resources:
          Plain:
            Type: AWS::Lambda::Function
            Properties: {Runtime: python3.12, Handler: a.b, Code: {ZipFile: "x = 1"}}
          Sam:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.b, InlineCode: "x = 1"}
        """)
    assert functions["Plain"].format == "cloudformation"
    assert functions["Sam"].format == "sam"
    forced = cloudformation.read_template(
        yamlload.load((tmp_path / "template.yaml").read_text()),
        SourceFile((tmp_path / "template.yaml").absolute(), "template.yaml", "yaml"), "",
        format="serverless")
    assert {f.format for f in forced} == {"serverless"}


# -- timeouts ----------------------------------------------------------------------------------------

def test_timeout_origins(tmp_path):
    functions = read(tmp_path, """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          TimeoutParam:
            Type: Number
            Default: 3
          NoDefault:
            Type: Number
          StringDefault:
            Type: String
            Default: "45"
        Mappings:
          Env:
            prod: {Timeout: 30}
        Conditions:
          IsProd: !Equals [!Ref AWS::AccountId, "123"]
        Resources:
          FromParameter:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: !Ref TimeoutParam
          FromParameterWithoutDefault:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: !Ref NoDefault
          FromStringParameter:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: {"Ref": "StringDefault"}
          FromMap:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: !FindInMap [Env, prod, Timeout]
          FromIf:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: !If [IsProd, 30, 3]
          AsString:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: "30"
          Unset:
            Type: AWS::Lambda::Function
            Properties:
              MemorySize: 256
          NoValue:
            Type: AWS::Lambda::Function
            Properties:
              Timeout: !Ref AWS::NoValue
        """)
    t = {name: f.timeout for name, f in functions.items()}
    assert (t["FromParameter"].seconds, t["FromParameter"].origin, t["FromParameter"].line) == \
        (3, "parameter", line(tmp_path, "Timeout: !Ref TimeoutParam"))
    assert (t["FromParameterWithoutDefault"].seconds, t["FromParameterWithoutDefault"].origin) == \
        (None, "unknown")
    assert t["FromParameterWithoutDefault"].line == line(tmp_path, "Timeout: !Ref NoDefault")
    assert (t["FromStringParameter"].seconds, t["FromStringParameter"].origin) == (45, "parameter")
    assert (t["FromMap"].seconds, t["FromMap"].origin, t["FromMap"].line) == \
        (None, "unknown", line(tmp_path, "!FindInMap"))
    assert (t["FromIf"].seconds, t["FromIf"].origin) == (None, "unknown")
    assert (t["AsString"].seconds, t["AsString"].origin) == (30, "function")
    assert (t["Unset"].seconds, t["Unset"].origin, t["Unset"].line) == \
        (3, "default", line(tmp_path, "Unset:"))
    assert (t["NoValue"].seconds, t["NoValue"].origin) == (3, "default")


def test_parameter_default_keeps_the_reference_in_text(tmp_path):
    functions = read(tmp_path, """
        Parameters:
          Mem: {Type: Number, Default: 256}
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              MemorySize: !Ref Mem
        """)
    memory = functions["Fn"].memory
    assert (memory.value, memory.literal, memory.text, memory.line) == \
        (256, True, "!Ref Mem (default 256)", line(tmp_path, "MemorySize: !Ref Mem"))


# -- intrinsics --------------------------------------------------------------------------------------

def test_every_intrinsic_form_reads_without_a_crash(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage: {Type: String, Default: dev}
        Conditions:
          IsDev: !Equals [!Ref Stage, dev]
          Both: !And [!Condition IsDev, !Not [!Equals [!Ref Stage, x]]]
          Either: !Or [!Condition IsDev, !Condition Both]
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Environment:
                Variables:
                  REF: !Ref Stage
                  GETATT_DOT: !GetAtt Table.Arn
                  GETATT_LIST: !GetAtt [Table, StreamArn]
                  GETATT_LONG: {"Fn::GetAtt": ["Table", "Arn"]}
                  SUB: !Sub "arn:aws:s3:::${Bucket}/*"
                  SUB_LIST: !Sub ["${Name}-x", {Name: !Ref Stage}]
                  SUB_PLAIN: !Sub plain-text
                  JOIN: !Join ["", ["arn:", !Ref AWS::Partition, ":s3:::b"]]
                  REGION: !Ref AWS::Region
                  IF: !If [IsDev, a, b]
                  SELECT: !Select [0, !GetAZs ""]
                  MAP: !FindInMap [M, !Ref AWS::Region, K]
                  IMPORT: !ImportValue shared-bucket
                  BASE64: !Base64 abc
                  SPLIT: !Select [1, !Split [",", "a,b"]]
                  CIDR: !Select [0, !Cidr ["10.0.0.0/16", 2, 8]]
                  EMBED: !Rain::Embed file.txt
                  NUMBER: 42
                  FLAG: true
                  EMPTY:
          Table:
            Type: AWS::DynamoDB::Table
          Bucket:
            Type: AWS::S3::Bucket
        """)
    env = {e.name: e.value for e in functions["Fn"].environment}
    assert (env["REF"].value, env["REF"].text) == ("dev", "!Ref Stage (default dev)")
    assert env["GETATT_DOT"].text == "!GetAtt Table.Arn"
    assert env["GETATT_LIST"].text == "!GetAtt Table.StreamArn"
    assert env["GETATT_LONG"].text == "!GetAtt Table.Arn"
    assert env["SUB"].text == "!Sub arn:aws:s3:::${Bucket}/*"
    assert env["SUB_LIST"].text == "!Sub ${Name}-x"
    assert (env["SUB_PLAIN"].value, env["SUB_PLAIN"].literal) == ("plain-text", True)
    # Only pseudo parameters: as good as a literal, the value written as !Sub would.
    assert (env["JOIN"].value, env["JOIN"].literal, env["JOIN"].text) == \
        ("arn:${AWS::Partition}:s3:::b", True, "!Join arn:${AWS::Partition}:s3:::b")
    assert (env["REGION"].value, env["REGION"].text) == (None, "!Ref AWS::Region")
    assert env["IMPORT"].text == "!ImportValue shared-bucket"
    for name in ("GETATT_DOT", "SUB", "REGION", "IF", "SELECT", "MAP", "IMPORT", "BASE64", "SPLIT",
                 "CIDR", "EMBED", "EMPTY"):
        assert env[name].literal is False and env[name].value is None, name
    assert env["EMBED"].text.startswith("!Rain::Embed")
    assert (env["NUMBER"].value, env["FLAG"].value) == (42, True)
    assert env["IF"].line == line(tmp_path, "IF: !If")


# -- environment -------------------------------------------------------------------------------------

def test_dynamic_references_and_ssm_parameters_are_not_literal(tmp_path):
    functions = read(tmp_path, """
        Parameters:
          DbHost:
            Type: AWS::SSM::Parameter::Value<String>
            Default: /app/db/host
          Password:
            Type: String
            NoEcho: true
            Default: hunter2-in-template
          Resolved:
            Type: String
            Default: "{{resolve:ssm:/app/key}}"
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Environment:
                Variables:
                  SECRET: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
                  SSM: '{{resolve:ssm:/app/token:3}}'
                  SUBBED: !Sub "{{resolve:secretsmanager:${AWS::StackName}-db}}"
                  HOST: !Ref DbHost
                  PASSWORD: !Ref Password
                  FROM_RESOLVED: !Ref Resolved
                  PLAIN: hunter2
        """)
    env = {e.name: e.value for e in functions["Fn"].environment}
    for name in ("SECRET", "SSM", "SUBBED", "HOST", "FROM_RESOLVED"):
        assert env[name].literal is False and env[name].value is None, name
    assert env["SECRET"].text == "{{resolve:secretsmanager:prod/db:SecretString:password}}"
    assert env["HOST"].text == "!Ref DbHost (SSM parameter /app/db/host)"
    # A default in the template is written in the template: reported where it is used.
    assert (env["PASSWORD"].value, env["PASSWORD"].literal, env["PASSWORD"].line) == \
        ("hunter2-in-template", True, line(tmp_path, "PASSWORD: !Ref Password"))
    assert (env["PLAIN"].value, env["PLAIN"].literal, env["PLAIN"].line, env["PLAIN"].column) == \
        ("hunter2", True, line(tmp_path, "PLAIN: hunter2"), 18)


# -- code locations ----------------------------------------------------------------------------------

def test_code_locations(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Dir:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ./src/hello, Handler: app.handler}
          File:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: handler.py, Handler: handler.main}
          Zip:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: ../dist/fn.zip, Handler: app.handler}
          S3Uri:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: s3://bucket/key.zip, Handler: app.handler}
          S3Map:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: {Bucket: b, Key: k.zip, Version: "3"}, Handler: app.handler}
          Computed:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: !Sub "s3://${B}/k.zip", Handler: app.handler}
          Image:
            Type: AWS::Serverless::Function
            Properties: {PackageType: Image, ImageUri: 123.dkr.ecr.us-east-1.amazonaws.com/fn:1}
          SamImageUri:
            Type: AWS::Serverless::Function
            Properties: {ImageUri: repo/fn:2}
          NoCodeUri:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.handler}
          CfnBucket:
            Type: AWS::Lambda::Function
            Properties: {Code: {S3Bucket: !Ref B, S3Key: k.zip}}
          CfnImage:
            Type: AWS::Lambda::Function
            Properties: {PackageType: Image, Code: {ImageUri: repo/fn:3}}
          CfnPackaged:
            Type: AWS::Lambda::Function
            Properties: {Code: ./build/fn, Handler: app.handler}
          CfnNoCode:
            Type: AWS::Lambda::Function
            Properties: {Handler: app.handler}
        """)
    code = {name: (f.code.kind, f.code.path) for name, f in functions.items()}
    assert code["Dir"] == ("local", str(tmp_path / "src" / "hello"))
    assert code["File"] == ("local", str(tmp_path / "handler.py"))
    assert code["Zip"] == ("zip", str(tmp_path.parent / "dist" / "fn.zip"))
    assert code["S3Uri"] == ("s3", "s3://bucket/key.zip")
    assert code["S3Map"] == ("s3", "s3://b/k.zip")
    assert code["Computed"] == ("unknown", None)
    assert code["Image"] == ("image", "123.dkr.ecr.us-east-1.amazonaws.com/fn:1")
    assert code["SamImageUri"] == ("image", "repo/fn:2")
    assert code["NoCodeUri"] == ("local", str(tmp_path))
    assert code["CfnBucket"] == ("s3", None)
    assert code["CfnImage"] == ("image", "repo/fn:3")
    assert code["CfnPackaged"] == ("local", str(tmp_path / "build" / "fn"))
    assert code["CfnNoCode"] == ("unknown", None)


# Inline code in four spellings: Python under ZipFile and under !Sub InlineCode, Node, folded.
INLINE_TEMPLATE = """
        Resources:
          Inline:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Code:
                ZipFile: |
                  import boto3

                  def handler(event, context):
                      s3 = boto3.client("s3")
                      return s3.list_buckets()
          InlineSub:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: !Sub |
                  REGION = "${AWS::Region}"
                  def handler(event, context):
                      return REGION
          NodeInline:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: nodejs20.x
              Code:
                ZipFile: |
                  exports.handler = async () => 1;
          Folded:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: >
                  x = 1
        """


def test_inline_zipfile_maps_lines_and_columns(tmp_path):
    functions = read(tmp_path, INLINE_TEMPLATE)
    inline = functions["Inline"].code
    assert inline.kind == "inline"
    code = inline.inline
    assert (code.path, code.line_offset, code.column_offset) == ("template.yaml", line(tmp_path, "ZipFile: |"), 10)
    file_lines = (tmp_path / "template.yaml").read_text().splitlines()
    for number, text in enumerate(code.text.splitlines(), start=1):
        assert file_lines[code.line_offset + number - 1] == " " * code.column_offset + text if text \
            else not file_lines[code.line_offset + number - 1].strip()
    assert code.text.splitlines()[3] == '    s3 = boto3.client("s3")'
    assert line(tmp_path, "boto3.client") == code.line_offset + 4
    sub = functions["InlineSub"].code.inline
    assert sub.line_offset == line(tmp_path, "InlineCode: !Sub |")
    assert sub.text.startswith('REGION = "${AWS::Region}"')
    assert sub.column_offset == 10
    assert (functions["NodeInline"].code.kind, functions["NodeInline"].code.inline) == ("inline", None)
    assert (functions["Folded"].code.kind, functions["Folded"].code.inline) == ("inline", None)


def test_inline_code_in_json_is_not_mapped_to_wrong_lines(tmp_path):
    functions = read(tmp_path, json.dumps({
        "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler",
            "Code": {"ZipFile": "import boto3\ndef handler(e, c):\n    return 1\n"}}}}}, indent=2),
        name="template.json")
    assert functions["Fn"].code.kind == "inline"
    assert functions["Fn"].code.inline is None


def test_inline_code_with_crlf_line_endings(tmp_path):
    text = ("Resources:\r\n  Fn:\r\n    Type: AWS::Lambda::Function\r\n    Properties:\r\n"
            "      Runtime: python3.12\r\n      Code:\r\n        ZipFile: |\r\n"
            "          def handler(event, context):\r\n            return 1\r\n")
    (tmp_path / "template.yaml").write_bytes(text.encode())
    data = yamlload.load(text)
    source = SourceFile((tmp_path / "template.yaml").absolute(), "template.yaml", "yaml")
    fn, = cloudformation.read_template(data, source, text)
    code = fn.code.inline
    assert (code.line_offset, code.column_offset) == (7, 10)
    assert code.text == "def handler(event, context):\n  return 1\n"


# -- IAM ---------------------------------------------------------------------------------------------

def test_sam_policies_every_shape(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Policies:
                - AWSLambdaBasicExecutionRole
                - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
                - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess
                - DynamoDBCrudPolicy:
                    TableName: !Ref Table
                - S3ReadPolicy:
                    BucketName: my-bucket
                - S3CrudPolicy:
                    BucketName: "*"
                - Version: "2012-10-17"
                  Statement:
                    - Effect: Allow
                      Action:
                        - s3:GetObject
                        - s3:*
                      Resource: "*"
                    - Effect: Deny
                      NotAction: iam:*
                      NotResource: !GetAtt Table.Arn
                - Statement:
                    Effect: Allow
                    Action: sqs:SendMessage
                    Resource: !GetAtt Queue.Arn
          Single:
            Type: AWS::Serverless::Function
            Properties:
              Policies: AWSLambdaExecute
          Table:
            Type: AWS::DynamoDB::Table
          Queue:
            Type: AWS::SQS::Queue
        """)
    fn = functions["Fn"]
    assert [(texts([m.name])[0], m.name.line, m.origin) for m in fn.managed_policies] == [
        ("AWSLambdaBasicExecutionRole", line(tmp_path, "- AWSLambdaBasicExecutionRole"), "Policies of Fn"),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", line(tmp_path, "AmazonDynamoDBFullAccess"),
         "Policies of Fn"),
        ("arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess",
         line(tmp_path, "AmazonS3FullAccess"), "Policies of Fn"),
    ]
    star, wide, deny, sqs = fn.statements
    assert star.origin == "SAM policy template S3CrudPolicy of Fn"
    assert (star.line, star.effect) == (line(tmp_path, 'BucketName: "*"'), "Allow")
    assert texts(star.resources) == ["arn:aws:s3:::*"]
    assert star.resources[0].line == line(tmp_path, 'BucketName: "*"')
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} <= set(texts(star.actions))
    assert (wide.origin, wide.effect, wide.line) == ("Policies of Fn", "Allow", line(tmp_path, "- Effect: Allow"))
    assert [(a.value, a.line) for a in wide.actions] == [
        ("s3:GetObject", line(tmp_path, "- s3:GetObject")), ("s3:*", line(tmp_path, "- s3:*"))]
    assert [(r.value, r.line) for r in wide.resources] == [("*", line(tmp_path, 'Resource: "*"'))]
    assert (deny.effect, texts(deny.not_actions), texts(deny.not_resources)) == \
        ("Deny", ["iam:*"], ["!GetAtt Table.Arn"])
    assert deny.actions == []
    assert (texts(sqs.actions), texts(sqs.resources), sqs.line) == \
        (["sqs:SendMessage"], ["!GetAtt Queue.Arn"], line(tmp_path, "Effect: Allow", nth=2))
    single = functions["Single"]
    assert texts([m.name for m in single.managed_policies]) == ["AWSLambdaExecute"]


def test_sam_role_wins_over_policies(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Role: arn:aws:iam::123456789012:role/prebuilt
              Policies:
                - AdministratorAccess
        """)
    assert functions["Fn"].managed_policies == []
    assert functions["Fn"].statements == []
    assert functions["Fn"].role == "prebuilt"


IAM_TEMPLATE = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ByGetAtt:
        Type: AWS::Lambda::Function
        Properties:
          Role: !GetAtt LambdaRole.Arn
      ByRef:
        Type: AWS::Lambda::Function
        Properties:
          Role: {"Ref": "LambdaRole"}
      BySub:
        Type: AWS::Lambda::Function
        Properties:
          Role: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${OtherRole}"
      ByName:
        Type: AWS::Lambda::Function
        Properties:
          Role: !Sub "arn:aws:iam::${AWS::AccountId}:role/named-role"
      WrongTrust:
        Type: AWS::Lambda::Function
        Properties:
          Role: !GetAtt StatesRole.Arn
      LambdaRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  Service: [lambda.amazonaws.com]
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
            - !Join ["", ["arn:", !Ref "AWS::Partition", ":iam::aws:policy/AmazonSQSFullAccess"]]
            - !Ref SharedManaged
          Policies:
            - PolicyName: tables
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: dynamodb:*
                    Resource: "*"
      OtherRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: !Sub "lambda.${AWS::URLSuffix}"}
                Action: sts:AssumeRole
      NamedRole:
        Type: AWS::IAM::Role
        Properties:
          RoleName: named-role
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: edgelambda.amazonaws.com}
                Action: sts:AssumeRole
      StatesRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: states.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: all
              PolicyDocument:
                Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
      UnusedRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          Policies:
            - PolicyName: unused
              PolicyDocument:
                Statement: [{Effect: Allow, Action: "iam:*", Resource: "*"}]
      AppPolicy:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: app
          Roles: [!Ref LambdaRole, !Ref StatesRole]
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub "arn:aws:s3:::${Bucket}/*"
      SharedManaged:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: "*"
      AttachedManaged:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Roles: [named-role]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "kms:Decrypt", Resource: "*"}
      OtherInline:
        Type: AWS::IAM::RolePolicy
        Properties:
          RoleName: !Ref OtherRole
          PolicyName: other
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "sns:Publish", Resource: "*"}
      UserPolicy:
        Type: AWS::IAM::Policy
        Properties:
          Users: [someone]
          PolicyDocument:
            Statement: [{Effect: Allow, Action: "ec2:*", Resource: "*"}]
      Bucket:
        Type: AWS::S3::Bucket
    """


def test_role_iam_reaches_the_functions_that_run_with_it(tmp_path):
    functions = read(tmp_path, IAM_TEMPLATE)
    by_getatt, by_ref = functions["ByGetAtt"], functions["ByRef"]
    assert by_getatt.role == by_ref.role == "LambdaRole"
    assert by_getatt.format == "cloudformation"
    origins = [(s.origin, texts(s.actions), s.line) for s in by_getatt.statements]
    assert origins == [
        ("policy tables of role LambdaRole", ["dynamodb:*"], line(tmp_path, "- Effect: Allow", nth=2)),
        ("AWS::IAM::ManagedPolicy SharedManaged", ["sqs:SendMessage"],
         line(tmp_path, "Action: sqs:SendMessage") - 1),
        ("AWS::IAM::Policy AppPolicy", ["s3:GetObject"], line(tmp_path, "Action: [s3:GetObject]") - 1),
    ]
    # One role, two functions: the same statements in each list.
    assert [(s.path, s.line) for s in by_ref.statements] == [(s.path, s.line) for s in by_getatt.statements]
    assert [(texts([m.name])[0], m.origin) for m in by_getatt.managed_policies] == [
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "ManagedPolicyArns of role LambdaRole"),
        ("arn:${AWS::Partition}:iam::aws:policy/AmazonSQSFullAccess", "ManagedPolicyArns of role LambdaRole"),
    ]
    assert by_getatt.managed_policies[1].name.line == line(tmp_path, "AmazonSQSFullAccess")

    by_sub = functions["BySub"]
    assert by_sub.role == "OtherRole"
    assert [(s.origin, texts(s.actions)) for s in by_sub.statements] == \
        [("AWS::IAM::RolePolicy OtherInline", ["sns:Publish"])]
    by_name = functions["ByName"]
    assert by_name.role == "NamedRole"
    assert [(s.origin, texts(s.actions)) for s in by_name.statements] == \
        [("AWS::IAM::ManagedPolicy AttachedManaged", ["kms:Decrypt"])]


def test_roles_of_other_services_and_unused_roles_are_not_attached(tmp_path):
    functions = read(tmp_path, IAM_TEMPLATE)
    wrong = functions["WrongTrust"]
    assert wrong.statements == [] and wrong.managed_policies == []
    everything = [s for f in functions.values() for s in f.statements]
    actions = {a for s in everything for a in texts(s.actions)}
    assert "*" not in actions  # StatesRole's
    assert "iam:*" not in actions  # UnusedRole's
    assert "ec2:*" not in actions  # a user's policy


def test_role_permissions_for_the_serverless_reader(tmp_path):
    write(tmp_path, {"template.yaml": IAM_TEMPLATE})
    data = yamlload.load((tmp_path / "template.yaml").read_text())
    source = SourceFile((tmp_path / "template.yaml").absolute(), "template.yaml", "yaml")
    name, statements, managed = cloudformation.role_permissions(data, source, "LambdaRole")
    assert name == "LambdaRole"
    assert [s.origin for s in statements][0] == "policy tables of role LambdaRole"
    assert len(managed) == 2
    assert cloudformation.role_permissions(data, source, "StatesRole")[1:] == ([], [])
    assert cloudformation.role_permissions(data, source, {"Fn::GetAtt": ["Nope", "Arn"]})[1:] == ([], [])
    # A serverless.yml's resources: section holds Resources, and may be all that is passed.
    name, statements, _ = cloudformation.role_permissions({"Resources": data["Resources"]}, source,
                                                          {"Fn::GetAtt": ["OtherRole", "Arn"]})
    assert (name, [s.origin for s in statements]) == ("OtherRole", ["AWS::IAM::RolePolicy OtherInline"])


def test_conditional_statements_and_actions_keep_both_branches(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Conditions:
          IsProd: !Equals [!Ref AWS::AccountId, "1"]
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - Statement:
                    - !If
                      - IsProd
                      - {Effect: Allow, Action: "s3:GetObject", Resource: "*"}
                      - !Ref AWS::NoValue
                    - Effect: Allow
                      Action:
                        - !If [IsProd, "sqs:*", "sqs:SendMessage"]
                      Resource: "*"
        """)
    first, second = functions["Fn"].statements
    assert texts(first.actions) == ["s3:GetObject"]
    assert texts(second.actions) == ["sqs:*", "sqs:SendMessage"]


# -- events ------------------------------------------------------------------------------------------

def test_events(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Get:
                  Type: Api
                  Properties: {Path: /, Method: get}
                Http:
                  Type: HttpApi
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Jobs:
                  Type: SQS
                  Properties:
                    Queue: !GetAtt JobsQueue.Arn
                Slow:
                  Type: SQS
                  Properties:
                    Queue: !GetAtt SlowQueue.Arn
                External:
                  Type: SQS
                  Properties:
                    Queue: arn:aws:sqs:us-east-1:123456789012:elsewhere
                Upload:
                  Type: S3
                  Properties: {Bucket: !Ref Bucket, Events: s3:ObjectCreated:*}
          Raw:
            Type: AWS::Lambda::Function
            Properties: {Handler: a.b}
          RawMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !GetAtt Raw.Arn
              EventSourceArn: !GetAtt SlowQueue.Arn
          StreamMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !Ref Raw
              EventSourceArn: !GetAtt Stream.Arn
          Method:
            Type: AWS::ApiGateway::Method
            Properties:
              HttpMethod: GET
              Integration:
                Type: AWS_PROXY
                Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Raw.Arn}/invocations"
          JobsQueue:
            Type: AWS::SQS::Queue
          SlowQueue:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimeout: 120
          Stream:
            Type: AWS::Kinesis::Stream
          Bucket:
            Type: AWS::S3::Bucket
        """)
    api = functions["Api"].events
    assert [(e.kind, e.line) for e in api] == [("api", line(tmp_path, "Get:")), ("api", line(tmp_path, "Http:"))]
    jobs, slow, external, upload = functions["Worker"].events
    assert (jobs.kind, jobs.line) == ("sqs", line(tmp_path, "Jobs:"))
    assert [e.http_api for e in api] == [False, True]
    visibility = jobs.visibility
    assert (visibility.value, visibility.literal, jobs.visibility_defaulted, visibility.line) == \
        (30, True, True, line(tmp_path, "JobsQueue:"))
    visibility = slow.visibility
    assert (visibility.value, visibility.line) == (120, line(tmp_path, "VisibilityTimeout: 120"))
    assert not slow.visibility_defaulted
    assert (external.kind, external.visibility, external.queue) == ("sqs", None, None)
    assert upload.kind == "s3"
    raw = functions["Raw"].events
    assert [(e.kind, e.line) for e in raw] == [
        ("sqs", line(tmp_path, "RawMapping:")), ("kinesis", line(tmp_path, "StreamMapping:")),
        ("api", line(tmp_path, "  Method:"))]
    assert raw[0].visibility.value == 120


def test_queue_visibility_helper(tmp_path):
    data = yamlload.load("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                         "      VisibilityTimeout: \"90\"\n")
    source = SourceFile(tmp_path / "serverless.yml", "serverless.yml", "yaml")
    found = cloudformation.queue_visibility(data, source, {"Fn::GetAtt": ["Q", "Arn"]})
    assert (found.value, found.line) == (90, 5)
    assert cloudformation.queue_visibility(data, source, "arn:aws:sqs:x") is None


# -- suppression -------------------------------------------------------------------------------------

def test_comment_and_metadata_suppressions(tmp_path):
    functions = read(tmp_path, """
        Resources:
          Commented:  # lambdalint: ignore
            Type: AWS::Lambda::Function
          Meta:
            Type: AWS::Lambda::Function
            Metadata:
              lambdalint:
                ignore: [LL203, LL201]
          MetaString:
            Type: AWS::Lambda::Function
            Metadata:
              lambdalint: {ignore: LL202}
          Plain:
            Type: AWS::Lambda::Function
            Metadata: {cfn-lint: {config: {ignore_checks: [W3005]}}}
        """)
    assert functions["Commented"].ignored_rules == {"*"}
    assert functions["Meta"].ignored_rules == {"LL201", "LL203"}
    assert functions["MetaString"].ignored_rules == {"LL202"}
    assert functions["Plain"].ignored_rules == set()


# -- JSON --------------------------------------------------------------------------------------------

def test_json_template_with_tabs_has_right_lines(tmp_path):
    text = (
        '{\n'
        '\t"AWSTemplateFormatVersion": "2010-09-09",\n'
        '\t"Resources": {\n'
        '\t\t"Fn": {\n'
        '\t\t\t"Type": "AWS::Lambda::Function",\n'
        '\t\t\t"Properties": {\n'
        '\t\t\t\t"Timeout": 3,\n'
        '\t\t\t\t"Environment": {"Variables": {"PASSWORD": "hunter2"}},\n'
        '\t\t\t\t"Role": {"Fn::GetAtt": ["Role", "Arn"]}\n'
        '\t\t\t}\n'
        '\t\t},\n'
        '\t\t"Role": {\n'
        '\t\t\t"Type": "AWS::IAM::Role",\n'
        '\t\t\t"Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [\n'
        '\t\t\t\t{"Effect": "Allow",\n'
        '\t\t\t\t "Action": "s3:*",\n'
        '\t\t\t\t "Resource": "*"}]}}]}\n'
        '\t\t}\n'
        '\t}\n'
        '}\n')
    (tmp_path / "stack.json").write_text(text)
    data = yamlload.load(text)
    fn, = cloudformation.read_template(
        data, SourceFile((tmp_path / "stack.json").absolute(), "stack.json", "json"), text)
    assert (fn.line, fn.end_line) == (4, 9)  # the last value: JSON's closing braces hold none
    assert (fn.timeout.seconds, fn.timeout.line, fn.timeout.origin) == (3, 7, "function")
    env, = fn.environment
    assert (env.name, env.value.value, env.line, env.value.line, env.value.column) == \
        ("PASSWORD", "hunter2", 8, 8, 47)
    statement, = fn.statements
    assert (statement.line, statement.actions[0].line, statement.resources[0].line) == (15, 16, 17)


# -- hostile input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, count", [
    ("Resources:\n", 0),
    ("Resources: null\n", 0),
    ("Resources: []\n", 0),
    ("Resources: {}\n", 0),
    ('AWSTemplateFormatVersion: "2010-09-09"\nResources: [a, b]\n', 0),
    ("Resources:\n  F: just a string\n  G: 12\n  H: [1]\n  I: {Type: AWS::Lambda::Function}\n", 1),
    ("Resources:\n  F:\n    Type: [AWS::Lambda::Function]\n", 0),
    ("Transform: AWS::Serverless-2016-10-31\nGlobals: [x]\nResources:\n  F: {Type: AWS::Serverless::Function}\n", 1),
    ("Transform: AWS::Serverless-2016-10-31\nGlobals: {Function: 5}\nResources:\n  F: {Type: AWS::Serverless::Function}\n", 1),
    ("Resources:\n  1: {Type: AWS::Lambda::Function}\n  true: {Type: AWS::Lambda::Function}\n", 2),
])
def test_odd_shapes_give_no_functions_or_plain_ones(tmp_path, text, count):
    functions = read(tmp_path, text)
    assert len(functions) == count
    for function in functions.values():
        assert (function.timeout.seconds, function.timeout.origin) == (3, "default")
        assert function.line == line(tmp_path, f"  {function.name}:")


def test_odd_properties_are_skipped_quietly(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          NullProps:
            Type: AWS::Lambda::Function
            Properties:
          ListProps:
            Type: AWS::Serverless::Function
            Properties: [1, 2]
          Weird:
            Type: AWS::Serverless::Function
            Properties:
              Timeout: [1]
              Role: 5
              Events: [x]
              Environment: {Variables: [1]}
              CodeUri: 12
              Layers: x
              Handler: {a: b}
              MemorySize: !Rain::Embed x
          WeirdPolicies:
            Type: AWS::Serverless::Function
            Properties:
              Policies: [[[x]], 7, {Statement: 5}, {Statement: [5, {Effect: [x], Action: {"Fn::If": [c]}}]},
                         {S3CrudPolicy: 5}, {S3CrudPolicy: {BucketName: ["*"]}}, !Rain::Embed x, null]
              Events: {A: {Type: SQS, Properties: {Queue: !GetAtt [Q]}}, B: {Type: SQS}, C: 5, D: {Type: 5}}
          BadRole:
            Type: AWS::IAM::Role
            Properties: {AssumeRolePolicyDocument: {Statement: [{Principal: [x]}]}, ManagedPolicyArns: 5,
                         Policies: [5, {PolicyDocument: [1]}]}
          BadPolicy:
            Type: AWS::IAM::Policy
            Properties: {Roles: {Ref: [x]}, PolicyDocument: 5}
          BadMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {FunctionName: {Ref: Weird}, EventSourceArn: 5}
          UsesBadRole:
            Type: AWS::Lambda::Function
            Properties: {Role: !GetAtt BadRole.Arn}
        """)
    assert sorted(functions) == ["ListProps", "NullProps", "UsesBadRole", "Weird", "WeirdPolicies"]
    weird = functions["Weird"]
    assert (weird.timeout.origin, weird.timeout.seconds) == ("unknown", None)
    assert weird.code.kind == "unknown"
    assert weird.memory.literal is False
    assert [e.kind for e in weird.events] == ["other"]  # an ARN lambdalint cannot read: model.EVENT_KINDS
    policies = functions["WeirdPolicies"]
    assert len(policies.statements) == 1 and policies.statements[0].effect == "Allow"
    assert [e.kind for e in policies.events] == ["sqs", "sqs"]
    assert functions["UsesBadRole"].role == "BadRole"
    assert cloudformation.read_template([1, 2], SourceFile(tmp_path, "x", "yaml"), "") == []


def test_python_tags_construct_nothing(tmp_path):
    functions = read(tmp_path, """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Handler: !!python/object/apply:os.system ["echo pwned > pwned.txt"]
              Environment:
                Variables:
                  X: !!python/name:os.system
                  Y: !!python/object:collections.OrderedDict {a: 1}
        """)
    fn = functions["Fn"]
    assert not (tmp_path / "pwned.txt").exists()
    env = {e.name: e.value for e in fn.environment}
    assert env["X"].value == ""
    assert all(isinstance(v.value, (str, type(None))) for v in env.values())


def test_huge_template_reads_quickly(tmp_path):
    parts = ["AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"]
    for i in range(1500):
        parts.append(
            f"  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n"
            f"      Role: !GetAtt Role{i % 30}.Arn\n      Timeout: 10\n"
            f"      Environment: {{Variables: {{A: b}}}}\n")
    for i in range(30):
        parts.append(
            f"  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n"
            f"        - PolicyName: p\n          PolicyDocument:\n"
            f"            Statement: [{{Effect: Allow, Action: 's3:*', Resource: '*'}}]\n"
            f"  Attach{i}:\n    Type: AWS::IAM::Policy\n    Properties:\n      Roles: [!Ref Role{i}]\n"
            f"      PolicyDocument: {{Statement: [{{Effect: Allow, Action: 'sqs:*', Resource: '*'}}]}}\n")
    text = "".join(parts)
    (tmp_path / "template.yaml").write_text(text)
    data = yamlload.load(text)
    started = time.perf_counter()
    functions = cloudformation.read_template(
        data, SourceFile((tmp_path / "template.yaml").absolute(), "template.yaml", "yaml"), text)
    elapsed = time.perf_counter() - started
    assert len(functions) == 1500
    assert all(len(f.statements) == 2 for f in functions)
    assert elapsed < 2.0, elapsed


ALIAS_BOMB = "\n".join(
    ["Resources:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"  {n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi")]) + "\n"


def test_alias_bomb_is_a_parse_error_and_quick(tmp_path):
    write(tmp_path, {"template.yaml": ALIAS_BOMB})
    started = time.perf_counter()
    findings = check_json(["."], tmp_path, "--select", "LL001")
    assert time.perf_counter() - started < 5
    assert [(f["rule"], f["path"]) for f in findings] == [("LL001", "template.yaml")]
    assert "alias" in findings[0]["message"]


def test_deep_nesting_is_a_parse_error(tmp_path):
    depth = 3000
    write(tmp_path, {"template.yaml": "Resources:\n  F:\n    Type: AWS::Lambda::Function\n"
                                      "    Properties: " + "[" * depth + "]" * depth + "\n"})
    findings = check_json(["."], tmp_path, "--select", "LL001")
    assert [(f["rule"], f["path"]) for f in findings] == [("LL001", "template.yaml")]


# -- through the CLI ---------------------------------------------------------------------------------

def test_parse_error_is_ll001_at_its_line_and_the_run_goes_on(tmp_path):
    write(tmp_path, {
        "a/template.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Timeout: [1, 2
                  Handler: app.handler
            """,
        "b/template.json": '{\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function",,}\n  }\n}\n',
        "c/template.yaml": """
            Resources:
              Good:
                Type: AWS::Lambda::Function
                Properties: {Timeout: 10}
            """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL001")
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("LL001", "a/template.yaml", 7), ("LL001", "b/template.json", 3)]


# A SAM function and its handler file, whose one-argument handler has an LL102 on line 5.
HELLO_WORLD = {
    "template.yaml": sam_template("hello_world/", "app.lambda_handler", "HelloWorldFunction"),
    "hello_world/app.py": """
        import boto3


        def lambda_handler(payload):
            client = boto3.client("s3")
            return client.list_buckets()
        """,
}


def test_linking_handler_string_to_code(tmp_path):
    write(tmp_path, HELLO_WORLD)
    project = configs.read_project(
        [SourceFile((tmp_path / "template.yaml").absolute(), "template.yaml", "yaml")], [], [])
    fn, = project.functions
    assert (fn.handler_file, fn.handler_function) == (str(tmp_path / "hello_world" / "app.py"), "lambda_handler")
    assert configs.linked_handlers(project) == {
        str((tmp_path / "hello_world" / "app.py").resolve()): {"lambda_handler"}}


def test_properties_that_cannot_be_known_are_not_the_default(tmp_path):
    functions = read(tmp_path, """
        Conditions:
          IsProd: !Equals [!Ref AWS::AccountId, "1"]
        Resources:
          Chosen:
            Type: AWS::Lambda::Function
            Properties: !If [IsProd, {Timeout: 30}, {Timeout: 10}]
          Included:
            Type: AWS::Lambda::Function
            Properties:
              Fn::Transform:
                Name: AWS::Include
                Parameters: {Location: s3://bucket/fn.yaml}
        """)
    assert (functions["Chosen"].timeout.origin, functions["Chosen"].timeout.seconds) == ("unknown", None)
    assert functions["Included"].timeout.origin == "unknown"


def test_linked_handler_with_an_unusual_signature_gets_the_code_rules(tmp_path):
    write(tmp_path, {**HELLO_WORLD, "other/app.py": HELLO_WORLD["hello_world/app.py"]})
    findings = check_json(["."], tmp_path, "--select", "LL102")
    # Only the file the template names: the same code elsewhere is not known to be a handler.
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("LL102", "hello_world/app.py", 5)]


def test_inline_code_findings_point_into_the_template(tmp_path):
    write(tmp_path, {"template.yaml": INLINE_TEMPLATE})
    findings = check_json(["."], tmp_path, "--select", "LL102,LL001")
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in findings] == [
        ("LL102", "template.yaml", line(tmp_path, "boto3.client"), 20)]


def test_statement_resources_built_from_pseudo_parameters_stay_readable(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - Statement:
                    - Effect: Allow
                      Action: s3:PutObject
                      Resource:
                        - !Sub "arn:${AWS::Partition}:s3:::*"
                        - !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
                        - !Sub ["arn:${AWS::Partition}:s3:::${Name}", {Name: !Ref Bucket}]
                        - !Join ["", ["arn:", !Ref AWS::Partition, ":s3:::*"]]
          Bucket:
            Type: AWS::S3::Bucket
        """)
    statement, = functions["Fn"].statements
    assert [(r.literal, r.value if r.literal else r.text, r.line) for r in statement.resources] == [
        (True, "arn:${AWS::Partition}:s3:::*", line(tmp_path, 's3:::*"')),
        (False, "!Sub arn:${AWS::Partition}:s3:::${Bucket}/*", line(tmp_path, "${Bucket}/*")),
        (False, "!Sub arn:${AWS::Partition}:s3:::${Name}", line(tmp_path, "${Name}")),
        (True, "arn:${AWS::Partition}:s3:::*", line(tmp_path, "!Join")),
    ]


# -- config rules on SAM and CloudFormation, through the CLI ------------------------------------------

SAM_FINDINGS = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      ShortTimeout: {Type: Number, Default: 3}
      Password: {Type: String, NoEcho: true}
    Conditions:
      IsProd: !Equals [!Ref AWS::AccountId, "123456789012"]
    Globals:
      Function:
        Timeout: 10
        Runtime: python3.12
        Handler: app.handler
    Resources:
      Scoped:
        Type: AWS::Serverless::Function
        Properties:
          Environment:
            Variables:
              DB_PASSWORD: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
              API_TOKEN: !Ref Password
          Policies:
            - AWSLambdaBasicExecutionRole
            - DynamoDBCrudPolicy:
                TableName: !Ref Table
            - Statement:
                - Effect: Allow
                  Action: [xray:PutTraceSegments, logs:PutLogEvents]
                  Resource: "*"
      Wide:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: 3
          Environment:
            Variables:
              DB_PASSWORD: hunter2-orders-prod
          Policies:
            - AmazonS3FullAccess
            - S3CrudPolicy:
                BucketName: "*"
            - Statement:
                - Effect: Allow
                  Action: dynamodb:*
                  Resource: !GetAtt Table.Arn
      FromParameter:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: !Ref ShortTimeout
      Conditional:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: !If [IsProd, 3, 5]
      SlowApi:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: 60
          Events:
            Get:
              Type: Api
              Properties: {Path: /, Method: get}
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Timeout: 20
          Events:
            Jobs:
              Type: SQS
              Properties:
                Queue: !GetAtt Jobs.Arn
      Silenced:  # lambdalint: ignore[LL201]
        Type: AWS::Serverless::Function
        Metadata:
          lambdalint:
            ignore: [wildcard-iam-action]
        Properties:
          Timeout: 3
          Policies: [AdministratorAccess]
      Jobs:
        Type: AWS::SQS::Queue
      Table:
        Type: AWS::DynamoDB::Table
      StatesRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: states.amazonaws.com}, Action: sts:AssumeRole}]
          Policies:
            - PolicyName: everything
              PolicyDocument:
                Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
    """


def test_sam_template_findings(tmp_path):
    write(tmp_path, {"template.yaml": SAM_FINDINGS})
    findings = check_json(["."], tmp_path, "--select", "LL2,LL001")
    at = lambda needle, nth=1: line(tmp_path, needle, nth=nth)  # noqa: E731
    assert [(f["rule"], f["line"]) for f in findings] == sorted([
        ("LL201", at("Timeout: 3")),
        ("LL204", at("DB_PASSWORD: hunter2-orders-prod")),
        ("LL202", at("- AmazonS3FullAccess")),
        ("LL203", at('BucketName: "*"')),
        ("LL202", at("Action: dynamodb:*")),
        ("LL201", at("Timeout: !Ref ShortTimeout")),
        ("LL206", at("Timeout: 60")),
        ("LL206", at("Timeout: 20")),
        ("LL212", at("Jobs:")),  # its queue has no redrive policy
    ], key=lambda pair: pair[1])
    assert {f["path"] for f in findings} == {"template.yaml"}
    by_line = {f["line"]: f for f in findings}
    assert "API Gateway" in by_line[at("Timeout: 60")]["message"]
    assert "30 s" in by_line[at("Timeout: 20")]["message"]


CFN_FINDINGS = """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
        "Code": {"S3Bucket": "artifacts", "S3Key": "worker.zip"}
      }
    },
    "WorkerRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
          "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [
          {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AdministratorAccess"]]},
          "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ]
      }
    },
    "WorkerPolicy": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyName": "worker",
        "Roles": [{"Ref": "WorkerRole"}],
        "PolicyDocument": {"Statement": [
          {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
           "Resource": "*"}
        ]}
      }
    },
    "Mapping": {
      "Type": "AWS::Lambda::EventSourceMapping",
      "Properties": {
        "FunctionName": {"Ref": "Worker"},
        "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}
      }
    },
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 18}}
  }
}
"""


def test_cloudformation_json_template_findings(tmp_path):
    write(tmp_path, {"stack.template": CFN_FINDINGS})
    findings = check_json(["."], tmp_path, "--select", "LL2,LL001")
    at = lambda needle: line(tmp_path, needle, name="stack.template")  # noqa: E731
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("LL201", "stack.template", at('"Worker": {')),
        ("LL202", "stack.template", at("AdministratorAccess")),
        ("LL203", "stack.template", at('"Resource": "*"')),
        ("LL212", "stack.template", at('"Mapping": {')),  # its queue has no redrive policy
    ]
    timeout = findings[0]
    assert "CloudFormation default of 3 s" in timeout["message"]


def test_cloudformation_event_source_mapping_visibility_boundary(tmp_path):
    # 18 s is exactly six times the 3 s default: fine. 17 s is not.
    write(tmp_path, {"stack.template": CFN_FINDINGS.replace('"VisibilityTimeout": 18', '"VisibilityTimeout": 17')})
    findings = check_json(["."], tmp_path, "--select", "LL201,LL206")
    worker = line(tmp_path, '"Worker": {', name="stack.template")
    assert [(f["rule"], f["line"]) for f in findings] == [("LL201", worker), ("LL206", worker)]
    assert any("17 s" in f["message"] for f in findings)


def test_sam_conditional_role_keeps_policies_for_the_other_case(tmp_path):
    functions = read(tmp_path, """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          RoleArn: {Type: String}
        Conditions:
          HasRole: !Not [!Equals [!Ref RoleArn, ""]]
        Resources:
          Maybe:
            Type: AWS::Serverless::Function
            Properties:
              Role: !If [HasRole, !Ref RoleArn, !Ref AWS::NoValue]
              Policies: [AmazonS3FullAccess]
          Always:
            Type: AWS::Serverless::Function
            Properties:
              Role: !If [HasRole, !Ref RoleArn, arn:aws:iam::123456789012:role/fallback]
              Policies: [AmazonS3FullAccess]
        """)
    assert texts([m.name for m in functions["Maybe"].managed_policies]) == ["AmazonS3FullAccess"]
    assert functions["Always"].managed_policies == []


BROKEN_JSON_TEMPLATE = """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function"
      "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10}
    }
  }
}
"""


def test_broken_json_template_is_called_invalid_json_on_its_line(tmp_path):
    # A .template may hold JSON or YAML: JSON text is reported as JSON, like a .json file.
    write(tmp_path, {"lambdalint.toml": "", "stack.template": BROKEN_JSON_TEMPLATE,
                     "stack.json": BROKEN_JSON_TEMPLATE})
    found = [(f["path"], f["rule"], f["line"], f["column"], f["message"])
             for f in check_json(["."], tmp_path)]
    message = "cannot check this file: invalid JSON: expected ',' or '}'"
    assert found == [("stack.json", "LL001", 6, 7, message),
                     ("stack.template", "LL001", 6, 7, message)]


def test_template_in_yaml_flow_style_is_still_read(tmp_path):
    # Not JSON (a trailing comma), but YAML: CloudFormation reads it, so does lambdalint.
    write(tmp_path, {"lambdalint.toml": "", "stack.template": (
        '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",\n'
        '  "Properties": {"Runtime": "python3.12", "Handler": "app.handler",}}}}\n')})
    assert [(f["rule"], f["line"]) for f in check_json(["."], tmp_path)] == [("LL201", 1)]


# -- memory, tracing and log groups (LL208, LL209, LL210) ---------------------------------------

def test_memory_tracing_and_log_groups(tmp_path):
    functions = read(tmp_path, """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    MemorySize: 256
    Tracing: Active
Resources:
  FromGlobals:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.h
      CodeUri: src/
  Own:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.h
      CodeUri: src/
      FunctionName: own-fn
      MemorySize: 1024
      Tracing: PassThrough
  OwnLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/own-fn
  FromGlobalsLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${FromGlobals}
      RetentionInDays: 14
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.h
      Code: src/
      TracingConfig:
        Mode: Active
      LoggingConfig:
        LogGroup: /elsewhere
""")
    shared = functions["FromGlobals"]
    assert (shared.memory.value, shared.memory.line) == (256, line(tmp_path, "MemorySize: 256"))
    assert (shared.tracing.value, shared.tracing.line) == ("Active", line(tmp_path, "Tracing: A"))
    assert (shared.log_group.name, shared.log_group.line) == \
        ("FromGlobalsLogs", line(tmp_path, "FromGlobalsLogs:"))
    assert (shared.log_retention.value, shared.log_retention.line) == \
        (14, line(tmp_path, "RetentionInDays: 14"))
    own = functions["Own"]
    assert (own.memory.value, own.tracing.value) == (1024, "PassThrough")
    assert own.log_group.name == "OwnLogs" and own.log_group.retention is None
    assert own.log_retention is None
    plain = functions["Plain"]
    assert plain.memory is None  # SAM Globals apply to AWS::Serverless::Function only
    assert plain.tracing.value == "Active"
    assert (plain.log_group.name, plain.log_group.followed) == ("/elsewhere", False)
