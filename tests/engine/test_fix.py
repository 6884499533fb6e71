"""``check --fix`` and ``--diff``, through the real CLI, with LL102's move-to-module-scope fix."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from helpers import run_cli, write
from lambdalint.findings import Edit, Fix
from lambdalint.fixes import apply_edits


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fix(root, *extra):
    return run_cli(["check", "--select", "LL102", "--fix", *extra, "."], cwd=root)


def findings(root):
    code, out, err = run_cli(["check", "--select", "LL102", "--format", "json", "."], cwd=root)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_fixed(tmp_path, before: str, after: str, name: str = "app.py") -> None:
    """--fix turns ``before`` into exactly ``after``; a second run changes nothing."""
    write(tmp_path, {name: before})
    path = tmp_path / name
    fix(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text == dedent(after)
    ast.parse(text)
    first = digest(path)
    fix(tmp_path)
    assert digest(path) == first
    assert not any(f["fixable"] for f in findings(tmp_path))


# -- what the fix writes --------------------------------------------------------------------------


def test_moves_the_client_above_the_handler(tmp_path):
    assert_fixed(tmp_path, """
        import boto3


        def lambda_handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, """
        import boto3


        s3 = boto3.client("s3")


        def lambda_handler(event, context):
            return s3.list_buckets()
        """)


def test_exit_codes_and_summary_after_fixing(tmp_path):
    write(tmp_path, {"app.py": """
        import boto3

        def lambda_handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """})
    code, out, err = fix(tmp_path)
    assert (code, err) == (0, "")
    assert out == "Fixed 1 problem. All checks passed (1 file checked).\n"
    write(tmp_path, {"app.py": """
        import boto3

        def lambda_handler(event, context):
            s3 = boto3.client("s3")
            for record in event["Records"]:
                sqs = boto3.client("sqs")
            return s3
        """})
    code, out, _ = fix(tmp_path)
    assert code == 1  # the client in the loop is left: a warning remains
    assert [f["line"] for f in findings(tmp_path)] == [7]
    code, _, _ = fix(tmp_path, "--exit-zero")
    assert code == 0


def test_several_clients_keep_comments_decorators_and_multiline_calls(tmp_path):
    assert_fixed(tmp_path, """
        import os

        import boto3
        from aws_lambda_powertools import Logger
        from botocore.config import Config

        logger = Logger()
        TABLE = os.environ["TABLE_NAME"]

        # The entry point.
        @logger.inject_lambda_context
        def handler(event, context):
            \"\"\"Store the order.\"\"\"
            # clients
            table = boto3.resource("dynamodb").Table(TABLE)  # orders table
            s3 = boto3.client(
                "s3",
                config=Config(retries={"max_attempts": 10, "mode": "standard"}),
            )
            table.put_item(Item=event)
            return s3.list_buckets()
        """, """
        import os

        import boto3
        from aws_lambda_powertools import Logger
        from botocore.config import Config

        logger = Logger()
        TABLE = os.environ["TABLE_NAME"]

        table = boto3.resource("dynamodb").Table(TABLE)  # orders table
        s3 = boto3.client(
            "s3",
            config=Config(retries={"max_attempts": 10, "mode": "standard"}),
        )

        # The entry point.
        @logger.inject_lambda_context
        def handler(event, context):
            \"\"\"Store the order.\"\"\"
            # clients
            table.put_item(Item=event)
            return s3.list_buckets()
        """)


def test_session_moves_with_the_clients_made_from_it(tmp_path):
    assert_fixed(tmp_path, """
        import boto3


        def handler(event, context):
            session = boto3.Session(region_name="eu-west-1")
            s3 = session.client("s3")
            sqs = session.client("sqs", region_name=event["region"])
            return s3, sqs
        """, """
        import boto3


        session = boto3.Session(region_name="eu-west-1")
        s3 = session.client("s3")


        def handler(event, context):
            sqs = session.client("sqs", region_name=event["region"])
            return s3, sqs
        """)


def test_two_handlers_with_the_same_client_converge(tmp_path):
    before = """
        import boto3


        def get_handler(event, context):
            table = boto3.resource("dynamodb").Table("orders")
            return table.get_item(Key={"id": event["id"]})


        def put_handler(event, context):
            table = boto3.resource("dynamodb").Table("orders")
            return table.put_item(Item=event)
        """
    assert_fixed(tmp_path, before, """
        import boto3


        table = boto3.resource("dynamodb").Table("orders")


        def get_handler(event, context):
            return table.get_item(Key={"id": event["id"]})


        def put_handler(event, context):
            return table.put_item(Item=event)
        """)


