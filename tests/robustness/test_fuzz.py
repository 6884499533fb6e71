"""Property tests: whatever a repository holds, lambdalint finishes, and says what it could not read.

Every input kind is fuzzed two ways: arbitrary bytes, and near-misses (valid Python, SAM YAML,
Serverless YAML, CloudFormation JSON, Terraform, requirements files and CDK apps with random
mutations). For each generated file the real CLI runs in-process on a tree that also holds a
sentinel handler with a known finding. The properties:

* the exit code is 0 or 1, nothing is raised, no traceback or internal error is printed, and the
  JSON report parses;
* a file that Python (CPython and LibCST alike), YAML or HCL cannot parse is reported as LL001,
  and a Python file both parse is not;
* the sentinel's finding is still there: one bad file never stops the others being checked.

The number of examples comes from the Hypothesis profile (tests/conftest.py): "ci" by default,
``HYPOTHESIS_PROFILE=long`` for a long local run. A few subprocess runs (workers included) use
mutations drawn from a fixed seed.
"""

from __future__ import annotations

import ast
import json
import random
import tempfile
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import tree_sitter_hcl
from tree_sitter import Language, Parser
import libcst
import pytest
import yaml
from hypothesis import event, given, strategies as st
from hypothesis.errors import InvalidArgument

from helpers import run_cli, run_subprocess
from seeds import (CDK_SEED, JSON_SEED, PYTHON_SEED, REQUIREMENTS_SEED, SERVERLESS_SEED, TEMPLATE_SEED,
                   TERRAFORM_SEED)
from lambdalint.sources.python import nesting_problem

try:
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]


SENTINEL_PATH = "sentinel/handler.py"
SENTINEL = b"""import boto3


def lambda_handler(event, context):
    s3 = boto3.client("s3")
    return s3.list_buckets()
"""
SENTINEL_FINDING = ("LL102", SENTINEL_PATH, 5)

