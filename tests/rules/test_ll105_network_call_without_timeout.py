"""LL105 network-call-without-timeout through the real CLI: libraries, sessions, reachability."""

from __future__ import annotations

from helpers import check_json, findings_of, ids_and_lines, inline_function_template, write


def test_requests_urlopen_and_urllib3_without_timeout_are_reported(tmp_path):
    write(tmp_path, {"app.py": """
        import urllib.request

        import requests as r
        import urllib3

        pool = urllib3.PoolManager()


        def handler(event, context):
            a = r.get(event["url"])
            b = urllib.request.urlopen(event["url"])
            c = pool.request("GET", event["url"])
            return a, b, c
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 10), ("LL105", 11), ("LL105", 12)]
    assert "requests has no default timeout" in findings[0]["message"]
    assert "`r.get(...)`" in findings[0]["message"]
    assert "no timeout at all" in findings[2]["message"]


def test_sessions_are_followed_to_their_constructor(tmp_path):
    write(tmp_path, {"app.py": """
        import requests


        def handler(event, context):
            with requests.Session() as http:
                first = http.post(event["url"], json=event)
                second = http.get(event["url"], timeout=5)
            return first, second
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 6)]


def test_aiohttp_session_without_any_timeout_is_reported(tmp_path):
    write(tmp_path, {"app.py": """
        import asyncio

        import aiohttp


        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()


        def handler(event, context):
            return asyncio.run(fetch(event["url"]))
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 8)]
    assert "300 s" in findings[0]["message"]


def test_httpx_default_timeouts_and_kwargs_are_silent_none_is_not(tmp_path):
    write(tmp_path, {"app.py": """
        import httpx
        import requests

        OPTIONS = {"timeout": 3}


        def handler(event, context):
            a = httpx.get(event["url"])
            b = requests.get(event["url"], **OPTIONS)
            c = httpx.Client(timeout=None)
            d = requests.get(event["url"], timeout=None)
            return a, b, c, d
        """})
    findings = check_json(["app.py"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 10), ("LL105", 11)]


def test_code_the_handler_does_not_run_and_test_files_are_silent(tmp_path):
    write(tmp_path, {
        "app.py": """
            import requests

            CONFIG = requests.get("https://example.com/config.json").json()


            def unused(url):
                return requests.get(url)


            def handler(event, context):
                return CONFIG
            """,
        "client.py": """
            import requests


            def fetch(url):
                return requests.get(url)
            """,
        "tests/test_app.py": """
            import requests


            def handler(event, context):
                return requests.get(event["url"])
            """,
    })
    assert check_json(["."], tmp_path, "--select", "LL105") == []


def test_inline_code_in_a_template_is_checked(tmp_path):
    write(tmp_path, {"template.yaml": inline_function_template("""
        import urllib.request
        def handler(event, context):
            return urllib.request.urlopen(event["ResponseURL"]).read()
        """)})
    findings = check_json(["template.yaml"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 13)]


# -- with the timeout of the function that runs the handler (its linked config) ---------------

from helpers import cdk_app, line_of, sam, sam_inline, terraform_function  # noqa: E402

HANDLER = """
import boto3, botocore.config
import requests

s3 = boto3.client("s3", config=botocore.config.Config(retries={"max_attempts": 2}))


def handler(event, context):
    body = requests.get(event["url"]).text
    requests.post(event["hook"], json=event, timeout=30)
    requests.post(event["hook"], json=event, timeout=(2, 5))
    return s3.put_object(Bucket="b", Key="k", Body=body)
"""


def _sam(timeout: str = "Timeout: 10") -> str:
    return sam(f"""\
        Resources:
          Fetch:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              {timeout}
        """)


class TestWithTheFunctionTimeout:
    def test_sam_timeout_is_said_and_longer_timeouts_and_boto3_defaults_reported(self, tmp_path):
        write(tmp_path, {"template.yaml": _sam(), "src/app.py": HANDLER})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 4), ("LL105", 8), ("LL105", 9)]
        client, missing, longer = found
        assert "Fetch times out after 10 s (template.yaml:10)" in missing["message"]
        assert "timeout=(2, 4)" in missing["suggestion"]
        assert "waits up to 30 s" in longer["message"] and "Fetch" in longer["message"]
        assert "60 s read timeout" in client["message"]
        assert "read_timeout=4" in client["suggestion"]

    def test_a_default_timeout_says_it_is_the_default(self, tmp_path):
        write(tmp_path, {"template.yaml": _sam("MemorySize: 256"), "src/app.py": HANDLER})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 4), ("LL105", 8), ("LL105", 9), ("LL105", 10)]
        assert "after 3 s (the default: no timeout is set" in found[1]["message"]

    def test_long_functions_and_configured_clients_stay_silent(self, tmp_path):
        write(tmp_path, {"template.yaml": _sam("Timeout: 120"), "src/app.py": HANDLER.replace(
            'config=botocore.config.Config(retries={"max_attempts": 2})', 'config=CONFIG').replace(
            "import requests\n", "import requests\nfrom botocore.config import Config\n\n"
            "CONFIG = Config(read_timeout=5)\n")})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 11)]  # only the call without any timeout
        assert "after 120 s" in found[0]["message"]

    def test_a_client_read_timeout_longer_than_the_function(self, tmp_path):
        write(tmp_path, {"template.yaml": _sam(), "src/app.py": """
            import boto3
            from botocore.config import Config

            ddb = boto3.resource("dynamodb", config=Config(read_timeout=30, connect_timeout=2))
            sqs = boto3.client("sqs", config=Config(read_timeout=4))


            def handler(event, context):
                return ddb, sqs
            """})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 4)]
        assert "waits up to 30 s (its read_timeout)" in found[0]["message"]

    def test_the_shortest_of_functions_sharing_a_handler_is_named(self, tmp_path):
        template = sam("""\
            Resources:
              Slow:
                Type: AWS::Serverless::Function
                Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/, Timeout: 300}
              Quick:
                Type: AWS::Serverless::Function
                Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/, Timeout: 6}
            """)
        write(tmp_path, {"template.yaml": template, "src/app.py": HANDLER})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert all("Quick times out after 6 s" in f["message"] for f in found)

    def test_serverless(self, tmp_path):
        write(tmp_path, {"serverless.yml": """
            service: fetch
            provider:
              name: aws
              runtime: python3.12
            functions:
              fetch:
                handler: app.handler
            """, "app.py": HANDLER})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 4), ("LL105", 8), ("LL105", 9)]
        assert "fetch times out after 6 s (the default" in found[1]["message"]

    def test_terraform(self, tmp_path):
        tf = terraform_function('"fn.zip"').replace('"fn.zip"', "data.archive_file.fn.output_path")
        tf = ('data "archive_file" "fn" {\n  type = "zip"\n  source_dir = "${path.module}/src"\n'
              '  output_path = "fn.zip"\n}\n') + tf
        write(tmp_path, {"main.tf": tf, "src/app.py": HANDLER})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", 4), ("LL105", 8), ("LL105", 9)]
        where = line_of(tmp_path / "main.tf", "timeout       = 10")
        assert f"after 10 s (main.tf:{where})" in found[1]["message"]

    def test_cdk(self, tmp_path):
        write(tmp_path, {**cdk_app(
            'fn = _lambda.Function(self, "Fetch", runtime=_lambda.Runtime.PYTHON_3_12,\n'
            '                      handler="app.handler", code=_lambda.Code.from_asset("src"),\n'
            '                      timeout=Duration.seconds(8))\n'), "src/app.py": HANDLER})
        found = check_json(["src/app.py", "app.py"], tmp_path, "--select", "LL105")
        assert [(f["path"], f["line"]) for f in found] == [
            ("src/app.py", 4), ("src/app.py", 8), ("src/app.py", 9)]
        assert "Fetch times out after 8 s" in found[1]["message"]

    def test_inline_code_knows_its_own_function(self, tmp_path):
        template = sam_inline("""\
            import urllib.request
            def handler(event, context):
                return urllib.request.urlopen(event["url"], timeout=60).read()
            """, timeout=5)
        write(tmp_path, {"template.yaml": template})
        found = check_json(["."], tmp_path, "--select", "LL105")
        assert ids_and_lines(found) == [("LL105", line_of(template, "urlopen("))]
        assert "waits up to 60 s" in found[0]["message"]

    def test_a_changed_timeout_re_checks_the_handler_through_a_warm_cache(self, tmp_path):
        write(tmp_path, {"template.yaml": _sam("Timeout: 120"), "src/app.py": """
            import boto3

            s3 = boto3.client("s3", config=boto3.session.Config(read_timeout=30))


            def handler(event, context):
                return s3.list_buckets()
            """})
        assert findings_of(tmp_path, "--select", "LL105", ".") == []
        assert findings_of(tmp_path, "--select", "LL105", ".") == []  # warm
        write(tmp_path, {"template.yaml": _sam("Timeout: 10")})
        found = findings_of(tmp_path, "--select", "LL105", ".")
        assert [(f["path"], f["line"]) for f in found] == [("src/app.py", 3)]
        assert findings_of(tmp_path, "--select", "LL105", ".") == found  # warm again
        write(tmp_path, {"template.yaml": _sam("Timeout: 90")})
        assert findings_of(tmp_path, "--select", "LL105", ".") == []
