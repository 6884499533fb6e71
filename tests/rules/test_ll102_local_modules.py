"""LL102 through the project's own modules: a handler that calls a function of another module of
its code tree which creates a client on every call (``analysis.local_calls``), through the CLI."""

from __future__ import annotations

import os

import pytest

from helpers import check_json, ids_and_lines, line_of, sam_template, write

from lambdalint import prefilter
from lambdalint.analysis.local_calls import ClientSite

HELPER = """
    import os
    import psycopg2


    def get_conn():
        return psycopg2.connect(host=os.environ["DB_HOST"])
    """

HANDLER = """
    import db


    def lambda_handler(event, context):
        conn = db.get_conn()
        return conn.cursor().execute("select 1")
    """


def ll102(root, *paths, extra=()):
    return check_json(list(paths) or ["."], root, "--select", "LL102", *extra)


def project(tmp_path, files, template=True):
    """A SAM project with code in src/ (handler app.lambda_handler) and ``files`` in it."""
    tree = {f"src/{name}": text for name, text in files.items()}
    if template:
        tree["template.yaml"] = sam_template(handler="app.lambda_handler")
    return write(tmp_path, tree)


# -- reported -----------------------------------------------------------------------------------


def test_a_helper_module_that_connects_on_every_call_is_reported_at_the_call(tmp_path):
    root = project(tmp_path, {"db.py": HELPER, "app.py": HANDLER})
    findings = ll102(root)
    assert ids_and_lines(findings) == [("LL102", 5)]
    finding = findings[0]
    assert finding["path"] == "src/app.py"
    assert finding["column"] == 12
    assert finding["message"] == (
        "db.get_conn() creates psycopg2.connect(...) at src/db.py:6 on every call, and it runs "
        "on every invocation of lambda_handler")
    assert "in src/db.py" in finding["suggestion"]
    assert "No automatic fix" in finding["suggestion"]
    assert finding["fixable"] is False


def test_without_a_template_the_handler_directory_is_the_code_root(tmp_path):
    root = project(tmp_path, {"db.py": HELPER, "app.py": HANDLER}, template=False)
    assert ids_and_lines(ll102(root)) == [("LL102", 5)]


@pytest.mark.parametrize("imports, constructor, call", [
    ("import redis", "redis.from_url", 'redis.from_url("redis://cache")'),
    ("from peewee import PostgresqlDatabase", "peewee.PostgresqlDatabase",
     'PostgresqlDatabase("app")'),
    ("import mongoengine", "mongoengine.connect", 'mongoengine.connect("app")'),
    ("from opensearchpy import OpenSearch", "opensearchpy.OpenSearch",
     'OpenSearch(hosts=[os.environ["HOST"]])'),
    ("from elasticsearch import Elasticsearch", "elasticsearch.Elasticsearch",
     'Elasticsearch("http://search:9200")'),
    ("import boto3", "boto3.client", 'boto3.client("s3")'),
])
def test_from_import_and_the_constructors_the_issue_names(tmp_path, imports, constructor, call):
    helper = f"import os\n{imports}\n\n\ndef client():\n    return {call}\n"
    handler = ("from store import client\n\n\ndef lambda_handler(event, context):\n"
               "    return client().ping()\n")
    root = project(tmp_path, {"store.py": helper, "app.py": handler})
    (finding,) = ll102(root)
    assert finding["line"] == 5
    assert finding["message"].startswith(f"client() creates {constructor}(...) at src/store.py:6")


def test_through_functions_of_the_helper_module_and_of_the_handler_file(tmp_path):
    helper = """
        import pymysql


        def _open():
            return pymysql.connect(host="db")


        def get_conn():
            conn = _open()
            return conn
        """
    handler = """
        from db import get_conn


        def query(sql):
            return get_conn().cursor().execute(sql)


        def lambda_handler(event, context):
            return query("select 1")
        """
    root = project(tmp_path, {"db.py": helper, "app.py": handler})
    (finding,) = ll102(root)
    assert finding["line"] == line_of(root / "src/app.py", "get_conn()")
    assert finding["message"] == (
        "get_conn() creates pymysql.connect(...) at src/db.py:5 (through get_conn -> _open) on "
        "every call, and it runs on every invocation of lambda_handler (in query, which it "
        "calls)")