def test_fixed_code_still_works_and_creates_the_client_once(tmp_path):
    """Run the fixed module against a stand-in boto3 that counts the clients it makes."""
    write(tmp_path, {
        "boto3.py": """
            made = []

            def client(name, **kwargs):
                made.append(name)
                return {"service": name, **kwargs}
            """,
        "app.py": """
            import os

            import boto3

            REGION = os.environ.get("AWS_REGION", "eu-west-1")


            def first(event, context):
                sqs = boto3.client("sqs", region_name=REGION)
                return sqs["service"]


            def second(event, context):
                sqs = boto3.client("sqs", region_name=REGION)
                kms = boto3.client("kms")
                return sqs["region_name"] + kms["service"]
            """,
    })
    code, _, _ = fix(tmp_path)
    assert code == 0
    script = ("import app, boto3\n"
              "results = [app.first({}, None), app.second({}, None), app.second({}, None)]\n"
              "print(results, sorted(boto3.made))\n")
    env = {k: v for k, v in os.environ.items() if k != "AWS_REGION"}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "['sqs', 'eu-west-1kms', 'eu-west-1kms'] ['kms', 'sqs']\n"


def test_module_already_holding_the_client_only_loses_the_local_copy(tmp_path):
    assert_fixed(tmp_path, """
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            s3 = boto3.client("s3")
            return s3.list_buckets()
        """, """
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            return s3.list_buckets()
        """)


def test_reached_helper_is_fixed_too(tmp_path):
    assert_fixed(tmp_path, """
        import boto3
        def load(key):
            s3 = boto3.client("s3")
            return s3.get_object(Bucket="b", Key=key)
        def handler(event, context):
            return load(event["key"])
        """, """
        import boto3
        s3 = boto3.client("s3")
        def load(key):
            return s3.get_object(Bucket="b", Key=key)
        def handler(event, context):
            return load(event["key"])
        """)


def test_tab_indentation(tmp_path):
    before = "import boto3\n\n\ndef handler(event, context):\n\tsqs = boto3.client('sqs')\n\treturn sqs\n"
    after = "import boto3\n\n\nsqs = boto3.client('sqs')\n\n\ndef handler(event, context):\n\treturn sqs\n"
    write(tmp_path, {"app.py": before.encode()})
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode()


# -- encodings, line endings, file system ----------------------------------------------------------


def test_crlf_stays_crlf(tmp_path):
    before = "import boto3\r\n\r\n\r\ndef handler(event, context):\r\n    s3 = boto3.client('s3')\r\n    return s3\r\n"
    after = "import boto3\r\n\r\n\r\ns3 = boto3.client('s3')\r\n\r\n\r\ndef handler(event, context):\r\n    return s3\r\n"
    write(tmp_path, {"app.py": before.encode()})
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode()
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode()


def test_utf8_bom_survives(tmp_path):
    before = "\ufeff# café\nimport boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    return s3\n"
    after = "\ufeff# café\nimport boto3\n\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    return s3\n"
    write(tmp_path, {"app.py": before.encode("utf-8")})
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode("utf-8")


def test_latin1_coding_cookie_survives(tmp_path):
    before = ("# -*- coding: latin-1 -*-\nimport boto3\n\nGREETING = 'olé'\n\n"
              "def handler(event, context):\n    s3 = boto3.client('s3')  # señal\n    return GREETING\n")
    after = ("# -*- coding: latin-1 -*-\nimport boto3\n\nGREETING = 'olé'\n\n"
             "s3 = boto3.client('s3')  # señal\n\ndef handler(event, context):\n    return GREETING\n")
    write(tmp_path, {"app.py": before.encode("latin-1")})
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode("latin-1")


def test_file_without_final_newline(tmp_path):
    before = "import boto3\n\ndef handler(event, context):\n    print(event)\n    s3 = boto3.client('s3')"
    after = "import boto3\n\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    print(event)\n"
    write(tmp_path, {"app.py": before.encode()})
    fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == after.encode()


def test_permissions_survive(tmp_path):
    write(tmp_path, {"app.py": "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    return s3\n"})
    path = tmp_path / "app.py"
    os.chmod(path, 0o640)
    fix(tmp_path)
    assert "s3 = boto3.client('s3')\n\ndef" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not [p.name for p in tmp_path.iterdir() if "lambdalint-tmp" in p.name]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_file_is_not_written_through(tmp_path):
    source = "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    return s3\n"
    write(tmp_path, {"real/app.py": source})
    link = tmp_path / "link.py"
    link.symlink_to(tmp_path / "real" / "app.py")
    code, _, err = run_cli(["check", "--select", "LL102", "--fix", "link.py"], cwd=tmp_path)
    assert code == 1
    assert "symlink" in err
    assert link.is_symlink()
    assert (tmp_path / "real" / "app.py").read_text(encoding="utf-8") == source


def test_diff_prints_a_unified_diff_and_changes_nothing(tmp_path):
    write(tmp_path, {"app.py": "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    return s3\n"})
    path = tmp_path / "app.py"
    before = digest(path)
    code, out, err = run_cli(["check", "--select", "LL102", "--diff", "."], cwd=tmp_path)
    assert code == 1
    assert out == ("--- a/app.py\n+++ b/app.py\n@@ -1,5 +1,6 @@\n import boto3\n \n"
                   "+s3 = boto3.client('s3')\n+\n def handler(event, context):\n"
                   "-    s3 = boto3.client('s3')\n     return s3\n")
    assert err == "lambdalint: 1 file would be changed.\n"
    assert digest(path) == before


