"""README's "What lambdalint promises" names the tests that hold each promise: they must exist."""

from __future__ import annotations

import re

from helpers import REPO


def _promise_rows():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## What lambdalint promises", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "tests/" in line]


def test_every_promise_names_tests_that_exist():
    rows = _promise_rows()
    assert len(rows) >= 10
    for row in rows:
        cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", row)
        # "tests/x.py` (`name`, `name`)": names listed after a file belong to that file
        listed = re.findall(r"`(tests/[\w/]+\.py)` \(([^)]*)\)", row)
        assert cited or listed, row
        for path, name in cited:
            source = (REPO / path).read_text(encoding="utf-8")
            if name:
                assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} is gone"
        for path, names in listed:
            source = (REPO / path).read_text(encoding="utf-8")
            for name in re.findall(r"`(\w+)`", names):
                assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} is gone"
