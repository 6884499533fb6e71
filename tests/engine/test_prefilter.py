"""The text pre-filter never changes a finding: every Python program the tests hold, the rule
pages' examples, the example app and a generated repository give the same findings with and
without it, and it does skip files (or it would prove nothing)."""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

from helpers import REPO, run_cli, write
from lambdalint import prefilter, pycheck, registry

PYTHON_IDS = [r.id for r in registry.RULES if r.checks_code]
HANDLER_NAMES = ((), ("handler", "lambda_handler", "main", "process", "create"))


def _test_programs() -> List[str]:
    """Every multi-line string constant in the test files that looks like Python, and every
    rule's VALID/INVALID program and page example."""
    found: List[str] = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and "\n" in node.value and ("def " in node.value or "import " in node.value)):
                found.append(textwrap.dedent(node.value).lstrip("\n"))
    for info in registry.RULES:
        if info.checks_code:
            cls = info.load_code()
            found.extend(c if isinstance(c, str) else c[0] for c in cls.VALID + cls.INVALID)
    for page in sorted((REPO / "rules").glob("LL*.md")):
        text = page.read_text(encoding="utf-8")
        found.extend(re.findall(r"```python[^\n]*\n(.*?)```", text, re.S))
    return found


TRICKY = [
    # Secret-like names and credential shapes the raw text does not spell.
    'x = {"pa" "ssword": "Vq8#zL2m!x"}\n',
    'CONFIG = dict(pa\\\n=1)\n',
    'ID = "\\x41KIA2E3MQ4R5T6Y7U2I3"\n',
    'ID = "AK" "IA2E3MQ4R5T6Y7U2I3"\n',
    'ID = "AK" + "IA2E3MQ4R5T6Y7U2I3"\n',
    'URL = "mysql://app:Vf83kdm2q@prod.example-db.internal/app"\n',
    'contrasena = "Vq8#zL2m!x9"\n',
    'DB_PW_PROD = "Vq8#zL2m!x9"\n',
    'motdepasse = "Vq8#zL2m!x9"\n',
    # Clients through aliases and sessions, invoke through an alias.
    'import boto3 as b\n\ndef handler(event, context):\n    return b.client("s3")\n',
    'from boto3 import client as c\n\ndef handler(event, context):\n    return c("s3")\n',
    'import boto3\nS = boto3.Session()\n\ndef handler(event, context):\n    return S.client("s3")\n',
    'import redis\n\ndef handler(event, context):\n    return redis.Redis(host="h").get("k")\n',
    'from boto3 import client\nlam = client("lambda")\n\ndef handler(event, context):\n'
    '    return lam.invoke(FunctionName="f")\n',
    # No rule can fire: parsed by Python only.
    'def add(a, b):\n    return a + b\n',
    '"""docs"""\nimport math\n\nprint(math.pi)\n',
    # Syntax errors, with and without anything a rule looks for: LL001 either way.
    'def broken(:\n    pass\n',
    'import boto3\ndef handler(event, context):\n    s3 = boto3.client("s3"\n',
    'match x:\n    case 1:\n        pass\n',
    'type Alias = list[int]\n',
    'x = (' * 120 + '1' + ')' * 120 + '\n',
    'x = 1' + ' + 1' * 3000 + '\n',
    'print "python 2"\n',
    '\tif True:\n  pass\n',
    '',
    '# only a comment\n',
]


def _outcomes(text: str, names, want_actions: bool, options=None):
    data = text.encode("utf-8")
    options = options or {}
    on = pycheck.check_data(data, "app.py", PYTHON_IDS, options, names, want_actions, True)
    off = pycheck.check_data(data, "app.py", PYTHON_IDS, options, names, want_actions, False)
    return on, off


def test_every_test_program_gives_the_same_findings_with_and_without_the_prefilter():
    programs = _test_programs() + TRICKY
    assert len(programs) > 200
    skipped = 0
    for text in programs:
        for names in HANDLER_NAMES:
            on, off = _outcomes(text, names, want_actions=bool(names))
            assert (on.findings, on.actions) == (off.findings, off.actions), text[:300]
            skipped += not on.parsed
    assert skipped > 50  # the pre-filter does skip files


