"""The Terraform reader: real .tf modules in tmp_path, read with python-hcl2, checked record by
record (names, lines, timeouts and where they come from, environment, IAM, code, events)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from helpers import TERRAFORM_HELLO, check_json, ids_and_lines, write
from lambdalint import registry
from lambdalint.discovery import SourceFile, display_path
from lambdalint.model import Function, ReadError
from lambdalint.sources import configs, terraform


def ln(text: str, snippet: str) -> int:
    """The 1-based line of ``snippet``, which must occur exactly once in the dedented text."""
    text = textwrap.dedent(text).lstrip("\n")
    assert text.count(snippet) == 1, snippet
    return text[:text.index(snippet)].count("\n") + 1


def read(root: Path, sub: str = ".") -> Tuple[Dict[str, Function], List[ReadError]]:
    directory = (root / sub).resolve()
    files = [SourceFile(p, display_path(p, root), "terraform") for p in sorted(directory.glob("*.tf"))]
    functions, errors = terraform.read_module(directory, files)
    for function in functions:
        configs.link(function)
    return {f.name: f for f in functions}, errors


def vals(values) -> List[Tuple[object, int]]:
    return [(v.value if v.literal else v.text, v.line) for v in values]


# -- aws_lambda_function, its variables and locals --------------------------------------------

MAIN = TERRAFORM_HELLO

VARIABLES = """
variable "timeout" {
  type    = number
  default = 20
}

variable "extra_layer" {
  type = string
}

variable "log_level" {
  default = "INFO"
}