FRAGMENTS = [
    "\n", "\r\n", "\r", "\t", " ", "    ", ":", ": ", "- ", "-", "{", "}", "[", "]", "(", ")",
    ",", '"', "'", '"""', "#", "&a ", "*a", "<<: *a", "? ", "!Ref ", "!GetAtt ", "!Sub ",
    "!!python/object/apply:os.system ['true']", "!!binary ", "!!timestamp ", "!!int ",
    "${", "${var.x}", "%{ if x }", "%{ endif }", "<<EOF\n", "EOF\n", "/*", "*/", "//", "=>",
    "\\", "\x00", "\ufeff", "\u2028", "\x85", "é", "ü", "\U0001f600", "\x1b", "=", "==",
    "lambda: ", "def ", "class ", "async ", "await ", "if ", "else:", "elif x:", "return ",
    "yield ", "@", "**", "*", ".", "...", ";", "0x", "1e308", "-1", "true", "null", "~",
    "|", "|-\n", ">", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x:\n", "`", "?", "!",
    "%", "f'{", "}'", "b'\\xff'", "# coding: latin-1\n", "# -*- coding: bogus -*-\n",
]

OPS = ["insert", "text", "delete", "duplicate", "swap", "indent", "truncate", "replace"]

Op = Tuple[str, int, int, str]


def mutate(text: str, ops: Sequence[Op]) -> str:
    """Apply mutations; positions are taken modulo the text's current length."""
    for op, x, y, payload in ops:
        n = len(text)
        i = x % (n + 1)
        if op in ("insert", "text"):
            text = text[:i] + payload + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 + y % 40:]
        elif op == "duplicate":
            j = min(n, i + 1 + y % 80)
            text = text[:j] + text[i:j] + text[j:]
        elif op == "truncate":
            text = text[:i]
        elif op == "replace" and n:
            text = text[:i] + payload[:1] + text[i + 1:]
        elif op in ("swap", "indent"):
            lines = text.splitlines(keepends=True)
            if not lines:
                continue
            a, b = x % len(lines), y % len(lines)
            if op == "swap":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                lines[a] = payload.replace("\n", "")[:4] + lines[a].lstrip(" \t")
            text = "".join(lines)
    return text


def ops_strategy(max_ops: int = 6):
    payload = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
    op = st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 20), st.integers(0, 1 << 20), payload)
    return st.lists(op, min_size=1, max_size=max_ops)


def random_ops(rng: random.Random, count: int) -> List[Op]:
    alphabet = "".join(FRAGMENTS) + "abcxyz019 _"
    ops = []
    for _ in range(count):
        payload = rng.choice(FRAGMENTS) if rng.random() < 0.7 else \
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        ops.append((rng.choice(OPS), rng.randrange(1 << 20), rng.randrange(1 << 20), payload))
    return ops


# -- oracles: what other parsers say about the file ---------------------------------------------


def python_parses(data: bytes) -> Optional[bool]:
    """Whether CPython and LibCST both accept ``data`` (True), both refuse it (False); None when
    they disagree or the text is nested beyond what lambdalint parses at all."""
    try:
        text = data.decode("utf-8", "replace")
    except Exception:  # pragma: no cover
        return None
    if nesting_problem(text) is not None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
        cpython = True
    except (SyntaxError, ValueError, UnicodeError, LookupError):
        cpython = False
    except (RecursionError, MemoryError):
        return None
    try:
        libcst.parse_module(data)
        native = True
    except Exception:  # ParserSyntaxError, CSTValidationError, decoding errors
        native = False
    return cpython if cpython == native else None


def yaml_refused(text: str) -> bool:
    """Neither JSON nor YAML, or its top level is a list: not a template either way."""
    try:
        value = json.loads(text)
    except ValueError:
        pass
    else:
        return isinstance(value, list)
    try:
        node = yaml.compose(text, Loader=_YamlLoader)
    except yaml.YAMLError:
        return True
    except RecursionError:
        return True
    return isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq"


HCL_PARSER = Parser(Language(tree_sitter_hcl.language()))


def hcl_refused(text: str) -> bool:
    """tree-sitter-hcl (the parser the reader uses) finds a syntax error in ``text``."""
    return HCL_PARSER.parse(text.encode("utf-8", "surrogatepass")).root_node.has_error


# -- the run --------------------------------------------------------------------------------------


def run_tree(files: Dict[str, bytes], *extra: str) -> List[dict]:
    """Write ``files`` and the sentinel to a fresh directory, run the CLI in-process, check the
    properties every run must have; returns the findings."""
    with tempfile.TemporaryDirectory(prefix="lambdalint-fuzz-") as tmp:
        root = Path(tmp)
        for rel, data in {SENTINEL_PATH: SENTINEL, **files}.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        code, out, err = run_cli(["check", "--no-cache", "--format", "json", *extra, "."],
                                 cwd=root)
    assert code in (0, 1), (code, err)
    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    findings = json.loads(out)["findings"]
    failed = [f for f in findings if "lambdalint failed on this file" in f["message"]]
    assert not failed, failed
    assert SENTINEL_FINDING in [(f["rule"], f["path"], f["line"]) for f in findings], findings
    return findings


def note(label: str) -> None:
    """Count a kind of example in Hypothesis's statistics (``--hypothesis-show-statistics``)."""
    try:
        event(label)
    except InvalidArgument:  # outside a Hypothesis test: the subprocess runs
        pass


def ll001(findings: List[dict], path: str) -> List[dict]:
    return [f for f in findings if f["rule"] == "LL001" and f["path"] == path]


def check_python(path: str, data: bytes, findings: List[dict]) -> None:
    expected = python_parses(data)
    note(f"python: {'parsers disagree' if expected is None else 'parses' if expected else 'LL001'}")
    if expected is False:
        assert ll001(findings, path), findings
    elif expected is True:
        assert not ll001(findings, path), findings


def check_yaml(path: str, data: bytes, findings: List[dict]) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # not UTF-8: reported only when it looks like a template (tested elsewhere)
    if text.startswith("\ufeff"):
        text = text[1:]
    refused = bool(text) and yaml_refused(text)
    note(f"yaml: {'LL001' if refused else 'composes'}")
    if refused:
        assert ll001(findings, path), (text, findings)


# -- arbitrary bytes ----------------------------------------------------------------------------


@given(st.binary(max_size=3000))
def test_arbitrary_bytes_as_python(data):
    findings = run_tree({"app.py": data})
    check_python("app.py", data, findings)


@given(st.sampled_from(["template.yaml", "serverless.yml", "template.json", "main.tf",
                        "requirements.txt", "cdk/app.py", "samconfig.toml", "pyproject.toml"]),
       st.binary(max_size=3000))
def test_arbitrary_bytes_as_any_input(name, data):
    files = {name: data}
    if name == "requirements.txt":
        files["template.yaml"] = TEMPLATE_FN_DIR
    findings = run_tree(files)
    if name.endswith((".yaml", ".yml", ".json")):
        check_yaml(name, data, findings)
    elif name.endswith(".py"):
        check_python(name, data, findings)


def test_arbitrary_bytes_in_a_broken_pyproject_is_a_clear_error(tmp_path):
    """Configuration is the user's to fix: one line, exit 2, never a traceback."""
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.lambdalint]\nselect = [\n")
    (tmp_path / "app.py").write_text("x = 1\n")
    code, out, err = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert code == 2, (code, out, err)
    assert err.startswith("lambdalint: error: pyproject.toml") and err.count("\n") == 1, err


# -- near misses ----------------------------------------------------------------------------------


TEMPLATE_FN_DIR = b"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
"""


@given(ops_strategy())
def test_mutated_python(ops):
    data = mutate(PYTHON_SEED, ops).encode("utf-8", "surrogatepass")
    findings = run_tree({"src/app.py": data})
    check_python("src/app.py", data, findings)


@given(ops_strategy())
def test_mutated_cdk_app(ops):
    data = mutate(CDK_SEED, ops).encode("utf-8", "surrogatepass")
    findings = run_tree({"app.py": data, "cdk.json": b'{"app": "python3 app.py"}\n',
                         "lambda/app.py": b"def handler(event, context):\n    return 1\n"})
    check_python("app.py", data, findings)


@given(ops_strategy())
def test_mutated_sam_template(ops):
    data = mutate(TEMPLATE_SEED, ops).encode("utf-8", "surrogatepass")
    findings = run_tree({"template.yaml": data,
                         "src/orders/app.py": SENTINEL.replace(b"lambda_handler", b"handler")})
    check_yaml("template.yaml", data, findings)


@given(ops_strategy())
def test_mutated_serverless(ops):
    data = mutate(SERVERLESS_SEED, ops).encode("utf-8", "surrogatepass")
    findings = run_tree({"serverless.yml": data,
                         "src/users.py": b"def create(event, context):\n    return 1\n"})
    check_yaml("serverless.yml", data, findings)


@given(ops_strategy())
def test_mutated_cloudformation_json(ops):
    data = mutate(JSON_SEED, ops).encode("utf-8", "surrogatepass")
    findings = run_tree({"template.json": data})
    check_yaml("template.json", data, findings)


@given(ops_strategy())
def test_mutated_terraform(ops):
    text = mutate(TERRAFORM_SEED, ops)
    data = text.encode("utf-8", "surrogatepass")
    findings = run_tree({"infra/main.tf": data, "infra/src/app.py": b"def handler(e, c):\n    pass\n"})
    refused = "aws_lambda_function" in text and hcl_refused(text)
    note(f"terraform: {'LL001' if refused else 'parses or no function'}")
    if refused:
        assert ll001(findings, "infra/main.tf"), (text, findings)


@given(ops_strategy())
def test_mutated_requirements(ops):
    data = mutate(REQUIREMENTS_SEED, ops).encode("utf-8", "surrogatepass")
    run_tree({"requirements.txt": data, "other.txt": data[:200], "constraints.txt": b"numpy==1.26.4\n",
              "template.yaml": TEMPLATE_FN_DIR, "app.py": b"def handler(event, context):\n    return 1\n"})


@given(ops_strategy(), ops_strategy(), ops_strategy())
def test_mutated_project_with_every_kind(template_ops, python_ops, terraform_ops):
    """Several broken files at once: each is reported on its own, the sentinel still checked."""
    template = mutate(TEMPLATE_SEED, template_ops).encode()
    handler = mutate(PYTHON_SEED, python_ops).encode()
    terraform = mutate(TERRAFORM_SEED, terraform_ops)
    findings = run_tree({"template.yaml": template, "src/orders/app.py": handler,
                         "tf/main.tf": terraform.encode(), "serverless.yml": SERVERLESS_SEED.encode()})
    check_yaml("template.yaml", template, findings)
    check_python("src/orders/app.py", handler, findings)
    if "aws_lambda_function" in terraform and hcl_refused(terraform):
        assert ll001(findings, "tf/main.tf")


# -- valid files with values of the wrong kind ----------------------------------------------------


KEYS = [
    "Type", "Properties", "Handler", "Runtime", "CodeUri", "Timeout", "MemorySize", "Events",
    "Policies", "Statement", "Action", "NotAction", "Resource", "Effect", "Environment",
    "Variables", "Metadata", "Globals", "Function", "Layers", "InlineCode", "ZipFile", "Code",
    "Role", "ManagedPolicyArns", "PolicyDocument", "Conditions", "Condition", "Parameters",
    "Default", "Mappings", "Queue", "BatchSize", "VisibilityTimeout", "PackageType", "ImageUri",
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::FindInMap", "Fn::ImportValue",
    "Fn::Select", "Fn::Split", "Fn::Base64", "lambdalint", "ignore", "service", "provider",
    "functions", "handler", "runtime", "timeout", "memorySize", "environment", "events", "http",
    "httpApi", "sqs", "arn", "iam", "role", "statements", "managedPolicies", "package",
    "patterns", "custom", "plugins", "resources", "Resources", "name", "image", "layers",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["*", "s3:*", "iam:PassRole", "arn:aws:s3:::b/*", "python3.12", "app.handler",
                     "src/users.create", ".", "..", "/", "../../..", "AWS::Serverless::Function",
                     "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::SQS::Queue", "3", "900",
                     "-1", "1e9", "${self:custom.x}", "${env:X, 5}", "${AWS::Region}", "Allow",
                     "AKIAIOSFODNN7EXAMPLF", "AdministratorAccess", "NotAWSLambda"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=3)),
    max_leaves=10)

CFN_DATA = json.loads(JSON_SEED)
CFN_DATA["Transform"] = "AWS::Serverless-2016-10-31"
CFN_DATA["Globals"] = {"Function": {"Timeout": 5, "Runtime": "python3.12"}}
CFN_DATA["Resources"]["Sam"] = {"Type": "AWS::Serverless::Function", "Properties": {
    "CodeUri": "src/", "Handler": "app.handler", "Timeout": 3,
    "Events": {"Q": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Queue", "Arn"]}}}},
    "Policies": ["AmazonS3FullAccess", {"S3CrudPolicy": {"BucketName": "*"}},
                 {"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}],
    "Environment": {"Variables": {"DB_PASSWORD": "hunter2-longer", "T": {"Ref": "Table"}}}}}
CFN_DATA["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue",
                                  "Properties": {"VisibilityTimeout": 5}}
SERVERLESS_DATA = yaml.safe_load(SERVERLESS_SEED.replace("!GetAtt Queue.Arn",
                                                         "{Fn::GetAtt: [Queue, Arn]}"))


def _slots(value, path=()):
    """Every (container path, key) in a nested structure."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key
            yield from _slots(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield path, index
            yield from _slots(inner, path + (index,))


@st.composite
def confused(draw, seed):
    """``seed`` with a few values replaced by values of any kind, and a few keys added."""
    data = json.loads(json.dumps(seed))
    for _ in range(draw(st.integers(1, 4))):
        slots = list(_slots(data))
        path, key = draw(st.sampled_from(slots))
        container = data
        for step in path:
            container = container[step]
        if isinstance(container, dict) and draw(st.booleans()):
            container[draw(st.sampled_from(KEYS))] = draw(VALUES)
        else:
            container[key] = draw(VALUES)
    return data


def _dump(data, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(data, indent=1).encode()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


@given(confused(CFN_DATA), st.booleans())
def test_sam_and_cloudformation_with_values_of_the_wrong_kind(data, as_json):
    name = "template.json" if as_json else "template.yaml"
    findings = run_tree({name: _dump(data, as_json), "src/app.py": SENTINEL})
    check_yaml(name, _dump(data, as_json), findings)


@given(confused(SERVERLESS_DATA), st.booleans())
def test_serverless_with_values_of_the_wrong_kind(data, as_json):
    name = "serverless.json" if as_json else "serverless.yml"
    run_tree({name: _dump(data, as_json), "src/users.py": SENTINEL})


HCL_VALUES = [
    "null", "true", "[]", "{}", '"*"', '["*"]', '["s3:*", "*"]', "var.x", "local.y",
    '"${var.x}"', '"${var.x}-${local.y}"', "3.5", "-1", "1e3", "0", "900", "[for a in x : a]",
    "{ for k, v in m : k => v }", "x ? y : z", "var.a == 1 ? 30 : 3", "!var.b",
    'jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})',
    'file("${path.module}/x.json")', "aws_iam_role.lambda.arn", "module.x.y",
    "data.archive_file.zip.output_path", '[1, "a", null]', "tomap({})", "<<EOF\nhello\nEOF",
    "<<-EOT\n  indented\n  EOT", "merge(local.tags, {a = 1})", "var.list[0]", "var.map[\"k\"]",
    "splat.*.id", "try(var.x, 5)", "lookup(var.m, \"timeout\", 3)", '"%{ if var.x }a%{ endif }"',
]


@given(st.lists(st.tuples(st.integers(0, 1000), st.sampled_from(HCL_VALUES)), min_size=1, max_size=5))
def test_terraform_with_values_of_the_wrong_kind(replacements):
    lines = TERRAFORM_SEED.splitlines(keepends=True)
    assignments = [i for i, line in enumerate(lines) if " = " in line and not line.rstrip().endswith("{")]
    for pick, value in replacements:
        index = assignments[pick % len(assignments)]
        name = lines[index].split(" = ", 1)[0]
        lines[index] = f"{name} = {value}\n"
    text = "".join(lines)
    findings = run_tree({"infra/main.tf": text.encode(), "infra/src/app.py": SENTINEL})
    if hcl_refused(text):
        assert ll001(findings, "infra/main.tf"), (text, findings)


# -- the same in a subprocess, with worker processes ---------------------------------------------


SEEDS = {"py": PYTHON_SEED, "cdk": CDK_SEED, "yaml": TEMPLATE_SEED, "sls": SERVERLESS_SEED,
         "json": JSON_SEED, "tf": TERRAFORM_SEED, "req": REQUIREMENTS_SEED}


def _mutated_tree(root: Path, rng: random.Random, count: int) -> Dict[str, bytes]:
    files: Dict[str, bytes] = {SENTINEL_PATH: SENTINEL}
    for i in range(count):
        for kind, seed in SEEDS.items():
            text = mutate(seed, random_ops(rng, rng.randint(1, 5)))
            name = {"py": f"py{i}/app.py", "cdk": f"cdk{i}/app.py", "yaml": f"sam{i}/template.yaml",
                    "sls": f"sls{i}/serverless.yml", "json": f"cfn{i}/template.json",
                    "tf": f"tf{i}/main.tf", "req": f"sam{i}/requirements.txt"}[kind]
            files[name] = text.encode("utf-8", "surrogatepass")
        files[f"bin{i}/blob.py"] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


@pytest.mark.parametrize("seed", [0, 1])
def test_subprocess_run_over_many_mutated_files_with_workers(tmp_path, seed):
    files = _mutated_tree(tmp_path, random.Random(seed), 12)
    proc = run_subprocess(["check", "--no-cache", "--jobs", "2", "--format", "json", "."],
                          cwd=tmp_path, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert SENTINEL_FINDING in [(f["rule"], f["path"], f["line"]) for f in findings]
    for rel, data in files.items():
        if rel.endswith(".py"):
            check_python(rel, data, findings)
        elif rel.endswith((".yaml", ".yml", ".json")):
            check_yaml(rel, data, findings)