def test_rule_options_widen_the_prefilter():
    text = "import mylib\n\ndef handler(event, context):\n    return mylib.connect()\n"
    on, off = _outcomes(text, (), False, {"LL102": {"extra-clients": ["mylib.connect"]}})
    assert [f.rule for f in on.findings] == [f.rule for f in off.findings] == ["LL102"]
    text = 'WIDGET_PIN = "4817-Xq9z-1274"\n'
    options = {"LL101": {"extra-secret-names": ["widget-pin"]}}
    on, off = _outcomes(text, (), False, options)
    assert on.findings == off.findings
    assert prefilter.rules_needed(prefilter.Text(text), ["LL101"], options) == ["LL101"]
    assert prefilter.rules_needed(prefilter.Text(text), ["LL101"], {}) == []


def test_what_each_rule_needs():
    needed = prefilter.rules_needed
    text = prefilter.Text
    assert needed(text("def add(a, b):\n    return a + b\n"), PYTHON_IDS, {}) == []
    # A client made at import time, an invoke at import time: the ast gate clears them.
    assert needed(text("import boto3\n"), PYTHON_IDS, {}) == []
    assert needed(text("import boto3\nS3 = boto3.client('s3')\n"), PYTHON_IDS, {}) == []
    assert needed(text("x.invoke()\n"), PYTHON_IDS, {}) == []
    assert needed(text("import boto3\ndef f():\n    boto3.client('s3')\n"), PYTHON_IDS,
                  {}) == ["LL102"]
    assert needed(text("def f(x):\n    x.invoke()\n"), PYTHON_IDS, {}) == ["LL103"]
    # A file Python cannot parse keeps the text tests alone.
    assert needed(text("import boto3\nx.invoke(\n"), PYTHON_IDS, {}) == ["LL102", "LL103"]
    assert needed(text('API_KEY = "k3y-9f8a7b6c5d4e"\n'), PYTHON_IDS, {}) == ["LL101"]
    # A secret-like name bound to no value the rule reports: the ast gate clears it.
    assert needed(text('API_KEY = "x"\n'), PYTHON_IDS, {}) == []
    assert needed(text('k = "\\x41KIA2E3MQ4R5T6Y7U2I3"\n'), PYTHON_IDS, {}) == ["LL101"]
    # A rule without a gate always runs.
    assert needed(text("pass\n"), ["LL199"], {}) == ["LL199"]


def _tree(root: Path) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(root / "repo", 24, seed=7)
    programs = _test_programs() + TRICKY
    write(root / "repo", {f"snippets/s{i:03d}/app.py": text.encode("utf-8")
                          for i, text in enumerate(programs)})
    return root / "repo"


def test_the_cli_reports_the_same_with_and_without_the_prefilter(tmp_path, monkeypatch):
    repo = _tree(tmp_path)
    args = ["check", "--no-cache", "--format", "json", "--exit-zero", "."]
    code, with_filter, err = run_cli(args, cwd=repo)
    assert code == 0, err
    monkeypatch.setenv(prefilter.ENV_DISABLE, "1")
    code, without_filter, err = run_cli(args, cwd=repo)
    assert code == 0, err
    findings = json.loads(with_filter)["findings"]
    assert findings == json.loads(without_filter)["findings"]
    rules = {f["rule"] for f in findings}
    assert {"LL001", "LL101", "LL102", "LL103", "LL201"} <= rules


# -- the ast gate ---------------------------------------------------------------------------------

_HEAD = "import boto3\n\n"

