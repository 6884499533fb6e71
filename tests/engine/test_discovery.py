"""Which files a run reads: skipped directories, vendored packages, .gitignore, symlinks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli, write
from lambdalint.config import DEFAULT_EXCLUDES
from lambdalint.discovery import discover, kind_of

BROKEN = "def handler(event, context:\n    return 1\n"
RECORD = "{pkg}/__init__.py,sha256=abc,10\n{pkg}/core.py,,\n{dist}/RECORD,,\n../../bin/tool,,\n"


def _found(cwd: Path, *paths: str, excludes=DEFAULT_EXCLUDES, root: Path = None):
    """Display paths discovery yields, run from ``cwd``."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        files, missing = discover(list(paths) or ["."], list(excludes), root or cwd)
    finally:
        os.chdir(old)
    return [f.display for f in files], missing


def _installed(pkg: str, version: str = "1.0") -> dict:
    """What ``pip install -t`` leaves for one distribution: its package and its .dist-info."""
    dist = f"{pkg}-{version}.dist-info"
    return {
        f"{pkg}/__init__.py": "",
        f"{pkg}/core.py": BROKEN,
        f"{dist}/RECORD": RECORD.format(pkg=pkg, dist=dist),
        f"{dist}/METADATA": f"Name: {pkg}\n",
    }


def test_kinds_by_suffix():
    assert [kind_of(Path(n)) for n in ("a.py", "t.yaml", "s.YML", "t.json", "x.template",
                                        "main.tf", "vars.tfvars", "README.md", "Makefile")] == [
        "python", "yaml", "yaml", "json", "yaml", "terraform", None, None, None]


def test_default_skips(tmp_path):
    write(tmp_path, {
        "app.py": "", "template.yaml": "", "main.tf": "", "events/e.json": "",
        ".git/hooks/x.py": "", ".hg/x.py": "",
        ".venv/lib/x.py": "", "venv/lib/x.py": "",
        "node_modules/pkg/x.json": "", "pkg/__pycache__/x.py": "",
        ".aws-sam/build/Fn/app.py": "", ".serverless/cloudformation-template-update-stack.json": "",
        "cdk.out/Stack.template.json": "", ".terraform/modules/m/main.tf": "",
        "lib/python3.12/site-packages/boto3/x.py": "", "build/lib/x.py": "", "dist/x.py": "",
        ".tox/py/x.py": "", ".mypy_cache/x.json": "", ".pytest_cache/v.json": "",
        "README.md": "",
    })
    assert _found(tmp_path) == (["app.py", "events/e.json", "main.tf", "template.yaml"], [])


def test_virtual_environment_under_any_name(tmp_path):
    write(tmp_path, {
        "myenv/pyvenv.cfg": "home = /usr/bin\n", "myenv/lib/python3.12/x.py": "",
        "myenv/bin/activate.py": "", "app.py": "",
    })
    assert _found(tmp_path)[0] == ["app.py"]


def test_a_projects_own_env_directory_is_read(tmp_path):
    # Serverless projects keep per-stage configs in env/; only a real venv (pyvenv.cfg) is skipped.
    write(tmp_path, {"env/dev.yml": "", "env/prod.yml": "", ".env": "A=1\n"})
    assert _found(tmp_path)[0] == ["env/dev.yml", "env/prod.yml"]


def test_layer_tree_of_installed_packages_is_skipped(tmp_path):
    write(tmp_path, {
        **{f"layer/python/{k}": v for k, v in _installed("requests").items()},
        **{f"dependencies/python/{k}": v for k, v in _installed("pydantic").items()},
        "layer/python/bin/tool": "", "dependencies/python/__pycache__/x.py": "",
        "src/app.py": "",
    })
    assert _found(tmp_path)[0] == ["src/app.py"]


