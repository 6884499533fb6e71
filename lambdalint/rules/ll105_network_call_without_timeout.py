"""LL105 network-call-without-timeout: an HTTP call in handler code that may wait forever."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import libcst as cst

from lambdalint.rules._bindings import NameValues
from lambdalint.analysis.client_kinds import CONSTRUCTORS, SDK
from lambdalint.rules._linked_timeout import (BOTOCORE_READ_TIMEOUT, budget, describe, numbers,
                                              shortest)
from lambdalint.rules._syntax import last_name, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL105",
    name="network-call-without-timeout",
    severity="warning",
    summary="An HTTP call in handler code has no timeout: a slow dependency eats the invocation.",
    kind="python",
    tags=("reliability", "performance"),
    reports="a `requests`/`urllib`/`urllib3`/`aiohttp` call (or `httpx` with `timeout=None`) "
            "without a timeout, in code a handler runs; with the function's timeout from its "
            "config: a timeout longer than it, a boto3 client left at the 60 s read timeout",
    covers=("yes", "inline code", "", "", "inline code"),
)

LIBRARIES = ("requests", "httpx", "urlopen", "urllib3", "aiohttp")
MODULES = ("requests", "httpx", "urllib", "urllib2", "urllib3", "aiohttp")
# Last names of the calls the rule judges: module functions and session methods.
CALL_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "request", "send",
              "urlopen", "stream", "ClientSession", "Client", "AsyncClient")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL105 cannot report in the file: an HTTP library is imported in it, and
    a call of one of its functions or session methods (or of an alias) sits inside a function;
    or a boto3 client may be built in a file a function with a timeout under 60 s runs."""
    if text.is_test_path:
        return False
    if "boto" in text.text and ("client" in text.text or "resource" in text.text) and any(
            f.timeout is not None and f.timeout < 60 for _, fs in text.linked for f in fs):
        return True
    if not any(name in text.text for name in LIBRARIES):
        return False
    facts = text.facts
    if facts is None:
        return True
    import ast

    imported = False
    for node in ast.walk(text.tree):  # type: ignore[arg-type]
        if isinstance(node, ast.Import):
            imported = any(a.name.split(".")[0] in MODULES for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported = node.module.split(".")[0] in MODULES
        if imported:
            break
    if not imported:
        return False  # every call the rule judges resolves to one of these modules
    if facts.opaque_call_in_function:
        return True
    return bool(facts.callees_in_functions & (set(CALL_NAMES) | facts.aliases))


VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
# Module functions that take ``timeout`` and wait without one (requests: forever; urlopen: the
# socket default, none unless set).
REQUESTS_FUNCTIONS = frozenset(f"requests.{v}" for v in VERBS) | frozenset(
    f"requests.api.{v}" for v in VERBS)
URLOPEN = frozenset({"urllib.request.urlopen", "urllib2.urlopen"})
URLLIB3_FUNCTIONS = frozenset({"urllib3.request"})
AIOHTTP_FUNCTIONS = frozenset({"aiohttp.request", "aiohttp.client.request"})
# httpx waits 5 s by default: only ``timeout=None`` turns that off.
HTTPX_FUNCTIONS = frozenset(f"httpx.{v}" for v in VERBS | {"stream"})
HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
# Session constructors -> the library (what the wording says about its default).
SESSIONS: Dict[str, str] = {
    **{name: "requests" for name in ("requests.Session", "requests.session",
                                     "requests.sessions.Session", "requests.sessions.session")},
    **{name: "urllib3" for name in ("urllib3.PoolManager", "urllib3.poolmanager.PoolManager",
                                    "urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool",
                                    "urllib3.connection_from_url")},
    **{name: "aiohttp" for name in ("aiohttp.ClientSession", "aiohttp.client.ClientSession")},
}
SESSION_METHODS = {
    "requests": VERBS | {"send"},
    "urllib3": frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    "aiohttp": VERBS | {"ws_connect"},
}
DEFAULTS = {
    "requests": "requests has no default timeout: it waits until the function times out",
    "urlopen": "urlopen without a timeout uses the socket default, which is no timeout at all",
    "urllib3": "urllib3's default timeout is the socket default, which is no timeout at all",
    "aiohttp": "aiohttp's default is a 300 s total timeout, longer than most functions run",
    "httpx": "timeout=None turns off httpx's 5 s default: the call may wait until the function "
             "times out",
}
MAX_DEPTH = 4


def _template(timeout: str) -> str:
    """A SAM template running ``app.handler`` with ``timeout``: the cases that need a config."""
    return ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
            f"      Handler: app.handler\n      CodeUri: .\n      {timeout}\n")

