"""The checklist pages (issue 14) show their rule in every format where it is judged.

test_rule_pages.py runs a page's Example and Use instead as one tree. Here each deployment
config file of the Example (a CloudFormation or SAM template, a serverless.yml, a .tf file, a CDK
app) must carry a finding of the page's rule on its own, no file of the Use instead may carry
one, and the Example must hold a file of every format the page's table judges: a page cannot
claim a format its examples do not show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Dict, FrozenSet, List, Optional

import pytest

from helpers import REPO, run_cli
from test_rule_pages import block_files, parse_page

# The rules of issue 14 ("Example per format"). LL201-LL207 came before it and show the format
# their finding is about; their pages are not held to this yet.
CHECKLIST = [f"LL{n}" for n in range(208, 219)]

# The table's first column names formats; one row may name two ("SAM / CloudFormation"), and then
# one template shows both, since SAM reads what CloudFormation reads.
FORMAT_WORDS = {"sam": "sam", "cloudformation": "cloudformation", "serverless": "serverless",
                "terraform": "terraform", "cdk": "cdk"}
# A row that says so judges nothing in its format (LL208: Serverless' 1024 MB default).
NOT_JUDGED = ("not reported", "not judged")


def judged_formats(what_it_does: str) -> List[FrozenSet[str]]:
    """The formats of the first table whose header starts with ``format``, one set per row
    that judges something; one of a set's formats must be shown."""
    rows: List[FrozenSet[str]] = []
    in_table = False
    for line in what_it_does.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            if in_table:
                break
            continue
        if not in_table:
            in_table = cells[0].lower() == "format"
            continue
        if set(cells[0]) <= set("-: "):
            continue
        words = re.findall(r"[a-z]+", cells[0].lower())
        formats = frozenset(FORMAT_WORDS[w] for w in words if w in FORMAT_WORDS)
        if formats and not any(phrase in line.lower() for phrase in NOT_JUDGED):
            rows.append(formats)
    return rows


def config_format(name: str, files: Dict[str, str]) -> Optional[str]:
    """The deployment format of one file of a section, or None for handler code and the rest."""
    path = PurePosixPath(name)
    text = files[name]
    if path.suffix == ".tf":
        return "terraform"
    if path.stem == "serverless" and path.suffix in (".yml", ".yaml", ".json"):
        return "serverless"
    if path.suffix == ".py":
        cdk_json = str(path.parent / "cdk.json") if str(path.parent) != "." else "cdk.json"
        app = json.loads(files.get(cdk_json, "{}")).get("app", "")
        return "cdk" if path.name in app.split() else None
    if path.suffix in (".yaml", ".yml", ".json") and "Resources" in text:
        return "sam" if "AWS::Serverless-2016-10-31" in text else "cloudformation"
    return None


def _section(rule_id: str, heading: str) -> Dict[str, str]:
    page = parse_page((REPO / "rules" / f"{rule_id}.md").read_text(encoding="utf-8"))
    return block_files(page.sections[heading])


def _findings_by_file(tmp_path: Path, files: Dict[str, str], rule_id: str) -> Dict[str, int]:
    """File name (as in the section) -> how many findings of ``rule_id`` the CLI reports in it."""
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp_path / "lambdalint.toml").write_text("", encoding="utf-8")  # no configuration from above
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "--select", rule_id, "."],
                             cwd=tmp_path)
    assert code in (0, 1), f"exit {code}: {err}"
    counts: Dict[str, int] = {}
    for finding in json.loads(out)["findings"]:
        name = (tmp_path / finding["path"]).resolve().relative_to(tmp_path.resolve()).as_posix()
        counts[name] = counts.get(name, 0) + 1
    return counts


def _carries(name: str, counts: Dict[str, int], files: Dict[str, str]) -> bool:
    """A config file carries a finding in itself, or, for a rule that reports the handler code
    (LL214 on code, LL217), in handler code beside it (its directory or below)."""
    if counts.get(name):
        return True
    home = PurePosixPath(name).parent
    return any(count and config_format(other, files) is None
               and home in PurePosixPath(other).parents for other, count in counts.items())


@pytest.mark.parametrize("rule_id", CHECKLIST)
def test_example_shows_every_judged_format(rule_id):
    page = parse_page((REPO / "rules" / f"{rule_id}.md").read_text(encoding="utf-8"))
    judged = judged_formats(page.sections["What it does"])
    assert judged, f"rules/{rule_id}.md has no table of formats"
    files = _section(rule_id, "Example")
    shown = {config_format(name, files) for name in files} - {None}
    missing = [" / ".join(sorted(row)) for row in judged if not row & shown]
    assert not missing, f"the Example of {rule_id} shows no {', '.join(missing)} file"


@pytest.mark.parametrize("rule_id", CHECKLIST)
def test_every_example_config_carries_the_rule(rule_id, tmp_path):
    files = _section(rule_id, "Example")
    counts = _findings_by_file(tmp_path, files, rule_id)
    configs = [name for name in files if config_format(name, files)]
    silent = [name for name in configs if not _carries(name, counts, files)]
    assert configs and not silent, f"{rule_id} does not fire in {silent} of its Example"


@pytest.mark.parametrize("rule_id", CHECKLIST)
def test_no_use_instead_file_carries_the_rule(rule_id, tmp_path):
    counts = _findings_by_file(tmp_path, _section(rule_id, "Use instead"), rule_id)
    assert not counts, f"{rule_id} fires in its Use instead: {counts}"


# -- the harness itself --------------------------------------------------------------------


def test_table_parser_reads_rows_shared_rows_and_formats_not_judged():
    text = ("Reports x.\n\n| format | where |\n|---|---|\n| SAM / CloudFormation (YAML, JSON) | a |\n"
            "| Serverless | b, default 1024: not reported |\n| Terraform | c |\n| CDK (Python) | d |\n"
            "\n| import | what |\n|---|---|\n| `jwt` | e |\n")
    assert judged_formats(text) == [frozenset({"sam", "cloudformation"}), frozenset({"terraform"}),
                                    frozenset({"cdk"})]


def test_config_format_names_each_format_and_leaves_code_alone():
    files = {"sam/template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
             "cfn/template.json": '{"Resources": {}}', "sls/serverless.yml": "service: x\n",
             "tf/main.tf": "", "cdk/app.py": "", "cdk/cdk.json": '{"app": "python3 app.py"}',
             "sam/src/app.py": "", "app.py": ""}
    assert {n: config_format(n, files) for n in files} == {
        "sam/template.yaml": "sam", "cfn/template.json": "cloudformation",
        "sls/serverless.yml": "serverless", "tf/main.tf": "terraform", "cdk/app.py": "cdk",
        "cdk/cdk.json": None, "sam/src/app.py": None, "app.py": None}
