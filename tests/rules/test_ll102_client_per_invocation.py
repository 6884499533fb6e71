"""LL102 client-per-invocation, through the real CLI on files written for each test."""

from __future__ import annotations

import textwrap
import types

import pytest

from helpers import check_json, ids_and_lines


def lint(tree, files, *extra):
    root = tree(files)
    return check_json(["."], root, "--select", "LL102", *extra)


def lines_of(findings):
    return [line for rule, line in ids_and_lines(findings) if rule == "LL102"]


# -- positives ------------------------------------------------------------------------------------


def test_boto3_client_in_handler(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def lambda_handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """})
    assert ids_and_lines(findings) == [("LL102", 4)]
    f = findings[0]
    assert f["message"] == 'boto3.client("s3") is created on every invocation of lambda_handler'
    assert f["column"] == 10
    assert '    s3 = boto3.client("s3")' in f["suggestion"]
    assert f["fixable"] is True


def test_aliases_and_from_imports(tree):
    findings = lint(tree, {"app.py": """
        import boto3 as b
        from boto3 import client, resource as res
        from boto3.session import Session
        import botocore.session

        def handler(event, context):
            one = b.client("sqs")
            two = client("sns")
            three = res("dynamodb")
            four = Session().client("ec2")
            five = botocore.session.get_session().create_client("kms")
            return one, two, three, four, five
        """})
    assert lines_of(findings) == [7, 8, 9, 10, 11]
    messages = [f["message"] for f in findings]
    assert messages[3] == 'Session().client("ec2") is created on every invocation of handler'
    assert messages[4].startswith('botocore.session.get_session().create_client("kms") is created')


def test_database_and_http_clients(tree):
    findings = lint(tree, {"app.py": """
        import os
        import pymysql, psycopg2, psycopg
        import mysql.connector
        import redis
        from pymongo import MongoClient
        from sqlalchemy import create_engine
        import requests, httpx, urllib3
        from elasticsearch import Elasticsearch
        from opensearchpy import OpenSearch

        def handler(event, context):
            a = pymysql.connect(host=os.environ["DB_HOST"], user="app")
            b = psycopg2.connect("dbname=app")
            c = psycopg.connect("dbname=app")
            d = mysql.connector.connect(host="db")
            e = redis.Redis(host="cache")
            f = redis.from_url("redis://cache")
            g = redis.Redis.from_url("redis://cache")
            h = MongoClient(os.environ["MONGO_URI"])
            i = create_engine("postgresql://db/app")
            j = requests.Session()
            k = httpx.Client(timeout=5)
            l = urllib3.PoolManager()
            m = Elasticsearch("https://search:9200")
            n = OpenSearch(hosts=["https://search:9200"])
            return a, b, c, d, e, f, g, h, i, j, k, l, m, n
        """})
    assert lines_of(findings) == list(range(12, 26))
    connect = findings[0]
    assert connect["fixable"] is False  # connects when called: not moved to import time
    assert "reconnect" in connect["suggestion"]
    assert findings[4]["fixable"] is True  # redis connects lazily


def test_session_is_one_finding_with_its_clients(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            session = boto3.Session()
            s3 = session.client("s3")
            ddb = session.resource("dynamodb")
            return s3, ddb
        """})
    assert lines_of(findings) == [4]
    assert findings[0]["message"] == "boto3.Session() is created on every invocation of handler"
    assert findings[0]["suggestion"].endswith(
        '    session = boto3.Session()\n    s3 = session.client("s3")\n'
        '    ddb = session.resource("dynamodb")')


def test_client_from_module_session(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        session = boto3.session.Session()

        def handler(event, context):
            return session.client("s3").list_buckets()
        """})
    assert lines_of(findings) == [6]
    assert findings[0]["message"].startswith('session.client("s3") is created')


def test_nested_helpers_several_levels(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def table():
            return boto3.resource("dynamodb").Table("orders")

        def load(key):
            return table().get_item(Key={"id": key})

        def handler(event, context):
            return load(event["id"])

        def unused():
            return boto3.client("s3")
        """})
    assert lines_of(findings) == [4]
    assert findings[0]["message"] == ('boto3.resource("dynamodb") is created on every invocation '
                                      "of handler (in table: handler -> load -> table)")


