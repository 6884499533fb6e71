"""Where a cold run's CPU goes, phase by phase: the breakdown of issue 16's table, for any tree.

    python bench/phases.py /tmp/sp                  # all rules, as `lambdalint check` runs them
    python bench/phases.py /tmp/sp --select LL1     # the code rules alone
    python bench/phases.py . --files 15             # also the 15 costliest Python files
    python bench/phases.py /tmp/sp --cache /tmp/c   # through a cache (run twice: warm)

It runs the engine in this process (no cache unless ``--cache``, no worker processes: ``--jobs 1``) with timers
around the functions that make up each phase, and charges every CPU second (``time.process_time``)
to the innermost phase running: a LibCST metadata resolution asked for by a rule counts as
metadata, not as the rule, and one asked for by the CDK reader counts as the CDK reader. What no
timer covers is "engine, other". The timers add a microsecond or two per call; a cProfile of the
same run takes about three times as long and blurs the phases, which is why this exists.

Besides the table it counts what the pre-filter let through: the Python files that went to
LibCST, those that came out with no finding (the work a more precise gate would save), and, per
rule, how many files its gate passed and in how many of them the rule reported.

Nothing here is used by lambdalint itself; the timers are installed by replacing module
attributes for the length of the run.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing


class Clock:
    """Exclusive CPU time per phase: a stack of the phases running, each second charged to the
    one on top."""

    def __init__(self) -> None:
        self.spent: Dict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()
        self.stack: List[str] = ["engine, other"]
        self.last = time.process_time()

    def _switch(self) -> None:
        now = time.process_time()
        self.spent[self.stack[-1]] += now - self.last
        self.last = now

    def enter(self, phase: str) -> None:
        self._switch()
        self.stack.append(phase)
        self.calls[phase] += 1

    def leave(self) -> None:
        self._switch()
        self.stack.pop()

    def wrap(self, function: Callable, phase: Any, keep: Sequence[str] = (),
             keep_prefix: str = "") -> Callable:
        """``function`` charging its time to ``phase`` (a name, or a function of the call's
        arguments giving one); inside a phase of ``keep`` (or one named ``keep_prefix...``) it
        stays charged to that one."""

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if (keep and any(p in keep for p in self.stack)) or (
                    keep_prefix and any(p.startswith(keep_prefix) for p in self.stack)):
                return function(*args, **kwargs)
            self.enter(phase(*args, **kwargs) if callable(phase) else phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        timed.__wrapped_by_phases__ = True  # type: ignore[attr-defined]
        return timed


def _patch(owner: Any, name: str, clock: Clock, phase: Any, keep: Sequence[str] = (),
           keep_prefix: str = "") -> None:
    original = vars(owner).get(name) if isinstance(owner, type) else None
    if isinstance(original, property):  # a computed attribute: time its getter
        if not getattr(original.fget, "__wrapped_by_phases__", False):
            setattr(owner, name, property(clock.wrap(original.fget, phase, keep, keep_prefix)))
        return
    original = getattr(owner, name)
    if getattr(original, "__wrapped_by_phases__", False):
        return
    setattr(owner, name, clock.wrap(original, phase, keep, keep_prefix))


CONFIG_PHASES = ("configs: YAML/JSON documents", "configs: Terraform", "configs: CDK apps")


def _unit_phase(unit: Any) -> str:
    return {"document": CONFIG_PHASES[0], "terraform": CONFIG_PHASES[1],
            "cdk": CONFIG_PHASES[2]}.get(unit.kind, "configs: " + unit.kind)


class Census:
    """What the pre-filter let through, per file and per rule."""

    def __init__(self) -> None:
        self.files = 0
        self.to_libcst = 0
        self.to_libcst_clean = 0
        self.passed: Counter = Counter()  # rule -> files its gate let through
        self.reported_in: Counter = Counter()  # rule -> of those, files it reported in
        self.alone: Counter = Counter()  # rule -> clean files it alone sent to LibCST
        self.cost: List[Tuple[float, str, List[str]]] = []


def install(clock: Clock, census: Census) -> None:
    """Put the timers in place (before the run imports what it needs: all of it is imported
    here first, so that the engine's lazy imports find the wrapped functions)."""
    from libcst.metadata import MetadataWrapper

    from lambdalint import cache, engine, prefilter, pycheck
    from lambdalint.analysis import handlers
    from lambdalint.sources import units

    gates = prefilter.rules_needed
    _patch(engine, "discover", clock, "discovery")
    _patch(engine, "link", clock, "linking handlers")
    _patch(engine, "check_configs", clock, "config rules (and inline code)")
    _patch(engine, "filter_findings", clock, "suppressions, filtering")
    _patch(engine, "report", clock, "report")
    _patch(units, "read", clock, _unit_phase)
    _patch(units, "fingerprint", clock, "cache: keys of configs")
    _patch(cache.Cache, "get", clock, "cache: read and decode", keep=CONFIG_PHASES)
    _patch(cache.Cache, "batch", clock, "cache: read and decode", keep=CONFIG_PHASES)
    _patch(cache.Cache, "put", clock, "cache: encode and write")
    _patch(cache.Cache, "flush", clock, "cache: encode and write")
    _patch(prefilter.Text, "tree", clock, "python: ast parse (pre-filter)")
    _patch(prefilter, "rules_needed", clock, "python: gates (pre-filter)")
    _patch(prefilter, "actions_from_ast", clock, "python: AWS actions from ast")
    _patch(pycheck, "decode", clock, "python: decode")
    _patch(pycheck, "parse", clock, "python: LibCST parse")
    _patch(handlers, "analyse", clock, "python: handler analysis")
    metadata = "python: LibCST metadata: "

    def provider(_wrapper: Any, providers: Any) -> str:
        names = sorted(p.__name__ for p in (providers if isinstance(providers, (list, tuple, set,
                                                                                frozenset))
                                            else [providers]))
        return metadata + " + ".join(names).replace("Provider", "") if names else metadata + "-"

    _patch(MetadataWrapper, "resolve", clock, provider, keep=CONFIG_PHASES)
    _patch(MetadataWrapper, "resolve_many", clock, provider, keep=CONFIG_PHASES)
    # The rules' traversal: what its metadata and the rules' methods do is charged to them.
    # (metadata providers traverse the tree through it too: that stays metadata)
    _patch(MetadataWrapper, "visit_batched", clock, "python: LibCST traversal",
           keep=CONFIG_PHASES, keep_prefix=metadata)

    rules_phase = "python: the rules' own code"
    loaded = pycheck.rule_classes

    def rule_classes(rule_ids: Sequence[str]) -> List[type]:
        classes = loaded(rule_ids)
        for cls in classes:
            for name in list(vars(cls)):
                if name.startswith(("visit_", "leave_")) and callable(getattr(cls, name)):
                    _patch(cls, name, clock, rules_phase)
        return classes

    pycheck.rule_classes = rule_classes  # type: ignore[assignment]

    checked = pycheck._checked

    def census_checked(view, text, encoding, path, rule_ids, options, *rest):  # type: ignore[no-untyped-def]
        start = time.process_time()
        outcome = checked(view, text, encoding, path, rule_ids, options, *rest)
        census.files += 1
        if not outcome.parsed:
            return outcome
        census.to_libcst += 1
        needed = gates(view, rule_ids, options) if view.tree is not None \
            else list(rule_ids)
        reporting = {f.rule for f in outcome.findings}
        for rule in needed:
            census.passed[rule] += 1
            census.reported_in[rule] += rule in reporting
        if not outcome.findings:
            census.to_libcst_clean += 1
            if len(needed) == 1:
                census.alone[needed[0]] += 1
        census.cost.append((time.process_time() - start, path, needed))
        return outcome

    pycheck._checked = census_checked  # type: ignore[assignment]


def run(paths: Sequence[str], select: Optional[str], cache_dir: Optional[str] = None
        ) -> Tuple[Clock, Census, Any, float, float]:
    clock, census = Clock(), Census()
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    from lambdalint import engine
    from lambdalint.config import load

    imported = time.process_time() - start_cpu
    install(clock, census)
    config = load(list(paths), None)
    if select:
        config.select = [part for part in select.split(",") if part]
        config.ignore = []
    clock.spent.clear()
    clock.last = time.process_time()
    clock.spent["start-up imports (lambdalint, click)"] = imported
    result = engine.run(list(paths), config, use_cache=cache_dir is not None,
                        cache_dir=Path(cache_dir) if cache_dir else None, jobs=1)
    clock._switch()
    return clock, census, result, time.process_time() - start_cpu, time.perf_counter() - start_wall


def table(clock: Clock, total: float) -> str:
    lines = ["| phase | CPU s | share |", "|---|---:|---:|"]
    for phase, seconds in sorted(clock.spent.items(), key=lambda item: -item[1]):
        if seconds >= 0.005:
            lines.append(f"| {phase} | {seconds:.2f} | {100 * seconds / total:.0f} % |")
    lines.append(f"| **total** | **{total:.2f}** | |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["."],
                        help="what to check, relative to --cwd (default: .)")
    parser.add_argument("--cwd", default=None, help="run from this directory (as a user would)")
    parser.add_argument("--select", default=None, help="rules, as --select of lambdalint check")
    parser.add_argument("--files", type=int, default=0, help="list the N costliest Python files")
    parser.add_argument("--cache", default=None, metavar="DIR",
                        help="use (and fill) the cache in DIR: a second run is a warm run")
    args = parser.parse_args(argv)
    if args.cwd:
        os.chdir(args.cwd)
    clock, census, result, cpu, wall = run(args.paths, args.select, args.cache)
    cached = f"cache {args.cache} ({result.cache_hits} hits, {result.cache_misses} misses)" \
        if args.cache else "no cache"
    print(f"lambdalint phases: {', '.join(args.paths)} (cwd {os.getcwd()}), one process, {cached}")
    print(f"{result.files_checked} files checked, {len(result.findings)} findings; "
          f"CPU {cpu:.2f} s, wall {wall:.2f} s, load average {os.getloadavg()[0]:.1f}")
    print()
    print(table(clock, sum(clock.spent.values())))
    print()
    print(f"Python files: {census.files}; through LibCST: {census.to_libcst}, "
          f"{census.to_libcst_clean} of them with no finding")
    print()
    print("| rule | gate passed | reported in | the only rule of a clean file |")
    print("|---|---:|---:|---:|")
    for rule in sorted(census.passed):
        print(f"| {rule} | {census.passed[rule]} | {census.reported_in[rule]} | "
              f"{census.alone[rule]} |")
    if args.files:
        print()
        print("| CPU ms | file | rules its gates passed |")
        print("|---:|---|---|")
        for seconds, path, needed in sorted(census.cost, reverse=True)[:args.files]:
            print(f"| {1000 * seconds:.0f} | {path} | {' '.join(needed)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
