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


def _generated(root):
    import sys

    from helpers import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(root / "repo", 80, seed=11)
    # Units that do not read: a reader's errors must come back from a worker the same (a CDK
    # app that does not parse is the code rules' LL001, not the reader's).
    write(root / "repo", {"broken/template.yaml": "Resources:\n  Fn: [\n",
                          "broken/main.tf": 'resource "aws_lambda_function" "f" {\n',
                          "broken/cdk_app.py": "import aws_cdk\ndef broken(:\n"})
    return root / "repo"


def test_configs_read_in_workers_are_the_same(tmp_path, monkeypatch):
    from lambdalint import discovery
    from lambdalint.sources import units

    repo = _generated(tmp_path)
    monkeypatch.chdir(repo)
    found, _, _ = discovery.discover_all(["."], [], repo)
    todo = units.units([f for f in found if f.kind != discovery.PYTHON],
                       [f for f in found if f.kind == discovery.PYTHON])
    assert {u.kind for u in todo} == {units.DOCUMENT, units.MODULE, units.APP}
    assert workers.plan(len(todo), 2) == 2
    alone = list(workers.read_units(todo, 1))
    together = list(workers.read_units(todo, 2))
    assert alone == together
    assert sum(len(functions) for functions, _ in alone) > 20
    assert {e.path for _, errors in alone for e in errors} >= {
        "broken/template.yaml", "broken/main.tf"}


def test_the_cli_reports_the_same_on_configs_with_one_or_two_processes(tmp_path):
    repo = _generated(tmp_path)
    outputs = []
    for jobs in ("1", "2"):
        for cache in (["--no-cache"], ["--cache-dir", str(tmp_path / f"cache{jobs}")]):
            args = ["check", "--format", "json", "--exit-zero", "--jobs", jobs] + cache + ["."]
            code, out, err = run_cli(args, cwd=repo)
            assert code == 0, err
            outputs.append(json.loads(out)["findings"])
    assert all(o == outputs[0] for o in outputs)
    assert {"LL001", "LL201", "LL101"} <= {f["rule"] for f in outputs[0]}