def test_a_helper_parameter_from_a_literal_is_reported_from_the_event_is_not(tmp_path):
    helper = """
        import boto3


        def client(service, region=None):
            return boto3.client(service, region_name=region)
        """
    handler = """
        import aws


        def lambda_handler(event, context):
            aws.client("s3").list_buckets()
            aws.client("sqs", region=event["region"]).list_queues()
            return aws.client(*event["args"])
        """
    root = project(tmp_path, {"aws.py": helper, "app.py": handler})
    assert ids_and_lines(ll102(root)) == [("LL102", 5)]


def test_a_connection_the_handler_opens_and_closes_says_so(tmp_path):
    handler = """
        import db


        def lambda_handler(event, context):
            with db.get_conn() as conn:
                return conn.cursor().execute("select 1")
        """
    root = project(tmp_path, {"db.py": HELPER, "app.py": handler})
    (finding,) = ll102(root)
    assert "also closes the connection it gets" in finding["suggestion"]


# -- how the module is found --------------------------------------------------------------------


def test_relative_imports_in_a_package(tmp_path):
    handler = """
        from .db import get_conn
        from . import db


        def lambda_handler(event, context):
            return get_conn(), db.get_conn()
        """
    root = write(tmp_path, {
        "template.yaml": sam_template(code="src/", handler="svc.app.lambda_handler"),
        "src/svc/__init__.py": "", "src/svc/db.py": HELPER, "src/svc/app.py": handler})
    findings = ll102(root)
    assert [(f["line"], f["column"]) for f in findings] == [(6, 12), (6, 24)]
    assert {f["message"].partition(" at ")[2][:14] for f in findings} == {"src/svc/db.py:"}


def test_a_package_init_and_what_it_re_exports(tmp_path):
    handler = """
        from helpers import get_conn, cache_client
        import helpers.db


        def lambda_handler(event, context):
            return get_conn(), cache_client(), helpers.db.get_conn()
        """
    init = """
        import redis
        from .db import get_conn


        def cache_client():
            return redis.Redis(host="cache")
        """
    root = project(tmp_path, {"helpers/__init__.py": init, "helpers/db.py": HELPER,
                              "app.py": handler})
    messages = [f["message"] for f in ll102(root)]
    assert [m.partition(" on every")[0] for m in messages] == [
        "get_conn() creates psycopg2.connect(...) at src/helpers/db.py:6",
        "cache_client() creates redis.Redis(...) at src/helpers/__init__.py:6",
        "helpers.db.get_conn() creates psycopg2.connect(...) at src/helpers/db.py:6",
    ]


def test_pre_commit_mode_reads_the_helper_it_was_not_given(tmp_path):
    root = project(tmp_path, {"db.py": HELPER, "app.py": HANDLER})
    (root / ".git").mkdir()
    findings = ll102(root, "src/app.py")
    assert [(f["path"], f["line"]) for f in findings] == [("src/app.py", 5)]
    assert "src/db.py:6" in findings[0]["message"]


# -- silent -------------------------------------------------------------------------------------


@pytest.mark.parametrize("helper", [
    # cached factories
    "import functools\nimport psycopg2\n\n\n@functools.lru_cache(maxsize=None)\n"
    "def get_conn():\n    return psycopg2.connect('dbname=app')\n",
    "from functools import cache\nimport psycopg2\n\n\n@cache\n"
    "def get_conn():\n    return psycopg2.connect('dbname=app')\n",
    # a module global, made on first use
    "import psycopg2\n\n_conn = None\n\n\ndef get_conn():\n    global _conn\n"
    "    if _conn is None:\n        _conn = psycopg2.connect('dbname=app')\n    return _conn\n",
    # made once at import
    "import psycopg2\n\n_conn = psycopg2.connect('dbname=app')\n\n\n"
    "def get_conn():\n    return _conn\n",
    # kept in a module-level dict
    "import psycopg2\n\n_pool = {}\n\n\ndef get_conn():\n    if 'c' not in _pool:\n"
    "        _pool['c'] = psycopg2.connect('dbname=app')\n    return _pool['c']\n",
    # made only when the caller passes none
    "import psycopg2\n\n\ndef get_conn(conn=None):\n"
    "    conn = conn or psycopg2.connect('dbname=app')\n    return conn\n",
    "import psycopg2\n\n\ndef get_conn(conn=None):\n    if conn is None:\n"
    "        conn = psycopg2.connect('dbname=app')\n    return conn\n",
    # built from what the caller computes in the call
    "import psycopg2\n\n\ndef get_conn():\n    dsn = fetch_secret()\n"
    "    return psycopg2.connect(dsn)\n",
])
def test_a_helper_that_keeps_its_client_is_not_reported(tmp_path, helper):
    root = project(tmp_path, {"db.py": helper, "app.py": HANDLER})
    assert ll102(root) == []


