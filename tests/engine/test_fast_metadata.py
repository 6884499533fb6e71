"""The rules' cheaper metadata gives what LibCST's providers give: the parent map of
``PythonContext.metadata`` is ``ParentNodeProvider``'s mapping, node for node, over every
Python file of lambdalint itself, its tests and the example app (a few thousand shapes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from helpers import REPO, run_cli
from lambdalint.analysis.handlers import HandlerInfo
from lambdalint.rules.python_rule import PythonContext, parent_map
from lambdalint.sources.python import read


def _python_files() -> List[Path]:
    return sorted([*(REPO / "lambdalint").rglob("*.py"), *(REPO / "examples").rglob("*.py"),
                   *(REPO / "tests" / "rules").glob("test_*.py")])


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_parent_map_is_libcst_parent_provider(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(ParentNodeProvider))
    assert parent_map(module) == expected


def test_rules_get_the_parent_map_through_the_context():
    file = read(b"import boto3\n\ndef handler(event, context):\n    return boto3.client('s3')\n",
                "app.py")
    ctx = PythonContext(file, MetadataWrapper(file.module, unsafe_skip_copy=True), HandlerInfo())
    parents = ctx.metadata(ParentNodeProvider)
    assert parents is ctx.metadata(ParentNodeProvider)  # built once per file
    function = file.module.body[1]
    assert parents[function] is file.module and parents[function.body] is function


# -- qualified names ------------------------------------------------------------------------------

NAME_CASES = [
    "import boto3\nimport requests as rq\nfrom urllib.request import urlopen as uo\n\n"
    "def handler(event, context):\n    boto3.client('s3')\n    rq.get('u')\n    uo('u')\n"
    "    event.get('k')\n    open('f')\n    missing()\n",
    "try:\n    import simplejson as json\nexcept ImportError:\n    import json\n\n"
    "def f():\n    return json.loads('1')\n",
    "import boto3\nboto3 = None\n\ndef f():\n    return boto3.client('s3')\n",
    "import boto3\n\ndef f(boto3):\n    return boto3.client('s3')\n",
    "import boto3\n\ndef f():\n    boto3 = make()\n    return boto3.client('s3')\n",
    "import boto3\n\ndef f():\n    x = boto3.client('s3')\n    boto3 = 1\n    return x\n",
    "import boto3\n\nclass C:\n    boto3 = None\n    def m(self):\n        return boto3.client('s3')\n",
    "import boto3\n\nclass C:\n    def m(self, s3=boto3.client('s3')):\n        return self.s3.get()\n",
    "import boto3\n\ndef outer():\n    s3 = boto3.client('s3')\n    def inner():\n"
    "        return s3.list_buckets()\n    return inner\n",
    "import boto3\n\ndef f():\n    global boto3\n    boto3 = 2\n\ndef g():\n    return boto3.client('s3')\n",
    "import boto3\n\ndef f(items):\n    return [boto3.client(i) for i in items if (boto3 := i)]\n",
    "make()\n\ndef make():\n    return open('f')\nmake()\n",
    "import os.path\nimport os\n\ndef f():\n    return os.path.join('a'), os.getcwd()\n",
    "from . import helpers\nfrom .. import up as u\nfrom .x import y\n\ndef f():\n"
    "    helpers.run(); u(); y.z()\n",
    "from os import *\n\ndef f():\n    return getcwd()\n",
    "import boto3\n\nasync def f():\n    async with boto3.session() as s3:\n        s3.get()\n"
    "    for s3 in []:\n        pass\n    with open('x') as fh:\n        fh.read()\n",
    "import boto3\ns3: object = boto3.client('s3')\ncount = 0\ncount += 1\n\ndef f():\n"
    "    return s3.get(), count.real\n",
    "import boto3\nlam = lambda x: boto3.client(x).go()\n\ndef f(x=lambda: boto3.client('s3')):\n"
    "    del x\n    return boto3.resource('s3').Table('t').get_item()\n",
    "import boto3\n\ndef f():\n    match boto3:\n        case {'a': boto3, **rest}:\n"
    "            return rest.get()\n        case [*more] if more:\n            return more.pop()\n",
]


def _qualified_names_compared(text: str, callees: bool = False) -> tuple:
    """(answered, libcst-only) counts over every name and attribute of ``text`` (only the
    callees of calls: what the rules ask); asserts each answer given without LibCST equals
    LibCST's."""
    from lambdalint.analysis.qualified_names import QualifiedNames
    from libcst.metadata import QualifiedNameProvider

    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
    parents = parent_map(module)
    names = QualifiedNames(module, lambda: parents)
    answered = deferred = 0
    for node in parents:
        if not isinstance(node, (cst.Name, cst.Attribute)) or \
                (callees and not (isinstance(parents[node], cst.Call) and parents[node].func is node)):
            continue
        found = names.names(node)
        if found is None:
            deferred += 1
            continue
        value = expected.get(node, set())
        value = value() if callable(value) else value
        assert found == {q.name for q in value}, (module.code_for_node(node), text[:400])
        answered += 1
    return answered, deferred


@pytest.mark.parametrize("text", NAME_CASES)
def test_qualified_names_without_libcst_are_libcsts(text):
    _qualified_names_compared(text)  # where the index answers, it answers as LibCST


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_qualified_names_of_real_files_are_libcsts(path):
    _qualified_names_compared(path.read_text(encoding="utf-8"))


def test_qualified_names_are_mostly_answered_without_libcst():
    answered = deferred = 0
    for text in NAME_CASES[:1] + [p.read_text(encoding="utf-8")
                                  for p in sorted((REPO / "examples").rglob("*.py"))]:
        a, d = _qualified_names_compared(text, callees=True)
        answered, deferred = answered + a, deferred + d
    assert answered > 2 * deferred, (answered, deferred)


def test_the_cli_reports_the_same_with_and_without_fast_metadata(tmp_path, monkeypatch):
    from test_prefilter import _tree

    from lambdalint.rules.python_rule import ENV_NO_FAST

    repo = _tree(tmp_path)
    args = ["check", "--no-cache", "--format", "json", "--exit-zero", "."]
    code, fast, err = run_cli(args, cwd=repo)
    assert code == 0, err
    monkeypatch.setenv(ENV_NO_FAST, "1")
    code, slow, err = run_cli(args, cwd=repo)
    assert code == 0, err
    findings = json.loads(fast)["findings"]
    assert findings == json.loads(slow)["findings"]
    assert {"LL102", "LL103", "LL105"} <= {f["rule"] for f in findings}
