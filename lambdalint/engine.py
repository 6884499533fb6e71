"""The engine: discover files, read them into the model, run the rules, filter, fix.

The CLI calls ``run``; reporters format what it returns. Config parsers are imported only when a
run has config files, so a run over Python files alone never pays for YAML or HCL.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

from lambdalint import discovery, pycheck, suppressions
from lambdalint.config import Config
from lambdalint.findings import Finding
from lambdalint.fixes import FileFix, FixError, fix_text, write_atomic

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Result:
    findings: List[Finding] = field(default_factory=list)
    files_checked: int = 0
    fixes: List[FileFix] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # said once on stderr (skipped files...)

    @property
    def fixed_count(self) -> int:
        return sum(f.applied for f in self.fixes if f.error is None)


@dataclass
class _Read:
    """A file's bytes and text as read once, for suppressions and fixes."""

    data: bytes
    text: Optional[str] = None


def _read_bytes(source: discovery.SourceFile, result: Result) -> Optional[bytes]:
    try:
        size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            result.notes.append(f"{source.display}: skipped, {size // 1024 // 1024} MiB is over "
                                f"the {MAX_FILE_BYTES // 1024 // 1024} MiB limit for one file")
            return None
        return source.path.read_bytes()
    except IsADirectoryError:
        return None
    except OSError as exc:
        result.findings.append(pycheck.parse_error(source.display,
                                                   f"cannot read: {exc.strerror or exc}"))
        return None


def _per_file_ignored(config: Config, finding: Finding) -> bool:
    """Patterns are relative to the configuration's directory, like every other path in it."""
    from lambdalint import registry

    if not config.per_file_ignores:
        return False
    absolute = Path(finding.path).resolve()
    candidates = {finding.path}
    if config.root is not None:
        try:
            candidates.add(absolute.relative_to(config.root).as_posix())
        except ValueError:
            pass
    for pattern, selectors in config.per_file_ignores.items():
        if any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, "*/" + pattern) for c in candidates):
            if any(finding.rule in registry.ids(registry.match(s)) for s in selectors):
                return True
    return False


def run(paths: Sequence[str], config: Config, fix: bool = False, diff: bool = False) -> Result:
    result = Result()
    enabled = config.enabled_rules()
    enabled_ids = {r.id for r in enabled}
    python_ids = [r.id for r in enabled if r.kind == "python"]
    config_ids = [r.id for r in enabled if r.kind == "config"]
    options = {r.id: config.rule_options(r.id) for r in enabled}

    files, missing = discovery.discover(paths, config.excludes, config.root or Path.cwd())
    for raw in missing:
        result.notes.append(f"{raw}: no such file or directory")
    texts: Dict[str, str] = {}

    # Deployment configs first: they name handlers that the code rules then treat as such.
    linked: Dict[str, Set[str]] = {}
    config_files = [f for f in files if f.kind != discovery.PYTHON]
    python_files = [f for f in files if f.kind == discovery.PYTHON]
    context_files = _context_configs(files, config)
    project = None
    if config_files or python_files:
        from lambdalint.sources import configs  # noqa: PLC0415 - keep parsers off the start-up path
        project = configs.read_project(config_files + context_files, python_files, paths)
        for error in project.errors:
            result.findings.append(pycheck.parse_error(error.path, error.message, error.line,
                                                       error.column))
        linked = configs.linked_handlers(project)

    python_by_path: Dict[str, object] = {}
    for source in python_files:
        data = _read_bytes(source, result)
        if data is None:
            continue
        result.files_checked += 1
        key = str(source.path.resolve())
        names = set(config.handlers) | linked.get(key, set())
        actions = [] if (project is not None and key in linked and config_ids) else None
        findings, parsed = pycheck.check_source(data, source.display, python_ids, options, names,
                                                actions)
        if actions:
            project.actions_by_file[key] = actions
        result.findings.extend(findings)
        if parsed is not None:
            texts[source.display] = parsed.text
            python_by_path[source.display] = (source, data, parsed)
    result.files_checked += len(config_files)

    if project is not None:
        for function in project.functions:
            inline = function.code.inline
            if inline is not None and python_ids:
                handler = (function.handler.value or "").rpartition(".")[2] if function.handler and function.handler.literal else ""
                result.findings.extend(pycheck.check_inline(
                    inline.text, inline.path, inline.line_offset, inline.column_offset,
                    python_ids, options, {handler} if handler else set()))
        for rule_id in config_ids:
            from lambdalint import registry
            rule = registry.get(rule_id).load()(options.get(rule_id, {}))
            try:
                result.findings.extend(f for f in rule.check(project) if f is not None)
            except Exception as exc:  # a bug of ours must not end the run
                result.notes.append(f"internal error in {rule_id} ({type(exc).__name__}: {exc}); "
                                    "its findings are missing, please report it")

    result.findings = _filter(result.findings, config, enabled_ids, texts, files)
    if context_files:
        # Configs read only to link handlers: report on the files given, nothing else.
        given = {f.display for f in files}
        result.findings = [f for f in result.findings if f.path in given]

    if fix or diff:
        def recheck(source: discovery.SourceFile, data: bytes) -> List[Finding]:
            names = set(config.handlers) | linked.get(str(source.path.resolve()), set())
            found, parsed = pycheck.check_source(data, source.display, python_ids, options, names)
            if parsed is not None:
                texts[source.display] = parsed.text
            return _filter(found, config, enabled_ids, texts, files)

        _fix(result, python_by_path, write=fix, recheck=recheck)
    result.findings.sort(key=Finding.sort_key)
    return result


