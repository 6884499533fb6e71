"""CI integrations: the pre-commit hooks, installed for real, and the composite GitHub Action.

The pre-commit test runs ``pre-commit try-repo`` against a committed snapshot of this working
tree, in a scratch git repository: pre-commit builds its own virtual environment and installs
lambdalint into it from the snapshot (its dependencies come from the package index). The Action
test runs the action's own shell steps the way a runner would, with the inputs in the
environment. Both skip, saying why, when pre-commit or the package index is not available.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from helpers import REPO, write
from lambdalint.discovery import SUFFIX_KINDS

BROKEN = "def handler(event, context:\n    return 1\n"
CLEAN = "def handler(event, context):\n    return {'statusCode': 200}\n"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "lambdalint tests", "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "lambdalint tests", "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish",
            "Temporary failure in name resolution", "Network is unreachable", "ProxyError",
            "Max retries exceeded", "Connection refused")


def _hooks() -> List[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def _git(args: List[str], cwd: Path) -> None:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd)}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def _snapshot(dest: Path) -> Path:
    """This working tree's package, pages and hook files, committed in a repository of its own."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "lambdalint", dest / "lambdalint", ignore=ignore)
    shutil.copytree(REPO / "rules", dest / "rules", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    _git(["init", "-q"], dest)
    _git(["add", "-A"], dest)
    _git(["commit", "-q", "-m", "snapshot"], dest)
    return dest


def _skip_if_offline(proc: subprocess.CompletedProcess, what: str) -> None:
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 and any(s in output for s in _OFFLINE):
        pytest.skip(f"{what} needs the package index, which is not reachable")


# -- .pre-commit-hooks.yaml ----------------------------------------------------------------


def test_hooks_file_declares_check_and_fix():
    hooks = {h["id"]: h for h in _hooks()}
    assert sorted(hooks) == ["lambdalint", "lambdalint-fix"]
    # `--` last: the file names pre-commit appends are never read as options.
    assert hooks["lambdalint"]["entry"] == "lambdalint check --"
    assert hooks["lambdalint-fix"]["entry"] == "lambdalint check --fix --"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True  # one run sees templates and handlers together
        assert hook.get("pass_filenames", True) is True


@pytest.mark.parametrize("name, matched", [
    ("app.py", True), ("src/handlers/orders.py", True), ("template.yaml", True),
    ("serverless.yml", True), ("template.json", True), ("stack.template", True),
    ("infra/main.tf", True), ("TEMPLATE.YAML", True), ("README.md", False), ("app.pyc", False),
    ("terraform.tfvars", False), ("requirements.txt", False), ("main.tf.bak", False),
])
def test_hooks_match_what_lambdalint_reads(name, matched):
    for hook in _hooks():
        assert bool(re.search(hook["files"], name)) is matched, (hook["id"], name)


def test_hooks_match_every_suffix_discovery_reads():
    for hook in _hooks():
        for suffix in SUFFIX_KINDS:
            assert re.search(hook["files"], f"dir/file{suffix}"), (hook["id"], suffix)


def _pre_commit_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("pre_commit") is not None


@pytest.mark.skipif(not _pre_commit_available(), reason="pre-commit is not installed (test extra)")
def test_pre_commit_try_repo_fails_a_bad_file_and_passes_a_good_one(tmp_path):
    source = _snapshot(tmp_path / "lambdalint-src")
    project = tmp_path / "project"
    write(project, {"bad.py": BROKEN, "good.py": CLEAN, "notes.md": "# not checked\n"})
    _git(["init", "-q"], project)
    _git(["add", "-A"], project)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        # No hook id: both hooks of the repository run, from one environment pre-commit builds.
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(source), "--files", *files],
            cwd=project, capture_output=True, text=True, env=env, timeout=900)

    bad = try_repo("bad.py", "notes.md")
    _skip_if_offline(bad, "pre-commit's install of lambdalint")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^lambdalint\.+Failed$", bad.stdout, re.MULTILINE), bad.stdout
    assert re.search(r"^lambdalint \(fix\)\.+Failed$", bad.stdout, re.MULTILINE), bad.stdout
    assert "bad.py:" in bad.stdout and "LL001 [parse-error]" in bad.stdout
    assert "notes.md" not in bad.stdout.replace("--files", "")

    good = try_repo("good.py", "notes.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^lambdalint\.+Passed$", good.stdout, re.MULTILINE), good.stdout
    assert re.search(r"^lambdalint \(fix\)\.+Passed$", good.stdout, re.MULTILINE), good.stdout


