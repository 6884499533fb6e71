"""LL105 network-call-without-timeout through the real CLI: libraries, sessions, reachability."""

from __future__ import annotations

from helpers import check_json, ids_and_lines, write


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
    write(tmp_path, {"template.yaml": """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Timeout: 10
              Role: arn:aws:iam::123456789012:role/r
              Code:
                ZipFile: |
                  import urllib.request
                  def handler(event, context):
                      return urllib.request.urlopen(event["ResponseURL"]).read()
        """})
    findings = check_json(["template.yaml"], tmp_path, "--select", "LL105")
    assert ids_and_lines(findings) == [("LL105", 13)]
