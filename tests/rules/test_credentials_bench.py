"""Issue 11's target, measured: LL101 and LL204 on the labelled set in ``bench/credentials/``.

The set is the project's own (every value in it is invented): one labelled line per site, a
``# want: yes KIND`` or ``# want: no KIND`` marker on it, the labels file extracted from those
markers. ``bench/credentials.py`` runs the real CLI over it and scores the findings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import REPO, write

SCRIPT = REPO / "bench" / "credentials.py"
SET = REPO / "bench" / "credentials"
LABELS = SET / "labels.jsonl"


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=REPO)


def scores(directory: Path, labels: Path) -> dict:
    run = bench(str(directory), str(labels), "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_recall_and_precision_on_the_labelled_set_meet_the_target():
    result = scores(SET, LABELS)["as labelled"]
    total = result["total"]
    assert total["secrets"] >= 60 and total["secrets"] < len(LABELS.read_text().splitlines())
    assert total["recall"] >= 0.90, total["missed"]
    assert total["precision"] >= 0.95, total["false_positives"]
    # Per kind of the list too: no kind hides behind the others.
    for kind, score in result["kinds"].items():
        assert score["recall"] >= 0.90, (kind, score["missed"])


def test_the_labels_file_is_what_the_markers_say():
    run = bench(str(SET), "--extract")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == LABELS.read_text(encoding="utf-8").splitlines()


def test_the_score_counts_misses_false_positives_and_unlabelled_findings(tmp_path):
    """Recall over the secret sites, precision over every finding, one per site."""
    write(tmp_path, {"app.py": """\
        DB_PASSWORD = "Vq8#zL2m!x"
        SMTP_PASSWORD = "secret"
        API_KEY = "changeme"
        TOKEN = "<token>"
        PASSWORD_HINT = "{hint}"
        OTHER_PASSWORD = "Tr0ub4dor&3"
        """})
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(row) for row in [
        {"site": "app.py:1", "label": "secret", "kind": "weak"},
        {"site": "app.py:2", "label": "ok", "kind": "weak", "hand": "secret"},
        {"site": "app.py:3", "label": "secret", "kind": "instruction", "hand": "ok"},
        {"site": "app.py:4", "label": "ok", "kind": "instruction"},
    ]) + "\n", encoding="utf-8")
    result = scores(tmp_path, labels)
    labelled, by_hand = result["as labelled"]["total"], result["after reading by hand"]["total"]
    # As labelled: 2 secrets, 1 found (line 1); 3 findings (1, 2, unlabelled 6).
    assert (labelled["secrets"], labelled["found"], labelled["reported"]) == (2, 1, 3)
    assert labelled["missed"] == ["app.py:3"]
    assert [f.split(":")[1] for f in labelled["false_positives"]] == ["2", "6 (unlabelled)"]
    assert (labelled["recall"], labelled["precision"]) == (0.5, 0.333)
    # By hand, lines 1 and 2 are the secrets and both are found; line 6 is still unlabelled.
    assert (by_hand["secrets"], by_hand["found"], by_hand["reported"]) == (2, 2, 3)
    assert (by_hand["recall"], by_hand["precision"]) == (1.0, 0.667)
    assert result["as labelled"]["kinds"]["instruction"]["missed"] == ["app.py:3"]


def test_a_bad_labels_file_is_one_clear_error(tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"site": "a.py:1", "label": "maybe"}\n', encoding="utf-8")
    run = bench(str(tmp_path), str(labels))
    assert run.returncode != 0
    assert run.stderr.strip().endswith(f"{labels}:1: label and hand are 'secret' or 'ok'")
