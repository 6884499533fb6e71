"""The command line: parses options, calls the engine, hands findings to a reporter.

Exit codes: 0 when nothing at or above --fail-on was found, 1 when something was, 2 for a usage
or configuration error or an internal failure, always with one line saying what is wrong.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence

import click

from lambdalint import __version__

if TYPE_CHECKING:  # pragma: no cover
    from lambdalint.discovery import SourceFile
    from lambdalint.registry import RuleInfo

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> List[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"lambdalint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


class _NetworkRulesOption(click.Option):
    """An option whose help names the rules that ask a service (``{rules}`` in its help), read
    from the registry only when the help is shown: ``--version`` does not pay for the scan."""

    def get_help_record(self, ctx: click.Context):
        record = super().get_help_record(ctx)
        if record is None or "{rules}" not in record[1]:
            return record
        from lambdalint import registry

        named = ", ".join(registry.ids(registry.network_rules()))
        return record[0], record[1].replace("{rules}", named)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="lambdalint", message="%(prog)s %(version)s")
def cli() -> None:
    """lambdalint: a linter for AWS Lambda handler code and deployment configs."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "sarif", "gitlab", "junit"]),
              default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(),
              help="Write the report to FILE instead of standard output.")
@click.option("--select", multiple=True, help="Rules to run: ids, names or prefixes (LL1), comma-separated.")
@click.option("--ignore", multiple=True, help="Rules to skip: ids, names or prefixes, comma-separated.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place.")
@click.option("--diff", is_flag=True, help="Show what --fix would change; change nothing.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default=None,
              help="Lowest severity that makes the run fail [default: warning].")
@click.option("--config", "config_path", type=click.Path(), help="Use this configuration file.")
@click.option("--statistics", is_flag=True,
              help="Count findings per rule (text: instead of listing them; json: in the summary).")
@click.option("--quiet", "-q", is_flag=True, help="Findings only: no suggestions, no summary.")
@click.option("--color/--no-color", default=None, help="Colour the text output [default: on a terminal].")
@click.option("--audit", is_flag=True, cls=_NetworkRulesOption,
              help="Audit pinned requirements for known vulnerabilities ({rules}; needs network).")
@click.option("--audit-service", type=click.Choice(["osv", "pypi"]), default=None,
              help="Vulnerability service of --audit [default: osv].")
@click.option("--osv-url", default=None, metavar="URL",
              help="An OSV-compatible query URL (a mirror) for --audit.")
@click.option("--no-cache", is_flag=True, help="Read no cached results and write none.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Keep the cache here [default: .lambdalint_cache beside the configuration].")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Worker processes at most [default: 0, one per core].")
@click.option("--show-files", is_flag=True,
              help="List the files a run would check, with their kind; check nothing.")
@click.option("--verbose", "-v", is_flag=True,
              help="With --show-files: also every path skipped, and why.")
