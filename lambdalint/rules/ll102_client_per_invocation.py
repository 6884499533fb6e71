"""LL102 client-per-invocation: an SDK or database client built on every invocation.

Lambda keeps the execution environment between invocations, so whatever module scope creates is
reused; a client created inside the handler (or in code the handler calls) pays again for its
set-up, its credentials lookup and its TLS connections every time. The rule stays silent wherever
moving the creation would change what the code does: clients built from the event or from values
computed in this invocation (assumed-role credentials, a region from the event), lazily cached
clients, cached factories, and asyncio clients when every invocation runs its own event loop. A
database connection the function opens and closes again is reported with its own advice (one
connection per execution environment, opened again when lost) and no fix.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

import libcst as cst

from lambdalint.analysis.handlers import dotted_name
from lambdalint.rules._client_fix import ClientFix
from lambdalint.rules._client_helpers import HelperCalls
from lambdalint.rules._client_index import (EXCEPT_HANDLERS, Candidate, FunctionIndex, ModuleIndex,
                                            chain_args, chain_calls, index_module, root_name)
from lambdalint.analysis.client_kinds import (ASYNC, CACHE_DECORATORS, CONSTRUCTORS,
                                            CUSTOM_RESOURCE_MODULES, EVENT_LOOPS, EXTRA, SDK,
                                            SESSION_METHODS, STABLE_CALLS, Kind)
from lambdalint.rules._client_wording import ClientWording
from lambdalint.rules.base import PythonRule
from lambdalint.rules.hoist_safety import HoistSafety
from lambdalint.rules.meta import Option, RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL102",
    name="client-per-invocation",
    severity="warning",
    summary=(
        "An SDK or database client is created on every invocation instead of once per execution "
        "environment."
    ),
    kind="python",
    fixable=True,
    options=(
        Option("extra-clients", "list", [],
               "more qualified names of client constructors, e.g. 'mylib.connect'"),
    ),
    tags=("performance",),
    reports="an SDK or database client created on every invocation",
    covers=("yes", "inline code", "", "", "inline code"),
)



def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL102 cannot report in the file (see ``prefilter``). A client is a call
    whose qualified name is a known constructor: the module it comes from (``boto3``,
    ``redis``...) is written in the file, in an import at least. And the rule reports only such
    calls inside a function of Lambda code: one whose callee's last name is a constructor's (or a
    session's ``client()``), unless that name may be an alias. A file that imports a function of
    the project's own modules that makes a client (``text.sites``) always goes on."""
    from lambdalint.analysis.client_kinds import CONSTRUCTOR_LASTS, CONSTRUCTOR_ROOTS, last, root

    if text.sites and not text.is_test_path:
        return True  # calls a function of the project that makes a client (local_calls)
    extras = [str(extra) for extra in options.get("extra-clients", ()) or ()]
    roots = CONSTRUCTOR_ROOTS.union(root(extra) for extra in extras)  # "" is in every text
    if not any(name in text.text for name in roots):
        return False
    if text.is_test_path:
        return False  # a test file has no handler, so nothing runs per invocation
    facts = text.facts
    if facts is None:
        return True
    lasts = CONSTRUCTOR_LASTS.union(last(extra) for extra in extras)
    if "" in lasts or facts.opaque_call_in_function:
        return True
    return bool(facts.callees_in_functions & (lasts | facts.aliases))