# Programs in which LL102 or LL103 may fire through something a callee's last name hides; each
# must give the same findings with the ast gate as without any pre-filter, and the rule must
# fire (or the case proves nothing).
GATE_FIRES = [
    ("LL102", "from boto3 import client as mk\n\ndef handler(event, context):\n"
              "    return mk('s3').list_buckets()\n"),
    ("LL102", "import boto3.session as bs\n\ndef handler(event, context):\n"
              "    return bs.Session().client('s3').list_buckets()\n"),
    ("LL102", _HEAD + "def handler(event, context):\n"
              "    make = lambda: boto3.client('s3')\n    return make().list_buckets()\n"),
    ("LL102", _HEAD + "def handler(event, context):\n"
              "    return [boto3.client('s3') for _ in event['items']]\n"),
    ("LL102", _HEAD + "class Service:\n    def __init__(self):\n"
              "        self.s3 = boto3.client('s3')\n\n"
              "def handler(event, context):\n    return Service().s3.list_buckets()\n"),
    ("LL102", _HEAD + "def handler(event, context):\n    def inner():\n"
              "        return boto3.client('s3')\n    return inner().list_buckets()\n"),
    ("LL102", "import boto3\nfrom boto3 import Session as S\n\ndef handler(event, context):\n"
              "    return S().client('s3').list_buckets()\n"),
    ("LL102", "import redis as r\n\ndef handler(event, context):\n"
              "    return r.Redis(host='h').get('k')\n"),
    ("LL103", _HEAD + "lam = boto3.client('lambda')\n\ndef handler(event, context):\n"
              "    kwargs = {'FunctionName': 'f'}\n    return lam.invoke(**kwargs)\n"),
    ("LL103", _HEAD + "class Caller:\n    def __init__(self):\n"
              "        self.lam = boto3.client('lambda')\n\n    def call(self):\n"
              "        return self.lam.invoke(FunctionName='f')\n\n"
              "def handler(event, context):\n    return Caller().call()\n"),
    ("LL103", "from boto3 import client as mk\nlam = mk('lambda')\n\n"
              "def handler(event, context):\n    return lam.invoke(FunctionName='f')\n"),
    ("LL103", _HEAD + "lam = boto3.client('lambda')\n\ndef handler(event, context):\n"
              "    call = lambda: lam.invoke(FunctionName='f')\n    return call()\n"),
]

# Cases the gate must not clear, whether or not the rule then fires: a callee the syntax does
# not name, a client in a decorator or a default, a constructor called through ``getattr``.
GATE_KEEPS = [
    ("LL102", _HEAD + "def handler(event, context):\n"
              "    return getattr(boto3, 'client')('s3').list_buckets()\n"),
    ("LL102", _HEAD + "def handler(event, context, s3=boto3.client('s3')):\n"
              "    return s3.list_buckets()\n"),
    ("LL102", _HEAD + "def deco(f):\n    return f\n\n"
              "def handler(event, context):\n    @deco(boto3.client('s3'))\n"
              "    def inner():\n        pass\n    return inner\n"),
    ("LL102", _HEAD + "mk = boto3.client\n\ndef handler(event, context):\n"
              "    return mk('s3').list_buckets()\n"),
    ("LL102", _HEAD + "def handler(event, context):\n    factories = [boto3.client]\n"
              "    return factories[0]('s3')\n"),
    ("LL103", _HEAD + "lam = boto3.client('lambda')\n\ndef handler(event, context):\n"
              "    return lam.invoke_with_response_stream(FunctionName='f')\n"),
]

# The clean, common shapes: no rule that needs LibCST's scopes can fire, and the AWS actions
# come from the ast alone (parsed stays False), the same as LibCST's.
GATE_CLEARS = [
    _HEAD + "s3 = boto3.client('s3')\nTABLE = boto3.resource('dynamodb').Table('t')\n\n"
    "def handler(event, context):\n    s3.put_object(Bucket='b', Body=b'x')\n"
    "    TABLE.put_item(Item={})\n    return s3.get_paginator('list_objects_v2')\n",
    _HEAD + "lam = boto3.client('lambda')\n\ndef handler(event, context):\n"
    "    return lam.get_account_settings()\n",
    _HEAD + "sfn = boto3.client(service_name='stepfunctions')\n\n"
    "def handler(event, context):\n    return sfn.start_execution(stateMachineArn='a')\n",
    _HEAD + "x = boto3.client('s3')\nx.invoke()\n\ndef handler(event, context):\n    return 1\n",
    "import json\n\ndef handler(event, context):\n    return json.dumps(event)\n",
]

