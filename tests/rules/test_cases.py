"""The cases beside every code rule, Fixit-style: ``VALID`` and ``INVALID`` programs on the class.

One harness for every rule the registry lists as running on code, so a new code rule is tested
by writing its cases. A case is a program (``app.py``), or a pair (program, SAM template) for a
rule that judges the code against the function that runs it (its timeout, its triggers): the
template is read and linked as a run reads it, and the program is checked with the functions it
links to ``app.py`` (write ``CodeUri: .`` and ``Handler: app.<name>``). Each program goes through ``pycheck.check_data`` (the engine's per-file path,
with every code rule selected) twice, with the pre-filter on and off: an INVALID program gives
findings of its rule and of no other, a VALID one gives none, and both ways give the same
findings (a gate never loses a finding). For a fixable rule, the fixes of its INVALID programs
apply, the result still parses, and checking it again finds only what had no fix.
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path
from typing import Any, List, Union

import pytest

from lambdalint import linking, pycheck, registry
from lambdalint.findings import Finding
from lambdalint.fixes import apply_edits

Case = Union[str, tuple]

CODE_RULES = [info for info in registry.RULES if info.checks_code]
CODE_IDS = [info.id for info in CODE_RULES]


def _cases(kind: str) -> list:
    return [pytest.param(info.id, source, id=f"{info.id}-{kind}-{n}")
            for info in CODE_RULES
            for n, source in enumerate(getattr(info.load_code(), kind))]


def program(case: Case) -> str:
    """The program of a case (a case with a template is a pair)."""
    return case if isinstance(case, str) else case[0]


def linked_of(case: Case) -> Any:
    """The functions a case's template links to ``app.py`` (``linking.Linked``); none for a
    case without a template. The template is read by the real readers, in a directory of its
    own."""
    if isinstance(case, str):
        return ()
    from helpers import read_unit

    source, template = case
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        project = read_unit(root, {"template.yaml": template, "app.py": source})
        linked = linking.linked_functions(project).get(str((root / "app.py").resolve()), ())
    assert linked, "the case's template links no function to app.py"
    return linked


def check(case: Case, use_prefilter: bool = True) -> List[Finding]:
    return pycheck.check_data(program(case).encode("utf-8"), "app.py", CODE_IDS, {},
                              use_prefilter=use_prefilter, linked=linked_of(case)).findings


def both_ways(case: Case) -> List[Finding]:
    """The findings, after checking that the pre-filter does not change them."""
    found = check(case)
    assert found == check(case, use_prefilter=False), "the pre-filter changed the findings"
    return found


def test_every_code_rule_has_cases():
    assert {"LL101", "LL102", "LL103"} <= set(CODE_IDS)  # the registry found the code rules
    for info in CODE_RULES:
        cls = info.load_code()
        assert cls.ID == info.id
        assert len(cls.VALID) >= 5 and len(cls.INVALID) >= 3, info.id


@pytest.mark.parametrize("rule, source", _cases("INVALID"))
def test_invalid_fires_that_rule_only(rule, source):
    found = both_ways(source)
    assert found and {f.rule for f in found} == {rule}, found


@pytest.mark.parametrize("rule, source", _cases("VALID"))
def test_valid_is_silent(rule, source):
    assert both_ways(source) == []


FIXABLE = [pytest.param(*case.values, id=case.id) for case in _cases("INVALID")
           if registry.get(case.values[0]).fixable]


@pytest.mark.parametrize("rule, source", FIXABLE)
def test_fixes_apply_parse_and_silence_the_rule(rule, source):
    found = check(source)
    fixes = [f.fix for f in found if f.fix is not None]
    fixed, applied = apply_edits(program(source), fixes)
    assert applied == len(fixes)
    ast.parse(fixed)
    again = [f for f in check(fixed if isinstance(source, str) else (fixed, source[1]))
             if f.rule == rule]
    assert len(again) == len(found) - len(fixes), fixed


def test_some_invalid_case_of_each_fixable_rule_has_a_fix():
    for info in CODE_RULES:
        if info.fixable:
            assert any(f.fix is not None for source in info.load_code().INVALID
                       for f in check(source)), info.id
