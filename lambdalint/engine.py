"""The engine: discover files, read them into the model, run the rules, filter, fix.

The CLI calls ``run``; reporters format what it returns. Config parsers are imported only when a
run has config files, so a run over Python files alone never pays for YAML or HCL.

Speed (see bench/README.md): a text pre-filter (``prefilter``) keeps LibCST away from files no
rule can report in; the LibCST work goes to worker processes when there is enough of it
(``workers``); and what each Python file and each deployment config gave is cached by content
(``cache``), so an unchanged repository is read from the cache, not parsed.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from lambdalint import discovery, suppressions
from lambdalint.config import Config
from lambdalint.findings import Finding
from lambdalint.fixes import FileFix, FixError, fix_text, write_atomic

if False:  # pragma: no cover - typing only
    from lambdalint.cache import Cache

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Result:
    findings: List[Finding] = field(default_factory=list)
    files_checked: int = 0
    fixes: List[FileFix] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # said once on stderr (skipped files...)
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def fixed_count(self) -> int:
        return sum(f.applied for f in self.fixes if f.error is None)


@dataclass
class _Read:
    """A file's bytes and text as read once, for suppressions and fixes."""

    data: bytes
    text: Optional[str] = None


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """An LL001 finding (without importing LibCST for it)."""
    from lambdalint.rules import ll001_parse_error

    return ll001_parse_error.finding(path, message, line, column)


def _read_bytes(source: discovery.SourceFile, result: Result) -> Optional[bytes]:
    from lambdalint import files

    data = files.read_bytes(source.path)
    if not isinstance(data, files.ReadFailure):
        return data
    if data.reason == files.TOO_LARGE:
        result.notes.append(data.note(source.display))
    elif data.reason != files.DIRECTORY:
        result.findings.append(parse_error(source.display, data.message()))
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


