"""Recall and precision of LL101 and LL204 against a labelled set of credential sites (issue 11).

    python bench/credentials.py DIR LABELS              # the figures, overall and per kind
    python bench/credentials.py DIR LABELS --json       # the same as one JSON object
    python bench/credentials.py --extract DIR > LABELS  # labels from ``# want:`` markers

A *site* is a line that holds one literal a reviewer would judge: ``path:line``, the path
relative to DIR. The labels file has one JSON object per line::

    {"site": "app.py:3", "label": "secret", "kind": "weak"}
    {"site": "app.py:9", "label": "ok", "kind": "not-a-value", "hand": "secret", "note": "..."}

``label`` is what the set's author marked (for a peer's fixtures: the peer's own markers);
``hand``, when present, is a reading by hand that differs from it (a marker about another rule,
a masked value the peer still marks). The figures are given twice when any ``hand`` exists: with
the markers as they are, and after the reading.

The run is lambdalint's own CLI (``--select LL101,LL204``, no cache, an empty configuration, so
nothing from above applies). A finding on a ``secret`` site is a true positive; on an ``ok`` site
or on a line the labels do not name, a false positive (listed, so the labels can be completed).
Recall = found secret sites / secret sites; precision = true positives / all findings, one
finding per site (two rules on one line count once).

``--extract`` reads markers written on the labelled line itself, in the fixture's own comment
syntax (``# want: yes weak``, ``# want: no not-a-value``; ``//`` in JSON is not possible, so JSON
fixtures are labelled by hand). Used for the project's own set, ``bench/credentials/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

SECRET, OK = "secret", "ok"
_MARKER = re.compile(r"(?:#|//)\s*want:\s*(?P<answer>yes|no)\s+(?P<kind>[\w\-]+)")
_SUFFIXES = (".py", ".yaml", ".yml", ".tf", ".json")


@dataclass(frozen=True)
class Label:
    """One labelled site."""

    site: str
    label: str
    kind: str
    hand: Optional[str] = None
    note: str = ""

    def answer(self, by_hand: bool) -> str:
        return self.hand if by_hand and self.hand else self.label


@dataclass
class Score:
    """Counts of one slice (all sites, or one kind)."""

    secrets: int = 0
    found: int = 0  # secret sites with a finding
    reported: int = 0  # sites with a finding, labelled or not
    missed: List[str] = field(default_factory=list)
    false: List[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.secrets if self.secrets else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.reported if self.reported else 1.0

    def as_dict(self) -> dict:
        return {"secrets": self.secrets, "found": self.found, "reported": self.reported,
                "recall": round(self.recall, 3), "precision": round(self.precision, 3),
                "missed": self.missed, "false_positives": self.false}


def read_labels(path: Path) -> List[Label]:
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in (SECRET, OK) or row.get("hand") not in (None, SECRET, OK):
            raise SystemExit(f"{path}:{number}: label and hand are 'secret' or 'ok'")
        labels.append(Label(row["site"], row["label"], row.get("kind", "other"),
                            row.get("hand"), row.get("note", "")))
    sites = [label.site for label in labels]
    if len(set(sites)) != len(sites):
        raise SystemExit(f"{path}: a site is labelled twice")
    return labels


def extract(directory: Path) -> Iterable[dict]:
    """The labels written as ``# want: yes|no KIND`` markers in the fixtures under DIR."""
    for path in sorted(p for p in directory.rglob("*") if p.suffix in _SUFFIXES):
        rel = path.relative_to(directory).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _MARKER.search(line)
            if match:
                yield {"site": f"{rel}:{number}",
                       "label": SECRET if match.group("answer") == "yes" else OK,
                       "kind": match.group("kind")}


def findings(directory: Path) -> Dict[str, List[str]]:
    """``path:line`` -> the messages LL101 and LL204 give there, from the real CLI."""
    with tempfile.TemporaryDirectory(prefix="credentials-bench-") as scratch:
        config = Path(scratch) / "lambdalint.toml"
        config.write_text("", encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "lambdalint", "check", "--no-cache", "--jobs", "1",
             "--select", "LL101,LL204", "--format", "json", "--exit-zero",
             "--config", str(config), "."],
            cwd=directory, capture_output=True, text=True, env={**os.environ})
    if run.returncode != 0:
        raise SystemExit(f"lambdalint failed ({run.returncode}): {run.stderr.strip()}")
    found: Dict[str, List[str]] = defaultdict(list)
    for finding in json.loads(run.stdout)["findings"]:
        found[f"{finding['path']}:{finding['line']}"].append(
            f"{finding['rule']} {finding['message']}")
    return found


def score(labels: List[Label], found: Dict[str, List[str]],
          by_hand: bool) -> Tuple[Score, Dict[str, Score]]:
    """The overall score and one per kind; unlabelled findings count against precision."""
    total = Score()
    per_kind: Dict[str, Score] = defaultdict(Score)
    labelled: Set[str] = set()
    for label in labels:
        labelled.add(label.site)
        secret = label.answer(by_hand) == SECRET
        hit = label.site in found
        for slice_ in (total, per_kind[label.kind]):
            slice_.secrets += secret
            slice_.found += secret and hit
            slice_.reported += hit
            if secret and not hit:
                slice_.missed.append(label.site)
            if hit and not secret:
                slice_.false.append(f"{label.site}: {found[label.site][0]}")
    for site in sorted(set(found) - labelled):
        total.reported += 1
        total.false.append(f"{site} (unlabelled): {found[site][0]}")
    return total, dict(sorted(per_kind.items()))


def report(name: str, total: Score, per_kind: Dict[str, Score]) -> List[str]:
    lines = [f"{name}: recall {total.recall:.3f} ({total.found}/{total.secrets}), "
             f"precision {total.precision:.3f} ({total.found}/{total.reported})"]
    for kind, slice_ in per_kind.items():
        lines.append(f"  {kind:<16} recall {slice_.recall:.3f} ({slice_.found}/{slice_.secrets})"
                     f"  precision {slice_.precision:.3f} ({slice_.found}/{slice_.reported})")
    lines += [f"  missed: {site}" for site in total.missed]
    lines += [f"  false positive: {text}" for text in total.false]
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("labels", type=Path, nargs="?")
    parser.add_argument("--extract", action="store_true",
                        help="print the labels written as '# want:' markers under DIRECTORY")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    if args.extract:
        for row in extract(directory):
            print(json.dumps(row))
        return 0
    if args.labels is None:
        parser.error("LABELS is required unless --extract")
    labels = read_labels(args.labels)
    found = findings(directory)
    readings = [("as labelled", False)]
    if any(label.hand for label in labels):
        readings.append(("after reading by hand", True))
    result = {}
    for name, by_hand in readings:
        total, per_kind = score(labels, found, by_hand)
        result[name] = {"total": total.as_dict(),
                        "kinds": {k: v.as_dict() for k, v in per_kind.items()}}
        if not args.json:
            print("\n".join(report(name, total, per_kind)))
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
