"""LL302 bundled-junk: tests, virtual environments, caches, notebooks, data, dev tools and the
AWS SDK in a deployment package.

What ships is worked out by ``lambdalint.packages.ship`` (each format's rules in its dialect);
this rule judges it once per package and says how the function's format leaves things out.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from lambdalint.dialects import dialect_of
from lambdalint.discovery import display_path
from lambdalint.vendored import vendored_names
from lambdalint.findings import Finding, Severity
from lambdalint.model import Function, Project
from lambdalint.packages import ship
from lambdalint.packages.sizes import canonical
from lambdalint.rules._requirements import (FileSuppressions, grouped, not_read_notes,
                                            requirement_finding, requirements_by_function)
from lambdalint.rules._wording import names
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL302",
    name="bundled-junk",
    severity="warning",
    summary="A deployment ships tests, virtual environments, caches, dev tools or the AWS SDK.",
    kind="config",
    options=(
        Option("large-file-mb", "int", 10,
               "data files at least this big count as bundled junk"),
        Option("extra-dev-packages", "list", [],
               "more development-only package names"),
    ),
    tags=("performance", "maintainability"),
    reports=(
        "tests, virtualenvs, `.git`, caches, notebooks, big data files in the package; dev tools "
        "in requirements; boto3 bundled (note)"
    ),
    covers=("", "yes", "yes", "yes", "yes"),
)


DEV_TOOLS = {
    "pytest", "moto", "black", "mypy", "ruff", "flake8", "pylint", "isort", "coverage", "tox",
    "nox", "pre-commit", "ipython", "ipdb", "jupyter", "jupyterlab", "notebook", "ipykernel",
    "hypothesis", "freezegun", "localstack", "aws-sam-cli", "boto3-stubs", "bandit", "pip-audit",
    "safety", "sphinx", "mkdocs", "twine", "debugpy", "pyright", "autopep8", "yapf", "pydocstyle",
    "pycodestyle", "codespell", "pytest-cov", "pytest-mock",
}
DEV_PREFIXES = ("pytest-", "mypy-boto3-", "types-", "flake8-", "sphinx-", "mkdocs-")
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")

JUNK_DIRS = {
    ".git": "version control", ".hg": "version control", ".svn": "version control",
    ".venv": "virtual environment", "venv": "virtual environment",
    "node_modules": "node_modules",
    ".pytest_cache": "cache", ".mypy_cache": "cache", ".ruff_cache": "cache", ".tox": "cache",
    ".nox": "cache", ".hypothesis": "cache", "htmlcov": "cache", ".ipynb_checkpoints": "cache",
    ".cache": "cache",
    "tests": "tests", "test": "tests", "__tests__": "tests",
    ".aws-sam": "build output", ".serverless": "build output", "cdk.out": "build output",
    ".terraform": "build output", ".terragrunt-cache": "build output",
}
TEST_FILES = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py)$")
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", ".xlsx", ".xls",
                 ".sqlite", ".sqlite3", ".db", ".pkl", ".pickle", ".h5", ".hdf5", ".npy", ".npz",
                 ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".log", ".mp4", ".mov",
                 ".wav", ".mp3", ".feather", ".avro", ".orc", ".dump", ".sql", ".bak")



def _dir_sizes(files: List[Tuple[str, int]]) -> Dict[str, int]:
    sizes: Dict[str, int] = {}
    for rel, size in files:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            sizes[key] = sizes.get(key, 0) + size
    return sizes


def find_junk(function: Function, package: ship.Package, large_file: int) -> List[Tuple[str, str, int]]:
    """(path as shipped, why, bytes) of everything in the package that does not belong there."""
    root = package.root if package.kind == "directory" else None
    python = ship.is_python(function)
    vendored: Set[str] = set()
    if root is not None and root.is_dir():
        try:
            entries = os.listdir(root)
        except OSError:
            entries = []
        vendored = vendored_names(root, entries) or set()
        if "pyvenv.cfg" in entries:
            return []  # the code directory is itself a virtual environment: nothing to say
    if package.kind == "directory":
        dirs = list(package.directories)
    else:
        dirs = sorted({"/".join(rel.split("/")[:depth]) for rel, _ in package.files
                       for depth in range(1, rel.count("/") + 1)})
    sizes = _dir_sizes(package.files)
    found: List[Tuple[str, str, int]] = []
    flagged: List[str] = []

    def inside(rel: str) -> bool:
        head = rel.split("/", 1)[0]
        return head in vendored or "site-packages" in rel.split("/") or any(
            rel == f or rel.startswith(f + "/") for f in flagged)

    for rel in sorted(dirs):
        if inside(rel):
            continue
        name = rel.rsplit("/", 1)[-1]
        why = JUNK_DIRS.get(name)
        if why is None and root is not None and (root / rel / "pyvenv.cfg").is_file():
            why = "virtual environment"
        if why == "node_modules":
            if not python or (root is not None
                              and dialect_of(function).node_modules_ship(root) is False):
                continue
        if why == "tests" and rel.count("/") > 1:
            continue  # deep "test" packages are more often part of a library than the user's tests
        if why is None:
            continue
        flagged.append(rel)
        found.append((rel + "/", why, sizes.get(rel, 0)))
    for rel, size in package.files:
        if inside(rel):
            continue
        name = rel.rsplit("/", 1)[-1]
        lower = name.lower()
        if lower.endswith(".ipynb"):
            found.append((rel, "notebook", size))
        elif python and TEST_FILES.match(name):
            found.append((rel, "tests", size))
        elif lower.endswith(DATA_SUFFIXES) and size >= large_file:
            found.append((rel, "large data file", size))
    return found


class BundledJunk(ConfigRule):
    """Tests, virtual environments, caches, dev tools and the AWS SDK in a deployment package."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        large_file = int(self.options.get("large-file-mb", 10)) * ship.MB
        extra = {canonical(n) for n in self.options.get("extra-dev-packages", [])}
        cache: Dict[tuple, Optional[ship.Package]] = {}
        measured = ship.packages(project)
        tree = ship.tree_of(project)
        for key, functions in grouped(project):
            first = functions[0]
            source_key = (first.path, first.code.kind, first.code.path, tuple(first.code.includes),
                          tuple(first.code.excludes))
            if source_key not in cache:
                package = measured.get(key)
                # The measured package is the sources unless a build replaced them.
                reuse = package is not None and (package.kind in ("directory", "file")
                                                 or package.artifact == package.root)
                cache[source_key] = package if reuse else ship.sources(first, tree)
            package = cache[source_key]
            if package is None or package.error:
                continue
            if package.kind in ("directory", "file") and ship.build_step(first):
                # A build (esbuild, Maven, a makefile...) writes the package: what lies beside
                # the code does not ship. Only its artifact, when built, can be judged.
                package = measured.get(key)
                if package is None or package.error or package.kind not in ("build", "zip"):
                    continue
            junk = find_junk(first, package, large_file)
            if not junk:
                continue
            junk.sort(key=lambda j: (-j[2], j[0]))
            shown = ", ".join(f"{path} ({why}, {ship.mb(size)})" for path, why, size in junk[:6])
            more = f" and {len(junk) - 6} more" if len(junk) > 6 else ""
            who = names(functions)
            subject = f"the package of {who}" if len(functions) > 1 else f"{who}'s package"
            total = sum(size for _, _, size in junk)
            yield self.finding(
                first, first.path, first.line, first.column,
                f"{subject} ships what does not belong in a deployment ({ship.mb(total)}): "
                f"{shown}{more}",
                dialect_of(first).exclude_advice(first, [path for path, _, _ in junk[:12]]))
        for key, functions in grouped(project):
            first = functions[0]
            package = measured.get(key)
            if package is not None and package.kind == "directory" and ship.is_python(first):
                yield self._vendored_sdk(first, functions, package)
        yield from self._requirements(project, extra)
        yield from not_read_notes(project)

    def _vendored_sdk(self, first: Function, functions: List[Function],
                      package: ship.Package) -> Optional[Finding]:
        """boto3/botocore installed into the code directory (``pip install -t``) on purpose."""
        assert package.root is not None
        named = {r.key for r in package.requirements.items}
        vendored = [n for n in RUNTIME_PROVIDED
                    if n in ship._installed(package.root) and n not in named]
        if not vendored:
            return None
        size = sum(s for rel, s in package.files if rel.split("/", 1)[0] in vendored)
        who = names(functions)
        return self.finding(
            first, first.path, first.line, first.column,
            f"{who} ships {', '.join(vendored)} installed into "
            f"{display_path(package.root)}/ ({ship.mb(size)}) although the Python runtime provides "
            "boto3, botocore and s3transfer",
            "Delete them from the code directory and use the runtime's copy, unless the code "
            "needs an API newer than the runtime's; then pin them in requirements.txt so the "
            "choice is visible, and silence this note on the function's first line.",
            severity=Severity.NOTE)

    def _requirements(self, project: Project, extra: Set[str]) -> Iterator[Optional[Finding]]:
        seen: Set[Tuple[Path, int]] = set()
        suppressed = FileSuppressions()
        for function, reqs in requirements_by_function(project):
            pyproject = reqs.source is not None and reqs.source.name == "pyproject.toml"
            for req in reqs.items:
                if req.local or (req.path, req.line) in seen:
                    continue
                if suppressed(req.path, self.ID, req.line):
                    continue
                key = req.key
                dev = key in DEV_TOOLS or key in extra or key.startswith(DEV_PREFIXES)
                if dev:
                    seen.add((req.path, req.line))
                    where = ("[project.optional-dependencies] dev or a [dependency-groups] dev group"
                             if pyproject else "a requirements-dev.txt that CI installs")
                    yield requirement_finding(
                        self, function, req,
                        f"{req.name} is a development tool, but {display_path(req.path)} is what "
                        f"the deployment of {function.name} installs, so it ships with the function",
                        f"Move {req.name} to {where}; keep only what the handler imports at "
                        "runtime in the deployment requirements.")
                elif key in RUNTIME_PROVIDED:
                    seen.add((req.path, req.line))
                    yield requirement_finding(
                        self, function, req,
                        f"{req.name} is bundled into {function.name} although the Python runtime "
                        "provides boto3, botocore and s3transfer; bundling them adds about 22 MB "
                        "unzipped and slows every cold start",
                        f"Remove {req.name} from the deployment requirements and use the runtime's "
                        "copy. Pinning it on purpose is legitimate when the code needs an API newer "
                        "than the runtime's (which lags the latest release) or wants the version "
                        "frozen: then keep it and silence this note with "
                        "`# lambdalint: ignore[LL302]` on this line.",
                        severity=Severity.NOTE)


Rule = BundledJunk
