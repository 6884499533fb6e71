"""CI integrations: the pre-commit hooks, installed for real, and the composite GitHub Action.

The pre-commit test runs ``pre-commit try-repo`` against a committed snapshot of this working
tree, in a scratch git repository: pre-commit builds its own virtual environment and installs
lambdalint into it from the snapshot (its dependencies come from the package index). The Action
test runs the action's own shell steps the way a runner would, with the inputs in the
environment. Both skip, saying why, when pre-commit or the package index is not available.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from conftest import REPO, write
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
    assert set(action["inputs"]) == {"paths", "args", "version"}
    assert action["inputs"]["paths"]["default"] == "."
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert [s["name"] for s in steps] == ["Install lambdalint", "Run lambdalint"]
    for step in steps:
        assert step["shell"] == "bash"
        # Inputs only through env: an expression pasted into a script is an injection.
        assert "${{" not in step["run"]
    install, run = steps
    assert install["env"]["LAMBDALINT_ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$LAMBDALINT_ACTION_PATH"' in install["run"]
    assert "--format github" in run["run"]
    assert re.search(r"lambdalint\" check --format github ", run["run"])


def _expand(value: str, contexts: Dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: contexts[m.group(1)], value)


def _run_step(step: dict, contexts: Dict[str, str], env: Dict[str, str], cwd: Path):
    step_env = {k: _expand(str(v), contexts) for k, v in step.get("env", {}).items()}
    # GitHub runs `shell: bash` steps as: bash --noprofile --norc -eo pipefail {0}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, capture_output=True, text=True, env={**env, **step_env},
                          timeout=900)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_steps_install_and_annotate(tmp_path):
    action = _action()
    source = _snapshot(tmp_path / "action")
    project = tmp_path / "workspace"
    write(project, {"src/bad.py": BROKEN, "src/good.py": CLEAN})
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_env = tmp_path / "github_env"
    github_env.write_text("", encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)),
           "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(github_env)}
    contexts = {"github.action_path": str(source)}
    for name, spec in action["inputs"].items():
        contexts[f"inputs.{name}"] = spec.get("default", "")
    contexts["inputs.paths"] = "src"
    contexts["inputs.args"] = "--select LL001 --fail-on error"

    install, run = action["runs"]["steps"]
    installed = _run_step(install, contexts, env, project)
    _skip_if_offline(installed, "installing the action")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for line in github_env.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    assert Path(env["LAMBDALINT_BIN"], "lambdalint").exists()

    ran = _run_step(run, contexts, env, project)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("::error file=src/bad.py,line=")
    assert ",title=LL001 parse-error::" in lines[0]
    assert lines[-1] == "lambdalint: 1 finding in 2 files checked."

    contexts["inputs.paths"] = "src/good.py"
    clean = _run_step(run, contexts, env, project)
    assert (clean.returncode, clean.stdout) == (0, "lambdalint: 0 findings in 1 file checked.\n")


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
