"""LL103 sync-lambda-invoke through the real CLI on files written for each test."""

from __future__ import annotations

import importlib.util
import re
import textwrap

from helpers import REPO, check_json, ids_and_lines, sam_template, write
from lambdalint import registry
from lambdalint.rules.ll103_sync_lambda_invoke import SyncLambdaInvoke


def ll103(tmp_path, files, *paths, extra=()):
    write(tmp_path, files)
    findings = check_json(list(paths) or ["."], tmp_path, "--select", "LL103", *extra)
    return findings


def lines(tmp_path, source, path="app.py"):
    return ids_and_lines(ll103(tmp_path, {path: source}))


def test_rule_is_documented_and_not_fixable():
    info = registry.get("LL103")
    assert (info.name, info.severity.value, info.fixable) == ("sync-lambda-invoke", "warning", False)
    assert SyncLambdaInvoke.__doc__ and "synchronously" in SyncLambdaInvoke.__doc__


# -- positives -------------------------------------------------------------------------------------

def test_module_client_without_invocation_type(tmp_path):
    findings = ll103(tmp_path, {"app.py": """
        import json
        import boto3

        lambda_client = boto3.client("lambda")

        def lambda_handler(event, context):
            response = lambda_client.invoke(
                FunctionName="pricing",
                Payload=json.dumps(event),
            )
            return json.loads(response["Payload"].read())
    """})
    assert ids_and_lines(findings) == [("LL103", 7)]
    finding = findings[0]
    assert finding["column"] == 16
    assert "`lambda_client.invoke(...)`" in finding["message"]
    assert "`lambda_handler`" in finding["message"]
    assert "RequestResponse" in finding["message"]
    for word in ("billed", "concurrency", "timeouts"):
        assert word in finding["message"]
    for word in ("Step Functions", 'InvocationType="Event"', "on-failure destination", "module"):
        assert word in finding["suggestion"]
    assert (finding["end_line"], finding["fixable"]) == (10, False)


def test_explicit_request_response_and_module_constant(tmp_path):
    assert lines(tmp_path, """
        import boto3
        SYNC = "RequestResponse"
        lam = boto3.client("lambda", region_name="eu-west-1")

        def handler(event, context):
            lam.invoke(FunctionName="a", InvocationType="RequestResponse")
            lam.invoke(FunctionName="b", InvocationType=SYNC)
    """) == [("LL103", 6), ("LL103", 7)]


def test_clients_through_imports_and_sessions(tmp_path):
    assert lines(tmp_path, """
        import boto3 as b
        from boto3 import client
        from boto3 import client as make
        import boto3

        one = b.client("lambda")
        two = client("lambda")
        three = make(service_name="lambda")
        session = boto3.Session(profile_name="x")
        four = session.client("lambda")

        def handler(event, context):
            one.invoke(FunctionName="f")
            two.invoke(FunctionName="f")
            three.invoke(FunctionName="f")
            four.invoke(FunctionName="f")
            boto3.Session().client("lambda").invoke(FunctionName="f")
            boto3.session.Session(region_name="us-east-1").client("lambda").invoke(FunctionName="f")
    """) == [("LL103", 13), ("LL103", 14), ("LL103", 15), ("LL103", 16), ("LL103", 17),
             ("LL103", 18)]


def test_self_attribute_set_in_init_used_in_another_method(tmp_path):
    findings = ll103(tmp_path, {"app.py": """
        import boto3

        class PricingGateway:
            def __init__(self, client=None):
                self.lambda_client = client or boto3.client("lambda")

            def quote(self, item):
                return self.lambda_client.invoke(FunctionName="pricing", Payload=item)

        class Base:
            client = boto3.client("lambda")

        class Child(Base):
            def call(self):
                return self.client.invoke(FunctionName="x")

        def handler(event, context):
            Child().call()
            return PricingGateway().quote(event["item"])
    """})
    assert ids_and_lines(findings) == [("LL103", 8), ("LL103", 15)]
    assert "`self.lambda_client.invoke(...)` in `PricingGateway.quote`" in findings[0]["message"]
    assert "in `Child.call`" in findings[1]["message"]


