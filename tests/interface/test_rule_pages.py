"""The rule pages (rules/LLxxx.md): one per rule, one shape, and examples that do what they say.

Every registry rule needs a page and every page a rule. A page's Example must fire exactly its
rule and its Use instead must not fire it: each fenced block of a section is written to its file
(```` ```python ```` is app.py; ```` ```yaml template.yaml ```` names its file) in one temporary
directory, and the real CLI checks that directory with every implemented rule selected.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Tuple

import pytest

from helpers import BASELINE, REPO, run_cli
from lambdalint import docs, registry
from lambdalint.config import RULE_OPTIONS

PAGES = REPO / "rules"
HEADINGS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix", "Options",
            "References"]
RULE_IDS = [r.id for r in registry.RULES]
# helpers.BASELINE: checklist rules that report what nearly every minimal function leaves unset
# (memory size, tracing, log retention). A page's example is checked with them only on their own
# page, so that every other page need not carry all three to stay on its topic.
# rules/README.md is the contributors' note, not a page.
PAGE_IDS = sorted(p.stem for p in PAGES.glob("LL*.md")) if PAGES.is_dir() else []


@dataclass
class Page:
    title: str
    meta: str
    headings: List[str] = field(default_factory=list)
    sections: Dict[str, str] = field(default_factory=dict)


def parse_page(text: str) -> Page:
    """Title, the line under it, and the ``##`` sections (headings inside code fences are code)."""
    lines = text.splitlines()
    body = [line for line in lines if line.strip()]
    page = Page(title=body[0] if body else "", meta=body[1] if len(body) > 1 else "")
    current: Optional[str] = None
    collected: List[str] = []
    fence: Optional[str] = None
    for line in lines:
        marker = re.match(r"^\s*(`{3,}|~{3,})", line)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif marker.group(1).startswith(fence) and not line.strip()[len(marker.group(1)):].strip():
                fence = None
        heading = re.match(r"^##\s+(.*\S)\s*$", line) if fence is None else None
        if heading:
            if current is not None:
                page.sections[current] = "\n".join(collected)
            current, collected = heading.group(1), []
            page.headings.append(current)
        elif current is not None:
            collected.append(line)
    if current is not None:
        page.sections[current] = "\n".join(collected)
    return page


def code_blocks(section: str) -> List[Tuple[str, str]]:
    """(info string, code) of every fenced block in a section."""
    blocks = []
    pattern = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n(?P<code>.*?)^(?P=fence)\s*$",
                         re.MULTILINE | re.DOTALL)
    for match in pattern.finditer(section):
        blocks.append((match.group("info").strip(), match.group("code")))
    return blocks


def block_files(section: str) -> Dict[str, str]:
    """File name -> text for the blocks of a section; a block must say which file it is."""
    files: Dict[str, str] = {}
    for info, code in code_blocks(section):
        parts = info.split()
        assert parts, "a code block needs a language (```python) or a language and a file name"
        if len(parts) == 1:
            assert parts[0] == "python", (
                f"a ```{parts[0]} block must name its file, e.g. ```{parts[0]} template.yaml")
            name = "app.py"
        else:
            name = parts[1]
        path = PurePosixPath(name)
        assert not path.is_absolute() and ".." not in path.parts, f"bad file name {name!r}"
        assert name not in files, f"two blocks of one section write {name}"
        files[name] = code
    return files


def _implemented(rule: registry.RuleInfo) -> bool:
    if rule.kind == "engine":
        return True
    module = rule.implementation.partition(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _page(rule_id: str) -> Page:
    path = PAGES / f"{rule_id}.md"
    if not path.is_file():
        pytest.fail(f"{rule_id} has no page: write rules/{rule_id}.md")
    return parse_page(path.read_text(encoding="utf-8"))


def _fired(tmp_path: Path, files: Dict[str, str], page: str = "") -> List[str]:
    """Rule ids a run over ``files`` reports, with every implemented rule selected (the
    BASELINE rules only on their own ``page``)."""
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp_path / "lambdalint.toml").write_text("", encoding="utf-8")  # no configuration from above
    selected = ",".join(r.id for r in registry.RULES if _implemented(r)
                        and (r.id not in BASELINE or r.id == page))
    # A page's own configuration is passed with --config: a found one may not turn on --audit.
    own = [name for name in files if name in (".lambdalint.toml", "lambdalint.toml")]
    explicit = ["--config", own[0]] if own else []
    code, out, err = run_cli(["check", "--format", "json", "--select", selected, *explicit, "."],
                             cwd=tmp_path)
    assert code in (0, 1), f"exit {code}: {err}"
    return sorted({f["rule"] for f in json.loads(out)["findings"]})


# -- one page per rule, one rule per page --------------------------------------------------


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_every_page_has_a_rule(page_id):
    assert registry.get(page_id) is not None and registry.get(page_id).id == page_id, (
        f"rules/{page_id}.md describes no rule of lambdalint.registry.RULES")


