"""Handler detection and the per-invocation set, on real parsed modules."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from lambdalint.analysis.handlers import analyse, has_handler_signature, walk


def run(source: str, path: str = "app.py", configured=()):
    module = cst.parse_module(textwrap.dedent(source).lstrip("\n"))
    return analyse(module, path, configured)


def per_invocation(info) -> set:
    return {f.name.value for f in info.per_invocation}


# -- handler shape ---------------------------------------------------------------------------------

@pytest.mark.parametrize("signature", [
    "def handler(event, context)",
    "def lambda_handler(event, context)",
    "def main(event, context)",
    "def handle(evt, ctx)",
    "def process_order(event, _context)",
    "def whatever(_event, _)",
    "def on_upload(s3_event, lambda_context)",
    "def consume(sqs_events, c)",
    "def lambda_handler(event, context=None)",
    "def handler(request, context)",
    "def handler(payload, ctx)",
    "async def handler(event, context)",
    "def api(req: dict, context: LambdaContext)",
    "def api(body: APIGatewayProxyEvent, ctx)",
    "def handler(event, context, metrics)",
    "def handler(event, /, context)",
])
def test_handler_shapes(signature):
    assert run(f"{signature}:\n    return 1\n").handler_names() != []


@pytest.mark.parametrize("signature", [
    "def render(request, context)",  # Django-style helper: "request" needs a handler-like name
    "def build(data, context)",
    "def resolve(function_name: str, context: LambdaContext)",
    "def helper(event=None, context=None)",  # everything optional: a utility, not an entry point
    "def handler(event)",
    "def handler(event, context, extra)",
    "def f(prevent, context)",
    "def f(event, ssl)",
    "def f(*, event, context)",
])
def test_not_handler_shapes(signature):
    assert run(f"{signature}:\n    return 1\n").handler_names() == []


def test_only_module_level_functions_have_the_shape():
    info = run("""
        class Servicer:
            def SayHello(self, request, context):
                return 1

            def handler(self, event, context):
                return 2

        def outer():
            def handler(event, context):
                return 3
            return handler
    """)
    assert info.handler_names() == []
    assert not info.is_lambda_code


def test_method_signature_helper_skips_self():
    method = cst.parse_module("def __call__(self, event, context): pass\n").body[0]
    assert has_handler_signature(method, method=True)
    assert not has_handler_signature(method)


# -- decorators, resolved through imports -----------------------------------------------------------

def test_powertools_decorators_on_instances():
    info = run("""
        from aws_lambda_powertools import Logger, Metrics, Tracer
        logger = Logger()
        tracer = Tracer()
        metrics = Metrics()

        @logger.inject_lambda_context(log_event=True)
        @tracer.capture_lambda_handler
        @metrics.log_metrics(capture_cold_start_metric=True)
        def entry(payload_in, runtime):
            return 1

        @tracer.capture_method
        def helper(x):
            return x
    """)
    assert info.handler_names() == ["entry"]


def test_generic_decorator_names_count_only_from_powertools():
    info = run("""
        from aws_lambda_powertools.utilities.data_classes import event_source, SQSEvent
        from aws_lambda_powertools.utilities.validation import validator
        from aws_lambda_powertools.utilities.idempotency import idempotent
        from aws_lambda_powertools.utilities import parser

        @event_source(data_class=SQSEvent)
        def one(ev, ct):
            pass

        @validator(inbound_schema={})
        def two(ev, ct):
            pass

        @idempotent(persistence_store=None)
        def three(ev, ct):
            pass

        @parser.event_parser(model=dict)
        def four(ev, ct):
            pass
    """)
    assert info.handler_names() == ["one", "two", "three", "four"]

    others = run("""
        from pydantic import validator
        from mylib.cache import idempotent
        from events import event_source

        @validator("name")
        def check_name(cls, value):
            return value

        @idempotent
        def charge(order):
            pass

        @event_source("orders")
        def on_order(order):
            pass
    """)
    assert others.handler_names() == []


def test_metric_scope_and_middleware_factory():
    info = run("""
        from aws_embedded_metrics import metric_scope
        from aws_lambda_powertools.middleware_factory import lambda_handler_decorator

        @lambda_handler_decorator
        def audit(handler, event, context):
            record(event)
            return handler(event, context)

        def record(event):
            pass

        @metric_scope
        def counted(ev, ct, metrics):
            pass

        @audit
        def wrapped(payload, runtime):
            pass
    """)
    assert info.handler_names() == ["audit", "counted", "wrapped"]
    assert per_invocation(info) == {"audit", "record", "counted", "wrapped"}


# -- framework apps --------------------------------------------------------------------------------

def test_chalice_routes():
    info = run("""
        from chalice import Chalice
        app = Chalice(app_name="shop")

        @app.route("/items/{id}")
        def get_item(id):
            return load(id)

        @app.on_s3_event(bucket="uploads")
        def uploaded(event):
            pass

        @app.on_sqs_message(queue="jobs")
        def job(event):
            pass

        @app.schedule("rate(5 minutes)")
        def tick(event):
            pass

        @app.lambda_function(name="raw")
        def raw(event, context):
            pass

        def load(id):
            pass

        def unused():
            pass
    """)
    assert info.handler_names() == ["get_item", "uploaded", "job", "tick", "raw"]
    assert "load" in per_invocation(info) and "unused" not in per_invocation(info)


def test_powertools_resolver_routes_and_routers():
    info = run("""
        from aws_lambda_powertools.event_handler import APIGatewayRestResolver
        from aws_lambda_powertools.event_handler.router import Router
        app = APIGatewayRestResolver()
        router = Router()

        @app.get("/todos")
        def todos():
            return fetch()

        @router.post("/todos")
        def create():
            pass

        def fetch():
            pass

        def lambda_handler(event, context):
            return app.resolve(event, context)
    """)
    assert info.handler_names() == ["todos", "create", "lambda_handler"]
    assert per_invocation(info) == {"todos", "create", "fetch", "lambda_handler"}


def test_chalice_blueprints():
    info = run("""
        from chalice import Blueprint
        extra = Blueprint(__name__)

        @extra.route("/health")
        def health():
            pass
    """)
    assert info.handler_names() == ["health"]


def test_routers_of_other_libraries_are_not_lambda_code():
    info = run("""
        from aiogram import Router
        from flask import Flask
        router = Router()
        app = Flask(__name__)

        @router.message()
        def on_message(message):
            pass

        @app.route("/")
        def index():
            pass
    """)
    assert not info.is_lambda_code


def test_web_app_routes_behind_an_adapter():
    mangum = run("""
        from fastapi import FastAPI
        from mangum import Mangum
        app = FastAPI()

        @app.get("/")
        def index():
            return compute()

        def compute():
            pass

        handler = Mangum(app, lifespan="off")
    """)
    assert mangum.entry_points == ["handler"]
    assert mangum.handler_names() == ["index"]
    assert per_invocation(mangum) == {"index", "compute"}

    wsgi = run("""
        import serverless_wsgi
        from flask import Flask
        app = Flask(__name__)

        @app.route("/")
        def index():
            pass

        def handler(event, context):
            return serverless_wsgi.handle_request(app, event, context)
    """)
    assert wsgi.handler_names() == ["handler", "index"]


# -- configured names ------------------------------------------------------------------------------

def test_configured_names():
    source = """
        def run(job):
            step(job)

        def step(job):
            pass
    """
    assert run(source).handler_names() == []
    assert run(source, configured={"run"}).handler_names() == ["run"]
    assert per_invocation(run(source, configured={"run"})) == {"run", "step"}
    # A Lambda handler string names the module too.
    assert run(source, "src/jobs.py", configured={"jobs.run"}).handler_names() == ["run"]
    assert run(source, "src/other.py", configured={"jobs.run"}).handler_names() == []


def test_configured_name_bound_to_a_callable():
    info = run("""
        class Handler:
            def __init__(self):
                self.ready = setup()

            def __call__(self, job, ctx):
                return self.work(job)

            def work(self, job):
                pass

        def setup():
            pass

        entry = Handler()
    """, configured={"entry"})
    assert info.entry_points == ["entry"]
    assert info.is_lambda_code
    assert per_invocation(info) == {"__call__", "work"}  # __init__ and setup run at import


def test_class_based_entry_points_by_shape():
    info = run("""
        class App:
            def handle(self, event, context):
                return self._route(event)

            def _route(self, event):
                pass

            def unused(self):
                pass

        lambda_handler = App().handle
        helper = App()
    """)
    assert info.entry_points == ["lambda_handler"]
    assert per_invocation(info) == {"handle", "_route"}


def test_lambda_expressions_bound_at_module_level():
    info = run("""
        def go(event):
            pass

        def unrelated():
            pass

        handler = lambda event, context: go(event)
        key = lambda item: unrelated()
    """)
    assert info.entry_points == ["handler"]
    assert per_invocation(info) == {"go"}


# -- files that are not Lambda code ----------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "tests/test_app.py", "test/app.py", "src/tests/helpers.py", "test_app.py", "app_test.py",
    "conftest.py",
])
def test_test_files_have_no_handlers(path):
    info = run("def handler(event, context):\n    pass\n", path, configured={"handler"})
    assert info.handler_names() == [] and info.is_test_file and not info.is_lambda_code


def test_test_frameworks_make_a_test_file():
    info = run("""
        import pytest

        def handler(event, context):
            pass
    """, "checks.py")
    assert info.is_test_file and info.handler_names() == []


def test_scripts_keep_handlers_but_not_look_alikes():
    local_test = run("""
        def handler(event, context):
            return 1

        if __name__ == "__main__":
            handler({}, None)
    """)
    assert local_test.handler_names() == ["handler"]

    script = run("""
        import sys

        def replay(event, context):
            return 1

        if "__main__" == __name__:
            replay(sys.argv[1], None)
    """)
    assert script.handler_names() == []


# -- what runs per invocation ----------------------------------------------------------------------

def test_reach_several_levels_and_not_module_level_calls():
    info = run("""
        def handler(event, context):
            return one(event)

        def one(x):
            return two(x)

        def two(x):
            return three(x)

        def three(x):
            pass

        def init():
            pass

        CONFIG = init()

        def unrelated():
            three(1)
    """)
    assert per_invocation(info) == {"handler", "one", "two", "three"}


def test_functions_passed_on_and_decorator_arguments():
    info = run("""
        from concurrent.futures import ThreadPoolExecutor
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, batch_processor

        processor = BatchProcessor(event_type=EventType.SQS)

        def record_handler(record):
            pass

        def work(item):
            pass

        def key(item):
            pass

        @batch_processor(record_handler=record_handler, processor=processor)
        def handler(event, context):
            with ThreadPoolExecutor() as pool:
                list(pool.map(work, sorted(event["items"], key=key)))
            return processor.response()
    """)
    assert per_invocation(info) == {"handler", "record_handler", "work", "key"}


def test_attribute_names_are_not_calls_of_module_functions():
    info = run("""
        def handler(event, context):
            return event.process(key=1)

        def process():
            pass

        def key():
            pass
    """)
    assert per_invocation(info) == {"handler"}


def test_methods_of_module_classes():
    info = run("""
        class Base:
            def load(self):
                pass

        class Repo(Base):
            def __init__(self, table):
                self.table = table

            def get(self, key):
                return self.load()

            @classmethod
            def build(cls):
                return cls.defaults()

            @classmethod
            def defaults(cls):
                pass

            def never(self):
                pass

        class Other:
            def get(self):
                pass

        repo = Repo("t")

        def handler(event, context):
            local = Repo("u")
            local.get(1)
            Repo.build()
            return repo.get(2)
    """)
    assert per_invocation(info) == {"handler", "__init__", "get", "load", "build", "defaults"}
    getters = [f for f in info.per_invocation if f.name.value == "get"]
    assert len(getters) == 1  # Repo.get, not Other.get


def test_module_instance_methods_without_construction():
    info = run("""
        class Service:
            def __init__(self):
                pass

            def run(self, event):
                pass

        service = Service()

        def handler(event, context):
            return service.run(event)
    """)
    assert per_invocation(info) == {"handler", "run"}  # __init__ runs once, at import


def test_async_and_nested_functions():
    info = run("""
        import asyncio

        async def handler(event, context):
            async def inner():
                return await fetch()
            return await inner()

        async def fetch():
            pass

        def sync_handler(event, context):
            return asyncio.run(main(event))

        async def main(event):
            pass
    """)
    assert info.handler_names() == ["handler", "sync_handler"]
    assert per_invocation(info) == {"handler", "fetch", "sync_handler", "main"}


def test_runs_per_invocation_helper():
    module = cst.parse_module("def handler(event, context):\n    pass\n\ndef other():\n    pass\n")
    info = analyse(module, "app.py")
    handler, other = module.body
    assert info.runs_per_invocation(handler)
    assert not info.runs_per_invocation(other)
    assert not info.runs_per_invocation(None)


def test_walk_visits_every_node_and_can_stop_at_scopes():
    module = cst.parse_module("def f():\n    def g():\n        x = 1\n    return g\ny = [a for a in b]\n")
    names = {n.value for n in walk(module) if isinstance(n, cst.Name)}
    assert names == {"f", "g", "x", "y", "a", "b"}
    func = module.body[0]
    shallow = {n.value for n in walk(func, into_scopes=False) if isinstance(n, cst.Name)}
    assert shallow == {"f", "g"}


def test_odd_modules_do_not_crash():
    for source in ["", "x = 1\n", "from . import *\nfrom .a import b\n",
                   "import a.b.c\nhandler = lambda event, context: go(event)\ndef go(e): pass\n",
                   "@(lambda f: f)\ndef handler(event, context): pass\n",
                   "class A(object if True else int):\n    pass\n"]:
        run(source, configured={"handler"})
