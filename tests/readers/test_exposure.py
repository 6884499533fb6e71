"""The exposure fields of the model (``Function.url``, ``invoke_permissions``, ``vpc``), as
each format's reader fills them: real files, the real readers, the records asserted directly."""

from __future__ import annotations

from helpers import cdk_app, line_of, read_unit, sam, terraform_function


def by_name(project):
    return {f.name: f for f in project.functions}


def one_function(properties: str) -> str:
    """``Resources`` with the SAM function ``Fn`` (10 s, src/app.handler) and more
    ``properties`` (lines under ``Properties``, each written with a two-space indent)."""
    return ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            "      Timeout: 10\n" + "".join("    " + line + "\n"
                                         for line in properties.splitlines()))


def permissions(function):
    """(principal value or text, line, source_arn text or None) of each permission."""
    return [(p.principal.value if p.principal.literal else p.principal.text, p.line,
             p.source_arn.text if p.source_arn else None) for p in function.invoke_permissions]


SAM = sam("""\
    Globals:
      Function:
        VpcConfig:
          SubnetIds: [subnet-1]
          SecurityGroupIds: [sg-1]
    Resources:
      Hook:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          FunctionUrlConfig:
            AuthType: NONE
          FileSystemConfigs:
            - Arn: arn:aws:elasticfilesystem:eu-west-1:1:access-point/fsap-1
              LocalMountPath: /mnt/data
      Plain:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          VpcConfig:
            SubnetIds: []
            SecurityGroupIds: []
      PlainUrl:
        Type: AWS::Lambda::Url
        Properties:
          AuthType: AWS_IAM
          TargetFunctionArn: !GetAtt Plain.Arn
      S3Permission:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: !Ref Plain
          Action: lambda:InvokeFunction
          Principal: s3.amazonaws.com
          SourceArn: !GetAtt Bucket.Arn
      OpenPermission:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: !GetAtt Hook.Arn
          Action: lambda:InvokeFunctionUrl
          Principal: "*"
          FunctionUrlAuthType: NONE
    """)


class TestCloudFormation:
    def test_sam_url_vpc_from_globals_and_efs(self, tmp_path):
        hook = by_name(read_unit(tmp_path, {"template.yaml": SAM}))["Hook"]
        assert hook.url is not None
        assert (hook.url.auth_type.value, hook.url.line, hook.url.origin) == (
            "NONE", line_of(SAM, "FunctionUrlConfig"), "FunctionUrlConfig")
        assert hook.vpc is not None and hook.vpc.line == line_of(SAM, "VpcConfig")
        assert hook.vpc.file_system is not None
        assert hook.vpc.file_system.line == line_of(SAM, "FileSystemConfigs")
        (permission,) = hook.invoke_permissions
        assert (permission.principal.value, permission.url_auth_type.value,
                permission.action.value) == ("*", "NONE", "lambda:InvokeFunctionUrl")

    def test_url_resource_permission_and_empty_subnets(self, tmp_path):
        plain = by_name(read_unit(tmp_path, {"template.yaml": SAM}))["Plain"]
        assert plain.url is not None
        assert (plain.url.auth_type.value, plain.url.origin, plain.url.line) == (
            "AWS_IAM", "AWS::Lambda::Url PlainUrl", line_of(SAM, "PlainUrl:"))
        assert permissions(plain) == [("s3.amazonaws.com", line_of(SAM, "S3Permission:"),
                                       "!GetAtt Bucket.Arn")]
        assert plain.vpc is None  # SubnetIds: [] attaches nothing

    def test_a_vpc_chosen_by_if_is_not_known_to_attach(self, tmp_path):
        text = sam(one_function("  VpcConfig: !If [UseVpc, {SubnetIds: [a]}, !Ref AWS::NoValue]\n"))
        assert by_name(read_unit(tmp_path, {"template.yaml": text}))["Fn"].vpc is None


SERVICE = """\
service: hooks
provider:
  name: aws
  runtime: python3.12
  vpc:
    subnetIds: [subnet-1]
    securityGroupIds: [sg-1]
functions:
  hook-in:
    handler: app.handler
    url: true
  private:
    handler: app.handler
    url:
      authorizer: aws_iam
    vpc: ~
resources:
  Resources:
    AnyonePermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !GetAtt HookDashinLambdaFunction.Arn
        Action: lambda:InvokeFunction
        Principal: "*"
"""


class TestServerless:
    def test_url_permission_and_provider_vpc(self, tmp_path):
        functions = by_name(read_unit(tmp_path, {"serverless.yml": SERVICE}))
        hook, private = functions["hook-in"], functions["private"]
        assert hook.url is not None and private.url is not None
        assert (hook.url.auth_type.value, hook.url.line) == ("NONE", line_of(SERVICE, "url: true"))
        assert private.url.auth_type.value == "AWS_IAM"
        assert permissions(hook) == [("*", line_of(SERVICE, "AnyonePermission:"), None)]
        assert permissions(private) == []
        assert hook.vpc is not None and (hook.vpc.text, hook.vpc.line) == (
            "provider.vpc", line_of(SERVICE, "vpc:"))
        assert private.vpc is None  # vpc: ~ on the function detaches it


