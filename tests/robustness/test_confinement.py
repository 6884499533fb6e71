"""Nothing outside the checked tree is read, and no file is read without a size limit.

Each test builds a repository in ``tmp_path/repo`` (with a ``.git`` directory: the tree's root)
and a sentinel beside it in ``tmp_path/outside``: files whose content or names hold a string
that must never appear in any output, big enough that reading them would show in the time.
The configs point at the sentinel in every way a user's file can (``-r``, ``-c``,
``--requirement=``, a symlinked requirements file, ``CodeUri``, ``package.artifact``,
``Code.from_asset``, a symlinked build directory); the run reports one LL001 note on the line
that pointed outside and reads nothing there.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path
from typing import List, Tuple

import pytest

from helpers import SAM_TIMED, run_cli, write
from lambdalint import confine
from lambdalint.packages import audit

SENTINEL = "sentinelzxqpkg"
OUTSIDE_NOTE = "points outside the checked tree; not read"
APP = "def handler(event, context):\n    return 1\n"
SAM = SAM_TIMED
CODE_URI_LINE = 8


def sentinel_requirements(path: Path, size: int = 900 * 1024) -> Path:
    """A requirements file outside the tree: the sentinel unpinned (LL304 would name it), then
    comments up to ``size`` bytes (under the 1 MiB limit, so only confinement keeps it out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f"{SENTINEL}\nrequests==2.0.0\n"
    filler = "# " + "x" * 98 + "\n"
    path.write_text(body + filler * ((size - len(body)) // len(filler)), encoding="utf-8")
    return path


def sentinel_code(directory: Path) -> Path:
    """A code directory outside the tree that LL301 and LL302 would both report by name."""
    write(directory, {"app.py": APP, f"{SENTINEL}/tests/test_app.py": "x = 1\n"})
    with open(directory / f"{SENTINEL}.csv", "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: over 250 MB, no disk used
    return directory


def repo(tmp_path: Path, files: dict) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root, {"lambdalint.toml": "", **files})
    return root


def check(root: Path, *paths: str) -> Tuple[List[dict], str, float]:
    """The findings of ``lambdalint check --format json`` in ``root``, all output, seconds."""
    started = time.monotonic()
    code, out, err = run_cli(["check", "--format", "json", "--no-cache", *(paths or ["."])],
                             cwd=root)
    elapsed = time.monotonic() - started
    assert code in (0, 1), (code, out, err)
    return json.loads(out)["findings"], out + err, elapsed


def notes(findings: List[dict]) -> List[Tuple[str, int, str]]:
    return [(f["path"], f["line"], f["message"]) for f in findings
            if f["rule"] == "LL001" and f["severity"] == "note"]


def rules(findings: List[dict]) -> List[Tuple[str, str, int]]:
    return sorted((f["rule"], f["path"], f["line"]) for f in findings)


# -- requirements files ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["-r ../../outside/reqs.txt", "-r {absolute}",
                                      "--requirement=../../outside/reqs.txt",
                                      "--requirement {absolute}"])
def test_an_include_outside_the_tree_is_a_note_not_read(tmp_path, spelling):
    outside = sentinel_requirements(tmp_path / "outside" / "reqs.txt")
    written = spelling.format(absolute=outside)
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP,
                           "src/requirements.txt": f"flask==3.0.0\n{written}\n"})
    findings, output, elapsed = check(root)
    assert SENTINEL not in output
    assert notes(findings) == [("src/requirements.txt", 2, f"{written} {OUTSIDE_NOTE}")]
    assert [f for f in findings if f["rule"] == "LL304"] == []
    assert elapsed < 20


def test_a_constraint_outside_the_tree_pins_nothing(tmp_path):
    sentinel_requirements(tmp_path / "outside" / "constraints.txt")
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP,
                           "src/requirements.txt": "-c ../../outside/constraints.txt\nrequests\n"})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert notes(findings) == [
        ("src/requirements.txt", 1, f"-c ../../outside/constraints.txt {OUTSIDE_NOTE}")]
    # The outside pin of requests was not taken: it is unpinned as far as the tree says.
    assert [(f["rule"], f["line"]) for f in findings if f["rule"] == "LL304"] == [("LL304", 2)]


def test_a_requirements_file_that_is_a_symlink_out_of_the_tree(tmp_path):
    outside = sentinel_requirements(tmp_path / "outside" / "reqs.txt")
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP,
                           "lib/app.py": APP,
                           "lib/requirements.txt": "flask==3.0.0\n-r linked.txt\n"})
    os.symlink(outside, root / "src" / "requirements.txt")
    os.symlink(outside, root / "lib" / "linked.txt")
    write(root, {"lib.yaml": SAM.format(code="lib/").replace("Fn:", "Lib:")})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert sorted(notes(findings)) == [
        ("lib/requirements.txt", 2, f"-r linked.txt {OUTSIDE_NOTE}"),
        ("src/requirements.txt", 1, f"requirements.txt {OUTSIDE_NOTE}")]


