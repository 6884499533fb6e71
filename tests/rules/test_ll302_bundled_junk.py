"""LL302 bundled-junk through the real CLI: junk in the code directory per format, dev tools and
the AWS SDK in the deployment requirements."""

from __future__ import annotations

from helpers import (MB, cdk_asset_app, cdk_asset_function, check_json, ids_and_lines, sam_function,
                     sparse, terraform_function, write)

APP = "def handler(event, context):\n    return 1\n"


def _ll302(findings):
    return [f for f in findings if f["rule"] == "LL302"]


def test_sam_code_uri_dot_ships_tests_notebooks_data_and_node_modules(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="."), "lambdalint.toml": "",
        "app.py": APP, "tests/test_app.py": "def test(): pass\n", "test_smoke.py": "x = 1\n",
        "analysis.ipynb": "{}\n", "node_modules/left-pad/index.js": "x\n",
        ".git/HEAD": "ref\n", ".venv/pyvenv.cfg": "home\n", ".pytest_cache/v": "x\n",
        "data/small.csv": "a,b\n",
    })
    sparse(tmp_path / "data/orders.csv", 12 * MB)
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert _ll302(check_json(["."], tmp_path)) == [finding]  # lambdalint's own cache is not junk
    assert (finding["path"], finding["line"], finding["severity"]) == ("template.yaml", 3,
                                                                      "warning")
    # sam build already drops .git, .venv and .pytest_cache: they are not reported.
    assert finding["message"] == (
        "Fn's package ships what does not belong in a deployment (12 MB): data/orders.csv "
        "(large data file, 12 MB), tests/ (tests, 17 bytes), test_smoke.py (tests, 6 bytes), "
        "analysis.ipynb (notebook, 3 bytes), node_modules/ (node_modules, 2 bytes)")
    assert finding["suggestion"].startswith("SAM ships the whole CodeUri (./; sam build drops only")
    assert "BuildMethod: makefile" in finding["suggestion"] and "build-Fn" in finding["suggestion"]


def test_clean_package_and_installed_libraries_tests_are_not_junk(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="src/"), "lambdalint.toml": "",
        "src/app.py": APP, "src/requirements.txt": "requests==2.32.3\n",
        # pip install -t src/: a library with its own tests and test files
        "src/numpy/__init__.py": "", "src/numpy/tests/test_core.py": "x\n",
        "src/numpy-2.0.0.dist-info/RECORD": "numpy/__init__.py,,\nnumpy/tests/test_core.py,,\n",
        "src/lib/testing_utils.py": "x = 1\n",
    })
    assert _ll302(check_json(["."], tmp_path)) == []


def test_node_function_keeps_node_modules_and_reads_no_requirements(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="nodejs20.x", code="src/"), "lambdalint.toml": "",
        "src/index.js": "exports.handler = async () => 1;\n",
        "src/node_modules/uuid/index.js": "x\n", "src/requirements.txt": "pytest==8.3.3\n",
    })
    assert _ll302(check_json(["."], tmp_path)) == []


SERVERLESS = """
    service: orders
    provider:
      name: aws
      runtime: python3.12
      timeout: 10
    package:
      patterns:
        - '!notebooks/**'
    functions:
      create:
        handler: src/app.handler
    """


def test_serverless_suggests_package_patterns(tmp_path):
    write(tmp_path, {
        "serverless.yml": SERVERLESS, "lambdalint.toml": "", "src/app.py": APP,
        "tests/test_app.py": "x\n", "notebooks/a.ipynb": "{}\n", ".git/HEAD": "x\n",
        "venv/pyvenv.cfg": "x\n", "venv/lib/site.py": "x\n",
        "node_modules/serverless-python-requirements/index.js": "x\n",
        "package.json": '{"devDependencies": {"serverless-python-requirements": "^6"}}\n',
    })
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert finding["line"] == 10
    # .git is Serverless' own default exclude; node_modules holds only devDependencies.
    assert finding["message"] == (
        "create's package ships what does not belong in a deployment (6 bytes): venv/ "
        "(virtual environment, 4 bytes), tests/ (tests, 2 bytes)")
    assert finding["suggestion"] == (
        "Leave them out with package.patterns in serverless.yml:\npackage:\n  patterns:\n"
        "    - '!venv/**'\n    - '!tests/**'")


def test_serverless_runtime_node_modules_ship(tmp_path):
    write(tmp_path, {
        "serverless.yml": SERVERLESS, "lambdalint.toml": "", "src/app.py": APP,
        "node_modules/left-pad/index.js": "x\n",
        "package.json": '{"dependencies": {"left-pad": "1"}}\n',
    })
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert "node_modules/ (node_modules, 2 bytes)" in finding["message"]


