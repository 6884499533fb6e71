"""Whether LL102's --fix may move a client to module scope: a proof, or the reason there is none.

Moving ``name = <client>(...)`` out of a function body changes three things: *when* the
constructor runs (once, at import, at the place the fix inserts it, instead of at that point of
every invocation), *what it sees* (process state at import instead of then: ``os.environ``,
boto3's default session, module objects its arguments read) and *who holds the object* (every
invocation instead of one). The fix is offered only when none of that can be observed:

(a) nothing that runs before the creation writes state the constructor could read: no
    statement before it in the function (nor before the call in the functions that call it)
    other than plain local computation and a small allow-list of calls (logging, print, json,
    ``os.environ.get``, other client constructors); no ``os.environ`` / boto3 default-session
    write anywhere in the module's functions (an invocation's writes come before the next
    invocation's creation), nor in module code below the insertion point;
(b) every invocation that reaches the statement would create the client: it is at the top
    level of the function body, with no ``return``/``raise``/``assert`` before it, and each call
    of a helper that holds it is itself unconditional in its caller, up to a handler;
(c) every name the arguments read is bound above the insertion point and never changed: not
    rebound, not ``global`` anywhere, not changed in place anywhere in the module;
(d) the object is never changed or closed by the code that gets it: no attribute or item
    writes, no ``.close()``/``.mount()``/``.headers.update()``..., no ``with``, no ``del``, not
    passed to code we cannot see, and when a helper returns it, the same holds where it is called.

Everything here reads the syntax tree; nothing is imported or run. When in doubt, it says no.

One module of some 770 lines on purpose: it is one proof, and its four conditions walk the same
call sites, callers and statement orders (``_call_sites``, ``_unconditional``, ``_before``); split
by condition, each part would need the others' walks and the reasons would drift apart. It sits
beside the fix that asks it (``_client_fix``) and knows nothing else of LL102.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

Parent = Callable[[cst.CSTNode], Optional[cst.CSTNode]]
Qualify = Callable[[cst.CSTNode], Set[str]]

# Calls that neither write process state nor hand anything to code we cannot see.
PURE_CALLS = frozenset("""
    builtins.print builtins.len builtins.str builtins.int builtins.float builtins.bool
    builtins.repr builtins.isinstance builtins.sorted builtins.min builtins.max builtins.sum
    builtins.any builtins.all builtins.abs builtins.round builtins.range builtins.enumerate
    builtins.zip builtins.dict builtins.list builtins.tuple builtins.set builtins.frozenset
    builtins.format builtins.hash builtins.id builtins.type
    json.loads json.dumps os.environ.get os.getenv os.path.join os.path.basename
    logging.debug logging.info logging.warning logging.error logging.exception logging.critical
    logging.log logging.getLogger time.time time.monotonic time.perf_counter
""".split())
# A logger's level decides what is printed; no client reads it when it is built.
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log",
                         "setLevel"})
LOGGER_FACTORIES = frozenset({"logging.getLogger", "aws_lambda_powertools.Logger",
                              "aws_lambda_powertools.logging.Logger"})
# Methods that only read the object they are called on (dicts and strings in handler code).
READ_METHODS = frozenset("""
    get keys values items copy lower upper strip lstrip rstrip split rsplit splitlines startswith
    endswith format join replace encode decode count index find title isdigit
""".split())
# Methods that change a client, a session or their state, or end them.
MUTATING_METHODS = frozenset("""
    close aclose dispose disconnect mount register unregister set_credentials set_config_variable
    set_stream_logger update clear pop popitem setdefault set append extend insert remove
    __enter__ __exit__ __setitem__ __delitem__ __setattr__
""".split())
# Attributes holding a client's per-use state: reading them out lets others change it.
STATEFUL_ATTRIBUTES = frozenset({"headers", "cookies", "auth", "params", "proxies", "hooks",
                                 "adapters", "meta", "verify", "cert", "trust_env", "events",
                                 "base_url", "timeout"})
# Process state that clients read when they are built (region, credentials, endpoints, proxies).
PROCESS_WRITES = frozenset("""
    os.putenv os.unsetenv os.chdir
    os.environ.update os.environ.setdefault os.environ.pop os.environ.popitem os.environ.clear
    os.environ.__setitem__ os.environ.__delitem__
    boto3.setup_default_session boto3.set_stream_logger boto3.add_stream_logger