def test_long_call_chains_are_shortened(tree):
    helpers = "".join(f"def h{i}():\n    return h{i + 1}()\n\n" for i in range(8))
    findings = lint(tree, {"app.py": "import boto3\n\n" + helpers
                           + "def h8():\n    return boto3.client('s3')\n\n"
                           + "def handler(event, context):\n    return h0()\n"})
    assert lines_of(findings) == [28]
    assert findings[0]["message"].endswith("(in h8: handler -> h0 -> ... -> h7 -> h8)")


def test_nested_def_inside_handler(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            def inner():
                return boto3.client("s3")
            return inner()
        """})
    assert lines_of(findings) == [5]


def test_powertools_decorated_handler_and_resolver_routes(tree):
    findings = lint(tree, {"app.py": """
        import boto3
        from aws_lambda_powertools import Logger
        from aws_lambda_powertools.event_handler import APIGatewayRestResolver

        logger = Logger()
        app = APIGatewayRestResolver()

        @app.get("/items")
        def items():
            ddb = boto3.resource("dynamodb")
            return {"items": []}

        @logger.inject_lambda_context
        def main(evt, ctx):
            return app.resolve(evt, ctx)
        """})
    assert lines_of(findings) == [10]


def test_chalice_routes(tree):
    findings = lint(tree, {"app.py": """
        import boto3
        from chalice import Chalice

        app = Chalice(app_name="shop")

        @app.route("/")
        def index():
            s3 = boto3.client("s3")
            return {"buckets": s3.list_buckets()}

        @app.on_sqs_message(queue="orders")
        def on_order(event):
            sqs = boto3.client("sqs")
        """})
    assert lines_of(findings) == [8, 13]


def test_created_in_a_loop_says_so_and_has_no_fix(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            for record in event["Records"]:
                s3 = boto3.client("s3")
                s3.get_object(Bucket=record["bucket"], Key=record["key"])
        """})
    assert lines_of(findings) == [5]
    assert "once per loop iteration" in findings[0]["suggestion"]
    assert findings[0]["fixable"] is False


def test_requests_session_in_with_is_still_per_invocation(tree):
    findings = lint(tree, {"app.py": """
        import requests

        def handler(event, context):
            with requests.Session() as http:
                return http.get("https://example.com").status_code
        """})
    assert lines_of(findings) == [4]
    assert "    http = requests.Session()" in findings[0]["suggestion"]
    assert "without `with`" in findings[0]["suggestion"]
    assert findings[0]["fixable"] is False


def test_unclosed_connection_in_helper(tree):
    findings = lint(tree, {"app.py": """
        import pymysql

        def connection():
            return pymysql.connect(host="db", user="app")

        def handler(event, context):
            with connection().cursor() as cursor:
                cursor.execute("select 1")
        """})
    assert lines_of(findings) == [4]


def test_setdefault_cache_still_creates_every_time(tree):
    # The argument of setdefault is evaluated before the lookup: a client per invocation.
    findings = lint(tree, {"app.py": """
        import boto3

        _clients = {}

        def handler(event, context):
            s3 = _clients.setdefault("s3", boto3.client("s3"))
        """})
    assert lines_of(findings) == [6]


def test_local_from_environment_is_stable_and_inlined_in_suggestion(tree):
    findings = lint(tree, {"app.py": """
        import os
        import boto3

        def handler(event, context):
            region = os.environ.get("TARGET_REGION", "eu-west-1")
            sqs = boto3.client("sqs", region_name=region)
        """})
    assert lines_of(findings) == [6]
    assert ('    sqs = boto3.client("sqs", region_name=os.environ.get("TARGET_REGION", '
            '"eu-west-1"))') in findings[0]["suggestion"]
    assert findings[0]["fixable"] is False  # `region` is a local: the move would need it too