def test_terraform_and_cdk_suggestions(tmp_path):
    write(tmp_path, {
        "lambdalint.toml": "",
        "tf/main.tf": terraform_function("data.archive_file.fn.output_path", before="""
            data "archive_file" "fn" {
              type        = "zip"
              source_dir  = "${path.module}/lambda"
              output_path = "${path.module}/fn.zip"
            }
            """),
        "tf/lambda/app.py": APP, "tf/lambda/.terraform/providers/p": "x\n",
        "tf/lambda/conftest.py": "x\n",
        "cdk/app.py": cdk_asset_app(cdk_asset_function('"lambda", exclude=["tests"]')),
        "cdk/lambda/index.py": APP, "cdk/lambda/tests/test_index.py": "x\n",
        "cdk/lambda/.mypy_cache/x.json": "{}\n",
    })
    findings = _ll302(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL302", 8), ("LL302", 6)]
    cdk, tf = findings
    assert cdk["path"] == "cdk/app.py" and tf["path"] == "tf/main.tf"
    assert cdk["message"] == ("Fn's package ships what does not belong in a deployment (3 bytes): "
                              ".mypy_cache/ (cache, 3 bytes)")
    assert cdk["suggestion"] == 'Leave them out of the asset: Code.from_asset(..., exclude=[".mypy_cache"])'
    assert tf["suggestion"] == ('Leave them out of the archive_file: excludes = '
                                '[".terraform", "conftest.py"]')


def test_junk_inside_a_terraform_zip(tmp_path):
    import zipfile

    write(tmp_path, {"lambdalint.toml": "", "main.tf": terraform_function()})
    with zipfile.ZipFile(tmp_path / "fn.zip", "w") as archive:
        archive.writestr("app.py", APP)
        archive.writestr(".git/objects/ab/cdef", b"x" * 100)
        archive.writestr("tests/test_app.py", "x")
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert ".git/ (version control, 100 bytes), tests/ (tests, 1 byte)" in finding["message"]
    assert finding["suggestion"] == ("Rebuild the zip without them (the build script that writes "
                                     "it decides).")


# -- requirements ------------------------------------------------------------------------------


def test_dev_tools_and_the_aws_sdk_in_requirements(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="src/"), "lambdalint.toml": "",
        "src/app.py": APP,
        "src/requirements.txt": """
            requests==2.32.3
            pytest==8.3.3
            boto3==1.35.0
            botocore==1.35.0  # lambdalint: ignore[LL302]
            pytest-cov==5.0.0
            mypy-boto3-s3==1.35.0
            types-requests==2.32.0
            Black==24.8.0
            pytesseract==0.3.10
            mycompany-lint==1.0
            """,
    })
    findings = _ll302(check_json(["."], tmp_path))
    assert [(f["line"], f["severity"]) for f in findings] == [
        (2, "warning"), (3, "note"), (5, "warning"), (6, "warning"), (7, "warning"), (8, "warning")]
    assert all(f["path"] == "src/requirements.txt" for f in findings)
    assert findings[0]["message"] == ("pytest is a development tool, but src/requirements.txt is "
                                      "what the deployment of Fn installs, so it ships with the "
                                      "function")
    assert findings[0]["suggestion"].startswith("Move pytest to a requirements-dev.txt")
    assert findings[1]["message"].startswith("boto3 is bundled into Fn although the Python runtime "
                                             "provides boto3, botocore and s3transfer")
    assert "Pinning it on purpose is legitimate" in findings[1]["suggestion"]
    assert (findings[0]["column"], findings[0]["end_column"]) == (1, 1 + len("pytest==8.3.3"))
    # An option names more dev-only packages.
    write(tmp_path, {"lambdalint.toml": '[rules.LL302]\nextra-dev-packages = ["MyCompany_Lint"]\n'})
    assert (10, "warning") in [(f["line"], f["severity"]) for f in _ll302(check_json(["."], tmp_path))]


def test_pyproject_dev_tool_suggests_a_dependency_group(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="src/"), "lambdalint.toml": "",
        "src/app.py": APP,
        "src/pyproject.toml": '[project]\nname = "fn"\ndependencies = [\n    "moto==5.0.14",\n]\n',
    })
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert (finding["path"], finding["line"], finding["column"]) == ("src/pyproject.toml", 4, 6)
    assert "[dependency-groups] dev group" in finding["suggestion"]


def test_one_requirements_file_shared_by_two_functions_is_reported_once(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="src/") + """
              Other:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.other
                  CodeUri: src/
                  Timeout: 10
            """.replace("\n        ", "\n"),
        "lambdalint.toml": "", "src/app.py": APP, "src/requirements.txt": "pytest==8.3.3\n",
    })
    findings = _ll302(check_json(["."], tmp_path))
    assert ids_and_lines(findings) == [("LL302", 1)]


def test_sdk_installed_into_the_code_directory_is_a_note(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_function(runtime="python3.12", code="src/"), "lambdalint.toml": "",
        "src/app.py": APP,
        "src/botocore/__init__.py": "x = 1\n", "src/botocore/data/s3.json": "{}\n",
        "src/botocore-1.35.0.dist-info/RECORD": "botocore/__init__.py,,\n",
        "src/boto3/__init__.py": "x = 1\n", "src/boto3-1.35.0.dist-info/RECORD": "boto3/__init__.py,,\n",
        "src/requirements.txt": "boto3==1.35.0\n",
    })
    findings = _ll302(check_json(["."], tmp_path))
    assert [(f["path"], f["line"], f["severity"]) for f in findings] == [
        ("src/requirements.txt", 1, "note"), ("template.yaml", 3, "note")]
    # boto3 is reported on its requirements line; botocore, installed but not named, here.
    assert findings[1]["message"] == ("Fn ships botocore installed into src/ (9 bytes) although "
                                      "the Python runtime provides boto3, botocore and s3transfer")


