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

Nothing here imports or runs the user's code.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from lambdalint.rules._client_kinds import (CACHE_DECORATORS, CONSTRUCTORS, SESSION_METHODS,
                                            STABLE_CALLS, Kind, root)


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


@dataclass(frozen=True)
class _Made:
    """What one function of a module creates on every call."""

    chain: Tuple[str, ...]
    constructor: str
    line: int
    params: Tuple[Tuple[int, str], ...]


@dataclass
class ModuleSummary:
    """One module's client-making functions, and the names it re-exports from other modules
    (``from .db import get_conn`` in a package ``__init__``): local name -> (level, module,
    name)."""

    made: Dict[str, _Made]
    reexports: Dict[str, Tuple[int, str, str]]


_EMPTY = ModuleSummary({}, {})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk(node: ast.AST) -> Iterable[ast.AST]:
    """The nodes of a function body, not entering nested functions, lambdas or classes (they
    do not run when the function is called)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, _SCOPES):
            stack.extend(ast.iter_child_nodes(child))


def _parents(function: ast.AST) -> Dict[int, ast.AST]:
    parents: Dict[int, ast.AST] = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


class _Module:
    """One helper module's top level: imports, functions, module-level sessions."""

    def __init__(self, tree: ast.Module, constructors: Mapping[str, Kind]) -> None:
        self.constructors = constructors
        self.imports: Dict[str, str] = {}
        self.functions: Dict[str, ast.AST] = {}
        self.sessions: Set[str] = set()
        self.reexports: Dict[str, Tuple[int, str, str]] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.imports[head] = head
            elif isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    local = alias.asname or alias.name
                    if stmt.level == 0 and stmt.module:
                        self.imports[local] = f"{stmt.module}.{alias.name}"
                    if alias.name != "*":
                        self.reexports[local] = (stmt.level, stmt.module or "", alias.name)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
                self.reexports.pop(stmt.name, None)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                kind = constructors.get(self.qualify(stmt.value.func) or "")
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and kind is not None and kind.session:
                        self.sessions.add(target.id)

    def qualify(self, expr: ast.AST) -> Optional[str]:
        """The qualified name of a callee as LibCST gives it: imports resolved, a call in a
        chain dropped (``boto3.Session().client`` is ``boto3.Session.client``)."""
        if isinstance(expr, ast.Name):
            return self.imports.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Call):
            return self.qualify(expr.func)
        return None


