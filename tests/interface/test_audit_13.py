"""Issue 13 bullets that the session-3 to session-5 tests left without a test of their own
(found by the session-6 audit): motor in LL102's constructor list, and Terraform functions made by
a module, a local one (``source = "./modules/fn"``) or the registry's, that leave the timeout at
Lambda's default. Through the CLI."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, line_of, write

MOTOR_ONE_LOOP = """
    import asyncio

    from motor.motor_asyncio import AsyncIOMotorClient

    loop = asyncio.new_event_loop()


    async def orders(event):
        client = AsyncIOMotorClient("mongodb://db")
        return await client.shop.orders.find_one({"id": event["id"]})


    def lambda_handler(event, context):
        return loop.run_until_complete(orders(event))
    """


def test_motor_is_reported_when_the_module_keeps_one_event_loop(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "app.py": MOTOR_ONE_LOOP})
    findings = check_json(["."], tmp_path, "--select", "LL102")
    assert ids_and_lines(findings) == [("LL102", line_of(tmp_path / "app.py", "AsyncIOMotorClient("))]


def test_motor_in_an_event_loop_per_invocation_is_not_reported(tmp_path):
    per_invocation = MOTOR_ONE_LOOP.replace("loop = asyncio.new_event_loop()\n", "").replace(
        "loop.run_until_complete(orders(event))", "asyncio.run(orders(event))")
    write(tmp_path, {"lambdalint.toml": "", "app.py": per_invocation})
    assert check_json(["."], tmp_path, "--select", "LL102") == []


LOCAL_MODULE_CALLS = """
    module "orders" {
      source  = "./modules/fn"
      name    = "orders"
      timeout = 30
    }

    module "billing" {
      source = "./modules/fn"
      name   = "billing"
    }
    """

LOCAL_MODULE = """
    variable "name" {
      type = string
    }

    variable "timeout" {
      type    = number
      default = 3
    }

    resource "aws_lambda_function" "this" {
      function_name = var.name
      role          = "arn:aws:iam::123456789012:role/r"
      handler       = "app.handler"
      runtime       = "python3.12"
      filename      = "fn.zip"
      timeout       = var.timeout
    }
    """


def test_a_local_module_whose_timeout_variable_defaults_to_three_is_a_default_timeout(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": LOCAL_MODULE_CALLS,
                     "modules/fn/main.tf": LOCAL_MODULE})
    findings = check_json(["."], tmp_path, "--select", "LL201")
    # Read where the function is defined: the module's resource, its timeout from the default.
    assert [(f["path"], f["line"]) for f in findings] == [
        ("modules/fn/main.tf", line_of(tmp_path / "modules/fn/main.tf", "timeout       = var"))]
    assert "3 s timeout taken from a variable" in findings[0]["message"]
    # A default of 30 is no default timeout.
    write(tmp_path, {"modules/fn/main.tf": LOCAL_MODULE.replace("default = 3", "default = 30")})
    assert check_json(["."], tmp_path, "--select", "LL201") == []


REGISTRY_MODULE = """
    module "orders" {
      source        = "terraform-aws-modules/lambda/aws"
      function_name = "orders"
      handler       = "app.handler"
      runtime       = "python3.12"
      source_path   = "${path.module}/src"
    }

    module "pinned" {
      source        = "terraform-aws-modules/lambda/aws"
      function_name = "pinned"
      handler       = "app.handler"
      runtime       = "python3.12"
      timeout       = 20
      source_path   = "${path.module}/src"
    }
    """


def test_the_registry_lambda_module_without_timeout_is_a_default_timeout(tmp_path):
    write(tmp_path, {"lambdalint.toml": "", "main.tf": REGISTRY_MODULE,
                     "src/app.py": "def handler(event, context):\n    return 1\n"})
    findings = check_json(["."], tmp_path, "--select", "LL201")
    assert [(f["path"], f["line"]) for f in findings] == [("main.tf", 1)]
    assert "module.orders" in findings[0]["message"]


# -- the calls of a local module decide its inputs (sources/terraform/callers.py) -------------


def _local_module_findings(root, calls: str):
    write(root, {"lambdalint.toml": "", "main.tf": calls, "modules/fn/main.tf": LOCAL_MODULE})
    return [(f["path"], f["line"]) for f in check_json(["."], root, "--select", "LL201")]


def test_a_default_every_call_overrides_is_never_deployed(tmp_path):
    every_call = LOCAL_MODULE_CALLS.replace('name   = "billing"', 'name   = "billing"\n  timeout = 60')
    assert _local_module_findings(tmp_path / "every", every_call) == []
    # One call leaving the input out deploys the default: still reported.
    assert _local_module_findings(tmp_path / "one", LOCAL_MODULE_CALLS) == [
        ("modules/fn/main.tf", line_of(tmp_path / "one/modules/fn/main.tf", "timeout       = var"))]
    # Inputs other than the timeout, meta-arguments and calls of another module change nothing.
    others = """
        module "orders" {
          source     = "./modules/fn"
          name       = "orders"
          depends_on = []
        }

        module "elsewhere" {
          source  = "./modules/other"
          timeout = 30
        }
        """
    assert len(_local_module_findings(tmp_path / "others", others)) == 1


def test_calls_from_a_parent_directory_and_a_warm_cache(tmp_path):
    calls = LOCAL_MODULE_CALLS.replace('./modules/fn', '../../modules/fn')
    files = {"lambdalint.toml": "", "envs/prod/main.tf": calls, "modules/fn/main.tf": LOCAL_MODULE}
    write(tmp_path, files)
    run = lambda: [(f["path"], f["line"]) for f in check_json(  # noqa: E731
        ["."], tmp_path, "--select", "LL201", "--cache-dir", str(tmp_path / "cache"))]
    assert len(run()) == 1
    # Only the caller changes: the module's cached reading must not be served again.
    write(tmp_path, {"envs/prod/main.tf": calls.replace('name   = "billing"',
                                                          'name   = "billing"\n  timeout = 60')})
    assert run() == []
