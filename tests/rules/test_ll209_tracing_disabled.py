"""LL209 tracing-disabled across formats: real files in tmp_path, the real CLI; the handler
code's imports reach the rule through the engine (and its cache)."""

from __future__ import annotations

import json

from helpers import (cdk_app, check_json, ids_and_lines, line_of, sam, terraform_function,
                     write)


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL209", *extra)


def sam_fn(name: str = "OrdersFunction", extra: str = "", handler: str = "app.handler") -> str:
    return (f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      Runtime: python3.12\n      Handler: {handler}\n      CodeUri: src/\n"
            f"      Timeout: 10\n{extra}")


def severities(findings):
    return [(f["rule"], f["line"], f["severity"]) for f in findings]


HANDLER = "def handler(event, context):\n    return {}\n"


class TestSam:
    def test_no_tracing_is_a_note_on_the_function(self, tmp_path):
        text = sam("Resources:\n" + sam_fn())
        findings = lint(tmp_path, {"template.yaml": text})
        assert severities(findings) == [("LL209", line_of(text, "OrdersFunction:"), "note")]
        assert findings[0]["message"] == (
            "OrdersFunction does not turn on X-Ray tracing, so Lambda records no trace of its "
            "invocations (the default mode is PassThrough)")
        suggestion = findings[0]["suggestion"]
        assert "OrdersFunction:\n      Properties:\n        Tracing: Active" in suggestion
        assert "Globals:\n      Function:\n        Tracing: Active" in suggestion

    def test_active_tracing_is_silent(self, tmp_path):
        for body in ("Resources:\n" + sam_fn(extra="      Tracing: Active\n"),
                     "Globals:\n  Function:\n    Tracing: Active\nResources:\n" + sam_fn()):
            assert lint(tmp_path, {"template.yaml": sam(body)}) == []

    def test_globals_pass_through_is_one_finding(self, tmp_path):
        text = sam("Globals:\n  Function:\n    Tracing: PassThrough\nResources:\n"
                   + sam_fn("A") + sam_fn("B") + sam_fn("C", "      Tracing: Active\n"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL209", line_of(text, "Tracing: PassThrough"))]
        assert findings[0]["message"].startswith("A, B have tracing set to PassThrough")

    def test_a_tracing_mode_from_a_parameter_is_left_alone(self, tmp_path):
        text = sam("Parameters:\n  Mode:\n    Type: String\nResources:\n"
                   + sam_fn(extra="      Tracing: !Ref Mode\n"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_an_adot_layer_traces_the_function(self, tmp_path):
        layer = ("      Layers:\n        - !Sub arn:aws:lambda:${AWS::Region}:901920570463:"
                 "layer:aws-otel-python-amd64-ver-1-32-0:1\n")
        text = sam("Resources:\n" + sam_fn(extra=layer))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_require_option_makes_it_a_warning(self, tmp_path):
        text = sam("Resources:\n" + sam_fn())
        write(tmp_path, {"template.yaml": text,
                         "lambdalint.toml": "[rules.LL209]\nrequire = true\n"})
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL209")
        assert severities(findings) == [("LL209", line_of(text, "OrdersFunction:"), "warning")]


class TestHandlerCode:
    TEMPLATE = sam("Resources:\n" + sam_fn("Otel", handler="otel.handler")
                   + sam_fn("Powertools", handler="pt.handler")
                   + sam_fn("Plain", handler="plain.handler"))
    FILES = {"template.yaml": TEMPLATE,
             "src/otel.py": "from opentelemetry import trace\n\n" + HANDLER,
             "src/pt.py": "from aws_lambda_powertools import Tracer\n\ntracer = Tracer()\n\n"
                          + HANDLER,
             "src/plain.py": "import json\n\n" + HANDLER}

    def expected(self):
        return [("LL209", line_of(self.TEMPLATE, "Powertools:"), "warning"),
                ("LL209", line_of(self.TEMPLATE, "Plain:"), "note")]

    def test_opentelemetry_code_is_silent_and_xray_code_is_a_warning(self, tmp_path):
        findings = lint(tmp_path, self.FILES)
        assert severities(findings) == self.expected()
        assert "its code writes X-Ray segments (Powertools Tracer or the X-Ray SDK), which are " \
               "dropped unless tracing is active" in findings[0]["message"]

    def test_the_imports_come_from_a_warm_cache_too(self, tmp_path):
        write(tmp_path, {"lambdalint.toml": "", **self.FILES})
        cold = check_json(["."], tmp_path, "--select", "LL209")
        (pack,) = (tmp_path / ".lambdalint_cache").rglob("pack.jsonl")
        assert "opentelemetry.trace" in pack.read_text(encoding="utf-8")
        warm = check_json(["."], tmp_path, "--select", "LL209")
        assert severities(cold) == severities(warm) == self.expected()

    def test_with_code_rules_selected_too(self, tmp_path):
        findings = lint(tmp_path, self.FILES, "--select", "LL209,LL102")
        assert severities(findings) == self.expected()


class TestCloudFormationJson:
    def test_json_suggestion(self, tmp_path):
        template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
            "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"},
            "TracingConfig": {"Mode": "PassThrough"}}}}}
        findings = lint(tmp_path, {"template.json": json.dumps(template, indent=2)})
        assert [f["rule"] for f in findings] == ["LL209"]
        assert '"TracingConfig": {"Mode": "Active"}' in findings[0]["suggestion"]


