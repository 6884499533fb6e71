"""Readers never silently drop a function, never give a false LL001, never blow up (#10).

Every reader evaluates what users write (Terraform locals, CDK constants, JSON templates) with a
budget: past it a value is unknown and the function stays, with an LL001 note when something was
given up. Each test is a reproduced case, on real files and the real CLI.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from lambdalint.discovery import PYTHON, SourceFile
from lambdalint.sources import cdk
from helpers import check_json, ids_and_lines, without_baseline, write

MEMORY_CAP = 700 * 1024 * 1024  # bytes of address space for a capped run


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The CLI in a subprocess that cannot use more than MEMORY_CAP (``check`` without the
    checklist baseline rules, as ``helpers.run_cli`` runs it)."""
    args = without_baseline(args)
    return subprocess.run([sys.executable, "-m", "lambdalint", *args], cwd=cwd, timeout=timeout,
                          capture_output=True, text=True, preexec_fn=_capped)


# -- Terraform ------------------------------------------------------------------------------------

_TF_FUNCTION = '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  role          = "arn:aws:iam::123456789012:role/x"
  filename      = "x.zip"
  environment {
    variables = {
      NAME = local.a%d
    }
  }
}
'''


def _locals_bomb(base: str, levels: int) -> str:
    """Each local repeats the previous one four times: the last is len(base) * 4 ** levels."""
    lines = ["locals {", f'  a0 = "{base}"']
    lines += [f'  a{i} = "{("${local.a%d}" % (i - 1)) * 4}"' for i in range(1, levels + 1)]
    return "\n".join(lines + ["}", _TF_FUNCTION % levels])


def test_terraform_locals_growing_past_memory_keep_the_function(tmp_path):
    # 1.3 KB asking for 500 MB: under the cap main lost the function and said "All checks passed".
    text = _locals_bomb("x" * 500, 10)
    assert len(text) < 1500
    write(tmp_path, {"main.tf": text})
    line = text.splitlines().index('resource "aws_lambda_function" "fn" {') + 1
    done = run_capped(["check", "--no-cache", "--format", "json", "."], tmp_path)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert ids_and_lines(findings) == [("LL001", line), ("LL201", line)]
    assert findings[0]["message"].endswith(
        "aws_lambda_function.fn: a value is too large to evaluate (a string over 1 MiB); it is "
        "treated as unknown")
    assert findings[0]["path"] == "main.tf"


def test_terraform_locals_needing_millions_of_steps_stop_at_the_budget(tmp_path):
    # 4 ** 19 template parts: main ran for hours. Now the step budget ends it in about a second.
    text = _locals_bomb("xxxxxxxx", 19)
    write(tmp_path, {"main.tf": text})
    line = text.splitlines().index('resource "aws_lambda_function" "fn" {') + 1
    started = time.monotonic()
    done = run_capped(["check", "--no-cache", "--format", "json", "."], tmp_path, timeout=60)
    assert time.monotonic() - started < 60
    findings = json.loads(done.stdout)["findings"]
    assert ids_and_lines(findings) == [("LL001", line), ("LL201", line)]
    assert "aws_lambda_function.fn: a value is too large to evaluate (more than 200,000 " \
           "evaluation steps)" in findings[0]["message"]


def test_terraform_small_locals_chain_is_still_evaluated(tmp_path):
    # The budget does not touch real modules: 4 ** 4 parts of 8 characters are known.
    text = _locals_bomb("xxxxxxxx", 4).replace('NAME = local.a4', 'PASSWORD = "Orders-Db-Pa55-2024"\n      NAME = local.a4')
    write(tmp_path, {"main.tf": text})
    findings = check_json(["."], tmp_path, "--no-cache")
    assert [f["rule"] for f in findings] == ["LL201", "LL204"]


# -- CDK ------------------------------------------------------------------------------------------

_CDK_APP = '''
from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_

{constants}


class S(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
                         code=lambda_.Code.from_asset("src"), timeout=Duration.seconds(10),
                         memory_size=X, environment={{"SIZE": X, "DB_PASSWORD": "Orders-Db-Pa55-2024"}})
