"""Which files are tests, by their path: shared by handler analysis and the pre-filter.

Kept apart from ``handlers`` (which imports LibCST) so that the pre-filter's gates can ask without
importing it.
"""

from __future__ import annotations

import re

TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_tests?\.py$|(^|/)conftest\.py$")


def is_test_path(path: str) -> bool:
    """A test file by its path (``tests/...``, ``test_*.py``, ``*_test.py``, ``conftest.py``)."""
    return bool(TEST_PATH.search(path.replace("\\", "/")))
