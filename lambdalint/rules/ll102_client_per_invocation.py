"""LL102 client-per-invocation: an SDK or database client built on every invocation.

Lambda keeps the execution environment between invocations, so whatever module scope creates is
reused; a client created inside the handler (or in code the handler calls) pays again for its
set-up, its credentials lookup and its TLS connections every time. The rule stays silent wherever
moving the creation would change what the code does: clients built from the event or from values
computed in this invocation (assumed-role credentials, a region from the event), lazily cached
clients, cached factories, database connections the function closes itself, and asyncio clients
when every invocation runs its own event loop.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import ParentNodeProvider

from lambdalint.analysis.handlers import dotted_name
from lambdalint.findings import Edit, Fix
from lambdalint.rules.base import PythonRule
from lambdalint.rules.hoist_safety import HoistSafety
from lambdalint.sources.python import detect_newline
from lambdalint.rules.meta import Option, RuleMeta

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


@dataclass(frozen=True)
class Kind:
    """What sort of client a constructor makes, which decides how the rule treats it."""

    label: str
    movable: bool  # creating it does no network I/O, so --fix may move it to import time
    closable: bool  # a connection code may open and close per invocation on purpose
    loop_bound: bool = False  # tied to the running asyncio event loop
    session: str = ""  # "sync" / "aio" for sessions whose .client() makes clients


SDK = Kind("sdk", movable=True, closable=False)
SESSION = Kind("session", movable=True, closable=False, session="sync")
AIO_SESSION = Kind("session", movable=True, closable=False, session="aio")
HTTP = Kind("http", movable=True, closable=False)
LAZY_DB = Kind("db", movable=True, closable=True)  # connects on first use
CONNECT = Kind("connect", movable=False, closable=True)  # connects when called
ASYNC = Kind("async", movable=False, closable=False, loop_bound=True)
EXTRA = Kind("extra", movable=False, closable=True)


def _kinds(kind: Kind, names: str) -> Dict[str, Kind]:
    return {name: kind for name in names.split()}


# Qualified names as LibCST resolves them; a call in a chain drops out of the name, so
# ``boto3.Session().client`` resolves to ``boto3.Session.client``.
CONSTRUCTORS: Dict[str, Kind] = {
    **_kinds(SDK, """
        boto3.client boto3.resource
        boto3.Session.client boto3.Session.resource
        boto3.session.Session.client boto3.session.Session.resource
        botocore.session.get_session.create_client botocore.session.Session.create_client
    """),
    **_kinds(SESSION, "boto3.Session boto3.session.Session botocore.session.get_session "
                      "botocore.session.Session"),
    **_kinds(AIO_SESSION, "aioboto3.Session aioboto3.session.Session "
                          "aiobotocore.session.get_session aiobotocore.session.AioSession"),
    **_kinds(HTTP, """
        requests.Session requests.session requests.sessions.Session requests.sessions.session
        httpx.Client urllib3.PoolManager urllib3.poolmanager.PoolManager
        elasticsearch.Elasticsearch opensearchpy.OpenSearch
    """),
    **_kinds(LAZY_DB, """
        redis.Redis redis.StrictRedis redis.client.Redis redis.client.StrictRedis
        redis.Redis.from_url redis.StrictRedis.from_url redis.from_url
        redis.RedisCluster redis.cluster.RedisCluster
        pymongo.MongoClient pymongo.mongo_client.MongoClient
        sqlalchemy.create_engine sqlalchemy.engine.create_engine
    """),
    **_kinds(CONNECT, """
        pymysql.connect pymysql.Connect pymysql.Connection pymysql.connections.Connection
        psycopg2.connect psycopg.connect psycopg.Connection.connect mysql.connector.connect
        pg8000.connect pg8000.native.Connection pyodbc.connect oracledb.connect
        redshift_connector.connect
    """),
    **_kinds(ASYNC, """
        aioboto3.Session.client aioboto3.Session.resource
        aioboto3.session.Session.client aioboto3.session.Session.resource
        aiobotocore.session.get_session.create_client aiobotocore.session.AioSession.create_client
        httpx.AsyncClient aiohttp.ClientSession
        redis.asyncio.Redis redis.asyncio.StrictRedis redis.asyncio.from_url
        redis.asyncio.Redis.from_url redis.asyncio.client.Redis
        motor.motor_asyncio.AsyncIOMotorClient pymongo.AsyncMongoClient
        elasticsearch.AsyncElasticsearch opensearchpy.AsyncOpenSearch
        sqlalchemy.ext.asyncio.create_async_engine
        asyncpg.connect asyncpg.create_pool aiomysql.connect aiomysql.create_pool
    """),
}

# Methods of a session object (boto3/aioboto3 ``client``/``resource``, botocore ``create_client``).
SESSION_METHODS = frozenset({"client", "resource", "create_client"})

# Calls whose result is the same at import time as in the handler, given the same arguments.
STABLE_CALLS = frozenset("""
    os.environ.get os.getenv os.path.join
    builtins.str builtins.int builtins.float builtins.bool builtins.dict builtins.list
    builtins.tuple builtins.frozenset builtins.set
    botocore.config.Config botocore.client.Config
    urllib3.Retry urllib3.util.Retry urllib3.util.retry.Retry urllib3.Timeout
    urllib3.util.Timeout urllib3.util.timeout.Timeout
    httpx.Timeout httpx.Limits requests.adapters.HTTPAdapter