# The ast reading of the actions against LibCST's: aliases, session chains, service names
# LibCST reads differently from Python, decorators that read a client before the body binds it.
ACTION_CASES = GATE_CLEARS + [text for _, text in GATE_FIRES + GATE_KEEPS] + [
    "from boto3 import client as mk\nsqs = mk('sqs')\n\ndef handler(event, context):\n"
    "    return sqs.send_message(QueueUrl='q', MessageBody='m')\n",
    _HEAD + "sqs = boto3.Session().client('sqs')\n\ndef handler(event, context):\n"
    "    return sqs.send_message(QueueUrl='q', MessageBody='m')\n",
    _HEAD + "s3 = boto3.client('s' '3')\n\ndef handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "s3 = boto3.client('\\x733')\n\ndef handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "s3 = boto3.client(f's3')\n\ndef handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "s3 = boto3.client(b's3')\n\ndef handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "s3 = boto3.client(('s3'))\n\ndef handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "args = ['s3']\ns3 = boto3.client(*args)\n\ndef handler(event, context):\n"
    "    return s3.get_object()\n",
    _HEAD + "s3 = boto3.client(region_name='eu-west-1', service_name='s3')\n\n"
    "def handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "kw = {'service_name': 's3'}\ns3 = boto3.client(**kw)\n\n"
    "def handler(event, context):\n    return s3.get_object()\n",
    _HEAD + "db = boto3.resource('dynamodb')\nt = db.Table('t')\n\n"
    "def handler(event, context):\n    t.get_item(Key={})\n    return db.meta.client.scan()\n",
    _HEAD + "class C:\n    def __init__(self):\n        self.ddb = boto3.client('dynamodb')\n\n"
    "    def get(self):\n        return self.ddb.get_item(TableName='t')\n",
    _HEAD + "def deco(x):\n    return lambda f: f\n\n@deco(s3.head_object())\ndef handler(event, context):\n"
    "    return 1\n\ns3 = boto3.client('s3')\n",
    _HEAD + "try:\n    s3 = boto3.client('s3')\nexcept s3.get_error():\n    pass\n"
    "else:\n    s3.delete_object()\nfinally:\n    s3.close()\n",
    _HEAD + "for s3 in [boto3.client('s3')]:\n    s3.get_object()\nwhile s3.list_buckets():\n"
    "    s3 = boto3.client('sns')\n    s3.publish()\n",
    _HEAD + "def f():\n    a = b = boto3.client('apigatewaymanagementapi')\n"
    "    a.post_to_connection()\n    b.get_connection()\n",
    _HEAD + "s3 = boto3.client('s3')\nfn = getattr(s3, 'get_object')\nfn()\n"
    "clients = {'s3': s3}\nclients['s3'].put_object()\n",
    "import aioboto3, botocore.session\n"
    "c = botocore.session.get_session().create_client('kinesis')\n"
    "def handler(event, context):\n    return c.put_record()\n",
    'import boto3\nsecrets = boto3.client("secretsmanager")\nAPI_KEY_NAME = "x"\n\n'
    "def handler(event, context):\n    return secrets.get_secret_value(SecretId=API_KEY_NAME)\n",
]


def _rules(findings) -> List[str]:
    return sorted({f.rule for f in findings})


@pytest.mark.parametrize("rule, text", GATE_FIRES)
def test_the_ast_gate_keeps_what_fires(rule, text):
    for names in HANDLER_NAMES[1:]:
        on, off = _outcomes(text, names, want_actions=True)
        assert (on.findings, on.actions) == (off.findings, off.actions)
        assert rule in _rules(on.findings), text
    assert rule in prefilter.rules_needed(prefilter.Text(text), PYTHON_IDS, {})


