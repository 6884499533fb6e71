from src.report import handler


def test_handler_counts_regions():
    assert handler({}, None)["regions"] >= 0
