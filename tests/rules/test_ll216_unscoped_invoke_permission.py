"""LL216 unscoped-invoke-permission across formats: real files in tmp_path, the real CLI."""

from __future__ import annotations

import json

from helpers import cdk_app, check_json, line_of, sam, terraform_function, write


def lint(root, files, *extra):
    write(root, {"lambdalint.toml": "", **files})
    return check_json(["."], root, "--no-cache", "--select", "LL216", *extra)


def severities(findings):
    return [(f["rule"], f["line"], f["severity"]) for f in findings]


FUNCTION = ("  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            "      Timeout: 10\n")


def permission(name: str, principal: str, extra: str = "", target: str = "!Ref Fn") -> str:
    return (f"  {name}:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
            f"      Action: lambda:InvokeFunction\n      FunctionName: {target}\n"
            f"      Principal: {principal}\n{extra}")


class TestSam:
    def test_star_is_an_error_and_a_bare_service_a_warning(self, tmp_path):
        text = sam("Resources:\n" + FUNCTION + permission("Anyone", '"*"')
                   + permission("Topic", "sns.amazonaws.com", target="!GetAtt Fn.Arn"))
        findings = lint(tmp_path, {"template.yaml": text})
        assert severities(findings) == [
            ("LL216", line_of(text, 'Principal: "*"'), "error"),
            ("LL216", line_of(text, "Principal: sns.amazonaws.com"), "warning")]
        assert findings[0]["message"] == (
            'AWS::Lambda::Permission Anyone lets any AWS principal (Principal: "*") invoke Fn: '
            "anyone with an AWS account can call it")
        assert findings[1]["message"] == (
            "AWS::Lambda::Permission Topic lets sns.amazonaws.com invoke Fn with no SourceArn or "
            "SourceAccount: the service can invoke it on behalf of any resource in any account")
        assert "SourceArn: !Ref MyTopic\n    SourceAccount: !Ref AWS::AccountId" in \
            findings[1]["suggestion"]

    def test_scoped_permissions_are_silent(self, tmp_path):
        text = sam("Resources:\n" + FUNCTION
                   + permission("Bucket", "s3.amazonaws.com",
                                "      SourceAccount: !Ref AWS::AccountId\n")
                   + permission("Topic", "sns.amazonaws.com", "      SourceArn: !Ref T\n")
                   + permission("Org", '"*"', "      PrincipalOrgID: o-abc123\n")
                   + permission("Partner", "'210987654321'")
                   + permission("Role", "arn:aws:iam::210987654321:role/caller")
                   + permission("Skill", "alexa-appkit.amazon.com",
                                "      EventSourceToken: amzn1.ask.skill.1\n")
                   + permission("Param", "!Ref Who"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_s3_needs_the_bucket_owners_account_too(self, tmp_path):
        arn = "      SourceArn: !GetAtt Uploads.Arn\n"
        text = sam("Resources:\n" + FUNCTION + permission("Bucket", "s3.amazonaws.com", arn))
        findings = lint(tmp_path, {"template.yaml": text})
        assert severities(findings) == [
            ("LL216", line_of(text, "Principal: s3.amazonaws.com"), "note")]
        assert "a bucket ARN holds no account" in findings[0]["message"]
        assert findings[0]["suggestion"] == (
            "Add the account that owns the bucket:\n    SourceAccount: !Ref AWS::AccountId")
        both = sam("Resources:\n" + FUNCTION + permission(
            "Bucket", "s3.amazonaws.com", arn + "      SourceAccount: !Ref AWS::AccountId\n"))
        assert lint(tmp_path, {"template.yaml": both}) == []

    def test_a_public_url_permission_is_left_to_ll215(self, tmp_path):
        extra = "      FunctionUrlAuthType: NONE\n"
        text = sam("Resources:\n" + FUNCTION
                   + permission("Url", '"*"', extra).replace("lambda:InvokeFunction",
                                                              "lambda:InvokeFunctionUrl"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_a_permission_for_another_function_is_not_this_ones(self, tmp_path):
        text = sam("Resources:\n" + FUNCTION
                   + permission("Elsewhere", '"*"', target="arn:aws:lambda:eu-west-1:1:function:x"))
        assert lint(tmp_path, {"template.yaml": text}) == []

    def test_metadata_ignore_on_the_function(self, tmp_path):
        text = sam("Resources:\n" + FUNCTION.replace(
            "    Properties:", "    Metadata:\n      lambdalint:\n        ignore: [LL216]\n"
                              "    Properties:") + permission("Anyone", '"*"'))
        assert lint(tmp_path, {"template.yaml": text}) == []


class TestCloudFormationJson:
    def test_json_suggestion(self, tmp_path):
        template = {"Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 10,
                "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}},
            "Rule": {"Type": "AWS::Lambda::Permission", "Properties": {
                "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"},
                "Principal": "events.amazonaws.com"}}}}
        text = json.dumps(template, indent=2)
        findings = lint(tmp_path, {"template.json": text})
        assert severities(findings) == [
            ("LL216", line_of(text, '"Principal": "events.amazonaws.com"'), "warning")]
        assert '"SourceArn": {"Fn::GetAtt": ["MyRule", "Arn"]},' in findings[0]["suggestion"]


class TestServerless:
    def test_resources_permission_on_a_function(self, tmp_path):
        text = ("service: notify\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "functions:\n  send_mail:\n    handler: app.handler\n"
                "resources:\n  Resources:\n    Anyone:\n      Type: AWS::Lambda::Permission\n"
                "      Properties:\n        Action: lambda:InvokeFunction\n"
                "        FunctionName: !GetAtt SendUnderscoremailLambdaFunction.Arn\n"
                "        Principal: '*'\n")
        findings = lint(tmp_path, {"serverless.yml": text})
        assert severities(findings) == [("LL216", line_of(text, "Principal: '*'"), "error")]
        assert "invoke send_mail" in findings[0]["message"]


class TestTerraform:
    PERMISSION = ('resource "aws_lambda_permission" "p" {{\n'
                  '  action        = "lambda:InvokeFunction"\n'
                  '  function_name = aws_lambda_function.fn.function_name\n'
                  '  principal     = "{principal}"\n{extra}}}\n')

    def test_bare_service_and_star(self, tmp_path):
        for principal, severity in (("s3.amazonaws.com", "warning"), ("*", "error")):
            text = terraform_function() + self.PERMISSION.format(principal=principal, extra="")
            findings = lint(tmp_path, {"main.tf": text})
            assert severities(findings) == [("LL216", line_of(text, "principal     ="), severity)]
        assert "source_arn     = aws_s3_bucket.my_bucket.arn" not in findings[0]["suggestion"]

    def test_service_suggestion_and_scoped(self, tmp_path):
        text = terraform_function() + self.PERMISSION.format(principal="s3.amazonaws.com",
                                                             extra="")
        findings = lint(tmp_path, {"main.tf": text})
        assert "source_arn     = aws_s3_bucket.my_bucket.arn" in findings[0]["suggestion"]
        scoped = terraform_function() + self.PERMISSION.format(
            principal="s3.amazonaws.com", extra="  source_arn = aws_s3_bucket.b.arn\n")
        findings = lint(tmp_path, {"main.tf": scoped})
        assert severities(findings) == [("LL216", line_of(scoped, "principal     ="), "note")]
        assert findings[0]["suggestion"].endswith(
            "source_account = data.aws_caller_identity.current.account_id")
        both = terraform_function() + self.PERMISSION.format(
            principal="s3.amazonaws.com", extra="  source_arn = aws_s3_bucket.b.arn\n"
                                                "  source_account = \"123456789012\"\n")
        assert lint(tmp_path, {"main.tf": both}) == []

    def test_module_allowed_triggers(self, tmp_path):
        text = ('module "fn" {\n  source        = "terraform-aws-modules/lambda/aws"\n'
                '  function_name = "fn"\n  handler       = "app.handler"\n'
                '  runtime       = "python3.12"\n  source_path   = "src"\n'
                '  allowed_triggers = {\n    Sns = {\n      service = "sns"\n    }\n'
                '    Rule = {\n      principal  = "events.amazonaws.com"\n'
                '      source_arn = "arn:aws:events:eu-west-1:1:rule/x"\n    }\n  }\n}\n')
        findings = lint(tmp_path, {"main.tf": text})
        assert severities(findings) == [("LL216", line_of(text, 'service = "sns"'), "warning")]


class TestCdk:
    FN = ('fn = _lambda.Function(self, "Notify", runtime=_lambda.Runtime.PYTHON_3_12,\n'
          '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
          '                      timeout=Duration.seconds(10))\n')

    def test_add_permission_grant_invoke_and_cfn_permission(self, tmp_path):
        files = cdk_app(self.FN
                        + 'fn.add_permission("Sns", principal=iam.ServicePrincipal("sns.amazonaws.com"))\n'
                        + "fn.grant_invoke(iam.AnyPrincipal())\n"
                        + '_lambda.CfnPermission(self, "P", function_name=fn.function_name,\n'
                        + '                      action="lambda:InvokeFunction", principal="*")\n')
        app = files["app.py"]
        findings = lint(tmp_path, files)
        assert severities(findings) == [
            ("LL216", line_of(app, "add_permission"), "warning"),
            ("LL216", line_of(app, "AnyPrincipal"), "error"),
            ("LL216", line_of(app, 'principal="*"'), "error")]
        assert "source_arn=topic.topic_arn,\n    source_account=Stack.of(self).account," in \
            findings[0]["suggestion"]

    def test_scoped_and_identity_grants_are_silent(self, tmp_path):
        files = cdk_app(self.FN
                        + 'fn.add_permission("S3", principal=iam.ServicePrincipal("s3.amazonaws.com"),\n'
                        + '                  source_account="123456789012")\n'
                        + 'fn.add_permission("Org", principal=iam.OrganizationPrincipal("o-abc"))\n'
                        + 'role = iam.Role(self, "Caller", assumed_by=iam.AccountRootPrincipal())\n'
                        + "fn.grant_invoke(role)\n"
                        + 'fn.add_permission("Acct", principal=iam.AccountPrincipal("210987654321"))\n')
        assert lint(tmp_path, files) == []


class TestCache:
    def test_a_warm_cache_gives_the_same_findings(self, tmp_path):
        """The exposure records survive the cache (cache.encode_record / check_record)."""
        text = sam("Resources:\n" + FUNCTION.replace(
            "      Timeout: 10\n", "      Timeout: 10\n      FunctionUrlConfig:\n"
                                  "        AuthType: NONE\n      VpcConfig:\n"
                                  "        SubnetIds: [subnet-1]\n")
                   + permission("Anyone", '"*"', "      SourceAccount: !Ref AWS::AccountId\n")
                   + permission("Topic", "sns.amazonaws.com"))
        write(tmp_path, {"lambdalint.toml": "", "template.yaml": text,
                         "src/app.py": "import boto3\n\ndef handler(event, context):\n    pass\n"})
        cold = check_json(["."], tmp_path, "--select", "LL215,LL216,LL218")
        assert list((tmp_path / ".lambdalint_cache").rglob("*"))
        warm = check_json(["."], tmp_path, "--select", "LL215,LL216,LL218")
        assert severities(cold) == severities(warm) == [
            ("LL215", line_of(text, "AuthType: NONE"), "warning"),
            ("LL218", line_of(text, "VpcConfig:"), "note"),
            ("LL216", line_of(text, "Principal: sns.amazonaws.com"), "warning")]