""".split())
PROCESS_OBJECTS = frozenset({"os.environ", "boto3.DEFAULT_SESSION"})
SESSION_METHODS = frozenset({"client", "resource", "create_client"})
_EXITS = (cst.Return, cst.Raise, cst.Assert)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
MAX_DEPTH = 6  # helper chains followed to a handler; deeper is "cannot follow"


class NotSafe(Exception):
    """Raised inside the analysis with the one-clause reason there is no automatic fix."""


class _Nodes(cst.CSTVisitor):
    """Nodes of the given types under a node; nested scopes skipped unless ``deep``."""

    def __init__(self, types: Tuple[type, ...], deep: bool) -> None:
        super().__init__()
        self.types = types
        self.deep = deep
        self.found: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.types):
            self.found.append(node)
        return self.deep or not isinstance(node, _SCOPES)


def _find(node: cst.CSTNode, types: Tuple[type, ...], deep: bool = False,
          skip_root: bool = True) -> List[cst.CSTNode]:
    finder = _Nodes(types, deep)
    if skip_root and isinstance(node, _SCOPES):
        # The root's own body is searched; scopes nested in it are not (unless deep).
        for child in node.children:
            child.visit(finder)
    else:
        node.visit(finder)
    return finder.found


def _root(node: cst.BaseExpression) -> Optional[cst.Name]:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _targets(node: cst.CSTNode) -> List[cst.BaseExpression]:
    """What an assignment-like statement writes to."""
    if isinstance(node, cst.Assign):
        return [t.target for t in node.targets]
    if isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        return [node.target]
    if isinstance(node, cst.NamedExpr):
        return [node.target]
    if isinstance(node, cst.Del):
        return [node.target]
    return []


def _flatten(target: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [t for e in target.elements for t in _flatten(e.value)]
    if isinstance(target, cst.StarredElement):
        return _flatten(target.value)
    return [target]


def _is_main_guard(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.If) or not isinstance(stmt.test, cst.Comparison):
        return False
    code = cst.Module([]).code_for_node(stmt.test).replace("'", '"').replace(" ", "")
    return code in ('__name__=="__main__"', '"__main__"==__name__')


class HoistSafety:
    """Facts about one module, asked once per planned move (see the module docstring)."""

    def __init__(self, module: cst.Module, parent: Parent, qualify: Qualify,
                 line: Callable[[cst.CSTNode], int], handlers: Sequence[cst.FunctionDef],
                 constructors: Iterable[str],
                 local_names: Optional[Callable[[cst.FunctionDef], Set[str]]] = None) -> None:
        """``constructors``: qualified names of calls that only build an object in memory (clients,
        sessions, configs): allowed before a creation, as they read nothing another call wrote."""
        self.module = module
        self.parent = parent
        self.qualify = qualify
        self.line = line
        self.local_names = local_names  # the rule's own per-function index, when it has one
        self.handlers = {id(h) for h in handlers}
        self.constructors = frozenset(constructors)
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.imports: Set[str] = set()
        self.loggers: Set[str] = set()
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                            small.names, cst.ImportStar):
                        for alias in small.names:
                            bound = alias.asname.name if alias.asname else alias.name
                            while isinstance(bound, cst.Attribute):
                                bound = bound.value
                            if isinstance(bound, cst.Name):
                                self.imports.add(bound.value)
                    elif (isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)
                          and self.qualify(small.value.func) & LOGGER_FACTORIES):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                self.loggers.add(t.target.value)
        self._by_name: Optional[Dict[str, List[cst.Name]]] = None
        self._name_top: Dict[int, int] = {}
        self._by_name_top: Dict[Tuple[str, int], List[cst.Name]] = {}
        self._checked: Set[int] = set()  # statements already shown to be harmless
        self._writes: List[Tuple[int, cst.CSTNode]] = []
        self._top: Dict[int, int] = {id(stmt): i for i, stmt in enumerate(module.body)}
        self._locals_of: Dict[int, Set[str]] = {}
        self._changes_cache: Dict[str, List[Tuple[int, bool, str]]] = {}
        self._process_write: Optional[Tuple[str, int]] = None
        self._scanned = False

    # -- the question ---------------------------------------------------------------------------

    def why_not(self, function: cst.FunctionDef, stmt: cst.SimpleStatementLine, name: str,
                value: cst.BaseExpression, read: Iterable[str]) -> Optional[str]:
        """Why moving ``stmt`` (``name = value``, directly in ``function``'s body) may change
        what the program does; None when it cannot (the module tail is asked separately)."""
        try:
            self._process_state_anywhere()
            self._before(function, stmt, 0, set())
            self._arguments_unchanged(function, value, read)
            self._uses(function, name, exclude=stmt, depth=0)
        except NotSafe as reason:
            return str(reason)
        return None

    def why_not_below(self, start: int) -> Optional[str]:
        """Why module code from top-level statement ``start`` on (which would now run after the
        creation, instead of before every invocation) may change what the creation sees."""
        for stmt in self.module.body[start:]:
            try:
                self._module_statement(stmt)
            except NotSafe as reason:
                return str(reason)
        return None

    # -- (a) process state ------------------------------------------------------------------------

    def _process_state_anywhere(self) -> None:
        """Writes to ``os.environ`` or boto3's default session in any function of the module: one
        invocation's write comes before the next invocation's creation."""
        if not self._scanned:
            self._scanned = True
            # What is inside some function runs per invocation.
            if self._by_name is None:
                self._index()
            for _, node in self._writes:
                what = self._writes_process_state(node)
                if what and self._outermost(node) is not None:
                    self._process_write = (what, self.line(node))
                    break
        if self._process_write:
            what, line = self._process_write
            raise NotSafe(f"{what} on line {line}, and clients read that state when built")

    def _process_write_in(self, node: cst.CSTNode) -> Optional[Tuple[str, int]]:
        for found in _find(node, (cst.Call, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del),
                           deep=True, skip_root=False):
            what = self._writes_process_state(found)
            if what:
                return what, self.line(found)
        return None

    def _writes_process_state(self, node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, cst.Call):
            names = self.qualify(node.func) & PROCESS_WRITES
            if names:
                return f"`{sorted(names)[0]}(...)` is called"
            return None
        for target in _targets(node):
            for leaf in _flatten(target):
                base = leaf.value if isinstance(leaf, (cst.Subscript, cst.Attribute)) else None
                for expr in (leaf, base):
                    if expr is not None and self.qualify(expr) & PROCESS_OBJECTS:
                        return f"`{sorted(self.qualify(expr) & PROCESS_OBJECTS)[0]}` is written"
                if isinstance(leaf, cst.Attribute):
                    root = _root(leaf)
                    if root is not None and root.value in self.imports:
                        return f"the module `{root.value}` is changed"
        return None

    # -- (a) and (b): what runs before the creation ---------------------------------------------

    def _before(self, function: cst.FunctionDef, stmt: cst.BaseStatement, depth: int,
                seen: Set[int]) -> None:
        """Everything in ``function`` before its top-level statement ``stmt``; then the same for
        every call of ``function`` in the module, up to the handlers."""
        body = function.body
        if not isinstance(body, cst.IndentedBlock):
            raise NotSafe("lambdalint cannot follow the function's body")
        local = self._locals(function)
        for earlier in body.body:
            if earlier is stmt:
                break
            if id(earlier) not in self._checked:  # two creations in one function: judged once
                self._statement(earlier, function, local)
                self._checked.add(id(earlier))
        self._callers(function, depth, seen)

    def _callers(self, function: cst.FunctionDef, depth: int, seen: Set[int]) -> None:
        if id(function) in seen:
            raise NotSafe(f"`{function.name.value}` is recursive")
        if depth > MAX_DEPTH:
            raise NotSafe("the chain of calls to it is too long to follow")
        seen = seen | {id(function)}
        sites = self._call_sites(function)
        if not sites and id(function) not in self.handlers:
            raise NotSafe(f"lambdalint cannot see every call of `{function.name.value}`")
        for call, caller in sites:
            if caller is None:
                raise NotSafe(f"`{function.name.value}()` is also called at import")
            top = self._unconditional(call, caller)
            self._before(caller, top, depth + 1, seen)

    def _call_sites(self, function: cst.FunctionDef) -> List[Tuple[cst.Call, Optional[cst.FunctionDef]]]:
        """Every ``name(...)`` call of a module-level function, with the outermost function around
        it (None at module level); any other use of the name means calls we cannot see."""
        name = function.name.value
        sites = []
        for node in self._names(name):
            if node is function.name:
                continue
            up = self.parent(node)
            if isinstance(up, cst.Call) and up.func is node:
                caller = self._outermost(up)
                if caller is None and self._under_main_guard(up):
                    continue
                sites.append((up, caller))
            elif isinstance(up, cst.Attribute) and up.attr is node:
                continue  # obj.name: another object's attribute
            elif isinstance(up, (cst.Param, cst.Arg)) and getattr(up, "keyword", None) is node:
                continue
            else:
                raise NotSafe(f"`{name}` is used other than by calling it")
        return sites

    def _unconditional(self, call: cst.Call, caller: cst.FunctionDef) -> cst.BaseStatement:
        """The caller's top-level statement that makes ``call`` on every run of it, or NotSafe."""
        node: cst.CSTNode = call
        while True:
            up = self.parent(node)
            if up is None:
                raise NotSafe("lambdalint cannot follow a call of it")
            if isinstance(up, cst.SimpleStatementLine):
                block = self.parent(up)
                if isinstance(block, cst.IndentedBlock) and self.parent(block) is caller:
                    for small in up.body:
                        if small is node:
                            break
                        self._small(small, caller, self._locals(caller))
                    return up
                raise NotSafe(f"`{caller.name.value}` calls it only under a condition or in a loop")
            if isinstance(up, cst.WithItem):
                raise NotSafe("`with` closes it at the end of the block")
            if isinstance(up, cst.Arg):
                call_up = self.parent(up)
                if isinstance(call_up, cst.Call):
                    for arg in call_up.args:
                        if arg is not up:
                            self._pure(arg.value, caller, self._locals(caller))
            elif isinstance(up, (cst.Element, cst.DictElement)):
                pass
            elif not isinstance(up, (cst.Attribute, cst.Call, cst.Subscript, cst.Return, cst.Expr,
                                     cst.Assign, cst.AnnAssign, cst.Tuple, cst.List, cst.Dict,
                                     cst.SubscriptElement, cst.Index, cst.AssignTarget)):
                raise NotSafe(f"`{caller.name.value}` calls it only under a condition")
            node = up

    def _statement(self, stmt: cst.CSTNode, function: cst.FunctionDef, local: Set[str]) -> None:
        """A statement that runs before the creation: local computation only, no early exit."""
        if _find(stmt, _EXITS):
            raise NotSafe("the function can return before it is created")
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, function, local)
            return
        if isinstance(stmt, cst.If):
            self._pure(stmt.test, function, local)
            self._block(stmt.body, function, local)
            if isinstance(stmt.orelse, cst.If):
                self._statement(stmt.orelse, function, local)
            elif stmt.orelse is not None:
                self._block(stmt.orelse.body, function, local)
            return
        if isinstance(stmt, (cst.For, cst.While)):
            if isinstance(stmt, cst.For):
                self._pure(stmt.iter, function, local)
                self._local_targets([stmt.target], function, local)
            else:
                self._pure(stmt.test, function, local)
            self._block(stmt.body, function, local)
            if stmt.orelse is not None:
                self._block(stmt.orelse.body, function, local)
            return
        if isinstance(stmt, cst.Try):
            self._block(stmt.body, function, local)
            for handler in stmt.handlers:
                self._block(handler.body, function, local)
            for extra in (stmt.orelse, stmt.finalbody):
                if extra is not None:
                    self._block(extra.body, function, local)
            return
        if isinstance(stmt, cst.FunctionDef) and not stmt.decorators:
            return  # defining a nested function runs none of it
        raise NotSafe(f"`{self._head(stmt)}` runs before it")

    def _block(self, block: cst.BaseSuite, function: cst.FunctionDef, local: Set[str]) -> None:
        if isinstance(block, cst.IndentedBlock):
            for inner in block.body:
                self._statement(inner, function, local)
        elif isinstance(block, cst.SimpleStatementSuite):
            for small in block.body:
                self._small(small, function, local)

    def _small(self, small: cst.BaseSmallStatement, function: cst.FunctionDef,
               local: Set[str]) -> None:
        if isinstance(small, (cst.Pass, cst.Break, cst.Continue)):
            return
        if isinstance(small, cst.Expr):
            self._pure(small.value, function, local)
            return
        if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            if small.value is not None:
                self._pure(small.value, function, local)
            self._local_targets(_targets(small), function, local)
            return
        if isinstance(small, (cst.Global, cst.Nonlocal)):
            return  # the writes that follow are judged as writes
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            raise NotSafe("an import runs before it")
        if isinstance(small, cst.Del):
            self._local_targets([small.target], function, local)
            return
        raise NotSafe(f"`{self._head(small)}` runs before it")

    def _local_targets(self, targets: Iterable[cst.BaseExpression], function: cst.FunctionDef,
                       local: Set[str]) -> None:
        """Writes before the creation may only touch this invocation's own objects."""
        for target in targets:
            for leaf in _flatten(target):
                root = _root(leaf)
                if root is None:
                    raise NotSafe(f"`{self._head(leaf)}` is written before it is created")
                if isinstance(leaf, cst.Name):
                    if root.value not in local:
                        raise NotSafe(f"the global `{root.value}` is assigned before it is created")
                    continue
                self._pure(leaf, function, local)
                owned = root.value in local and (root.value not in self._params(function)
                                                 or id(function) in self.handlers)
                if not owned:
                    raise NotSafe(f"`{root.value}` is changed before it is created")

    def _pure(self, expr: cst.CSTNode, function: cst.FunctionDef, local: Set[str]) -> None:
        """Evaluating ``expr`` calls only the allow-list and writes only locals."""
        for node in _find(expr, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr), deep=True,
                          skip_root=False):
            if isinstance(node, cst.NamedExpr):
                self._local_targets([node.target], function, local)
                continue
            if not isinstance(node, cst.Call):
                raise NotSafe(f"`{self._head(node)}` runs before it")
            if not self._pure_call(node, local):
                raise NotSafe(f"`{self._callee(node)}(...)` runs before it and may change what "
                              "it reads")

    def _pure_call(self, call: cst.Call, local: Set[str]) -> bool:
        names = self.qualify(call.func)
        if names & (PURE_CALLS | self.constructors):
            return True
        func = call.func
        if isinstance(func, cst.Attribute):
            root = _root(func.value)
            method = func.attr.value
            if root is not None and root.value in self.loggers and method in LOG_METHODS:
                return True
            if root is not None and method in READ_METHODS and root.value not in self.imports:
                return True
            if method in READ_METHODS and isinstance(
                    func.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                return True  # "Event: {}".format(event): a new string (its arguments are checked)
            if root is not None and method in SESSION_METHODS and root.value in local:
                return True  # session.client("s3") on a session made in this function
            if method[:1].isupper() and isinstance(func.value, cst.Call) \
                    and self._pure_call(func.value, local):
                return True  # boto3.resource("dynamodb").Table(name): made in memory
        return False

    def _locals(self, function: cst.FunctionDef) -> Set[str]:
        """Names local to ``function``: parameters and names it binds, less global/nonlocal."""
        if id(function) not in self._locals_of:
            self._locals_of[id(function)] = (self.local_names(function) if self.local_names
                                             else self._find_locals(function))
        return self._locals_of[id(function)]

    def _find_locals(self, function: cst.FunctionDef) -> Set[str]:
        names = set(self._params(function))
        declared: Set[str] = set()
        for node in _find(function, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr,
                                     cst.For, cst.WithItem, cst.Global, cst.Nonlocal, cst.MatchAs,
                                     cst.ExceptHandler, cst.CompFor)):
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                declared.update(item.name.value for item in node.names)
                continue
            if isinstance(node, (cst.For, cst.CompFor)):
                targets = [node.target]
            elif isinstance(node, cst.WithItem):
                targets = [node.asname.name] if node.asname else []
            elif isinstance(node, cst.MatchAs):
                targets = [node.name] if node.name else []
            elif isinstance(node, cst.ExceptHandler):
                targets = [node.name.name] if node.name else []
            else:
                targets = _targets(node)
            for target in targets:
                for leaf in _flatten(target):
                    if isinstance(leaf, cst.Name):
                        names.add(leaf.value)
        return names - declared

    @staticmethod
    def _params(function: cst.FunctionDef) -> Set[str]:
        return {p.name.value for p in _find(function.params, (cst.Param,), skip_root=False)}

    # -- (c) what the arguments read ----------------------------------------------------------------

    def _arguments_unchanged(self, function: cst.FunctionDef, value: cst.BaseExpression,
                             read: Iterable[str]) -> None:
        """No function (and no module code) changes in place a module object the arguments read."""
        wanted = {n for n in read if n not in self.imports}
        if not wanted:
            return
        above = self._top_index(function)
        for name in sorted(wanted):
            for top, in_function, how in self._changes_of(name):
                if not in_function and top < above:
                    continue  # module code above the function runs before the creation anyway
                raise NotSafe(f"`{name}`, which its arguments read, is changed elsewhere ({how})")

    def _changes_of(self, name: str) -> List[Tuple[int, bool, str]]:
        """(top-level statement index, inside a function?, how) for every use of ``name`` that
        may change its object; computed once per name, as many creations read the same ones."""
        if name not in self._changes_cache:
            found = []
            for node in self._names(name):
                how = self._changes(node)
                if how:
                    found.append((self._top_index(node), self._outermost(node) is not None, how))
            self._changes_cache[name] = found
        return self._changes_cache[name]

    def _changes(self, node: cst.Name) -> Optional[str]:
        """How this use of a name may change the object it names; None for a plain read."""
        chain: List[cst.CSTNode] = []
        current: cst.CSTNode = node
        up = self.parent(current)
        while isinstance(up, (cst.Attribute, cst.Subscript)) and up.value is current:
            chain.append(up)
            current, up = up, self.parent(up)
        if isinstance(up, cst.Attribute) and up.attr is current:
            return None  # x.name: not this name
        if chain:
            if self._is_target(current):
                return f"`{node.value}{self._suffix(chain)} = ...`"
            if isinstance(up, cst.Call) and up.func is current and isinstance(current, cst.Attribute):
                method = current.attr.value
                if method in MUTATING_METHODS or (len(chain) > 1 and method not in READ_METHODS):
                    return f"`{node.value}{self._suffix(chain)}(...)`"
            return None
        if isinstance(up, cst.Arg):
            call = self.parent(up)
            if isinstance(call, cst.Call) and not self._pure_call(call, set()):
                return f"passed to `{self._callee(call)}(...)`"
        return None

    def _suffix(self, chain: List[cst.CSTNode]) -> str:
        parts = []
        for node in chain:
            parts.append(f".{node.attr.value}" if isinstance(node, cst.Attribute) else "[...]")
        return "".join(parts)

    def _is_target(self, node: cst.CSTNode) -> bool:
        up = self.parent(node)
        while isinstance(up, (cst.Element, cst.Tuple, cst.List, cst.StarredElement)):
            up = self.parent(up)
        if isinstance(up, cst.AssignTarget):
            return True
        if isinstance(up, (cst.AugAssign, cst.AnnAssign)) and up.target is node:
            return True
        if isinstance(up, (cst.For, cst.CompFor)) and up.target is node:
            return True
        return isinstance(up, cst.Del)

    # -- (d) who holds the object ---------------------------------------------------------------------

    def _uses(self, function: cst.FunctionDef, name: str, exclude: Optional[cst.CSTNode],
              depth: int) -> None:
        """Every use of the local ``name`` in ``function`` only reads or calls the object."""
        if depth > MAX_DEPTH:
            raise NotSafe("the chain of calls to it is too long to follow")
        for node in self._names(name, self._top_index(function)):
            if node is function.name or (exclude is not None and self._within(node, exclude)):
                continue
            up = self.parent(node)
            if isinstance(up, cst.Attribute) and up.attr is node:
                continue
            if isinstance(up, (cst.Arg, cst.Param)) and getattr(up, "keyword", None) is node:
                continue
            self._held(node, name, function, depth)

    def _held(self, node: cst.BaseExpression, name: str, function: cst.FunctionDef,
              depth: int) -> None:
        """One use of the object (a name, or a call that returns it)."""
        chain: List[cst.CSTNode] = []
        current: cst.CSTNode = node
        up = self.parent(current)
        while isinstance(up, (cst.Attribute, cst.Subscript)) and up.value is current:
            chain.append(up)
            current, up = up, self.parent(up)
        shown = f"{name}{self._suffix(chain)}"
        if isinstance(up, cst.Del) or isinstance(self.parent(up), cst.Del):
            raise NotSafe(f"the code that uses it deletes it (`del {shown}`)")
        if self._is_target(current):
            if chain:
                raise NotSafe(f"the code that uses it changes it (`{shown} = ...`)")
            return  # the name itself rebound: judged by the caller (assigned once)
        if chain:
            if isinstance(up, cst.Call) and up.func is current and isinstance(current, cst.Attribute):
                method = current.attr.value
                if method in MUTATING_METHODS or (len(chain) > 1 and method not in READ_METHODS):
                    raise NotSafe(f"the code that uses it changes or closes it (`{shown}(...)`)")
                return  # a call of the client's API
            if any(isinstance(c, cst.Attribute) and c.attr.value in STATEFUL_ATTRIBUTES
                   for c in chain):
                raise NotSafe(f"the code that uses it takes out `{shown}`, which may be changed")
            return  # s3.exceptions.NoSuchKey and the like
        # The object itself, as a value.
        while isinstance(up, (cst.Element, cst.DictElement, cst.Tuple, cst.List, cst.Dict)):
            current, up = up, self.parent(up)
        if isinstance(up, cst.Return):
            self._returned(function, depth)
            return
        if isinstance(up, cst.WithItem):
            raise NotSafe("`with` closes it at the end of the block")
        if isinstance(up, cst.Del):
            raise NotSafe(f"the code that uses it deletes it (`del {name}`)")
        if isinstance(up, cst.Arg):
            call = self.parent(up)
            if isinstance(call, cst.Call) and self._pure_call(call, set()) \
                    and not isinstance(current, (cst.Tuple, cst.List, cst.Dict)):
                return
            raise NotSafe(f"it is passed to `{self._callee(call)}(...)`, which may change it")
        if isinstance(up, (cst.Comparison, cst.ComparisonTarget, cst.If, cst.While,
                           cst.UnaryOperation, cst.BooleanOperation, cst.FormattedStringExpression,
                           cst.Expr, cst.IfExp)) and not isinstance(current, (cst.Tuple, cst.List,
                                                                              cst.Dict)):
            return
        if (isinstance(up, cst.Assign) and up.value is current and node is current
                and isinstance(node, cst.Call)):
            targets = _targets(up)
            if len(targets) == 1 and isinstance(targets[0], cst.Name) \
                    and targets[0].value in self._locals(function):
                # A helper's result bound in its caller: follow that name there.
                self._uses(function, targets[0].value, exclude=up, depth=depth + 1)
                return
        raise NotSafe(f"it is handed on (`{self._head(up)}`) where lambdalint cannot follow it")

    def _returned(self, function: cst.FunctionDef, depth: int) -> None:
        """Returned: what every caller in the module does with it must be safe too (a handler's
        own caller is the Lambda runtime, which only serialises the result)."""
        sites = self._call_sites(function)
        if not sites and id(function) not in self.handlers:
            raise NotSafe(f"`{function.name.value}` returns it to callers lambdalint cannot see")
        for call, caller in sites:
            if caller is None:
                raise NotSafe(f"`{function.name.value}()` returns it at import")
            self._held(call, f"{function.name.value}()", caller, depth + 1)

    # -- module code below the insertion point ----------------------------------------------------

    def _module_statement(self, stmt: cst.CSTNode) -> None:
        if isinstance(stmt, cst.FunctionDef):
            return  # its body runs per invocation (scanned above); decorators are trusted
        if _is_main_guard(stmt):
            return  # not run when Lambda imports the module
        if isinstance(stmt, cst.ClassDef):
            found = self._process_write_in(stmt.body)
            if found:
                raise NotSafe(f"{found[0]} in module code below the function")
            return
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    raise NotSafe("the module imports more below the function")
                what = self._writes_process_state(small)
                if what:
                    raise NotSafe(f"{what} in module code below the function")
                if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Expr)):
                    for target in _targets(small):
                        for leaf in _flatten(target):
                            if not isinstance(leaf, cst.Name):
                                raise NotSafe(f"the module changes `{self._head(leaf)}` below it")
                    value = small.value
                    if value is not None:
                        for call in _find(value, (cst.Call,), deep=True, skip_root=False):
                            if not self._pure_call(call, set()):
                                raise NotSafe(f"the module runs `{self._callee(call)}(...)` below "
                                              "the function")
                    continue
                if isinstance(small, (cst.Pass,)):
                    continue
                raise NotSafe(f"the module runs `{self._head(small)}` below the function")
            return
        raise NotSafe(f"the module runs `{self._head(stmt)}` below the function")

    # -- small helpers ----------------------------------------------------------------------------

    def _index(self) -> None:
        """One pass over the module: every Name by spelling and every write that could be a
        process-state write, each with its top-level statement (files have thousands)."""
        self._by_name = {}
        self._writes = []
        types = (cst.Name, cst.Call, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)
        for i, stmt in enumerate(self.module.body):
            for node in _find(stmt, types, deep=True, skip_root=False):
                if isinstance(node, cst.Name):
                    self._by_name.setdefault(node.value, []).append(node)
                    self._by_name_top.setdefault((node.value, i), []).append(node)
                    self._name_top[id(node)] = i
                else:
                    self._writes.append((i, node))

    def _names(self, name: str, top: Optional[int] = None) -> List[cst.Name]:
        """Every Name node spelling ``name`` (in top-level statement ``top`` only, if given)."""
        if self._by_name is None:
            self._index()
        if top is None:
            return self._by_name.get(name, [])
        return self._by_name_top.get((name, top), [])

    def _outermost(self, node: cst.CSTNode) -> Optional[cst.FunctionDef]:
        found = None
        up = self.parent(node)
        while up is not None:
            if isinstance(up, cst.FunctionDef):
                found = up
            up = self.parent(up)
        return found

    def _top_index(self, node: cst.CSTNode) -> int:
        if id(node) in self._name_top:
            return self._name_top[id(node)]
        top = node
        while True:
            up = self.parent(top)
            if up is None:
                return -1
            if up is self.module:
                return self._top.get(id(top), -1)
            top = up

    def _under_main_guard(self, node: cst.CSTNode) -> bool:
        up = self.parent(node)
        while up is not None:
            if _is_main_guard(up):
                return True
            up = self.parent(up)
        return False

    def _within(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        while node is not None:
            if node is ancestor:
                return True
            node = self.parent(node)
        return False

    def _callee(self, call: Optional[cst.CSTNode]) -> str:
        if not isinstance(call, cst.Call):
            return "?"
        return self._head(call.func)

    def _head(self, node: cst.CSTNode) -> str:
        code = self.module.code_for_node(node).strip().splitlines()[0] if node is not None else ""
        code = code.split("(")[0] if isinstance(node, (cst.Attribute, cst.Name)) else code
        return code if len(code) <= 40 else code[:37] + "..."
