"""Configuration: ``[tool.lambdalint]`` in pyproject.toml, or lambdalint.toml / .lambdalint.toml.

A bad file is a user's mistake, not a crash: every problem raises ``ConfigError`` with one line
that names the file, the key and what is allowed; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from lambdalint import registry
from lambdalint.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

CONFIG_FILES = (".lambdalint.toml", "lambdalint.toml", "pyproject.toml")

# Directories never worth reading: tool state, installed packages, build output. Gitignore-style
# patterns, relative to the configuration's directory. Virtual environments under any other name
# are recognised by their pyvenv.cfg (see discovery), so a project's own ``env/`` directory of
# per-stage configs is still read.
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".lambdalint_cache",
    ".aws-sam", ".serverless", "cdk.out", ".terraform", ".terragrunt-cache", "site-packages",
    "dist-packages", "__pypackages__", ".eggs", "build", "dist",
)

ALLOWED_KEYS = ("select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "fail-on",
                "handlers", "rules", "audit")

# Per-rule options, from each rule's META: rule id -> option name -> (expected type, default,
# what it means).
RULE_OPTIONS: Dict[str, Dict[str, tuple]] = {
    rule.id: {o.name: (o.python_type, o.default, o.help) for o in rule.options}
    for rule in registry.RULES
}


class ConfigError(Exception):
    """A configuration or option problem; its text is the one line the user sees."""


@dataclass
class Config:
    select: List[str] = field(default_factory=lambda: ["ALL"])
    ignore: List[str] = field(default_factory=list)
    exclude: List[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    extend_exclude: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    handlers: List[str] = field(default_factory=list)
    rules: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # rule id -> options
    audit: bool = False  # the rules that ask a service (META.network) may run (--audit)
    source: Optional[Path] = None  # the file it came from
    root: Optional[Path] = None  # patterns are relative to this directory
    # Settings a configuration found in the checked repository asked for and did not get
    # (see UNTRUSTED): what the one line on stderr names.
    distrusted: List[str] = field(default_factory=list)

    def enabled_rules(self) -> List[registry.RuleInfo]:
        selected = {r.id for s in self.select for r in registry.match(s)}
        ignored = {r.id for s in self.ignore for r in registry.match(s)}
        return [r for r in registry.RULES if r.id in selected and r.id not in ignored]

    def rule_options(self, rule_id: str) -> Dict[str, Any]:
        """A rule's options: its defaults, what the configuration set, "path" options made
        absolute against the configuration's directory, and ``audit`` for a rule that asks a
        service (META.network) when the run may use the network."""
        options = {name: spec[1] for name, spec in RULE_OPTIONS.get(rule_id, {}).items()}
        options.update(self.rules.get(rule_id, {}))
        rule = registry.get(rule_id)
        if rule is None:
            return options
        if self.root is not None:
            for option in rule.options:
                if option.type == "path" and options.get(option.name):
                    options[option.name] = str(self.root / options[option.name])
        if rule.network and self.audit:  # the top-level `audit` switch (or --audit)
            options["audit"] = True
        return options

    def set_options(self, rule_id: str, options: Dict[str, Any]) -> None:
        """Set some options of a rule, keeping its others (the command line's do this)."""
        self.rules = {**self.rules, rule_id: {**self.rules.get(rule_id, {}), **options}}

    @property
    def excludes(self) -> List[str]:
        return list(self.exclude) + list(self.extend_exclude)

    def distrusted_notes(self, audit_requested: bool) -> List[str]:
        """The line said on stderr when the repository's own configuration asked for what it
        may not have (nothing when it did not)."""
        if not self.distrusted:
            return []
        where = _shown(self.source) if self.source is not None else "the configuration"
        asked = ", ".join(self.distrusted)
        outcome = ("its settings were not used" if audit_requested else "--audit was not turned on")
        return [f"{where} asks for --audit ({asked}); {outcome}: a configuration found in the "
                "checked repository cannot make lambdalint use the network or read files it names; "
                "pass --audit on the command line, or this file with --config"]


def _string_list(where: str, key: str, value: Any) -> List[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings, got {value!r}")
    return value


def _selectors(where: str, key: str, value: Any) -> List[str]:
    items = _string_list(where, key, value)
    for item in items:
        if not registry.is_known_selector(item):
            raise ConfigError(f"{where}: '{key}' has unknown rule '{item}'; "
                              "use a rule id (LL102), a name (client-per-invocation), "
                              "a prefix (LL1) or ALL; `lambdalint rules` lists them")
    return items


def _patterns(where: str, key: str, value: Any) -> List[str]:
    """Gitignore-style patterns, each one checked now: a pattern pathspec cannot use would
    otherwise stop the run later as an internal error, far from the line that holds it."""
    items = _string_list(where, key, value)
    if items:
        from lambdalint.gitignore import pattern_problem

        for item in items:
            problem = pattern_problem(item)
            if problem is not None:
                raise ConfigError(f"{where}: '{key}' has {item!r}: {problem}")
    return items


def _glob(where: str, pattern: str) -> str:
    """A per-file-ignores pattern (fnmatch), checked now for the same reason."""
    import fnmatch
    import re

    try:
        re.compile(fnmatch.translate(pattern))
    except re.error as exc:
        raise ConfigError(f"{where}: 'per-file-ignores' has {pattern!r}: "
                          f"not a valid glob pattern ({exc.msg})") from None
    return pattern


# Settings that make lambdalint send requests or read a file they name: the `audit` switch and
# each rule's META.untrusted_options. A configuration found by walking up from the checked path
# belongs to the repository being checked, which may be anyone's (a pull request, a cloned
# project): it does not get to choose these. Only the command line and a file passed with
# --config do.
UNTRUSTED = ("audit", *(f"rules.{rule.id}.{name}"
                        for rule in registry.RULES for name in rule.meta.untrusted_options))


def _distrust(config: Config) -> None:
    """Drop the UNTRUSTED settings of a discovered configuration, remembering which were set."""
    if config.audit:
        config.distrusted.append("audit")
        config.audit = False
    for rule_id, options in config.rules.items():
        dropped = [name for name in options if f"rules.{rule_id}.{name}" in UNTRUSTED]
        if dropped:
            config.distrusted.extend(f"rules.{rule_id}.{name}" for name in dropped)
            config.rules = {**config.rules,
                            rule_id: {n: v for n, v in options.items() if n not in dropped}}


def parse_severity(where: str, key: str, value: Any) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f"{where}: '{key}' must be one of error, warning, note; got {value!r}") from None


def _rule_options(where: str, table: Any) -> Dict[str, Dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'rules' must be a table of [rules.LLxxx] tables")
    result: Dict[str, Dict[str, Any]] = {}
    for key, options in table.items():
        rule = registry.get(key)
        if rule is None:
            raise ConfigError(f"{where}: 'rules.{key}' names no rule; `lambdalint rules` lists them")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: 'rules.{key}' must be a table of options")
        allowed = RULE_OPTIONS.get(rule.id, {})
        for name, value in options.items():
            spec = allowed.get(name.replace("_", "-"))
            if spec is None:
                choices = ", ".join(sorted(allowed)) or "none"
                raise ConfigError(f"{where}: 'rules.{key}' has unknown option '{name}'; "
                                  f"{rule.id} takes: {choices}")
            expected = spec[0]
            ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if expected is list:
                ok = ok and all(isinstance(v, str) for v in value)
            if not ok:
                raise ConfigError(f"{where}: 'rules.{key}.{name}' must be "
                                  f"{'a list of strings' if expected is list else expected.__name__}"
                                  f", got {value!r}")
            result.setdefault(rule.id, {})[name.replace("_", "-")] = value
    return result


def from_table(table: Dict[str, Any], where: str, base: Optional[Config] = None) -> Config:
    """Validate a ``[tool.lambdalint]`` table; ``where`` names it in error messages."""
    config = replace(base) if base else Config()
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key == "select":
            config.select = _selectors(where, key, value)
        elif key == "ignore":
            config.ignore = _selectors(where, key, value)
        elif key == "exclude":
            config.exclude = _patterns(where, key, value)
        elif key == "extend-exclude":
            config.extend_exclude = _patterns(where, key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'per-file-ignores' must be a table of "
                                  "\"glob\" = [\"LL101\", ...]")
            config.per_file_ignores = {
                _glob(where, pattern): _selectors(where, f"per-file-ignores.{pattern}", rules)
                for pattern, rules in value.items()
            }
        elif key == "fail-on":
            config.fail_on = parse_severity(where, key, value)
        elif key == "handlers":
            config.handlers = _string_list(where, key, value)
        elif key == "rules":
            config.rules = _rule_options(where, value)
        elif key == "audit":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: 'audit' must be true or false, got {value!r}")
            config.audit = value
        else:
            raise ConfigError(f"{where}: unknown key '{raw_key}'; allowed keys: "
                              f"{', '.join(ALLOWED_KEYS)}")
    return config


def _shown(path: Path) -> str:
    """A config file as error messages name it: relative to the working directory if below it."""
    from lambdalint.discovery import display_path

    shown = display_path(path.absolute())
    return shown if not shown.startswith("../") else str(path.absolute())


def _read_toml(path: Path) -> Dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{_shown(path)}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_shown(path)}: not valid TOML: it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: not valid TOML: {exc}") from None


def load_file(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("lambdalint", {}) if isinstance(tool, dict) else {}
        where = f"{_shown(path)} [tool.lambdalint]"
    else:
        table = data
        where = _shown(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    config = from_table(table, where)
    config.source = path
    config.root = path.absolute().parent.resolve()
    return config


def _has_lambdalint_table(path: Path) -> bool:
    """A pyproject.toml counts only if it configures lambdalint (as Ruff does with its own)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "lambdalint" not in text:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # Broken, but it mentions us: load it, so that the user hears what is wrong with it.
        return "[tool.lambdalint" in text
    tool = data.get("tool")
    return isinstance(tool, dict) and "lambdalint" in tool


def find_config_file(paths: Sequence[str]) -> Optional[Path]:
    """The nearest config file in or above the first checked path (or the working directory).

    In one directory ``.lambdalint.toml`` wins over ``lambdalint.toml``, which wins over
    ``pyproject.toml``; a pyproject.toml without a ``[tool.lambdalint]`` table is passed over.
    """
    start = Path(paths[0] if paths else ".").resolve()
    if not start.is_dir():
        start = start.parent
    for directory in [start, *start.parents]:
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                if name == "pyproject.toml" and not _has_lambdalint_table(candidate):
                    continue
                return candidate
    return None


def load(paths: Sequence[str], explicit: Optional[str] = None) -> Config:
    if explicit:
        path = Path(explicit)
        if path.is_dir():
            raise ConfigError(f"--config {explicit}: is a directory, not a TOML file")
        if not path.is_file():
            raise ConfigError(f"--config {explicit}: no such file")
        return load_file(path)
    found = find_config_file(paths)
    if found is None:
        config = Config()
        config.root = Path.cwd().resolve()
        return config
    config = load_file(found)
    _distrust(config)
    return config