class TestTerraform:
    def test_resource_url_permission_vpc(self, tmp_path):
        text = terraform_function(body='vpc_config {\n  subnet_ids         = ["subnet-1"]\n'
                                       '  security_group_ids = ["sg-1"]\n}') + (
            'resource "aws_lambda_function_url" "fn" {\n'
            '  function_name      = aws_lambda_function.fn.function_name\n'
            '  authorization_type = "NONE"\n}\n'
            'resource "aws_lambda_permission" "sns" {\n'
            '  function_name = aws_lambda_function.fn.arn\n'
            '  action        = "lambda:InvokeFunction"\n'
            '  principal     = "sns.amazonaws.com"\n}\n')
        fn = by_name(read_unit(tmp_path, {"main.tf": text}))["aws_lambda_function.fn"]
        assert fn.url is not None
        assert (fn.url.auth_type.value, fn.url.line, fn.url.origin) == (
            "NONE", line_of(text, 'resource "aws_lambda_function_url"'),
            "aws_lambda_function_url.fn")
        assert permissions(fn) == [("sns.amazonaws.com",
                                    line_of(text, 'resource "aws_lambda_permission"'), None)]
        assert fn.vpc is not None and fn.vpc.line == line_of(text, "vpc_config {")

    def test_module_url_triggers_and_subnets(self, tmp_path):
        text = ('module "hook" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
                '  function_name = "hook"\n  handler       = "app.handler"\n'
                '  runtime       = "python3.12"\n  source_path   = "src"\n'
                '  create_lambda_function_url = true\n'
                '  vpc_subnet_ids = ["subnet-1"]\n'
                '  allowed_triggers = {\n    S3 = {\n      service = "s3"\n    }\n'
                '    Rule = {\n      principal  = "events.amazonaws.com"\n'
                '      source_arn = "arn:aws:events:eu-west-1:1:rule/x"\n    }\n  }\n}\n')
        fn = by_name(read_unit(tmp_path, {"main.tf": text}))["module.hook"]
        assert fn.url is not None and fn.url.auth_type.value == "NONE"
        assert permissions(fn) == [("s3.amazonaws.com", line_of(text, "S3 = {"), None),
                                   ("events.amazonaws.com", line_of(text, "Rule = {"),
                                    "arn:aws:events:eu-west-1:1:rule/x")]
        assert fn.vpc is not None and fn.vpc.line == line_of(text, "vpc_subnet_ids")


class TestCdk:
    def test_url_permissions_grants_and_vpc(self, tmp_path):
        files = cdk_app(
            'fn = _lambda.Function(self, "Hook", runtime=_lambda.Runtime.PYTHON_3_12,\n'
            '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
            '                      vpc=vpc)\n'
            "fn.add_function_url(auth_type=_lambda.FunctionUrlAuthType.NONE)\n"
            'fn.add_permission("S3", principal=iam.ServicePrincipal("s3.amazonaws.com"),\n'
            '                  source_arn="arn:aws:s3:::b")\n'
            "fn.grant_invoke(iam.AnyPrincipal())\n"
            "fn.grant_invoke(role)\n"
            'other = _lambda.Function(self, "Other", runtime=_lambda.Runtime.PYTHON_3_12,\n'
            '                         handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
            '                         vpc=None)\n'
            '_lambda.CfnPermission(self, "Open", function_name=other.function_name,\n'
            '                      principal="*", action="lambda:InvokeFunction")\n')
        app = files["app.py"]
        functions = by_name(read_unit(tmp_path, files))
        hook, other = functions["Hook"], functions["Other"]
        assert hook.url is not None
        assert (hook.url.auth_type.value, hook.url.line) == ("NONE", line_of(app, "add_function_url"))
        assert permissions(hook) == [("s3.amazonaws.com", line_of(app, "add_permission"),
                                      'arn:aws:s3:::b'),
                                     ("*", line_of(app, "AnyPrincipal"), None)]
        assert hook.vpc is not None and hook.vpc.line == line_of(app, "vpc=vpc")
        assert permissions(other) == [("*", line_of(app, "CfnPermission"), None)]
        assert other.url is None and other.vpc is None


class TestOddShapes:
    def test_odd_values_cost_the_fact_not_the_function(self, tmp_path):
        odd = ("  Odd:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
               "      FunctionName: !Ref Fn\n      Principal: [a, b]\n"
               "  Url:\n    Type: AWS::Lambda::Url\n    Properties:\n"
               "      TargetFunctionArn: [Fn]\n")
        text = sam(one_function("  FunctionUrlConfig: bogus\n  VpcConfig: [subnet-1]\n") + odd)
        fn = by_name(read_unit(tmp_path, {"template.yaml": text}))["Fn"]
        assert fn.timeout is not None and fn.timeout.seconds == 10
        assert fn.url is not None and not fn.url.auth_type.literal  # a URL of unknown auth
        assert fn.vpc is None
        assert [p.principal.literal for p in fn.invoke_permissions] == [False]

    def test_serverless_odd_url_and_vpc(self, tmp_path):
        text = ("service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  vpc: yes\n"
                "functions:\n  f:\n    handler: app.handler\n    url: [1]\n")
        fn = by_name(read_unit(tmp_path, {"serverless.yml": text}))["f"]
        assert fn.url is None and fn.vpc is None and fn.handler is not None


def test_cdk_constructs_naming_a_function_held_by_the_stack(tmp_path):
    """``function=self.fn`` and ``self.fn.function_name`` name the function too."""
    files = cdk_app(
        'self.fn = _lambda.Function(self, "Hook", runtime=_lambda.Runtime.PYTHON_3_12,\n'
        '                           handler="app.handler", code=_lambda.Code.from_asset("src"))\n'
        '_lambda.FunctionUrl(self, "Url", function=self.fn,\n'
        '                    auth_type=_lambda.FunctionUrlAuthType.NONE)\n'
        '_lambda.CfnPermission(self, "P", function_name=self.fn.function_name,\n'
        '                      action="lambda:InvokeFunction", principal="sns.amazonaws.com")\n')
    hook = by_name(read_unit(tmp_path, files))["Hook"]
    assert hook.url is not None and hook.url.auth_type.value == "NONE"
    assert permissions(hook) == [("sns.amazonaws.com", line_of(files["app.py"], "CfnPermission"),
                                  None)]