# -- where there is no fix ------------------------------------------------------------------------


UNSAFE = {
    "in a loop": """
        import boto3
        def handler(event, context):
            for r in event["Records"]:
                s3 = boto3.client("s3")
        """,
    "in try": """
        import boto3
        def handler(event, context):
            try:
                s3 = boto3.client("s3")
            except Exception:
                raise
            return s3
        """,
    "in if": """
        import boto3
        def handler(event, context):
            if event:
                s3 = boto3.client("s3")
                return s3
        """,
    "in with": """
        import boto3, threading
        LOCK = threading.Lock()
        def handler(event, context):
            with LOCK:
                s3 = boto3.client("s3")
            return s3
        """,
    "name defined after the function": """
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3", region_name=REGION)
            return s3
        REGION = "eu-west-1"
        """,
    "local argument": """
        import os, boto3
        def handler(event, context):
            region = os.environ["REGION"]
            s3 = boto3.client("s3", region_name=region)
            return s3
        """,
    "module name already used": """
        import boto3
        s3 = None
        def handler(event, context):
            s3 = boto3.client("s3")
            return s3
        """,
    "assigned twice": """
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3")
            s3 = boto3.client("s3", region_name="us-east-1")
            return s3
        """,
    "only statement": """
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3")
        """,
    "multi-line string argument": '''
        import boto3
        def handler(event, context):
            s3 = boto3.client("""s3
        """)
            return s3
        ''',
    "nested function": """
        import boto3
        def handler(event, context):
            def inner():
                s3 = boto3.client("s3")
                return s3
            return inner()
        """,
    "builtin name": """
        import boto3
        def handler(event, context):
            input = boto3.client("s3")
            return input
        """,
    "not assigned": """
        import boto3
        def handler(event, context):
            return boto3.client("s3").list_buckets()
        """,
    "import inside the function": """
        def handler(event, context):
            import boto3
            s3 = boto3.client("s3")
            return s3
        """,
    "star import": """
        from boto3 import *
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3")
            return s3
        """,
    "same name, different clients": """
        import boto3
        def one(event, context):
            client = boto3.client("s3")
            return client
        def two(event, context):
            client = boto3.client("sqs")
            return client
        """,
    "database connection": """
        import pymysql
        def handler(event, context):
            conn = pymysql.connect(host="db")
            return conn
        """,
    "changed in place": """
        import os, requests
        def handler(event, context):
            http = requests.Session()
            http.headers["Authorization"] = event["token"]
            return http.get(os.environ["URL"]).json()
        """,
    "event hooks registered": """
        import boto3
        def handler(event, context):
            s3 = boto3.client("s3")
            s3.meta.events.register("before-send.s3", print)
            return s3.list_buckets()
        """,
    "closed at the end": """
        import httpx
        def handler(event, context):
            http = httpx.Client()
            data = http.get("https://example.com").json()
            http.close()
            return data
        """,
    "tuple target": """
        import boto3
        def handler(event, context):
            a, b = boto3.client("s3"), boto3.client("sqs")
            return a, b
        """,
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_cases_get_no_fix(tmp_path, case):
    write(tmp_path, {"app.py": UNSAFE[case]})
    path = tmp_path / "app.py"
    before = digest(path)
    found = findings(tmp_path)
    assert found and not any(f["fixable"] for f in found)
    code, _, _ = fix(tmp_path)
    assert code == 1
    assert digest(path) == before


# -- applying edits -------------------------------------------------------------------------------


def test_identical_insertions_at_one_point_are_made_once():
    text = "a\nb\n"
    one = Fix("one", (Edit(2, 1, 2, 1, "\n"), Edit(2, 1, 2, 1, "x = 1\n")))
    two = Fix("two", (Edit(2, 1, 2, 1, "\n"), Edit(2, 1, 2, 1, "y = 2\n")))
    three = Fix("three", (Edit(2, 1, 2, 1, "x = 1\n"),))
    assert apply_edits(text, [one, two, three]) == ("a\n\nx = 1\ny = 2\nb\n", 3)


def test_overlapping_edits_skip_the_later_fix():
    text = "abcdef\n"
    first = Fix("first", (Edit(1, 2, 1, 4, "X"),))
    second = Fix("second", (Edit(1, 3, 1, 5, "Y"),))
    inside = Fix("inside", (Edit(1, 3, 1, 3, "Z"),))
    at_edge = Fix("edge", (Edit(1, 4, 1, 4, "W"),))
    assert apply_edits(text, [first, second, inside, at_edge]) == ("aXWdef\n", 2)
    assert apply_edits(text, [first, first]) == ("aXdef\n", 1)
