"""The engine: discover files, read them into the model, run the rules, filter, fix.

The CLI calls ``run``; reporters format what it returns. ``run`` is a list of named stages, each
taking what the ones before it gave: discover, read configs, link, check code, check configs,
filter, fix, report. Findings enter in a fixed order (parse errors for what could not be read,
deployment configs that did not parse, Python files, inline code, config rules in registry order)
and the report sorts them by position: ties keep that order. Config parsers are imported only
when a run has config files, so a run over Python files alone never pays for YAML or HCL.

Speed (see bench/README.md): a text pre-filter (``prefilter``) keeps LibCST away from files no
rule can report in; the LibCST work goes to worker processes when there is enough of it
(``workers``); and what each Python file, inline code and deployment config gave is cached by
content (``cache``): the cache wraps a stage (``Context.memo``, ``Context.batch``), so an unchanged repository is
read from the cache, not parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from lambdalint import discovery
from lambdalint.config import Config
from lambdalint.context_configs import context_configs, given_functions
from lambdalint.filtering import Filter, Texts, unknown_code_notes
from lambdalint.findings import Finding
from lambdalint.fixes import FileFix, FixError, fix_text, write_atomic

if False:  # pragma: no cover - typing only
    from lambdalint.cache import Batch, Cache
    from lambdalint.analysis.local_calls import ClientSites
    from lambdalint.linking import Linked
    from lambdalint.model import Function, Project

# The CLI's --show-files asks which configs a run reads around explicit Python files.
_context_configs = context_configs

Links = Dict[str, Set[str]]  # resolved path of a Python file -> the handler names configs give it


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
class Context:
    """What every stage of one run shares: the selection, the rules' options, the cache."""

    config: Config
    enabled_ids: Set[str]
    python_ids: List[str]
    config_ids: List[str]
    options: Dict[str, Dict[str, Any]]
    use_prefilter: bool
    store: Optional["Cache"]
    jobs: Optional[int]

    @classmethod
    def of(cls, config: Config, use_cache: bool, cache_dir: Optional[Path],
           jobs: Optional[int]) -> "Context":
        from lambdalint import prefilter

        enabled = config.enabled_rules()
        return cls(config=config, enabled_ids={r.id for r in enabled},
                   python_ids=[r.id for r in enabled if r.checks_code],
                   config_ids=[r.id for r in enabled if r.checks_config],
                   options={r.id: config.rule_options(r.id) for r in enabled},
                   use_prefilter=prefilter.enabled(),
                   store=_open_cache(config, use_cache, cache_dir), jobs=jobs)

    def memo(self, kind: str, parts: Sequence[Any], compute: Callable[[], Any],
             encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Any:
        """``compute()``, through the cache when there is one (``Cache.memo``)."""
        if self.store is None:
            return compute()
        return self.store.memo(kind, parts, compute, encode, decode)

    def batch(self, kind: str, shared: Any, keys: List[Sequence[Any]],
              decode: Callable[[Any], Any]) -> "Batch":
        """The hits among many inputs computed together (``Cache.batch``); all misses when
        there is no cache."""
        if self.store is None:
            from lambdalint.cache import Batch

            return Batch.uncached(len(keys))
        return self.store.batch(kind, shared, keys, decode)


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """A parse-error finding, from that rule's module (without importing LibCST for it)."""
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


def run(paths: Sequence[str], config: Config, fix: bool = False, diff: bool = False,
        use_cache: bool = True, cache_dir: Optional[Path] = None,
        jobs: Optional[int] = None, before_writing=None) -> Result:
    """Check ``paths``. ``use_cache``/``cache_dir``: where results are kept between runs
    (default ``.lambdalint_cache`` in the configuration's directory, else the working
    directory); ``jobs``: at most this many processes (default: one per core);
    ``before_writing``: called with every file the run reads, before anything is written (the
    CLI refuses there to write its report over one of them)."""
    ctx = Context.of(config, use_cache, cache_dir, jobs)
    found = discover(paths, ctx)
    if before_writing is not None:
        before_writing(found.files + found.context)
    project = read_configs(found, paths, ctx)
    links = link(project)
    code = check_code(found, links, project, ctx)
    judged = check_configs(project, found, ctx)
    kept = filter_findings(found, code, judged, project, ctx)
    fixed = apply_fixes(kept, code, links, ctx, write=fix) if fix or diff else kept
    return report(fixed, found, code, judged, ctx)


# -- discover ---------------------------------------------------------------------------------

@dataclass
class Discovered:
    """The files of a run: those given (found under the paths) and, for explicit Python files
    alone, the deployment configs around them (``context``), read only to link handlers."""

    files: List[discovery.SourceFile]
    context: List[discovery.SourceFile]
    findings: List[Finding]  # parse errors: a directory that could not be read
    notes: List[str]
    # The directories the run checks (the project root around explicit files): the only place
    # the project's own modules are read from to follow calls into them.
    trees: List[Path] = field(default_factory=list)
    python: List[discovery.SourceFile] = field(init=False)
    configs: List[discovery.SourceFile] = field(init=False)

    def __post_init__(self) -> None:
        self.python = [f for f in self.files if f.kind == discovery.PYTHON]
        self.configs = [f for f in self.files if f.kind != discovery.PYTHON]


def discover(paths: Sequence[str], ctx: Context) -> Discovered:
    config = ctx.config
    files, missing, unreadable = discovery.discover_all(paths, config.excludes,
                                                        config.root or Path.cwd())
    notes = [f"{raw}: no such file or directory" for raw in missing]
    # A directory skipped must not leave the run green.
    findings = [replace(parse_error(display, reason), message=reason,
                        suggestion="Make it readable, or exclude it.")
                for display, reason in unreadable]
    return Discovered(files, context_configs(files, config, ctx.store), findings, notes,
                      _trees(paths, files))


def _trees(paths: Sequence[str], files: List[discovery.SourceFile]) -> List[Path]:
    """The directories given, and the project root around each explicit Python file."""
    from lambdalint.context_configs import project_root

    trees = {Path(raw).resolve() for raw in paths if Path(raw).is_dir()}
    trees.update(project_root(f.path.parent.resolve()) for f in files
                 if f.explicit and f.kind == discovery.PYTHON)
    return sorted(trees)


# -- read configs, link -----------------------------------------------------------------------

def read_configs(found: Discovered, paths: Sequence[str], ctx: Context) -> Optional["Project"]:
    """The deployment model (deployment configs first: they name the handlers that the code
    rules then treat as such); None when there is nothing to read."""
    if not found.files:
        return None
    from lambdalint import projects  # noqa: PLC0415 - keep parsers off the start-up path

    return projects.read(found.configs, found.context, found.python, paths, ctx.store, ctx.jobs)


def link(project: Optional["Project"]) -> Links:
    if project is None:
        return {}
    from lambdalint.sources import configs

    return configs.linked_handlers(project)


# -- check code -------------------------------------------------------------------------------

@dataclass
class CodeResult:
    """What the code rules gave for the Python files read, and those files' bytes (for
    suppressions and fixes), by display path."""

    findings: List[Finding]
    notes: List[str]
    files_checked: int
    data: Dict[str, bytes]
    sources: Dict[str, discovery.SourceFile]
    # Resolved path -> the functions its handlers run in (``linking.linked_functions``): what a
    # file rewritten by --fix is checked with again.
    linked: Dict[str, "Linked"] = field(default_factory=dict)
    # Resolved path -> the local functions it calls that create a client on every call.
    sites: Dict[str, "ClientSites"] = field(default_factory=dict)


@dataclass
class _PythonFile:
    source: discovery.SourceFile
    data: bytes
    key: str  # resolved path, as links have it
    names: Tuple[str, ...]  # handler names: configured and linked
    want_actions: bool  # the AWS actions it calls are wanted (a linked handler, config rules on)
    linked: "Linked" = ()  # its handler names with the functions configured to run them
    sites: "ClientSites" = ()  # local functions it may call that create clients (local_calls)


def check_code(found: Discovered, links: Links, project: Optional["Project"],
               ctx: Context) -> CodeResult:
    """Every Python file through the code rules: from the cache, or checked (in worker
    processes when there are many). A linked handler's AWS actions go to ``project``."""
    problems = Result()  # what could not be read
    files: List[_PythonFile] = []
    linked = _linked_functions(project) if ctx.python_ids else {}
    for source in found.python:
        data = _read_bytes(source, problems)
        if data is None:
            continue
        key = str(source.path.resolve())
        names = tuple(sorted(set(ctx.config.handlers) | links.get(key, set())))
        want_actions = project is not None and key in links and bool(ctx.config_ids)
        files.append(_PythonFile(source, data, key, names, want_actions, linked.get(key, ())))
    sites = _client_sites(files, found, project, ctx)
    for file in files:
        file.sites = sites.get(file.key, ())
    settings = [ctx.python_ids, ctx.options, sorted(ctx.config.handlers), bool(ctx.config_ids)]
    batch = ctx.batch("python", settings, [
        (f.source.display, "\0".join(f.names), "actions" if f.want_actions else "", f.data,
         *_linked_key(f.linked), *_sites_key(f.sites))
        for f in files], _decode_python)
    if batch.missing:
        from lambdalint import workers

        tasks = [(f.data, f.source.display, f.names, f.want_actions, f.linked, f.sites)
                 for f in (files[i] for i in batch.missing)]
        outcomes = workers.check_all(tasks, ctx.python_ids, ctx.options, ctx.use_prefilter,
                                     ctx.jobs)
        try:
            for index, outcome in zip(batch.missing, outcomes):
                batch.keep(index, (outcome.findings, outcome.actions, outcome.imports),
                           _encode_python)
        finally:
            # zip stops before the generator returns: close it so the worker pool ends now,
            # not when the generator is collected (idle workers outlived the fix phase).
            outcomes.close()
    findings = problems.findings
    for file, (file_findings, actions, imports) in zip(files, batch.results):
        findings.extend(file_findings)
        if file.want_actions and actions and project is not None:
            project.actions_by_file[file.key] = list(actions)
        if file.want_actions and imports and project is not None:
            project.imports_by_file[file.key] = list(imports)
    return CodeResult(findings, problems.notes, len(files),
                      {f.source.display: f.data for f in files},
                      {f.source.display: f.source for f in files}, linked, sites)


def _linked_functions(project: Optional["Project"]) -> Dict[str, "Linked"]:
    """Per handler file, the functions configured to run its handlers (none without configs)."""
    if project is None or not project.functions:
        return {}
    from lambdalint import linking

    return linking.linked_functions(project)


def _client_sites(files: List[_PythonFile], found: Discovered, project: Optional["Project"],
                  ctx: Context) -> Dict[str, "ClientSites"]:
    """Per Python file, the functions of the project's own modules it may call that create a
    client on every call (``analysis.local_calls``); none when no code rule runs."""
    if not ctx.python_ids or not files:
        return {}
    from lambdalint.analysis import local_calls

    extras = [name for options in ctx.options.values()
              for name in (options.get("extra-clients") or ())]
    return local_calls.client_sites([(f.key, f.data) for f in files],
                                    local_calls.code_dirs_by_file(project), found.trees, extras,
                                    ctx.memo)


def _sites_key(sites: "ClientSites") -> Tuple[Any, ...]:
    """The cache-key part of a file's local client sites: what the helper modules it imports
    make decides its findings, so editing one of them alone checks the file again."""
    if not sites:
        return ()
    from dataclasses import astuple

    return (["sites", [astuple(site) for site in sites]],)


def _linked_key(linked: "Linked") -> Tuple[Any, ...]:
    """The cache-key part of a file's linked functions: nothing for a file no config links, so
    that the keys of unlinked files stay what they were."""
    if not linked:
        return ()
    from lambdalint import linking

    return (linking.cache_part(linked),)


def _encode_python(value: Tuple[List[Finding], List[str], List[str]]) -> list:
    from lambdalint import cache

    findings, actions, imports = value
    return [cache.encode_findings(findings), actions, imports]


def _decode_python(value: Any) -> Tuple[List[Finding], List[str], List[str]]:
    """A Python file's cache entry, ``[findings, actions, imports]``; anything else raises (a
    miss)."""
    from lambdalint import cache

    findings, actions, imports = value
    for name, names in (("actions", actions), ("imports", imports)):
        if not isinstance(names, list) or not all(isinstance(a, str) for a in names):
            raise cache.WrongShape(name)
    return cache.decode_findings(findings), actions, imports


def _open_cache(config: Config, use_cache: bool, cache_dir: Optional[Path]) -> Optional["Cache"]:
    if not use_cache or os.environ.get("LAMBDALINT_NO_CACHE", "") not in ("", "0"):
        return None
    from lambdalint import cache

    return cache.Cache(Path(cache_dir) if cache_dir is not None
                       else cache.default_directory(config.root))


# -- check configs ----------------------------------------------------------------------------

@dataclass
class Judged:
    """What the functions of the deployment model gave: their inline code through the code
    rules, then every config rule in registry order."""

    findings: List[Finding] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # a rule that failed


def check_configs(project: Optional["Project"], found: Discovered, ctx: Context) -> Judged:
    judged = Judged()
    if project is None:
        return judged
    if found.context:
        # Configs read only to link handlers: judge only the functions of the files given.
        project = given_functions(project, found.files)
    if ctx.python_ids:
        for function in project.functions:
            if function.code.inline is not None:
                judged.findings.extend(_check_inline(function, ctx))
    from lambdalint import registry

    for rule_id in ctx.config_ids:
        rule = registry.get(rule_id).load()(ctx.options.get(rule_id, {}))
        try:
            judged.findings.extend(f for f in rule.check(project) if f is not None)
        except Exception as exc:  # a bug of ours must not end the run
            judged.notes.append(f"internal error in {rule_id} ({type(exc).__name__}: {exc}); "
                                "its findings are missing, please report it")
    return judged


def _check_inline(function: "Function", ctx: Context) -> List[Finding]:
    """Python written in a config file: cached by its text, like a file."""
    from lambdalint import cache

    inline = function.code.inline
    handler = function.handler
    name = (handler.value or "").rpartition(".")[2] if handler and handler.literal else ""
    names = {name} if name else set()
    from lambdalint import linking

    linked = linking.as_linked({name: [linking.linked_function(function)]}) if name else ()

    def compute() -> List[Finding]:
        from lambdalint import pycheck

        return pycheck.check_inline(inline.text, inline.path, inline.line_offset,
                                    inline.column_offset, ctx.python_ids, ctx.options, names,
                                    linked)

    parts = [ctx.python_ids, ctx.options, sorted(names), inline.path, inline.line_offset,
             inline.column_offset, inline.text, *_linked_key(linked)]
    return ctx.memo("inline", parts, compute, cache.encode_findings, cache.decode_findings)


# -- filter -----------------------------------------------------------------------------------

@dataclass
class Kept:
    """The findings the user sees, and what the fix stage needs to filter a rewritten file."""

    findings: List[Finding]
    notes: List[str]  # suppression comments naming no rule
    rules: Filter
    texts: Texts
    fixes: List[FileFix] = field(default_factory=list)  # by the fix stage


def filter_findings(found: Discovered, code: CodeResult, judged: Judged,
                    project: Optional["Project"], ctx: Context) -> Kept:
    findings = found.findings + _read_errors(project) + code.findings + judged.findings
    texts = Texts(code.data, {f.display: f.path for f in found.files})
    notes = unknown_code_notes(findings, code.data, [f.display for f in found.configs], texts.of)
    rules = Filter(ctx.config, ctx.enabled_ids)
    kept = rules.keep(findings, texts.of)
    if found.context:
        # Configs read only to link handlers: report on the files given, nothing else.
        given = {f.display for f in found.files}
        kept = [f for f in kept if f.path in given]
    return Kept(kept, notes, rules, texts)


def _read_errors(project: Optional["Project"]) -> List[Finding]:
    """A parse-error finding for each deployment config that did not read."""
    if project is None:
        return []
    return [parse_error(e.path, e.message, e.line, e.column) for e in project.errors]


# -- fix --------------------------------------------------------------------------------------

def apply_fixes(kept: Kept, code: CodeResult, links: Links, ctx: Context, write: bool) -> Kept:
    """The fixes of the findings kept, applied to the text of their files (``--diff`` shows
    them, ``--fix`` writes them); a file written is checked again, and its findings are those
    of the new text."""
    from lambdalint.sources.python import PythonReadError, decode, parse

    findings = list(kept.findings)
    by_path: Dict[str, List[Finding]] = {}
    for finding in findings:
        if finding.fix is not None and finding.path in code.data:
            by_path.setdefault(finding.path, []).append(finding)
    fixes: List[FileFix] = []
    for path, fixable in sorted(by_path.items()):
        source, data = code.sources[path], code.data[path]
        try:
            text, encoding = decode(data)
        except PythonReadError:
            continue
        # The bytes to write are made (and proven safe for the encoding) with the new text.
        outcome = fix_text(path, text, [f.fix for f in fixable],
                           lambda text: parse(text, path), data=data, encoding=encoding)
        if outcome.applied and write and outcome.error is None:
            try:
                write_atomic(source.path, outcome.encoded, expected=data)
            except FixError as exc:
                outcome.error = f"not written: {exc}"
            except OSError as exc:
                outcome.error = f"not written: {exc.strerror or exc}"
        fixes.append(outcome)
        if write and outcome.applied and outcome.error is None:
            # What the file holds now is what gets reported: check the written text again.
            kept.texts.set(path, outcome.after)
            others = [f for f in findings if f.path != path]
            findings = others + _recheck(source, outcome.encoded, kept, links, code, ctx)
    return replace(kept, findings=findings, fixes=fixes)


def _recheck(source: discovery.SourceFile, data: bytes, kept: Kept, links: Links,
             code: CodeResult, ctx: Context) -> List[Finding]:
    from lambdalint import pycheck

    key = str(source.path.resolve())
    names = set(ctx.config.handlers) | links.get(key, set())
    found = pycheck.check_data(data, source.display, ctx.python_ids, ctx.options, names,
                               use_prefilter=ctx.use_prefilter,
                               linked=code.linked.get(key, ()),
                               sites=code.sites.get(key, ())).findings
    return kept.rules.keep(found, kept.texts.of)


# -- report -----------------------------------------------------------------------------------

def report(kept: Kept, found: Discovered, code: CodeResult, judged: Judged,
           ctx: Context) -> Result:
    result = Result(findings=sorted(kept.findings, key=Finding.sort_key),
                    files_checked=code.files_checked + len(found.configs), fixes=kept.fixes,
                    notes=found.notes + code.notes + judged.notes + kept.notes)
    if ctx.store is not None:
        ctx.store.flush()  # the one write of the run
        result.cache_hits, result.cache_misses = ctx.store.hits, ctx.store.misses
    return result