@pytest.mark.parametrize("rule, text", GATE_KEEPS)
def test_the_ast_gate_keeps_what_it_cannot_judge(rule, text):
    assert rule in prefilter.rules_needed(prefilter.Text(text), PYTHON_IDS, {})
    for names in HANDLER_NAMES:
        on, off = _outcomes(text, names, want_actions=bool(names))
        assert (on.findings, on.actions) == (off.findings, off.actions)


@pytest.mark.parametrize("text", GATE_CLEARS)
def test_the_ast_gate_clears_clean_handlers(text):
    assert prefilter.rules_needed(prefilter.Text(text), ["LL102", "LL103"], {}) == []
    on, off = _outcomes(text, HANDLER_NAMES[1], want_actions=True)
    assert (on.findings, on.actions) == (off.findings, off.actions)
    assert not on.parsed and off.parsed


def test_clean_handler_actions_without_libcst():
    on, off = _outcomes(GATE_CLEARS[0], HANDLER_NAMES[1], want_actions=True)
    assert on.actions == off.actions == ["dynamodb:PutItem", "s3:ListBucket",
                                          "s3:PutObject"]  # the paginator lists
    assert not on.parsed


@pytest.mark.parametrize("text", ACTION_CASES)
def test_actions_from_ast_equal_libcst(text):
    view = prefilter.Text(text)
    from_ast = prefilter.actions_from_ast(view)
    off = pycheck.check_data(text.encode(), "app.py", [], {}, HANDLER_NAMES[1], True, False)
    if from_ast is not None:
        assert from_ast == off.actions, text
    on = pycheck.check_data(text.encode(), "app.py", PYTHON_IDS, {}, HANDLER_NAMES[1], True, True)
    full = pycheck.check_data(text.encode(), "app.py", PYTHON_IDS, {}, HANDLER_NAMES[1], True, False)
    assert (on.findings, on.actions) == (full.findings, full.actions)


def test_actions_from_ast_defers_to_libcst_where_names_resolve():
    aliased = "from boto3 import client as mk\nsqs = mk('sqs')\nsqs.send_message()\n"
    chained = _HEAD + "sqs = boto3.Session().client('sqs')\nsqs.send_message()\n"
    escaped = _HEAD + "s3 = boto3.client('\\x733')\ns3.get_object()\n"
    for text in (aliased, chained, escaped):
        assert prefilter.actions_from_ast(prefilter.Text(text)) is None
    plain = _HEAD + "sqs = boto3.client('sqs')\nsqs.send_message()\n"
    assert prefilter.actions_from_ast(prefilter.Text(plain)) == ["sqs:SendMessage"]


def test_ast_gate_honours_extra_clients():
    text = "import mylib.db as m\n\ndef handler(event, context):\n    return m.open_pool()\n"
    options = {"LL102": {"extra-clients": ["mylib.db.open_pool"]}}
    assert prefilter.rules_needed(prefilter.Text(text), ["LL102"], options) == ["LL102"]
    assert prefilter.rules_needed(prefilter.Text(text), ["LL102"], {}) == []
    on, off = _outcomes(text, (), False, options)
    assert on.findings == off.findings
    assert _rules(on.findings) == ["LL102"]


TEST_PATHS = ["tests/test_app.py", "test_app.py", "src/app_test.py", "conftest.py",
              "testing/helpers.py"]


def test_test_files_by_path_give_the_same_findings():
    """In a test file LL101 looks only at shapes and LL102/LL103 are silent: the pre-filter
    reads the path as handler analysis does."""
    programs = _test_programs() + TRICKY + [t for _, t in GATE_FIRES + GATE_KEEPS]
    fired = set()
    for i, text in enumerate(programs):
        path = TEST_PATHS[i % len(TEST_PATHS)]
        data = text.encode("utf-8")
        on = pycheck.check_data(data, path, PYTHON_IDS, {}, HANDLER_NAMES[1], False, True)
        off = pycheck.check_data(data, path, PYTHON_IDS, {}, HANDLER_NAMES[1], False, False)
        assert on.findings == off.findings, (path, text[:300])
        fired.update(f.rule for f in on.findings)
    assert "LL101" in fired  # strong shapes still count in tests