variable "stage" {
  default = "prod"
}
"""

LOCALS = """
locals {
  memory = 512
}
"""


def test_function_record_with_variables_and_locals(tmp_path):
    write(tmp_path, {"main.tf": MAIN, "variables.tf": VARIABLES, "locals.tf": LOCALS,
                     "src/app.py": "def handler(event, context):\n    return {}\n"})
    functions, errors = read(tmp_path)
    assert errors == []
    assert list(functions) == ["aws_lambda_function.hello"]
    fn = functions["aws_lambda_function.hello"]
    assert (fn.format, fn.path, fn.line, fn.end_line) == ("terraform", "main.tf", 7, 29)
    assert (fn.runtime.value, fn.runtime.line, fn.runtime.column) == ("python3.12", 11, 19)
    assert (fn.handler.value, fn.handler.line) == ("app.handler", 12)
    # The timeout came through var.timeout: its default, at the line of the reference.
    assert (fn.timeout.seconds, fn.timeout.origin, fn.timeout.path, fn.timeout.line) == \
        (20, "variable", "main.tf", ln(MAIN, "timeout       = var.timeout"))
    assert (fn.memory.value, fn.memory.literal, fn.memory.text, fn.memory.line) == \
        (512, True, "local.memory (= 512)", 10)
    env = {e.name: e for e in fn.environment}
    assert list(env) == ["TABLE_NAME", "API_TOKEN", "LOG_LEVEL", "STAGE"]
    assert (env["TABLE_NAME"].value.literal, env["TABLE_NAME"].value.text) == \
        (False, "aws_dynamodb_table.items.name")
    assert (env["API_TOKEN"].value.value, env["API_TOKEN"].value.literal, env["API_TOKEN"].line) == \
        ("tok-7f3a9c2e", True, 20)
    assert (env["API_TOKEN"].value.path, env["API_TOKEN"].value.column) == ("main.tf", 21)
    assert (env["LOG_LEVEL"].value.value, env["LOG_LEVEL"].value.text, env["LOG_LEVEL"].line) == \
        ("INFO", 'var.log_level (default "INFO")', 21)
    assert (env["STAGE"].value.value, env["STAGE"].value.literal) == ("prod-blue", True)
    assert vals(fn.layers) == [("arn:aws:lambda:us-east-1:123456789012:layer:deps:4", 15),
                               ("var.extra_layer", 15)]
    assert fn.layers[1].literal is False  # a variable without a default
    # archive_file: the code is the directory it packs, and the handler links to src/app.py.
    assert fn.code.kind == "local"
    assert fn.code.path == str((tmp_path / "src").resolve())
    assert fn.handler_file == str((tmp_path / "src").resolve() / "app.py")
    assert fn.handler_function == "handler"
    assert fn.role is None  # aws_iam_role.lambda is not defined in this module


@pytest.mark.parametrize("setting, variables, expected", [
    ("timeout = 45", "", (45, "function")),
    ("timeout = var.t", 'variable "t" {\n  default = 3\n}\n', (3, "variable")),
    ("timeout = var.t", 'variable "t" {\n  type = number\n}\n', (None, "unknown")),
    ("timeout = var.t", 'variable "t" {\n  default = null\n}\n', (None, "unknown")),
    ("timeout = local.cfg.timeout", 'locals {\n  cfg = { timeout = 15 }\n}\n', (15, "variable")),
    ("timeout = local.t", 'locals {\n  t = var.t\n}\nvariable "t" {\n  default = "25"\n}\n',
     (25, "variable")),
    ('timeout = var.prod ? 30 : 10', 'variable "prod" {\n  default = true\n}\n', (None, "unknown")),
    ("timeout = local.a", 'locals {\n  a = local.b\n  b = local.a\n}\n', (None, "unknown")),
])
def test_timeout_origins(tmp_path, setting, variables, expected):
    write(tmp_path, {
        "main.tf": f'resource "aws_lambda_function" "f" {{\n  runtime = "python3.12"\n  {setting}\n}}\n',
        "variables.tf": variables,
    })
    functions, errors = read(tmp_path)
    assert errors == []
    timeout = functions["aws_lambda_function.f"].timeout
    assert (timeout.seconds, timeout.origin, timeout.path, timeout.line) == (*expected, "main.tf", 3)


def test_no_timeout_is_the_default_and_resource_timeouts_block_is_not_one(tmp_path):
    write(tmp_path, {"main.tf": """
        resource "aws_lambda_function" "f" {
          function_name = "f"
          timeouts {
            create = "10m"
            update = "10m"
          }
        }
        """})
    functions, _ = read(tmp_path)
    timeout = functions["aws_lambda_function.f"].timeout
    assert (timeout.seconds, timeout.origin, timeout.path, timeout.line) == (3, "default", "main.tf", 1)


def test_tfvars_value_wins_over_the_default(tmp_path):
    write(tmp_path, {
        "main.tf": ('resource "aws_lambda_function" "f" {\n  timeout = var.timeout\n'
                    '  environment {\n    variables = { DB_PASSWORD = var.db_password }\n  }\n}\n'),
        "variables.tf": 'variable "timeout" {\n  default = 3\n}\nvariable "db_password" {}\n',
        "terraform.tfvars": 'timeout = 40\ndb_password = "Zq8#mW2!pL5x"\n',
        "prod.auto.tfvars": "timeout = 50\n",
    })
    fn = read(tmp_path)[0]["aws_lambda_function.f"]
    assert (fn.timeout.seconds, fn.timeout.origin, fn.timeout.line) == (50, "variable", 2)
    # A value the deployer passes in is not written in the module: not a literal secret.
    env = fn.environment[0]
    assert (env.name, env.value.literal, env.value.text, env.line) == \
        ("DB_PASSWORD", False, "var.db_password (set in terraform.tfvars)", 4)


def test_code_locations(tmp_path):
    write(tmp_path, {"main.tf": """
        resource "aws_lambda_function" "zip" {
          filename = "${path.module}/dist/app.zip"
        }
        resource "aws_lambda_function" "image" {
          package_type = "Image"
          image_uri    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
        }
        resource "aws_lambda_function" "s3" {
          s3_bucket = "artifacts"
          s3_key    = "app.zip"
        }
        data "archive_file" "one" {
          type        = "zip"
          source_file = "handler.py"
          output_path = "one.zip"
        }
        resource "aws_lambda_function" "file" {
          filename = data.archive_file.one.output_path
          handler  = "handler.main"
        }
        resource "aws_lambda_function" "nothing" {
          filename = var.zip
        }
        resource "aws_lambda_function" "same_zip" {
          filename = "${path.module}/one.zip"
          handler  = "handler.main"
        }
        """, "handler.py": "def main(event, context):\n    return 1\n"})
    functions, _ = read(tmp_path)
    root = tmp_path.resolve()
    assert (functions["aws_lambda_function.zip"].code.kind,
            functions["aws_lambda_function.zip"].code.path) == ("zip", str(root / "dist" / "app.zip"))
    assert (functions["aws_lambda_function.image"].code.kind,
            functions["aws_lambda_function.image"].code.path) == \
        ("image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")
    assert (functions["aws_lambda_function.s3"].code.kind,
            functions["aws_lambda_function.s3"].code.path) == ("s3", "artifacts/app.zip")
    single = functions["aws_lambda_function.file"]
    assert (single.code.kind, single.code.path) == ("local", str(root / "handler.py"))
    assert (single.handler_file, single.handler_function) == (str(root / "handler.py"), "main")
    assert functions["aws_lambda_function.nothing"].code.kind == "unknown"
    # The zip a function names is the one an archive_file writes: its code is what it packs.
    same = functions["aws_lambda_function.same_zip"]
    assert (same.code.kind, same.handler_file) == ("local", str(root / "handler.py"))


def test_suppression_comment_on_the_first_line(tmp_path):
    write(tmp_path, {"main.tf": """
        resource "aws_lambda_function" "quiet" { # lambdalint: ignore
          runtime = "python3.12"
        }
        # lambdalint: ignore
        resource "aws_lambda_function" "loud" {
          runtime = "python3.12"
        }
        """})
    functions, _ = read(tmp_path)
    assert functions["aws_lambda_function.quiet"].ignored_rules == {"*"}
    assert functions["aws_lambda_function.loud"].ignored_rules == set()


# -- IAM ------------------------------------------------------------------------------------

IAM = """
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.lambda.arn
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.lambda.arn
}

resource "aws_iam_role" "lambda" {
  name = "app-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  inline_policy {
    name   = "reads"
    policy = data.aws_iam_policy_document.reads.json
  }

  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
}

resource "aws_iam_role_policy" "jsonencoded" {
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*", "dynamodb:GetItem"]
        Resource = "*"
      },
      {
        Effect    = "Deny"
        NotAction = "iam:*"
        Resource  = aws_s3_bucket.data.arn
      },
    ]
  })
}

resource "aws_iam_policy" "heredoc" {
  name   = "heredoc"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["sqs:*"],
      "Resource": "${aws_sqs_queue.jobs.arn}"
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "heredoc" {
  role       = aws_iam_role.lambda.name
  policy_arn = aws_iam_policy.heredoc.arn
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = "app-lambda"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

data "aws_iam_policy_document" "reads" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["${aws_s3_bucket.data.arn}/*", "*"]
  }
}