def check(paths, output_format, output, select, ignore, fix, diff, exit_zero, fail_on,
          config_path, statistics, quiet, color, audit, audit_service, osv_url, no_cache,
          cache_dir, jobs, show_files, verbose) -> None:
    """Check PATHS (default: the current directory)."""
    from lambdalint import engine, registry
    from lambdalint.config import ConfigError, load, parse_severity
    from lambdalint.reporters import get as get_reporter

    paths = list(paths) or ["."]
    if verbose and not show_files:
        raise _fail("--verbose works with --show-files (it lists the paths skipped)")
    _check_paths(paths)
    if output is not None:
        _check_output(output)
    try:
        config = load(paths, config_path)
        for option, values in (("--select", select), ("--ignore", ignore)):
            for item in _split(values):
                if not registry.is_known_selector(item):
                    raise ConfigError(f"{option}: unknown rule '{item}'; use an id (LL102), a name, "
                                      "a prefix (LL1) or ALL; `lambdalint rules` lists them")
        if _split(select):
            # As in Ruff: a selection on the command line replaces the file's select and ignore.
            config.select = _split(select)
            config.ignore = []
        if _split(ignore):
            config.ignore = list(config.ignore) + _split(ignore)
        if fail_on:
            config.fail_on = parse_severity("--fail-on", "--fail-on", fail_on)
        _audit_settings(config, audit, audit_service, osv_url)
    except ConfigError as exc:
        raise _fail(str(exc))

    if show_files:
        _show_files(paths, config, verbose)
        raise click.exceptions.Exit(EXIT_OK)
    distrusted = config.distrusted_notes(audit)
    for line in distrusted:
        click.echo(f"lambdalint: {line}", err=True)
    # (A distrusted note has just said how to turn the audit on: one line is enough.)
    if not config.audit and not distrusted:
        for rule in _network_rules_named(_split(select)):
            click.echo(f"lambdalint: {rule.id} needs --audit (it asks {rule.network}); "
                       f"without it {rule.id} reports nothing", err=True)
    if config.audit:
        from lambdalint.packages.audit import take_not_done

        take_not_done()  # nothing left from an earlier run in this process
    # --diff only shows: with --fix too, nothing is written.
    result = engine.run(paths, config, fix=fix and not diff, diff=diff, use_cache=not no_cache,
                        cache_dir=cache_dir, jobs=jobs or None,
                        before_writing=lambda files: _refuse_overwrites(output, files))
    from lambdalint.redact import mask_text  # notes and fix errors may quote the code

    for note in result.notes:
        click.echo(f"lambdalint: {mask_text(note)}", err=True)
    for outcome in result.fixes:
        if outcome.error:
            click.echo(f"lambdalint: {outcome.path}: {mask_text(outcome.error)}", err=True)

    if diff:
        from lambdalint.fixes import unified_diff

        text = "".join(unified_diff(o.path, o.before, o.after) for o in result.fixes if o.applied)
        _emit(mask_text(text), output, color=False)  # the hoisted lines may hold a secret
        changed = sum(1 for o in result.fixes if o.applied)
        click.echo(f"lambdalint: {changed} file{'s' if changed != 1 else ''} would be changed.", err=True)
        _end_if_audit_failed(config.audit)
        raise click.exceptions.Exit(EXIT_FINDINGS if changed and not exit_zero else EXIT_OK)

    if color is None:
        color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    render = get_reporter(output_format)
    _emit(render(result, color=color, quiet=quiet, statistics=statistics), output, color=color)
    _end_if_audit_failed(config.audit)
    failing = [f for f in result.findings if f.severity.rank >= config.fail_on.rank]
    raise click.exceptions.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


def _show_files(paths: Sequence[str], config, verbose: bool) -> None:
    """``--show-files``: what a run would check, found exactly as the run finds it (same walk,
    same excludes), so "why is this file not checked?" has an answer without reading code."""
    from lambdalint import discovery

    skipped: List[str] = []

    def on_skip(display: str, why: str) -> None:
        skipped.append(f"{display}: skipped, {why}")

    files, _, unreadable = discovery.discover_all(paths, config.excludes,
                                                  config.root or Path.cwd(),
                                                  on_skip=on_skip if verbose else None)
    for source in files:
        click.echo(f"{source.display}: {source.kind}")
    from lambdalint.engine import _context_configs

    # Named files alone (pre-commit): the run also reads the project's deployment configs.
    for source in _context_configs(files, config):
        click.echo(f"{source.display}: {source.kind}, read only to know the handlers")
    for display, why in unreadable:
        click.echo(f"{display}: skipped, {why}")
    for line in skipped:
        click.echo(line)


def _network_rules_named(selectors: Sequence[str]) -> List["RuleInfo"]:
    """The rules asking a service (META.network) that --select items name themselves (by id or
    name; a prefix or ALL names no rule in particular), each once."""
    from lambdalint import registry

    named = {info.id: info for info in map(registry.get, selectors) if info is not None}
    return [info for info in named.values() if info.network]


def _end_if_audit_failed(audit_on: bool) -> None:
    """An audit that was asked for and did not happen (no network, the service down) ends the
    run with exit 2 and its one line, after the report: the report holds the other rules'
    findings, and the exit code keeps a report without the audited rules' findings from passing
    for a clean audit."""
    if not audit_on:
        return
    from lambdalint.packages.audit import take_not_done
    from lambdalint.redact import mask_text  # an --osv-url may carry a password

    failures = take_not_done()
    if failures:
        click.echo(f"lambdalint: error: {mask_text(failures[0])} (exit code 2)", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)


def _audit_settings(config, audit: bool, service: Optional[str], osv_url: Optional[str]) -> None:
    """--audit and its options, which set the options of those names of every rule that asks a
    service (META.network); an audit that cannot run stops here, before any work."""
    from lambdalint import registry
    from lambdalint.config import ConfigError

    if (service or osv_url) and not (audit or config.audit):
        raise ConfigError("--audit-service and --osv-url need --audit "
                          "(or audit = true in a configuration passed with --config)")
    config.audit = config.audit or audit
    given = {name: value for name, value in (("service", service), ("osv-url", osv_url)) if value}
    for rule in registry.network_rules():
        taken = {name: value for name, value in given.items()
                 if name in {option.name for option in rule.options}}
        if taken:
            config.set_options(rule.id, taken)
    if not config.audit:
        return
    for rule in config.enabled_rules():
        found = rule.preflight(config.rule_options(rule.id)) if rule.network else None
        if found is not None:
            raise ConfigError(found)


