"""Units: the one dispatch of a run's files into what each reader reads, the one table of
readers, the crash guard, the fingerprint the cache keys a unit on; and for each unit kind, the
records its reader puts into the model (asserted directly, not through CLI output)."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import pytest

from helpers import read_unit, sam_template, source_files, write
from lambdalint.model import Function
from lambdalint.sources import units

SAM = sam_template(name="Hello", timeout=10)
SERVERLESS = """
service: shop
provider:
  name: aws
  runtime: python3.12
functions:
  orders:
    handler: src/app.handler
"""
TERRAFORM = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  memory_size   = 256
  timeout       = var.timeout
}

variable "timeout" {
  default = 30
}
"""
CDK = """
from aws_cdk import Duration, Stack, aws_lambda as lambda_


class Api(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12,
                         handler="app.handler", code=lambda_.Code.from_asset("src"),
                         timeout=Duration.seconds(20))
"""
HANDLER = "def handler(event, context):\n    return event\n"


def only(project) -> Function:
    assert project.errors == []
    assert len(project.functions) == 1
    return project.functions[0]


def kinds(found) -> list:
    return [(u.kind, [s.display for s in u.files]) for u in found]


# -- dispatch --------------------------------------------------------------------------------

def test_units_in_reading_order(tmp_path):
    write(tmp_path, {"b/template.yaml": SAM, "a/serverless.yml": SERVERLESS, "z/main.tf": "",
                     "z/vars.tf": "", "m/main.tf": "", "app.py": CDK, "lib.py": "import os\n",
                     "src/app.py": HANDLER})
    configs = source_files(tmp_path, ["b/template.yaml", "z/main.tf", "a/serverless.yml",
                                      "m/main.tf", "z/vars.tf"])
    pythons = source_files(tmp_path, ["app.py", "lib.py", "src/app.py"])
    assert kinds(units.units(configs, pythons)) == [
        ("document", ["b/template.yaml"]), ("document", ["a/serverless.yml"]),
        ("terraform", ["m/main.tf"]), ("terraform", ["z/main.tf", "z/vars.tf"]),
        ("cdk", ["app.py"])]


@pytest.mark.parametrize("kind", sorted(units.READERS))
def test_every_reader_in_the_table_exists(kind):
    module, _, name = units.READERS[kind].partition(":")
    assert callable(getattr(importlib.import_module(module), name))


def test_a_reader_crash_is_one_ll001_on_the_unit(tmp_path, monkeypatch):
    def crash(unit):
        raise KeyError("boom")

    write(tmp_path, {"template.yaml": SAM})
    unit = units.Unit(units.DOCUMENT, source_files(tmp_path, ["template.yaml"]))
    monkeypatch.setattr(units, "reader", lambda kind: crash)
    functions, errors = units.read(unit)
    assert functions == []
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("template.yaml", 1, "lambdalint failed on this file (KeyError: 'boom'); please report it")]


# -- fingerprints ----------------------------------------------------------------------------

def fingerprint(root: Path, kind: str, names: list):
    return units.fingerprint(units.Unit(kind, source_files(root, names)))


def test_a_document_that_is_no_deployment_config_is_not_cached(tmp_path):
    write(tmp_path, {"notes.yaml": "colour: blue\n", "template.yaml": SAM})
    assert fingerprint(tmp_path, units.DOCUMENT, ["notes.yaml"]) is None
    parts = fingerprint(tmp_path, units.DOCUMENT, ["template.yaml"])
    assert parts[0] == "document" and parts[2] == "template.yaml"


def test_a_terraform_fingerprint_follows_what_the_module_reads(tmp_path):
    write(tmp_path, {"main.tf": TERRAFORM, "terraform.tfvars": "timeout = 5\n"})
    before = fingerprint(tmp_path, units.MODULE, ["main.tf"])
    assert before[-2] == "tfvars only"
    write(tmp_path, {"terraform.tfvars": "timeout = 6\n"})
    assert fingerprint(tmp_path, units.MODULE, ["main.tf"]) != before
    write(tmp_path, {"main.tf": TERRAFORM + 'locals {\n  p = file("p.json")\n}\n', "p.json": "{}"})
    parts = fingerprint(tmp_path, units.MODULE, ["main.tf"])
    digest = hashlib.blake2b(b"{}", digest_size=16).hexdigest()
    assert parts[-2] == "reads files" and ["p.json", digest] in parts[-1]


