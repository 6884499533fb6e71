"""Comparisons and fixtures in a test: only shape-proven secrets count here."""

from app.weak import check


def test_check():
    password = "hunter2"  # want: no test-compare
    assert check("letmein!") is True  # want: no test-compare
    assert password != "wrong-password"  # want: no test-compare
    key = "AKIA2E3MQ4R5T6Y7U2I7"  # want: yes shape
    assert key
