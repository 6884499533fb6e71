"""LL303 vulnerable-dependency: the whole path through pip-audit, against a real OSV-compatible
HTTP server on 127.0.0.1 that serves advisories written for the test; the offline OSV file; and
that nothing touches the network without --audit."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest

from helpers import (REPO, REQUESTS_ADVISORY, check_json, ids_and_lines, needs_pip_audit_with_osv_url,
                     osv_url, run_cli, sam_function, sam_resource, write)
from lambdalint.packages import audit

TEMPLATE = sam_function(name="OrdersFunction")

APP = "def handler(event, context):\n    return {}\n"

REQUESTS_SECOND = {
    "id": "GHSA-j8r2-6x86-q33q",
    "aliases": ["CVE-2023-32681"],
    "summary": "Proxy-Authorization header leak",
    "affected": [{
        "package": {"name": "requests", "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}],
    }],
}
PYYAML_ADVISORY = {
    "id": "PYSEC-2021-142",
    "aliases": ["CVE-2020-14343"],
    "details": "Arbitrary code execution in full_load",
    "affected": [{
        "package": {"name": "pyyaml", "ecosystem": "PyPI"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.4"}]}],
    }],
}
WITHDRAWN = {
    "id": "GHSA-withdrawn-0000", "withdrawn": "2024-01-01T00:00:00Z",
    "affected": [{"package": {"name": "flask", "ecosystem": "PyPI"},
                  "versions": ["0.12"]}],
}


def _project(root: Path, requirements: str, extra: Dict[str, str] = None) -> Path:
    files = {"template.yaml": TEMPLATE, "src/app.py": APP, "src/requirements.txt": requirements,
             "lambdalint.toml": ""}
    files.update(extra or {})
    return write(root, files)


# -- the whole path through pip-audit ----------------------------------------------------------


def test_audit_through_pip_audit_reports_each_vulnerable_pin_on_its_line(tmp_path, osv_server):
    needs_pip_audit_with_osv_url()
    osv_server.advisories[("requests", "2.19.0")] = [REQUESTS_ADVISORY, REQUESTS_SECOND]
    osv_server.advisories[("pyyaml", "5.3")] = [PYYAML_ADVISORY]
    _project(tmp_path, """
        # deployment requirements
        requests==2.19.0  # pinned long ago
        flask==0.12
        PyYAML==5.3 \\
            --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
        boto3>=1.20
        """)
    code, out, err = run_cli(["check", "--format", "json", "--select", "LL303", "--audit",
                              "--osv-url", osv_url(osv_server), "."], cwd=tmp_path)
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert ids_and_lines(findings) == [("LL303", 2), ("LL303", 4)]
    assert all(f["path"] == "src/requirements.txt" for f in findings)
    first, second = findings
    assert first["column"] == 1 and first["end_column"] == len("requests==2.19.0") + 1
    assert first["message"].startswith("requests 2.19.0 has 2 known vulnerabilities: ")
    # pip-audit names a CVE first when there is one; every id shows.
    for advisory_id in ("CVE-2018-18074", "GHSA-x84v-xcm2-53pg", "CVE-2023-32681"):
        assert advisory_id in first["message"]
    assert "requests==2.31.0" in first["suggestion"]  # the first release that fixes both
    assert second["message"].startswith("PyYAML 5.3 has 1 known vulnerability: ")
    assert "Arbitrary code execution" in second["message"]
    assert "PyYAML==5.4" in second["suggestion"]
    # Every pin went to the server, once; the unpinned boto3 did not.
    asked = sorted((name, version) for _, name, version in osv_server.queries)
    assert asked == [("flask", "0.12"), ("pyyaml", "5.3"), ("requests", "2.19.0")]
    assert {path for path, _, _ in osv_server.queries} == {"/v1/query"}


def test_audit_from_configuration_with_constraints_and_two_functions(tmp_path, osv_server):
    needs_pip_audit_with_osv_url()
    osv_server.advisories[("requests", "2.19.0")] = [REQUESTS_ADVISORY]
    write(tmp_path, {
        "template.yaml": TEMPLATE.rstrip(" ") + textwrap.indent(sam_resource("OtherFunction", timeout=10),
                                                                 " " * 4),
        "src/app.py": APP,
        "src/requirements.txt": "-c constraints.txt\nrequests\n",
        "src/constraints.txt": "requests==2.19.0\n",
        "lambdalint.toml": f'audit = true\n[rules.LL303]\nosv-url = "{osv_url(osv_server)}"\n',
    })
    # Audit settings count only from a file passed with --config (a found one is not trusted).
    findings = check_json(["."], tmp_path, "--select", "LL303", "--config", "lambdalint.toml")
    # One finding for the line both functions share, pinned by the constraints file.
    assert ids_and_lines(findings) == [("LL303", 2)]
    assert "requests 2.19.0 has 1 known vulnerability" in findings[0]["message"]
    assert "requests==2.20.0" in findings[0]["suggestion"]


def test_audit_without_network_says_one_line_and_exits_2(tmp_path):
    needs_pip_audit_with_osv_url()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _project(tmp_path, "requests==2.19.0\nflask\n")
    code, out, err = run_cli(["check", "--format", "json", "--audit", "--osv-url",
                              f"http://127.0.0.1:{port}/v1/query", "."], cwd=tmp_path)
    # The report is written (the other rules ran), and the audit that did not happen fails the
    # run: a report without LL303 must not pass for a clean audit.
    assert code == 2
    lines = [line for line in err.splitlines() if "audit" in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("lambdalint: error: audit skipped: pip-audit could not query "
                               f"http://127.0.0.1:{port}/v1/query: ")
    assert lines[0].endswith("; LL303 was not checked (exit code 2)")
    assert "refused" in lines[0].lower()
    assert "Traceback" not in err
    assert ids_and_lines(json.loads(out)["findings"]) == [("LL304", 2)]


def test_suppression_comment_on_the_requirement_line(tmp_path, osv_server):
    needs_pip_audit_with_osv_url()
    osv_server.advisories[("requests", "2.19.0")] = [REQUESTS_ADVISORY]
    osv_server.advisories[("pyyaml", "5.3")] = [PYYAML_ADVISORY]
    _project(tmp_path, "requests==2.19.0  # lambdalint: ignore[LL303]\npyyaml==5.3\n")
    findings = check_json(["."], tmp_path, "--select", "LL303", "--audit", "--osv-url",
                          osv_url(osv_server))
    assert ids_and_lines(findings) == [("LL303", 2)]


# -- usage errors ------------------------------------------------------------------------------


def test_audit_without_pip_audit_exits_2_with_the_install_line(tmp_path):
    _project(tmp_path, "requests==2.19.0\n")
    code = ("import sys; sys.modules['pip_audit'] = None\n"
            "from lambdalint.cli import main\n"
            "main(['check', '--audit', '.'])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "lambdalint: error: --audit needs pip-audit, which is not installed: "
        "pip install 'lambdalint[audit]'"]
    assert proc.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--osv-url", "http://127.0.0.1:9/v1/query"], "--audit-service and --osv-url need --audit"),
    (["--audit-service", "pypi"], "--audit-service and --osv-url need --audit"),
    (["--audit", "--audit-service", "pypi", "--osv-url", "http://127.0.0.1:9/v1/query"],
     "--osv-url applies to the osv service only"),
])
def test_audit_option_errors(tmp_path, args, message):
    _project(tmp_path, "requests==2.19.0\n")
    code, out, err = run_cli(["check", *args, "."], cwd=tmp_path)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_audit_key_in_configuration(tmp_path):
    _project(tmp_path, "requests==2.19.0\n", {"lambdalint.toml": 'audit = "yes"\n'})
    code, _, err = run_cli(["check", "."], cwd=tmp_path)
    assert code == 2
    assert "'audit' must be true or false" in err


# -- never the network without --audit ---------------------------------------------------------


def test_no_network_and_no_pip_audit_without_audit(tmp_path, monkeypatch, osv_server):
    osv_server.advisories[("requests", "2.19.0")] = [REQUESTS_ADVISORY]
    _project(tmp_path, "requests==2.19.0\nflask\n", {
        "lambdalint.toml": f'[rules.LL303]\nosv-url = "{osv_url(osv_server)}"\n'})
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    findings = check_json(["."], tmp_path)
    assert attempts == []
    assert osv_server.queries == []
    assert ("LL303", 1) not in ids_and_lines(findings)
    assert ids_and_lines(findings) == [("LL304", 2)]


# -- offline OSV records -----------------------------------------------------------------------


def test_offline_advisories_file(tmp_path):
    pytest.importorskip("packaging")
    last_affected = {
        "id": "OSV-LAST-1",
        "affected": [{"package": {"name": "Flask", "ecosystem": "PyPI"},
                      "ranges": [{"type": "ECOSYSTEM",
                                  "events": [{"introduced": "0.10"}, {"last_affected": "0.12"}]}]}],
    }
    listed = {
        "id": "OSV-LIST-1",
        "affected": [{"package": {"name": "jinja2", "ecosystem": "PyPI"}, "versions": ["2.10"]}],
    }
    other_ecosystem = {
        "id": "OSV-NPM-1",
        "affected": [{"package": {"name": "requests", "ecosystem": "npm"}, "versions": ["2.25.0"]}],
    }
    _project(tmp_path, "flask==0.12\njinja2==2.10\nrequests==2.25.0\nwerkzeug==0.13\nflask-cors==1\n", {
        "lambdalint.toml": 'audit = true\n[rules.LL303]\nadvisories = "osv.json"\n',
        "osv.json": json.dumps([last_affected, listed, other_ecosystem, WITHDRAWN,
                                REQUESTS_ADVISORY]),
    })
    findings = check_json(["."], tmp_path, "--select", "LL303", "--config", "lambdalint.toml")
    assert ids_and_lines(findings) == [("LL303", 1), ("LL303", 2)]
    assert "OSV-LAST-1" in findings[0]["message"]
    assert "The advisories name no fixed release of flask" in findings[0]["suggestion"]
    assert "OSV-LIST-1" in findings[1]["message"]


def test_offline_advisories_directory_and_fixed_boundary(tmp_path):
    pytest.importorskip("packaging")
    write(tmp_path, {"osv/GHSA-1.json": json.dumps(REQUESTS_ADVISORY),
                     "osv/GHSA-2.json": json.dumps(REQUESTS_SECOND)})
    found = audit.run([("requests", "2.20.0"), ("requests", "2.19.1"), ("Requests", "2.30.0"),
                       ("requests", "2.31.0")], advisories=tmp_path / "osv")
    assert sorted(found.found) == [("requests", "2.19.1"), ("requests", "2.20.0"),
                                   ("requests", "2.30.0")]
    assert [a.id for a in found.found[("requests", "2.19.1")]] == [
        "GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q"]
    assert [a.id for a in found.found[("requests", "2.20.0")]] == ["GHSA-j8r2-6x86-q33q"]
    assert audit.first_fix("2.19.1", found.found[("requests", "2.19.1")]) == ("2.31.0", [])


def test_unreadable_advisories_is_one_line(tmp_path):
    pytest.importorskip("packaging")
    _project(tmp_path, "flask==0.12\n", {
        "lambdalint.toml": 'audit = true\n[rules.LL303]\nadvisories = "osv.json"\n',
        "osv.json": "{not json",
    })
    code, out, err = run_cli(["check", "--format", "json", "--select", "LL303", "--config",
                              "lambdalint.toml", "."], cwd=tmp_path)
    assert code == 2  # the audit asked for did not happen
    assert json.loads(out)["findings"] == []
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("lambdalint: error: audit skipped: cannot read advisories ")


def test_pyproject_offers_the_audit_extra():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'audit = ["pip-audit>=2.7"]' in text
    dependencies = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "pip-audit" not in dependencies