def test_extra_clients_from_configuration(tree):
    findings = lint(tree, {
        "pyproject.toml": """
            [tool.lambdalint.rules.LL102]
            extra-clients = ["mylib.db.connect"]
            """,
        "app.py": """
            from mylib.db import connect
            import mylib.db as db

            def handler(event, context):
                a = connect("primary")
                b = db.connect("replica")
                c = connect("closed")
                c.close()
            """,
    })
    assert lines_of(findings) == [5, 6, 7]
    # The one it closes is opened and closed per invocation: reported, as a connection (lambdalint
    # does not know what mylib connects to) and without a fix.
    assert "opens a connection on every invocation" in findings[2]["message"]
    assert findings[2]["fixable"] is False


def test_async_clients_reported_when_the_module_keeps_its_loop(tree):
    findings = lint(tree, {"app.py": """
        import asyncio
        import httpx

        loop = asyncio.new_event_loop()

        async def fetch(url):
            async with httpx.AsyncClient() as client:
                return await client.get(url)

        def handler(event, context):
            return loop.run_until_complete(fetch("https://example.com"))
        """})
    assert lines_of(findings) == [7]


def test_aioboto3_session_reported_its_clients_not(tree):
    findings = lint(tree, {"app.py": """
        import asyncio
        import aioboto3

        async def work():
            session = aioboto3.Session()
            async with session.client("s3") as s3:
                await s3.list_buckets()

        def handler(event, context):
            return asyncio.run(work())
        """})
    assert lines_of(findings) == [5]
    assert "event loop" in findings[0]["suggestion"]


# -- negatives ------------------------------------------------------------------------------------


def test_module_scope_is_silent(tree):
    assert lint(tree, {"app.py": """
        import boto3
        import requests

        s3 = boto3.client("s3")
        http = requests.Session()
        table = boto3.resource("dynamodb").Table("orders")

        def lambda_handler(event, context):
            return s3.list_buckets(), http, table
        """}) == []


def test_lazy_global_initialisation_is_silent(tree):
    assert lint(tree, {"app.py": """
        import boto3

        _s3 = None
        _ddb = None
        _clients = {}

        def s3():
            global _s3
            if _s3 is None:
                _s3 = boto3.client("s3")
            return _s3

        def ddb():
            global _ddb
            if not _ddb:
                _ddb = boto3.client("dynamodb")
            return _ddb

        def client(name):
            if name not in _clients:
                _clients[name] = boto3.client(name)
            return _clients[name]

        def sqs():
            if "sqs" not in _clients:
                _clients["sqs"] = boto3.client("sqs")
            return _clients["sqs"]

        def sns():
            cached = _clients.get("sns")
            if cached is None:
                cached = boto3.client("sns")
                _clients["sns"] = cached
            return cached

        def handler(event, context):
            return s3(), ddb(), client("kms"), sqs(), sns()
        """}) == []


def test_cached_factories_are_silent(tree):
    assert lint(tree, {"app.py": """
        import functools
        from functools import lru_cache, cache
        import boto3

        @lru_cache(maxsize=None)
        def s3():
            return boto3.client("s3")

        @functools.lru_cache
        def sqs():
            return boto3.client("sqs")

        @cache
        def sns():
            return boto3.client("sns")

        class Clients:
            @functools.cached_property
            def kms(self):
                return boto3.client("kms")

        def handler(event, context):
            return s3(), sqs(), sns(), Clients().kms
        """}) == []


