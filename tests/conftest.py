"""Fixtures and Hypothesis profiles. Builders live in helpers.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import write

try:  # property tests (test_fuzz.py, test_fix_safety.py): "ci" by default, HYPOTHESIS_PROFILE=long
    from hypothesis import HealthCheck, settings as _hypothesis_settings

    _hypothesis_settings.register_profile(
        "ci", max_examples=150, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    _hypothesis_settings.register_profile(
        "long", max_examples=5000, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - the test extra installs it
    pass


@pytest.fixture
def tree(tmp_path):
    def make(files: dict) -> Path:
        return write(tmp_path, files)
    return make
