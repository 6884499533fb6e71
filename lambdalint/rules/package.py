"""LL301 package-size, LL302 bundled-junk, LL304 unpinned-dependency: what a deployment ships.

The package of each function is worked out once per run (``lambdalint.packages.ship``); these
rules only judge it. Functions that ship the same package (one Serverless service zip, two SAM
functions on one CodeUri) get one finding, at the first of them, naming the others.

What was not read (a code path or ``-r`` include outside the checked tree, an oversized
requirements file) is an LL001 note (``lambdalint.confine.note``) yielded by LL301, LL302 and
LL304 alike; the engine keeps one of the identical findings, so it shows once whichever is on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from lambdalint import confine, suppressions
from lambdalint.discovery import display_path, vendored_names
from lambdalint.findings import Finding, Severity
from lambdalint.model import CDK, CLOUDFORMATION, SAM, SERVERLESS, TERRAFORM, Function, Project
from lambdalint.packages import ship
from lambdalint.packages.requirements import MAX_BYTES as MAX_REQUIREMENTS_BYTES
from lambdalint.packages.requirements import NotRead, Requirement, Requirements
from lambdalint.packages.sizes import canonical
from lambdalint.rules.base import ConfigRule

UNZIPPED_LIMIT = 262_144_000  # 250 MB: the function and all its layers, unzipped
ZIPPED_LIMIT = 52_428_800  # 50 MB: a zip uploaded directly (not through S3)
MAX_LAYERS = 5
DEFAULT_BUDGET_MB = 50

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


def _names(functions: List[Function]) -> str:
    shown = ", ".join(f.name for f in functions[:3])
    more = len(functions) - 3
    return shown + (f" and {more} more" if more > 0 else "")


def _grouped(project: Project) -> List[Tuple[tuple, List[Function]]]:
    groups: Dict[tuple, List[Function]] = {}
    for function in project.functions:
        groups.setdefault(ship.package_key(function), []).append(function)
    return [(key, sorted(fs, key=lambda f: (f.path, f.line))) for key, fs in groups.items()]


class _FileSuppressions:
    """Suppression comments of the requirement files: the engine reads only discovered files."""

    def __init__(self) -> None:
        self._parsed: Dict[Path, suppressions.FileSuppressions] = {}

    def __call__(self, path: Path, rule_id: str, line: int) -> bool:
        if path not in self._parsed:
            try:
                text = confine.read_text(path, MAX_REQUIREMENTS_BYTES)
            except OSError:
                text = ""
            self._parsed[path] = suppressions.parse(text)
        return self._parsed[path].suppresses(rule_id, line)


def requirement_finding(rule: ConfigRule, function: Function, req: Requirement, message: str,
                        suggestion: str, severity: Optional[Severity] = None) -> Optional[Finding]:
    return rule.finding(function, display_path(req.path), req.line, req.column, message,
                        suggestion, req.line, req.end_column, severity)


def _requirements_by_function(project: Project) -> List[Tuple[Function, Requirements]]:
    out = []
    for function in sorted(project.functions, key=lambda f: (f.path, f.line)):
        reqs = ship.requirements_for(project, function)
        if reqs.items:
            out.append((function, reqs))
    return out


def not_read_notes(project: Project) -> Iterator[Finding]:
    """LL001 notes for every path a package or its requirements named but lambdalint did not
    read (outside the checked tree, too large, not a regular file)."""
    tree = ship.tree_of(project)
    found: List[NotRead] = []
    for function in sorted(project.functions, key=lambda f: (f.path, f.line)):
        found += ship.outside_notes(function, tree)
        found += ship.requirements_for(project, function).not_read
    seen: Set[Tuple[str, int, str]] = set()
    for item in found:
        key = (str(item.path), item.line, item.message)
        if key not in seen:
            seen.add(key)
            yield confine.note(display_path(item.path), item.line, item.column, item.message)


# -- LL301 ---------------------------------------------------------------------------------------


def _shrink_advice(function: Function) -> str:
    fmt = function.format
    image = {
        SAM: "PackageType: Image",
        CLOUDFORMATION: "PackageType: Image",
        SERVERLESS: "the function's image, built from provider.ecr.images",
        TERRAFORM: 'package_type = "Image"',
        CDK: "lambda_.DockerImageFunction",
    }.get(fmt, "a container image")
    return (f"Cut the largest contributors: drop libraries the handler does not import, split "
            f"rarely used heavy code into its own function, or ship a container image ({image}), "
            "which may be up to 10 GB.")


class PackageSize(ConfigRule):
    """A package over Lambda's hard limits fails to deploy; one over the budget starts slowly."""

    ID = "LL301"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        budget_mb = self.options.get("budget-mb", DEFAULT_BUDGET_MB)
        budget = int(budget_mb) * ship.MB if budget_mb and budget_mb > 0 else 0
        packages = ship.packages(project)
        yield from not_read_notes(project)
        for key, functions in _grouped(project):
            package = packages.get(key)
            first = functions[0]
            if package is not None and package.error is None and package.kind != "outside":
                if package.kind in ("directory", "file") and ship.build_step(first):
                    continue  # the sources, not what the build ships: nothing to measure
                finding = self._size(first, functions, package, budget)
                if finding is not None:
                    yield finding
        for function in project.functions:
            if len(function.layers) > MAX_LAYERS:
                extra = function.layers[MAX_LAYERS]
                yield self.finding(
                    function, extra.path, extra.line, extra.column,
                    f"{function.name} uses {len(function.layers)} layers; Lambda allows at most "
                    f"{MAX_LAYERS} per function, so the deployment fails",
                    "Merge layers that always go together into one, or move their contents into "
                    "the function's package or a container image.")

    def _size(self, first: Function, functions: List[Function], package: ship.Package,
              budget: int) -> Optional[Finding]:
        total = package.total
        where = self._where(package)
        parts = []
        for contributor in package.contributors()[:4]:
            parts.append(f"{contributor.label} {ship.mb(contributor.bytes)}")
        largest = "; largest: " + ", ".join(parts) if parts else ""
        notes = []
        if package.estimated:
            source = package.requirements.source
            notes.append(f"{ship.mb(package.estimated_bytes)} of it estimated: "
                         f"{source.name if source else 'the requirements'} is not installed here")
        if package.unknown_dependencies:
            count = len(package.unknown_dependencies)
            notes.append(f"{count} more dependenc{'y' if count == 1 else 'ies'} of unknown size "
                         "not counted")
        if package.truncated:
            notes.append(f"at least: only the first {ship.MAX_FILES:,} files were counted")
        layers = max(len(f.layers) for f in functions)
        if layers:
            notes.append(f"plus {layers} layer{'s' if layers != 1 else ''} not measured")
        note = f" ({'; '.join(notes)})" if notes else ""
        who = _names(functions)
        subject = f"the package of {who}" if len(functions) > 1 else f"{who}'s package"
        direct = (first.format == TERRAFORM and package.kind == "zip"
                  and package.zipped_bytes is not None and package.zipped_bytes > ZIPPED_LIMIT)
        if total > UNZIPPED_LIMIT:
            return self.finding(
                first, first.path, first.line, 1,
                f"{subject} is {ship.mb(total)} unzipped{where}{note}, over Lambda's 250 MB limit "
                f"for a function and its layers together{largest}",
                _shrink_advice(first))
        if direct:
            return self.finding(
                first, first.path, first.line, 1,
                f"{subject} is {ship.mb(package.zipped_bytes)} zipped ({display_path(package.artifact)}), "
                "over the 50 MB Lambda accepts for a zip uploaded directly with `filename`"
                f"{largest}",
                "Upload the zip to S3 and point the function at it (s3_bucket and s3_key; the "
                "50 MB limit does not apply there), or shrink it. " + _shrink_advice(first))
        if budget and total > budget:
            return self.finding(
                first, first.path, first.line, 1,
                f"{subject} is {ship.mb(total)} unzipped{where}{note}, over the "
                f"{ship.mb(budget)} budget for fast cold starts{largest}",
                "Lambda downloads, unpacks and imports all of it on every cold start. "
                + _shrink_advice(first)
                + f" If the size is intended, raise the budget: [tool.lambdalint.rules.LL301] "
                  f"budget-mb = {int(total / ship.MB) + 1}",
                severity=Severity.WARNING)
        return None

    @staticmethod
    def _where(package: ship.Package) -> str:
        if package.kind == "zip" and package.artifact is not None:
            return f" as declared in {display_path(package.artifact)}"
        if package.kind == "build" and package.artifact is not None:
            return f" as built in {display_path(package.artifact)}"
        return ""