# Another service's role and its policy: not a function's.
resource "aws_iam_role" "states" {
  assume_role_policy = data.aws_iam_policy_document.states_trust.json
}

data "aws_iam_policy_document" "states_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "states" {
  role   = aws_iam_role.states.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

resource "aws_lambda_function" "odd" {
  role = aws_iam_role.states.arn
}
"""


def test_iam_of_the_role_from_every_kind_of_policy(tmp_path):
    write(tmp_path, {"iam.tf": IAM})
    functions, errors = read(tmp_path)
    assert errors == []
    api = functions["aws_lambda_function.api"]
    assert api.role == "aws_iam_role.lambda"
    by_origin = {s.origin: s for s in api.statements}
    # A statement is named for where it is written: the inline policy is a policy document.
    assert list(by_origin) == ["data.aws_iam_policy_document.reads", "aws_iam_role_policy.jsonencoded",
                               "aws_iam_policy.heredoc"]
    # The statement block's line, each item's line.
    inline = [s for s in api.statements if s.origin == "data.aws_iam_policy_document.reads"]
    assert [(s.path, s.line, s.column, s.effect) for s in inline] == [("iam.tf", 76, 3, "Allow")]
    assert vals(inline[0].actions) == [("s3:GetObject", 78), ("s3:ListBucket", 78)]
    assert vals(inline[0].resources) == [("${aws_s3_bucket.data.arn}/*", 79), ("*", 79)]
    assert [r.literal for r in inline[0].resources] == [False, True]
    # jsonencode: one statement per object, at the object's line, values at their own lines.
    encoded = [s for s in api.statements if s.origin == "aws_iam_role_policy.jsonencoded"]
    assert [(s.line, s.column, s.effect) for s in encoded] == [(35, 7, "Allow"), (40, 7, "Deny")]
    assert vals(encoded[0].actions) == [("s3:*", 37), ("dynamodb:GetItem", 37)]
    assert [(a.line, a.column) for a in encoded[0].actions] == [(37, 21), (37, 29)]
    assert vals(encoded[0].resources) == [("*", 38)]
    assert vals(encoded[1].not_actions) == [("iam:*", 42)]
    assert vals(encoded[1].resources) == [("aws_s3_bucket.data.arn", 43)]
    # The heredoc's JSON keeps the file's lines and columns.
    heredoc = by_origin["aws_iam_policy.heredoc"]
    assert (heredoc.line, heredoc.column) == (55, 5)
    assert [(a.value, a.line, a.column) for a in heredoc.actions] == [("sqs:*", 57, 18)]
    assert [(r.text, r.literal, r.line) for r in heredoc.resources] == \
        [("${aws_sqs_queue.jobs.arn}", False, 58)]
    managed = [(m.name.value, m.name.line, m.origin) for m in api.managed_policies]
    assert managed == [
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", 27,
         "managed_policy_arns of aws_iam_role.lambda"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", ln(IAM, '"arn:aws:iam::aws:policy/Admin'),
         "aws_iam_role_policy_attachment.admin"),
    ]
    # One role, two functions: the same statements, at the same places, in each.
    worker = functions["aws_lambda_function.worker"]
    assert [(s.path, s.line) for s in worker.statements] == [(s.path, s.line) for s in api.statements]
    # The Step Functions role is not Lambda's, even when a function names it.
    odd = functions["aws_lambda_function.odd"]
    assert (odd.role, odd.statements, odd.managed_policies) == ("aws_iam_role.states", [], [])


def test_policies_through_locals_files_and_attachments(tmp_path):
    main = """
        resource "aws_lambda_function" "f" {
          role = aws_iam_role.r.arn
        }
        resource "aws_iam_role" "r" {
          name               = "r"
          assume_role_policy = local.trust
        }
        locals {
          trust = <<-EOT
            {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]}
          EOT
          writes = {
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = local.write_actions, Resource = "*" }]
          }
          write_actions = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
        }
        resource "aws_iam_role_policy" "writes" {
          role   = aws_iam_role.r.name
          policy = jsonencode(local.writes)
        }
        resource "aws_iam_role_policy" "from_file" {
          role   = aws_iam_role.r.id
          policy = file("${path.module}/policies/read.json")
        }
        resource "aws_iam_policy" "p" {
          policy = data.aws_iam_policy_document.d.json
        }
        data "aws_iam_policy_document" "d" {
          statement {
            effect      = "Allow"
            not_actions = ["iam:*"]
            resources   = ["*"]
          }
        }
        resource "aws_iam_policy_attachment" "p" {
          name       = "p"
          roles      = [aws_iam_role.r.name]
          policy_arn = aws_iam_policy.p.arn
        }
        data "aws_iam_policy" "s3full" {
          name = "AmazonS3FullAccess"
        }
        resource "aws_iam_role_policy_attachment" "s3" {
          role       = aws_iam_role.r.name
          policy_arn = data.aws_iam_policy.s3full.arn
        }
        """
    write(tmp_path, {"main.tf": main, "policies/read.json": (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",\n'
        '     "Action": "s3:GetObject",\n     "Resource": "*"}\n  ]\n}\n')})
    functions, errors = read(tmp_path)
    assert errors == []
    fn = functions["aws_lambda_function.f"]
    got = [(s.origin, s.path, s.line) for s in fn.statements]
    assert got == [
        ("aws_iam_role_policy.writes", "main.tf", ln(main, "Statement = [{ Effect")),
        ("aws_iam_role_policy.from_file", "policies/read.json", 4),
        ("data.aws_iam_policy_document.d", "main.tf", ln(main, "statement {")),
    ]
    writes = fn.statements[0]
    # Items of a list held by a local: at the reference the user wrote.
    assert [(a.value, a.line, a.text) for a in writes.actions] == [
        ("dynamodb:PutItem", 15, 'local.write_actions[0] (= "dynamodb:PutItem")'),
        ("dynamodb:DeleteItem", 15, 'local.write_actions[1] (= "dynamodb:DeleteItem")'),
    ]
    assert vals(fn.statements[1].actions) == [("s3:GetObject", 5)]
    assert vals(fn.statements[2].not_actions) == [("iam:*", ln(main, 'not_actions = ["iam:*"]'))]
    assert [(m.name.value, m.name.line, m.origin) for m in fn.managed_policies] == [
        ("AmazonS3FullAccess", ln(main, "policy_arn = data.aws_iam_policy.s3full.arn"),
         "aws_iam_role_policy_attachment.s3")]


@pytest.mark.parametrize("trust, attached", [
    ('jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",\n'
     '    Principal = { Service = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] } }] })', True),
    ('<<EOF\n{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
     '  "Principal": {"Service": "states.amazonaws.com"}}]}\nEOF', False),
    ('file("${path.module}/trust.json")', False),
    ('"{\\"Statement\\": [{\\"Principal\\": {\\"Service\\": \\"ecs-tasks.amazonaws.com\\"}}]}"', False),
    ('var.trust', True),  # not known: the function names the role, so it is taken as Lambda's
])
def test_trust_policy_decides_whether_a_role_is_lambdas(tmp_path, trust, attached):
    write(tmp_path, {
        "main.tf": (
            'resource "aws_lambda_function" "f" {\n  role = aws_iam_role.r.arn\n}\n'
            f'resource "aws_iam_role" "r" {{\n  assume_role_policy = {trust}\n}}\n'
            'resource "aws_iam_role_policy_attachment" "a" {\n  role       = aws_iam_role.r.name\n'
            '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'),
        "trust.json": '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},'
                      ' "Action": "sts:AssumeRole"}]}',
    })
    functions, errors = read(tmp_path)
    assert errors == []
    assert bool(functions["aws_lambda_function.f"].managed_policies) is attached


def test_policy_file_outside_the_module_is_not_read(tmp_path):
    write(tmp_path, {
        "shared.json": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
        "infra/main.tf": """
            resource "aws_lambda_function" "f" {
              role = aws_iam_role.r.arn
            }
            resource "aws_iam_role" "r" {
              inline_policy {
                policy = file("../shared.json")
              }
            }
            """})
    functions, errors = read(tmp_path, "infra")
    assert errors == []
    assert functions["aws_lambda_function.f"].statements == []


# -- terraform-aws-modules/lambda/aws ---------------------------------------------------------

MODULE = """
module "orders" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "orders"
  handler       = "orders.handler"
  runtime       = "python3.12"
  source_path   = "${path.module}/functions"
  memory_size   = 256

  environment_variables = {
    TABLE  = "orders"
    SECRET = var.secret
  }

  attach_policy_statements = var.attach_statements
  policy_statements = {
    dynamodb = {
      effect    = "Allow",
      actions   = ["dynamodb:*"],
      resources = ["*"]
    }
  }

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.extra.json

  attach_policy = true
  policy        = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"

  attach_policies    = false
  policies           = ["arn:aws:iam::aws:policy/AdministratorAccess"]
  attach_policy_jsons = false
  policy_jsons        = [jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })]
}

