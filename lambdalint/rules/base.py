"""The two kinds of rule: Python rules visit one file's syntax tree, config rules judge the model.

A Python rule is a LibCST ``BatchableCSTVisitor``: the engine runs every selected rule in a single
traversal of each file. A config rule gets the whole deployment model once. ``PythonRule`` and
``PythonContext`` live in ``python_rule`` and are imported from here on first use, so that
config rules do not import LibCST.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from lambdalint import registry
from lambdalint.findings import Finding, Fix, Severity
from lambdalint.model import Function, Project, Value


def __getattr__(name: str) -> Any:
    if name in ("PythonRule", "PythonContext"):
        from lambdalint.rules import python_rule

        return getattr(python_rule, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfigRule:
    """Base of the deployment-config rules: ``check`` yields findings for the whole model."""

    ID: str = ""

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.info = registry.get(self.ID)
        self.options: Dict[str, Any] = options or {}

    def check(self, project: Project) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, function: Optional[Function], path: str, line: int, column: int,
                message: str, suggestion: str, end_line: Optional[int] = None,
                end_column: Optional[int] = None, severity: Optional[Severity] = None,
                fix: Optional[Fix] = None) -> Optional[Finding]:
        """A finding, or None when the function's Metadata or first-line comment silences it."""
        if function is not None and function.ignores(self.ID):
            return None
        return Finding(self.info.id, self.info.name, severity or self.info.severity, path, line,
                       column, end_line or line, end_column or column, message, suggestion, fix)

    def finding_at(self, function: Optional[Function], value: Value, message: str,
                   suggestion: str, severity: Optional[Severity] = None) -> Optional[Finding]:
        return self.finding(function, value.path, value.line, value.column, message, suggestion,
                            value.end_line, value.end_column, severity)
