"""LL111 invocation-state-leak through the real CLI: growth per invocation, resets, caches."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, inline_function_template, write


def test_lists_sets_and_dicts_grown_per_invocation_are_reported(tmp_path):
    write(tmp_path, {"app.py": """
        from collections import defaultdict

        RESULTS = []
        SEEN = set()
        BY_USER = defaultdict(list)


        def remember(record):
            SEEN.add(record["messageId"])
            BY_USER[record["user"]] = record


        def handler(event, context):
            for record in event["Records"]:
                RESULTS.append(record["body"])
                remember(record)
            return {"bodies": RESULTS}
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL111")
    assert ids_and_lines(findings) == [("LL111", 9), ("LL111", 10), ("LL111", 15)]
    assert "`RESULTS` is a module-level list that `handler` adds to with .append()" in \
        findings[2]["message"]


def test_resets_clears_caches_and_bounded_containers_are_silent(tmp_path):
    write(tmp_path, {"app.py": """
        from collections import deque

        import boto3

        BATCH = []
        CLIENTS = {}
        RECENT = deque(maxlen=50)
        STATE = {}
        BUFFER = []


        def flush():
            global BUFFER
            BUFFER = []


        def handler(event, context):
            BATCH.extend(event["Records"])
            region = event["region"]
            if region not in CLIENTS:
                CLIENTS[region] = boto3.client("s3", region_name=region)
            RECENT.append(event["id"])
            STATE["last"] = event["id"]
            BUFFER.append(event)
            flush()
            try:
                return len(BATCH)
            finally:
                BATCH.clear()
        """})
    assert check_json(["app.py"], tmp_path, "--select", "LL111") == []


def test_locals_import_time_code_and_unreached_functions_are_silent(tmp_path):
    write(tmp_path, {
        "app.py": """
            NAMES = []
            for name in ("a", "b"):
                NAMES.append(name)
            items = []


            def build(values):
                items.append(values)


            def handler(event, context):
                items = []
                items.append(event)
                return items, NAMES
            """,
        "tests/test_app.py": """
            CALLS = []


            def handler(event, context):
                CALLS.append(event)
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL111") == []


def test_inline_code_in_a_template_is_checked(tmp_path):
    write(tmp_path, {"template.yaml": inline_function_template("""
        ROWS = []
        def handler(event, context):
            ROWS.append(event["row"])
            return ROWS
        """)})
    findings = check_json(["template.yaml"], tmp_path, "--select", "LL111")
    assert ids_and_lines(findings) == [("LL111", 13)]