# -- LL302 ---------------------------------------------------------------------------------------


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
            names = os.listdir(root)
        except OSError:
            names = []
        vendored = vendored_names(root, names) or set()
        if "pyvenv.cfg" in names:
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
            if not python or (function.format == SERVERLESS and root is not None
                              and not ship.node_dependencies_ship(root)):
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


def _patterns_for(function: Function, entries: List[str]) -> str:
    fmt = function.format
    if fmt == SERVERLESS:
        lines = "\n".join(f"    - '!{e.rstrip('/')}{'/**' if e.endswith('/') else ''}'"
                          for e in entries)
        return f"Leave them out with package.patterns in serverless.yml:\npackage:\n  patterns:\n{lines}"
    if fmt == CDK:
        items = ", ".join(f'"{e.rstrip("/")}"' for e in entries)
        return f"Leave them out of the asset: Code.from_asset(..., exclude=[{items}])"
    if fmt == TERRAFORM:
        if function.code.kind == "zip":
            return "Rebuild the zip without them (the build script that writes it decides)."
        items = ", ".join(f'"{e.rstrip("/")}"' for e in entries)
        return f"Leave them out of the archive_file: excludes = [{items}]"
    if fmt == SAM:
        where = display_path(Path(function.code.path)) if function.code.path else "CodeUri"
        return (f"SAM ships the whole CodeUri ({where}/; sam build drops only .git, virtual "
                "environments and caches). Move these out of it (keep tests and data next to the "
                "function's code directory, not in it) and point CodeUri at a directory that holds "
                "only the code, or build it yourself: Metadata: BuildMethod: makefile, with a "
                f"build-{function.name} target that copies only what the function needs into "
                "$(ARTIFACTS_DIR).")
    if fmt == CLOUDFORMATION:
        return ("`aws cloudformation package` zips the whole directory: point Code at a directory "
                "that holds only the function's code.")
    return "Leave them out of the package."


