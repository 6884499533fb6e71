"""A snapshot of what lambdalint reports on the example apps: any change of a finding, a message,
a suggestion or their order shows here, in one diff. An intended change is regenerated with
``LAMBDALINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/interface/test_examples_snapshot.py``."""

from __future__ import annotations

from helpers import REPO, matches_snapshot, run_cli

SNAPSHOT = REPO / "tests" / "interface" / "snapshots" / "examples.json"


def test_examples_json_matches_the_snapshot():
    # Run from the repository's root, so the paths in the report are relative ("examples/..."),
    # with every rule (the checklist baseline rules too: the examples have a function for each).
    code, out, err = run_cli(["check", "examples/", "--format", "json", "--no-cache"], cwd=REPO,
                             baseline=True)
    assert (code, err) == (1, ""), err
    matches_snapshot(SNAPSHOT, out, "tests/interface/test_examples_snapshot.py")