def test_what_a_test_file_needs():
    needed = prefilter.rules_needed
    mocked = ('import boto3\nfrom unittest import mock\n\ndef test_it():\n'
              '    password = "Vq8#zL2m!x"\n    s3 = boto3.client("s3")\n'
              '    s3.invoke()\n')
    assert needed(prefilter.Text(mocked, "tests/test_app.py"), PYTHON_IDS, {}) == []
    assert needed(prefilter.Text(mocked, "app.py"), PYTHON_IDS, {}) == ["LL101", "LL102", "LL103"]
    key = 'def test_it():\n    k = "AKIA2E3MQ4R5T6Y7U2I3"\n'
    assert needed(prefilter.Text(key, "tests/test_app.py"), PYTHON_IDS, {}) == ["LL101"]
    on = pycheck.check_data(key.encode(), "tests/test_app.py", PYTHON_IDS, {}, (), False, True)
    assert [f.rule for f in on.findings] == ["LL101"]


# -- the gates, read from the rule modules' text ---------------------------------------------


@pytest.mark.parametrize("rule_id", PYTHON_IDS)
def test_a_gate_read_from_the_text_is_the_modules_own(rule_id):
    """Gates are compiled from the rule module's text (importing it would import LibCST): the
    function must be the very one the module defines."""
    module = importlib.import_module(registry.get(rule_id).code_module)
    gate = prefilter.gate_of(rule_id)
    assert gate is not None and gate.__code__ == module.gate.__code__
    assert gate.__module__ == module.__name__


def test_a_gate_sees_the_literal_constants_above_it_and_ends_at_the_next_statement():
    text = ('import libcst\nWORDS = ("a", "b")\nLATER = compute()\n\n'
            'def gate(\n    text, options\n):\n    # a comment at column 4\n'
            '    return any(w in text for w in WORDS)\n# a comment\n\nclass Rule(Base):\n    pass\n')
    gate = prefilter.read_gate(text, "lambdalint.rules.ll999_example")
    assert gate("xbx", {}) and not gate("xyz", {})
    assert prefilter.read_gate("META = 1\n", "m") is None


# -- LL101 on the ast ---------------------------------------------------------------------------

