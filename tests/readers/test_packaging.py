"""What a function ships: real trees in tmp_path, read by the real readers, measured by
lambdalint.packages; requirements parsing with lines; the heavy-package estimates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from helpers import (MB, cdk_asset_app, cdk_asset_function, crafted_zip, sam_function, sparse,
                     terraform_function, write)
from lambdalint import confine, discovery
from lambdalint.config import Config
from lambdalint.model import Function, Project
from lambdalint.packages import requirements as reqs
from lambdalint.packages import ship, sizes
from lambdalint.sources import configs

def project(root: Path) -> Project:
    files, _ = discovery.discover([str(root)], Config().excludes, root)
    return configs.read_project([f for f in files if f.kind != discovery.PYTHON],
                                [f for f in files if f.kind == discovery.PYTHON], [str(root)])


def function(root: Path, name: str = None) -> Function:
    found = project(root).functions
    if name is None:
        assert len(found) == 1, [f.name for f in found]
        return found[0]
    return next(f for f in found if f.name == name)


def tree(root: Path) -> confine.Tree:
    """What a run that checks ``root`` may read."""
    return confine.Tree.of([str(root)])


def shipped(package: ship.Package) -> List[str]:
    return sorted(rel for rel, _ in package.files)


# -- SAM ---------------------------------------------------------------------------------------


def test_sam_ships_the_code_uri_less_what_sam_build_drops(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "template.yaml": sam_function(),
        "src/app.py": "def handler(event, context):\n    return 1\n",
        "src/lib/util.py": "X = 1\n",
        "src/tests/test_app.py": "def test(): pass\n",
        "src/.git/HEAD": "ref: refs/heads/main\n",
        "src/.venv/pyvenv.cfg": "home = /usr\n",
        "src/venv/lib/x.py": "y\n",
        "src/__pycache__/app.cpython-312.pyc": b"\x00" * 10,
        "src/lib/__pycache__/util.cpython-312.pyc": b"\x00" * 10,
        "src/.pytest_cache/v": "x\n",
        "src/requirements.txt": "pandas==2.2.2\nrequests==2.32.3\n",
    })
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert package.kind == "directory"
    assert shipped(package) == ["app.py", "lib/util.py", "requirements.txt", "tests/test_app.py"]
    exact = sum((tmp_path / "src" / rel).stat().st_size for rel in shipped(package))
    assert package.measured_bytes == exact
    # pandas is estimated with the numpy it pulls in; requests is not in the table.
    assert package.estimated == {"pandas": sizes.KNOWN["pandas"].bytes,
                                 "numpy": sizes.KNOWN["numpy"].bytes}
    assert package.unknown_dependencies == ["requests"]
    assert package.total == exact + sizes.KNOWN["pandas"].bytes + sizes.KNOWN["numpy"].bytes
    labels = [c.label for c in package.contributors()]
    assert labels[:2] == ["numpy (requirements.txt, estimated)",
                          "pandas (requirements.txt, estimated)"]
    assert set(labels[2:]) == {"app.py", "lib/", "requirements.txt", "tests/"}


def test_sam_node_function_keeps_everything_and_reads_no_requirements(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"template.yaml": sam_function("nodejs20.x"), "src/index.js": "exports.handler=1\n",
                     "src/.venv/x": "x", "src/requirements.txt": "numpy==2.0.0\n"})
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert shipped(package) == [".venv/x", "index.js", "requirements.txt"]
    assert package.estimated == {} and package.requirements.items == []


def test_sam_build_artifact_is_measured_instead_of_the_sources(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"template.yaml": sam_function(), "src/app.py": "x = 1\n",
                     "src/requirements.txt": "torch==2.4.1\n"})
    sparse(tmp_path / ".aws-sam/build/Fn/numpy/core.so", 40 * MB)
    write(tmp_path, {".aws-sam/build/Fn/app.py": "x = 1\n",
                     ".aws-sam/build/Other/big.bin": b"\x00" * 100})
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert package.kind == "build"
    assert package.artifact == tmp_path / ".aws-sam/build/Fn"
    assert shipped(package) == ["app.py", "numpy/core.so"]
    assert package.total == package.measured_bytes == 40 * MB + 6
    assert package.estimated == {}  # the build installed them: nothing is estimated
    # Junk is judged on the sources, not on the build.
    assert shipped(ship.sources(function(tmp_path), tree(tmp_path))) == ["app.py", "requirements.txt"]


def test_sam_zip_code_uri_read_from_its_central_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"template.yaml": sam_function(code="dist/fn.zip")})
    crafted_zip(tmp_path / "dist/fn.zip", {"app.py": 100, "numpy/core.so": 300 * MB})
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert package.kind == "zip"
    assert package.measured_bytes == 300 * MB + 100
    assert package.zipped_bytes == (tmp_path / "dist/fn.zip").stat().st_size < 1000
    assert [(c.label, c.bytes) for c in package.contributors()] == [("numpy/", 300 * MB),
                                                                     ("app.py", 100)]


def test_a_zip_that_is_not_one_is_an_error_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"template.yaml": sam_function(code="fn.zip"), "fn.zip": b"PK\x03\x04 not a zip"})
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert package.error is not None and package.error.startswith("cannot read fn.zip")
    assert package.files == []


def test_a_named_zip_not_built_yet_is_not_measured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"template.yaml": sam_function(code="fn.zip")})
    assert ship.measure(function(tmp_path), tree(tmp_path)) is None


def test_symlinks_are_never_followed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    sparse(outside / "huge.bin", 500 * MB)
    write(tmp_path, {"template.yaml": sam_function(), "src/app.py": "x = 1\n"})
    os.symlink(outside, tmp_path / "src" / "linked")
    os.symlink(outside / "huge.bin", tmp_path / "src" / "huge.bin")
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert shipped(package) == ["app.py"]
    assert package.total == 6


# -- CloudFormation ----------------------------------------------------------------------------


def test_cloudformation_local_code_ships_the_directory_as_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "template.yaml": """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Role: arn:aws:iam::123456789012:role/x
                  Code: build/
            """,
        "build/app.py": "x = 1\n", "build/.git/HEAD": "x\n", "build/.venv/pyvenv.cfg": "x\n",
    })
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert shipped(package) == [".git/HEAD", ".venv/pyvenv.cfg", "app.py"]


# -- Serverless --------------------------------------------------------------------------------


SERVERLESS = """
    service: orders
    provider:
      name: aws
      runtime: python3.12
      timeout: 10
    {package}
    functions:
      create:
        handler: src/app.handler
      list:
        handler: src/app.list
    """


def _serverless_tree(root: Path, package: str) -> None:
    write(root, {
        "serverless.yml": SERVERLESS.format(package=package),
        "src/app.py": "def handler(e, c):\n    return 1\n",
        "src/tests/test_app.py": "x\n",
        "tests/test_all.py": "x\n",
        ".git/HEAD": "x\n",
        ".serverless/cloudformation.json": "{}\n",
        "README.md": "# orders\n",
        "notes.ipynb": "{}\n",
    })


def test_serverless_default_excludes_and_specific_patterns_win(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _serverless_tree(tmp_path, """
    package:
      patterns:
        - 'src/**'
        - '!src/tests/**'
        - '!*.ipynb'
    """)
    package = ship.measure(function(tmp_path, "create"), tree(tmp_path))
    # .git, .serverless and serverless.yml are Serverless' own excludes.
    assert shipped(package) == ["README.md", "src/app.py", "tests/test_all.py"]


def test_serverless_exclude_everything_then_include_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _serverless_tree(tmp_path, """
    package:
      patterns:
        - '!**'
        - 'src/**'
    """)
    assert shipped(ship.measure(function(tmp_path, "create"), tree(tmp_path))) == ["src/app.py",
                                                                   "src/tests/test_app.py"]


def test_serverless_built_zip_of_the_service_or_of_the_function(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _serverless_tree(tmp_path, "")
    crafted_zip(tmp_path / ".serverless/orders.zip", {"src/app.py": 50, "pandas/x.so": 80 * MB})
    crafted_zip(tmp_path / ".serverless/list.zip", {"src/app.py": 50})
    create = ship.measure(function(tmp_path, "create"), tree(tmp_path))
    assert (create.kind, create.artifact.name, create.total) == ("zip", "orders.zip", 80 * MB + 50)
    listed = ship.measure(function(tmp_path, "list"), tree(tmp_path))
    assert (listed.artifact.name, listed.total) == ("list.zip", 50)


def test_serverless_package_artifact(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _serverless_tree(tmp_path, "package:\n      artifact: dist/orders.zip")
    crafted_zip(tmp_path / "dist/orders.zip", {"app.py": 10})
    package = ship.measure(function(tmp_path, "create"), tree(tmp_path))
    assert (package.kind, package.total, package.artifact) == ("zip", 10,
                                                               tmp_path / "dist/orders.zip")


# -- Terraform ---------------------------------------------------------------------------------


def test_terraform_archive_file_source_dir_less_excludes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "main.tf": terraform_function("data.archive_file.fn.output_path", before="""
            data "archive_file" "fn" {
              type        = "zip"
              source_dir  = "${path.module}/lambda"
              output_path = "${path.module}/build/fn.zip"
              excludes    = ["tests", "docs/*.md"]
            }
            """),
        "lambda/app.py": "x = 1\n", "lambda/tests/test_app.py": "x\n",
        "lambda/docs/a.md": "x\n", "lambda/docs/a.txt": "x\n", "lambda/sub/tests/t.py": "x\n",
    })
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert shipped(package) == ["app.py", "docs/a.txt", "sub/tests/t.py"]


def test_terraform_filename_zip_with_huge_declared_sizes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"main.tf": terraform_function('"build/fn.zip"')})
    crafted_zip(tmp_path / "build/fn.zip", {"app.py": 1000, "torch/lib.so": 3_000_000_000,
                                            "torch/other.so": 500 * MB})
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert package.measured_bytes == 3_000_000_000 + 500 * MB + 1000
    assert package.contributors()[0].label == "torch/"
    assert package.zipped_bytes < 2000


# -- CDK ---------------------------------------------------------------------------------------


def test_cdk_asset_exclude_globs_and_negation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {
        "app.py": cdk_asset_app(cdk_asset_function(
            '"lambda", exclude=["tests", "*.csv", "!keep.csv", "docs/internal"]')),
        "lambda/index.py": "x = 1\n", "lambda/tests/t.py": "x\n", "lambda/pkg/tests/t.py": "x\n",
        "lambda/a.csv": "x\n", "lambda/data/b.csv": "x\n", "lambda/keep.csv": "x\n",
        "lambda/docs/internal/x.md": "x\n", "lambda/docs/public.md": "x\n",
    })
    package = ship.measure(function(tmp_path), tree(tmp_path))
    assert shipped(package) == ["docs/public.md", "index.py", "keep.csv"]


# -- requirements ------------------------------------------------------------------------------


def test_requirements_file_lines_columns_includes_and_pins(tmp_path):
    write(tmp_path, {
        "requirements.txt": """
            # deployment
            -r base.txt
            -c constraints.txt
            --index-url https://pypi.example.com/simple
            requests==2.32.3  # pinned
              boto3 >= 1.34, <2
            PyYAML[extra]==6.0.1 ; python_version >= "3.8" \\
                --hash=sha256:abc
            numpy==2.*
            attrs===23.1.0
            -e ./libs/shared
            ./vendor/thing
            pkg @ https://files.example.com/pkg-1.0-py3-none-any.whl
            git+https://github.com/org/repo@0123456789abcdef0123456789abcdef01234567#egg=repo
            git+https://github.com/org/other@main#egg=other
            six
            not a requirement !!
            """,
        "base.txt": "urllib3==2.2.2\n",
        "constraints.txt": "six==1.16.0\nnotused==1\n",
    })
    found = reqs.read_requirements_file(tmp_path / "requirements.txt", tree(tmp_path))
    rows = [(r.key, r.line, r.column, r.specifier, r.version, r.local, found.is_pinned(r))
            for r in found.items]
    assert rows == [
        ("urllib3", 1, 1, "==2.2.2", "2.2.2", False, True),
        ("requests", 5, 1, "==2.32.3", "2.32.3", False, True),
        ("boto3", 6, 3, ">= 1.34, <2", None, False, False),
        ("pyyaml", 7, 1, "==6.0.1", "6.0.1", False, True),
        ("numpy", 9, 1, "==2.*", None, False, False),
        ("attrs", 10, 1, "===23.1.0", "23.1.0", False, True),
        ("./vendor/thing", 12, 1, "", None, True, False),
        ("pkg", 13, 1, "", None, False, True),
        ("repo", 14, 1, "", None, False, True),
        ("other", 15, 1, "", None, False, False),
        ("six", 16, 1, "", None, False, True),
    ]
    assert found.items[0].path == tmp_path / "base.txt"
    assert found.items[1].end_column == 1 + len("requests==2.32.3")
    assert found.items[3].marker == 'python_version >= "3.8"'
    assert found.pinned_version(found.items[-1]) == "1.16.0"


def test_requirements_include_loops_and_missing_files_are_harmless(tmp_path):
    write(tmp_path, {"requirements.txt": "-r other.txt\n-r missing.txt\nflask==3.0.0\n",
                     "other.txt": "-r requirements.txt\nclick==8.1.7\n"})
    found = reqs.read_requirements_file(tmp_path / "requirements.txt", tree(tmp_path))
    assert [(r.key, r.path.name, r.line) for r in found.items] == [
        ("click", "other.txt", 2), ("flask", "requirements.txt", 3)]


def test_pyproject_dependencies_with_lines_and_lock_files(tmp_path):
    write(tmp_path, {"pyproject.toml": """
        [project]
        name = "orders"
        dependencies = [
            "requests>=2.31",
            'pydantic==2.8.2',
        ]

        [project.optional-dependencies]
        dev = ["pytest"]

        [tool.poetry.dependencies]
        python = "^3.12"
        boto3 = "1.34.0"
        httpx = { version = "^0.27" }
        local = { path = "../local" }
        """})
    found = reqs.for_directory(tmp_path, tree(tmp_path))
    assert [(r.key, r.line, r.column, r.version) for r in found.items] == [
        ("requests", 4, 6, None), ("pydantic", 5, 6, "2.8.2"), ("boto3", 13, 1, "1.34.0"),
        ("httpx", 14, 1, None)]
    assert not found.locked
    write(tmp_path, {"uv.lock": "version = 1\n"})
    assert reqs.for_directory(tmp_path, tree(tmp_path)).locked
    # requirements.txt wins over pyproject.toml: it is what sam build installs.
    write(tmp_path, {"requirements.txt": "flask==3.0.0\n"})
    assert [r.key for r in reqs.for_directory(tmp_path, tree(tmp_path)).items] == ["flask"]


def test_broken_pyproject_and_binary_requirements_are_empty(tmp_path):
    write(tmp_path, {"a/pyproject.toml": "[project\n", "b/requirements.txt": b"\xff\xfe\x00\x01"})
    assert reqs.for_directory(tmp_path / "a", tree(tmp_path)).items == []
    assert reqs.for_directory(tmp_path / "b", tree(tmp_path)).items == []


# -- the size table ----------------------------------------------------------------------------


def test_estimate_follows_what_packages_pull_in_once():
    found, unknown = sizes.estimate(["scikit_learn", "Pandas", "flask", "numpy"])
    assert set(found) == {"scikit-learn", "scipy", "numpy", "pandas"}
    assert found["numpy"] == sizes.KNOWN["numpy"].bytes
    assert unknown == ["flask"]
    found, _ = sizes.estimate(["pandas"], installed=("numpy",))
    assert set(found) == {"pandas"}


def test_table_names_its_source_and_is_plausible():
    assert "measured" in sizes.SOURCE and sizes.MEASURED_ON in sizes.SOURCE
    for known in sizes.KNOWN.values():
        assert known.name == sizes.canonical(known.name)
        assert 10_000 < known.bytes < 2 * 1024 * MB
        assert all(p in sizes.KNOWN for p in known.pulls), known.name
    assert sizes.KNOWN["torch"].bytes > 262_144_000  # alone over Lambda's limit


@pytest.mark.parametrize("size, shown", [(0, "0 bytes"), (900, "900 bytes"), (2048, "2 KB"),
                                         (int(1.5 * MB), "1.5 MB"), (262_144_000, "250 MB")])
def test_sizes_are_shown_as_aws_states_its_limits(size, shown):
    assert ship.mb(size) == shown
