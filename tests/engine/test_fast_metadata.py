"""The rules' cheaper metadata gives what LibCST's providers give: the parent map of
``PythonContext.metadata`` is ``ParentNodeProvider``'s mapping, node for node, over every
Python file of lambdalint itself, its tests and the example app (a few thousand shapes)."""

from __future__ import annotations

from pathlib import Path
from typing import List

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from helpers import REPO
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
