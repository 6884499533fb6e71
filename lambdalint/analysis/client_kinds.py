"""What makes a client (LL102, LL105, the local-module summaries): which calls make one, what
kind, and what the gate looks for.

Plain tables, no LibCST: the pre-filter's gate (``ll102_client_per_invocation.gate``) reads them
to pass over files that create no client without parsing them.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional


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
# ORM databases the code also opens by name (peewee's ``db.connect()``, mongoengine's alias
# registry): moving the object alone would leave a second ``connect()`` per invocation.
REGISTERED_DB = Kind("db", movable=False, closable=True)
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
    **_kinds(REGISTERED_DB, """
        peewee.PostgresqlDatabase peewee.MySQLDatabase peewee.CockroachDatabase
        playhouse.pool.PooledPostgresqlDatabase playhouse.pool.PooledMySQLDatabase
        playhouse.postgres_ext.PostgresqlExtDatabase mongoengine.connect
    """),
    **_kinds(CONNECT, """
        pymysql.connect pymysql.Connect pymysql.Connection pymysql.connections.Connection
        psycopg2.connect psycopg.connect psycopg.Connection.connect mysql.connector.connect
        pg8000.connect pg8000.native.Connection pyodbc.connect oracledb.connect
        redshift_connector.connect MySQLdb.connect MySQLdb.Connect pymssql.connect
        snowflake.connector.connect
        psycopg2.pool.SimpleConnectionPool psycopg2.pool.ThreadedConnectionPool
        psycopg_pool.ConnectionPool
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

# How a driver's connection says it was closed or dropped (for LL102's "open it again when
# lost"): psycopg2/psycopg ``closed``, PyMySQL/mysqlclient ``open``, MySQL Connector
# ``is_connected()``. Clients that reconnect by themselves (Redis, MongoDB, SQLAlchemy engines,
# peewee databases reopen on use) need none. Keyed by the constructor's module.
_RECONNECT_TESTS = (
    ("psycopg2.", "_connection.closed"),
    ("psycopg.", "_connection.closed"),
    ("pymysql.", "not _connection.open"),
    ("MySQLdb.", "not _connection.open"),
    ("mysql.connector.", "not _connection.is_connected()"),
)
_SELF_RECONNECTING = ("redis.", "pymongo.", "sqlalchemy.", "peewee.", "playhouse.", "mongoengine.")


def reconnect_test(qualified: str) -> Optional[str]:
    """The expression that is true when a connection made by ``qualified`` must be made again;
    "" for a client that reconnects by itself, None when lambdalint does not know the driver."""
    if qualified.startswith(_SELF_RECONNECTING):
        return ""
    for prefix, test in _RECONNECT_TESTS:
        if qualified.startswith(prefix):
            return test
    return None


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

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

CUSTOM_RESOURCE_MODULES = frozenset({"cfnresponse", "crhelper"})



def root(qualified: str) -> str:
    """The module a qualified name comes from: what an import of it writes in the file."""
    parts = [p for p in qualified.strip().split(".") if p]
    if not parts:
        return ""
    return parts[-1] if parts[0] == "builtins" else parts[0]


def last(qualified: str) -> str:
    """The last name of a qualified name: what a call of it writes in the file."""
    parts = [p for p in str(qualified).strip().split(".") if p]
    return parts[-1] if parts else ""


# What the gate looks for: a constructor's module name in the text, and a constructor's (or a
# session method's) last name called inside a function.
CONSTRUCTOR_ROOTS: FrozenSet[str] = frozenset(root(name) for name in CONSTRUCTORS)
CONSTRUCTOR_LASTS: FrozenSet[str] = frozenset(
    {last(name) for name in CONSTRUCTORS} | set(SESSION_METHODS))
