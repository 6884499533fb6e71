"""LL104 async-handler through the real CLI: exact lines, handlers by shape and by config."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, sam_template, write


def test_async_handler_is_reported_on_its_def_line(tmp_path):
    write(tmp_path, {"app.py": """
        import json


        async def lambda_handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event)}
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL104")
    assert ids_and_lines(findings) == [("LL104", 4)]
    assert findings[0]["column"] == 11  # the name, after "async def "
    assert "asyncio.run(_lambda_handler(event, context))" in findings[0]["suggestion"]


def test_async_helpers_and_sync_handlers_are_silent(tmp_path):
    write(tmp_path, {"app.py": """
        import asyncio


        async def fetch(event):
            return event


        def handler(event, context):
            return asyncio.run(fetch(event))
        """})
    assert check_json(["app.py"], tmp_path, "--select", "LL104") == []


def test_handler_named_by_the_template_is_checked_whatever_its_shape(tmp_path):
    write(tmp_path, {
        "template.yaml": sam_template(handler="app.process", timeout=10),
        "src/app.py": """
            async def process(payload):
                return payload
            """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL104")
    assert [(f["path"], f["line"]) for f in findings] == [("src/app.py", 1)]


def test_decorated_and_test_file_coroutines_are_silent(tmp_path):
    write(tmp_path, {
        "app.py": """
            from asgiref.sync import async_to_sync


            @async_to_sync
            async def handler(event, context):
                return {"ok": True}
            """,
        "tests/test_app.py": """
            async def handler(event, context):
                return 1
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL104") == []


def test_suppression_comment_silences_it(tmp_path):
    write(tmp_path, {"app.py": """
        async def handler(event, context):  # lambdalint: ignore[LL104]
            return 1
        """})
    assert check_json(["app.py"], tmp_path, "--select", "LL104") == []
