"""The registry: every rule module's META, read from its text, is the META the module holds; each
rule has its class and its page; the README's rules table is rendered from META."""

from __future__ import annotations

import importlib
import os
import re

import pytest

from helpers import REPO, UPDATE_SNAPSHOTS
from lambdalint import docs, registry
from lambdalint.rules.meta import RuleMeta

RULES = registry.RULES


def test_the_registry_holds_every_rule_module_sorted_by_id():
    modules = sorted(p.stem for p in (REPO / "lambdalint" / "rules").glob("ll[0-9][0-9][0-9]_*.py"))
    assert sorted(r.module.rpartition(".")[2] for r in RULES) == modules
    assert [r.id for r in RULES] == sorted(r.id for r in RULES)
    for rule in RULES:
        assert rule.module.rpartition(".")[2].startswith(rule.id.lower() + "_"), (
            f"{rule.module}: a rule module is named by its id")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_static_meta_is_the_imported_meta(rule):
    module = importlib.import_module(rule.module)
    assert isinstance(module.META, RuleMeta)
    assert rule.meta == module.META, (
        f"{rule.module}: META read from the text differs from the imported one; "
        "write META with literals only, its closing ')' at column 0")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_its_class_and_its_page(rule):
    if rule.kind != "engine":
        assert isinstance(rule.load(), type), f"{rule.module} needs `Rule = <its class>`"
    assert (REPO / "rules" / f"{rule.id}.md").is_file(), f"write rules/{rule.id}.md"


def test_config_and_cli_hold_no_rule_id():
    # Their facts about rules come from the registry; LL101 and LL102 appear only as examples in
    # messages ("use a rule id (LL102)").
    for module in ("config.py", "cli.py"):
        text = (REPO / "lambdalint" / module).read_text(encoding="utf-8")
        assert set(re.findall(r"\bLL\d{3}\b", text)) <= {"LL101", "LL102"}, module


def test_meta_must_be_literals():
    text = 'META = RuleMeta(\n    id="LL999",\n    name=NAME,\n)\n'
    with pytest.raises(ValueError):
        registry.read_meta(text, "ll999_x.py")
    with pytest.raises(RuntimeError, match="ll999_x.py: no 'META = RuleMeta"):
        registry.read_meta('META = RuleMeta(id="LL999")\n', "ll999_x.py")


def _readme_table(text: str) -> str:
    section = text.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    return "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))


def test_readme_rules_table_is_rendered_from_meta():
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    expected = docs.rules_table(RULES)
    found = _readme_table(text)
    if os.environ.get(UPDATE_SNAPSHOTS) == "1" and found != expected:
        readme.write_text(text.replace(found, expected), encoding="utf-8")
        return
    assert found == expected, (
        "README.md's rules table differs from the rules' META (reports, covers, severity, "
        f"fixable); rewrite it with {UPDATE_SNAPSHOTS}=1 python -m pytest "
        "tests/interface/test_registry.py, or paste:\n\n" + expected)