data "aws_iam_policy_document" "extra" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.out.arn]
  }
}

variable "attach_statements" {
  default = true
}

variable "secret" {}

module "pinned" {
  source  = "registry.terraform.io/terraform-aws-modules/lambda/aws"
  timeout = 60
  handler = "x.y"
}

module "from_git" {
  source      = "git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.2.0"
  timeout     = 3
  source_path = [{ path = "${path.module}/functions", pip_requirements = true }]
  handler     = "orders.handler"
}

module "alias" {
  source        = "terraform-aws-modules/lambda/aws//modules/alias"
  function_name = module.orders.lambda_function_name
}

module "wrapped" {
  source = "terraform-aws-modules/lambda/aws//wrappers"
  items  = { a = { handler = "a.handler" } }
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

module "off" {
  source          = "terraform-aws-modules/lambda/aws"
  create_function = false
}

module "layer" {
  source       = "terraform-aws-modules/lambda/aws"
  create_layer = true
  source_path  = "${path.module}/layer"
}
"""


def test_lambda_module(tmp_path):
    write(tmp_path, {"main.tf": MODULE, "functions/orders.py": "def handler(e, c):\n    return 1\n"})
    functions, errors = read(tmp_path)
    assert errors == []
    assert sorted(functions) == ["module.from_git", "module.orders", "module.pinned"]
    fn = functions["module.orders"]
    assert (fn.path, fn.line, fn.end_line) == ("main.tf", 1, 35)
    assert (fn.timeout.seconds, fn.timeout.origin, fn.timeout.line) == (3, "default", 1)
    assert (fn.handler.value, fn.runtime.value, fn.memory.value) == ("orders.handler", "python3.12", 256)
    assert (fn.code.kind, fn.code.path) == ("local", str((tmp_path / "functions").resolve()))
    assert fn.handler_file == str((tmp_path / "functions" / "orders.py").resolve())
    assert [(e.name, e.value.value, e.value.literal, e.line) for e in fn.environment] == [
        ("TABLE", "orders", True, 12), ("SECRET", None, False, 13)]
    assert [(s.origin, s.line) for s in fn.statements] == [
        ("data.aws_iam_policy_document.extra", ln(MODULE, 'actions   = ["sqs:SendMessage"]') - 1),
        ("policy_statements.dynamodb of module.orders", 18),
    ]
    statement = fn.statements[1]
    assert (statement.effect, vals(statement.actions), vals(statement.resources)) == \
        ("Allow", [("dynamodb:*", 20)], [("*", 21)])
    # attach_policies / attach_policy_jsons are false: those policies are not attached.
    assert [(m.name.value, m.name.line, m.origin) for m in fn.managed_policies] == [
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", 29, "policy of module.orders")]
    pinned = functions["module.pinned"]
    assert (pinned.timeout.seconds, pinned.timeout.origin, pinned.timeout.line) == \
        (60, "function", ln(MODULE, "timeout = 60"))
    assert pinned.statements == [] and pinned.code.kind == "unknown"
    git = functions["module.from_git"]
    assert (git.timeout.seconds, git.timeout.origin) == (3, "function")
    assert git.handler_file == str((tmp_path / "functions" / "orders.py").resolve())


def test_module_flags_must_be_true(tmp_path):
    write(tmp_path, {"main.tf": """
        module "f" {
          source                   = "terraform-aws-modules/lambda/aws"
          attach_policy_statements = var.attach
          policy_statements        = { all = { actions = ["*"], resources = ["*"] } }
          attach_policy_json       = local.unknown_flag
          policy_json              = jsonencode({ Statement = { Action = "*", Resource = "*" } })
        }
        variable "attach" {
          default = false
        }
        """})
    functions, _ = read(tmp_path)
    assert functions["module.f"].statements == []


def test_module_with_an_existing_role(tmp_path):
    write(tmp_path, {"main.tf": """
        module "f" {
          source      = "terraform-aws-modules/lambda/aws"
          create_role = false
          lambda_role = aws_iam_role.shared.arn
        }
        resource "aws_iam_role" "shared" {}
        resource "aws_iam_role_policy_attachment" "a" {
          role       = aws_iam_role.shared.name
          policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
        }
        """})
    fn = read(tmp_path)[0]["module.f"]
    assert fn.role == "aws_iam_role.shared"
    assert [(m.name.value, m.name.line) for m in fn.managed_policies] == \
        [("arn:aws:iam::aws:policy/PowerUserAccess", 9)]


# -- events -----------------------------------------------------------------------------------

def test_event_sources(tmp_path):
    main = """
        resource "aws_lambda_function" "consumer" {
          function_name = "consumer"
          timeout       = 30
        }
        resource "aws_sqs_queue" "jobs" {
          visibility_timeout_seconds = 60
        }
        resource "aws_sqs_queue" "plain" {}
        resource "aws_lambda_event_source_mapping" "jobs" {
          event_source_arn = aws_sqs_queue.jobs.arn
          function_name    = aws_lambda_function.consumer.arn
        }
        resource "aws_lambda_event_source_mapping" "plain" {
          event_source_arn = aws_sqs_queue.plain.arn
          function_name    = "consumer"
        }
        resource "aws_lambda_function" "web" {
          timeout = 60
        }
        resource "aws_lambda_permission" "apigw" {
          action        = "lambda:InvokeFunction"
          function_name = aws_lambda_function.web.function_name
          principal     = "apigateway.amazonaws.com"
        }
        resource "aws_lb_target_group_attachment" "web" {
          target_group_arn = aws_lb_target_group.web.arn
          target_id        = aws_lambda_function.web.arn
        }
        resource "aws_s3_bucket_notification" "uploads" {
          bucket = aws_s3_bucket.uploads.id
          lambda_function {
            lambda_function_arn = aws_lambda_function.consumer.arn
            events              = ["s3:ObjectCreated:*"]
          }
        }
        module "m" {
          source = "terraform-aws-modules/lambda/aws"
          event_source_mapping = {
            sqs = {
              event_source_arn = aws_sqs_queue.jobs.arn
            }
          }
          allowed_triggers = {
            api = {
              service    = "apigateway"
              source_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/*/*/*"
            }
          }
        }
        """
    write(tmp_path, {"main.tf": main})
    functions, _ = read(tmp_path)
    consumer = functions["aws_lambda_function.consumer"]
    got = [(e.kind, e.line, e.visibility.value, e.visibility.line, e.visibility_defaulted)
           for e in consumer.events[:2]]
    assert got[:2] == [("sqs", 9, 60, 6, False), ("sqs", 13, 30, 8, True)]
    assert [(e.kind, e.line) for e in consumer.events[2:]] == [("s3", ln(main, "lambda_function {"))]
    assert [(e.kind, e.line) for e in functions["aws_lambda_function.web"].events] == \
        [("api", 20), ("alb", 25)]
    module = functions["module.m"]
    assert [(e.kind, e.line) for e in module.events] == [("sqs", 39), ("api", 44)]
    assert module.events[0].visibility.value == 60


# -- errors, odd shapes, speed -----------------------------------------------------------------

def test_broken_file_is_a_read_error_and_the_rest_is_read(tmp_path):
    write(tmp_path, {
        "main.tf": 'resource "aws_lambda_function" "f" {\n  timeout = var.timeout\n}\n',
        "broken.tf": 'variable "x" {\n  default = 1\n}\n\nresource "aws_iam_role" "r" {\n  name = \n}\n',
        "variables.tf": 'variable "timeout" {\n  default = 9\n}\n',
        "latin1.tf": b'# caf\xe9\nlocals {}\n',
        "deep.tf": "locals {\n  a = " + "[" * 5000 + "]" * 5000 + "\n}\n",
    })
    functions, errors = read(tmp_path)
    assert [(e.path, e.line) for e in errors] == [("broken.tf", 6), ("deep.tf", 1), ("latin1.tf", 1)]
    assert errors[0].message.startswith("cannot parse HCL: ")
    assert "not UTF-8" in errors[2].message
    assert functions["aws_lambda_function.f"].timeout.seconds == 9


def test_a_module_without_lambda_is_not_parsed(tmp_path):
    write(tmp_path, {
        "vpc/main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = \n}\n',  # broken, not ours
        "vpc/big.tf": b"# \xff\n",
        "fn/main.tf": 'resource "aws_lambda_function" "f" {\n  timeout = \n}\n',
    })
    assert read(tmp_path, "vpc") == ({}, [])
    functions, errors = read(tmp_path, "fn")
    assert (functions, [(e.path, e.line) for e in errors]) == ({}, [("fn/main.tf", 2)])


def test_unreadable_file_is_a_read_error(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_lambda_function" "f" {}\n'})
    gone = SourceFile(tmp_path / "gone.tf", "gone.tf", "terraform")
    main = SourceFile(tmp_path / "main.tf", "main.tf", "terraform")
    functions, errors = terraform.read_module(tmp_path, [gone, main])
    assert [(e.path, e.line, e.message.startswith("cannot read")) for e in errors] == [("gone.tf", 1, True)]
    assert [f.name for f in functions] == ["aws_lambda_function.f"]


ODD = """
resource "aws_lambda_function" {
  timeout = 5
}
resource "aws_lambda_function" "env_as_attribute" {
  environment = "x"
  role        = 5
  layers      = "arn:aws:lambda:us-east-1:1:layer:x:1"
  timeout     = "ten"
}
resource "aws_lambda_function" "odd_env" {
  environment {
    variables = ["a", "b"]
  }
  environment {
    variables = var.env
  }
  role = aws_iam_role.r.arn
}
resource "aws_iam_role" "r" {
  assume_role_policy = "not json"
  inline_policy {
    policy = jsonencode("x")
  }
  inline_policy {
    policy = jsonencode({ Statement = "everything" })
  }
  inline_policy {
    policy = jsonencode({ Statement = [1, "a", { Action = { a = 1 } }] })
  }
  inline_policy {
    policy = <<EOF
{"Statement": [ ${join(",", local.statements)} ]}
EOF
  }
  managed_policy_arns = var.none
}
resource "aws_iam_role_policy" "cycle" {
  role   = aws_iam_role.r.id
  policy = data.aws_iam_policy_document.a.json
}
data "aws_iam_policy_document" "a" {
  source_policy_documents = [data.aws_iam_policy_document.b.json]
}
data "aws_iam_policy_document" "b" {
  source_policy_documents = [data.aws_iam_policy_document.a.json]
  dynamic "statement" {
    for_each = var.statements
    content {
      actions = statement.value
    }
  }
}
module "m" {
  source = var.source
}
"""


def test_odd_shapes_are_skipped_quietly(tmp_path):
    write(tmp_path, {"main.tf": ODD})
    functions, errors = read(tmp_path)
    assert errors == []
    assert sorted(functions) == ["aws_lambda_function.env_as_attribute", "aws_lambda_function.odd_env"]
    odd = functions["aws_lambda_function.env_as_attribute"]
    assert (odd.timeout.seconds, odd.timeout.origin) == (None, "unknown")
    assert vals(odd.layers) == [("arn:aws:lambda:us-east-1:1:layer:x:1", 7)]
    env = functions["aws_lambda_function.odd_env"]
    assert env.environment == []
    # Only the one statement that is an object survives; its odd Action is "not literal".
    assert [(s.line, vals(s.actions)) for s in env.statements] == [(28, [("{...}", 28)])]
    assert env.statements[0].actions[0].literal is False


def test_read_time_of_a_module_of_fifty_functions(tmp_path):
    parts = []
    for i in range(50):
        parts.append(f"""
resource "aws_lambda_function" "f{i}" {{
  function_name = "f{i}"
  timeout       = var.timeout
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.zip.output_path
  role          = aws_iam_role.r{i}.arn
  environment {{
    variables = {{ TABLE = "t{i}", STAGE = var.stage }}
  }}
}}
resource "aws_iam_role" "r{i}" {{}}
resource "aws_iam_role_policy" "p{i}" {{
  role   = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }}]
  }})
}}
""")
    (tmp_path / "main.tf").write_text("".join(parts))
    (tmp_path / "variables.tf").write_text('variable "timeout" {\n  default = 10\n}\n'
                                           'variable "stage" {\n  default = "dev"\n}\n')
    read(tmp_path)  # the parser's grammar is loaded once per process
    start = time.perf_counter()
    functions, errors = read(tmp_path)
    elapsed = time.perf_counter() - start
    assert errors == [] and len(functions) == 50
    assert all(len(f.statements) == 1 and f.timeout.seconds == 10 for f in functions.values())
    assert elapsed < 10, elapsed  # about 0.3 s here; a loose bound for busy machines


# -- the CLI ----------------------------------------------------------------------------------

def test_cli_reports_a_broken_tf_and_goes_on(tmp_path):
    write(tmp_path, {
        "infra/broken.tf": 'resource "aws_lambda_function" "x" {\n  runtime = "python3.12"\n  handler =\n}\n',
        "infra/ok.tf": 'resource "aws_lambda_function" "y" {\n  timeout = 30\n}\n',
    })
    findings = check_json(["infra"], tmp_path, "--select", "LL001")
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("LL001", "infra/broken.tf", 3)]
    assert "cannot parse HCL" in findings[0]["message"]


# -- the config rules on Terraform --------------------------------------------------------------

# The rules' modules land before their registry entries; these run once LL201-LL204 are registered.
needs_config_rules = pytest.mark.skipif(
    any(registry.get(i) is None for i in ("LL201", "LL202", "LL203", "LL204")),
    reason="config rules LL201-LL204 are not in the registry yet")

RULES_MAIN = """
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/app.zip"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.zip.output_path
  role          = aws_iam_role.lambda.arn
  environment {
    variables = {
      DB_PASSWORD = "Zx9!qLm2#Vb7$Tr4"
      TABLE       = "orders"
      API_KEY     = var.api_key
    }
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = var.timeout
  role          = aws_iam_role.lambda.arn
}