""".split())

# Decorators (last dotted component) that make a function build its result once.
CACHE_DECORATORS = frozenset({
    "cache", "lru_cache", "cached_property", "cached", "ttl_cache", "memoize", "memoized",
    "cache_resource", "once",
})

CLOSE_METHODS = frozenset({"close", "dispose", "disconnect", "aclose"})
MUTATORS = CLOSE_METHODS | frozenset({"mount", "register", "set_credentials", "set_config_variable",
                                      "set_stream_logger", "update", "clear", "pop", "setdefault"})
EVENT_LOOPS = frozenset({"asyncio.new_event_loop", "asyncio.get_event_loop"})
BUILTINS = frozenset(dir(builtins))

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXCEPT_HANDLERS = tuple(t for t in (cst.ExceptHandler, getattr(cst, "ExceptStarHandler", None)) if t)


# -- what a function binds ---------------------------------------------------------------------


class _FunctionIndex(cst.CSTVisitor):
    """Every name a function (with its nested scopes, conservatively merged) binds, and how.

    ``values[name]`` lists the expressions assigned to ``name``; None stands for a binding whose
    value is unknown (a loop target, an unpacking, a ``with ... as``), which is never stable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.params: Set[str] = set()
        self.values: Dict[str, List[Optional[cst.BaseExpression]]] = {}
        self.imports: Set[str] = set()
        self.globals: Set[str] = set()  # declared global or nonlocal
        self.deleted: Set[str] = set()
        self.closed: Set[str] = set()  # closed here: n.close(), with n:, closing(n)
        self.stored: List[Tuple[cst.BaseExpression, str]] = []  # (target, name) for x[k] = name
        # Objects changed in place (x.headers[...] = ..., x.mount(...), x.meta.events.register):
        # moved to module scope, the change would pile up or leak into the next invocation.
        self.mutated: Set[str] = set()

    def is_local(self, name: str) -> bool:
        return name not in self.globals and (
            name in self.params or name in self.values or name in self.imports)

    def _bind(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        if isinstance(target, cst.Name):
            self.values.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            root = _root_name(target)
            if root is not None:
                self.mutated.add(root)
            if isinstance(value, cst.Name):
                self.stored.append((target, value.value))

    def visit_Param(self, node: cst.Param) -> None:
        self.params.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name, None)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name, None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None)
        item = node.item
        if isinstance(item, cst.Call) and item.args and (dotted_name(item.func) or "").endswith("closing"):
            item = item.args[0].value
        if isinstance(item, cst.Name):
            self.closed.add(item.value)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                if isinstance(alias.asname.name, cst.Name):
                    self.imports.add(alias.asname.name.value)
            else:
                self.imports.add((dotted_name(alias.name) or "").split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            target = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(target, cst.Name):
                self.imports.add(target.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.globals.update(item.name.value for item in node.names)

    def visit_Del(self, node: cst.Del) -> None:
        for name in _names_in(node.target):
            self.deleted.add(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value in CLOSE_METHODS and isinstance(func.value, cst.Name):
            self.closed.add(func.value.value)
        root = _root_name(func.value)
        if root is not None and (not isinstance(func.value, cst.Name)
                                 or func.attr.value in MUTATORS):
            self.mutated.add(root)

    # Structural pattern matching binds names too (Python 3.10+ syntax LibCST parses anywhere).
    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name, None)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name, None)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind(node.rest, None)


class _LoadedNames(cst.CSTVisitor):
    """Names an expression reads (not attribute names, not keyword-argument names)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: List[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def _names_in(node: cst.CSTNode) -> List[str]:
    collector = _LoadedNames()
    node.visit(collector)
    return collector.names


def _root_name(node: cst.BaseExpression) -> Optional[str]:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


# -- what the module binds ---------------------------------------------------------------------


@dataclass
class _ModuleIndex:
    """Top-level bindings: where each name is bound (statement indexes), for --fix."""

    index_of: Dict[int, int] = field(default_factory=dict)  # id(top-level statement) -> index
    bound_at: Dict[str, List[int]] = field(default_factory=dict)
    assign_code: Dict[str, List[str]] = field(default_factory=dict)  # simple `name = value` lines
    functions: Dict[str, cst.FunctionDef] = field(default_factory=dict)  # module-level defs
    star_import: bool = False


def _index_module(module: cst.Module) -> _ModuleIndex:
    index = _ModuleIndex()
    for i, stmt in enumerate(module.body):
        index.index_of[id(stmt)] = i
        if isinstance(stmt, cst.FunctionDef):
            index.functions[stmt.name.value] = stmt
        collector = _TopLevelBindings()
        stmt.visit(collector)
        for name in collector.names:
            index.bound_at.setdefault(name, []).append(i)
        index.star_import = index.star_import or collector.star
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)):
                index.assign_code.setdefault(small.targets[0].target.value, []).append(
                    module.code_for_node(small).strip())
    return index


class _TopLevelBindings(cst.CSTVisitor):
    """Names one top-level statement binds in the module namespace."""

    def __init__(self) -> None:
        super().__init__()
        self.names: List[str] = []
        self.star = False

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.names.append(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.append(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.append(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._target(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self._target(alias.asname.name)
            else:
                self.names.append((dotted_name(alias.name) or "").split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.star = True
            return
        for alias in node.names:
            self._target(alias.asname.name if alias.asname is not None else alias.name)


# -- a planned move for --fix --------------------------------------------------------------------


@dataclass
class _Move:
    name: str
    code: str  # the assignment without comments, to compare two handlers' versions
    first_line: int
    last_line: int
    text: str  # dedented lines as they go to module scope
    delete_only: bool  # the module already holds this very assignment


@dataclass
class _Plan:
    function: cst.FunctionDef
    index: int  # the function's top-level statement index: the insertion point
    moves: List[_Move]
    names: List[str]  # names the moved code reads from module scope


@dataclass
class _Candidate:
    call: cst.Call
    qualified: str
    kind: Kind
    function: cst.FunctionDef  # the outermost function around the call
    position: Tuple[int, int]


# Modules only CloudFormation custom-resource code imports (stack events, not requests).
CUSTOM_RESOURCE_MODULES = frozenset({"cfnresponse", "crhelper"})


class ClientPerInvocation(PythonRule):
    ID = "LL102"

    INVALID = (
        "import boto3\n\ndef lambda_handler(event, context):\n    s3 = boto3.client('s3')\n"
        "    return s3.list_buckets()\n",
        "import pymysql\n\ndef handler(event, context):\n    conn = pymysql.connect(host='db')\n"
        "    return conn.cursor().execute('select 1')\n",
        "from boto3 import resource\n\ndef table():\n    return resource('dynamodb').Table('t')\n\n"
        "def handler(event, context):\n    return table().scan()\n",
        "import requests\n\ndef handler(event, context):\n    with requests.Session() as http:\n"
        "        return http.get('https://example.com').status_code\n",
        "import boto3\n\nsession = boto3.Session()\n\ndef handler(event, context):\n"
        "    return session.client('sqs').send_message(QueueUrl='q', MessageBody='m')\n",
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
        "import pymysql\n\ndef handler(event, context):\n    with pymysql.connect(host='db') as conn:\n"
        "        return conn.cursor().execute('select 1')\n",
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
        self.candidates: List[_Candidate] = []
        self.session_calls: List[Tuple[cst.Call, cst.FunctionDef]] = []  # x.client() on a name
        self.module_sessions: Dict[str, Kind] = {}
        self.function_sessions: List[Tuple[str, Kind]] = []  # assigned inside some function
        self.global_names: Set[str] = set()
        self.module_loop = False
        self.custom_resource = False  # the module imports cfnresponse or crhelper
        self._depth = 0  # functions and classes around the visited node
        self._outer: List[cst.FunctionDef] = []
        self._indexes: Dict[int, _FunctionIndex] = {}
        self._module_index: Optional[_ModuleIndex] = None
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
                self.candidates.append(_Candidate(node, matched[0], self.constructors[matched[0]],
                                                  self._outer[0], (rng[0], rng[1])))
        elif (isinstance(func, cst.Attribute) and func.attr.value in SESSION_METHODS
              and isinstance(func.value, cst.Name) and self.runs_per_invocation(node)):
            self.session_calls.append((node, self._outer[0]))

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.active or self.custom_resource or not (self.candidates or self.session_calls):
            return
        for name, kind in self.function_sessions:
            if name in self.global_names:
                self.module_sessions.setdefault(name, kind)
        reported: List[_Candidate] = []
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
            for call in _chain_calls(candidate.call)[1:]:
                inner.add(id(call))
        reported = [c for c in reported if id(c.call) not in inner]
        reported.sort(key=lambda c: c.position)
        fixes = self._plan_fixes(reported)
        for candidate in reported:
            self._report(candidate, fixes.get(id(candidate.call)))

    # -- which calls make clients ---------------------------------------------------------------

    def _constructor(self, call: cst.Call) -> Optional[Kind]:
        for name in sorted(self.qualified_names(call.func)):
            if name in self.constructors:
                return self.constructors[name]
        return None

    def _session_client(self, call: cst.Call, function: cst.FunctionDef) -> Optional[_Candidate]:
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
        return _Candidate(call, f"{receiver}.{call.func.attr.value}", client_kind, function,
                          (rng[0], rng[1]))

    # -- when moving it would be wrong ------------------------------------------------------------

    def _silent(self, candidate: _Candidate) -> bool:
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
        if not all(self._stable(arg.value, index, set()) for arg in _chain_args(call)):
            return True  # built from the event or from this invocation's values
        if self._persisted(call, index):
            return True
        if kind.closable and self._closed_here(call, index):
            return True
        return False

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
            if isinstance(node, _EXCEPT_HANDLERS):
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

    def _persisted(self, call: cst.Call, index: _FunctionIndex) -> bool:
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
                        if not index.is_local(_root_name(target) or "")}
        for target in targets:
            if isinstance(target, cst.Name):
                if target.value in index.globals or target.value in stored_names:
                    return True
            elif isinstance(target, (cst.Attribute, cst.Subscript)):
                root = _root_name(target)
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

    def _closed_here(self, call: cst.Call, index: _FunctionIndex) -> bool:
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

    def _stable(self, expr: cst.BaseExpression, index: _FunctionIndex, seen: Set[str],
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

    def _index(self, function: cst.FunctionDef) -> _FunctionIndex:
        key = id(function)
        if key not in self._indexes:
            index = _FunctionIndex()
            function.params.visit(index)
            function.body.visit(index)
            self._indexes[key] = index
        return self._indexes[key]

    @property
    def module_index(self) -> _ModuleIndex:
        if self._module_index is None:
            self._module_index = _index_module(self.ctx.file.module)
        return self._module_index

    # -- the message ------------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        return self.ctx.file.module.code_for_node(node)

    def _describe(self, call: cst.Call) -> str:
        func = self._code(call.func)
        func = re.sub(r"\s+", "", func) if "\n" in func else func
        if not call.args:
            return f"{func}()"
        first = self._code(call.args[0]).strip().rstrip(",").strip()
        if len(first) > 40 or "\n" in first:
            return f"{func}(...)"
        return f"{func}({first}{', ...' if len(call.args) > 1 else ''})"

    def _where(self, function: cst.FunctionDef) -> str:
        name = function.name.value
        owner = self._owner_class(function)
        handlers = self.ctx.handlers.handlers
        if function in handlers:
            return f"of {name}"
        path = self._call_paths().get(name, []) if owner is None else []
        if path and self._top_level_function(path[-1]) is not function:
            path = []
        if len(path) == 2:
            return f"of {path[0]} (in {name}, which it calls)"
        if path:
            shown = path if len(path) <= 5 else path[:2] + ["..."] + path[-2:]
            return f"of {path[0]} (in {name}: {' -> '.join(shown)})"
        qualified = f"{owner}.{name}" if owner else name
        entry = [h.name.value for h in handlers] + list(getattr(self.ctx.handlers, "entry_points", []))
        if entry:
            return f"of {entry[0]} (in {qualified}, which it reaches)"
        return f"(in {qualified})"

    def _top_level_function(self, name: str) -> Optional[cst.FunctionDef]:
        return self.module_index.functions.get(name)

    def _call_paths(self) -> Dict[str, List[str]]:
        """Function name -> the shortest chain of direct calls from a handler that reaches it."""
        if self._paths is None:
            functions = self.module_index.functions
            calls = {name: self._calls.get(id(func), set()) & functions.keys()
                     for name, func in functions.items()}
            paths: Dict[str, List[str]] = {}
            for handler in self.ctx.handlers.handlers:
                start = handler.name.value
                if functions.get(start) is not handler:
                    continue
                queue = [[start]]
                seen = {start}
                while queue:
                    path = queue.pop(0)
                    paths.setdefault(path[-1], path)
                    for callee in sorted(calls.get(path[-1], ())):
                        if callee not in seen:
                            seen.add(callee)
                            queue.append(path + [callee])
            self._paths = paths
        return self._paths

    def _owner_class(self, function: cst.FunctionDef) -> Optional[str]:
        block = self.parent(function)
        owner = self.parent(block) if block is not None else None
        return owner.name.value if isinstance(owner, cst.ClassDef) else None

    def _report(self, candidate: _Candidate, fix: Optional[Fix]) -> None:
        call, kind = candidate.call, candidate.kind
        description = self._describe(call)
        message = f"{description} is created on every invocation {self._where(candidate.function)}"
        code = self._module_code(candidate)
        if kind.session == "aio":
            lead = ("Create the session once at module scope and reuse it; the clients it makes "
                    "(`async with session.client(...)`) belong to the invocation's event loop and "
                    "stay in the function:")
        elif kind.session and "\n" in code:
            lead = ("Create the session, and the clients made from it, once at module scope and "
                    "reuse them in every invocation:")
        else:
            lead = "Create it once at module scope and reuse it in every invocation:"
        notes = []
        if isinstance(self.parent(call), cst.WithItem) or self._in_with_item(call):
            notes.append("use the module-level one without `with`, which closes it at the end of "
                         "every invocation")
        if kind.closable and not kind.movable:
            notes.append("check that the connection is still open at the start of an invocation "
                         "and reconnect if not; or close it in this function (`with` or `finally`) "
                         "if you want one connection per invocation on purpose")
        if kind.loop_bound:
            notes.append("the module keeps one event loop, so the client can live as long")
        if self._in_loop(call, candidate.function):
            notes.append("here it is even created once per loop iteration")
        suggestion = lead + "\n\n" + "\n".join("    " + line for line in code.splitlines())
        if notes:
            suggestion += "\n\n" + "; ".join(notes).capitalize() + "."
        reason = self.no_fix.get(id(call))
        if fix is None and kind.movable and reason:
            suggestion += f"\n\nNo automatic fix: {reason}."
        self.report(call, message, suggestion, fix)

    def _in_with_item(self, call: cst.Call) -> bool:
        node = self.parent(call)
        while isinstance(node, (cst.Arg, cst.Call, cst.Attribute)):
            node = self.parent(node)
        return isinstance(node, cst.WithItem)

    def _in_loop(self, call: cst.Call, function: cst.FunctionDef) -> bool:
        node = self.parent(call)
        while node is not None and node is not function:
            if isinstance(node, (cst.For, cst.While, cst.CompFor)):
                return True
            node = self.parent(node)
        return False

    def _module_code(self, candidate: _Candidate) -> str:
        """The exact lines to put at module scope, for the suggestion."""
        call = candidate.call
        index = self._index(candidate.function)
        assignment = self._assignment(call)
        value: cst.BaseExpression = call
        name = None
        if isinstance(assignment, (cst.Assign, cst.AnnAssign)):
            target = assignment.targets[0].target if isinstance(assignment, cst.Assign) else assignment.target
            chain = _chain_calls(assignment.value) if isinstance(assignment.value, cst.Call) else []
            if isinstance(target, cst.Name) and any(c is call for c in chain):
                name = target.value
                value = assignment.value
        else:
            parent = self.parent(call)
            if isinstance(parent, cst.WithItem) and parent.asname is not None \
                    and isinstance(parent.asname.name, cst.Name):
                name = parent.asname.name.value
            elif isinstance(parent, cst.Attribute) and parent.value is call:
                # region = boto3.session.Session().region_name: the whole line can move.
                outer = self.parent(parent)
                if (isinstance(outer, cst.Assign) and outer.value is parent
                        and len(outer.targets) == 1 and isinstance(outer.targets[0].target, cst.Name)):
                    return self._code(outer).strip()
        lines = [f"{name or _default_name(call, candidate.kind)} = {self._inlined(value, index)}"]
        if candidate.kind.session == "sync" and name:
            for dependent in self._dependents(name, candidate.function):
                if all(self._stable(a.value, index, set())
                       for a in _chain_args(dependent.body[0].value)):
                    lines.append(self._code(dependent.body[0]).strip())
        return "\n".join(lines)

    def _inlined(self, call: cst.Call, index: _FunctionIndex) -> str:
        """The call's code with stable local arguments replaced by what they hold."""
        args = []
        changed = False
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Name) and value.value in index.values:
                values = index.values[value.value]
                if len(values) == 1 and values[0] is not None and self._stable(values[0], index, set()):
                    arg = arg.with_changes(value=values[0])
                    changed = True
            args.append(arg)
        code = self._code(call.with_changes(args=args) if changed else call)
        return code.strip()

    def _dependents(self, session_name: str, function: cst.FunctionDef) -> List[cst.SimpleStatementLine]:
        """Statements ``x = session.client(...)`` directly in ``function``'s body."""
        found = []
        body = function.body
        if not isinstance(body, cst.IndentedBlock):
            return found
        for stmt in body.body:
            if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
                continue
            small = stmt.body[0]
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)):
                continue
            value = small.value
            if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value in SESSION_METHODS
                    and isinstance(value.func.value, cst.Name)
                    and value.func.value.value == session_name):
                found.append(stmt)
        return found

    # -- the fix ----------------------------------------------------------------------------------

    def _plan_fixes(self, reported: Sequence[_Candidate]) -> Dict[int, Fix]:
        """Fixes by id(call): move each safe creation to module scope, converging across handlers."""
        text = self.ctx.file.text
        if self.ctx.file.line_offset or self.ctx.file.column_offset:
            return {}  # inline code in a template: no fixes
        if "\r" in text.replace("\r\n", ""):
            return {}  # lone CR line breaks: lines would not match the fix engine's
        if self.module_index.star_import:
            return {}  # any name may come from the star import: nothing is provably free
        lines = _split_lines(text)
        plans: Dict[int, _Plan] = {}
        for candidate in reported:
            plan = self._plan(candidate, lines)
            if plan is not None:
                plans[id(candidate.call)] = plan
        if not plans:
            return {}
        # The same name must mean the same code everywhere, or the moves would fight.
        codes: Dict[str, Set[str]] = {}
        for plan in plans.values():
            for move in plan.moves:
                codes.setdefault(move.name, set()).add(move.code)
        for key, plan in plans.items():
            clash = [m.name for m in plan.moves if len(codes[m.name]) != 1]
            if clash:
                self.no_fix[key] = f"another function makes a different `{clash[0]}`"
        plans = {k: p for k, p in plans.items() if all(len(codes[m.name]) == 1 for m in p.moves)}
        # Keep at least one statement in every function body.
        by_function: Dict[int, List[int]] = {}
        for key, plan in plans.items():
            by_function.setdefault(id(plan.function), []).append(key)
        for keys in by_function.values():
            function = plans[keys[0]].function
            total = len(function.body.body)
            removed = 0
            for key in list(keys):
                removed += len(plans[key].moves)
                if removed >= total:
                    del plans[key]
                    self.no_fix[key] = "the function would be left without a statement"
        # Identical moves from several functions go to one place: the earliest that works.
        by_text: Dict[str, List[_Plan]] = {}
        for plan in plans.values():
            if not all(m.delete_only for m in plan.moves):
                by_text.setdefault("".join(m.text for m in plan.moves), []).append(plan)
        anchor: Dict[int, int] = {}
        for group in by_text.values():
            # Same code, same names: the earliest function's place has them all defined too.
            best = min(plan.index for plan in group)
            for plan in group:
                anchor[id(plan)] = best
        newline = detect_newline(text) or "\n"
        fixes: Dict[int, Fix] = {}
        for key, plan in plans.items():
            where = anchor.get(id(plan), plan.index)
            # Module code below the new place now runs after the creation, not before it.
            start = min([where] + [min(self.module_index.bound_at[m.name])
                                   for m in plan.moves if m.delete_only])
            reason = self.safety.why_not_below(start)
            if reason:
                self.no_fix[key] = reason
                continue
            fixes[key] = self._fix(plan, where, newline, lines)
        return fixes

    def _plan(self, candidate: _Candidate, lines: List[str]) -> Optional[_Plan]:
        if not candidate.kind.movable:
            return None
        function = candidate.function
        module = self.ctx.file.module
        if self.parent(function) is not module:
            return None
        position = self.module_index.index_of.get(id(function))
        if position is None or position == 0:
            return None
        index = self._index(function)
        main = self._move(candidate.call, function, index, lines, set())
        if main is None:
            self._explain_structure(candidate.call, function)
            return None
        moves = [main]
        names = self._move_names(candidate.call)
        if not self._names_defined(names, position, index):
            self.no_fix[id(candidate.call)] = ("its arguments read a name that is not bound "
                                               "only above the function at module level")
            return None
        reason = self._unsafe(candidate.call, function, main.name, names)
        if reason:
            self.no_fix[id(candidate.call)] = reason
            return None
        if candidate.kind.session == "sync":
            defined = {main.name}
            for stmt in self._dependents(main.name, function):
                call = stmt.body[0].value
                if not all(self._stable(a.value, index, set()) for a in _chain_args(call)):
                    continue
                move = self._move(call, function, index, lines, defined)
                if move is None:
                    continue
                dep_names = [n for n in self._move_names(call) if n not in defined]
                if not self._names_defined(dep_names, position, index):
                    continue
                if self._unsafe(call, function, move.name, dep_names):
                    continue
                moves.append(move)
                names.extend(dep_names)
                defined.add(move.name)
        if not self._names_defined(names, position, index):
            return None
        return _Plan(function, position, moves, names)

    @property
    def safety(self) -> HoistSafety:
        if self._safety is None:
            # The parent map read once: the analysis climbs the tree often, and each
            # get_metadata call costs a metadata lookup.
            parents = self.ctx.metadata(ParentNodeProvider)
            self._safety = HoistSafety(
                self.ctx.file.module, parents.get, self.qualified_names,
                lambda node: self.position(node)[0], self.ctx.handlers.handlers,
                set(self.constructors) | STABLE_CALLS, self._local_names)
        return self._safety

    def _local_names(self, function: cst.FunctionDef) -> Set[str]:
        index = self._index(function)
        return {n for n in (*index.params, *index.values, *index.imports) if index.is_local(n)}

    def _unsafe(self, call: cst.Call, function: cst.FunctionDef, name: str,
                names: Sequence[str]) -> Optional[str]:
        """Why moving the statement that creates ``call`` may change behaviour (hoist_safety)."""
        assignment = self._assignment(call)
        stmt = self.parent(assignment) if assignment is not None else None
        if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(assignment, cst.Assign):
            return "it is not a plain assignment"
        return self.safety.why_not(function, stmt, name, assignment.value, names)

    def _explain_structure(self, call: cst.Call, function: cst.FunctionDef) -> None:
        """Record why ``_move`` refused, when the reason is where the creation sits."""
        node = self.parent(call)
        where = ""
        while node is not None and node is not function:
            if isinstance(node, (cst.For, cst.While, cst.CompFor)):
                where = "in a loop"
            elif isinstance(node, cst.If) and not where:
                where = "under `if`"
            elif isinstance(node, cst.Try) and not where:
                where = "inside `try`"
            elif isinstance(node, (cst.With, cst.WithItem)) and not where:
                where = "in a `with`"
            elif isinstance(node, (cst.Match, cst.MatchCase)) and not where:
                where = "in a `match` arm"
            elif isinstance(node, (cst.FunctionDef, cst.Lambda)) and not where:
                where = "in a nested function"
            node = self.parent(node)
        if where:
            self.no_fix[id(call)] = f"it is created {where}, so not on every invocation"
            return
        assignment = self._assignment(call)
        targets = assignment.targets if isinstance(assignment, cst.Assign) else []
        if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
            return
        name = targets[0].target.value
        index = self._index(function)
        if name in index.mutated or name in index.closed:
            self.no_fix[id(call)] = "the function changes or closes it after creating it"
        elif len(index.values.get(name, ())) != 1:
            self.no_fix[id(call)] = f"`{name}` is assigned more than once in the function"

    def _move_names(self, call: cst.Call) -> List[str]:
        assignment = self._assignment(call)
        return _names_in(assignment.value) if assignment is not None else []

    def _names_defined(self, names: Iterable[str], position: int,
                       index: Optional[_FunctionIndex] = None) -> bool:
        """Every name is bound at module level only by statements before ``position``."""
        bound = self.module_index.bound_at
        for name in names:
            if index is not None and index.is_local(name):
                return False
            if name in self.global_names:
                return False
            where = bound.get(name)
            if where is None:
                if name not in BUILTINS:
                    return False
                continue
            if max(where) >= position:
                return False
        return True

    def _move(self, call: cst.Call, function: cst.FunctionDef, index: _FunctionIndex,
              lines: List[str], defined: Set[str]) -> Optional[_Move]:
        """The statement ``name = <call>`` as a move, or None when moving it is not plainly safe."""
        assignment = self._assignment(call)
        if not isinstance(assignment, cst.Assign) or len(assignment.targets) != 1:
            return None
        value = assignment.value
        if value is not call and not (isinstance(value, cst.Call)
                                      and isinstance(value.func, cst.Attribute)
                                      and value.func.value is call):
            return None  # x or client(...), client(...) if ... else ...: not a plain creation
        target = assignment.targets[0].target
        if not isinstance(target, cst.Name):
            return None
        name = target.value
        stmt = self.parent(assignment)
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        block = self.parent(stmt)
        if not isinstance(block, cst.IndentedBlock) or self.parent(block) is not function:
            return None
        if (len(index.values.get(name, ())) != 1 or name in index.params or name in index.globals
                or name in index.deleted or name in index.imports or name in BUILTINS
                or name in index.mutated or name in index.closed
                or name in self.global_names or not _IDENTIFIER.match(name)):
            return None
        code = self._code(assignment).strip()
        existing = self.module_index.bound_at.get(name)
        delete_only = False
        if existing is not None:
            if len(existing) == 1 and self.module_index.assign_code.get(name) == [code]:
                delete_only = True
            else:
                return None
        if any(self._multiline_string(node) for node in _strings(value)):
            return None
        start = self.position(stmt)
        first, last = start[0], start[2]
        if last > len(lines):
            return None
        block_lines = lines[first - 1:last]
        indent = block_lines[0][: len(block_lines[0]) - len(block_lines[0].lstrip(" \t"))]
        if not indent:
            return None
        moved = "".join(line[len(indent):] if line.startswith(indent) else line
                        for line in block_lines)
        if not moved.endswith("\n"):
            moved += detect_newline(self.ctx.file.text) or "\n"
        return _Move(name, code, first, last, moved, delete_only)

    def _multiline_string(self, node: cst.CSTNode) -> bool:
        rng = self.position(node)
        return rng[0] != rng[2]

    def _fix(self, plan: _Plan, anchor_index: int, newline: str, lines: List[str]) -> Fix:
        edits: List[Edit] = []
        inserted = [m for m in plan.moves if not m.delete_only]
        if inserted:
            anchor = self.ctx.file.module.body[anchor_index]
            line, blanks = self._insertion_line(anchor)
            if blanks:
                edits.append(Edit(line, 1, line, 1, newline * blanks))
            edits.append(Edit(line, 1, line, 1, "".join(m.text for m in inserted)))
        for move in plan.moves:
            edits.append(Edit(move.first_line, 1, move.last_line + 1, 1, ""))
        first = plan.moves[0]
        if first.delete_only:
            description = f"Use the module-level `{first.name}` instead of creating it here"
        else:
            description = f"Move `{first.code.splitlines()[0]}` to module scope"
        return Fix(description, tuple(edits))

    def _insertion_line(self, statement: cst.CSTNode) -> Tuple[int, int]:
        """Where a module-level statement goes above ``statement``: (line, blank lines to add).

        Above the statement's decorators and the comments attached to it, keeping the blank lines
        that separated it from the code before: the new code gets as many on its other side.
        """
        header = statement
        decorators = getattr(statement, "decorators", ())
        if decorators:
            header = decorators[0]
        line = self.position(header)[0]
        leading = list(getattr(statement, "leading_lines", ()))
        comments = 0
        while leading and leading[-1].comment is not None:
            leading.pop()
            comments += 1
        blanks = 0
        while leading and leading[-1].comment is None:
            leading.pop()
            blanks += 1
        return line - comments - blanks, blanks


