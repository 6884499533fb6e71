"""lambdalint: a static linter for AWS Lambda best practices."""

__version__ = "0.1.0"
