"""LL112 tmp-not-cleaned through the real CLI: per-invocation names, cleanups, fixed names."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, write


def test_per_invocation_names_under_tmp_are_reported(tmp_path):
    write(tmp_path, {"app.py": """
        import os
        import uuid
        from pathlib import Path

        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            key = event["key"]
            s3.download_file("bucket", key, "/tmp/" + key)
            with open(os.path.join("/tmp", context.aws_request_id), "w") as f:
                f.write(key)
            (Path("/tmp") / str(uuid.uuid4())).write_text(key)
            name = "/tmp/{}.json".format(key)
            open(name, mode="a").write(key)
            return key
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL112")
    assert ids_and_lines(findings) == [("LL112", 12), ("LL112", 13), ("LL112", 15),
                                       ("LL112", 17)]
    assert "512 MB" in findings[0]["message"]
    assert "TemporaryDirectory" in findings[0]["suggestion"]


def test_fixed_names_reads_and_other_directories_are_silent(tmp_path):
    write(tmp_path, {"app.py": """
        import os


        def handler(event, context):
            with open("/tmp/cache.json", "w") as f:
                f.write(event["body"])
            with open(os.path.join("/tmp", "model", "weights.bin"), "wb") as f:
                f.write(b"")
            data = open(f"/tmp/{event['key']}").read()
            with open(f"/mnt/efs/{event['key']}", "w") as f:
                f.write(data)
        """})
    assert check_json(["app.py"], tmp_path, "--select", "LL112") == []


def test_a_module_that_removes_files_is_silent(tmp_path):
    write(tmp_path, {
        "remove.py": """
            import os


            def handler(event, context):
                path = f"/tmp/{event['key']}"
                try:
                    with open(path, "wb") as f:
                        f.write(b"x")
                finally:
                    os.remove(path)
            """,
        "pathlib_unlink.py": """
            from pathlib import Path


            def handler(event, context):
                path = Path("/tmp") / event["key"]
                path.write_bytes(b"x")
                path.unlink()
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL112") == []


def test_helpers_the_handler_reaches_count_and_unreached_code_does_not(tmp_path):
    write(tmp_path, {
        "app.py": """
            def save(name, data):
                with open(f"/tmp/{name}", "wb") as f:
                    f.write(data)


            def unused(name):
                with open(f"/tmp/{name}", "wb") as f:
                    f.write(b"")


            def handler(event, context):
                save(event["id"], b"x")
            """,
        "tests/test_app.py": """
            def handler(event, context):
                open(f"/tmp/{event['id']}", "w").write("x")
            """,
    })
    findings = check_json(["."], tmp_path, "--select", "LL112")
    assert [(f["path"], f["line"]) for f in findings] == [("app.py", 2)]
