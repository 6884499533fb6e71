"""Ctrl-C and SIGTERM: a real ``python -m lambdalint check`` interrupted while it is busy.

Exit 130 for SIGINT and 143 for SIGTERM, no traceback from any process, no worker left behind.
Each test waits until the run is provably in the phase it means to interrupt (worker processes
exist; the parser's own thread exists) by reading /proc, not by sleeping, so a slow or loaded
machine changes how long it waits, not the outcome.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import pytest

from helpers import write

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir() or sys.platform != "linux",
                                reason="reads /proc to see the run's processes and threads")

FUNCTION = ("def handler_{i}(event, context):\n    import boto3\n"
            "    client = boto3.client('s3')\n    return client.list_buckets(Bucket=str({i}))\n\n")


def _handlers(count: int) -> str:
    return "".join(FUNCTION.format(i=i) for i in range(count))


def _start(args: List[str], cwd: Path) -> subprocess.Popen:
    # A session of its own: the group can be signalled as a terminal's Ctrl-C signals it.
    return subprocess.Popen([sys.executable, "-m", "lambdalint", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _children(pid: int) -> List[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _wait_for(proc: subprocess.Popen, ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {what}: exit {proc.returncode}, "
                        f"stderr {proc.stderr.read()!r}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within 60 s")
        time.sleep(0.005)


def _group_gone(pgid: int) -> bool:
    """Whether every process of the run's group has ended (workers included)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def _busy_tree(root: Path) -> Path:
    # 160 files of 40 handlers: seconds of LibCST work, far more than the poll's 5 ms.
    return write(root, {f"src/h{i}.py": _handlers(40) for i in range(160)})


@pytest.mark.parametrize("extra", [[], ["--fix"]])
def test_ctrl_c_with_workers_exits_130_without_traceback(tmp_path, extra):
    _busy_tree(tmp_path)
    proc = _start(["check", "--no-cache", "--jobs", "2", *extra, "."], tmp_path)
    _wait_for(proc, lambda: len(_children(proc.pid)) >= 2, "two worker processes")
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert _group_gone(proc.pid), "a worker outlived the run"


def test_sigterm_with_workers_exits_143_and_ends_the_workers(tmp_path):
    _busy_tree(tmp_path)
    proc = _start(["check", "--no-cache", "--jobs", "2", "."], tmp_path)
    _wait_for(proc, lambda: len(_children(proc.pid)) >= 2, "two worker processes")
    proc.send_signal(signal.SIGTERM)  # the parent only, as `kill PID` or a CI timeout does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err, err
    assert _group_gone(proc.pid), "a worker outlived the run"


@pytest.mark.parametrize("number, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_a_long_parse_is_no_abort(tmp_path, number, code):
    # One long file: LibCST parses it on a thread of its own (sources.python._BIG_TEXT); an
    # interrupt then used to end in SIGABRT at interpreter exit.
    write(tmp_path, {"app.py": _handlers(1500)})
    proc = _start(["check", "--no-cache", "app.py"], tmp_path)
    _wait_for(proc, lambda: _threads(proc.pid) >= 2, "the parser's thread")
    os.killpg(proc.pid, number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "Fatal Python error" not in err, err