_NOT_FILES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
              (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _check_paths(paths: Sequence[str]) -> None:
    """Refuse what cannot be checked before any work, and say when a named file is of no kind
    lambdalint reads: a typo or a wrong argument in a CI script must not turn into a green
    run that checked nothing."""
    from lambdalint.discovery import SUFFIX_KINDS, kind_of, printable

    missing: List[str] = []
    for raw in paths:
        try:
            mode = os.stat(raw).st_mode
        except (OSError, ValueError):
            missing.append(raw)
            continue
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            # Reading a pipe or a device could block forever, and it is not source code.
            what = next((name for test, name in _NOT_FILES if test(mode)), "not a regular file")
            raise _fail(f"{printable(raw)}: is {what}, not a file lambdalint can check")
        if kind_of(Path(raw)) is None:
            suffixes = ", ".join(SUFFIX_KINDS)
            click.echo(f"lambdalint: {printable(raw)}: not checked, lambdalint reads only "
                       f"files ending in {suffixes}", err=True)
    if missing:
        if any(m.startswith("-") for m in missing):
            # After `--` (the pre-commit hooks end their entry with it) an option is a path.
            raise _fail(f"no such file or directory: {', '.join(printable(m) for m in missing)} "
                        "(after `--` every argument is a path: the pre-commit hooks end with `--`, "
                        "so set options in the configuration, not in `args`)")
        raise _fail(f"no such file or directory: {', '.join(printable(m) for m in missing)}")


def _refuse_overwrites(output: Optional[str], files: Sequence["SourceFile"]) -> None:
    """The one place that holds every path the run will write against the files it reads.

    ``--output`` must never replace a file under check: pre-commit passes file names, and a
    file named ``--output=handler.py`` once made lambdalint write its report over handler.py.
    Compared by device and inode, so a hard link or a symbolic link to a checked file is
    caught too. A file that already holds a lambdalint report may be replaced (the README's
    ``--output lambdalint.json``, run again, finds its previous report among the JSON files).
    The fixes of ``--fix`` write the checked files themselves, by design, and the cache writes
    only files of its own in its own directory.
    """
    if output is None:
        return
    try:
        target = os.stat(output)
    except (OSError, ValueError):
        return  # not there yet: it cannot be one of the files read
    if stat.S_ISDIR(target.st_mode):
        raise _fail(f"--output {output}: is a directory")
    wanted = (target.st_dev, target.st_ino)
    for source in files:
        try:
            found = os.stat(source.path)
        except (OSError, ValueError):
            continue
        if (found.st_dev, found.st_ino) == wanted and not _holds_report(output):
            raise _fail(f"--output {output}: is {source.display}, a file being checked; "
                        "the report is not written over it")


_REPORT_HEADS = (b'{\n  "version": "', b'{\n  "$schema": "https://json.schemastore.org/sarif')


def _holds_report(path: str) -> bool:
    """Whether ``path`` starts as lambdalint's JSON or SARIF report starts."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    if head.startswith(_REPORT_HEADS[0]):
        return b'"findings": [' in head
    return head.startswith(_REPORT_HEADS[1]) and b'"name": "lambdalint"' in head


def _check_output(output: str) -> None:
    """Refuse an unusable --output before the run, not after it."""
    parent = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        raise _fail(f"--output {output}: is a directory")
    if not os.path.isdir(parent):
        raise _fail(f"--output {output}: directory {os.path.dirname(output) or '.'} does not exist")
    if not os.access(parent, os.W_OK) or (os.path.exists(output) and not os.access(output, os.W_OK)):
        raise _fail(f"--output {output}: permission denied")


def _emit(text: str, output: Optional[str], color: bool = False) -> None:
    if output is None:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise:
        # --color must win over that.
        click.echo(text, nl=False, color=color or None)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise _fail(f"--output {output}: {exc.strerror}")


@cli.command()
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="The cache to remove [default: .lambdalint_cache beside the configuration].")
def clean(cache_dir) -> None:
    """Remove the cache."""
    from pathlib import Path

    from lambdalint import cache
    from lambdalint.config import ConfigError, load

    try:
        root = load(["."], None).root
    except ConfigError as exc:
        raise _fail(str(exc))
    directory = Path(cache_dir) if cache_dir else cache.default_directory(root)
    try:
        removed = cache.clean(directory)
    except (ValueError, OSError) as exc:
        raise _fail(str(exc))
    click.echo(f"lambdalint: {'removed' if removed else 'no cache at'} {directory}", err=True)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def list_rules(output_format) -> None:
    """List every rule."""
    from lambdalint import registry

    if output_format == "json":
        import json

        click.echo(json.dumps([{
            "id": r.id, "name": r.name, "severity": r.severity.value, "fixable": r.fixable,
            "summary": r.summary, "url": r.docs_url,
        } for r in registry.RULES], indent=2))
        return
    width = max(len(r.name) for r in registry.RULES)
    for r in registry.RULES:
        fixable = "fix" if r.fixable else "   "
        click.echo(f"{r.id}  {r.name:<{width}}  {r.severity.value:<7}  {fixable}  {r.summary}")


@cli.command()
@click.argument("rule")
def explain(rule) -> None:
    """Show the page of RULE (an id like LL102, or a name)."""
    from lambdalint import docs, registry

    info = registry.get(rule)
    if info is None:
        raise _fail(f"unknown rule '{rule}'; `lambdalint rules` lists them")
    text = docs.page(info.id)
    if text is None:
        raise _fail(f"the page of {info.id} is missing from this installation")
    click.echo(text.rstrip("\n"))


EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # 128 + the signal's number, as shells report it


def _on_signal(number: int, frame) -> None:
    """SIGINT and SIGTERM become exceptions in the main thread, so that every ``finally`` runs
    (``--fix`` removes its temporary files there); a second signal during that clean-up is
    ignored: the first one already decided how the run ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if number == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(EXIT_SIGTERM)


def _install_signal_handlers() -> None:
    import signal

    for number in (signal.SIGINT, signal.SIGTERM):
        # A SIGINT ignored by whoever started us (``nohup``, a background job) stays ignored.
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _on_signal)