def test_helpers_the_handler_reaches_and_local_clients(tmp_path):
    # The same reach as LL102: helpers a handler calls, directly or through other helpers, and
    # functions nested in them; a client made in the function counts too.
    assert lines(tmp_path, """
        import boto3

        def notify(payload):
            lam = boto3.client("lambda")
            lam.invoke(FunctionName="notifier", Payload=payload)

        def relay(payload):
            return notify(payload)

        def handler(event, context):
            def inner():
                return boto3.client("lambda").invoke(FunctionName="x")
            relay(event)
            return inner()
    """) == [("LL103", 5), ("LL103", 12)]


def test_helpers_no_handler_reaches_are_not_reported(tmp_path):
    # Issue 13: a helper nobody calls from a handler does not run per invocation (a script's
    # function, dead code, a function another module may import): LL102 and LL103 agree.
    assert lines(tmp_path, """
        import boto3

        lam = boto3.client("lambda")

        def backfill(names):
            for name in names:
                lam.invoke(FunctionName=name)

        class Admin:
            def warm(self):
                return lam.invoke(FunctionName="warm")

        def handler(event, context):
            return {"ok": True}
    """) == []


def test_response_stream(tmp_path):
    findings = ll103(tmp_path, {"app.py": """
        import boto3
        lam = boto3.client("lambda")

        def handler(event, context):
            stream = lam.invoke_with_response_stream(FunctionName="llm", Payload=b"{}")
            dry = lam.invoke_with_response_stream(FunctionName="llm", InvocationType="DryRun")
            return stream
    """})
    assert ids_and_lines(findings) == [("LL103", 5)]
    assert "invoke_with_response_stream" in findings[0]["message"]


def test_kwargs_dicts(tmp_path):
    assert lines(tmp_path, """
        import boto3
        lam = boto3.client("lambda")
        BASE = {"FunctionName": "f"}

        def handler(event, context):
            params = {"FunctionName": "f", "Payload": b"{}"}
            lam.invoke(**params)
            sync = {"FunctionName": "f", "InvocationType": "RequestResponse"}
            lam.invoke(**sync)
            lam.invoke(**BASE)
            lam.invoke(**dict(FunctionName="f"))
            lam.invoke(**{"FunctionName": "f"}, Payload=b"{}")
    """) == [("LL103", 7), ("LL103", 9), ("LL103", 10), ("LL103", 11), ("LL103", 12)]


def test_client_factories_and_lazy_globals(tmp_path):
    assert lines(tmp_path, """
        import functools
        import boto3
        from mypy_boto3_lambda import LambdaClient

        _client = None

        def lazy():
            global _client
            if _client is None:
                _client = boto3.client("lambda")
            return _client

        @functools.lru_cache(maxsize=None)
        def cached():
            return boto3.client("lambda")

        def typed() -> LambdaClient:
            return make_somewhere()

        def call(client: LambdaClient, name: str):
            return client.invoke(FunctionName=name)

        def handler(event, context):
            lazy().invoke(FunctionName="a")
            cached().invoke(FunctionName="b")
            typed().invoke(FunctionName="c")
            _client.invoke(FunctionName="d")
            call(lazy(), "e")
    """) == [("LL103", 21), ("LL103", 24), ("LL103", 25), ("LL103", 26), ("LL103", 27)]


def test_async_with_client(tmp_path):
    assert lines(tmp_path, """
        import aioboto3

        session = aioboto3.Session()

        async def process(event):
            async with session.client("lambda") as lam:
                return await lam.invoke(FunctionName="worker")

        def handler(event, context):
            import asyncio
            return asyncio.run(process(event))
    """) == [("LL103", 7)]


