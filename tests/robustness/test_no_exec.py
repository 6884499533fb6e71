"""lambdalint never runs the user's code and never touches the network unless asked to.

A test tree whose every Python file (handler, CDK app, setup.py, conftest.py, __init__.py,
sitecustomize.py, modules named like the libraries lambdalint imports) writes a marker file when
imported or executed; after every kind of run, as a subprocess the way users run it, no marker
exists. The network: runs over the example app and the hostile trees happen with a
``sitecustomize`` on PYTHONPATH that refuses and records every connection and name lookup.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

from helpers import REPO, run_cli, run_subprocess, write

# Module names lambdalint (or its libraries) imports: a file of that name in the checked
# directory must never be picked up instead of the real one.
SHADOWED = ["click", "yaml", "tree_sitter", "tree_sitter_hcl", "libcst", "pathspec", "tomli", "typing_extensions",
            "boto3", "aws_cdk", "constructs", "pip_audit"]
# The same for the standard library, except under ``python -m`` on Python 3.9 and 3.10, whose
# runpy imports some of these (re, ...) from the working directory before any lambdalint code
# runs: there a file named re.py breaks ``python -m anything``, and only the console script
# (``lambdalint``, what pre-commit and the GitHub Action run) is safe.
SHADOWED_STDLIB = ["re", "json", "tomllib", "zipfile", "csv", "difflib", "hashlib", "tempfile",
                   "concurrent", "multiprocessing"]


def booby_trapped_tree(root: Path, markers: Path, stdlib: bool = True) -> List[str]:
    """A project in which every Python file would write ``markers/<name>`` if run; the names."""
    def trap(name: str) -> str:
        return f"import pathlib as _p; _p.Path({str(markers)!r}, {name!r}).write_text('ran')\n"

    files = {
        "src/app.py": trap("handler-module") + textwrap.dedent("""
            import boto3


            def lambda_handler(event, context):
                s3 = boto3.client("s3")
                open("HANDLER_RAN", "w").write("x")
                return s3
            """),
        "src/__init__.py": trap("package-init"),
        "app.py": trap("cdk-app") + textwrap.dedent("""
            import aws_cdk as cdk
            from aws_cdk import Duration, Stack
            from aws_cdk import aws_lambda as lambda_


            class AppStack(Stack):
                def __init__(self, scope, construct_id, **kwargs):
                    super().__init__(scope, construct_id, **kwargs)
                    lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12,
                                     handler="app.lambda_handler",
                                     code=lambda_.Code.from_asset("src"))


            app = cdk.App()
            AppStack(app, "Stack")
            app.synth()
            """),
        "cdk.json": '{"app": "python3 app.py"}\n',
        "setup.py": trap("setup-py") + "from setuptools import setup\nsetup(name='x')\n",
        "conftest.py": trap("conftest"),
        "__init__.py": trap("root-init"),
        "__main__.py": trap("main"),
        "sitecustomize.py": trap("sitecustomize"),
        "usercustomize.py": trap("usercustomize"),
        "evil.pth": f"import pathlib; pathlib.Path({str(markers)!r}, 'pth').write_text('ran')\n",
        "tests/test_app.py": trap("test-module"),
        "noxfile.py": trap("noxfile"),
        "template.yaml": textwrap.dedent("""\
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: src/
                  Handler: app.lambda_handler
                  Runtime: python3.12
                  InlineCode: |
                    import pathlib
                    pathlib.Path("%s", "inline").write_text("ran")
            """ % markers),
        "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
                          "functions:\n  f:\n    handler: src/app.lambda_handler\n",
        "main.tf": 'data "archive_file" "zip" {\n  type = "zip"\n  source_dir = "${path.module}/src"\n'
                   '  output_path = "build/f.zip"\n}\n'
                   'resource "aws_lambda_function" "f" {\n  handler = "app.lambda_handler"\n'
                   '  filename = data.archive_file.zip.output_path\n}\n',
        "requirements.txt": "boto3==1.34.0\n-e .\n",
        "pyproject.toml": "[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setuptools.build_meta'\n",
    }
    for name in SHADOWED + (SHADOWED_STDLIB if stdlib else []):
        files[f"{name}.py"] = trap(f"shadow-{name}")
    write(root, files)
    return sorted(files)


@pytest.mark.parametrize("how", ["module", "script"])
def test_no_run_executes_the_users_code(tmp_path, how):
    markers = tmp_path / "markers"
    markers.mkdir()
    tree = tmp_path / "tree"
    booby_trapped_tree(tree, markers, stdlib=how == "script" or sys.version_info >= (3, 11))
    if how == "module":
        prefix = [sys.executable, "-m", "lambdalint"]
    else:
        script = Path(sys.executable).parent / "lambdalint"
        if not script.exists():
            pytest.skip("no lambdalint console script next to this Python")
        prefix = [str(script)]
    runs = [
        ["check", "."],
        ["check", "--no-cache", "--format", "json", "."],
        ["check", "--no-cache", "--format", "sarif", "--jobs", "2", "."],
        ["check", "--no-cache", "--diff", "."],
        ["check", "--no-cache", "--fix", "."],
        ["check", "--no-cache", "src/app.py", "app.py", "setup.py"],  # as pre-commit passes files
        ["rules"],
        ["explain", "LL102"],
    ]
    for args in runs:
        proc = subprocess.run(prefix + args, cwd=tree, capture_output=True, text=True, timeout=300)
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert sorted(p.name for p in markers.iterdir()) == [], (args, proc.stderr)
        assert not (tree / "HANDLER_RAN").exists()
    # The runs saw the code: the handler's client was found (and --fix moved it).
    assert 's3 = boto3.client("s3")\n\n\ndef lambda_handler' in (tree / "src" / "app.py").read_text()


def test_an_in_process_run_imports_nothing_from_the_tree(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    tree = tmp_path / "tree"
    booby_trapped_tree(tree, markers)
    before = set(sys.modules)
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tree)
    assert code == 1, err
    assert sorted(p.name for p in markers.iterdir()) == []
    loaded = {name: getattr(sys.modules[name], "__file__", None) for name in set(sys.modules) - before}
    assert not [n for n, f in loaded.items() if f and Path(f).resolve().is_relative_to(tree.resolve())]
    assert ("LL102", "src/app.py", 7) in [(f["rule"], f["path"], f["line"])
                                           for f in json.loads(out)["findings"]]


# -- the network ----------------------------------------------------------------------------------


GUARD = '''
"""Refuse and record every attempt to reach the network (installed by the test)."""
import os
import socket

_LOG = os.environ["LAMBDALINT_TEST_NETLOG"]


def _refuse(what):
    def refused(*args, **kwargs):
        with open(_LOG, "a") as handle:
            handle.write(f"{what} {args[1:] if what.startswith('socket.') else args!r}\\n")
        raise OSError(101, "Network is unreachable (refused by the test)")
    return refused


socket.socket.connect = _refuse("socket.connect")
socket.socket.connect_ex = _refuse("socket.connect_ex")
socket.socket.sendto = _refuse("socket.sendto")
socket.create_connection = _refuse("create_connection")
socket.getaddrinfo = _refuse("getaddrinfo")
socket.gethostbyname = _refuse("gethostbyname")
'''


@pytest.fixture
def offline(tmp_path):
    """Environment for a subprocess whose network calls are refused; yields (env, log path)."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    log.write_text("")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(guard_dir)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["LAMBDALINT_TEST_NETLOG"] = str(log)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy, None)
    return env, log