def test_own_code_next_to_pip_install_target_is_read(tmp_path):
    # `pip install -r requirements.txt -t .` in the function's directory: the handler is still ours.
    write(tmp_path, {
        **{f"fn/{k}": v for k, v in _installed("requests", "2.31.0").items()},
        **{f"fn/{k}": v for k, v in _installed("urllib3", "2.2.1").items()},
        "fn/handler.py": "", "fn/config/settings.py": "", "fn/template.yaml": "",
    })
    assert _found(tmp_path)[0] == ["fn/config/settings.py", "fn/handler.py", "fn/template.yaml"]


def test_package_without_dist_info_named_by_the_targets_requirements_is_installed(tmp_path):
    # serverless-patterns' rabbitmq layer: `pip install -r requirements.txt -t .`, then pika's
    # .dist-info lost; its connection.py holds DEFAULT_PASSWORD = 'guest' (an LL101 finding
    # in someone else's code). A directory the requirements do not name is still the project's.
    write(tmp_path, {
        **{f"dependencies/python/{k}": v for k, v in _installed("requests").items()},
        "dependencies/python/requirements.txt": "pika==1.3.1  # AMQP\nrequests\n-r extra.txt\n",
        "dependencies/python/pika/__init__.py": "", "dependencies/python/pika/connection.py": "",
        "dependencies/python/helpers/__init__.py": "",
        "fn/requirements.txt": "pika\n", "fn/pika_consumer.py": "", "fn/pika/__init__.py": "",
    })
    assert _found(tmp_path)[0] == ["dependencies/python/helpers/__init__.py",
                                   "fn/pika/__init__.py", "fn/pika_consumer.py"]


def test_distribution_without_record_uses_top_level_or_its_name(tmp_path):
    write(tmp_path, {
        "fn/yaml/__init__.py": "", "fn/_yaml/__init__.py": "",
        "fn/PyYAML-6.0.1.dist-info/top_level.txt": "_yaml\nyaml\n",
        "fn/six.py": "", "fn/six-1.16.0.dist-info/METADATA": "Name: six\n",
        "fn/typing_extensions.py": "", "fn/typing_extensions-4.9.0.dist-info/WHEEL": "",
        "fn/app.py": "",
    })
    assert _found(tmp_path)[0] == ["fn/app.py"]


def test_gitignore_nested_and_negated(tmp_path):
    write(tmp_path, {
        ".gitignore": "*.gen.py\n/out/\nscratch/\n",
        "app.py": "", "model.gen.py": "", "out/x.py": "", "svc/out/y.py": "",
        "svc/scratch/z.py": "",
        "svc/.gitignore": "local.yaml\n!keep.gen.py\n",
        "svc/local.yaml": "", "svc/template.yaml": "", "svc/keep.gen.py": "", "svc/other.gen.py": "",
    })
    assert _found(tmp_path)[0] == ["app.py", "svc/keep.gen.py", "svc/out/y.py", "svc/template.yaml"]


def test_gitignore_above_the_checked_directory_applies_inside_a_repository(tmp_path):
    write(tmp_path, {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".gitignore": "svc/generated/\n*.bak.py\n",
        "svc/app.py": "", "svc/old.bak.py": "", "svc/generated/x.py": "",
    })
    assert _found(tmp_path, "svc")[0] == ["svc/app.py"]
    assert _found(tmp_path / "svc")[0] == ["app.py"]


def test_gitignore_above_a_directory_outside_any_repository_is_not_read(tmp_path):
    write(tmp_path, {".gitignore": "*.py\n", "svc/app.py": ""})
    assert _found(tmp_path / "svc")[0] == ["app.py"]


def test_configured_excludes_are_relative_to_the_config_directory(tmp_path):
    write(tmp_path, {
        "svc/app.py": "", "svc/generated/client.py": "", "other/svc/generated/keep.py": "",
        "legacy/old.py": "", "svc/legacy/old.py": "",
    })
    excludes = ["/svc/generated/", "legacy/"]
    assert _found(tmp_path, excludes=excludes)[0] == ["other/svc/generated/keep.py", "svc/app.py"]
    # Checking a subdirectory, from inside it: patterns still anchor at the config's directory.
    assert _found(tmp_path / "svc", excludes=excludes, root=tmp_path)[0] == ["app.py"]
    assert _found(tmp_path, "svc", excludes=excludes)[0] == ["svc/app.py"]