class BundledJunk(ConfigRule):
    """Tests, virtual environments, caches, dev tools and the AWS SDK in a deployment package."""

    ID = "LL302"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        large_file = int(self.options.get("large-file-mb", 10)) * ship.MB
        extra = {canonical(n) for n in self.options.get("extra-dev-packages", [])}
        cache: Dict[tuple, Optional[ship.Package]] = {}
        measured = ship.packages(project)
        tree = ship.tree_of(project)
        for key, functions in _grouped(project):
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
            who = _names(functions)
            subject = f"the package of {who}" if len(functions) > 1 else f"{who}'s package"
            total = sum(size for _, _, size in junk)
            yield self.finding(
                first, first.path, first.line, 1,
                f"{subject} ships what does not belong in a deployment ({ship.mb(total)}): "
                f"{shown}{more}",
                _patterns_for(first, [path for path, _, _ in junk[:12]]))
        for key, functions in _grouped(project):
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
        who = _names(functions)
        return self.finding(
            first, first.path, first.line, 1,
            f"{who} ships {', '.join(vendored)} installed into "
            f"{display_path(package.root)}/ ({ship.mb(size)}) although the Python runtime provides "
            "boto3, botocore and s3transfer",
            "Delete them from the code directory and use the runtime's copy, unless the code "
            "needs an API newer than the runtime's; then pin them in requirements.txt so the "
            "choice is visible, and silence this note on the function's first line.",
            severity=Severity.NOTE)

    def _requirements(self, project: Project, extra: Set[str]) -> Iterator[Optional[Finding]]:
        seen: Set[Tuple[Path, int]] = set()
        suppressed = _FileSuppressions()
        for function, reqs in _requirements_by_function(project):
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


# -- LL304 ---------------------------------------------------------------------------------------


class UnpinnedDependency(ConfigRule):
    """A requirement without an exact version: each build may install something else."""

    ID = "LL304"

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        seen: Set[Tuple[Path, int]] = set()
        suppressed = _FileSuppressions()
        yield from not_read_notes(project)
        for function, reqs in _requirements_by_function(project):
            for req in reqs.items:
                if req.local or reqs.is_pinned(req) or (req.path, req.line) in seen:
                    continue
                seen.add((req.path, req.line))
                if suppressed(req.path, self.ID, req.line):
                    continue
                written = req.text if req.specifier or req.url else req.name
                how = ("no version" if not req.specifier and not req.url
                       else f"only a range ({req.specifier})" if req.specifier
                       else "a URL that names no exact release or commit")
                pin = f"{req.name}==<the version you tested>"
                yield requirement_finding(
                    self, function, req,
                    f"{written} has {how}: every build of {function.name} may install a different "
                    "release, and an audit (LL303) cannot check it",
                    f"Pin it: {pin}. Generate exact pins with `pip-compile`, `uv pip compile` or "
                    "`pip freeze` from the environment you test, and update them on purpose.")
