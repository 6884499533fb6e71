"""LL301 package-size through the real CLI: hard limits, the budget, layers, every format."""

from __future__ import annotations

import zipfile

from helpers import (MB, cdk_asset_app, cdk_asset_function, check_json, crafted_zip, ids_and_lines,
                     line_of, sam_function, sam_resource, sam_resources, sparse, terraform_function,
                     write)


def _ll301(findings):
    return [f for f in findings if f["rule"] == "LL301"]


def test_estimated_dependencies_over_the_hard_limit(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="src/"), "lambdalint.toml": "",
                     "src/app.py": "def handler(event, context):\n    return 1\n",
                     "src/requirements.txt": "torch==2.4.1\nrequests==2.32.3\n"})
    findings = _ll301(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL301", 3)]
    (finding,) = findings
    assert finding["severity"] == "error" and finding["path"] == "template.yaml"
    message = finding["message"]
    assert message.startswith("Fn's package is 1146 MB unzipped (1146 MB of it estimated: "
                              "requirements.txt is not installed here; 1 more dependency of "
                              "unknown size not counted), over Lambda's 250 MB limit")
    assert "largest: torch (requirements.txt, estimated) 1091 MB, numpy (requirements.txt, " \
           "estimated) 55 MB" in message
    assert "PackageType: Image" in finding["suggestion"]


def test_built_directory_over_the_budget_is_a_warning(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="src/"), "lambdalint.toml": "",
                     "src/app.py": "x = 1\n"})
    sparse(tmp_path / ".aws-sam/build/Fn/pandas/_libs.so", 60 * MB)
    sparse(tmp_path / ".aws-sam/build/Fn/numpy/core.so", 20 * MB)
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert (finding["line"], finding["severity"]) == (3, "warning")
    assert finding["message"] == (
        "Fn's package is 80 MB unzipped as built in .aws-sam/build/Fn, over the 50 MB budget for "
        "fast cold starts; largest: pandas/ 60 MB, numpy/ 20 MB")
    assert "budget-mb = 81" in finding["suggestion"]


def test_budget_option_and_zero_turns_it_off(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="src/"), "src/app.py": "x = 1\n",
                     "lambdalint.toml": "[rules.LL301]\nbudget-mb = 0\n"})
    sparse(tmp_path / "src/model.bin", 200 * MB)
    assert _ll301(check_json(["."], tmp_path)) == []
    write(tmp_path, {"lambdalint.toml": "[rules.LL301]\nbudget-mb = 300\n"})
    assert _ll301(check_json(["."], tmp_path)) == []
    write(tmp_path, {"lambdalint.toml": "[rules.LL301]\nbudget-mb = 100\n"})
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert "over the 100 MB budget" in finding["message"]
    assert "largest: model.bin 200 MB, app.py 6 bytes" in finding["message"]


def test_under_the_budget_nothing(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="src/"), "lambdalint.toml": "",
                     "src/app.py": "x = 1\n", "src/requirements.txt": "requests==2.32.3\n"})
    sparse(tmp_path / "src/data.bin", 49 * MB)
    assert _ll301(check_json(["."], tmp_path)) == []


def test_terraform_zip_declaring_huge_sizes(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": terraform_function('"build/fn.zip"')})
    crafted_zip(tmp_path / "build/fn.zip", {"app.py": 2000, "torch/lib.so": 300 * MB})
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert (finding["path"], finding["line"], finding["severity"]) == ("main.tf", 1, "error")
    assert finding["message"] == (
        "aws_lambda_function.fn's package is 300 MB unzipped as declared in build/fn.zip, over "
        "Lambda's 250 MB limit for a function and its layers together; largest: torch/ 300 MB, "
        "app.py 2 KB")


def test_terraform_direct_upload_over_50_mb_zipped(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": terraform_function()})
    with zipfile.ZipFile(tmp_path / "fn.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("model.bin", b"\x00" * (51 * MB))
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert finding["severity"] == "error"
    assert finding["message"].startswith(
        "aws_lambda_function.fn's package is 51 MB zipped (fn.zip), over the 50 MB Lambda accepts "
        "for a zip uploaded directly with `filename`")
    assert "s3_bucket and s3_key" in finding["suggestion"]


def test_sam_zip_of_the_same_size_goes_through_s3_so_only_the_budget(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="fn.zip"), "lambdalint.toml": ""})
    with zipfile.ZipFile(tmp_path / "fn.zip", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("model.bin", b"\x00" * (51 * MB))
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert finding["severity"] == "warning" and "budget" in finding["message"]


def test_serverless_service_zip_is_one_finding_for_every_function(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "serverless.yml": """
        service: orders
        provider:
          name: aws
          runtime: python3.12
          timeout: 10
        functions:
          create:
            handler: src/app.create
          list:
            handler: src/app.list
        """, "src/app.py": "x = 1\n"})
    crafted_zip(tmp_path / ".serverless/orders.zip", {"src/app.py": 10, "scipy/x.so": 260 * MB})
    findings = _ll301(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL301", 7)]
    assert findings[0]["message"].startswith(
        "the package of create, list is 260 MB unzipped as declared in .serverless/orders.zip")


def test_cdk_excluded_files_do_not_count(tmp_path):
    def app(exclude: str) -> str:
        return cdk_asset_app(cdk_asset_function(f'"lambda", exclude={exclude}'))

    write(tmp_path, {"lambdalint.toml": "", "app.py": app('["*.bin"]'),
                     "lambda/index.py": "x = 1\n"})
    sparse(tmp_path / "lambda/model.bin", 300 * MB)
    assert _ll301(check_json(["."], tmp_path)) == []
    write(tmp_path, {"app.py": app('["*.txt"]')})
    (finding,) = _ll301(check_json(["."], tmp_path))
    assert (finding["path"], finding["line"], finding["severity"]) == ("app.py", 8, "error")
    assert "lambda_.DockerImageFunction" in finding["suggestion"]


def test_more_than_five_layers_at_the_sixth(tmp_path):
    layers = [f"- arn:aws:lambda:eu-west-1:123456789012:layer:l{i}:1" for i in range(1, 8)]
    write(tmp_path, {"lambdalint.toml": "", "template.yaml": sam_resources(
        sam_resource("Fn", timeout=10, properties="Layers:\n" + "\n".join(layers)),
        sam_resource("Five", timeout=10, properties="Layers:\n" + "\n".join(layers[:5])))})
    findings = _ll301(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL301", line_of(tmp_path / "template.yaml", "layer:l6:1"))]
    assert findings[0]["message"] == ("Fn uses 7 layers; Lambda allows at most 5 per function, so "
                                      "the deployment fails")


def test_image_functions_inline_code_and_suppression(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Image:
            Type: AWS::Serverless::Function
            Properties:
              PackageType: Image
              ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1
              Timeout: 10
          Quiet:  # lambdalint: ignore[LL301]
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: big/
              Timeout: 10
        """})
    sparse(tmp_path / "big/model.bin", 300 * MB)
    assert _ll301(check_json(["."], tmp_path)) == []


def test_missing_code_directory_is_silent(tmp_path):
    write(tmp_path, {"template.yaml": sam_function(code="nowhere/"), "lambdalint.toml": ""})
    assert _ll301(check_json(["."], tmp_path)) == []
