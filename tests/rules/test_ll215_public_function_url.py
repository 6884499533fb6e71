"""LL215 public-function-url across formats: real files in tmp_path, the real CLI; the handler
code's imports reach the rule through the engine."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, ids_and_lines, line_of, sam, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL215", *extra)


def sam_fn(name: str = "WebhookFunction", extra: str = "", handler: str = "app.handler") -> str:
    return (f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      Runtime: python3.12\n      Handler: {handler}\n      CodeUri: src/\n"
            f"      Timeout: 10\n{extra}")


URL_NONE = "      FunctionUrlConfig:\n        AuthType: NONE\n"
HANDLER = "def handler(event, context):\n    return {}\n"


class TestSam:
    def test_auth_type_none_is_reported_on_the_auth_type(self, tmp_path):
        text = sam("Resources:\n" + sam_fn(extra=URL_NONE))
        findings = lint(tmp_path, {"template.yaml": text, "src/app.py": "import json\n" + HANDLER})
        assert ids_and_lines(findings) == [("LL215", line_of(text, "AuthType: NONE"))]
        assert findings[0]["severity"] == "warning"
        assert findings[0]["message"] == (
            "WebhookFunction has a function URL with auth type NONE (FunctionUrlConfig), and its "
            "handler code verifies no signature or token: anyone on the internet can invoke it")
        assert "FunctionUrlConfig:\n      AuthType: AWS_IAM" in findings[0]["suggestion"]

    def test_aws_iam_and_no_url_are_silent(self, tmp_path):
        iam = "      FunctionUrlConfig:\n        AuthType: AWS_IAM\n"
        for extra in (iam, ""):
            text = sam("Resources:\n" + sam_fn(extra=extra))
            assert lint(tmp_path, {"template.yaml": text}) == []

    def test_an_auth_type_from_a_parameter_without_default_is_left_alone(self, tmp_path):
        text = sam("Parameters:\n  Auth:\n    Type: String\nResources:\n"
                   + sam_fn(extra="      FunctionUrlConfig:\n        AuthType: !Ref Auth\n"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_a_parameter_default_of_none_is_reported(self, tmp_path):
        text = sam("Parameters:\n  Auth:\n    Type: String\n    Default: NONE\nResources:\n"
                   + sam_fn(extra="      FunctionUrlConfig:\n        AuthType: !Ref Auth\n"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL215", line_of(text, "AuthType: !Ref Auth"))]

    def test_globals_url_is_one_finding_for_every_function(self, tmp_path):
        text = sam("Globals:\n  Function:\n    FunctionUrlConfig:\n      AuthType: NONE\n"
                   "Resources:\n" + sam_fn("A") + sam_fn("B"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert ids_and_lines(findings) == [("LL215", line_of(text, "AuthType: NONE"))]
        assert findings[0]["message"].startswith("A, B have function URLs with auth type NONE")


class TestHandlerCode:
    """Silent when the linked handler file imports a verifier; the rest are reported."""

    TEMPLATE = sam("Resources:\n" + sam_fn("Jwt", URL_NONE, "jwt_app.handler")
                   + sam_fn("Github", URL_NONE, "github.handler")
                   + sam_fn("Discord", URL_NONE, "discord.handler")
                   + sam_fn("Plain", URL_NONE, "plain.handler")
                   + sam_fn("Mine", URL_NONE, "mine.handler"))
    FILES = {"template.yaml": TEMPLATE,
             "src/jwt_app.py": "import jwt\n\n" + HANDLER,
             "src/github.py": "import hashlib\nimport hmac\n\n" + HANDLER,
             "src/discord.py": "from nacl.signing import VerifyKey\n\n" + HANDLER,
             "src/plain.py": "import json\nimport jsonschema\n\n" + HANDLER,
             "src/mine.py": "from myapp.auth import verify\n\n" + HANDLER}

    def test_verifiers_silence_and_others_are_reported(self, tmp_path):
        findings = lint(tmp_path, self.FILES)
        assert ids_and_lines(findings) == [("LL215", line_of(self.TEMPLATE, "AuthType", 4)),
                                           ("LL215", line_of(self.TEMPLATE, "AuthType", 5))]

    def test_the_verifiers_option_names_the_projects_own_module(self, tmp_path):
        write(tmp_path, {**self.FILES,
                         "lambdalint.toml": '[rules.LL215]\nverifiers = ["myapp.auth"]\n'})
        findings = check_json(["."], tmp_path, "--no-cache", "--select", "LL215")
        assert ids_and_lines(findings) == [("LL215", line_of(self.TEMPLATE, "AuthType", 4))]

    def test_a_function_without_python_code_is_reported(self, tmp_path):
        text = sam("Resources:\n" + sam_fn(extra=URL_NONE).replace("python3.12", "nodejs20.x"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert "lambdalint sees no handler code that verifies" in findings[0]["message"]


class TestCloudFormation:
    def test_url_resource_names_the_function(self, tmp_path):
        template = {"Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
                "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}},
            "FnUrl": {"Type": "AWS::Lambda::Url", "Properties": {
                "AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}},
            "Other": {"Type": "AWS::Lambda::Url", "Properties": {
                "AuthType": "NONE", "TargetFunctionArn": "arn:aws:lambda:eu-west-1:1:function:x"}}}}
        text = json.dumps(template, indent=2)
        findings = lint(tmp_path, {"template.json": text})
        assert ids_and_lines(findings) == [("LL215", line_of(text, '"AuthType": "NONE"'))]
        assert "(AWS::Lambda::Url FnUrl)" in findings[0]["message"]
        assert '"AuthType": "AWS_IAM"' in findings[0]["suggestion"]


class TestServerless:
    SERVICE = ("service: hooks\nprovider:\n  name: aws\n  runtime: python3.12\n"
               "functions:\n  hook:\n    handler: app.handler\n{url}")

    def test_url_true_and_url_without_authorizer(self, tmp_path):
        for url, needle in (("    url: true\n", "url: true"),
                            ("    url:\n      cors: true\n", "url:")):
            text = self.SERVICE.format(url=url)
            findings = lint(tmp_path, {"serverless.yml": text, "app.py": HANDLER})
            assert ids_and_lines(findings) == [("LL215", line_of(text, needle))]
            assert "url:\n          authorizer: aws_iam" in findings[0]["suggestion"]

    def test_aws_iam_authorizer_is_silent(self, tmp_path):
        text = self.SERVICE.format(url="    url:\n      authorizer: aws_iam\n")
        assert lint(tmp_path, {"serverless.yml": text}) == []


class TestTerraform:
    URL = ('resource "aws_lambda_function_url" "fn" {{\n'
           '  function_name      = {name}\n  authorization_type = "{auth}"\n}}\n')

    def test_function_url_resource(self, tmp_path):
        text = terraform_function() + self.URL.format(
            name="aws_lambda_function.fn.function_name", auth="NONE")
        findings = lint(tmp_path, {"main.tf": text})
        assert ids_and_lines(findings) == [("LL215", line_of(text, "authorization_type"))]
        assert 'authorization_type = "AWS_IAM"' in findings[0]["suggestion"]

    def test_by_literal_name_and_aws_iam(self, tmp_path):
        text = terraform_function() + self.URL.format(name='"fn"', auth="NONE")
        assert ids_and_lines(lint(tmp_path, {"main.tf": text})) == [
            ("LL215", line_of(text, "authorization_type"))]
        text = terraform_function() + self.URL.format(name='"fn"', auth="AWS_IAM")
        assert lint(tmp_path, {"main.tf": text}) == []

    def test_module_url_defaults_to_none(self, tmp_path):
        module = ('module "hook" {{\n  source        = "terraform-aws-modules/lambda/aws"\n'
                  '  function_name = "hook"\n  handler       = "app.handler"\n'
                  '  runtime       = "python3.12"\n  source_path   = "src"\n{extra}}}\n')
        text = module.format(extra="  create_lambda_function_url = true\n")
        findings = lint(tmp_path, {"main.tf": text, "src/app.py": HANDLER})
        assert ids_and_lines(findings) == [("LL215", 1)]
        assert "the module's default authorization_type" not in findings[0]["message"]
        iam = module.format(extra='  create_lambda_function_url = true\n'
                                  '  authorization_type = "AWS_IAM"\n')
        assert lint(tmp_path, {"main.tf": iam}) == []


class TestCdk:
    FN = ('fn = _lambda.Function(self, "Hook", runtime=_lambda.Runtime.PYTHON_3_12,\n'
          '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
          '                      timeout=Duration.seconds(10))\n')

    def test_add_function_url_with_none(self, tmp_path):
        files = cdk_app(self.FN + "fn.add_function_url(auth_type=_lambda.FunctionUrlAuthType.NONE)\n")
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL215", line_of(files["app.py"], "add_function_url"))]
        assert "auth_type=lambda_.FunctionUrlAuthType.AWS_IAM," in findings[0]["suggestion"]

    def test_the_cdk_default_is_aws_iam(self, tmp_path):
        files = cdk_app(self.FN + "fn.add_function_url()\n"
                        '_lambda.FunctionUrl(self, "Url", function=fn)\n')
        assert lint(tmp_path, files) == []

    def test_function_url_construct(self, tmp_path):
        files = cdk_app(self.FN + '_lambda.FunctionUrl(self, "Url", function=fn,\n'
                        '                   auth_type=_lambda.FunctionUrlAuthType.NONE)\n')
        findings = lint(tmp_path, files)
        assert ids_and_lines(findings) == [("LL215", line_of(files["app.py"], "auth_type="))]
        assert "(lambda_.FunctionUrl Url)" in findings[0]["message"]

    def test_verifying_code_is_silent(self, tmp_path):
        files = cdk_app(self.FN + "fn.add_function_url(auth_type=_lambda.FunctionUrlAuthType.NONE)\n")
        files["src/app.py"] = "import jwt\n\n" + HANDLER
        assert lint(tmp_path, files) == []
