"""The cache never changes findings: cold, warm, after edits of code, configs and the
configuration, in pre-commit's one-file runs, with two runs at once, with damaged entries; and
``lambdalint clean``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import (HANDLER_BY_CONFIG_ONLY, TERRAFORM_FILE_POLICY, age, findings_of, run_cli,
                     sam_template, where, without_baseline, write)
from lambdalint import cache

POLICIES = """\
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"""

APP = """
import boto3


def process(payload, meta):
    s3 = boto3.client("s3")
    return s3.list_buckets()


def other(payload, meta):
    return None
"""


def project(root: Path, handler: str = "process") -> Path:
    return write(root, {
        ".git/HEAD": "ref: refs/heads/main\n",
        "template.yaml": sam_template("src/", f"app.{handler}", "Orders", POLICIES),
        "src/app.py": APP,
        "src/util.py": 'PASSWORD = "Vq8#zL2m!x9"\n',
        "main.tf": 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
                   '  handler = "app.other"\n  runtime = "python3.12"\n  filename = "f.zip"\n}\n',
    })


def test_cold_warm_and_edits_give_what_no_cache_gives(tmp_path):
    root = project(tmp_path)
    fresh = findings_of(root, "--no-cache", ".")
    assert ("src/app.py", 5, "LL102") in where(fresh)  # process is the handler the template names
    assert findings_of(root, ".") == fresh  # cold: fills the cache
    assert (root / ".lambdalint_cache" / "CACHEDIR.TAG").is_file()
    assert findings_of(root, ".") == fresh  # warm

    # The template now names another handler: the client in process() is no longer per call.
    write(root, {"template.yaml": sam_template("src/", "app.other", "Orders", POLICIES)})
    fresh = findings_of(root, "--no-cache", ".")
    assert ("src/app.py", 5, "LL102") not in where(fresh)
    assert findings_of(root, ".") == fresh

    # Code and configuration edits.
    write(root, {"src/app.py": APP.replace("def other(payload, meta):\n    return None",
                                           "def other(payload, meta):\n"
                                           "    return boto3.client('sqs')")})
    fresh = findings_of(root, "--no-cache", ".")
    assert ("src/app.py", 10, "LL102") in where(fresh)
    assert findings_of(root, ".") == fresh
    write(root, {"lambdalint.toml": 'ignore = ["LL101"]\n[rules.LL102]\nextra-clients = ["x.y"]\n'})
    fresh = findings_of(root, "--no-cache", ".")
    assert "LL101" not in {f["rule"] for f in fresh}
    assert findings_of(root, ".") == fresh
    assert findings_of(root, "--select", "LL1", ".") == findings_of(root, "--no-cache", "--select", "LL1", ".")


def test_one_file_as_pre_commit_passes_it(tmp_path):
    root = project(tmp_path)
    findings_of(root, ".")  # a full run filled the cache
    for handler, expected in (("process", True), ("other", False), ("process", True)):
        write(root, {"template.yaml": sam_template("src/", f"app.{handler}", "Orders", POLICIES)})
        fresh = findings_of(root, "--no-cache", "src/app.py")
        assert (("src/app.py", 5, "LL102") in where(fresh)) is expected
        assert findings_of(root, "src/app.py") == fresh
        assert findings_of(root, "src/app.py") == fresh


def test_damaged_entries_are_misses(tmp_path):
    root = project(tmp_path)
    fresh = findings_of(root, ".")
    (pack,) = (root / ".lambdalint_cache").rglob("pack.jsonl")
    header, *lines = pack.read_text(encoding="ascii").splitlines()
    assert len(lines) > 4
    garbled = [header]
    for i, line in enumerate(lines):
        kind, digest, stamp, _ = line.split("\t", 3)
        garbled.append("\t".join([kind, digest, stamp,
                                  ["", "{", "[]", '{"key": "x", "value": 1}'][i % 4]]))
    pack.write_text("\n".join(garbled) + "\n", encoding="ascii")
    assert findings_of(root, ".") == fresh
    assert findings_of(root, ".") == fresh


def test_an_unwritable_cache_only_costs_time(tmp_path):
    root = project(tmp_path)
    (root / "blocker").write_text("a file, not a directory\n", encoding="utf-8")
    fresh = findings_of(root, "--no-cache", ".")
    assert findings_of(root, "--cache-dir", "blocker/cache", ".") == fresh


def test_two_runs_at_once_share_a_cache(tmp_path):
    root = project(tmp_path)
    for i in range(12):  # enough files for both runs to write at the same time
        write(root, {f"src/mod{i}.py": APP.replace("process", f"process{i}")})
    fresh = findings_of(root, "--no-cache", ".")
    command = [sys.executable, "-m", "lambdalint", *without_baseline([
        "check", "--format", "json", "--exit-zero", "--cache-dir", str(tmp_path / "shared-cache"),
        "."])]
    runs = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert json.loads(out)["findings"] == fresh
    assert findings_of(root, "--cache-dir", str(tmp_path / "shared-cache"), ".") == fresh
    leftovers = [p for p in (tmp_path / "shared-cache").rglob(".tmp-*")]
    assert leftovers == []


def test_fix_from_a_warm_cache(tmp_path):
    first = project(tmp_path / "a")
    second = project(tmp_path / "b")
    findings_of(first, ".")  # warm
    run_cli(["check", "--fix", "--exit-zero", "."], cwd=first)
    run_cli(["check", "--fix", "--exit-zero", "--no-cache", "."], cwd=second)
    fixed = (first / "src/app.py").read_text(encoding="utf-8")
    assert fixed == (second / "src/app.py").read_text(encoding="utf-8")
    assert fixed != APP.lstrip("\n")


def test_clean(tmp_path):
    root = project(tmp_path)
    findings_of(root, ".")
    assert (root / ".lambdalint_cache").is_dir()
    code, _, err = run_cli(["clean"], cwd=root)
    assert code == 0 and "removed" in err
    assert not (root / ".lambdalint_cache").exists()
    code, _, err = run_cli(["clean"], cwd=root)
    assert code == 0 and "no cache" in err
    # Never a directory lambdalint did not make.
    code, _, err = run_cli(["clean", "--cache-dir", "src"], cwd=root)
    assert code == 2 and "does not look like a lambdalint cache" in err
    assert (root / "src" / "app.py").is_file()


def test_records_round_trip():
    from lambdalint.model import CodeLocation, EventSource, Function, Timeout, Value

    value = Value(10, "10", "t.yaml", 3, 5, True, 3, 7)
    function = Function("F", "sam", "t.yaml", 1, 9, runtime=value,
                        code=CodeLocation("local", "/x", excludes=["a"]),
                        timeout=Timeout(10.0, "function", "t.yaml", 3),
                        events=[EventSource("sqs", 4, visibility=value, queue="Q", visibility_defaulted=True)],
                        ignored_rules={"LL201", "*"})
    encoded = json.loads(json.dumps(cache.encode_record([function])))
    assert cache.decode_record(encoded) == [function]
    key_a = cache.key("a", b"bytes", {"x": [1, 2]})
    assert key_a == cache.key("a", b"bytes", {"x": [1, 2]}) != cache.key("a", b"bytez", {"x": [1, 2]})


# -- the pre-commit walk kept in the cache --------------------------------------------------------

NEXT_TO_HANDLER = sam_template("./", "app.process", "Orders")


def walk_entries(root: Path) -> int:
    return cache.Cache(root / ".lambdalint_cache").count("walk")


def test_precommit_picks_up_a_template_added_next_to_the_handler(tmp_path):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n",
                            "src/app.py": HANDLER_BY_CONFIG_ONLY})
    age(root)
    assert findings_of(root, "src/app.py") == []
    assert walk_entries(root) == 1  # the walk is kept
    assert findings_of(root, "src/app.py") == []  # and served
    write(root, {"src/template.yaml": NEXT_TO_HANDLER})
    expected = findings_of(root, "--no-cache", "src/app.py")
    assert where(expected) == [("src/app.py", 5, "LL102")]
    assert findings_of(root, "src/app.py") == expected
    assert findings_of(root, "src/app.py") == expected


def test_precommit_forgets_a_deleted_template(tmp_path):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n",
                            "src/app.py": HANDLER_BY_CONFIG_ONLY,
                            "src/template.yaml": NEXT_TO_HANDLER})
    age(root)
    assert where(findings_of(root, "src/app.py")) == [("src/app.py", 5, "LL102")]
    assert walk_entries(root) == 1
    assert where(findings_of(root, "src/app.py")) == [("src/app.py", 5, "LL102")]
    (root / "src" / "template.yaml").unlink()
    assert findings_of(root, "--no-cache", "src/app.py") == []
    assert findings_of(root, "src/app.py") == []


def test_precommit_follows_an_edited_gitignore(tmp_path):
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n",
                            ".gitignore": "deploy/\n",
                            "src/app.py": HANDLER_BY_CONFIG_ONLY,
                            "deploy/template.yaml": sam_template("../src/", "app.process", "Orders")})
    age(root)
    assert findings_of(root, "src/app.py") == []  # the template is ignored
    assert walk_entries(root) == 1
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")  # same size, new time
    assert where(findings_of(root, "src/app.py")) == [("src/app.py", 5, "LL102")]
    (root / ".gitignore").write_text("deploy/\n", encoding="utf-8")
    assert findings_of(root, "src/app.py") == []


def test_a_fresh_tree_is_walked_every_time(tmp_path):
    # Times within the last seconds may repeat on a coarse file system: nothing is kept.
    root = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n",
                            "src/app.py": HANDLER_BY_CONFIG_ONLY})
    assert findings_of(root, "src/app.py") == []
    assert walk_entries(root) == 0
    write(root, {"src/template.yaml": NEXT_TO_HANDLER})
    assert where(findings_of(root, "src/app.py")) == [("src/app.py", 5, "LL102")]


POLICY = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",\n'
          '     "Action": "%s",\n     "Resource": "arn:aws:s3:::b/*"}\n  ]\n}\n')


def test_terraform_module_reading_a_file_is_read_again_when_the_file_changes(tmp_path):
    # A module that calls file() depends on the files of its directory; one that does not is
    # kept while its .tf and tfvars files are unchanged (editing a handler next to it is free).
    root = write(tmp_path, {"main.tf": TERRAFORM_FILE_POLICY, "policies/p.json": POLICY % "s3:GetObject",
                            "app.py": "def process(event, context):\n    return 1\n"})
    narrow = findings_of(root, "--no-cache", ".")
    assert findings_of(root, ".") == narrow
    write(root, {"policies/p.json": POLICY % "s3:*"})
    wide = findings_of(root, "--no-cache", ".")
    assert where(wide) != where(narrow)  # the wildcard action is reported
    assert findings_of(root, ".") == wide
    write(root, {"main.tf": TERRAFORM_FILE_POLICY.replace('file("${path.module}/policies/p.json")',
                                                 'jsonencode({Statement = [{Effect = "Allow", '
                                                 'Action = "s3:*", Resource = "*"}]})'),
                 "terraform.tfvars": 'x = "1"\n'})
    fresh = findings_of(root, "--no-cache", ".")
    assert findings_of(root, ".") == fresh
    write(root, {"app.py": "def process(event, context):\n    return 2\n"})
    assert findings_of(root, ".") == fresh


SERVICE_WITH_FILE = """\
service: s
provider:
  name: aws
  runtime: python3.12
  timeout: 10
  environment:
    DB_PASSWORD: ${file(./config/secrets.yml):password}