# -- action.yml ----------------------------------------------------------------------------


def test_action_is_a_composite_action_with_the_documented_inputs():
    action = _action()
    assert action["name"] == "lambdalint" and action["description"]
    assert set(action["inputs"]) == {"paths", "args", "sarif", "cache", "version"}
    assert action["inputs"]["paths"]["default"] == "."
    assert action["inputs"]["cache"]["default"] == "true"
    assert "not published on PyPI" in action["inputs"]["version"]["description"]
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert [s["name"] for s in steps] == [
        "Install lambdalint", "Restore the lambdalint cache", "Run lambdalint"]
    install, cache, run = steps
    for step in (install, run):
        assert step["shell"] == "bash"
        # Inputs only through env: an expression pasted into a script is an injection.
        assert "${{" not in step["run"]
        # and never evaluated as shell code once there
        assert "eval" not in step["run"].split() and "bash -c" not in step["run"]
    assert install["env"]["LAMBDALINT_ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$LAMBDALINT_ACTION_PATH"' in install["run"]
    assert re.search(r"lambdalint\" check --format github ", run["run"])
    # the cache: actions/cache on the directory the run step passes as --cache-dir, keyed on
    # the installed version and the configuration files
    assert cache["uses"] == "actions/cache@v4" and cache["if"] == "inputs.cache == 'true'"
    assert cache["with"]["path"] == "${{ runner.temp }}/lambdalint-cache"
    assert '--cache-dir "$RUNNER_TEMP/lambdalint-cache"' in run["run"]
    key = cache["with"]["key"]
    assert "${{ steps.install.outputs.version }}" in key and install["id"] == "install"
    assert "hashFiles('**/pyproject.toml', '**/lambdalint.toml', '**/.lambdalint.toml')" in key
    assert key.endswith("-${{ github.sha }}")
    assert cache["with"]["restore-keys"].strip() == key[:-len("${{ github.sha }}")]


def _expand(value: str, contexts: Dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: contexts[m.group(1)], value)


def _run_step(step: dict, contexts: Dict[str, str], env: Dict[str, str], cwd: Path):
    step_env = {k: _expand(str(v), contexts) for k, v in step.get("env", {}).items()}
    # GitHub runs `shell: bash` steps as: bash --noprofile --norc -eo pipefail {0}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, capture_output=True, text=True, env={**env, **step_env},
                          timeout=900)


class _Runner:
    """The action installed once (its install step, run as a runner would), then its run step
    with the inputs a test gives, as ``with:`` would pass them (unset ones take the default)."""

    def __init__(self, root: Path):
        self.action = _action()
        source = _snapshot(root / "action")
        self.temp = root / "runner-temp"
        self.temp.mkdir()
        github_env, github_output = root / "github_env", root / "github_output"
        github_env.write_text("", encoding="utf-8")
        github_output.write_text("", encoding="utf-8")
        self.env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(root)),
                    "RUNNER_TEMP": str(self.temp), "GITHUB_ENV": str(github_env),
                    "GITHUB_OUTPUT": str(github_output)}
        self.contexts = {"github.action_path": str(source), "runner.temp": str(self.temp)}
        for name, spec in self.action["inputs"].items():
            self.contexts[f"inputs.{name}"] = spec.get("default", "")
        steps = {s["name"]: s for s in self.action["runs"]["steps"]}
        self.cache, self.run_step = steps["Restore the lambdalint cache"], steps["Run lambdalint"]
        installed = _run_step(steps["Install lambdalint"], self.contexts, self.env, root)
        _skip_if_offline(installed, "installing the action")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        for line in github_env.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            self.env[key] = value
        for line in github_output.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            self.contexts[f"steps.install.outputs.{key}"] = value
        assert Path(self.env["LAMBDALINT_BIN"], "lambdalint").exists()

    def run(self, project: Path, **inputs: str) -> subprocess.CompletedProcess:
        contexts = dict(self.contexts)
        for name, spec in self.action["inputs"].items():
            contexts[f"inputs.{name}"] = str(inputs.get(name, spec.get("default", "")))
        return _run_step(self.run_step, contexts, self.env, project)


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> _Runner:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    return _Runner(tmp_path_factory.mktemp("action-runner"))