resource "aws_lambda_function" "quiet" { # lambdalint: ignore[LL201]
  function_name = "quiet"
  timeout       = 3
}

resource "aws_lambda_function" "fine" {
  function_name = "fine"
  timeout       = 30
  role          = aws_iam_role.scoped.arn
}

resource "aws_iam_role" "lambda" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "scoped" {}

resource "aws_iam_role_policy" "scoped" {
  role   = aws_iam_role.scoped.id
  policy = data.aws_iam_policy_document.scoped.json
}

data "aws_iam_policy_document" "scoped" {
  statement {
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.orders.arn]
  }
  statement {
    actions   = ["sqs:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "states" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "states.amazonaws.com" } }]
  })
  inline_policy {
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
  }
}

module "orders" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  handler     = "app.handler"
  runtime     = "python3.12"
  source_path = "${path.module}/src"

  attach_policy_statements = true
  policy_statements = {
    tables = {
      effect    = "Allow"
      actions   = ["dynamodb:*"]
      resources = ["*"]
    }
  }
}
"""

RULES_VARIABLES = """
variable "timeout" {
  default = 3
}

variable "api_key" {
  type      = string
  sensitive = true
}
"""

# Every finding, at the line a Terraform user edits.
_S3, _SQS, _DDB = (ln(RULES_MAIN, 'Action   = ["s3:*"]'), ln(RULES_MAIN, 'actions   = ["sqs:*"]'),
                   ln(RULES_MAIN, 'actions   = ["dynamodb:*"]'))
RULES_EXPECTED = sorted([
    ("LL201", "infra/main.tf", ln(RULES_MAIN, '"aws_lambda_function" "api"')),  # no timeout: 3 s
    ("LL201", "infra/main.tf", ln(RULES_MAIN, "timeout       = var.timeout")),  # default 3
    ("LL201", "infra/main.tf", ln(RULES_MAIN, 'module "orders"')),  # the module's default 3 s
    ("LL202", "infra/main.tf", _S3),
    ("LL202", "infra/main.tf", ln(RULES_MAIN, '"arn:aws:iam::aws:policy/AdministratorAccess"')),
    ("LL202", "infra/main.tf", _SQS),  # in the policy document
    ("LL202", "infra/main.tf", _DDB),  # in the module's policy_statements
    ("LL203", "infra/main.tf", _S3 + 1),  # Resource = "*" under each of them
    ("LL203", "infra/main.tf", _SQS + 1),
    ("LL203", "infra/main.tf", _DDB + 1),
    ("LL204", "infra/main.tf", ln(RULES_MAIN, "DB_PASSWORD = ")),
])


@needs_config_rules
def test_config_rules_on_terraform(tmp_path):
    write(tmp_path, {"infra/main.tf": RULES_MAIN, "infra/variables.tf": RULES_VARIABLES,
                     "infra/src/app.py": "def handler(event, context):\n    return {}\n"})
    findings = check_json(["infra"], tmp_path, "--select", "LL2")
    assert sorted((f["rule"], f["path"], f["line"]) for f in findings) == RULES_EXPECTED
    by_line = {(f["rule"], f["line"]): f for f in findings}
    api_line = ln(RULES_MAIN, '"aws_lambda_function" "api"')
    assert "aws_lambda_function.api sets no timeout" in by_line[("LL201", api_line)]["message"]
    assert "timeout = " in by_line[("LL201", ln(RULES_MAIN, "timeout       = var.timeout"))]["suggestion"]
    assert "aws_lambda_function.api, aws_lambda_function.worker" in by_line[("LL202", _S3)]["message"]
    assert "module.orders" in by_line[("LL202", _DDB)]["message"]
    assert "Zx9!qLm2#Vb7$Tr4" not in by_line[("LL204", ln(RULES_MAIN, "DB_PASSWORD = "))]["message"]


@needs_config_rules
def test_config_rules_api_gateway_and_sqs_limits(tmp_path):
    main = """
        resource "aws_lambda_function" "web" {
          timeout = 60
        }
        resource "aws_apigatewayv2_integration" "web" {
          api_id           = aws_apigatewayv2_api.http.id
          integration_type = "AWS_PROXY"
          integration_uri  = aws_lambda_function.web.invoke_arn
        }
        resource "aws_lambda_function" "consumer" {
          timeout = local.consumer_timeout
        }
        locals {
          consumer_timeout = 20
        }
        resource "aws_sqs_queue" "jobs" {}
        resource "aws_lambda_event_source_mapping" "jobs" {
          event_source_arn = aws_sqs_queue.jobs.arn
          function_name    = aws_lambda_function.consumer.arn
        }
        resource "aws_lambda_function" "behind_alb" {
          timeout = 60
        }
        resource "aws_lb_target_group_attachment" "alb" {
          target_group_arn = aws_lb_target_group.alb.arn
          target_id        = aws_lambda_function.behind_alb.arn
        }
        """
    write(tmp_path, {"main.tf": main})
    findings = check_json(["."], tmp_path, "--select", "LL206")
    assert ids_and_lines(findings) == [("LL206", 2), ("LL206", 10)]
    assert "API Gateway" in findings[0]["message"]
    assert "SQS" in findings[1]["message"] and "30 s" in findings[1]["message"]


@needs_config_rules
def test_cli_broken_tf_does_not_stop_the_rest_of_the_module(tmp_path):
    write(tmp_path, {
        "infra/broken.tf": 'variable "memory" {\n  default = \n}\n',
        "infra/main.tf": 'resource "aws_lambda_function" "y" {\n  runtime = "python3.12"\n}\n',
    })
    findings = check_json(["infra"], tmp_path)
    assert sorted((f["rule"], f["path"], f["line"]) for f in findings) == [
        ("LL001", "infra/broken.tf", 2), ("LL201", "infra/main.tf", 1)]


def test_heredoc_closing_marker_with_trailing_blanks_is_read(tmp_path):
    # Terraform accepts `EOF   ` as the closing marker; python-hcl2 alone rejects the whole file.
    text = (
        'resource "aws_lambda_function" "fn" {\n'
        '  function_name = "fn"\n'
        '  runtime       = "python3.12"\n'
        '  handler       = "app.handler"\n'
        '  timeout       = 10\n'
        '  s3_bucket     = "b"\n'
        '  s3_key        = "k.zip"\n'
        '  role          = aws_iam_role.r.arn\n'
        '}\n'
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = "{}"\n'
        '}\n'
        'resource "aws_iam_role_policy" "p" {\n'
        '  role   = aws_iam_role.r.id\n'
        '  policy = <<EOF\n'
        '{"Version": "2012-10-17",\n'
        ' "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}\n'
        'EOF   \n'
        '}\n'
        'locals {\n'
        '  note = <<-EOT\n'
        '    text\n'
        '    EOT\t \n'
        '}\n')
    (tmp_path / "main.tf").write_text(text)
    write(tmp_path, {"lambdalint.toml": ""})
    found = [(f["rule"], f["line"], f["column"]) for f in check_json(["."], tmp_path)]
    # The wildcard action and resource on their own line of the heredoc: lines kept as written.
    assert found == [("LL202", 17, 46), ("LL203", 17, 66)]


def test_timeout_written_as_a_string_is_a_number(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": """
        variable "t" {
          default = "600"
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          runtime       = "python3.12"
          handler       = "app.handler"
          timeout       = "3"
          s3_bucket     = "b"
          s3_key        = "k.zip"
          role          = "arn:aws:iam::1:role/r"
        }
        """})
    functions, errors = read(tmp_path)
    assert errors == []
    timeout = functions["aws_lambda_function.fn"].timeout
    assert (timeout.seconds, timeout.origin, timeout.line) == (3, "function", 8)
    assert ids_and_lines([f for f in check_json(["."], tmp_path) if f["rule"] == "LL201"]) == [
        ("LL201", 8)]


def test_memory_tracing_and_log_groups(tmp_path):
    write(tmp_path, {"main.tf": """\
