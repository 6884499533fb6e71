"""What a rule says about itself: id, name, severity, options, SARIF tags. One ``META`` per rule.

Each rule module (``rules/llNNN_<name>.py``) starts with ``META = RuleMeta(...)`` written with
literals only, before its first ``class`` or ``def``. The registry reads it from the module's text
without importing the module (``lambdalint rules``, config validation and a run that selects no
Python rule must not import LibCST), and a test checks that the imported ``META`` is the same.
This module imports nothing heavy for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Tuple

# Option types as written in META (strings, so META stays a literal) -> the Python type a
# configuration value must have. A bool is not accepted where an int is asked for. A "path" is a
# string naming a file relative to the configuration's directory (config resolves it there).
OPTION_TYPES = {"list": list, "bool": bool, "int": int, "str": str, "path": str}


@dataclass(frozen=True)
class Option:
    """One per-rule setting of ``[tool.lambdalint.rules.LLnnn]``."""

    name: str
    type: str  # a key of OPTION_TYPES
    default: Any
    help: str

    @property
    def python_type(self) -> type:
        return OPTION_TYPES[self.type]


@dataclass(frozen=True)
class RuleMeta:
    """A rule's facts, in the one place they are written.

    ``kind`` is "python" (a LibCST visitor over handler code), "config" (judges the deployment
    model) or "engine" (reported by the engine itself: LL001). ``yields_to`` names rules that say
    the same problem better at the same position: a finding of this rule is dropped when one of
    theirs sits at the same path, line and column. ``blanket_suppressible`` false means a bare
    ``# lambdalint: ignore`` does not silence the rule; only a comment naming it does.
    ``tags`` and ``security_severity`` are for SARIF consumers (GitHub code scanning).
    ``code_part`` names the private module (``_llNNN_...`` in ``lambdalint/rules``) of a config
    rule's part on handler code, when the rule has one: one id, one name and one page for one
    mistake written in either place (LL214: a reserved variable set in the template or assigned
    by the code). That module holds the ``PythonRule`` (``Rule``), its ``VALID``/``INVALID`` and
    its gate; the engine runs it with the code rules, and the config part with the config rules.
    ``network`` names what the rule asks over the network ("a vulnerability service"): such a
    rule runs only with ``--audit`` (config gives it the option ``audit``), the CLI says so when
    it is selected without, and the CLI calls its module's ``preflight(options)``, when it has
    one, before any work (its answer, if any, is the one line of exit 2).
    """

    id: str
    name: str
    severity: str  # "error", "warning" or "note"
    summary: str
    kind: str
    fixable: bool = False
    options: Tuple[Option, ...] = ()
    tags: Tuple[str, ...] = ()
    security_severity: str = ""
    yields_to: Tuple[str, ...] = ()
    blanket_suppressible: bool = True
    network: str = ""
    code_part: str = ""
    # Privileged settings: options only the command line or an explicit --config may set (they
    # make lambdalint use the network or read a file they name). See config.UNTRUSTED.
    untrusted_options: Tuple[str, ...] = field(default=())
    # The README's rules table: what the rule reports, and what it covers in the columns
    # Python, SAM / CFN, Serverless, Terraform, CDK ("yes", "inline code", "app code" or "").
    reports: str = ""
    covers: Tuple[str, str, str, str, str] = ("", "", "", "", "")