def test_frameworks_make_lambda_code(tmp_path):
    write(tmp_path, {
        "chalice_app/app.py": """
            import boto3
            from chalice import Chalice
            app = Chalice(app_name="shop")
            lam = boto3.client("lambda")

            @app.route("/price")
            def price():
                return lam.invoke(FunctionName="pricing")
        """,
        "powertools/app.py": """
            import boto3
            from aws_lambda_powertools import Logger
            logger = Logger()
            lam = boto3.client("lambda")

            @logger.inject_lambda_context
            def entry(evt_in, runtime):
                return lam.invoke(FunctionName="pricing")
        """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL103")
    assert [(f["path"], f["line"]) for f in findings] == [
        ("chalice_app/app.py", 8), ("powertools/app.py", 8)]


def test_handler_named_by_deployment_config(tmp_path):
    # ``process(body)`` has no handler shape: the SAM template makes it one.
    files = {
        "template.yaml": sam_template(handler="worker.process", name="Worker", timeout=10),
        "src/worker.py": """
            import boto3
            lam = boto3.client("lambda")

            def process(body, ctx):
                return lam.invoke(FunctionName="next")
        """,
    }
    write(tmp_path, files)
    findings = check_json(["."], tmp_path, "--select", "LL103")
    assert [(f["path"], f["line"]) for f in findings] == [("src/worker.py", 5)]
    (tmp_path / "template.yaml").unlink()
    assert check_json(["."], tmp_path, "--select", "LL103") == []


def test_handlers_option_in_config(tmp_path):
    files = {
        "pyproject.toml": '[tool.lambdalint]\nhandlers = ["run"]\n',
        "job.py": """
            import boto3
            lam = boto3.client("lambda")

            def run(payload):
                return lam.invoke(FunctionName="next")
        """,
    }
    write(tmp_path, files)
    assert ids_and_lines(check_json(["."], tmp_path, "--select", "LL103")) == [("LL103", 5)]


# -- negatives -------------------------------------------------------------------------------------

def test_asynchronous_and_dry_run_are_silent(tmp_path):
    assert lines(tmp_path, """
        import boto3
        lam = boto3.client("lambda")
        ASYNC = "Event"
        MODE = "Ev" "ent"

        def handler(event, context):
            lam.invoke(FunctionName="a", InvocationType="Event")
            lam.invoke(FunctionName="b", InvocationType="DryRun")
            lam.invoke(FunctionName="c", InvocationType=ASYNC)
            lam.invoke(FunctionName="c", InvocationType=MODE)
            params = {"FunctionName": "d", "InvocationType": "Event"}
            lam.invoke(**params)
            lam.invoke(**dict(FunctionName="e", InvocationType="Event"))
            later = {"FunctionName": "f"}
            later["InvocationType"] = "Event"
            lam.invoke(**later)
            lam.invoke_async(FunctionName="g", InvokeArgs=b"{}")
    """) == []


def test_unknown_invocation_types_are_silent(tmp_path):
    assert lines(tmp_path, """
        import os
        import boto3
        lam = boto3.client("lambda")
        FROM_ENV = os.environ["MODE"]

        def call(name, mode, **kwargs):
            lam.invoke(FunctionName=name, InvocationType=mode)
            lam.invoke(FunctionName=name, **kwargs)

        def handler(event, context):
            lam.invoke(FunctionName="a", InvocationType=event["mode"])
            lam.invoke(FunctionName="b", InvocationType=FROM_ENV)
            lam.invoke(FunctionName="c", InvocationType=f"{event['m']}")
            params = {"FunctionName": "d"}
            params.update(event["extra"])
            lam.invoke(**params)
            other = {"FunctionName": "e"}
            other[event["key"]] = "Event"
            lam.invoke(**other)
            mode = "Event" if event.get("async") else "RequestResponse"
            lam.invoke(FunctionName="f", InvocationType=mode)
            lam.invoke(*event["args"])
    """) == []


def test_look_alikes_are_silent(tmp_path):
    assert lines(tmp_path, """
        import boto3
        from langchain_core.prompts import ChatPromptTemplate

        bedrock = boto3.client("bedrock-runtime")
        agents = boto3.client("bedrock-agent-runtime")
        sagemaker = boto3.client("sagemaker-runtime")
        sfn = boto3.client("stepfunctions")
        chain = ChatPromptTemplate.from_template("{q}") | bedrock

        def handler(event, context):
            bedrock.invoke_model(modelId="m", body="{}")
            bedrock.invoke_model_with_response_stream(modelId="m", body="{}")
            agents.invoke_agent(agentId="a", agentAliasId="b", sessionId="s", inputText="t")
            agents.invoke_inline_agent(sessionId="s", inputText="t")
            sagemaker.invoke_endpoint(EndpointName="e", Body=b"")
            sagemaker.invoke_endpoint_async(EndpointName="e", InputLocation="s3://b/k")
            sfn.start_execution(stateMachineArn="arn", input="{}")
            sfn.start_sync_execution(stateMachineArn="arn", input="{}")
            bedrock.invoke(FunctionName="not-a-lambda-client")
            chain.invoke({"q": event["q"]})
            context.invoke("other-function", payload={})
    """) == []


def test_clients_it_cannot_tell_are_silent(tmp_path):
    assert lines(tmp_path, """
        import boto3
        from shared.aws import get_client

        lam = boto3.client("lambda")
        s3 = boto3.client("s3")
        remote = get_client("lambda")

        def call(lam):
            return lam.invoke(FunctionName="x")

        def handler(event, context):
            remote.invoke(FunctionName="a")
            event["client"].invoke(FunctionName="b")
            clients = {"lambda": lam}
            clients["lambda"].invoke(FunctionName="c")
            lam = boto3.client("s3")
            lam.invoke(FunctionName="d")
    """) == []


def test_not_lambda_code_is_silent(tmp_path):
    invoke = """
        import boto3
        lam = boto3.client("lambda")

        def {name}({params}):
            return lam.invoke(FunctionName="worker")
    """
    files = {
        # No handler anywhere: a library or a CLI.
        "lib/caller.py": invoke.format(name="call_worker", params="payload"),
        # A test file that defines a fake handler.
        "tests/test_flow.py": invoke.format(name="handler", params="event, context"),
        "flow_test.py": "import pytest\n" + textwrap.dedent(invoke.format(
            name="handler", params="event, context")),
        # A local script whose function only looks like a handler.
        "scripts/replay.py": invoke.format(name="replay", params="event, context")
        + "\nif __name__ == '__main__':\n    replay({}, None)\n",
    }
    write(tmp_path, files)
    assert check_json(["."], tmp_path, "--select", "LL103") == []


def test_module_level_invoke_is_not_reported(tmp_path):
    # At import time, once per environment: the rule is about handler code.
    assert lines(tmp_path, """
        import boto3
        lam = boto3.client("lambda")
        WARM = lam.invoke(FunctionName="config")

        def handler(event, context):
            return WARM
    """) == []


# -- tricky ----------------------------------------------------------------------------------------

def test_main_guard_for_local_testing_keeps_the_handler(tmp_path):
    assert lines(tmp_path, """
        import boto3
        lam = boto3.client("lambda")

        def lambda_handler(event, context):
            return lam.invoke(FunctionName="next")

        if __name__ == "__main__":
            print(lambda_handler({}, None))
    """) == [("LL103", 5)]


def test_durable_context_and_wrappers_named_invoke(tmp_path):
    # ``self.invoke`` on a wrapper class is not a client; the boto3 call inside it is.
    assert lines(tmp_path, """
        import boto3

        class LambdaInvoker:
            client = boto3.client("lambda")

            def invoke(self, name):
                return self.client.invoke(FunctionName=name, InvocationType="Event")

        def handler(event, context):
            LambdaInvoker().invoke("a")
            invoker = LambdaInvoker()
            invoker.invoke("b")
            context.invoke("child", {})
    """) == []


def test_suppression_comment(tmp_path):
    assert lines(tmp_path, """
        import boto3
        lam = boto3.client("lambda")

        def handler(event, context):
            lam.invoke(FunctionName="a")  # lambdalint: ignore[LL103]
            lam.invoke(FunctionName="b")
    """) == [("LL103", 6)]


def test_odd_files_do_not_crash(tmp_path):
    write(tmp_path, {
        "empty.py": "",
        "weird.py": """
            import boto3
            lam = boto3.client("lambda")
            x: int
            def handler(event, context):
                (lambda: lam.invoke(FunctionName="x"))()
                del event["a"], context
                [a, *b] = [1, 2]
                lam.invoke(**{**event, "FunctionName": "y"})
                lam.invoke(**{event["k"]: 1})
                getattr(lam, "invoke")(FunctionName="z")
                return lam.invoke
        """,
    })
    assert ids_and_lines(check_json(["."], tmp_path, "--select", "LL103")) == [("LL103", 5)]


# -- the rule page ---------------------------------------------------------------------------------

def _python_rules_available():
    return [r.id for r in registry.RULES if r.kind == "python"
            and importlib.util.find_spec(r.implementation.partition(":")[0]) is not None]


def _page_blocks(section):
    text = (REPO / "rules" / "LL103.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python[^\n]*\n(.*?)```", body, re.S)


def test_page_example_fires_exactly_ll103(tmp_path):
    (block,) = _page_blocks("Example")
    write(tmp_path, {"app.py": block})
    rules = ",".join(_python_rules_available())
    assert {f["rule"] for f in check_json(["app.py"], tmp_path, "--select", rules)} == {"LL103"}


def test_page_use_instead_fires_nothing(tmp_path):
    (block,) = _page_blocks("Use instead")
    write(tmp_path, {"app.py": block})
    rules = ",".join(_python_rules_available())
    assert check_json(["app.py"], tmp_path, "--select", rules) == []