def test_event_dependent_arguments_are_silent(tree):
    assert lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            region = event["region"]
            a = boto3.client("s3", region_name=region)
            b = boto3.client("sqs", region_name=event.get("region"))
            c = boto3.client("sns", region_name=context.invoked_function_arn.split(":")[3])
            for record in event["Records"]:
                d = boto3.client("s3", region_name=record["awsRegion"])
            return a, b, c
        """}) == []


def test_module_settings_changed_by_the_handler_are_not_stable(tree):
    assert lint(tree, {"app.py": """
        import boto3

        SETTINGS = {"region": "eu-west-1"}

        def handler(event, context):
            SETTINGS["region"] = event.get("region", SETTINGS["region"])
            return boto3.client("s3", region_name=SETTINGS["region"])
        """}) == []


def test_assumed_role_credentials_are_silent_but_sts_is_not(tree):
    findings = lint(tree, {"app.py": """
        import os
        import boto3

        def handler(event, context):
            sts = boto3.client("sts")
            creds = sts.assume_role(RoleArn=os.environ["ROLE"], RoleSessionName="x")["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
            s3 = session.client("s3")
            direct = boto3.client("s3", aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"],
                                  aws_session_token=creds["SessionToken"])
            return s3, direct
        """})
    assert lines_of(findings) == [5]


def test_connections_opened_and_closed_per_invocation_are_reported_without_a_fix(tree):
    # The handshake per invocation is the cost LL102 exists for, closed or not (issue 13).
    findings = lint(tree, {"app.py": """
        import contextlib
        import pymysql
        import psycopg2

        def handler(event, context):
            with pymysql.connect(host="db") as conn:
                conn.cursor().execute("select 1")
            other = psycopg2.connect("dbname=app")
            try:
                other.cursor().execute("select 1")
            finally:
                other.close()
            with contextlib.closing(pymysql.connect(host="db")) as third:
                pass
        """})
    assert lines_of(findings) == [6, 8, 13]
    for finding in findings:
        assert "opens a database connection on every invocation of handler and closes it" in (
            finding["message"])
        assert finding["fixable"] is False
        assert "No automatic fix: the function closes the connection itself" in (
            finding["suggestion"])
    pymysql_advice, psycopg_advice = findings[0]["suggestion"], findings[1]["suggestion"]
    assert "    if _connection is None or not _connection.open:" in pymysql_advice
    assert '        _connection = pymysql.connect(host="db")' in pymysql_advice
    assert "    if _connection is None or _connection.closed:" in psycopg_advice
    assert "RDS Proxy" in psycopg_advice


def test_reopen_advice_runs_and_keeps_one_connection(tree):
    """The suggested code, pasted as it is, makes one connection and makes it again once the
    driver says it was lost (a stand-in driver module with the same attribute)."""
    findings = lint(tree, {"app.py": """
        import pymysql

        def handler(event, context):
            conn = pymysql.connect(host="db")
            try:
                return conn.cursor()
            finally:
                conn.close()
        """})
    advice = findings[0]["suggestion"].split(":\n\n", 1)[1].split("\n\nWith many", 1)[0]
    pasted = textwrap.dedent(advice)
    made = []

    class Connection:
        def __init__(self, **kwargs):
            self.open = True
            made.append(self)

    namespace = {"pymysql": types.SimpleNamespace(connect=lambda **kw: Connection(**kw))}
    exec(compile(pasted, "advice", "exec"), namespace)
    first = namespace["connection"]()
    assert namespace["connection"]() is first and len(made) == 1
    first.open = False  # the database dropped it
    assert namespace["connection"]() is not first and len(made) == 2


def test_unknown_driver_reopen_advice_asks_for_the_drivers_own_test(tree):
    findings = lint(tree, {"app.py": """
        import pg8000

        def handler(event, context):
            with pg8000.connect(user="app") as conn:
                return conn.run("select 1")
        """})
    assert lines_of(findings) == [4]
    assert "    if _connection is None:" in findings[0]["suggestion"]
    assert "Add your driver's test for a dropped connection" in findings[0]["suggestion"]


def test_orm_databases_and_registries_are_clients_without_a_fix(tree):
    findings = lint(tree, {"app.py": """
        import mongoengine
        from peewee import PostgresqlDatabase
        from playhouse.pool import PooledMySQLDatabase

        def handler(event, context):
            db = PostgresqlDatabase("orders")
            pool = PooledMySQLDatabase("reports")
            mongoengine.connect("events")
            return db, pool
        """})
    assert lines_of(findings) == [6, 7, 8]
    assert all(f["fixable"] is False for f in findings)
    assert "is created on every invocation of handler" in findings[0]["message"]


def test_async_clients_with_a_loop_per_invocation_are_silent(tree):
    assert lint(tree, {"app.py": """
        import asyncio
        import httpx
        import aiohttp

        async def fetch(url):
            async with httpx.AsyncClient() as client:
                await client.get(url)
            async with aiohttp.ClientSession() as session:
                await session.get(url)

        def handler(event, context):
            return asyncio.run(fetch("https://example.com"))
        """}) == []


def test_recreated_after_a_failure_is_silent(tree):
    findings = lint(tree, {"app.py": """
        import boto3
        from botocore.exceptions import ClientError

        s3 = boto3.client("s3")

        def handler(event, context):
            global s3
            try:
                return s3.list_buckets()
            except ClientError:
                fresh = boto3.client("s3")
                return fresh.list_buckets()
        """})
    assert findings == []


def test_defaults_are_evaluated_at_import(tree):
    assert lint(tree, {"app.py": """
        import boto3

        def put(key, body, s3=boto3.client("s3")):
            s3.put_object(Bucket="b", Key=key, Body=body)

        def handler(event, context):
            put("k", "v")
        """}) == []


def test_other_objects_with_a_client_method_are_silent(tree):
    assert lint(tree, {"app.py": """
        import boto3

        class Factory:
            def client(self, name):
                return name

        factory = Factory()

        def handler(event, context):
            api = factory.client("s3")
            thing = event["factory"].client("s3")
            other = object().client
            return api, thing
        """}) == []


def test_code_without_handlers_is_silent(tree):
    assert lint(tree, {"lib/util.py": """
        import boto3

        def make_client(name):
            return boto3.client(name)

        def s3():
            return boto3.client("s3")
        """}) == []


def test_test_files_are_silent(tree):
    assert lint(tree, {"tests/test_app.py": """
        import boto3

        def test_handler(event, context):
            s3 = boto3.client("s3")

        def lambda_handler(event, context):
            s3 = boto3.client("s3")
        """}) == []


def test_script_with_main_guard(tree):
    findings = lint(tree, {"tool.py": """
        import boto3

        def copy(source, target):
            s3 = boto3.client("s3")
            s3.copy_object(Bucket=target, Key="k", CopySource=source)

        def lambda_handler(event, context):
            return boto3.client("sqs")

        if __name__ == "__main__":
            s3 = boto3.client("s3")
            copy("a", "b")
        """})
    # copy(source, target) looks like a handler but a script's functions are not, unless named so.
    assert lines_of(findings) == [8]


def test_class_based_handler(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        class Handler:
            def __init__(self):
                self.table = boto3.resource("dynamodb").Table("orders")  # once, at import
                self._sqs = None
                self._clients = {}

            def sqs(self):
                if self._sqs is None:
                    self._sqs = boto3.client("sqs")
                return self._sqs

            def client(self, name):
                if name not in self._clients:
                    self._clients[name] = boto3.client(name)
                return self._clients[name]

            def __call__(self, event, context):
                self.s3 = boto3.client("s3")
                return self.sqs(), self.client("sns")

        handler = Handler()
        """})
    assert lines_of(findings) == [20]
    assert findings[0]["message"] == ('boto3.client("s3") is created on every invocation of '
                                      "handler (in Handler.__call__, which it reaches)")
    assert findings[0]["fixable"] is False