def _end_interrupted(code: int) -> None:
    """End an interrupted run with ``code`` and nothing else: terminate the worker processes,
    flush what was printed, and leave without the interpreter's shutdown. A LibCST parse of a
    long file runs on a thread of its own, in native code; the normal shutdown with that thread
    still running aborts the process (SIGABRT), so ``os._exit`` it is."""
    workers = sys.modules.get("lambdalint.workers")
    if workers is not None:
        workers.stop_all()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


# Python collects its youngest generation every 700 new container objects; a LibCST tree of
# one handler file is tens of thousands of them, all alive until the file is done, so the
# collector walked them again and again for nothing: 487 collections, 0.57 s, while LibCST
# checked 120 files of serverless-patterns, against one collection, 0.17 s, with these
# settings. Runs are short and make few reference cycles worth collecting early.
GC_THRESHOLD = (100_000, 50, 100)


def _tune_gc() -> None:
    """Collect rarely, and never look again at what start-up created (``gc.freeze``: the
    modules, click's commands), in this process and the workers it forks."""
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    _install_signal_handlers()
    _tune_gc()
    if not args:
        # No command: the help is the useful answer, but it is still not a successful run.
        click.echo(cli.get_help(click.Context(cli, info_name="lambdalint", **cli.context_settings)),
                   err=True)
        sys.exit(EXIT_ERROR)
    try:
        code = cli.main(args=args, prog_name="lambdalint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        # A usage error: one line, exit 2 (click would print the whole usage text).
        message = " ".join(exc.format_message().split())
        click.echo(f"lambdalint: error: {message}", err=True)
        code = EXIT_ERROR
    except click.exceptions.Abort as exc:
        # click turns a KeyboardInterrupt into Abort (and prints an empty line).
        code = EXIT_SIGINT if isinstance(exc.__context__, KeyboardInterrupt) else EXIT_ERROR
    except KeyboardInterrupt:
        code = EXIT_SIGINT
    except SystemExit as exc:
        if exc.code != EXIT_SIGTERM:
            raise
        code = EXIT_SIGTERM
    except BrokenPipeError:
        # The reader went away (``| head``) outside click's own handling of it: stop quietly
        # as click does (exit 1), and keep Python from complaining about stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_FINDINGS
    except Exception as exc:  # an internal failure is still one line, never a traceback
        if os.environ.get("LAMBDALINT_DEBUG"):
            raise
        detail = " ".join(str(exc).split())
        click.echo(f"lambdalint: internal error: {type(exc).__name__}: {detail} "
                   "(set LAMBDALINT_DEBUG=1 for the traceback, and please report it)", err=True)
        code = EXIT_ERROR
    if code in (EXIT_SIGINT, EXIT_SIGTERM):
        _end_interrupted(code)
    sys.exit(code or 0)