HTTP_CALLS = (REQUESTS_FUNCTIONS | URLOPEN | URLLIB3_FUNCTIONS | AIOHTTP_FUNCTIONS | HTTPX_FUNCTIONS
              | HTTPX_CLIENTS | frozenset(SESSIONS))
# boto3/botocore client constructors (``analysis.client_kinds``): the last name, then the qualified one.
BOTO3_FACTORIES = frozenset({"client", "resource", "create_client"})
SDK_FACTORIES = frozenset(name for name, kind in CONSTRUCTORS.items() if kind is SDK)


class NetworkCallWithoutTimeout(NameValues, PythonRule):
    """HTTP calls without a timeout in code a handler runs per invocation.

    A call that waits on a slow or silent server holds the invocation until the function's own
    timeout kills it: the caller gets a timeout error instead of a quick failure it could retry,
    the function is billed for the whole wait, and a dependency's outage becomes a wall of
    function timeouts. Reported: ``requests`` calls and ``requests.Session`` methods without
    ``timeout=``, ``urllib.request.urlopen`` without one, ``urllib3`` pools and requests with
    neither, ``aiohttp`` sessions and requests with neither, and ``httpx`` calls or clients with
    ``timeout=None`` (httpx otherwise waits 5 s). A call passing ``**kwargs`` may carry a timeout
    and is left alone; so are calls outside handler-reachable code, library code and tests.
    """

    ID = META.id
    VALID = (
        'import requests\n\ndef handler(event, context):\n'
        '    return requests.get(event["url"], timeout=5).json()\n',
        # httpx's default is 5 s.
        'import httpx\n\ndef handler(event, context):\n    return httpx.get(event["url"]).json()\n',
        # A timeout may hide in **kwargs.
        'import requests\n\nOPTS = {"timeout": 3}\n\ndef handler(event, context):\n'
        '    return requests.post(event["url"], json=event, **OPTS).status_code\n',
        # A session whose calls pass a timeout.
        'import requests\n\nhttp = requests.Session()\n\ndef handler(event, context):\n'
        '    return http.get(event["url"], timeout=(2, 5)).json()\n',
        # Not per invocation: a script with no handler.
        'import requests\n\ndef main():\n    return requests.get("https://example.com").text\n',
        # urlopen with a positional timeout; a pool with a default timeout.
        'import urllib.request, urllib3\n\npool = urllib3.PoolManager(timeout=3.0)\n\n'
        'def handler(event, context):\n'
        '    urllib.request.urlopen(event["url"], None, 5)\n'
        '    return pool.request("GET", event["url"])\n',
        # Another library's get: a dict, a client of something else.
        'import requests\n\ndef handler(event, context):\n    cache = {}\n'
        '    return cache.get("k"), event.get("url")\n',
        # An aiohttp session with a session-wide timeout.
        'import asyncio, aiohttp\n\nasync def fetch(url):\n'
        '    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s:\n'
        '        async with s.get(url) as r:\n            return await r.text()\n\n'
        'def handler(event, context):\n    return asyncio.run(fetch(event["url"]))\n',
        # A function that may wait longer than botocore's 60 s; a client with its own read timeout.
        ('import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
         '    return s3.list_buckets()\n', _template("Timeout: 120")),
        ('import boto3\nfrom botocore.config import Config\n\n'
         's3 = boto3.client("s3", config=Config(read_timeout=3))\n\n'
         'def handler(event, context):\n    return s3.list_buckets()\n', _template("Timeout: 10")),
    )
    INVALID = (
        # A Config written for the client that leaves botocore's 60 s read timeout.
        ('import boto3\nfrom botocore.config import Config\n\n'
         's3 = boto3.client("s3", config=Config(retries={"mode": "standard"}))\n\n'
         'def handler(event, context):\n    return s3.list_buckets()\n', _template("Timeout: 10")),
        ('import requests\n\ndef handler(event, context):\n'
         '    return requests.get(event["url"], timeout=30).json()\n', _template("Timeout: 15")),
        'import requests\n\ndef handler(event, context):\n'
        '    return requests.get(event["url"]).json()\n',
        # Imported under another name, in a helper the handler calls.
        'from requests import post as send\n\ndef notify(url, body):\n'
        '    return send(url, json=body)\n\ndef lambda_handler(event, context):\n'
        '    return notify(event["hook"], event)\n',
        'import requests\n\nhttp = requests.Session()\n\ndef handler(event, context):\n'
        '    return http.get(event["url"]).json()\n',
        'from urllib.request import urlopen\n\ndef handler(event, context):\n'
        '    with urlopen(event["url"]) as r:\n        return r.read()\n',
        'import urllib3\n\npool = urllib3.PoolManager()\n\ndef handler(event, context):\n'
        '    return pool.request("GET", event["url"]).data\n',
        'import httpx\n\ndef handler(event, context):\n'
        '    return httpx.get(event["url"], timeout=None).json()\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.handlers.per_invocation)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        func = node.func
        name = last_name(func)
        if name in BOTO3_FACTORIES:
            self._boto3_client(node)
        if name not in CALL_NAMES and not isinstance(func, cst.Name):
            return
        if not self.runs_per_invocation(node):
            return
        found = self._judge(node, func)
        if found is None:
            self._longer_than_function(node, func)
            return
        library, what = found
        function = shortest(self.functions_running(node))
        if function is None:
            self.report(
                node,
                f"`{what}` has no timeout in code the handler runs: {DEFAULTS[library]}; a slow "
                "or silent server holds the invocation (billed) until the function's own "
                "timeout kills it",
                "Pass a timeout well below the function's timeout, e.g. timeout=(3.05, 10) for "
                "requests (connect, read), urlopen(url, timeout=10), "
                "urllib3.PoolManager(timeout=urllib3.Timeout(connect=3, read=10)), "
                "aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)), or an httpx "
                "timeout other than None; then handle the timeout error (retry or fail fast).",
            )
            return
        connect, read = budget(function.timeout or 0)
        self.report(
            node,
            f"`{what}` has no timeout in code the handler runs: {DEFAULTS[library]}; "
            f"{describe(function)}, so a slow or silent server holds the invocation (billed) "
            "until Lambda kills it, and the caller sees a timeout instead of your error",
            f"Pass a timeout below the function's {function.timeout:g} s, e.g. "
            f"{_example(library, connect, read)}, and handle the timeout error (retry or fail "
            "fast).",
        )

    # -- with the function's timeout from its config --------------------------------------------

    def _longer_than_function(self, call: cst.Call, func: cst.BaseExpression) -> None:
        """A timeout argument at least as long as the timeout of a function running the call."""
        if not self._is_http(call, func):
            return
        given = [a for a in call.args if a.keyword is not None and a.keyword.value == "timeout"]
        if not given and self.qualified_names(func) & URLOPEN:
            given = [a for a in call.args if a.keyword is None and not a.star][2:3]
        if not given:
            return
        self._at_least_the_function(call, given[0].value, f"{short_code(func)}(...)",
                                    "its timeout")

    def _at_least_the_function(self, call: cst.Call, timeout: cst.BaseExpression, what: str,
                               which: str) -> None:
        function = shortest(self.functions_running(call))
        if function is None:
            return
        spelled = numbers(timeout, self.values, call)
        if not spelled or max(spelled) < (function.timeout or 0):
            return
        connect, read = budget(function.timeout or 0)
        self.report(
            call,
            f"`{what}` waits up to {max(spelled):g} s ({which}), but {describe(function)}: "
            "Lambda kills the invocation before the call gives up, and the caller sees a "
            "timeout instead of your error",
            f"Lower it below the function's {function.timeout:g} s (e.g. connect {connect:g} s, "
            f"read {read:g} s), leaving time to handle the error; or raise the function's "
            "timeout if the dependency really needs that long.",
        )

    def _boto3_client(self, call: cst.Call) -> None:
        """A boto3 client left at botocore's 60 s read timeout (or given a longer one) in a
        file whose function times out sooner."""
        if not self.qualified_names(call.func) & SDK_FACTORIES:
            return
        if self.enclosing_function(call) is not None and not self.runs_per_invocation(call):
            return
        function = shortest(self.functions_running(call))
        if function is None or (function.timeout or 0) >= BOTOCORE_READ_TIMEOUT:
            return
        what = f"{short_code(call.func)}(...)"
        config = self._config(call)
        if config is None or config == "defaults":
            # A client built with botocore's defaults is every handler's first line: reported,
            # it would be noise on nearly every function; a Config the author wrote and left
            # at the 60 s read timeout (or set longer) is a choice worth a word.
            return
        read = _keyword(config, "read_timeout") if isinstance(config, cst.Call) else None
        if read is not None:
            self._at_least_the_function(call, read, what, "its read_timeout")
            return
        connect, wait = budget(function.timeout or 0)
        self.report(
            call,
            f"`{what}` keeps botocore's 60 s read timeout (and retries it), but "
            f"{describe(function)}: a slow AWS call holds the invocation until Lambda kills it "
            "instead of raising an error the handler could handle",
            f"Give the client a read timeout below the function's {function.timeout:g} s, e.g. "
            f"config=botocore.config.Config(connect_timeout={connect:g}, read_timeout={wait:g}, "
            'retries={"mode": "standard", "total_max_attempts": 2}).',
        )

    def _config(self, call: cst.Call) -> Any:
        """The ``Config(...)`` call a client is built with; the client's call itself when it
        passes none (botocore's defaults); None when lambdalint cannot tell (``**kwargs``, a
        config from elsewhere)."""
        given = None
        for arg in call.args:
            if arg.star == "**":
                return None
            if arg.keyword is not None and arg.keyword.value == "config":
                given = arg.value
        if given is None:
            return "defaults"
        if isinstance(given, cst.Name):
            bound = self.values(given.value, call)
            if len(bound) != 1 or bound[0] is None:
                return None
            given = bound[0]
        if isinstance(given, cst.Call) and last_name(given.func) == "Config" and \
                not any(a.star for a in given.args):
            return given
        return None

    def _is_http(self, call: cst.Call, func: cst.BaseExpression) -> bool:
        names = self.qualified_names(func)
        if names & HTTP_CALLS:
            return True
        if isinstance(func, cst.Attribute):
            library = self._session(func.value, call, 0, any_timeout=True)
            return bool(library) and func.attr.value in SESSION_METHODS[library]
        return False

    # -- what the call is -----------------------------------------------------------------------

    def _judge(self, call: cst.Call, func: cst.BaseExpression) -> Optional[Tuple[str, str]]:
        """(library, what to call it) when ``call`` is an HTTP call without a timeout."""
        names = self.qualified_names(func)
        timeout = _timeout(call)
        if timeout in ("maybe", "set"):
            return None
        code = short_code(func)
        if names & (HTTPX_FUNCTIONS | HTTPX_CLIENTS):
            return ("httpx", f"{code}(...)") if timeout == "off" else None
        if names & REQUESTS_FUNCTIONS:
            return "requests", f"{code}(...)"
        if names & URLOPEN:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            return ("urlopen", f"{code}(...)") if len(positional) < 3 else None
        if names & URLLIB3_FUNCTIONS:
            return "urllib3", f"{code}(...)"
        if names & AIOHTTP_FUNCTIONS:
            return "aiohttp", f"{code}(...)"
        if isinstance(func, cst.Attribute):
            library = self._session(func.value, call, 0)
            if library and func.attr.value in SESSION_METHODS[library]:
                return library, f"{code}(...)"
        return None

    def _session(self, expr: cst.BaseExpression, where: cst.CSTNode, depth: int,
                 any_timeout: bool = False) -> str:
        """The library of the session ``expr`` holds when it was built without a timeout (with
        any, when ``any_timeout``)."""
        if depth > MAX_DEPTH:
            return ""
        if isinstance(expr, cst.Call):
            names = self.qualified_names(expr.func)
            for name in names:
                library = SESSIONS.get(name)
                if library:
                    return library if any_timeout or _timeout(expr) in ("none", "off") else ""
            return ""
        if isinstance(expr, cst.Name):
            values = self.values(expr.value, where)
            if not values or any(v is None for v in values):
                return ""
            found = {self._session(v, v, depth + 1, any_timeout) for v in values
                     if v is not None}
            return found.pop() if len(found) == 1 else ""
        return ""


def _keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == name),
                None)


def _example(library: str, connect: float, read: float) -> str:
    """A timeout of ``connect``/``read`` seconds as ``library`` is given one."""
    total = connect + read
    return {
        "requests": f"timeout=({connect:g}, {read:g}) (connect, read)",
        "urlopen": f"urlopen(url, timeout={total:g})",
        "urllib3": f"urllib3.PoolManager(timeout=urllib3.Timeout(connect={connect:g}, "
                   f"read={read:g}))",
        "aiohttp": f"aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total={total:g}))",
        "httpx": f"timeout=httpx.Timeout({read:g}, connect={connect:g})",
    }[library]


def _timeout(call: cst.Call) -> str:
    """"set", "none" (no timeout argument), "off" (``timeout=None``) or "maybe" (``**kwargs``)."""
    for arg in call.args:
        if arg.star == "**":
            return "maybe"
        if arg.keyword is not None and arg.keyword.value == "timeout":
            value = arg.value
            if isinstance(value, cst.Name) and value.value == "None":
                return "off"
            return "set"
    return "none"


Rule = NetworkCallWithoutTimeout
