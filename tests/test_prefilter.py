"""The text pre-filter never changes a finding: every Python program the tests hold, the rule
pages' examples, the example app and a generated repository give the same findings with and
without it, and it does skip files (or it would prove nothing)."""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

from conftest import REPO, run_cli, write
from lambdalint import prefilter, pycheck, registry

PYTHON_IDS = [r.id for r in registry.RULES if r.kind == "python"]
HANDLER_NAMES = ((), ("handler", "lambda_handler", "main", "process", "create"))


def _test_programs() -> List[str]:
    """Every multi-line string constant in the test files that looks like Python, and every
    rule's VALID/INVALID program and page example."""
    found: List[str] = []
    for path in sorted((REPO / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and "\n" in node.value and ("def " in node.value or "import " in node.value)):
                found.append(textwrap.dedent(node.value).lstrip("\n"))
    for info in registry.RULES:
        if info.kind == "python":
            cls = info.load()
            found.extend(cls.VALID + cls.INVALID)
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
    assert needed(text("import boto3\n"), PYTHON_IDS, {}) == ["LL102"]
    assert needed(text("x.invoke()\n"), PYTHON_IDS, {}) == ["LL103"]
    assert needed(text('API_KEY = "x"\n'), PYTHON_IDS, {}) == ["LL101"]
    assert needed(text('k = "\\x41KIA2E3MQ4R5T6Y7U2I3"\n'), PYTHON_IDS, {}) == ["LL101"]
    # A rule without an entry always runs.
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
