"""Worker processes for the LibCST work and the deployment configs, when there is enough of
it to pay for them.

Starting a worker costs a fork (or, where fork is not the way, a fresh interpreter that imports
LibCST: a quarter of a second); checking a handler file costs tens of milliseconds. So workers
start only when there are at least ``MIN_FILES_PER_WORKER`` files per worker to parse, and never
more workers than cores (``os.cpu_count``) or files. Each task is a plain function of plain
values (``pycheck.check_data``, ``units.read``), so results are the same in any process, and
they come back in the order the files were given. Reading the configs (Terraform, CDK apps,
templates) in the pool as well keeps the second core busy before the code is checked.

Signals: the parent decides. A Ctrl-C reaches the whole process group, so workers ignore SIGINT
(from their first instruction: the parent holds SIGINT and SIGTERM blocked while it forks them)
and die quietly of SIGTERM; when the parent is interrupted it terminates them (``stop_all``), and
no worker ever prints a traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Sequence, Set,
                    Tuple, TypeVar)

from lambdalint import pycheck

if TYPE_CHECKING:  # pragma: no cover - types only
    from lambdalint.sources import units

MIN_FILES_PER_WORKER = 8

# (data, display path, handler names, want actions[, linked functions: linking.Linked])
Task = Tuple[Any, ...]


def default_jobs() -> int:
    try:
        available = len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, available)


def plan(count: int, jobs: Optional[int]) -> int:
    """How many processes to use for ``count`` files: 1 means in this process."""
    wanted = default_jobs() if jobs is None or jobs <= 0 else jobs
    return max(1, min(wanted, count // MIN_FILES_PER_WORKER))


_shared: Dict[str, Any] = {}


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_live: Set[ProcessPoolExecutor] = set()  # pools running now: what stop_all terminates


def _quiet_signals() -> None:
    """In a worker: SIGINT is the parent's to act on, SIGTERM ends the worker at once (the
    parent's handler, inherited through fork, would raise in the middle of a task)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block SIGINT and SIGTERM while workers are forked, so that none is born able to take a
    Ctrl-C before ``_quiet_signals`` runs; a signal that comes meanwhile is delivered after."""
    if not hasattr(signal, "pthread_sigmask") or \
            threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Terminate a pool's workers now and drop its queued tasks (its results are not wanted)."""
    _live.discard(executor)
    # The pool has no public way to end running tasks; its process table is the only handle.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except Exception:  # a pool already broken or shut down: nothing left to stop
        pass
    for process in processes:
        try:
            process.join(1.0)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass


def stop_all() -> None:
    """Terminate every worker of this process (the CLI calls it when interrupted)."""
    for executor in list(_live):
        _stop(executor)


def _init(rule_ids: Sequence[str], options: Dict[str, Dict[str, Any]], use_prefilter: bool) -> None:
    _quiet_signals()
    _shared.update(rule_ids=list(rule_ids), options=options, use_prefilter=use_prefilter)


def _run(task: Task) -> pycheck.Outcome:
    data, path, names, want_actions, *linked = task
    return pycheck.check_data(data, path, _shared["rule_ids"], _shared["options"], names,
                              want_actions, _shared["use_prefilter"], *linked)


def _context():
    # fork shares the interpreter with LibCST already imported; elsewhere (macOS, Windows,
    # Python 3.14's default) the platform's own way.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


T = TypeVar("T")
R = TypeVar("R")


def _pooled(function: Callable[[T], R], tasks: List[T], processes: int,
            initializer: Callable[..., None], initargs: tuple,
            serial: Callable[[List[T]], Iterator[R]]) -> Iterator[R]:
    """``function`` over ``tasks`` in ``processes`` workers, results in order; what the pool
    could not finish (no processes here, a worker died, a result that could not cross back)
    is done by ``serial`` in this process."""
    # Big tasks first would balance better, but order matters for the caller; small chunks do.
    chunksize = max(1, min(16, len(tasks) // (processes * 8)))
    try:
        executor = ProcessPoolExecutor(max_workers=processes, mp_context=_context(),
                                       initializer=initializer, initargs=initargs)
    except (OSError, ValueError, NotImplementedError):  # no processes here: do it in this one
        yield from serial(tasks)
        return
    done = 0
    _live.add(executor)
    try:
        with _signals_held():  # map() forks the workers and queues every task
            outcomes = executor.map(function, tasks, chunksize=chunksize)
        for outcome in outcomes:
            done += 1
            yield outcome
    except BrokenProcessPool:  # a worker died (out of memory, killed): finish here
        pass
    except Exception:  # noqa: BLE001 - a result that could not cross back: finish here
        _stop(executor)
    except BaseException:  # interrupted, or the caller stopped reading: end the workers now
        _stop(executor)
        raise
    if executor in _live:
        _live.discard(executor)
        executor.shutdown(wait=True)
    if done < len(tasks):
        yield from serial(tasks[done:])


def check_all(tasks: List[Task], rule_ids: Sequence[str], options: Dict[str, Dict[str, Any]],
              use_prefilter: bool, jobs: Optional[int]) -> Iterator[pycheck.Outcome]:
    """Outcomes of ``tasks``, in order."""

    def serial(todo: List[Task]) -> Iterator[pycheck.Outcome]:
        for data, path, names, want_actions, *linked in todo:
            yield pycheck.check_data(data, path, rule_ids, options, names, want_actions,
                                     use_prefilter, *linked)

    processes = plan(len(tasks), jobs)
    if processes <= 1:
        yield from serial(tasks)
        return
    yield from _pooled(_run, tasks, processes, _init,
                       (list(rule_ids), options, use_prefilter), serial)


# -- deployment configs ---------------------------------------------------------------------------

def _init_readers() -> None:
    _quiet_signals()


def read_units(todo: List["units.Unit"], jobs: Optional[int]) -> Iterator["units.Read"]:
    """What each unit's reader gives (``units.read``), in order; in worker processes when there
    are enough units. The readers are imported here first, so that no worker imports them again."""
    from lambdalint.sources import units

    def serial(rest: List["units.Unit"]) -> Iterator["units.Read"]:
        return map(units.read, rest)

    processes = plan(len(todo), jobs)
    if processes <= 1:
        yield from serial(todo)
        return
    for kind in sorted({unit.kind for unit in todo}):
        units.reader(kind)
    yield from _pooled(units.read, todo, processes, _init_readers, (), serial)