def run(paths: Sequence[str], config: Config, fix: bool = False, diff: bool = False,
        use_cache: bool = True, cache_dir: Optional[Path] = None,
        jobs: Optional[int] = None, before_writing=None) -> Result:
    """Check ``paths``. ``use_cache``/``cache_dir``: where results are kept between runs
    (default ``.lambdalint_cache`` in the configuration's directory, else the working
    directory); ``jobs``: at most this many processes (default: one per core);
    ``before_writing``: called with every file the run reads, before anything is written (the
    CLI refuses there to write its report over one of them)."""
    from lambdalint import prefilter

    result = Result()
    enabled = config.enabled_rules()
    enabled_ids = {r.id for r in enabled}
    python_ids = [r.id for r in enabled if r.kind == "python"]
    config_ids = [r.id for r in enabled if r.kind == "config"]
    options = {r.id: config.rule_options(r.id) for r in enabled}
    use_prefilter = prefilter.enabled()

    files, missing, unreadable = discovery.discover_all(paths, config.excludes,
                                                        config.root or Path.cwd())
    for raw in missing:
        result.notes.append(f"{raw}: no such file or directory")
    for display, reason in unreadable:  # a directory skipped must not leave the run green
        result.findings.append(replace(parse_error(display, reason), message=reason,
                                       suggestion="Make it readable, or exclude it."))
    store = _open_cache(config, use_cache, cache_dir)
    texts: Dict[str, str] = {}  # files changed by --fix: their text now

    # Deployment configs first: they name handlers that the code rules then treat as such.
    linked: Dict[str, Set[str]] = {}
    config_files = [f for f in files if f.kind != discovery.PYTHON]
    python_files = [f for f in files if f.kind == discovery.PYTHON]
    context_files = _context_configs(files, config, store)
    if before_writing is not None:
        before_writing(files + context_files)
    project = None
    if config_files or python_files:
        from lambdalint import projects  # noqa: PLC0415 - keep parsers off the start-up path
        from lambdalint.sources import configs

        project = projects.read(config_files, context_files, python_files, paths, store)
        for error in project.errors:
            result.findings.append(parse_error(error.path, error.message, error.line,
                                               error.column))
        linked = configs.linked_handlers(project)

    # Handler code: from the cache, or checked (in worker processes when there are many).
    settings = [python_ids, options, sorted(config.handlers), bool(config_ids)]
    prefix = None  # what every Python file's key shares, hashed once
    python_by_path: Dict[str, Tuple[discovery.SourceFile, bytes]] = {}
    tasks: List[tuple] = []
    pending: List[Tuple[str, Optional[str], bool]] = []
    for source in python_files:
        data = _read_bytes(source, result)
        if data is None:
            continue
        result.files_checked += 1
        key = str(source.path.resolve())
        names = tuple(sorted(set(config.handlers) | linked.get(key, set())))
        want_actions = project is not None and key in linked and bool(config_ids)
        python_by_path[source.display] = (source, data)
        digest = None
        if store is not None:
            from lambdalint import cache

            if prefix is None:
                prefix = cache.key(store.salt, "python", settings)
            digest = cache.key(prefix, source.display, "\0".join(names),
                               "actions" if want_actions else "", data)
            hit = store.get("python", digest, _decode_python)
            if hit is not None:
                _record(result, project, key, want_actions, hit[0], hit[1])
                continue
        tasks.append((data, source.display, names, want_actions))
        pending.append((key, digest, want_actions))
    if tasks:
        from lambdalint import workers

        outcomes = workers.check_all(tasks, python_ids, options, use_prefilter, jobs)
        try:
            for (key, digest, want_actions), outcome in zip(pending, outcomes):
                _record(result, project, key, want_actions, outcome.findings, outcome.actions)
                if store is not None and digest is not None:
                    from lambdalint import cache

                    store.put("python", digest, [cache.encode_findings(outcome.findings),
                                                 outcome.actions])
        finally:
            # zip stops before the generator returns: close it so the worker pool ends now,
            # not when the generator is collected (idle workers outlived the fix phase).
            outcomes.close()
    result.files_checked += len(config_files)

    if project is not None:
        judged = project
        if context_files:
            # Configs read only to link handlers: judge only the functions of the files given.
            judged = _given_functions(project, files)
        for function in judged.functions:
            inline = function.code.inline
            if inline is not None and python_ids:
                handler = (function.handler.value or "").rpartition(".")[2] if function.handler and function.handler.literal else ""
                result.findings.extend(_check_inline(
                    inline, python_ids, options, {handler} if handler else set(), store))
        for rule_id in config_ids:
            from lambdalint import registry
            rule = registry.get(rule_id).load()(options.get(rule_id, {}))
            try:
                result.findings.extend(f for f in rule.check(judged) if f is not None)
            except Exception as exc:  # a bug of ours must not end the run
                result.notes.append(f"internal error in {rule_id} ({type(exc).__name__}: {exc}); "
                                    "its findings are missing, please report it")

    text_of = _texts(python_by_path, texts, files)
    _unknown_suppression_codes(result, python_by_path, config_files, text_of)
    result.findings = _filter(result.findings, config, enabled_ids, text_of)
    if context_files:
        # Configs read only to link handlers: report on the files given, nothing else.
        given = {f.display for f in files}
        result.findings = [f for f in result.findings if f.path in given]

    if fix or diff:
        def recheck(source: discovery.SourceFile, data: bytes) -> List[Finding]:
            from lambdalint import pycheck

            key = str(source.path.resolve())
            names = set(config.handlers) | linked.get(key, set())
            found = pycheck.check_data(data, source.display, python_ids, options, names,
                                       use_prefilter=use_prefilter).findings
            return _filter(found, config, enabled_ids, text_of)

        _fix(result, python_by_path, texts, write=fix, recheck=recheck)
    if store is not None:
        store.flush()  # the one write of the run
        result.cache_hits, result.cache_misses = store.hits, store.misses
    result.findings.sort(key=Finding.sort_key)
    return result


def _unknown_suppression_codes(result: Result,
                               python_by_path: Dict[str, Tuple[discovery.SourceFile, bytes]],
                               config_files: List[discovery.SourceFile], text_of) -> None:
    """A note for each rule code in a suppression comment that names no rule (``# noqa:
    LL012``): every Python file read (its bytes are at hand), and the deployment configs
    given that have findings (the only ones whose comments can matter)."""
    with_findings = {f.path for f in result.findings}
    paths = list(python_by_path) + [f.display for f in config_files if f.display in with_findings]
    for path in paths:
        if path in python_by_path:
            data = python_by_path[path][1]
            lowered = data.lower()
            if b"noqa" not in lowered and b"lambdalint" not in lowered:
                continue
            text = data.decode("utf-8", errors="replace")  # comments: the lines are the same
        else:
            text = text_of(path) or ""
        result.notes.extend(suppressions.unknown_code_notes(path, text))


