"""The filter stage: what a rule's META says about dedupe and suppressions, not its id."""

from __future__ import annotations

from lambdalint import registry
from lambdalint.config import Config
from lambdalint.filtering import Filter
from lambdalint.findings import Finding, Severity
from lambdalint.rules import ll001_parse_error


def finding(rule_id: str, line: int = 3, column: int = 5, path: str = "app.py") -> Finding:
    info = registry.get(rule_id)
    return Finding(rule_id, info.name, info.severity, path, line, column, line, column + 4,
                   f"{rule_id} here", "")


def keep(findings, text: str = "", enabled=None):
    enabled = enabled if enabled is not None else [r.id for r in registry.RULES]
    return Filter(Config(), enabled).keep(findings, lambda path: text)


def yielding_pairs():
    return [(rule.id, other) for rule in registry.RULES for other in rule.meta.yields_to]


def test_a_finding_yields_to_the_rule_its_meta_names_at_the_same_position():
    assert yielding_pairs(), "no rule yields to another: this test proves nothing"
    for rule_id, other in yielding_pairs():
        assert keep([finding(rule_id), finding(other)]) == [finding(other)]
        # elsewhere, or the other rule's finding filtered first: both stand
        assert keep([finding(rule_id), finding(other, column=9)]) == [
            finding(rule_id), finding(other, column=9)]
        assert keep([finding(rule_id, path="a.py"), finding(other)]) == [
            finding(rule_id, path="a.py"), finding(other)]


def test_only_a_comment_naming_it_silences_a_rule_that_is_not_blanket_suppressible():
    named_only = [r.id for r in registry.RULES if not r.meta.blanket_suppressible]
    assert named_only, "every rule is blanket-suppressible: this test proves nothing"
    for rule_id in named_only:
        broken = finding(rule_id, line=1, column=1)
        assert keep([broken], "x = (  # noqa\n") == [broken]
        assert keep([broken], "x = (  # lambdalint: ignore\n") == [broken]
        assert keep([broken], f"x = (  # noqa: {rule_id}\n") == []
        assert keep([broken], f"# lambdalint: ignore-file[{rule_id}]\nx = (\n") == []
    other = finding("LL102", line=1)
    assert keep([other], "x = 1  # noqa\n") == []


def test_parse_errors_come_from_their_rule_module():
    made = ll001_parse_error.finding("bad.py", "invalid syntax", 2, 7)
    assert (made.rule, made.severity, made.line, made.column) == ("LL001", Severity.ERROR, 2, 7)
    assert keep([made], enabled=["LL102"]) == []  # a rule not selected is dropped