class _Function:
    """What one top-level function binds, to judge the arguments of a constructor it calls."""

    def __init__(self, node: ast.AST, module: _Module) -> None:
        self.node = node
        self.module = module
        args = node.args  # type: ignore[attr-defined]
        positional = list(args.posonlyargs) + list(args.args)
        self.params = {a.arg: i for i, a in enumerate(positional)}
        self.params.update({a.arg: -1 for a in args.kwonlyargs})
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.params[extra.arg] = -2  # *args / **kwargs: what they hold is unknown
        self.globals: Set[str] = set()
        self.values: Dict[str, List[Optional[ast.AST]]] = {}
        for child in _walk(node):
            if isinstance(child, (ast.Global, ast.Nonlocal)):
                self.globals.update(child.names)
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind(target, child.value)
            elif isinstance(child, (ast.AnnAssign, ast.AugAssign)):
                self._bind(child.target, None)
            elif isinstance(child, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(child.target, None)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                self._bind(child.optional_vars, None)
            elif isinstance(child, ast.NamedExpr):
                self._bind(child.target, child.value)
        self.parents = _parents(node)

    def _bind(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, None)

    def params_of(self, expr: ast.AST, seen: Set[str], depth: int = 0) -> Optional[Set[str]]:
        """The parameters ``expr`` is built from, when everything else in it is the same at
        import time (literals, module names, ``os.environ``); None when it is not."""
        if depth > 30:
            return None
        again = lambda e: self.params_of(e, seen, depth + 1)  # noqa: E731
        if isinstance(expr, ast.Constant):
            return set()
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in self.params:
                return {name} if self.params[name] >= -1 else None
            if name in self.values and name not in self.globals:
                if name in seen:
                    return None
                seen.add(name)
                try:
                    return _union(again(v) if v is not None else None for v in self.values[name])
                finally:
                    seen.discard(name)
            return set()  # a module-level name or an import
        if isinstance(expr, ast.Attribute):
            return again(expr.value)
        if isinstance(expr, ast.Subscript):
            return _union([again(expr.value), again(expr.slice)])
        if isinstance(expr, ast.Call):
            if self.module.qualify(expr.func) not in STABLE_CALLS:
                return None
            return _union([again(a) for a in expr.args] + [again(k.value) for k in expr.keywords])
        if isinstance(expr, ast.JoinedStr):
            return _union(again(v) for v in expr.values)
        if isinstance(expr, ast.FormattedValue):
            return again(expr.value)
        if isinstance(expr, ast.BinOp):
            return _union([again(expr.left), again(expr.right)])
        if isinstance(expr, ast.BoolOp):
            return _union(again(v) for v in expr.values)
        if isinstance(expr, ast.IfExp):
            return _union([again(expr.test), again(expr.body), again(expr.orelse)])
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return _union(again(e) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return _union([again(k) for k in expr.keys if k is not None] +
                          [again(v) for v in expr.values])
        if isinstance(expr, ast.Compare):
            return _union([again(expr.left)] + [again(c) for c in expr.comparators])
        if isinstance(expr, ast.UnaryOp):
            return again(expr.operand)
        return None

    def _mentions_param(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.params for n in ast.walk(node))

    def kept(self, call: ast.AST) -> bool:
        """The value of ``call`` outlives the call: stored in a global, a module-level dict or
        object, or made under an ``if`` (lazy initialisation), or again after a failure. Or it
        is made only when the caller passes none (``client = client or boto3.client("s3")``,
        ``if client is None:``): whether a call makes one depends on what it passes."""
        node: ast.AST = call
        parent = self.parents.get(id(node))
        while isinstance(parent, (ast.BoolOp, ast.IfExp, ast.Await, ast.Attribute, ast.Call)):
            if isinstance(parent, (ast.BoolOp, ast.IfExp)) and self._mentions_param(parent):
                return True
            node, parent = parent, self.parents.get(id(parent))
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in self.globals:
                    return True
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    base = target
                    while isinstance(base, (ast.Attribute, ast.Subscript)):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id not in self.params \
                            and base.id not in self.values:
                        return True
        node = call
        while node is not self.node and node is not None:
            parent = self.parents.get(id(node))
            if isinstance(parent, ast.ExceptHandler):
                return True
            if isinstance(parent, ast.If) and node is not parent.test and (
                    self._mentions_param(parent.test) or self.globals & {
                        n.id for n in ast.walk(parent.test) if isinstance(n, ast.Name)}):
                return True  # if _client is None: _client = ... / if client is None: ...
            node = parent
        return False


def _union(parts: Iterable[Optional[Set[str]]]) -> Optional[Set[str]]:
    found: Set[str] = set()
    for part in parts:
        if part is None:
            return None
        found |= part
    return found


def _cached(node: ast.AST) -> bool:
    for decorator in node.decorator_list:  # type: ignore[attr-defined]
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else \
            target.id if isinstance(target, ast.Name) else ""
        if name in CACHE_DECORATORS:
            return True
    return False


def summarise(text: str, constructors: Mapping[str, Kind] = CONSTRUCTORS) -> ModuleSummary:
    """Which top-level functions of a module's ``text`` create a client on every call."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _EMPTY
    module = _Module(tree, constructors)
    made: Dict[str, _Made] = {}
    calls: Dict[str, List[Tuple[str, ast.Call, _Function]]] = {}
    for name, node in module.functions.items():
        if _cached(node):
            continue
        function = _Function(node, module)
        for child in _walk(node):
            if not isinstance(child, ast.Call):
                continue
            found = _direct(child, function, module)
            if found is not None and name not in made:
                made[name] = _Made((name,), found[0], child.lineno, found[1])
            elif isinstance(child.func, ast.Name) and child.func.id in module.functions \
                    and child.func.id not in function.params \
                    and child.func.id not in function.values and not function.kept(child):
                calls.setdefault(name, []).append((child.func.id, child, function))
    changed = True
    while changed:  # through the module's own functions: get_conn() -> _open() -> connect()
        changed = False
        for name, callees in calls.items():
            if name in made:
                continue
            for callee, call, function in callees:
                inner = made.get(callee)
                if inner is not None and not inner.params:
                    made[name] = _Made((name,) + inner.chain, inner.constructor, inner.line, ())
                    changed = True
                    break
    return ModuleSummary(made, module.reexports)


def _direct(call: ast.Call, function: _Function, module: _Module
            ) -> Optional[Tuple[str, Tuple[Tuple[int, str], ...]]]:
    """(constructor, parameters it is built from) when ``call`` makes a client each time."""
    qualified = module.qualify(call.func)
    kind = module.constructors.get(qualified or "")
    func = call.func
    if kind is None and isinstance(func, ast.Attribute) and func.attr in SESSION_METHODS \
            and isinstance(func.value, ast.Name) and func.value.id in module.sessions \
            and func.value.id not in function.values:
        qualified, kind = f"{func.value.id}.{func.attr}", CONSTRUCTORS["boto3.client"]
    if kind is None or kind.loop_bound or function.kept(call):
        return None
    used: Optional[Set[str]] = set()
    chain: ast.AST = call
    while isinstance(chain, ast.Call):  # boto3.Session(profile).client("s3"): every call's args
        parts = [function.params_of(a, set()) for a in chain.args]
        parts += [function.params_of(k.value, set()) for k in chain.keywords]
        used = _union([used] + parts)
        chain = chain.func.value if isinstance(chain.func, ast.Attribute) else chain.func
    if used is None:
        return None  # built from something computed in the call
    params = tuple(sorted((function.params[p], p) for p in used))
    return str(qualified), params


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
            self._summaries[path] = _EMPTY
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
             depth: int = 0) -> Optional[Tuple[_Made, Path]]:
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

    def _add(self, found: Dict[str, ClientSite], callee: str, made: _Made, path: Path) -> None:
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
    from lambdalint.rules._client_kinds import EXTRA

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


def encode_summary(summary: ModuleSummary) -> list:
    """A module summary as JSON values, for the cache."""
    made = [[name, list(m.chain), m.constructor, m.line, [list(p) for p in m.params]]
            for name, m in sorted(summary.made.items())]
    return [made, [[name, *where] for name, where in sorted(summary.reexports.items())]]


def decode_summary(value: Any) -> ModuleSummary:
    """``encode_summary``'s output back; anything else raises (a cache miss)."""
    from lambdalint.cache import WrongShape

    def text(x: Any) -> str:
        if not isinstance(x, str):
            raise WrongShape("local-module")
        return x

    def number(x: Any) -> int:
        if not isinstance(x, int) or isinstance(x, bool):
            raise WrongShape("local-module")
        return x

    try:
        made_part, reexport_part = value
        made = {text(name): _Made(tuple(text(c) for c in chain), text(constructor), number(line),
                                  tuple((number(p), text(n)) for p, n in params))
                for name, chain, constructor, line, params in made_part}
        reexports = {text(name): (number(level), text(module), text(original))
                     for name, level, module, original in reexport_part}
    except (TypeError, ValueError) as exc:
        raise WrongShape("local-module") from exc
    return ModuleSummary(made, reexports)