def _record(result: Result, project, key: str, want_actions: bool, findings: List[Finding],
            actions: List[str]) -> None:
    result.findings.extend(findings)
    if want_actions and actions and project is not None:
        project.actions_by_file[key] = list(actions)


def _decode_python(value: Any) -> Tuple[List[Finding], List[str]]:
    """A Python file's cache entry, ``[findings, actions]``; anything else raises (a miss)."""
    from lambdalint import cache

    findings, actions = value
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise cache.WrongShape("actions")
    return cache.decode_findings(findings), actions


def _open_cache(config: Config, use_cache: bool, cache_dir: Optional[Path]) -> Optional["Cache"]:
    if not use_cache or os.environ.get("LAMBDALINT_NO_CACHE", "") not in ("", "0"):
        return None
    from lambdalint import cache

    return cache.Cache(Path(cache_dir) if cache_dir is not None
                       else cache.default_directory(config.root))


def _check_inline(inline, python_ids: List[str], options: Dict[str, Dict[str, Any]],
                  names: Set[str], store: Optional["Cache"]) -> List[Finding]:
    """Python written in a config file: cached by its text, like a file."""
    digest = None
    if store is not None:
        from lambdalint import cache

        digest = cache.key(store.salt, "inline", python_ids, options, sorted(names), inline.path,
                           inline.line_offset, inline.column_offset, inline.text)
        hit = store.get("inline", digest, cache.decode_findings)
        if hit is not None:
            return hit
    from lambdalint import pycheck

    findings = pycheck.check_inline(inline.text, inline.path, inline.line_offset,
                                    inline.column_offset, python_ids, options, names)
    if store is not None and digest is not None:
        from lambdalint import cache

        store.put("inline", digest, cache.encode_findings(findings))
    return findings


def _given_functions(project, files: List[discovery.SourceFile]):
    """The part of ``project`` that can give findings in the files named on the command line:
    functions defined there, linked to one of them, or whose code directory holds one."""
    from lambdalint.model import Project

    given_display = {f.display for f in files}
    given = discovery.GivenFiles([str(f.path) for f in files])

    def relevant(function) -> bool:
        if function.path in given_display:
            return True
        if function.handler_file and given.is_given(function.handler_file):
            return True
        code = function.code.path if function.code.kind == "local" else None
        if code:
            return given.holds_given(code)
        return False

    return Project(functions=[f for f in project.functions if relevant(f)],
                   errors=list(project.errors), actions_by_file=project.actions_by_file,
                   roots=project.roots)


def _texts(python_by_path: Dict[str, Tuple[discovery.SourceFile, bytes]], texts: Dict[str, str],
           files: List[discovery.SourceFile]):
    """The text a finding's suppression comments are read from, decoded once per file."""
    by_display = {f.display: f for f in files}

    def text_of(path: str) -> Optional[str]:
        if path in texts:
            return texts[path]
        text = None
        if path in python_by_path:
            # Imported here: sources.python imports LibCST, which a run without findings
            # in Python files (a pre-commit run served from the cache) never needs.
            from lambdalint.sources.python import PythonReadError, decode

            try:
                text = decode(python_by_path[path][1])[0]
            except PythonReadError:
                text = None
        if text is None and path in by_display:
            try:
                text = by_display[path].path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        if text is not None:
            texts[path] = text
        return text

    return text_of


# Names that make a directory the home of a deployment: where the configs that name the
# handlers live when there is no git repository to say where the project starts.
_DEPLOYMENT_NAMES = ("template.yaml", "template.yml", "template.json", "serverless.yml",
                     "serverless.yaml", "serverless.json", "cdk.json")


def _holds_deployment_config(directory: Path) -> bool:
    try:
        with os.scandir(directory) as scan:
            return any(e.name in _DEPLOYMENT_NAMES or e.name.endswith(".tf") for e in scan
                       if e.is_file(follow_symlinks=False))
    except OSError:
        return False