variable "name" {}
resource "aws_lambda_function" "traced" {
  function_name = var.name
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  memory_size   = 512
  tracing_config {
    mode = "Active"
  }
}
resource "aws_cloudwatch_log_group" "traced" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 14
}
resource "aws_lambda_function" "plain" {
  function_name = "plain"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.shared.name
  }
}
resource "aws_cloudwatch_log_group" "shared" {
  name = "shared"
}
module "orders" {
  source                            = "terraform-aws-modules/lambda/aws"
  function_name                     = "orders"
  handler                           = "app.handler"
  runtime                           = "python3.12"
  source_path                       = "src"
  tracing_mode                      = "PassThrough"
  cloudwatch_logs_retention_in_days = 30
}
"""})
    functions, errors = read(tmp_path)
    assert errors == []
    traced = functions["aws_lambda_function.traced"]
    assert (traced.memory.value, traced.tracing.value, traced.tracing.line) == (512, "Active", 9)
    assert (traced.log_group.name, traced.log_group.line) == ("aws_cloudwatch_log_group.traced", 12)
    assert (traced.log_retention.value, traced.log_retention.line) == (14, 14)
    plain = functions["aws_lambda_function.plain"]
    assert plain.memory is None and plain.tracing is None
    assert (plain.log_group.name, plain.log_group.retention) == ("aws_cloudwatch_log_group.shared",
                                                                 None)
    orders = functions["module.orders"]
    assert (orders.tracing.value, orders.log_retention.value, orders.log_retention.line) == \
        ("PassThrough", 30, 36)