def test_action_steps_install_and_annotate(runner, tmp_path):
    write(tmp_path, {"src/bad.py": BROKEN, "src/good.py": CLEAN})
    ran = runner.run(tmp_path, paths="src", args="--select LL001 --fail-on error")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("::error file=src/bad.py,line=")
    assert ",title=LL001 parse-error::" in lines[0]
    assert lines[-1] == "lambdalint: 1 finding in 2 files checked."

    clean = runner.run(tmp_path, paths="src/good.py")
    assert (clean.returncode, clean.stdout) == (0, "lambdalint: 0 findings in 1 file checked.\n")
    # the default cache input: the run wrote where actions/cache saves from
    cached = Path(_expand(runner.cache["with"]["path"], runner.contexts))
    assert cached == runner.temp / "lambdalint-cache" and any(cached.iterdir())
    assert runner.contexts["steps.install.outputs.version"] == "lambdalint-0.1.0"


LL1_FINDINGS = {
    "svc/handler.py": ("import boto3\n\n\ndef lambda_handler(event, context):\n"
                       "    client = boto3.client('lambda')\n"
                       "    client.invoke(FunctionName='other')\n"
                       "    return client\n"),
}


def test_action_args_are_split_as_a_shell_would_and_never_run(runner, tmp_path):
    write(tmp_path, LL1_FINDINGS)
    # Before: the quotes reached lambdalint ('"LL102,LL103"' is no rule) and it exited 2.
    quoted = runner.run(tmp_path, args='--select LL1 --ignore "LL102,LL103"')
    assert (quoted.returncode, quoted.stderr) == (0, ""), quoted.stdout + quoted.stderr
    assert quoted.stdout == "lambdalint: 0 findings in 1 file checked.\n"
    single = runner.run(tmp_path, args="--select 'LL102' --fail-on   error")
    assert single.returncode == 0, single.stdout + single.stderr
    assert [line.split(",title=")[1].split("::")[0] for line in single.stdout.splitlines()[:-1]] \
        == ["LL102 client-per-invocation"]
    # shell syntax in an input is text: nothing is expanded, substituted or run
    marker = tmp_path / "ran"
    hostile = runner.run(tmp_path, args=f"--select LL102 $(touch {marker}) `touch {marker}`; "
                                        f"touch {marker} && echo $HOME *")
    assert not marker.exists()
    assert hostile.returncode == 2
    assert hostile.stderr.startswith("lambdalint: error:"), hostile.stderr
    # an unbalanced quote: one line, exit 2
    unbalanced = runner.run(tmp_path, args='--ignore "LL103')
    assert (unbalanced.returncode, unbalanced.stdout) == (2, "")
    assert unbalanced.stderr == ("lambdalint action: cannot split the args input: "
                                 "No closing quotation\n")


def test_action_paths_with_spaces_quoted_or_one_per_line(runner, tmp_path):
    write(tmp_path, {"my service/src/bad.py": BROKEN, "other dir/bad.py": BROKEN,
                     "skipped/bad.py": BROKEN, "--output=x.py": CLEAN})
    for paths in ("'my service/src' \"other dir\"", "'my service/src'\n'other dir'\n",
                  "my\\ service/src other\\ dir"):
        ran = runner.run(tmp_path, paths=paths, args="--select LL001")
        assert ran.returncode == 1, (paths, ran.stdout + ran.stderr)
        files = sorted(re.findall(r"^::error file=([^,]*),", ran.stdout, re.MULTILINE))
        assert files == ["my service/src/bad.py", "other dir/bad.py"], paths
    # a path named like an option is a path (the action ends the options with --)
    named = runner.run(tmp_path, paths="--output=x.py", args="--select LL001")
    assert (named.returncode, named.stdout) == (0, "lambdalint: 0 findings in 1 file checked.\n")
    assert not (tmp_path / "x.py").exists()