def _project_root(start: Path, cwd: Optional[Path] = None) -> Path:
    """Where the deployment configs of the project around ``start`` are looked for.

    The nearest directory holding ``.git``. Outside any repository (a tutorial's copy, an
    unpacked archive) the project is the nearest directory from ``start`` upwards that holds a
    deployment config, looking no higher than the working directory when ``start`` is below
    it: ``lambdalint check src/orders/service.py`` run beside ``template.yaml`` must read that
    template to know the handler. With none found: the working directory when ``start`` is
    below it (the user chose it), else ``start`` itself, never somewhere higher."""
    chain = [start, *start.parents]
    for directory in chain:
        if (directory / ".git").exists():
            return directory
    cwd = (cwd or Path.cwd()).resolve()
    inside = cwd in chain
    for directory in chain:
        if _holds_deployment_config(directory):
            return directory
        if directory == cwd:
            break
    return cwd if inside else start


def _context_configs(files: List[discovery.SourceFile], config: Config,
                     store: Optional["Cache"] = None) -> List[discovery.SourceFile]:
    """With only explicit Python files (pre-commit passes a file list), the deployment configs of
    the project around them: they say which functions are handlers."""
    if not files or not all(f.explicit for f in files):
        return []
    if not any(f.kind == discovery.PYTHON for f in files):
        return []
    roots = {_project_root(f.path.parent.resolve()) for f in files if f.kind == discovery.PYTHON}
    given = {os.path.realpath(f.path) for f in files}
    found: Dict[str, discovery.SourceFile] = {}
    for root in sorted(roots):
        # Only the configs, each with its real path (no resolve() per file), kept in the
        # cache while the directories walked are unchanged.
        for real, source in discovery.discover_configs(str(root), config.excludes,
                                                       config.root or root, store):
            if real not in given:
                found.setdefault(real, source)
    return list(found.values())


def _filter(findings: List[Finding], config: Config, enabled_ids: Set[str],
            text_of) -> List[Finding]:
    parsed: Dict[str, suppressions.FileSuppressions] = {}
    kept: List[Finding] = []
    seen: Set[Finding] = set()
    # A secret in a CDK app's environment= dict is one problem: LL204 (the deployment view, with
    # the format's way to reference a secret) says it; LL101 on the same literal would repeat it.
    env_secrets = {(f.path, f.line, f.column) for f in findings if f.rule == "LL204"}
    for finding in findings:
        if finding.rule not in enabled_ids or finding in seen:
            continue
        if finding.rule == "LL101" and (finding.path, finding.line, finding.column) in env_secrets:
            continue
        seen.add(finding)
        if _per_file_ignored(config, finding):
            continue
        if finding.path not in parsed:
            parsed[finding.path] = suppressions.parse(text_of(finding.path) or "")
        # A file that does not parse is silenced only by a comment that names LL001: a blanket
        # "# noqa" that happens to sit on the broken line is not the user deciding about it.
        if finding.rule == "LL001":
            marks = parsed[finding.path]
            if "LL001" in marks.whole_file or "LL001" in marks.by_line.get(finding.line, ()):
                continue
        elif parsed[finding.path].suppresses(finding.rule, finding.line, [finding.end_line]):
            continue
        kept.append(finding)
    return kept


def _fix(result: Result, python_by_path: Dict[str, Tuple[discovery.SourceFile, bytes]],
         texts: Dict[str, str], write: bool, recheck) -> None:
    from lambdalint.sources.python import PythonReadError, decode, parse

    by_path: Dict[str, List[Finding]] = {}
    for finding in result.findings:
        if finding.fix is not None and finding.path in python_by_path:
            by_path.setdefault(finding.path, []).append(finding)
    for path, findings in sorted(by_path.items()):
        source, data = python_by_path[path]
        try:
            text, encoding = decode(data)
        except PythonReadError:
            continue
        # The bytes to write are made (and proven safe for the encoding) with the new text.
        outcome = fix_text(path, text, [f.fix for f in findings],
                           lambda text: parse(text, path), data=data, encoding=encoding)
        if outcome.applied and write and outcome.error is None:
            try:
                write_atomic(source.path, outcome.encoded, expected=data)
            except FixError as exc:
                outcome.error = f"not written: {exc}"
            except OSError as exc:
                outcome.error = f"not written: {exc.strerror or exc}"
        result.fixes.append(outcome)
        if write and outcome.applied and outcome.error is None:
            # What the file holds now is what gets reported: check the written text again.
            texts[path] = outcome.after
            others = [f for f in result.findings if f.path != path]
            result.findings = others + recheck(source, outcome.encoded)
