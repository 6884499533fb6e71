"""Functions of the project's own modules that create an SDK client or a database connection on
every call: what LL102 needs to report ``db.get_conn()`` in a handler file that never names
``psycopg2`` itself.

Code rules run per file (in worker processes), so the engine works this out once per run, with
``ast`` only: for each Python file it looks at the modules the file imports, keeps those that are
files of the same code tree (the function's code directory, or the handler's directory and the
packages above it; never outside the tree the run checks), and summarises each of them: which
top-level functions create a client each time they are called, directly or through another
function of that module, and from which of their parameters. A function that caches what it
makes (``functools.lru_cache``, a module global, ``if _client is None``) is left out. The result
for one file is a tuple of ``ClientSite`` (plain values: it crosses processes and is part of the
file's cache key, so editing a helper module alone re-checks the files that import it).

What a module makes is worked out in ``client_summary``; this module finds the modules. Nothing
here imports or runs the user's code.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from lambdalint.analysis.client_summary import (EMPTY, Made, ModuleSummary, decode_summary,
                                                encode_summary, summarise)
from lambdalint.analysis.client_kinds import CONSTRUCTORS, Kind, root


@dataclass(frozen=True)
class ClientSite:
    """A call the handler file may make (``callee``, as LibCST qualifies it there: ``db.get_conn``,
    ``.db.get_conn``) of a local function that creates a client each time it runs."""

    callee: str
    helper: str  # the function, and the chain inside its module: "get_conn" / "get_conn -> _open"
    constructor: str  # qualified: "psycopg2.connect"
    path: str  # the helper module, as the run displays paths
    line: int  # of the constructor call in the helper module
    # (position, name) of the helper's parameters the client is built from: what the call site
    # passes there must be the same in every invocation for the finding to hold.
    params: Tuple[Tuple[int, str], ...] = ()


ClientSites = Tuple[ClientSite, ...]


# -- which modules a file imports, resolved in its code tree ------------------------------------

_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b|import[ \t]+([\w., \t]+))",
                     re.M)


def _inside(path: Path, trees: Sequence[Path]) -> bool:
    return any(path == tree or tree in path.parents for tree in trees)


class Resolver:
    """Module files of the checked trees by import, and their summaries, for one run."""

    def __init__(self, trees: Sequence[Path], constructors: Mapping[str, Kind],
                 cwd: Optional[Path] = None,
                 memo: Optional[Callable[[str, Callable[[], ModuleSummary]], ModuleSummary]]
                 = None) -> None:
        self.trees = [Path(os.path.realpath(t)) for t in trees]
        self.constructors = constructors
        # A module that spells none of these makes no client: not worth an ``ast`` parse.
        self.words = frozenset(root(name) for name in constructors) - {""}
        self.cwd = cwd or Path.cwd()
        self.memo = memo  # (text, compute) -> the summary, through the run's cache
        self._dirs: Dict[Path, bool] = {}
        self._entries: Dict[Path, frozenset] = {}
        self._files: Dict[Path, Optional[Path]] = {}
        self._summaries: Dict[Path, ModuleSummary] = {}

    def module_file(self, base: Path) -> Optional[Path]:
        """``base.py`` or ``base/__init__.py``, when it is a file inside a checked tree."""
        if base not in self._files:
            found = None
            names = self.entries(base.parent)
            if base.name + ".py" not in names and base.name not in names:
                self._files[base] = None  # most imports: a module installed, not a local one
                return None
            for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
                if candidate.is_file():
                    real = Path(os.path.realpath(candidate))
                    if _inside(real, self.trees):
                        found = real
                    break
            self._files[base] = found
        return self._files[base]

    def entries(self, directory: Path) -> frozenset:
        """The names in ``directory``, listed once: one listing answers every import of every
        file there, where a ``stat`` per candidate would not."""
        if directory not in self._entries:
            try:
                with os.scandir(directory) as scan:
                    self._entries[directory] = frozenset(e.name for e in scan)
            except OSError:
                self._entries[directory] = frozenset()
        return self._entries[directory]

    def summary(self, path: Path) -> ModuleSummary:
        if path not in self._summaries:
            self._summaries[path] = EMPTY
            from lambdalint import files

            data = files.read_bytes(path)
            if isinstance(data, bytes):
                text = data.decode("utf-8", "replace")
                # A package's __init__ may re-export another module's function.
                if "import" in text and (path.name == "__init__.py" or
                                         any(word in text for word in self.words)):
                    compute = lambda: summarise(text, self.constructors)  # noqa: E731
                    self._summaries[path] = compute() if self.memo is None else \
                        self.memo(text, compute)
        return self._summaries[path]

    def base(self, level: int, module: str, file: Path, roots: Sequence[Path]) -> List[Path]:
        """Where ``module`` (``level`` dots before it) may be, imported from ``file``."""
        parts = [p for p in module.split(".") if p]
        if level:
            start = file.parent
            for _ in range(level - 1):
                start = start.parent
            return [start.joinpath(*parts)] if _inside(start, self.trees) else []
        return [r.joinpath(*parts) for r in roots if parts]

    def resolve(self, level: int, module: str, file: Path, roots: Sequence[Path]
                ) -> Optional[Path]:
        for base in self.base(level, module, file, roots):
            found = self.module_file(base)
            if found is not None:
                return found
        return None

    def made(self, level: int, module: str, name: str, file: Path, roots: Sequence[Path],
             depth: int = 0) -> Optional[Tuple[Made, Path]]:
        """What ``name`` of that module makes, following a re-export or two."""
        path = self.resolve(level, module, file, roots)
        if path is None or depth > 2:
            return None
        summary = self.summary(path)
        if name in summary.made:
            return summary.made[name], path
        if name in summary.reexports:
            inner_level, inner_module, inner_name = summary.reexports[name]
            return self.made(inner_level, inner_module, inner_name, path, roots, depth + 1)
        return None

    def display(self, path: Path) -> str:
        from lambdalint.discovery import display_path

        return display_path(path, self.cwd)

    def sites(self, file: Path, text: str, roots: Sequence[Path]) -> ClientSites:
        """The client-making local functions ``file`` (its ``text``) can call, by the name it
        calls them with."""
        if "import" not in text:
            return ()
        specs: List[Tuple[int, str]] = []
        for match in _IMPORT.finditer(text):
            if match.group(1) is not None:
                dotted = match.group(1)
                specs.append((len(dotted) - len(dotted.lstrip(".")), dotted.lstrip(".")))
            else:
                specs.extend((0, m.strip().split()[0]) for m in match.group(2).split(",")
                             if m.strip())
        # Cheap first: an import of a local module that makes a client, or of a package (whose
        # submodules the import names).
        if not any(self._promising(level, module, file, roots) for level, module in specs):
            return ()
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return ()
        found: Dict[str, ClientSite] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._module_sites(0, alias.name, alias.name, file, roots, found)
            elif isinstance(node, ast.ImportFrom):
                prefix = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    spelled = f"{prefix}.{alias.name}" if node.module else prefix + alias.name
                    hit = self.made(node.level, node.module or "", alias.name, file, roots)
                    if hit is not None:
                        self._add(found, spelled, hit[0], hit[1])
                    sub = f"{node.module}.{alias.name}" if node.module else alias.name
                    self._module_sites(node.level, sub, spelled, file, roots, found)
        return tuple(found[k] for k in sorted(found))

    def _promising(self, level: int, module: str, file: Path, roots: Sequence[Path]) -> bool:
        for base in self.base(level, module, file, roots):
            found = self.module_file(base)
            if found is not None:
                summary = self.summary(found)
                if summary.made or found.name == "__init__.py":
                    return True
            elif self._is_package(base):
                return True
        return False

    def _is_package(self, base: Path) -> bool:
        if base not in self._dirs:
            self._dirs[base] = base.name in self.entries(base.parent) and base.is_dir() and _inside(Path(os.path.realpath(base)), self.trees)
        return self._dirs[base]

    def _module_sites(self, level: int, module: str, spelled: str, file: Path,
                      roots: Sequence[Path], found: Dict[str, ClientSite]) -> None:
        """Every client-making function of the module ``spelled`` names, as ``spelled.f``."""
        path = self.resolve(level, module, file, roots)
        if path is None:
            return
        summary = self.summary(path)
        for name, made in summary.made.items():
            self._add(found, f"{spelled}.{name}", made, path)
        for name in summary.reexports:
            hit = self.made(level, module, name, file, roots)
            if hit is not None:
                self._add(found, f"{spelled}.{name}", hit[0], hit[1])

    def _add(self, found: Dict[str, ClientSite], callee: str, made: Made, path: Path) -> None:
        found.setdefault(callee, ClientSite(callee, " -> ".join(made.chain), made.constructor,
                                            self.display(path), made.line, made.params))


def code_roots(file: Path, code_dirs: Sequence[Path]) -> List[Path]:
    """Where Lambda puts the modules ``file`` imports without a dot: the code directories of the
    functions that run it; without one, the file's directory and each package directory above
    it (a directory with ``__init__.py``), and the directory holding the topmost package."""
    if code_dirs:
        return list(code_dirs)
    roots = [file.parent]
    directory = file.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
        roots.append(directory)
    return roots


def code_dirs_by_file(project) -> Dict[str, List[Path]]:
    """Resolved path of a handler file -> the code directories of the functions that run it."""
    found: Dict[str, List[Path]] = {}
    for function in getattr(project, "functions", ()) or ():
        code = function.code
        if not function.handler_file or code.kind != "local" or not code.path:
            continue
        directory = Path(code.path)
        directory = directory if directory.is_dir() else directory.parent
        dirs = found.setdefault(str(Path(function.handler_file).resolve()), [])
        real = Path(os.path.realpath(directory))
        if real not in dirs:
            dirs.append(real)
    return found


def client_sites(files: Sequence[Tuple[str, bytes]], code_dirs: Mapping[str, Sequence[Path]],
                 trees: Sequence[Path], extra_clients: Iterable[str] = (),
                 memo: Optional[Callable[..., Any]] = None) -> Dict[str, ClientSites]:
    """Resolved path -> the client-making local functions that file can call, for the files
    (resolved path, bytes) that import any; ``trees``: what the run checks, the only place
    modules are read from; ``extra_clients``: the rule's own additions to the constructors;
    ``memo(kind, parts, compute, encode, decode)``: the run's cache, for module summaries."""
    from lambdalint.analysis.client_kinds import EXTRA

    constructors: Dict[str, Kind] = dict(CONSTRUCTORS)
    for name in extra_clients:
        if str(name).strip():
            constructors.setdefault(str(name).strip(), EXTRA)
    cached = None
    if memo is not None:
        extras = sorted(set(constructors) - set(CONSTRUCTORS))
        cached = lambda text, compute: memo(  # noqa: E731
            "local-module", [text, extras], compute, encode_summary, decode_summary)
    resolver = Resolver(trees, constructors, memo=cached)
    found: Dict[str, ClientSites] = {}
    for key, data in files:
        if b"import" not in data:
            continue
        real = Path(key)  # resolved already, as the engine keys files
        if not _inside(real, resolver.trees):
            continue
        sites = resolver.sites(real, data.decode("utf-8", "replace"),
                               code_roots(real, code_dirs.get(key, ())))
        if sites:
            found[key] = sites
    return found