# Every site and string shape LL101 reads, written the ways where Python's ast and LibCST see
# different text (escapes and doubled braces in f-strings, ``{x=}``, implicit concatenation,
# bytes, names carrying a literal into a call): the rule fires in each, so the gate must pass it.
LL101_FIRES = [
    'KEY = f"AKIA2E3MQ4R5T6Y7U2I3{{x}}"\n',
    'x = 1\nKEY = f"{x=}AKIA2E3MQ4R5T6Y7U2I3"\n',
    'URL = "mysql://app:" "Vf83kdm2q@prod.example-db.internal/app"\n',
    'URL = "mysql://app:" + "Vf83kdm2q@prod.example-db.internal/app"\n',
    'DB_PASSWORD = f"Vq8#zL2m!x"\n',
    'DB_PASSWORD = b"Vq8#zL2m!x".decode("utf-8")\n',
    'DB_PASSWORD = "Vq8#" + "zL2m!x"\n',
    'user, DB_PASSWORD = "app", "Vq8#zL2m!x"\n',
    'cfg = {}\ncfg["db_password"] = "Vq8#zL2m!x"\n',
    'cfg = {b"db_password": "Vq8#zL2m!x"}\n',
    'class Conf:\n    api_token: str = "tok-9f8a7b6c5d"\n',
    'class Conn(Base, password="Vq8#zL2m!x"):\n    pass\n',
    'f = lambda user, password="Vq8#zL2m!x": user\n',
    'def connect(*, host, password="Vq8#zL2m!x"):\n    pass\n',
    'def connect(host, /, password="Vq8#zL2m!x"):\n    pass\n',
    'def check(password):\n    return password == "Vq8#zL2m!x"\n',
    'def check(req):\n    return "Vq8#zL2m!x" != req.password\n',
    'import os\nos.environ.setdefault("DB_PASSWORD", "Vq8#zL2m!x")\n',
    'import os\nDB = os.getenv("DB_PASS", "s3cure-ish")\n',
    'from os import environ\nDB = environ.get("API_KEY", "fallback99")\n',
    'import redis\nr = redis.Redis("cache.internal", 6379, 0, "r3dis-pw")\n',
    'import redis\npw = "r3dis-pw"\nr = redis.StrictRedis("cache.internal", 6379, 0, pw)\n',
    'import pg\ndb = pg.DB("orders", "db.internal", 5432, None, "app", "pgpw-123")\n',
    'import jwt\nt = jwt.encode({"sub": 1}, "jwt-key-1")\n',
    'import boto3\nsecret = "Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q"\n'
    's = boto3.Session("AKIA2E3MQ4R5T6Y7U2I3X", secret)\n',
    'import requests\nrequests.get("https://api.internal", auth=("user", "pw12345"))\n',
    # Keys by position to a session, of no credential shape: the text test once missed them.
    'import boto3\ns = boto3.Session("Vq8#zL2m!x9Kp3$Tr7wQ2", "Vq8#zL2m!x9Kp3$Tr7wQ2")\n',
    'import boto3\nvalue = "Zx9bQ2mR7tL4kP8wN3vC6yH1jD5sF0gA/eU+iO2q"\n'
    'c = boto3.client("s3", aws_secret_access_key=value)\n',
    'HEADER = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x"\n',
    'def handler(event, context):\n    """Connect with mysql://app:Vf83kdm2q@prod.db.internal/app."""\n'
    '    return "ghp_" "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"\n',
    'match x:\n    case {"password": "Vq8#zL2m!x"}:\n        pass\nAPI_KEY = "k3y-9f8a7b6c5d4e"\n',
]

# Where LibCST reads raw text the ast decodes (or the rule's reading gives up): the same
# findings either way, whatever the rule then says.
LL101_SAME = [
    'KEY = f"\\x41KIA2E3MQ4R5T6Y7U2I3"\n',
    'URL = f"mysql://app:{\'Vf83kdm2q\'}@prod.example-db.internal/app"\n',
    'import os\nos.putenv(*["DB_PASSWORD"], "Vq8#zL2m!x")\n',
    'KEY = f"AKIA2E3MQ4R5T6Y7U2I3\\n{{}}"\nX = f"{KEY=}"\n',
    'DSN = f"postgresql://app:{{pw}}@orders.abc123.eu-west-1.rds.amazonaws.com/orders"\n',
]

# Handlers full of secret-like words and no credential: the text test lets them through, the
# ast gate must not (or the gate saves nothing).
LL101_CLEARS = [
    'import os\nimport boto3\n\nsecrets = boto3.client("secretsmanager")\n'
    'API_KEY_NAME = os.environ["API_KEY_NAME"]\n\ndef handler(event, context):\n'
    '    token = event["headers"].get("authorization", "")\n'
    '    secret = secrets.get_secret_value(SecretId=API_KEY_NAME)["SecretString"]\n'
    '    return {"token": token, "key": event.get("key"), "password": None}\n',
    'def handler(event, context):\n    password = event["password"]\n'
    '    if password == "":\n        return {"error": "password required"}\n'
    '    return {"next_token": event.get("NextToken"), "url": f"https://{event[\'host\']}/x"}\n',
    'KEY_PREFIX = "uploads/"\nTOKEN_TYPE = "Bearer"\nSECRET_ARN = "arn:aws:secretsmanager:'
    'eu-west-1:123456789012:secret:prod/db-AbCdEf"\n',
]


