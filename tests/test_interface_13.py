"""Issue #13, the command line on a first day with a real repository: each test runs the real
CLI on files written for it."""

from __future__ import annotations

from pathlib import Path

from conftest import check_json, ids_and_lines, write

ORDERS_TEMPLATE = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/orders/
          Handler: service.process
          Runtime: python3.12
          Timeout: 10
"""
# A handler only the template names: `process(payload, ctx)` is no handler by its looks.
ORDERS_SERVICE = """
    import boto3


    def process(payload, ctx):
        s3 = boto3.client("s3")
        return s3.list_buckets()
"""


def _outside_git(path: Path) -> None:
    assert not any((d / ".git").exists() for d in [path, *path.parents]), \
        f"{path} is inside a git repository: the test needs a tree outside one"


def test_single_file_outside_git_finds_the_template_of_the_working_directory(tmp_path):
    project = write(tmp_path / "shop", {"template.yaml": ORDERS_TEMPLATE,
                                        "src/orders/service.py": ORDERS_SERVICE})
    _outside_git(project)
    findings = check_json(["src/orders/service.py"], project, "--no-cache")
    assert ids_and_lines(findings) == [("LL102", 5)]
    assert findings[0]["path"] == "src/orders/service.py"


def test_single_file_outside_git_looks_no_higher_than_the_working_directory(tmp_path):
    # A template above the working directory belongs to someone else's project.
    write(tmp_path, {"template.yaml": ORDERS_TEMPLATE.replace("CodeUri: src/orders/",
                                                             "CodeUri: shop/src/orders/")})
    project = write(tmp_path / "shop", {"src/orders/service.py": ORDERS_SERVICE})
    _outside_git(project)
    assert check_json(["src/orders/service.py"], project, "--no-cache") == []