def _project_root(start: Path) -> Path:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return start


def _context_configs(files: List[discovery.SourceFile], config: Config) -> List[discovery.SourceFile]:
    """With only explicit Python files (pre-commit passes a file list), the deployment configs of
    the project around them: they say which functions are handlers."""
    if not files or not all(f.explicit for f in files):
        return []
    if not any(f.kind == discovery.PYTHON for f in files):
        return []
    roots = {_project_root(f.path.parent.resolve()) for f in files if f.kind == discovery.PYTHON}
    given = {f.path.resolve() for f in files}
    found: Dict[Path, discovery.SourceFile] = {}
    for root in sorted(roots):
        around, _ = discovery.discover([str(root)], config.excludes, config.root or root)
        for source in around:
            if source.kind != discovery.PYTHON and source.path.resolve() not in given:
                found.setdefault(source.path.resolve(), source)
    return list(found.values())


def _filter(findings: List[Finding], config: Config, enabled_ids: Set[str],
            texts: Dict[str, str], files: List[discovery.SourceFile]) -> List[Finding]:
    by_display = {f.display: f for f in files}
    parsed: Dict[str, suppressions.FileSuppressions] = {}
    kept: List[Finding] = []
    seen: Set[Finding] = set()
    for finding in findings:
        if finding.rule not in enabled_ids or finding in seen:
            continue
        seen.add(finding)
        if _per_file_ignored(config, finding):
            continue
        if finding.path not in parsed:
            text = texts.get(finding.path)
            if text is None and finding.path in by_display:
                try:
                    text = by_display[finding.path].path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = ""
            parsed[finding.path] = suppressions.parse(text or "")
        if parsed[finding.path].suppresses(finding.rule, finding.line, [finding.end_line]):
            continue
        kept.append(finding)
    return kept


def _fix(result: Result, python_by_path: Dict[str, object], write: bool, recheck) -> None:
    from lambdalint.sources.python import parse

    by_path: Dict[str, List[Finding]] = {}
    for finding in result.findings:
        if finding.fix is not None and finding.path in python_by_path:
            by_path.setdefault(finding.path, []).append(finding)
    for path, findings in sorted(by_path.items()):
        source, data, parsed = python_by_path[path]
        outcome = fix_text(path, parsed.text, [f.fix for f in findings],
                           lambda text: parse(text, path))
        if outcome.applied and write and outcome.error is None:
            try:
                write_atomic(source.path, outcome.after.encode(parsed.encoding), expected=data)
            except (FixError, OSError) as exc:
                outcome.error = f"not written: {exc}"
        result.fixes.append(outcome)
        if write and outcome.applied and outcome.error is None:
            # What the file holds now is what gets reported: check the written text again.
            others = [f for f in result.findings if f.path != path]
            result.findings = others + recheck(source, outcome.after.encode(parsed.encoding))