# (Every rule has a page and its class: tests/interface/test_registry.py.)


# -- the shape of a page -------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_page_shape(rule_id):
    rule = registry.get(rule_id)
    page = _page(rule_id)
    assert page.title == f"# {rule.id} {rule.name}"
    assert page.meta == (f"Severity: {rule.severity.value} · "
                         f"Fixable: {'yes' if rule.fixable else 'no'}")
    assert page.headings == HEADINGS
    for heading in HEADINGS:
        assert page.sections[heading].strip(), f"'## {heading}' is empty"
    assert code_blocks(page.sections["Example"]), "the Example needs a code block"
    assert code_blocks(page.sections["Use instead"]), "Use instead needs a code block"
    assert "https://docs.aws.amazon.com/" in page.sections["References"], "cite AWS documentation"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_page_documents_every_option(rule_id):
    page = _page(rule_id)
    for option in RULE_OPTIONS.get(rule_id, {}):
        assert f"`{option}`" in page.sections["Options"], f"document the option `{option}`"


# -- the examples run ----------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_example_fires_exactly_its_rule(rule_id, tmp_path):
    if not _implemented(registry.get(rule_id)):
        pytest.fail(f"{rule_id} is not implemented, so its Example cannot fire it")
    files = block_files(_page(rule_id).sections["Example"])
    assert _fired(tmp_path, files, rule_id) == [rule_id]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_use_instead_does_not_fire_its_rule(rule_id, tmp_path):
    if not _implemented(registry.get(rule_id)):
        pytest.fail(f"{rule_id} is not implemented")
    files = block_files(_page(rule_id).sections["Use instead"])
    assert rule_id not in _fired(tmp_path, files, rule_id)


@pytest.mark.parametrize("rule_id", [r for r in RULE_IDS if (PAGES / f"{r}.md").is_file()])
def test_explain_prints_the_page(rule_id):
    code, out, _ = run_cli(["explain", rule_id])
    assert code == 0
    assert out == (PAGES / f"{rule_id}.md").read_text(encoding="utf-8").rstrip("\n") + "\n"
    assert docs.page(rule_id) == (PAGES / f"{rule_id}.md").read_text(encoding="utf-8")


# -- the harness itself --------------------------------------------------------------------


def test_parser_reads_headings_blocks_and_file_names():
    text = (
        "# LL999 demo\nSeverity: note · Fixable: no\n\n## What it does\nx\n## Example\n"
        "```python\nprint(1)\n## not a heading\n```\n\n```yaml template.yaml\nA: 1\n```\n"
        "## Use instead\n```hcl main.tf\nlocals {}\n```\n"
    )
    page = parse_page(text)
    assert (page.title, page.meta) == ("# LL999 demo", "Severity: note · Fixable: no")
    assert page.headings == ["What it does", "Example", "Use instead"]
    assert block_files(page.sections["Example"]) == {"app.py": "print(1)\n## not a heading\n",
                                                     "template.yaml": "A: 1\n"}
    assert block_files(page.sections["Use instead"]) == {"main.tf": "locals {}\n"}
    with pytest.raises(AssertionError):
        block_files("```yaml\nA: 1\n```\n")  # a YAML block must name its file
    with pytest.raises(AssertionError):
        block_files("```python ../escape.py\nx\n```\n")


def test_harness_catches_a_wrong_example(tmp_path):
    # A valid file fires nothing: an Example like it would fail test_example_fires_exactly_its_rule.
    assert _fired(tmp_path, {"app.py": "X = 1\n"}) == []
    assert _fired(tmp_path / "b", {"app.py": "def f(:\n"}) == ["LL001"]


# -- the pages ship in the wheel ------------------------------------------------------------

_OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish",
            "Temporary failure in name resolution", "Network is unreachable", "ProxyError",
            "Max retries exceeded")


def test_wheel_ships_the_pages_and_explain_finds_them(tmp_path):
    out = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                           str(REPO)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and any(s in proc.stdout + proc.stderr for s in _OFFLINE):
        pytest.skip("building the wheel needs hatchling from the package index, not reachable")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("lambdalint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for page in PAGES.glob("*.md"):
            member = f"lambdalint/_pages/{page.name}"
            assert member in names, f"{member} is missing from the wheel"
            assert archive.read(member).decode("utf-8") == page.read_text(encoding="utf-8")
        archive.extractall(tmp_path / "site")
    # The installed layout, away from the source tree: docs.py must find lambdalint/_pages.
    code = ("from lambdalint import docs; import sys; "
            "sys.stdout.write(str(docs.pages_dir()) + '\\n' + (docs.page('LL001') or ''))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site")})
    assert shown.returncode == 0, shown.stderr
    where, _, text = shown.stdout.partition("\n")
    assert Path(where) == tmp_path / "site" / "lambdalint" / "_pages"
    assert text == (PAGES / "LL001.md").read_text(encoding="utf-8")
