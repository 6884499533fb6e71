"""Fixtures and Hypothesis profiles. Builders live in helpers.py."""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from helpers import write

try:  # property tests (test_fuzz.py, test_fix_safety.py): "ci" by default, HYPOTHESIS_PROFILE=long
    from hypothesis import HealthCheck, settings as _hypothesis_settings

    _hypothesis_settings.register_profile(
        "ci", max_examples=150, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    _hypothesis_settings.register_profile(
        "long", max_examples=5000, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - the test extra installs it
    pass


@pytest.fixture
def tree(tmp_path):
    def make(files: dict) -> Path:
        return write(tmp_path, files)
    return make


class _OsvHandler(http.server.BaseHTTPRequestHandler):
    """POST /v1/query {"package": {"name", "ecosystem"}, "version"} -> {"vulns": [...]}."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers.get("Content-Length") or 0)
        query = json.loads(self.rfile.read(length) or b"{}")
        name = query.get("package", {}).get("name", "")
        version = query.get("version", "")
        self.server.queries.append((self.path, name, version))
        vulns = self.server.advisories.get((name, version), [])
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def osv_server():
    """A real HTTP server on 127.0.0.1; tests fill ``advisories`` by (name, version)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OsvHandler)
    server.advisories: Dict[Tuple[str, str], List[dict]] = {}
    server.queries: List[Tuple[str, str, str]] = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