class ClientPerInvocation(HelperCalls, ClientWording, ClientFix, PythonRule):
    """Clients created in code that runs per invocation, reported once the whole module is seen.

    The traversal collects constructor calls and the sessions they come from; ``leave_Module``
    drops those that moving would change (see the module docstring), then words each finding
    (``_client_wording``) and plans its fix (``_client_fix``, asking ``hoist_safety``). Calls of
    the project's own functions that make a client are matched and worded by ``_client_helpers``.
    """

    ID = META.id

    INVALID = (
        "import boto3\n\ndef lambda_handler(event, context):\n    s3 = boto3.client('s3')\n"
        "    return s3.list_buckets()\n",
        "import pymysql\n\ndef handler(event, context):\n    conn = pymysql.connect(host='db')\n"
        "    return conn.cursor().execute('select 1')\n",
        "from boto3 import resource\n\ndef table():\n    return resource('dynamodb').Table('t')\n\n"
        "def handler(event, context):\n    return table().scan()\n",
        "import requests\n\ndef handler(event, context):\n    with requests.Session() as http:\n"
        "        return http.get('https://example.com', timeout=5).status_code\n",
        "import boto3\n\nsession = boto3.Session()\n\ndef handler(event, context):\n"
        "    return session.client('sqs').send_message(QueueUrl='q', MessageBody='m')\n",
        # Through an import alias: the gate cannot tell what ``c`` is, LibCST's names can.
        "import boto3 as b\n\ndef handler(event, context):\n    return b.client('s3')\n",
        "from boto3 import client as c\n\ndef handler(event, context):\n    return c('s3')\n",
        # Opened and closed in every invocation: the handshake is paid each time (no fix).
        "import pymysql\n\ndef handler(event, context):\n    with pymysql.connect(host='db') as conn:\n"
        "        return conn.cursor().execute('select 1')\n",
        # Two clients, two fixes that move both to module scope.
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n"
        "    sqs = boto3.client('sqs')\n    return s3, sqs\n",
    )
    VALID = (
        "import boto3\n\ns3 = boto3.client('s3')\n\ndef lambda_handler(event, context):\n"
        "    return s3.list_buckets()\n",
        "import boto3\n\ndef lambda_handler(event, context):\n"
        "    return boto3.client('s3', region_name=event['region']).list_buckets()\n",
        "import boto3\n\n_s3 = None\n\ndef handler(event, context):\n    global _s3\n"
        "    if _s3 is None:\n        _s3 = boto3.client('s3')\n    return _s3.list_buckets()\n",
        "import functools, boto3\n\n@functools.lru_cache(maxsize=None)\ndef s3():\n"
        "    return boto3.client('s3')\n\ndef handler(event, context):\n    return s3().list_buckets()\n",
        # The suggestion for a connection opened and closed per invocation: one per environment.
        "import pymysql\n\n_connection = None\n\ndef connection():\n    global _connection\n"
        "    if _connection is None or not _connection.open:\n"
        "        _connection = pymysql.connect(host='db')\n    return _connection\n\n"
        "def handler(event, context):\n    return connection().cursor().execute('select 1')\n",
        "import boto3\n\ndef build(name):\n    return boto3.client(name)\n",
        "import boto3\nimport cfnresponse\n\ndef handler(event, context):\n"
        "    boto3.client('s3').put_object(Bucket='b', Key='k', Body=b'')\n"
        "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n",
        "import boto3\nfrom crhelper import CfnResource\n\nhelper = CfnResource()\n\n"
        "@helper.create\ndef create(event, context):\n    boto3.client('s3').list_buckets()\n\n"
        "def handler(event, context):\n    helper(event, context)\n",
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.handlers.per_invocation)
        extra = self.options.get("extra-clients", []) or []
        self.constructors: Dict[str, Kind] = dict(CONSTRUCTORS)
        for name in extra:
            self.constructors.setdefault(name.strip(), EXTRA)
        self.candidates: List[Candidate] = []
        # Local functions (other modules of the code tree) that make a client on every call.
        self.sites = {site.callee: site for site in ctx.client_sites}
        self.helper_calls: List[Tuple[Candidate, Any]] = []
        self.session_calls: List[Tuple[cst.Call, cst.FunctionDef]] = []  # x.client() on a name
        self.module_sessions: Dict[str, Kind] = {}
        self.function_sessions: List[Tuple[str, Kind]] = []  # assigned inside some function
        self.global_names: Set[str] = set()
        self.module_loop = False
        # The module imports cfnresponse or crhelper, or every function that runs it is the
        # ServiceToken of a CloudFormation custom resource.
        linked = ctx.all_linked()
        self.custom_resource = bool(linked) and all(f.custom_resource for f in linked)
        self._depth = 0  # functions and classes around the visited node
        self._outer: List[cst.FunctionDef] = []
        self._indexes: Dict[int, FunctionIndex] = {}
        self._module_index: Optional[ModuleIndex] = None
        self._calls: Dict[int, Set[str]] = {}  # id(outermost function) -> names it calls
        self._paths: Optional[Dict[str, List[str]]] = None
        self._safety: Optional[HoistSafety] = None
        # id(call) -> why the finding has no automatic fix, said in its suggestion.
        self.no_fix: Dict[int, str] = {}

    # -- traversal: collect, decide at the end ------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1
        self._outer.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1
        self._outer.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if self._custom_resource_module(alias.name):
                self.custom_resource = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative and \
                self._custom_resource_module(node.module):
            self.custom_resource = True

    @staticmethod
    def _custom_resource_module(name: cst.BaseExpression) -> bool:
        """``cfnresponse`` (the module CloudFormation gives inline custom-resource code) and
        ``crhelper`` mark a CloudFormation custom resource: it runs when the stack changes, not
        per request, so a client made per invocation costs nothing worth reporting."""
        top = name
        while isinstance(top, cst.Attribute):
            top = top.value
        return isinstance(top, cst.Name) and top.value in CUSTOM_RESOURCE_MODULES

    def visit_Global(self, node: cst.Global) -> None:
        self.global_names.update(item.name.value for item in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.active or not isinstance(node.value, cst.Call):
            return
        kind = self._constructor(node.value)
        if kind is None or not kind.session:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if self._depth == 0:
                    self.module_sessions[target.target.value] = kind
                elif self._outer:
                    self.function_sessions.append((target.target.value, kind))

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        if self._depth == 0:
            if self.qualified_names(node.func) & EVENT_LOOPS:
                self.module_loop = True
            return
        if not self._outer:
            return
        if isinstance(node.func, cst.Name):
            self._calls.setdefault(id(self._outer[0]), set()).add(node.func.value)
        names = self.qualified_names(node.func)
        matched = sorted(n for n in names if n in self.constructors)
        func = node.func
        if matched:
            if self.runs_per_invocation(node):
                rng = self.position(node)
                self.candidates.append(Candidate(node, matched[0], self.constructors[matched[0]],
                                                  self._outer[0], (rng[0], rng[1])))
        elif self.sites and self._site(names) is not None:
            if self.runs_per_invocation(node):
                site = self._site(names)
                self.helper_calls.append((self._helper_candidate(node, site, self._outer[0]),
                                          site))
        elif (isinstance(func, cst.Attribute) and func.attr.value in SESSION_METHODS
              and isinstance(func.value, cst.Name) and self.runs_per_invocation(node)):
            self.session_calls.append((node, self._outer[0]))

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.active or self.custom_resource or \
                not (self.candidates or self.session_calls or self.helper_calls):
            return
        for name, kind in self.function_sessions:
            if name in self.global_names:
                self.module_sessions.setdefault(name, kind)
        reported: List[Candidate] = []
        for candidate in self.candidates:
            if self._silent(candidate):
                continue
            reported.append(candidate)
        for call, function in self.session_calls:
            candidate = self._session_client(call, function)
            if candidate is not None and not self._silent(candidate):
                reported.append(candidate)
        inner: Set[int] = set()
        for candidate in reported:
            for call in chain_calls(candidate.call)[1:]:
                inner.add(id(call))
        reported = [c for c in reported if id(c.call) not in inner]
        reported.sort(key=lambda c: c.position)
        reopened = {id(c.call) for c in reported if self._reopens(c)}
        fixes = self._plan_fixes([c for c in reported if id(c.call) not in reopened])
        for candidate in reported:
            if id(candidate.call) in reopened:
                self._report_reopened(candidate)
            else:
                self._report(candidate, fixes.get(id(candidate.call)))
        for candidate, site in self.helper_calls:
            if not self._helper_silent(candidate, site):
                self._report_helper(candidate, site)

    # -- which calls make clients ---------------------------------------------------------------

    def _constructor(self, call: cst.Call) -> Optional[Kind]:
        for name in sorted(self.qualified_names(call.func)):
            if name in self.constructors:
                return self.constructors[name]
        return None

    def _session_client(self, call: cst.Call, function: cst.FunctionDef) -> Optional[Candidate]:
        """``name.client(...)`` where ``name`` is a module-level (or global) session."""
        receiver = call.func.value.value
        index = self._index(function)
        if index.is_local(receiver):
            return None  # a session made in this function: its creation is the finding
        kind = self.module_sessions.get(receiver)
        if kind is None:
            return None
        client_kind = ASYNC if kind.session == "aio" else SDK
        rng = self.position(call)
        return Candidate(call, f"{receiver}.{call.func.attr.value}", client_kind, function,
                          (rng[0], rng[1]))

    # -- when moving it would be wrong ------------------------------------------------------------

    def _silent(self, candidate: Candidate) -> bool:
        call, kind = candidate.call, candidate.kind
        index = self._index(candidate.function)
        if self._evaluated_outside(call, candidate.function):
            return True
        if self._in_cached_function(call):
            return True
        if self._in_except(call, candidate.function):
            return True  # made again after a failure, on purpose
        if kind.loop_bound and not self.module_loop:
            return True  # each invocation's asyncio.run() has its own loop: nothing to reuse
        if not all(self._stable(arg.value, index, set()) for arg in chain_args(call)):
            return True  # built from the event or from this invocation's values
        if self._persisted(call, index):
            return True
        # A connection the function opens and closes again is reported too (the handshake per
        # invocation is the cost), with its own wording and never a fix: see ``_reopens``.
        return False

    def _reopens(self, candidate: Candidate) -> bool:
        """A database connection this invocation opens and closes itself (``with``,
        ``contextlib.closing``, ``.close()``): moving it changes when it closes, so the finding
        says how to keep one per execution environment instead of offering a fix."""
        return candidate.kind.closable and self._closed_here(candidate.call,
                                                             self._index(candidate.function))

    def _evaluated_outside(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        """Defaults and decorators of the outermost function run at import, not per invocation."""
        child: cst.CSTNode = call
        parent = self.parent(child)
        while parent is not None and parent is not function:
            child, parent = parent, self.parent(parent)
        return parent is function and child is not function.body

    def _in_except(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        node = self.parent(call)
        while node is not None and node is not function:
            if isinstance(node, EXCEPT_HANDLERS):
                return True
            node = self.parent(node)
        return False

    def _in_cached_function(self, call: cst.Call) -> bool:
        node = self.parent(call)
        while node is not None:
            if isinstance(node, cst.FunctionDef):
                for decorator in node.decorators:
                    expr = decorator.decorator
                    if isinstance(expr, cst.Call):
                        expr = expr.func
                    if (dotted_name(expr) or "").rpartition(".")[2] in CACHE_DECORATORS:
                        return True
            node = self.parent(node)
        return False

    def _assignment(self, call: cst.Call) -> Optional[cst.CSTNode]:
        """The assignment that stores the client (through ``x or ...``, ``... if ... else``)."""
        node: cst.CSTNode = call
        parent = self.parent(node)
        # boto3.resource(...).Table(name): sub-resources (capitalised) are lazy, made in memory.
        if isinstance(parent, cst.Attribute) and parent.attr.value[:1].isupper():
            outer = self.parent(parent)
            if isinstance(outer, cst.Call) and outer.func is parent:
                node, parent = outer, self.parent(outer)
        while isinstance(parent, (cst.BooleanOperation, cst.IfExp, cst.Await)):
            if isinstance(parent, cst.IfExp) and node is parent.test:
                return None
            node, parent = parent, self.parent(parent)
        if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is node:
            return parent
        return None

    def _persisted(self, call: cst.Call, index: FunctionIndex) -> bool:
        """Stored where it outlives the invocation: a global, a module-level dict or object.

        An attribute set under an ``if`` that tests it (``if self._s3 is None: self._s3 = ...``)
        is a lazy cache too, whatever object holds it.
        """
        assignment = self._assignment(call)
        if assignment is None:
            return False
        if self._guarded(assignment):
            return True
        if isinstance(assignment, cst.Assign):
            targets = [t.target for t in assignment.targets]
        else:
            targets = [assignment.target]
        stored_names = {name for target, name in index.stored
                        if not index.is_local(root_name(target) or "")}
        for target in targets:
            if isinstance(target, cst.Name):
                if target.value in index.globals or target.value in stored_names:
                    return True
            elif isinstance(target, (cst.Attribute, cst.Subscript)):
                root = root_name(target)
                if root is not None and not index.is_local(root):
                    return True
        return False

    def _guarded(self, assignment: cst.CSTNode) -> bool:
        targets = (assignment.targets if isinstance(assignment, cst.Assign) else [])
        words = set()
        for target in targets:
            node = target.target
            if isinstance(node, cst.Subscript):
                node = node.value
            if isinstance(node, cst.Attribute):
                words.add(node.attr.value)
        if not words:
            return False
        node = self.parent(assignment)
        while node is not None and not isinstance(node, cst.FunctionDef):
            if isinstance(node, cst.If):
                test = self._code(node.test)
                if any(re.search(r"\b%s\b" % re.escape(word), test) for word in words):
                    return True
            node = self.parent(node)
        return False

    def _closed_here(self, call: cst.Call, index: FunctionIndex) -> bool:
        parent = self.parent(call)
        if isinstance(parent, cst.Arg):
            outer = self.parent(parent)
            if isinstance(outer, cst.Call) and (dotted_name(outer.func) or "").endswith("closing"):
                parent = self.parent(outer)
        if isinstance(parent, cst.WithItem):
            return True
        assignment = self._assignment(call)
        if isinstance(assignment, cst.Assign):
            return any(isinstance(t.target, cst.Name) and t.target.value in index.closed
                       for t in assignment.targets)
        return False

    def _stable(self, expr: cst.BaseExpression, index: FunctionIndex, seen: Set[str],
                depth: int = 0) -> bool:
        """True when ``expr`` has the same value at import time as in the handler."""
        if depth > 40:
            return False
        again = lambda e: self._stable(e, index, seen, depth + 1)  # noqa: E731
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
            return True
        if isinstance(expr, cst.ConcatenatedString):
            return again(expr.left) and again(expr.right)
        if isinstance(expr, cst.FormattedString):
            return all(again(part.expression) for part in expr.parts
                       if isinstance(part, cst.FormattedStringExpression))
        if isinstance(expr, cst.Name):
            name = expr.value
            if name in ("True", "False", "None"):
                return True
            if name in index.params or name in index.globals:
                return False
            if name in index.values:
                if name in seen:
                    return False
                values = index.values[name]
                seen.add(name)
                try:
                    return all(v is not None and again(v) for v in values)
                finally:
                    seen.discard(name)
            if name in index.imports:
                return True
            # Module level: the same at import, unless a function rebinds it or this one
            # changes it in place (CONFIG["region"] = event["region"]).
            return name not in self.global_names and name not in index.mutated
        if isinstance(expr, cst.Attribute):
            return again(expr.value)
        if isinstance(expr, cst.Subscript):
            if not again(expr.value):
                return False
            for element in expr.slice:
                inner = element.slice
                if isinstance(inner, cst.Index):
                    if not again(inner.value):
                        return False
                else:
                    parts = [inner.lower, inner.upper, inner.step]
                    if not all(p is None or again(p) for p in parts):
                        return False
            return True
        if isinstance(expr, cst.Call):
            if not self.qualified_names(expr.func) & STABLE_CALLS:
                return False
            return all(again(arg.value) for arg in expr.args)
        if isinstance(expr, cst.BinaryOperation):
            return again(expr.left) and again(expr.right)
        if isinstance(expr, cst.BooleanOperation):
            return again(expr.left) and again(expr.right)
        if isinstance(expr, cst.UnaryOperation):
            return again(expr.expression)
        if isinstance(expr, cst.Comparison):
            return again(expr.left) and all(again(c.comparator) for c in expr.comparisons)
        if isinstance(expr, cst.IfExp):
            return again(expr.test) and again(expr.body) and again(expr.orelse)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return all(again(e.value) for e in expr.elements)
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    if not (again(element.key) and again(element.value)):
                        return False
                elif not again(element.value):
                    return False
            return True
        return False

    # -- per-function and per-module facts -------------------------------------------------------

    def _index(self, function: cst.FunctionDef) -> FunctionIndex:
        key = id(function)
        if key not in self._indexes:
            index = FunctionIndex()
            function.params.visit(index)
            function.body.visit(index)
            self._indexes[key] = index
        return self._indexes[key]

    @property
    def module_index(self) -> ModuleIndex:
        if self._module_index is None:
            self._module_index = index_module(self.ctx.file.module)
        return self._module_index


Rule = ClientPerInvocation