@pytest.mark.parametrize("text", LL101_FIRES)
def test_ll101_ast_gate_keeps_every_site(text):
    view = prefilter.Text(text, "app.py")
    assert prefilter.rules_needed(view, ["LL101"], {}) == ["LL101"], text
    for names in HANDLER_NAMES:
        on, off = _outcomes(text, names, want_actions=False)
        assert on.findings == off.findings
        assert "LL101" in _rules(off.findings), text


@pytest.mark.parametrize("text", LL101_SAME)
def test_ll101_ast_gate_where_ast_and_libcst_read_differently(text):
    for names in HANDLER_NAMES:
        on, off = _outcomes(text, names, want_actions=False)
        assert on.findings == off.findings


@pytest.mark.parametrize("text", LL101_CLEARS)
def test_ll101_ast_gate_clears_secret_words_without_a_secret(text):
    assert prefilter.rules_needed(prefilter.Text(text, "app.py"), ["LL101"], {}) == []
    on, off = _outcomes(text, HANDLER_NAMES[1], want_actions=False)
    assert on.findings == off.findings
    assert "LL101" not in _rules(off.findings)


def test_ll101_ast_gate_honours_extra_secret_names():
    text = 'WIDGET_PIN = "4817-Xq9z-1274"\nwidget_pin = WIDGET_PIN\n'
    options = {"LL101": {"extra-secret-names": ["widget-pin"]}}
    assert prefilter.rules_needed(prefilter.Text(text), ["LL101"], options) == ["LL101"]
    on, off = _outcomes(text, (), False, options)
    assert on.findings == off.findings and _rules(on.findings) == ["LL101"]


def test_ll101_positional_table_is_the_rules():
    """The ast gate keeps a copy of LL101's positional table (that module imports LibCST)."""
    from lambdalint.analysis import secret_sites
    from lambdalint.rules import _credential_calls

    assert secret_sites.POSITIONAL_SECRETS == _credential_calls.POSITIONAL_SECRETS


# -- LL104 and LL107 on the ast ------------------------------------------------------------------

@pytest.mark.parametrize("rule, text, needed", [
    ("LL104", "async def handler(event, context):\n    return 1\n", True),
    ("LL104", "import asyncio\n\nasync def main(event):\n    return 1\n\n"
              "def handler(event, context):\n    return asyncio.run(main(event))\n", False),
    ("LL104", "@app.route('/')\nasync def handler(event, context):\n    return 1\n", False),
    ("LL104", "class A:\n    async def handler(self, event, context):\n        return 1\n", True),
    ("LL107", "import boto3\ns3 = boto3.client('s3', region_name='eu-west-1')\n", True),
    ("LL107", "import boto3\nREGION = 'eu-west-1'\n\ndef handler(event, context):\n"
              "    return boto3.client('s3', region_name=REGION)\n", True),
    ("LL107", "import boto3\ns3 = boto3.client('s3', endpoint_url="
              "'https://s3.eu-west-1.amazonaws.com')\n", True),
    ("LL107", "import boto3, os\n# deployed to eu-west-1\n"
              "s3 = boto3.client('s3', region_name=os.environ['AWS_REGION'])\n", False),
    ("LL107", "import boto3\nREGION = 'eu-west-1'\nREGION = 'us-east-1'\n"
              "s3 = boto3.client('s3', region_name=REGION)\n", False),
    # The rule's pattern ends in ``$``, which also matches before a final newline.
    ("LL107", "import boto3\ns3 = boto3.client('s3', region_name='eu-west-1\\n')\n", True),
])
def test_ast_gates_of_ll104_and_ll107(rule, text, needed):
    assert (rule in prefilter.rules_needed(prefilter.Text(text), [rule], {})) is needed
    for names in HANDLER_NAMES:
        on, off = _outcomes(text, names, want_actions=False)
        assert on.findings == off.findings, text
