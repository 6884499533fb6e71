"""Issue #13, the command line on a first day with a real repository: each test runs the real
CLI on files written for it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from helpers import CLIENT_IN_HANDLER, check_json, ids_and_lines, run_cli, sam_function, sam_template, write

ORDERS_TEMPLATE = sam_template("src/orders/", "service.process", "Orders", timeout=10)
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


def _show_files_tree(root: Path) -> Path:
    return write(root, {
        "pyproject.toml": '[tool.lambdalint]\nextend-exclude = ["scripts/"]\n',
        ".gitignore": "gen/\n",
        "template.yaml": ORDERS_TEMPLATE,
        "src/orders/service.py": ORDERS_SERVICE,
        "README.md": "# shop\n",
        "scripts/deploy.py": "print('deploy')\n",
        "gen/client.py": "x = 1\n",
        "node_modules/pkg/index.py": "x = 1\n",
        # A layer built with `pip install -t`: the package is skipped, our own file is read.
        "layer/python/requests/api.py": "x = 1\n",
        "layer/python/requests-2.31.0.dist-info/RECORD": "requests/api.py,,\n",
        "layer/python/helpers.py": "x = 1\n",
    })


def test_show_files_lists_what_a_run_checks_and_checks_nothing(tmp_path):
    project = _show_files_tree(tmp_path)
    code, out, err = run_cli(["check", "--show-files"], cwd=project)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["layer/python/helpers.py: python",
                                "src/orders/service.py: python",
                                "template.yaml: yaml"]
    assert not (project / ".lambdalint_cache").exists()  # nothing was checked


def test_show_files_verbose_says_why_each_path_is_skipped(tmp_path):
    project = _show_files_tree(tmp_path)
    code, out, err = run_cli(["check", "--show-files", "--verbose"], cwd=project)
    assert (code, err) == (0, "")
    skipped = [line for line in out.splitlines() if ": skipped, " in line]
    assert skipped == [
        ".gitignore: skipped, not a kind of file lambdalint reads",
        "README.md: skipped, not a kind of file lambdalint reads",
        "gen/: skipped, ignored by .gitignore",
        "layer/python/requests/: skipped, an installed third-party package",
        "layer/python/requests-2.31.0.dist-info/: skipped, an installed third-party package",
        "node_modules/: skipped, excluded by the pattern 'node_modules'",
        "pyproject.toml: skipped, not a kind of file lambdalint reads",
        "scripts/: skipped, excluded by the pattern 'scripts/'",
    ]


def test_verbose_without_show_files_is_one_line_exit_2(tmp_path):
    code, out, err = run_cli(["check", "--verbose"], cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == "lambdalint: error: --verbose works with --show-files (it lists the paths skipped)\n"


AUDITED_TEMPLATE = sam_function(name="OrdersFunction")


def _audited_project(root: Path) -> Path:
    return write(root, {"template.yaml": AUDITED_TEMPLATE,
                        "src/app.py": "def handler(event, context):\n    return {}\n",
                        "src/requirements.txt": "requests==2.19.0\n"})


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_an_audit_that_cannot_reach_its_service_exits_2_with_one_line(tmp_path, output_format):
    pytest.importorskip("pip_audit")
    from lambdalint.packages import audit

    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1/query"
    if audit.problem("osv", url, None) is not None:
        pytest.skip("this pip-audit has no --osv-url (pip-audit >= 2.10 needs Python >= 3.10)")
    project = _audited_project(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "--format", output_format, "--audit",
                              "--osv-url", url, "."], cwd=project)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(
        f"lambdalint: error: audit skipped: pip-audit could not query {url}: "), err
    assert err.endswith("; LL303 was not checked (exit code 2)\n"), err
    # The report of the other rules is still written (nothing to report in this project).
    if output_format == "json":
        assert json.loads(out)["findings"] == []
    elif output_format == "sarif":
        assert json.loads(out)["runs"][0]["results"] == []
    else:
        assert "LL303" not in out


def test_select_ll303_without_audit_says_it_needs_audit(tmp_path):
    project = _audited_project(tmp_path)
    for selector in ("LL303", "vulnerable-dependency"):
        code, out, err = run_cli(["check", "--no-cache", "--select", selector, "."], cwd=project)
        assert code == 0, (out, err)
        assert err == ("lambdalint: LL303 needs --audit (it asks a vulnerability service); "
                       "without it LL303 reports nothing\n")
    # Named twice, said once.
    err = run_cli(["check", "--no-cache", "--select", "LL303,vulnerable-dependency", "."],
                  cwd=project)[2]
    assert err.count("needs --audit") == 1, err
    # A prefix or ALL asks for no rule by name: nothing to say.
    assert run_cli(["check", "--no-cache", "--select", "LL3", "."], cwd=project)[2] == ""


def test_statistics_with_json_adds_counts_per_rule_to_the_summary(tmp_path):
    project = write(tmp_path, {
        "a.py": CLIENT_IN_HANDLER,
        "b.py": CLIENT_IN_HANDLER + '\n\ndef other(event, context):\n'
                '    return boto3.client("lambda").invoke(FunctionName="x")\n',
    })
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "--statistics", "."],
                             cwd=project)
    assert code == 1, err
    report = json.loads(out)
    assert report["summary"]["statistics"] == [
        {"id": "LL102", "name": "client-per-invocation", "count": 3, "fixable": 2},
        {"id": "LL103", "name": "sync-lambda-invoke", "count": 1, "fixable": 0},
    ]
    assert len(report["findings"]) == 4  # the findings are still listed
    # Without the flag the JSON is as it was: no new key.
    plain = json.loads(run_cli(["check", "--no-cache", "--format", "json", "."], cwd=project)[1])
    assert "statistics" not in plain["summary"]
    assert plain["findings"] == report["findings"]


def test_unknown_rule_codes_in_suppression_comments_are_said_with_file_and_line(tmp_path):
    project = write(tmp_path, {
        "app.py": """
            import boto3  # noqa: E501, F401, llama is a word of the explanation


            def lambda_handler(event, context):
                s3 = boto3.client("s3")  # noqa: LL012, E501
                return s3.list_buckets()  # lambdalint: ignore[LL9, client-per-invocation]
        """,
        "clean.py": "x = 1  # noqa: LL999\n",
        "template.yaml": """
            Resources:
              Fn:  # lambdalint: ignore[LL2O1]
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.lambda_handler
                  Runtime: python3.12
        """,
    })
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=project)
    assert code == 1, err
    # The typo silenced nothing: the finding is still reported.
    assert ids_and_lines(json.loads(out)["findings"]) == [("LL102", 5), ("LL201", 2)]
    tail = "in a suppression comment names no lambdalint rule, so it silences nothing; " \
           "`lambdalint rules` lists them"
    assert sorted(err.splitlines()) == [
        f"lambdalint: app.py:5: 'LL012' {tail}",
        f"lambdalint: app.py:6: 'LL9' {tail}",
        f"lambdalint: clean.py:1: 'LL999' {tail}",
        f"lambdalint: template.yaml:2: 'LL2O1' {tail}",
    ]  # E501 and F401 belong to other tools: not a word about them


def test_show_files_of_a_single_file_lists_the_configs_read_for_its_handlers(tmp_path):
    project = write(tmp_path / "shop", {"template.yaml": ORDERS_TEMPLATE,
                                        "src/orders/service.py": ORDERS_SERVICE})
    _outside_git(project)
    code, out, err = run_cli(["check", "--show-files", "src/orders/service.py"], cwd=project)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["src/orders/service.py: python",
                                "template.yaml: yaml, read only to know the handlers"]


# -- locations: a finding about a whole function points at its name, one about a setting at the
# value, in every format (not at column 1).

def _positions(findings):
    return [(f["rule"], f["line"], f["column"]) for f in findings]


def test_function_and_timeout_findings_carry_the_column_of_what_they_name(tmp_path):
    write(tmp_path, {
        "sam/template.yaml": """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Plain:
                Type: AWS::Serverless::Function
                Properties: {Handler: app.handler, CodeUri: src/, Runtime: python3.12}
              Short:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  CodeUri: src/
                  Runtime: python3.12
                  Timeout:   3
            """,
        "sls/serverless.yml": """
            service: s
            provider: {name: aws, runtime: python3.12}
            functions:
                plain:
                    handler: app.handler
            """,
        "cdk/cdk.json": '{"app": "python3 app.py"}',
        "cdk/app.py": """
            from aws_cdk import App, Stack
            from aws_cdk import aws_lambda as _lambda


            class S(Stack):
                def __init__(self, scope, id):
                    super().__init__(scope, id)
                    _lambda.Function(self, "Fn", runtime=_lambda.Runtime.PYTHON_3_12,
                                     handler="app.handler", code=_lambda.Code.from_asset("src"))


            App()
            """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL201")
    by_path = {}
    for finding in findings:
        by_path.setdefault(finding["path"], []).append(finding)
    assert _positions(by_path["sam/template.yaml"]) == [("LL201", 3, 3), ("LL201", 12, 18)]
    assert _positions(by_path["sls/serverless.yml"]) == [("LL201", 4, 5)]
    assert _positions(by_path["cdk/app.py"]) == [("LL201", 8, 9)]
