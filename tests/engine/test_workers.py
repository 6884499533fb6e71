"""Worker processes: used only when there is enough to do, and they change nothing."""

from __future__ import annotations

import json

from helpers import run_cli, write
from lambdalint import pycheck, registry, workers

IDS = [r.id for r in registry.RULES if r.kind == "python"]

HANDLER = '''
import boto3

PASSWORD = "Vq8#zL2m!x{n}"


def handler(event, context):
    s3 = boto3.client("s3")
    return s3.list_buckets()
'''


def test_plan_uses_workers_only_for_enough_files():
    assert workers.plan(0, None) == 1
    assert workers.plan(workers.MIN_FILES_PER_WORKER - 1, 8) == 1
    assert workers.plan(workers.MIN_FILES_PER_WORKER * 2, 8) == 2
    assert workers.plan(10_000, 3) == 3
    assert workers.plan(10_000, 1) == 1
    assert workers.plan(10_000, None) == workers.default_jobs()


def test_outcomes_in_order_whatever_the_processes():
    tasks = []
    for n in range(40):
        text = HANDLER.format(n=n) if n % 3 else "def add(a, b):\n    return a + b\n"
        if n == 7:
            text = "def broken(:\n"
        tasks.append((text.encode(), f"f{n}.py", ("handler",), n % 2 == 0))
    alone = list(workers.check_all(tasks, IDS, {}, True, 1))
    together = list(workers.check_all(tasks, IDS, {}, True, 2))
    assert [(o.findings, o.actions, o.parsed) for o in alone] == \
           [(o.findings, o.actions, o.parsed) for o in together]
    assert [f.rule for f in alone[7].findings] == ["LL001"]
    assert {f.path for o in alone for f in o.findings} >= {"f1.py", "f7.py", "f38.py"}
    direct = pycheck.check_data(tasks[1][0], "f1.py", IDS, {}, ("handler",), False)
    assert direct.findings == alone[1].findings


def test_the_cli_reports_the_same_with_one_or_two_processes(tmp_path):
    write(tmp_path, {f"svc{n}/app.py": HANDLER.format(n=n) for n in range(24)})
    args = ["check", "--no-cache", "--format", "json", "--exit-zero"]
    code, one, err = run_cli(args + ["--jobs", "1", "."], cwd=tmp_path)
    assert code == 0, err
    code, two, err = run_cli(args + ["--jobs", "2", "."], cwd=tmp_path)
    assert code == 0, err
    assert json.loads(one)["findings"] == json.loads(two)["findings"]
    assert len(json.loads(one)["findings"]) == 48  # LL101 and LL102 in each file