functions:
  a:
    handler: h.a
"""


def test_serverless_file_variable_is_read_again_when_the_file_changes(tmp_path):
    # ${file(...)} feeds LL204 a value from another file: a cached result of serverless.yml
    # must go stale when that file changes (the first run of this test kept the old finding).
    root = write(tmp_path, {"serverless.yml": SERVICE_WITH_FILE,
                            "config/secrets.yml": "password: Sup3rS3cretValue9\n"})
    secret = findings_of(root, "--no-cache", "--select", "LL204", ".")
    assert [f["rule"] for f in secret] == ["LL204"]
    assert findings_of(root, "--select", "LL204", ".") == secret
    write(root, {"config/secrets.yml": 'password: "{{resolve:secretsmanager:db}}"\n'})
    assert findings_of(root, "--no-cache", "--select", "LL204", ".") == []
    assert findings_of(root, "--select", "LL204", ".") == []
    write(root, {"config/secrets.yml": "password: Sup3rS3cretValue9\n"})
    assert findings_of(root, "--select", "LL204", ".") == secret


# -- Cache.memo: a stage wrapped by the cache ---------------------------------------------------

def test_memo_computes_once_and_serves_what_decodes(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"n": 2}

    def stage(store):
        return store.memo("unit", ["a", b"bytes"], compute, dict, dict)

    store = cache.Cache(tmp_path)
    assert stage(store) == {"n": 2} and (store.hits, store.misses) == (0, 1)
    store.flush()
    again = cache.Cache(tmp_path)
    assert stage(again) == {"n": 2} and (again.hits, again.misses) == (1, 0)
    assert len(calls) == 1

    def refuse(value):
        raise cache.WrongShape("no")

    assert again.memo("unit", ["a", b"bytes"], compute, dict, refuse) == {"n": 2}
    assert len(calls) == 2  # an entry that does not decode is a miss, computed again


def test_memo_keeps_nothing_encode_refuses(tmp_path):
    def refuse(value):
        raise cache.NotCacheable("value")

    store = cache.Cache(tmp_path)
    assert store.memo("walk", ["x"], lambda: [1], refuse, list) == [1]
    store.flush()
    assert cache.Cache(tmp_path).count() == 0


def test_a_batch_serves_the_hits_and_keeps_what_the_caller_computed_for_the_misses(tmp_path):
    store = cache.Cache(tmp_path)
    first = store.batch("python", "shared", [("1",), ("2",)], int)
    assert first.missing == [0, 1] and first.results == [None, None]
    for index in first.missing:
        first.keep(index, (index + 1) * 10, int)
    assert first.results == [10, 20]
    second = store.batch("python", "shared", [("2",), ("3",), ("1",)], int)
    assert second.missing == [1] and second.results == [20, None, 10]
    assert store.batch("python", "other", [("1",)], int).missing == [0]  # shared is in the key
    uncached = cache.Batch.uncached(2)
    uncached.keep(0, 5, int)
    assert uncached.results == [5, None] and uncached.missing == [0, 1]
