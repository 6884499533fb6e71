"""HCL parsed by tree-sitter-hcl into the located records the Terraform reader consumes
(``hclparse``): values, kinds, texts, lines and columns, heredocs, templates, syntax errors.

Real .tf files in tmp_path, read the way the reader reads them (``files.read_file`` then
``files.parse_file``); the reader's own behaviour is in test_source_terraform.py."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from helpers import check_json, write
from lambdalint.discovery import SourceFile
from lambdalint.model import ReadError
from lambdalint.sources.terraform import files
from lambdalint.sources.terraform.hcl import CALL, EXPR, HEREDOC, LIT, OBJ, TPL, TUP, Block, Node


def parse(tmp_path: Path, text: str, name: str = "main.tf") -> List[Block]:
    path = write(tmp_path, {name: text}) / name
    errors: List[ReadError] = []
    tf = files.read_file(SourceFile(path, name, "terraform"), errors)
    assert tf is not None and not errors
    blocks = files.parse_file(tf, errors)
    assert not errors, errors
    return blocks


def errors_of(tmp_path: Path, text: str) -> List[ReadError]:
    path = write(tmp_path, {"main.tf": text}) / "main.tf"
    errors: List[ReadError] = []
    tf = files.read_file(SourceFile(path, "main.tf", "terraform"), errors)
    assert tf is not None
    assert files.parse_file(tf, errors) == []
    return errors


def attrs(block: Block) -> Dict[str, Node]:
    return {entry.key: entry.node for entry in block.attrs}


def where(node: Node) -> tuple:
    return node.kind, node.line, node.column, node.end_line, node.end_column


VALUES = '''\
resource "aws_lambda_function" "fn" {
  runtime  = "python3.12"
  timeout  = -3
  memory   = 1.5e3
  publish  = true
  layers   = null
  escaped  = "a\\tb \\"q\\" \\u00e9 $${literal} %%{x}"
  ref      = var.timeout
  whole    = "${var.name}"
  tpl      = "pre ${var.a} mid ${local.b[0]} "
  cond     = var.a   ?   1 :    2
  tags     = { "Name" = "x", kind = 2, (var.k) = 3 }
  list     = ["a", var.b, 1]
  policy   = jsonencode({ Version = "2012-10-17",  Statement = [] })
  unicode  = "caf\u00e9 ${var.x}"

  environment {
    variables = { A = "1" }
  }
}
'''


def test_values_kinds_and_texts(tmp_path):
    (block,) = parse(tmp_path, VALUES)
    assert (block.type, block.labels, block.line, block.end_line, block.column) == \
        ("resource", ["aws_lambda_function", "fn"], 1, 20, 1)
    a = attrs(block)
    assert [(e.key, e.line, e.column) for e in block.attrs][:2] == [("runtime", 2, 3), ("timeout", 3, 3)]
    assert (a["runtime"].kind, a["runtime"].value, a["runtime"].text) == (LIT, "python3.12", "python3.12")
    assert where(a["runtime"]) == (LIT, 2, 14, 2, 26)
    assert (a["timeout"].value, a["timeout"].text) == (-3, "-3")
    assert a["memory"].value == 1500.0 and isinstance(a["memory"].value, float)
    assert (a["publish"].value, a["layers"].kind, a["layers"].value) == (True, LIT, None)
    assert a["escaped"].value == 'a\tb "q" \u00e9 ${literal} %{x}'
    assert (a["ref"].kind, a["ref"].text) == (EXPR, "var.timeout")
    # "${var.name}" alone is var.name, located where the string is written
    assert (a["whole"].kind, a["whole"].text) == (EXPR, "var.name")
    assert where(a["whole"]) == (EXPR, 9, 14, 9, 27)
    tpl = a["tpl"]
    assert (tpl.kind, tpl.text) == (TPL, "pre ${var.a} mid ${local.b[0]} ")
    assert [p if isinstance(p, str) else p.text for p in tpl.parts] == \
        ["pre ", "var.a", " mid ", "local.b[0]", " "]
    assert a["cond"].text == "var.a ? 1 : 2"
    tags = a["tags"]
    assert tags.kind == OBJ and [(e.key, e.line, e.column) for e in tags.entries] == \
        [("Name", 12, 16), ("kind", 12, 30), ("${(var.k)}", 12, 40)]
    assert tags.get("name").value == "x"  # keys match without case as a fallback
    assert a["list"].kind == TUP and [i.text for i in a["list"].items] == ["a", "var.b", "1"]
    assert a["list"].text == "['\"a\"', '${var.b}', 1]"
    policy = a["policy"]
    assert (policy.kind, policy.name) == (CALL, "jsonencode")
    assert policy.text == 'jsonencode({Version = "2012-10-17", Statement = []})'
    assert policy.items[0].get("Version").value == "2012-10-17"
    # columns count characters, not bytes: the é is one column
    assert [p if isinstance(p, str) else where(p) for p in a["unicode"].parts] == \
        ["caf\u00e9 ", (EXPR, 15, 22, 15, 27)]
    (environment,) = block.children("environment")
    assert (environment.line, environment.end_line) == (17, 19)
    assert attrs(environment)["variables"].get("A").value == "1"


def test_expression_texts_are_written_back_in_one_form(tmp_path):
    (block,) = parse(tmp_path, '''\
locals {
  a = trimsuffix(var.f,".py")
  b = "n-${count.index+1}"
  c = { for k, v in var.m : k => upper(v) if v != "" }
  d = [for s in   var.list : s]
  e = jsondecode(
    data.x.y.secret_string
  )
  f = a.b[*].c
}
''')
    a = attrs(block)
    assert [a[k].text for k in "abcdef"] == [
        'trimsuffix(var.f, ".py")', 'n-${count.index + 1}',
        '{for k, v in var.m : k => upper(v) if v != ""}', "[for s in var.list : s]",
        "jsondecode(data.x.y.secret_string)", "a.b[*].c"]


HEREDOCS = '''\
locals {
  plain = <<EOF
{"Version": "2012-10-17", "x": "a\\"b"}
EOF
  flush = <<-EOT
    x = "y"
      z = 1
    EOT
  interpolated = <<EOF
{"Resource": "${aws_s3_bucket.b.arn}"}
EOF
  after = "z"
}
'''


def test_heredocs(tmp_path):
    (block,) = parse(tmp_path, HEREDOCS)
    a = attrs(block)
    plain = a["plain"]
    assert (plain.kind, plain.value, plain.body_line) == \
        (HEREDOC, '{"Version": "2012-10-17", "x": "a\\"b"}', 3)
    assert where(plain) == (HEREDOC, 2, 11, 5, 1)  # ends where the line after its marker starts
    flush = a["flush"]
    # <<- is dedented and nothing else: python-hcl2 escaped its quotes (x = \"y\")
    assert (flush.kind, flush.value, flush.raw_body) == \
        (HEREDOC, 'x = "y"\n  z = 1', '    x = "y"\n      z = 1')
    interpolated = a["interpolated"]
    assert (interpolated.kind, interpolated.text, interpolated.body_line) == (EXPR, "<<EOF...", 10)
    assert interpolated.raw_body == '{"Resource": "${aws_s3_bucket.b.arn}"}'
    assert a["after"].line == 12


def test_a_closing_marker_with_trailing_blanks_is_read(tmp_path):
    (block,) = parse(tmp_path, 'locals {\n  p = <<EOF\n{"a": 1}\nEOF   \n  q = 2\n}\n')
    assert attrs(block)["p"].value == '{"a": 1}' and attrs(block)["q"].line == 5


def test_tfvars_values_are_read(tmp_path):
    write(tmp_path, {"terraform.tfvars": 'timeout = 30\nname = "n"\n',
                     "x.auto.tfvars": "timeout = 60\n", "broken.auto.tfvars": "a = \n"})
    found = files.read_tfvars(tmp_path)
    assert {k: (v.value, origin) for k, (v, origin) in found.items()} == \
        {"timeout": (60, "x.auto.tfvars"), "name": ("n", "terraform.tfvars")}


@pytest.mark.parametrize("text, line, start", [
    ('resource "aws_iam_role" "r" {\n  name = \n}\n', 2, "cannot parse HCL: unexpected"),
    ('locals {\n  a = 1\n', 3, "cannot parse HCL: unexpected end of file"),
    ('locals {\n  a = "x\n}\n', 2, "cannot parse HCL: "),
    ("locals {\n  a = " + "[" * 300 + "]" * 300 + "\n}\n", 1,
     "cannot parse HCL: values nested too deeply"),
], ids=["no-value", "unclosed-block", "unclosed-string", "too-deep"])
def test_syntax_errors_are_read_errors(tmp_path, text, line, start):
    (error,) = errors_of(tmp_path, text)
    assert error.line == line and error.message.startswith(start), error


def test_a_broken_file_is_ll001_through_the_cli(tmp_path):
    write(tmp_path, {"infra/main.tf": 'resource "aws_lambda_function" "f" {\n  runtime = "python3.12"\n'
                                      '  timeout = \n}\n'})
    findings = check_json(["infra"], tmp_path, "--select", "LL001")
    assert [(f["rule"], f["line"]) for f in findings] == [("LL001", 3)]
    assert findings[0]["message"].startswith("cannot check this file: cannot parse HCL: ")