'''


def test_cdk_huge_integer_product_is_unknown_not_an_error(tmp_path):
    # An int of 114,000 digits: main computed it, then str() of it raised and the whole
    # environment (with its literal secret) was lost. Now X is unknown, the rest is read.
    constants = "\n".join(["A1 = 9999999 * 9999999 * 9999999 * 9999999"]
                          + [f"A{i} = A{i-1} * A{i-1} * A{i-1} * A{i-1}" for i in range(2, 8)]
                          + ["X = A7"])
    write(tmp_path, {"app.py": _CDK_APP.format(constants=constants), "src/app.py": "x = 1\n"})
    findings = check_json(["."], tmp_path, "--no-cache")
    assert [(f["rule"], f["path"]) for f in findings] == [("LL204", "app.py")]


def test_cdk_exponential_product_chain_takes_no_time(tmp_path):
    # Each level multiplies the previous one by itself four times: main never finished.
    lines = ["A0 = 9999999 * 9999999"] + [f"A{i} = A{i-1} * A{i-1} * A{i-1} * A{i-1}"
                                          for i in range(1, 30)] + ["X = A29", "Y = 2 ** 100000000"]
    write(tmp_path, {"app.py": _CDK_APP.format(constants="\n".join(lines)), "src/app.py": ""})
    done = run_capped(["check", "--no-cache", "--format", "json", "."], tmp_path, timeout=60)
    findings = json.loads(done.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["LL204"]


def _big_cdk_app(items: int) -> str:
    data = "".join(f'    {{"name": "item{i}", "value": {i}, "tags": ["a", "b", "c"]}},\n'
                   for i in range(items))
    return ("from aws_cdk import Stack\nfrom aws_cdk import aws_lambda as lambda_\n\nDATA = [\n"
            + data + "]\n\n\nclass S(Stack):\n    def __init__(self, scope, id):\n"
            "        super().__init__(scope, id)\n"
            '        lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,\n'
            '                         handler="app.handler", code=lambda_.Code.from_asset("src"))\n'
            '        lambda_.Function(self, "Other", runtime=lambda_.Runtime.PYTHON_3_12,\n'
            '                         handler="app.handler", code=lambda_.Code.from_asset("src"))\n')


def test_cdk_app_too_large_to_evaluate_names_its_functions(tmp_path):
    # 330 KB: main evaluated it with LibCST (seconds, and 3.6 GB at 4.9 MB) and found nothing
    # to say. Now: a note naming both functions, which stay in the model.
    text = _big_cdk_app(5000)
    write(tmp_path, {"app.py": text})
    line = text.splitlines().index('        lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,') + 1
    findings = check_json(["."], tmp_path, "--no-cache")
    assert ids_and_lines(findings) == [("LL001", 1)]
    assert findings[0]["message"].endswith(
        f"too large to evaluate: 0.3 MiB is over the 256 KiB limit for a CDK app; the settings "
        f"of its functions are not checked: Fn (line {line}), Other (line {line + 2})")


def test_cdk_reader_on_a_5_mb_app_is_fast_and_small(tmp_path):
    # The 4.9 MB app of the issue: 78 s and 3.6 GB in the CDK reader on main.
    path = tmp_path / "app.py"
    path.write_text(_big_cdk_app(72000), encoding="utf-8")
    assert 4_500_000 < path.stat().st_size < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    functions, errors = cdk.read_app(SourceFile(path, "app.py", PYTHON))
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB
    assert [(f.name, f.timeout.origin) for f in functions] == [("Fn", "unknown"), ("Other", "unknown")]
    assert [e.line for e in errors] == [1]


# -- JSON templates -------------------------------------------------------------------------------

_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Fn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "src/"},
        },
    },
}


def test_json_template_with_a_lone_surrogate_is_read(tmp_path):
    text = json.dumps({"Description": "odd \ud800 text", **_TEMPLATE}, indent=2)
    assert "\\ud800" in text
    write(tmp_path, {"template.json": text})
    line = text.splitlines().index('    "Fn": {') + 1
    assert ids_and_lines(check_json(["."], tmp_path, "--no-cache")) == [("LL201", line)]


def test_json_template_with_a_key_over_1024_characters_is_read(tmp_path):
    template = dict(_TEMPLATE, Metadata={"k" * 2000: "v"})
    text = json.dumps(template, indent=2)
    write(tmp_path, {"template.json": text})
    line = text.splitlines().index('    "Fn": {') + 1
    assert ids_and_lines(check_json(["."], tmp_path, "--no-cache")) == [("LL201", line)]


def test_json_template_errors_keep_their_line(tmp_path):
    write(tmp_path, {"template.json": '{\n  "Resources": {\n    "Fn": {,}\n  }\n}\n'})
    findings = check_json(["."], tmp_path, "--no-cache")
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("LL001", 3, 12)]


# -- CloudFormation / SAM / Serverless: a function the reader cannot read is still reported ------

_ODD_TIMEOUT = """\
Resources:
  Good:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
      Code: {ZipFile: "def handler(e, c): pass"}
  Odd:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Timeout: !Join ["", 1]
      Code: {ZipFile: "def handler(e, c): pass"}
"""


def test_cloudformation_function_the_reader_fails_on_is_ll001(tmp_path):
    # `!Join ["", 1]` made the reader raise; main skipped the function without a word.
    write(tmp_path, {"template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\n" + _ODD_TIMEOUT})
    findings = check_json(["."], tmp_path, "--no-cache")
    assert ids_and_lines(findings) == [("LL001", 10)]
    assert findings[0]["message"].endswith(
        "Odd: lambdalint could not read this function; its settings are unknown, please report it")


def test_serverless_resources_function_the_reader_fails_on_is_ll001(tmp_path):
    text = ("service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
            "functions:\n  hello:\n    handler: app.handler\n    timeout: 10\n"
            "resources:\n" + "".join("  " + line + "\n" for line in _ODD_TIMEOUT.splitlines()))
    write(tmp_path, {"serverless.yml": text, "app.py": "def handler(event, context):\n    pass\n"})
    findings = check_json(["."], tmp_path, "--no-cache")
    assert ids_and_lines(findings) == [("LL001", 18)]
    assert "Odd: lambdalint could not read this function" in findings[0]["message"]