def test_the_network_guard_catches_a_connection(tmp_path, offline):
    """The guard itself works: without this, the tests below could pass by accident."""
    env, log = offline
    proc = subprocess.run([sys.executable, "-c",
                           "import urllib.request\n"
                           "try:\n    urllib.request.urlopen('http://example.com', timeout=5)\n"
                           "except OSError as exc:\n    print('refused', exc)\n"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert "refused" in proc.stdout, (proc.stdout, proc.stderr)
    assert log.read_text().strip(), "the guard recorded nothing"


def _hostile_trees(root: Path) -> List[Path]:
    """A few of the trees the other reliability tests build, on disk for one run."""
    from helpers import alias_bomb, zip_claiming
    from seeds import JSON_SEED, REQUIREMENTS_SEED, SERVERLESS_SEED, TEMPLATE_SEED, TERRAFORM_SEED

    trees = []
    project = root / "project"
    write(project, {
        "template.yaml": TEMPLATE_SEED, "serverless.yml": SERVERLESS_SEED, "cfn/template.json": JSON_SEED,
        "tf/main.tf": TERRAFORM_SEED, "src/orders/requirements.txt": REQUIREMENTS_SEED,
        "bomb/template.yaml": alias_bomb(), "zip/function.zip": zip_claiming(4 * 1024 ** 4),
        "zip/template.yaml": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                             "    Properties:\n      CodeUri: function.zip\n      Handler: app.h\n",
        "pkg/requirements.txt": "requests\nurllib3==1.26.0\n--index-url https://pypi.example.com/simple\n"
                                "-r https://example.com/requirements.txt\n"
                                "git+https://github.com/example/pkg.git#egg=pkg\n",
        "pkg/template.yaml": "Resources:\n  G:\n    Type: AWS::Serverless::Function\n"
                             "    Properties:\n      CodeUri: .\n      Handler: app.handler\n"
                             "      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]\n",
        "pkg/app.py": "import requests\n\ndef handler(event, context):\n"
                      "    return requests.get('https://example.com').text\n",
    })
    trees.append(project)
    markers = root / "markers"
    markers.mkdir()
    booby_trapped_tree(root / "trapped", markers, stdlib=sys.version_info >= (3, 11))
    trees.append(root / "trapped")
    return trees


def test_no_connection_without_audit(tmp_path, offline):
    env, log = offline
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    for tree in [examples] + _hostile_trees(tmp_path):
        for args in (["check", "--format", "json", "."], ["check", "--no-cache", "--jobs", "2", "--fix", "."]):
            proc = run_subprocess(args, cwd=tree, env=env, timeout=300)
            assert proc.returncode in (0, 1), (tree, args, proc.stderr)
            assert "Traceback" not in proc.stderr, proc.stderr
            assert log.read_text() == "", (tree, args, log.read_text())
    # The example app was really checked (it breaks every rule on purpose).
    proc = run_subprocess(["check", "--no-cache", "--format", "json", "."], cwd=examples, env=env)
    assert len(json.loads(proc.stdout)["findings"]) > 5


def test_audit_without_network_is_one_line_not_a_crash(tmp_path, offline):
    env, log = offline
    write(tmp_path / "tree", {
        "fn/requirements.txt": "requests==2.19.0\n",
        "fn/app.py": "def handler(event, context):\n    return 1\n",
        "template.yaml": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                         "      CodeUri: fn/\n      Handler: app.handler\n      Runtime: python3.12\n"
                         "      Timeout: 10\n",
    })
    proc = run_subprocess(["check", "--no-cache", "--audit", "."], cwd=tmp_path / "tree", env=env,
                          timeout=300)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert [line for line in proc.stderr.splitlines() if "audit" in line.lower()], proc.stderr