def test_action_writes_sarif_beside_the_annotations(runner, tmp_path):
    write(tmp_path, {"src/bad.py": BROKEN, "src/good.py": CLEAN})
    ran = runner.run(tmp_path, paths="src", args="--select LL001", sarif="out dir.sarif")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert ran.stdout.startswith("::error file=src/bad.py,line=")  # the annotations, once
    assert ran.stdout.count("::error ") == 1
    log = json.loads((tmp_path / "out dir.sarif").read_text(encoding="utf-8"))
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "LL001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/bad.py"
    # a SARIF run that cannot write stops the step with lambdalint's one line
    failed = runner.run(tmp_path, paths="src", sarif="missing/dir/out.sarif")
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr.count("\n") == 1 and "missing/dir/out.sarif" in failed.stderr


def _documented_action_steps() -> List[tuple]:
    """Every `uses: lambdalint/lambdalint@REF` step in the README and docs/ci.md, as written."""
    found = []
    for doc in ("README.md", "docs/ci.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
            def walk(node):
                if isinstance(node, dict):
                    if str(node.get("uses", "")).startswith("lambdalint/lambdalint@"):
                        found.append((doc, node))
                    for value in node.values():
                        walk(value)
                elif isinstance(node, list):
                    for value in node:
                        walk(value)
            walk(yaml.safe_load(block))
    return found


def test_documented_references_exist():
    # no release is tagged: a documented @v0.1.0 / rev: v0.1.0 named nothing
    tags = set()
    if shutil.which("git"):
        listed = subprocess.run(["git", "tag", "--list"], cwd=REPO, capture_output=True,
                                text=True)
        tags = set(listed.stdout.split())
    refs = [step["uses"].partition("@")[2] for _, step in _documented_action_steps()]
    for doc in ("README.md", "docs/ci.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        refs += re.findall(r"^\s*rev: (\S+)", text, re.MULTILINE)
    assert len(refs) == 6, refs
    assert set(refs) <= {"main"} | tags, refs


def test_documented_action_snippets_run_as_written(runner, tmp_path):
    steps = _documented_action_steps()
    assert [doc for doc, _ in steps] == ["README.md", "README.md", "docs/ci.md", "docs/ci.md"]
    for index, (doc, step) in enumerate(steps):
        project = write(tmp_path / str(index), {
            "my service/src/bad.py": BROKEN,
            "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\n",
            "svc/handler.py": LL1_FINDINGS["svc/handler.py"]})
        inputs = {k: str(v) for k, v in step.get("with", {}).items()}
        ran = runner.run(project, **inputs)
        assert ran.returncode == 1, (doc, inputs, ran.stdout + ran.stderr)
        assert ran.stdout.startswith("::error file=my service/src/bad.py,line="), (doc, ran.stdout)
        # where --ignore "LL103,LL201" is written, it is honoured, quotes and all
        assert ("title=LL103" in ran.stdout) == ("LL103" not in inputs.get("args", "")), doc
        if "sarif" in inputs:
            log = json.loads((project / inputs["sarif"]).read_text(encoding="utf-8"))
            assert "LL001" in [r["ruleId"] for r in log["runs"][0]["results"]]


def test_ci_docs_show_pre_commit_actions_and_sarif_upload():
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for needle in ("id: lambdalint", "id: lambdalint-fix", "--format sarif",
                   "github/codeql-action/upload-sarif", "security-events: write",
                   "--format github"):
        assert needle in text, needle
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        yaml.safe_load(block)  # every YAML example parses


@pytest.mark.skipif(not _pre_commit_available(), reason="pre-commit is not installed (test extra)")
def test_pre_commit_reads_a_file_named_like_an_option_as_a_file(tmp_path):
    # Without `--` ending the hook entries, a staged file named `--output=handler.py` was an
    # option: lambdalint wrote its report over handler.py.
    source = _snapshot(tmp_path / "lambdalint-src")
    project = tmp_path / "project"
    write(project, {"handler.py": CLEAN, "--output=handler.py": CLEAN})
    _git(["init", "-q"], project)
    _git(["add", "-A"], project)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(source), "--all-files"],
        cwd=project, capture_output=True, text=True, env=env, timeout=900)
    _skip_if_offline(proc, "pre-commit's install of lambdalint")
    assert (project / "handler.py").read_text(encoding="utf-8") == CLEAN
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^lambdalint\.+Passed$", proc.stdout, re.MULTILINE), proc.stdout