# -- small helpers -----------------------------------------------------------------------------


def _chain_calls(call: cst.Call) -> List[cst.Call]:
    """``a().b().c()`` -> [c-call, b-call, a-call]: the call and those its callee is built on."""
    calls = [call]
    node: cst.BaseExpression = call.func
    while True:
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            calls.append(node)
            node = node.func
        else:
            return calls


def _chain_args(call: cst.Call) -> List[cst.Arg]:
    return [arg for c in _chain_calls(call) for arg in c.args]


class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: List[cst.CSTNode] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.found.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.found.append(node)


def _strings(node: cst.CSTNode) -> List[cst.CSTNode]:
    collector = _Strings()
    node.visit(collector)
    return collector.found


def _split_lines(text: str) -> List[str]:
    """Lines ending at "\\n" only, as Python's tokenizer (and the fix engine) count them."""
    parts = text.split("\n")
    result = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        result.append(parts[-1])
    return result


def _default_name(call: cst.Call, kind: Kind) -> str:
    func = call.func
    attr = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else "")
    services = [a.value for a in call.args if a.keyword is None or a.keyword.value == "service_name"]
    if attr in ("client", "resource", "create_client") and services:
        first = services[0]
        value = first.evaluated_value if isinstance(first, cst.SimpleString) else None
        if isinstance(value, str):
            service = re.sub(r"[^A-Za-z0-9_]", "_", value)
            if _IDENTIFIER.match(service) and service not in BUILTINS:
                return service
    return {"sdk": "client", "session": "session", "http": "http", "db": "db",
            "connect": "connection", "async": "client"}.get(kind.label, "client")


Rule = ClientPerInvocation
