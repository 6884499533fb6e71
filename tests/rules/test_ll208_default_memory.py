"""LL208 default-memory across formats: real files in tmp_path, the real CLI."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL208", *extra)


def sam_fn(name: str = "OrdersFunction", extra: str = "") -> str:
    return (f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            f"      Timeout: 10\n{extra}")


class TestSam:
    def test_no_memory_is_reported_on_the_function(self, tmp_path):
        text = sam("Resources:\n" + sam_fn())
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "OrdersFunction:"))]
        assert findings[0]["message"] == (
            "OrdersFunction sets no memory size, so it runs with the AWS SAM default of 128 MB, "
            "the least memory and CPU Lambda gives")
        assert "    OrdersFunction:\n      Properties:\n        MemorySize: 512" in \
            findings[0]["suggestion"]
        assert "Globals:\n      Function:\n        MemorySize: 512" in findings[0]["suggestion"]
        assert "Power Tuning" in findings[0]["suggestion"]

    def test_memory_set_is_silent(self, tmp_path):
        text = sam("Resources:\n" + sam_fn(extra="      MemorySize: 1024\n"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_128_written_is_reported_at_the_value(self, tmp_path):
        text = sam("Resources:\n" + sam_fn(extra="      MemorySize: 128\n"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "MemorySize: 128"))]
        assert findings[0]["message"].startswith("OrdersFunction has a memory size of 128 MB")
        assert findings[0]["suggestion"].startswith(
            "Raise it to what the work needs, measured:\n    MemorySize: 512\n")

    def test_globals_128_is_one_finding_naming_the_functions(self, tmp_path):
        text = sam("Globals:\n  Function:\n    MemorySize: 128\nResources:\n"
                   + sam_fn("A") + sam_fn("B") + sam_fn("C", "      MemorySize: 256\n"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "MemorySize: 128"))]
        assert findings[0]["message"].startswith("A, B have a memory size of 128 MB")

    def test_globals_memory_covers_functions(self, tmp_path):
        text = sam("Globals:\n  Function:\n    MemorySize: 512\nResources:\n" + sam_fn())
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_parameter_default_counts_and_unknown_is_silent(self, tmp_path):
        text = sam("Parameters:\n  Mem:\n    Type: Number\n    Default: 128\n  Other:\n"
                   "    Type: Number\nResources:\n"
                   + sam_fn("A", "      MemorySize: !Ref Mem\n")
                   + sam_fn("B", "      MemorySize: !Ref Other\n"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "MemorySize: !Ref Mem"))]
        assert "128 MB (!Ref Mem (default 128))" in findings[0]["message"]

    def test_ignore_comment_silences_the_function(self, tmp_path):
        text = sam("Resources:\n" + sam_fn().replace(
            "OrdersFunction:", "OrdersFunction:  # lambdalint: ignore[LL208]"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_min_memory_option_raises_the_floor(self, tmp_path):
        text = sam("Resources:\n" + sam_fn(extra="      MemorySize: 256\n"))
        files = {"template.yaml": text,
                 "lambdalint.toml": "[rules.LL208]\nmin-memory = 256\n"}
        write(tmp_path, files)
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL208")
        assert ids_and_lines(findings) == [("LL208", line_of(text, "MemorySize: 256"))]


class TestCloudFormationJson:
    def test_json_template_gets_a_json_suggestion(self, tmp_path):
        template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
            "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}}}}
        findings = lint(tmp_path, {"template.json": json.dumps(template, indent=2)})
        assert [f["rule"] for f in findings] == ["LL208"]
        assert '"Fn": {\n      "Properties": {\n        "MemorySize": 512' in \
            findings[0]["suggestion"]


class TestServerless:
    def test_default_1024_is_silent_and_128_is_reported(self, tmp_path):
        text = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "functions:\n  create:\n    handler: app.create\n  small:\n"
                "    handler: app.small\n    memorySize: 128\n")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "memorySize: 128"))]
        assert "memorySize: 512" in findings[0]["suggestion"]

    def test_provider_128_is_one_finding(self, tmp_path):
        text = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "  memorySize: 128\nfunctions:\n  a:\n    handler: app.a\n  b:\n"
                "    handler: app.b\n")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "memorySize: 128"))]
        assert findings[0]["message"].startswith("a, b have a memory size of 128 MB")

    def test_raised_floor_reports_the_serverless_default(self, tmp_path):
        text = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "functions:\n  create:\n    handler: app.create\n")
        write(tmp_path, {"serverless.yml": text,
                         "lambdalint.toml": "[rules.LL208]\nmin-memory = 1024\n"})
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL208")
        assert ids_and_lines(findings) == [("LL208", line_of(text, "create:"))]
        assert "Serverless Framework default of 1024 MB" in findings[0]["message"]
        assert "provider:\n      memorySize: 512" in findings[0]["suggestion"]


class TestTerraform:
    def test_resource_without_memory_size(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_function()})
        assert ids_and_lines(findings) == [("LL208", 1)]
        assert 'resource "aws_lambda_function" "fn" {\n      memory_size = 512\n    }' in \
            findings[0]["suggestion"]

    def test_resource_with_memory_size(self, tmp_path):
        text = terraform_function(body="memory_size = 1024")
        assert lint(tmp_path, {"main.tf": text}) == []

    def test_module_without_memory_size(self, tmp_path):
        text = ('module "orders" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
                '  function_name = "orders"\n  handler       = "app.handler"\n'
                '  runtime       = "python3.12"\n  source_path   = "src"\n  timeout       = 10\n}\n')
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL208", 1)]

    def test_variable_default_128(self, tmp_path):
        text = terraform_function(body="memory_size = var.memory",
                                  before='variable "memory" {\n  default = 128\n}')
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL208", line_of(text, "memory_size"))]


class TestCdk:
    def test_construct_without_and_with_memory(self, tmp_path):
        files = cdk_app("""\
            _lambda.Function(self, "Bare", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             timeout=Duration.seconds(10))
            _lambda.Function(self, "Sized", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             timeout=Duration.seconds(10), memory_size=1024)
            _lambda.Function(self, "Small", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             timeout=Duration.seconds(10), memory_size=128)
            """)
        findings = lint(tmp_path, files)
        app = files["app.py"]
        assert ids_and_lines(findings) == [
            ("LL208", line_of(app, '"Bare"')), ("LL208", line_of(app, "memory_size=128"))]
        assert "memory_size=512,  # an argument of the Bare construct" in \
            findings[0]["suggestion"]