class TestServerless:
    SERVICE = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n{provider}"
               "functions:\n  create:\n    handler: app.create\n{function}")

    def test_provider_tracing(self, tmp_path):
        text = self.SERVICE.format(provider="", function="")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL209", line_of(text, "create:"))]
        assert "provider:\n      tracing:\n        lambda: true" in findings[0]["suggestion"]
        on = self.SERVICE.format(provider="  tracing:\n    lambda: true\n", function="")
        assert lint(tmp_path, {"serverless.yml": on}) == []

    def test_function_pass_through_overrides_the_provider(self, tmp_path):
        text = self.SERVICE.format(provider="  tracing:\n    lambda: true\n",
                                   function="    tracing: PassThrough\n")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert ids_and_lines(findings) == [("LL209", line_of(text, "tracing: PassThrough"))]


class TestTerraform:
    def test_resource(self, tmp_path):
        findings = lint(tmp_path, {"main.tf": terraform_function()})
        assert ids_and_lines(findings) == [("LL209", 1)]
        assert 'tracing_config {\n        mode = "Active"\n      }' in findings[0]["suggestion"]
        active = terraform_function(body='tracing_config {\n  mode = "Active"\n}')
        assert lint(tmp_path, {"main.tf": active}) == []

    def test_module(self, tmp_path):
        module = ('module "orders" {{\n  source        = "terraform-aws-modules/lambda/aws"\n'
                  '  function_name = "orders"\n  handler       = "app.handler"\n'
                  '  runtime       = "python3.12"\n  source_path   = "src"\n{extra}}}\n')
        findings = lint(tmp_path, {"main.tf": module.format(extra="")})
        assert ids_and_lines(findings) == [("LL209", 1)]
        assert "attach_tracing_policy = true" in findings[0]["suggestion"]
        on = module.format(extra='  tracing_mode  = "Active"\n')
        assert lint(tmp_path, {"main.tf": on}) == []


class TestCdk:
    def test_construct(self, tmp_path):
        files = cdk_app("""\
            _lambda.Function(self, "Bare", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"))
            _lambda.Function(self, "Traced", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             tracing=_lambda.Tracing.ACTIVE)
            _lambda.Function(self, "Off", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             tracing=_lambda.Tracing.DISABLED)
            """)
        findings = lint(tmp_path, files)
        app = files["app.py"]
        assert ids_and_lines(findings) == [("LL209", line_of(app, '"Bare"')),
                                           ("LL209", line_of(app, "Tracing.DISABLED"))]
        assert "tracing=lambda_.Tracing.ACTIVE,  # an argument of the Bare construct" in \
            findings[0]["suggestion"]


    def test_a_mode_chosen_by_a_condition_is_left_alone(self, tmp_path):
        # From aws-samples/serverless-patterns (ta-eventbridge-lambda-s3): the mode is ACTIVE or
        # DISABLED by a parameter; the reader must not take the last assignment as the answer.
        files = cdk_app("""\
            enable_tracing = _lambda.Tracing.ACTIVE
            if self.node.try_get_context("tracing") != "TRUE":
                enable_tracing = _lambda.Tracing.DISABLED
            _lambda.Function(self, "Chosen", runtime=_lambda.Runtime.PYTHON_3_12,
                             handler="app.handler", code=_lambda.Code.from_asset("src"),
                             tracing=enable_tracing)
            """)
        assert lint(tmp_path, files) == []


class TestImportedNames:
    def test_dotted_names_absolute_only(self):
        import ast

        from lambdalint.analysis.imports import imported_names, uses

        tree = ast.parse("import os, opentelemetry.trace as t\nfrom . import sibling\n"
                         "from aws_lambda_powertools import Logger, Tracer\n"
                         "def f():\n    from aws_xray_sdk.core import patch_all\n")
        names = imported_names(tree)
        assert names == ["aws_lambda_powertools.Logger", "aws_lambda_powertools.Tracer",
                         "aws_xray_sdk.core.patch_all", "opentelemetry.trace", "os"]
        assert uses(names, "opentelemetry") and not uses(names, "opentelemetry_x")
        assert imported_names(None) == []