def test_explicit_files_are_always_checked(tmp_path):
    write(tmp_path, {
        ".gitignore": "ignored.py\n", "ignored.py": "", "node_modules/x/template.yaml": "",
        "venv/lib/x.py": "", "notes.txt": "",
    })
    files, missing = _found(tmp_path, "ignored.py", "node_modules/x/template.yaml",
                            "venv/lib/x.py", "notes.txt")
    assert (files, missing) == (["ignored.py", "node_modules/x/template.yaml", "venv/lib/x.py"], [])


def test_an_explicitly_named_excluded_directory_is_walked(tmp_path):
    write(tmp_path, {"build/app.py": "", "build/sub/x.py": "", "build/node_modules/y.py": "",
                     ".gitignore": "gen/\n", "gen/z.py": ""})
    assert _found(tmp_path, "build")[0] == ["build/app.py", "build/sub/x.py"]
    assert _found(tmp_path, "gen")[0] == ["gen/z.py"]


def test_paths_are_relative_to_the_working_directory(tmp_path):
    write(tmp_path, {"a/app.py": "", "b/lib/util.py": ""})
    assert _found(tmp_path / "a", ".", "../b")[0] == ["../b/lib/util.py", "app.py"]
    assert _found(tmp_path / "a", str(tmp_path / "b"))[0] == ["../b/lib/util.py"]


def test_the_same_file_twice_is_read_once(tmp_path):
    write(tmp_path, {"svc/app.py": ""})
    assert _found(tmp_path, "svc", "svc/app.py", ".", "./svc/")[0] == ["svc/app.py"]


def test_missing_paths_are_returned(tmp_path):
    write(tmp_path, {"app.py": ""})
    assert _found(tmp_path, "app.py", "nope.py") == (["app.py"], ["nope.py"])


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinks(tmp_path):
    outside = tmp_path / "outside"
    write(outside, {"secret.py": "", "pkg/x.py": ""})
    tree = tmp_path / "tree"
    write(tree, {"app.py": "", "lib/util.py": ""})
    (tree / "alias.py").symlink_to(tree / "app.py")  # inside: read once, by its real name
    (tree / "escape.py").symlink_to(outside / "secret.py")  # outside: never
    (tree / "outside_dir").symlink_to(outside / "pkg", target_is_directory=True)
    (tree / "lib_link").symlink_to(tree / "lib", target_is_directory=True)  # dirs: never entered
    (tree / "lib" / "loop").symlink_to(tree, target_is_directory=True)
    (tree / "self.py").symlink_to(tree / "self.py")  # a link to itself
    (tree / "dangling.py").symlink_to(tree / "gone.py")
    files, _ = _found(tree)
    assert files == ["app.py", "lib/util.py"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_link_inside_the_tree_to_an_ignored_file_is_read(tmp_path):
    write(tmp_path, {".gitignore": "build/\n", "build/handler.py": ""})
    (tmp_path / "handler.py").symlink_to(tmp_path / "build" / "handler.py")
    assert _found(tmp_path)[0] == ["handler.py"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops_do_not_hang(tmp_path):
    write(tmp_path, {"a/app.py": ""})
    (tmp_path / "a" / "b").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "c").symlink_to(tmp_path / "a" / "d")
    (tmp_path / "a" / "d").symlink_to(tmp_path / "a" / "c")
    proc = subprocess.run([sys.executable, "-m", "lambdalint", "check", "--select", "LL001",
                           "--format", "json", "a", "a/b"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files"] == 1


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_an_explicitly_named_symlinked_directory_is_walked(tmp_path):
    write(tmp_path, {"real/app.py": ""})
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert _found(tmp_path, "link")[0] == ["link/app.py"]


def test_unreadable_directory_is_skipped(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root reads every directory")
    write(tmp_path, {"locked/x.py": "", "app.py": ""})
    (tmp_path / "locked").chmod(0)
    try:
        assert _found(tmp_path)[0] == ["app.py"]
    finally:
        (tmp_path / "locked").chmod(0o755)


# -- through the CLI: a broken file in a skipped place is not reported ----------------------


def test_cli_reports_only_the_users_files(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[tool.lambdalint]\nextend-exclude = ['fixtures/']\n",
        ".gitignore": "tmp/\n",
        "src/app.py": BROKEN, "fixtures/broken.py": BROKEN, "tmp/x.py": BROKEN,
        "node_modules/a/b.py": BROKEN, ".aws-sam/build/Fn/app.py": BROKEN,
        **{f"layer/python/{k}": v for k, v in _installed("requests").items()},
    })
    code, out, _ = run_cli(["check", "--select", "LL001", "--format", "json"], cwd=tmp_path)
    report = json.loads(out)
    assert code == 1
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("LL001", "src/app.py")]
    assert report["summary"]["files"] == 1


def test_cli_paths_use_forward_slashes_and_one_based_positions(tmp_path):
    write(tmp_path, {"svc/deep/app.py": "x = 1\ny = (\n"})
    code, out, _ = run_cli(["check", "--select", "LL001", "--format", "json", "svc"], cwd=tmp_path)
    (finding,) = json.loads(out)["findings"]
    assert finding["path"] == "svc/deep/app.py"
    assert finding["line"] >= 2 and finding["column"] >= 1
    assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])