def test_an_oversized_requirements_file_is_a_note(tmp_path):
    big = "flask\n" + "# padding\n" * 150_000  # 1.4 MiB
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP,
                           "src/requirements.txt": big})
    findings, _, _ = check(root)
    assert notes(findings) == [
        ("src/requirements.txt", 1, "requirements.txt: 1.4 MiB is over the 1 MiB limit; not read")]


def test_a_fifo_named_by_an_include_is_never_opened(tmp_path):
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP,
                           "src/requirements.txt": "flask==3.0.0\n-r pipe.txt\n"})
    os.mkfifo(root / "src" / "pipe.txt")
    findings, _, elapsed = check(root)
    assert notes(findings) == [
        ("src/requirements.txt", 2, "-r pipe.txt: not a regular file; not read")]
    assert elapsed < 20


# -- code paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("code_uri", ["../outside/code/", "{absolute}"])
def test_a_sam_code_uri_outside_the_tree_is_not_walked(tmp_path, code_uri):
    outside = sentinel_code(tmp_path / "outside" / "code")
    written = code_uri.format(absolute=outside)
    root = repo(tmp_path, {"template.yaml": SAM.format(code=written)})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert [f for f in findings if f["rule"] in ("LL301", "LL302")] == []
    assert notes(findings) == [(
        "template.yaml", CODE_URI_LINE,
        f"CodeUri {outside} of Fn {OUTSIDE_NOTE} (its package is not measured)")]


def test_a_code_uri_of_the_filesystem_root_finishes_at_once(tmp_path):
    root = repo(tmp_path, {"template.yaml": SAM.format(code="/")})
    findings, _, elapsed = check(root)
    assert notes(findings) == [(
        "template.yaml", CODE_URI_LINE,
        f"CodeUri / of Fn {OUTSIDE_NOTE} (its package is not measured)")]
    assert elapsed < 5


def test_a_code_directory_that_is_a_symlink_out_of_the_tree(tmp_path):
    outside = sentinel_code(tmp_path / "outside" / "code")
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/")})
    os.symlink(outside, root / "src")
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert [(p, line) for p, line, _ in notes(findings)] == [("template.yaml", CODE_URI_LINE)]


def test_a_sam_build_directory_linked_out_of_the_tree(tmp_path):
    outside = sentinel_code(tmp_path / "outside" / "build")
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP})
    (root / ".aws-sam" / "build").mkdir(parents=True)
    os.symlink(outside, root / ".aws-sam" / "build" / "Fn")
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert notes(findings) == [(
        "template.yaml", CODE_URI_LINE,
        f"the built package {root / '.aws-sam' / 'build' / 'Fn'} of Fn {OUTSIDE_NOTE} "
        "(its package is not measured)")]


def test_a_serverless_artifact_outside_the_tree_is_not_opened(tmp_path):
    artifact = tmp_path / "outside" / "build.zip"
    artifact.parent.mkdir()
    with zipfile.ZipFile(artifact, "w") as archive:
        archive.writestr(f"{SENTINEL}/tests/test_app.py", "x = 1\n")
    root = repo(tmp_path, {"serverless.yml": """
        service: orders
        provider:
          name: aws
          runtime: python3.12
          timeout: 10
        package:
          artifact: ../outside/build.zip
        functions:
          create:
            handler: app.handler
        """, "app.py": APP})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert notes(findings) == [(
        "serverless.yml", 7,
        f"package.artifact {artifact} of create {OUTSIDE_NOTE} (its package is not measured)")]


def test_a_cdk_asset_outside_the_tree_is_not_walked(tmp_path):
    outside = sentinel_code(tmp_path / "outside" / "code")
    root = repo(tmp_path, {"infra/app.py": """
        from aws_cdk import App, Duration, Stack
        from aws_cdk import aws_lambda as lambda_


        class OrdersStack(Stack):
            def __init__(self, scope, construct_id):
                super().__init__(scope, construct_id)
                lambda_.Function(
                    self, "Fn",
                    runtime=lambda_.Runtime.PYTHON_3_12,
                    handler="app.handler",
                    timeout=Duration.seconds(10),
                    code=lambda_.Code.from_asset("../../outside/code"),
                )


        app = App()
        OrdersStack(app, "Orders")
        app.synth()
        """})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert [f for f in findings if f["rule"] in ("LL301", "LL302")] == []
    assert notes(findings) == [(
        "infra/app.py", 8,
        f"Code.from_asset {outside} of Fn {OUTSIDE_NOTE} (its package is not measured)")]


