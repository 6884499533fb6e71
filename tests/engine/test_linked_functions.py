"""What the code rules learn of the functions that run a handler (``linking.linked_functions``):
timeouts, triggers and names from every format, several functions sharing one handler, and the
cache key of the handler's file following the template."""

from __future__ import annotations

import pickle
from pathlib import Path

from helpers import line_of, read_unit, sam, terraform_function
from lambdalint import linking
from lambdalint.model import LinkedFunction, LinkedTrigger


def _linked(root: Path, files: dict, handler_file: str) -> dict:
    project = read_unit(root, files)
    found = linking.linked_functions(project)
    return dict(found.get(str((root / handler_file).resolve()), ()))


def test_sam_functions_sharing_a_handler_are_all_linked_with_their_facts(tmp_path):
    linked = _linked(tmp_path, {
        "template.yaml": sam("""
            Globals:
              Function:
                Timeout: 20
            Resources:
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: src/
                  Events:
                    Get:
                      Type: HttpApi
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  CodeUri: src/
                  FunctionName: orders-worker
                  Timeout: 5
                  Environment:
                    Variables:
                      SELF: orders-worker
                      TABLE: orders
                  Events:
                    Queue:
                      Type: SQS
                      Properties:
                        Queue: arn:aws:sqs:us-east-1:123456789012:q
            """),
        "src/app.py": "def handler(event, context):\n    return None\n",
    }, "src/app.py")
    assert list(linked) == ["handler"]
    api, worker = linked["handler"]
    assert (api.name, api.timeout, api.timeout_origin) == ("Api", 20.0, "globals")
    assert [(t.kind, t.http_api) for t in api.triggers] == [("api", True)]
    assert (worker.name, worker.timeout, worker.timeout_origin) == ("Worker", 5.0, "function")
    assert [t.kind for t in worker.triggers] == ["sqs"]
    template = tmp_path / "template.yaml"
    assert (worker.path, worker.timeout_line) == ("template.yaml", line_of(template, "Timeout: 5"))
    assert (worker.function_name, worker.name_variables) == ("orders-worker", ("SELF",))
    assert api.function_name is None
    # Plain values: they go to worker processes and into cache keys.
    assert pickle.loads(pickle.dumps(linked)) == linked
    assert linking.cache_part(linking.as_linked(linked)) == linking.cache_part(
        linking.as_linked(linked))


def test_terraform_default_timeout_and_an_unknown_one(tmp_path):
    tf = terraform_function('"fn.zip"').replace("  timeout       = 10\n", "")
    tf += ('resource "aws_lambda_function" "other" {\n  function_name = "other"\n'
           '  role = "arn:aws:iam::123456789012:role/fn"\n  handler = "app.other"\n'
           '  runtime = "python3.12"\n  timeout = var.t\n  filename = "fn.zip"\n}\n'
           'variable "t" {}\n')
    project = read_unit(tmp_path, {"main.tf": tf, "app.py": "def handler(e, c):\n    pass\n"})
    for function in project.functions:  # code is a zip: link the handler by hand
        function.handler_file = str(tmp_path / "app.py")
        function.handler_function = function.handler.value.rpartition(".")[2]
    linked = dict(linking.linked_functions(project)[str((tmp_path / "app.py").resolve())])
    (fn,) = linked["handler"]
    (other,) = linked["other"]
    assert (fn.timeout, fn.timeout_origin) == (3.0, "default")
    assert other.timeout is None


def test_a_linked_function_is_frozen_and_names_where_it_is():
    function = LinkedFunction("Fn", "template.yaml", 4, 10.0, "function", "template.yaml", 9,
                              (LinkedTrigger("sqs", 12, report_batch_failures=True),))
    assert function.where == "Fn (template.yaml:4)"
    assert hash(function) == hash(pickle.loads(pickle.dumps(function)))