# -- packages a build writes: the sources beside the code are not what ships ------------------

BUILT_SAM = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: {runtime}
          Handler: {handler}
          CodeUri: fn/
          Timeout: 10
        Metadata:
          BuildMethod: {method}
    """


def test_java_functions_built_by_maven_or_gradle_ship_no_sources(tmp_path):
    # The jar holds the compiled classes: src/test/ never ships, whatever the runtime says.
    for runtime, handler, build_file in (
            ("java21", "example.App::handleRequest", "pom.xml"),
            ("!Ref Runtime", "example.App::handleRequest", "build.gradle"),
            ("!Ref Runtime", "example.App", "pom.xml")):
        root = tmp_path / build_file / handler.replace(":", "_")
        template = sam_function(runtime=runtime, code="fn/").replace("app.handler", handler)
        write(root, {"template.yaml": template, "lambdalint.toml": "", f"fn/{build_file}": "x\n",
                     "fn/src/main/java/example/App.java": "class App {}\n",
                     "fn/src/test/java/example/AppTest.java": "class AppTest {}\n"})
        sparse(root / "fn/data/fixtures.csv", 300 * MB)
        assert [f for f in check_json(["."], root) if f["rule"] in ("LL301", "LL302")] == [], \
            (runtime, handler)


def test_sam_build_method_decides_what_ships(tmp_path):
    files = {"lambdalint.toml": "", "fn/app.ts": "export const handler = 1;\n",
             "fn/package.json": "{}\n", "fn/tests/app.test.ts": "x\n"}
    for method in ("esbuild", "makefile", "go1.x", "rust-cargolambda"):
        root = tmp_path / method
        write(root, dict(files, **{"template.yaml": BUILT_SAM.format(
            runtime="nodejs20.x", handler="app.handler", method=method)}))
        assert _ll302(check_json(["."], root)) == [], method
    # The npm builder copies the code directory: its tests ship.
    root = tmp_path / "npm"
    write(root, dict(files, **{"template.yaml": BUILT_SAM.format(
        runtime="nodejs20.x", handler="app.handler", method="nodejs20.x")}))
    assert ids_and_lines(_ll302(check_json(["."], root))) == [("LL302", 3)]


def test_sam_esbuild_artifact_is_judged_when_built(tmp_path):
    write(tmp_path, {
        "template.yaml": BUILT_SAM.format(runtime="nodejs20.x", handler="app.handler",
                                          method="esbuild"),
        "lambdalint.toml": "", "fn/app.ts": "x\n", "fn/tests/app.test.ts": "x\n",
        ".aws-sam/build/Fn/app.js": "x\n", ".aws-sam/build/Fn/report.ipynb": "{}\n",
    })
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert finding["line"] == 3
    assert "report.ipynb (notebook" in finding["message"] and "tests/" not in finding["message"]


SLS = """
    service: svc
    provider:
      name: aws
      runtime: {runtime}
    plugins:
      - {plugin}
    functions:
      hello:
        handler: handler.hello
        timeout: 10
    """


def test_serverless_bundler_plugins_ship_a_bundle_not_the_service(tmp_path):
    files = {"lambdalint.toml": "", "handler.js": "module.exports.hello = 1;\n",
             "test/handler.test.js": "x\n"}
    for plugin in ("serverless-esbuild", "serverless-webpack", "serverless-bundle"):
        root = tmp_path / plugin
        write(root, dict(files, **{"serverless.yml": SLS.format(runtime="nodejs20.x",
                                                                 plugin=plugin)}))
        assert _ll302(check_json(["."], root)) == [], plugin
    # Without a bundler, Serverless zips the service directory: test/ ships.
    root = tmp_path / "plain"
    write(root, dict(files, **{"serverless.yml": SLS.format(runtime="nodejs20.x",
                                                             plugin="serverless-offline")}))
    assert ids_and_lines(_ll302(check_json(["."], root))) == [("LL302", 8)]


def test_serverless_python_requirements_still_ships_the_service(tmp_path):
    # The plugin adds the requirements to the usual package; the tests beside the code still ship.
    write(tmp_path, {
        "serverless.yml": SLS.format(runtime="python3.12", plugin="serverless-python-requirements"),
        "lambdalint.toml": "", "handler.py": APP.replace("handler(", "hello("),
        "tests/test_handler.py": "x = 1\n",
    })
    (finding,) = _ll302(check_json(["."], tmp_path))
    assert (finding["line"], finding["message"]) == (
        8, "hello's package ships what does not belong in a deployment (6 bytes): tests/ "
           "(tests, 6 bytes)")