def test_combined_patterns_match_as_pathspec_does():
    # The walk answers a negation-free spec with one expression; it must agree with pathspec
    # pattern by pattern (and hand specs with a negation to pathspec itself).
    import pathspec

    from lambdalint.gitignore import Matcher as _Matcher

    paths = ["node_modules/", "a/node_modules/", "node_modules", "build/", "src/build/",
             "build", "x.egg-info/", "deep/x.egg-info/", "a/b/", "a/x/y/b", "a/b/c.py",
             "keep", "keep/", "dir/keep", "cdk.out/", "services/s/cdk.out/", "t.py",
             "docs/a.md", "docs/", "lib/x.pyc", "src/tmp_file.yaml", ".aws-sam/",
             "/abs", "./rel"]
    specs = [
        ["node_modules", "build/", "*.egg-info", "a/**/b", "/docs", "*.py[co]", "tmp_*",
         ".aws-sam/", "cdk.out/"],
        ["node_modules", "!keep", "keep", "*.egg-info", "!deep/"],
        [],
        ["# only a comment", ""],
    ]
    specs.append(["*.log", "!important.log", "[z-a]", "foo\\", "**/x/**", "a[!b]c", "\\#x",
                  "  trailing  ", "dir/**/*.py", "!"])
    for lines in specs:
        spec = pathspec.GitIgnoreSpec.from_lines(lines) if "!" not in lines else None
        matcher = _Matcher(spec) if spec is not None else None
        # From the lines' text, without compiling each pattern: the same expression.
        fast = _Matcher.of_lines(lines)
        if not [line for line in lines if line]:
            assert fast is None
            continue
        if matcher is not None:
            negated = any(p.include is False for p in spec.patterns)
            assert (matcher.combined is None) is negated
            assert (fast.combined is None) is negated
            if not negated:
                assert fast.combined.pattern == matcher.combined.pattern
        for path in paths:
            expected = fast.spec.check_file(path).include
            if spec is not None:
                assert expected == spec.check_file(path).include, (lines, path)
                assert matcher.check(path) == expected, (lines, path)
            assert fast.check(path) == expected, (lines, path)