def test_a_terraform_source_dir_outside_the_tree_is_not_walked(tmp_path):
    sentinel_code(tmp_path / "outside" / "code")
    root = repo(tmp_path, {"main.tf": """
        data "archive_file" "fn" {
          type        = "zip"
          source_dir  = "${path.module}/../outside/code"
          output_path = "${path.module}/fn.zip"
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          role          = "arn:aws:iam::123456789012:role/fn"
          handler       = "app.handler"
          runtime       = "python3.12"
          timeout       = 10
          filename      = data.archive_file.fn.output_path
        }
        """})
    findings, output, _ = check(root)
    # Whichever layer stops it (the Terraform reader or the packages layer), nothing is read.
    assert SENTINEL not in output
    assert [f for f in findings if f["rule"] in ("LL301", "LL302")] == []


def test_without_git_the_checked_directory_is_the_tree(tmp_path):
    outside = sentinel_code(tmp_path / "outside" / "code")
    root = tmp_path / "repo"
    write(root, {"lambdalint.toml": "", "template.yaml": SAM.format(code="../outside/code/")})
    findings, output, _ = check(root)
    assert SENTINEL not in output
    assert [(p, line) for p, line, _ in notes(findings)] == [("template.yaml", CODE_URI_LINE)]
    assert str(outside) in notes(findings)[0][2]


def test_code_beside_the_checked_file_inside_the_repository_is_measured(tmp_path):
    """The tree is the repository around the checked path, not the path alone: a template in
    infra/ checked by itself still measures ../src (pre-commit passes single files)."""
    root = repo(tmp_path, {"infra/template.yaml": SAM.format(code="../src/"), "src/app.py": APP,
                           "src/tests/test_app.py": "x = 1\n"})
    findings, _, _ = check(root, "infra/template.yaml")
    assert notes(findings) == []
    assert [(f["rule"], f["path"]) for f in findings if f["rule"] == "LL302"] == [
        ("LL302", "infra/template.yaml")]


# -- reading with a limit ----------------------------------------------------------------------


def test_a_dist_info_record_linked_to_a_device_is_not_read(tmp_path):
    """Discovery reads RECORD to know which files an installed package owns: a RECORD that is
    a link to /dev/zero made the run read until memory ran out."""
    root = repo(tmp_path, {"template.yaml": SAM.format(code="src/"), "src/app.py": APP})
    (root / "src" / "evil-1.0.dist-info").mkdir()
    os.symlink("/dev/zero", root / "src" / "evil-1.0.dist-info" / "RECORD")
    findings, _, elapsed = check(root)
    assert notes(findings) == []
    assert elapsed < 20



def test_offline_advisories_from_a_device_or_a_fifo_are_refused_at_once(tmp_path):
    fifo = tmp_path / "advisories.json"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        started = time.monotonic()
        outcome = audit.run([("requests", "2.0.0")], advisories=path)
        assert outcome.error == f"audit skipped: cannot read advisories {path}: not a regular file"
        assert time.monotonic() - started < 5


def test_offline_advisories_directory_skips_links_out_and_special_files(tmp_path):
    record = {"id": "GHSA-test", "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                                               "ranges": [{"type": "ECOSYSTEM", "events": [
                                                   {"introduced": "0"}, {"fixed": "2.1.0"}]}]}]}
    write(tmp_path, {"osv/good.json": json.dumps(record),
                     "elsewhere/evil.json": json.dumps({**record, "id": "GHSA-outside"})})
    os.symlink(tmp_path / "elsewhere" / "evil.json", tmp_path / "osv" / "linked.json")
    os.symlink(tmp_path / "elsewhere", tmp_path / "osv" / "linked-dir")
    os.mkfifo(tmp_path / "osv" / "pipe.json")
    outcome = audit.run([("requests", "2.0.0")], advisories=tmp_path / "osv")
    assert outcome.error is None
    assert [a.id for a in outcome.found[("requests", "2.0.0")]] == ["GHSA-test"]


def test_read_bytes_refuses_what_is_not_a_small_regular_file(tmp_path):
    write(tmp_path, {"small.txt": "abc", "big.txt": "x" * 2048})
    assert confine.read_bytes(tmp_path / "small.txt", 10) == b"abc"
    with pytest.raises(confine.NotReadable, match="2,048 bytes is over the 1,024 byte limit"):
        confine.read_bytes(tmp_path / "big.txt", 1024)
    with pytest.raises(confine.NotReadable, match="not a regular file"):
        confine.read_bytes(tmp_path, 1024)
    with pytest.raises(confine.NotReadable, match="not a regular file"):
        confine.read_bytes("/dev/zero", 1024)