def test_noqa_suppresses(tree):
    assert lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3")  # noqa: LL102
        """}) == []


def test_handler_named_in_configuration(tree):
    findings = lint(tree, {
        "lambdalint.toml": 'handlers = ["process"]\n',
        "app.py": """
            import boto3

            def process(message):
                return boto3.client("sqs")
            """,
    })
    assert lines_of(findings) == [4]


@pytest.mark.parametrize("source", [
    "def handler(event, context):\n    x = boto3.client\n",
    "def handler(event, context):\n    return client('s3')\n",  # an unknown `client`
    "import boto3\ndef handler(event, context):\n    pass\n",
    "",
    "# only a comment\n",
    "import boto3\ndef handler(event, context):\n    c = boto3.client(*event['args'])\n",
    "import boto3\ndef handler(event, context):\n    c = boto3.client(**event)\n",
])
def test_odd_inputs_are_silent(tree, source):
    assert lint(tree, {"app.py": source}) == []


def test_bytes_service_name_does_not_crash(tree):
    findings = lint(tree, {"app.py": """
        import boto3

        def handler(event, context):
            return boto3.client(b"s3").list_buckets()
        """})
    assert lines_of(findings) == [4]
    assert '    client = boto3.client(b"s3")' in findings[0]["suggestion"]


# -- when --fix may move the client (hoist_safety) ---------------------------------------------
#
# Each case is a handler whose client --fix used to move to module scope although the move
# changes what the program does. The finding stays, without a fix, and says why in one clause.

NO_FIX = {
    "environment set first": ("""
        import os
        import boto3

        def handler(event, context):
            os.environ["AWS_DEFAULT_REGION"] = event.get("region", "eu-west-1")
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 6, "`os.environ` is written on line 5, and clients read that state when built"),
    "environment update, setdefault, putenv": ("""
        import os
        import boto3

        def handler(event, context):
            os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
            os.putenv("AWS_DEFAULT_REGION", "eu-west-1")
            os.environ.update({"AWS_DEFAULT_REGION": "eu-west-1"})
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 8, "`os.environ.setdefault(...)` is called on line 5"),
    "default session set first": ("""
        import boto3

        def handler(event, context):
            boto3.setup_default_session(region_name="eu-west-1")
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 5, "`boto3.setup_default_session(...)` is called on line 4"),
    "a helper fills the settings first": ("""
        import boto3

        SETTINGS = {}

        def configure():
            SETTINGS["endpoint"] = "http://localhost:4566"

        def handler(event, context):
            configure()
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 10, "`configure(...)` runs before it and may change what it reads"),
    "settings the arguments read are changed after": ("""
        import boto3

        SETTINGS = {"region": "eu-west-1"}

        def configure(event):
            SETTINGS["region"] = event.get("region", "eu-west-1")

        def handler(event, context):
            s3 = boto3.client("s3", region_name=SETTINGS["region"])
            configure(event)
            return s3.list_buckets()
        """, 9, "`SETTINGS`, which its arguments read, is changed elsewhere (`SETTINGS[...] = ...`)"),
    "early return": ("""
        import boto3

        def handler(event, context):
            if not event:
                return None
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 6, "the function can return before it is created"),
    "early return in a match arm": ("""
        import boto3

        def handler(event, context):
            match event:
                case {"kind": "ping"}:
                    return "pong"
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 7, "the function can return before it is created"),
    "early return in try": ("""
        import boto3

        def handler(event, context):
            try:
                body = event["body"]
            except KeyError:
                return {"statusCode": 400}
            s3 = boto3.client("s3")
            return s3.put_object(Bucket="b", Key="k", Body=body)
        """, 8, "the function can return before it is created"),
    "a global assigned first": ("""
        import boto3

        COUNT = 0

        def handler(event, context):
            global COUNT
            COUNT += 1
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 8, "the global `COUNT` is assigned before it is created"),
    "helper called under a guard": ("""
        import boto3

        def buckets():
            s3 = boto3.client("s3")
            return s3.list_buckets()

        def handler(event, context):
            if event.get("list"):
                return buckets()
            return None
        """, 4, "`handler` calls it only under a condition or in a loop"),
    "environment written below the handler": ("""
        import os
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()

        os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"
        """, 5, "`os.environ` is written in module code below the function"),
    "settings changed below the handler": ("""
        import boto3

        SETTINGS = {"region": "eu-west-1"}

        def handler(event, context):
            s3 = boto3.client("s3", region_name=SETTINGS["region"])
            return s3.list_buckets()

        SETTINGS["region"] = "us-east-1"
        """, 6, "`SETTINGS`, which its arguments read, is changed elsewhere"),
    "helper's session gets the caller's token": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            http.headers["Authorization"] = event["token"]
            return http.get("https://example.com").json()
        """, 4, "the code that uses it changes it (`http.headers[...] = ...`)"),
    "helper's session gets auth": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            http.auth = (event["user"], event["password"])
            return http.get("https://example.com").json()
        """, 4, "the code that uses it changes it (`http.auth = ...`)"),
    "helper's session gets cookies": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            http.cookies.set("token", event["token"])
            return http.get("https://example.com").json()
        """, 4, "the code that uses it changes or closes it (`http.cookies.set(...)`)"),
    "helper's session closed after": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            try:
                return http.get("https://example.com").json()
            finally:
                http.close()
        """, 4, "the code that uses it changes or closes it (`http.close(...)`)"),
    "helper's client used in with": ("""
        import httpx

        def client():
            http = httpx.Client()
            return http

        def handler(event, context):
            with client() as http:
                return http.get("https://example.com").json()
        """, 4, "`with` closes it at the end of the block"),
    "helper's session deleted": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            result = http.get("https://example.com").json()
            del http
            return result
        """, 4, "the code that uses it deletes it (`del http`)"),
    "helper's session passed on": ("""
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            authorise(http, event)
            return http.get("https://example.com").json()

        def authorise(http, event):
            http.headers["Authorization"] = event["token"]
        """, 4, "it is passed to `authorise(...)`, which may change it"),
    "rebound in a match arm": ("""
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3")
            match event:
                case {"client": s3}:
                    pass
            return s3.list_buckets()
        """, 4, "`s3` is assigned more than once in the function"),
    "argument defined below the handler": ("""
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3", region_name=LATER)
            return s3.list_buckets()

        LATER = "eu-west-1"
        """, 4, "its arguments read a name that is not bound only above the function"),
    "argument rebound below the handler": ("""
        import boto3

        REGION = "eu-west-1"

        def handler(event, context):
            s3 = boto3.client("s3", region_name=REGION)
            return s3.list_buckets()

        REGION = "us-east-1"
        """, 6, "its arguments read a name that is not bound only above the function"),
    "under a guard": ("""
        import boto3

        def handler(event, context):
            if event.get("list"):
                s3 = boto3.client("s3")
                return s3.list_buckets()
            return None
        """, 5, "it is created under `if`, so not on every invocation"),
    "in a loop": ("""
        import boto3

        def handler(event, context):
            for record in event["Records"]:
                s3 = boto3.client("s3")
                s3.delete_object(Bucket=record["bucket"], Key=record["key"])
        """, 5, "it is created in a loop, so not on every invocation"),
    "in try": ("""
        import boto3

        def handler(event, context):
            try:
                s3 = boto3.client("s3")
            except Exception:
                raise
            return s3.list_buckets()
        """, 5, "it is created inside `try`, so not on every invocation"),
    "in with": ("""
        import threading
        import boto3

        LOCK = threading.Lock()

        def handler(event, context):
            with LOCK:
                s3 = boto3.client("s3")
            return s3.list_buckets()
        """, 8, "it is created in a `with`, so not on every invocation"),
    "the only statement": ('''
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3")
        ''', 4, "the function would be left without a statement"),
    "same name, another client": ('''
        import boto3

        def one(event, context):
            client = boto3.client("s3")
            return client

        def two(event, context):
            client = boto3.client("sqs")
            return client
        ''', None, "another function makes a different `client`"),
    "closed by with": ("""
        import httpx

        def handler(event, context):
            http = httpx.Client()
            with http:
                return http.get("https://example.com").json()
        """, 4, "the function changes or closes it after creating it"),
}


@pytest.mark.parametrize("case", list(NO_FIX))
def test_unsafe_moves_keep_the_finding_without_a_fix_and_say_why(tree, case):
    source, line, reason = NO_FIX[case]
    findings = lint(tree, {"app.py": source})
    assert lines_of(findings) == ([line] if line else [4, 8])
    for finding in findings:
        assert finding["fixable"] is False
        assert "\n\nNo automatic fix: " in finding["suggestion"]
        assert reason in finding["suggestion"].split("No automatic fix: ")[1]


SAFE_TO_MOVE = {
    "logging, json and event reads before": """
        import json
        import logging
        import os
        import boto3

        os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
        logger = logging.getLogger(__name__)
        TABLE = os.environ.get("TABLE", "orders")

        def handler(event, context):
            \"\"\"Store one order.\"\"\"
            logger.info("event %s", json.dumps(event))
            order = json.loads(event.get("body", "{}"))
            print("order", len(order))
            region = os.environ.get("AWS_REGION")
            table = boto3.resource("dynamodb").Table(TABLE)
            s3 = boto3.client("s3")
            table.put_item(Item=order)
            return {"region": region, "buckets": s3.list_buckets()}
        """,
    "helper returning a client the caller only uses": """
        import requests

        def session():
            http = requests.Session()
            return http

        def handler(event, context):
            http = session()
            print(http)
            return http.get("https://example.com").json()
        """,
    "a logger's level set and a literal formatted before": """
        import logging
        import boto3

        logger = logging.getLogger()

        def handler(event, context):
            logger.setLevel(logging.INFO)
            logger.info("Event: {}".format(len(event)))
            sns = boto3.client("sns")
            return sns.publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:t", Message="hi")
        """,
    "module state changed by a function the client does not read": """
        import boto3

        SEEN = []

        def handler(event, context):
            s3 = boto3.client("s3")
            SEEN.append(event.get("id"))
            return s3.list_buckets()
        """,
}


@pytest.mark.parametrize("case", list(SAFE_TO_MOVE))
def test_safe_moves_stay_fixable(tree, case):
    findings = lint(tree, {"app.py": SAFE_TO_MOVE[case]})
    assert findings and all(f["fixable"] for f in findings), findings
    assert not any("No automatic fix" in f["suggestion"] for f in findings)


@pytest.mark.parametrize("imports", ["import cfnresponse", "from crhelper import CfnResource",
                                     "import crhelper.resource_helper as rh"])
def test_custom_resource_handlers_are_silent(tree, imports):
    # They run on stack changes, not per request: a client per invocation costs nothing there.
    findings = lint(tree, {"app.py": f"""
        import boto3
        {imports}

        def handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """})
    assert findings == []


def test_a_module_merely_named_like_a_custom_resource_helper_is_still_checked(tree):
    findings = lint(tree, {"app.py": """
        import boto3
        from .cfnresponse import send

        def handler(event, context):
            s3 = boto3.client("s3")
            return send(s3.list_buckets())
        """})
    assert [(f["rule"], f["line"]) for f in findings] == [("LL102", 5)]


def test_a_function_named_by_a_custom_resources_service_token_is_silent(tmp_path):
    """Issue 13: the handler of a CloudFormation custom resource runs when the stack changes,
    not per request, even when its code imports neither cfnresponse nor crhelper (it answers
    the pre-signed URL itself); a function the template does not use that way is still checked."""
    from helpers import sam, write

    code = ('import boto3\n\n\ndef handler(event, context):\n'
            '    s3 = boto3.client("s3")\n    return s3.list_buckets()\n')
    template = sam("""\
        Resources:
          Seeder:
            Type: AWS::Serverless::Function
            Properties: {Handler: seed.handler, CodeUri: src/, Runtime: python3.12, Timeout: 60}
          Api:
            Type: AWS::Serverless::Function
            Properties: {Handler: api.handler, CodeUri: src/, Runtime: python3.12, Timeout: 10}
          SeedData:
            Type: Custom::SeedData
            Properties:
              ServiceToken: !GetAtt Seeder.Arn
        """)
    write(tmp_path, {"template.yaml": template, "src/seed.py": code, "src/api.py": code})
    findings = check_json(["."], tmp_path, "--select", "LL102")
    assert [(f["path"], f["line"]) for f in findings] == [("src/api.py", 5)]