# The helper makes a client on every call; the handler file calls it where it does not count:
# (module-level code of the handler file, the handler's body).
@pytest.mark.parametrize("module_code, body", [
    ("conn = db.get_conn()", "return conn.cursor()"),  # once, at import
    ("_conn = None",  # kept in a global
     "global _conn\nif _conn is None:\n    _conn = db.get_conn()\nreturn _conn.cursor()"),
    ("def migrate():\n    return db.get_conn()", "return 'ok'"),  # never reached
    ("conn = db.get_conn()",  # made again after a failure
     "global conn\ntry:\n    return conn.cursor()\nexcept Exception:\n"
     "    conn = db.get_conn()\n    raise"),
    ("import cfnresponse",  # a custom resource: runs on stack changes, not per request
     "db.get_conn()\ncfnresponse.send(event, context, cfnresponse.SUCCESS, {})"),
])
def test_calls_that_do_not_run_per_invocation_are_not_reported(tmp_path, module_code, body):
    handler = (f"import db\n{module_code}\n\n\ndef lambda_handler(event, context):\n" +
               "".join(f"    {line}\n" for line in body.splitlines()))
    root = project(tmp_path, {"db.py": HELPER, "app.py": handler})
    assert ll102(root) == []


def test_a_module_outside_the_checked_tree_is_not_read(tmp_path):
    outside = write(tmp_path / "outside", {"db.py": HELPER})
    svc = write(tmp_path / "repo", {"svc/pkg/__init__.py": "", "svc/shared/db.py": HELPER,
                                    "svc/pkg/app.py": HANDLER.replace("import db",
                                                                      "from shared import db")})
    os.symlink(outside / "db.py", svc / "svc/pkg/db.py")
    (svc / "svc/pkg/app2.py").write_text(HANDLER, encoding="utf-8")
    # svc/shared/db.py is in the code tree (the package's parent) but not in the tree checked,
    # and svc/pkg/db.py is a link to a file outside it: neither is read.
    assert ll102(svc, "svc/pkg") == []
    # Checking the whole of svc reads shared/db.py; the link still leads outside.
    assert [(f["path"], f["line"]) for f in ll102(svc, "svc")] == [("svc/pkg/app.py", 5)]


def test_a_test_file_calling_the_helper_is_not_reported(tmp_path):
    test = HANDLER.replace("lambda_handler", "test_handler")
    root = project(tmp_path, {"db.py": HELPER, "app.py": HANDLER, "tests/test_app.py": test})
    assert [f["path"] for f in ll102(root, "--no-cache")] == ["src/app.py"]


# -- the pre-filter and the cache ------------------------------------------------------------------


def test_the_gate_lets_a_file_through_only_for_its_helper(tmp_path, monkeypatch):
    text = prefilter.Text(HANDLER.replace("\n    ", "\n"), "src/app.py")
    assert prefilter.rules_needed(text, ["LL102"], {}) == []
    site = ClientSite("db.get_conn", "get_conn", "psycopg2.connect", "src/db.py", 6)
    with_site = prefilter.Text(HANDLER.replace("\n    ", "\n"), "src/app.py", (), (site,))
    assert prefilter.rules_needed(with_site, ["LL102"], {}) == ["LL102"]
    # Through the CLI, the same finding with and without the pre-filter.
    root = project(tmp_path, {"db.py": HELPER, "app.py": HANDLER})
    gated = ll102(root, extra=("--no-cache",))
    monkeypatch.setenv(prefilter.ENV_DISABLE, "1")
    assert ll102(root, extra=("--no-cache",)) == gated
    assert ids_and_lines(gated) == [("LL102", 5)]


def test_editing_only_the_helper_module_changes_the_finding_with_a_warm_cache(tmp_path):
    cached = "import functools\n" + HELPER.replace("def get_conn", "@functools.lru_cache\ndef get_conn")
    root = project(tmp_path, {"db.py": cached, "app.py": HANDLER})
    assert ll102(root) == []  # cold: fills the cache
    assert ll102(root) == []  # warm
    write(root, {"src/db.py": HELPER})
    assert ids_and_lines(ll102(root)) == [("LL102", 5)]
    write(root, {"src/db.py": cached})
    assert ll102(root) == []
    # In pre-commit mode too: only the handler given, the helper edited.
    write(root, {"src/db.py": HELPER})
    assert ids_and_lines(ll102(root, "src/app.py")) == [("LL102", 5)]