def test_a_cdk_fingerprint_names_the_app_root(tmp_path):
    write(tmp_path, {"cdk.json": "{}", "infra/app.py": CDK})
    assert fingerprint(tmp_path, units.APP, ["infra/app.py"])[-1] == str(tmp_path.resolve())


def test_a_file_that_cannot_be_read_is_not_cached(tmp_path):
    assert fingerprint(tmp_path, units.DOCUMENT, ["gone.yaml"]) is None


# -- records, one unit kind at a time --------------------------------------------------------

def test_a_sam_template(tmp_path):
    function = only(read_unit(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER}))
    assert (function.name, function.format, function.path, function.line) == (
        "Hello", "sam", "template.yaml", 3)
    assert (function.runtime.value, function.handler.value) == ("python3.12", "app.handler")
    assert (function.timeout.seconds, function.timeout.origin) == (10, "function")
    assert function.handler_file == str(tmp_path.resolve() / "src/app.py")
    assert function.handler_function == "handler"


def test_a_serverless_service(tmp_path):
    function = only(read_unit(tmp_path, {"serverless.yml": SERVERLESS, "src/app.py": HANDLER}))
    assert (function.name, function.format, function.path) == (
        "orders", "serverless", "serverless.yml")
    assert (function.timeout.seconds, function.timeout.origin) == (6, "default")
    assert function.handler_function == "handler"
    assert Path(function.handler_file).name == "app.py"


def test_a_terraform_module(tmp_path):
    function = only(read_unit(tmp_path, {"main.tf": TERRAFORM}))
    assert (function.name, function.format, function.path, function.line) == (
        "aws_lambda_function.fn", "terraform", "main.tf", 1)
    assert (function.memory.value, function.memory.line) == (256, 5)
    assert (function.timeout.seconds, function.timeout.origin, function.timeout.line) == (
        30, "variable", 6)


def test_a_cdk_app(tmp_path):
    function = only(read_unit(tmp_path, {"cdk.json": "{}", "app.py": CDK, "src/app.py": HANDLER}))
    assert (function.name, function.format, function.path) == ("Worker", "cdk", "app.py")
    assert (function.timeout.seconds, function.timeout.origin) == (20, "function")
    assert function.handler_function == "handler"


def test_every_function_written_is_kept_when_a_reader_fails(tmp_path, monkeypatch):
    from lambdalint.sources import cloudformation

    def fail(*args, **kwargs):
        raise ValueError("odd")

    monkeypatch.setattr(cloudformation, "read_template", fail)
    project = read_unit(tmp_path, {"template.yaml": SAM})
    assert [(f.name, f.timeout.origin) for f in project.functions] == [("Hello", "unknown")]
    assert [e.message for e in project.errors] == [
        "Hello: lambdalint failed on this file (ValueError); its settings are unknown, "
        "please report it"]


def test_the_cached_read_gives_the_records_of_the_uncached_one(tmp_path, monkeypatch):
    from lambdalint import cache, projects
    from lambdalint.discovery import PYTHON
    from lambdalint.sources import configs

    write(tmp_path, {"template.yaml": SAM, "serverless.yml": SERVERLESS, "tf/main.tf": TERRAFORM,
                     "cdk.json": "{}", "app.py": CDK, "src/app.py": HANDLER})
    monkeypatch.chdir(tmp_path)
    sources = source_files(tmp_path, ["template.yaml", "serverless.yml", "tf/main.tf", "app.py",
                                      "src/app.py"])
    config_files = [s for s in sources if s.kind != PYTHON]
    python_files = [s for s in sources if s.kind == PYTHON]
    plain = configs.read_project(config_files, python_files)
    store = cache.Cache(tmp_path / ".cache")
    first = projects.read(config_files, [], python_files, ["."], store)
    store.flush()
    again = cache.Cache(tmp_path / ".cache")
    second = projects.read(config_files, [], python_files, ["."], again)
    assert again.hits == 4 and again.misses == 0
    for project in (first, second):
        assert (project.functions, project.errors) == (plain.functions, plain.errors)
    assert [f.format for f in plain.functions] == ["sam", "serverless", "terraform", "cdk"]
