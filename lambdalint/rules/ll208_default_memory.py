"""LL208 default-memory: a function left on 128 MB, the smallest memory size, which is also the
smallest share of CPU: whether nothing sets it (CloudFormation, SAM, Terraform, CDK) or it is
written down."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, List, Optional, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, Project, Value
from lambdalint.rules._wording import indent, names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL208",
    name="default-memory",
    severity="warning",
    summary="A function runs with 128 MB, the smallest memory size (and CPU share) Lambda has.",
    kind="config",
    options=(
        Option("min-memory", "int", 128,
               "Report a memory size at or below this many MB (and no memory size where the "
               "framework's default is at or below it)."),
    ),
    tags=("performance",),
    reports="no memory size on a 128 MB-default framework, or a memory size of 128 MB",
    covers=("", "yes", "yes", "yes", "yes"),
)

DEFAULT_MIN_MEMORY = 128
SUGGESTED_MB = 512

HOW_TO_CHOOSE = (
    "Lambda gives a function CPU in proportion to its memory (one full vCPU at 1,769 MB), so "
    "more memory often makes the function fast enough to cost the same or less. Measure it: "
    "AWS Lambda Power Tuning runs the function at several sizes and shows duration and cost "
    f"for each. {SUGGESTED_MB} MB is a starting point, not an answer.")


def _megabytes(value: Optional[Value]) -> Optional[float]:
    """The literal number of a memory size, when it is one."""
    if value is None or not value.literal:
        return None
    number = value.value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    return number


def _where_to_set(function: Function, mb: int) -> str:
    dialect = dialect_of(function)
    own = ("on " + function.name + ":\n"
           + indent(dialect.function_setting(function, dialect.memory_setting(mb))))
    shared = dialect.shared_memory(mb)
    if shared is None:
        return own
    return own + "\nor once for every function:\n" + indent(shared)


class DefaultMemory(ConfigRule):
    """128 MB is what a function gets when nobody chose: the least memory and the least CPU.

    Most functions that call other services or parse JSON run several times faster with more,
    and Lambda bills memory times duration, so the smallest size is rarely the cheapest.
    """

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        limit = int(self.options.get("min-memory", DEFAULT_MIN_MEMORY))
        # One value that sets the memory of several functions (SAM Globals, Serverless provider,
        # a parameter's default) is one finding naming them all: one line to edit.
        at: "OrderedDict[Tuple[str, int], List[Function]]" = OrderedDict()
        for function in project.functions:
            if function.ignores(self.ID):
                continue
            memory = function.memory
            if memory is None or function.memory_defaulted:
                default = _megabytes(memory) if memory is not None else \
                    dialect_of(function).default_memory_mb
                if default is not None and default <= limit:
                    yield self._unset(function, default)
                continue
            mb = _megabytes(memory)
            if mb is not None and mb <= limit:
                at.setdefault((memory.path, memory.line), []).append(function)
        for functions in at.values():
            yield self._written(functions)

    def _unset(self, function: Function, default: float) -> Optional[Finding]:
        label = dialect_of(function).label
        return self.finding(
            function, function.path, function.line, function.column,
            f"{function.name} sets no memory size, so it runs with the {label} default of "
            f"{default:g} MB, the least memory and CPU Lambda gives",
            f"Set a memory size {_where_to_set(function, SUGGESTED_MB)}\n{HOW_TO_CHOOSE}",
        )

    def _written(self, functions: List[Function]) -> Optional[Finding]:
        first = functions[0]
        memory = first.memory
        assert memory is not None
        mb = _megabytes(memory)
        shown = f"{mb:g} MB"
        if memory.text.strip() != str(memory.value):
            shown += f" ({memory.text})"
        has = "has" if len(functions) == 1 else "have"
        setting = dialect_of(first).memory_setting(SUGGESTED_MB)
        return self.finding_at(
            None, memory,
            f"{names(functions)} {has} a memory size of {shown}, the least memory and CPU "
            "Lambda gives",
            f"Raise it to what the work needs, measured:\n{indent(setting)}\n{HOW_TO_CHOOSE}",
        )


Rule = DefaultMemory
