"""LL218 unneeded-vpc across formats: real files in tmp_path, the real CLI; the handler code's
imports reach the rule through the engine."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL218", *extra)


VPC = ("      VpcConfig:\n        SubnetIds: [subnet-1]\n        SecurityGroupIds: [sg-1]\n")


def sam_fn(name: str = "ExportFunction", extra: str = VPC, handler: str = "app.handler") -> str:
    return (f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      Runtime: python3.12\n      Handler: {handler}\n      CodeUri: src/\n"
            f"      Timeout: 10\n{extra}")


def handler(*imports: str) -> str:
    return "".join(f"import {name}\n" for name in imports) + \
        "\n\ndef handler(event, context):\n    return {}\n"


PUBLIC = handler("json", "os", "boto3")


class TestSam:
    def test_public_code_in_a_vpc_is_a_note_on_the_vpc_config(self, tmp_path):
        text = sam("Resources:\n" + sam_fn())
        findings = lint(tmp_path, {"template.yaml": text, "src/app.py": PUBLIC})
        assert ids_and_lines(findings) == [("LL218", line_of(text, "VpcConfig:"))]
        assert findings[0]["column"] == 7  # the VpcConfig key
        assert findings[0]["severity"] == "note"
        assert findings[0]["message"] == (
            "ExportFunction is attached to a VPC (VpcConfig), but its handler code reaches "
            "nothing that lives in one: it imports only boto3 and the standard library")
        assert findings[0]["suggestion"].startswith("Remove VpcConfig from ExportFunction")

    def test_code_that_needs_the_vpc_is_silent(self, tmp_path):
        for imports in (("psycopg2",), ("redis",), ("opensearchpy",), ("requests",),
                        ("urllib.request",), ("mydb",), ("boto3", "sqlalchemy.orm")):
            files = {"template.yaml": sam("Resources:\n" + sam_fn()),
                     "src/app.py": handler(*imports)}
            assert lint(tmp_path, files) == [], imports

    def test_efs_needs_the_vpc(self, tmp_path):
        efs = VPC + ("      FileSystemConfigs:\n        - Arn: arn:aws:elasticfilesystem:"
                     "eu-west-1:1:access-point/fsap-1\n          LocalMountPath: /mnt/data\n")
        text = sam("Resources:\n" + sam_fn(extra=efs))
        assert lint(tmp_path, {"template.yaml": text, "src/app.py": PUBLIC}) == []

    def test_no_linked_code_and_no_vpc_are_silent(self, tmp_path):
        node = sam("Resources:\n" + sam_fn().replace("python3.12", "nodejs20.x"))
        assert lint(tmp_path, {"template.yaml": node, "src/app.js": "exports.handler = 1\n"}) == []
        plain = sam("Resources:\n" + sam_fn(extra=""))
        assert lint(tmp_path, {"template.yaml": plain, "src/app.py": PUBLIC}) == []

    def test_globals_vpc_is_reported_on_each_public_function(self, tmp_path):
        text = sam("Globals:\n  Function:\n" + VPC.replace("      ", "    ", 1)
                   .replace("        ", "      ") + "Resources:\n"
                   + sam_fn("Export", "", "export.handler") + sam_fn("Db", "", "db.handler"))
        findings = lint(tmp_path, {"template.yaml": text, "src/export.py": PUBLIC,
                                   "src/db.py": handler("pymysql")})
        assert ids_and_lines(findings) == [("LL218", line_of(text, "Export:"))]
        assert findings[0]["column"] == 3  # the function's name
        assert f"(Globals.Function.VpcConfig at line {line_of(text, 'VpcConfig:')})" in \
            findings[0]["message"]
        assert "Move VpcConfig out of Globals" in findings[0]["suggestion"]

    def test_public_modules_option(self, tmp_path):
        files = {"template.yaml": sam("Resources:\n" + sam_fn()),
                 "src/app.py": handler("boto3", "myapp.format")}
        assert lint(tmp_path, files) == []
        write(tmp_path, {"lambdalint.toml": '[rules.LL218]\npublic-modules = ["myapp"]\n'})
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL218")
        assert [f["rule"] for f in findings] == ["LL218"]
        assert "imports only boto3, myapp and the standard library" in findings[0]["message"]


class TestCloudFormationJson:
    def test_vpc_config(self, tmp_path):
        template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
            "Role": "arn:aws:iam::123456789012:role/x", "Code": "src/",
            "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}}}}
        text = json.dumps(template, indent=2)
        findings = lint(tmp_path, {"template.json": text, "src/app.py": PUBLIC})
        assert ids_and_lines(findings) == [("LL218", line_of(text, '"VpcConfig"'))]


class TestServerless:
    SERVICE = ("service: export\nprovider:\n  name: aws\n  runtime: python3.12\n"
               "  vpc:\n    subnetIds: [subnet-1]\n    securityGroupIds: [sg-1]\n"
               "functions:\n  export:\n    handler: app.handler\n{function}")

    def test_provider_vpc_reported_on_the_function(self, tmp_path):
        text = self.SERVICE.format(function="")
        findings = lint(tmp_path, {"serverless.yml": text, "app.py": PUBLIC})
        assert ids_and_lines(findings) == [("LL218", line_of(text, "  export:"))]
        assert "vpc: ~" in findings[0]["suggestion"]

    def test_function_detached(self, tmp_path):
        text = self.SERVICE.format(function="    vpc: ~\n")
        assert lint(tmp_path, {"serverless.yml": text, "app.py": PUBLIC}) == []


class TestTerraform:
    def test_vpc_config_block(self, tmp_path):
        archive = ('data "archive_file" "fn" {\n  type        = "zip"\n'
                   '  source_dir  = "src"\n  output_path = "fn.zip"\n}')
        text = terraform_function("data.archive_file.fn.output_path",
                                  'vpc_config {\n  subnet_ids         = ["subnet-1"]\n'
                                  '  security_group_ids = ["sg-1"]\n}', before=archive)
        findings = lint(tmp_path, {"main.tf": text, "src/app.py": PUBLIC})
        assert ids_and_lines(findings) == [("LL218", line_of(text, "vpc_config {"))]
        assert "Remove the vpc_config block of aws_lambda_function.fn." in \
            findings[0]["suggestion"]
        findings = lint(tmp_path, {"main.tf": text, "src/app.py": handler("pymongo")})
        assert findings == []


class TestCdk:
    def test_vpc_argument(self, tmp_path):
        files = cdk_app('fn = _lambda.Function(self, "Export", runtime=_lambda.Runtime.PYTHON_3_12,\n'
                        '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
                        '                      timeout=Duration.seconds(10), vpc=vpc)\n')
        files["src/app.py"] = PUBLIC
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL218", line_of(files["app.py"], "vpc=vpc"))]
        assert "Remove vpc= (and vpc_subnets=, security_groups=)" in findings[0]["suggestion"]
        files["src/app.py"] = handler("redis")
        assert lint(tmp_path, files) == []
