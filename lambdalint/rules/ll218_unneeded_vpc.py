"""LL218 unneeded-vpc: a function attached to a VPC whose handler code reaches nothing that
lives in one: only public AWS APIs and the standard library."""

from __future__ import annotations

import sys
from typing import FrozenSet, Iterator, List, Optional

from lambdalint.dialects import dialect_of
from lambdalint.findings import Finding
from lambdalint.model import Function, Project
from lambdalint.rules._linked_code import first_used, imports_of
from lambdalint.rules.base import ConfigRule
from lambdalint.rules.meta import Option, RuleMeta

META = RuleMeta(
    id="LL218",
    name="unneeded-vpc",
    severity="note",
    summary="A function is attached to a VPC, but its code reaches only public AWS APIs.",
    kind="config",
    options=(
        Option("public-modules", "list", [],
               "More modules (your own, a library) that reach nothing inside a VPC, so that a "
               "handler importing them can still be reported."),
    ),
    tags=("performance", "maintainability"),
    reports="a VPC attachment for code that imports only AWS SDKs, pure libraries and the "
            "standard library",
    covers=("", "yes", "yes", "yes", "yes"),
)

# What lives in a VPC: database drivers and ORMs (RDS, Aurora, Redshift, DocumentDB), caches
# (ElastiCache, MemoryDB), search (OpenSearch), brokers (MSK, Amazon MQ), graph (Neptune) and
# other servers a VPC hides. Most are the drivers LL102 knows (analysis/client_kinds.py).
VPC_MODULES = (
    "psycopg2", "psycopg", "psycopg_pool", "pg8000", "asyncpg", "aiopg", "pymysql", "MySQLdb",
    "mysql", "aiomysql", "pyodbc", "pymssql", "oracledb", "cx_Oracle", "redshift_connector",
    "sqlalchemy", "peewee", "playhouse", "pony", "tortoise", "django", "databases",
    "aws_advanced_python_wrapper", "pymongo", "motor", "mongoengine", "redis", "aioredis",
    "valkey", "pymemcache", "memcache", "bmemcached", "elasticsearch", "elasticsearch_dsl",
    "opensearchpy", "opensearch_dsl", "cassandra", "neo4j", "gremlin_python", "kafka",
    "confluent_kafka", "aiokafka", "pika", "aio_pika", "stomp", "ldap3", "hvac", "pysftp",
    "paramiko", "smbclient", "smbprotocol", "influxdb", "influxdb_client", "clickhouse_driver",
)
# Clients that may talk to any host, a private one included: lambdalint cannot tell which.
NETWORK_MODULES = (
    "requests", "httpx", "urllib3", "aiohttp", "urllib.request", "http.client", "socket",
    "ftplib", "smtplib", "imaplib", "poplib", "telnetlib", "xmlrpc", "grpc", "websocket",
    "websockets", "zeep", "suds", "pycurl", "tornado", "requests_aws4auth", "aws_requests_auth",
    "botocore.vendored.requests",
)
# Libraries that reach only public AWS endpoints, or nothing at all.
PUBLIC_MODULES = (
    "boto3", "botocore", "aioboto3", "aiobotocore", "s3transfer", "aws_lambda_powertools",
    "aws_xray_sdk", "aws_embedded_metrics", "aws_encryption_sdk", "aws_secretsmanager_caching",
    "cfnresponse", "crhelper", "jmespath", "pydantic", "jsonschema", "fastjsonschema",
    "dateutil", "pytz", "simplejson", "ujson", "orjson", "yaml", "jinja2", "PIL", "numpy",
    "typing_extensions", "attr", "attrs", "marshmallow", "tenacity", "cachetools",
)

# The standard library (Python 3.10+ lists it; older interpreters use this subset of it).
_STDLIB: FrozenSet[str] = frozenset(getattr(sys, "stdlib_module_names", ())) or frozenset(
    "__future__ abc argparse array ast asyncio base64 binascii bisect calendar collections "
    "concurrent contextlib copy csv dataclasses datetime decimal enum functools gzip hashlib "
    "heapq hmac html http io itertools json logging math mimetypes operator os pathlib pickle "
    "pprint queue random re secrets shutil signal socket ssl statistics string struct "
    "subprocess sys tempfile textwrap threading time traceback types typing unicodedata "
    "urllib uuid warnings weakref xml zipfile zlib".split())

WHY = ("A VPC attachment buys nothing to code that only calls public AWS APIs: it makes the "
       "function wait for network interfaces when it is created or its VPC settings change, "
       "needs a NAT gateway (billed by the hour and by the GB) or VPC endpoints to reach those "
       "APIs at all, and adds network-interface permissions to the role.")


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _reaches_vpc(imported: List[str], public: tuple) -> Optional[str]:
    """Why the code may need the VPC (a module it imports), or None when every import is the
    standard library or a module known to reach only public endpoints."""
    found = first_used(imported, VPC_MODULES) or first_used(imported, NETWORK_MODULES)
    if found is not None:
        return found
    for name in imported:
        if _top(name) in _STDLIB or first_used([name], public) is not None:
            continue
        return name  # unknown: it may open a connection lambdalint does not see
    return None


class UnneededVpc(ConfigRule):
    """A function in a VPC whose code only calls public AWS APIs pays for the attachment (NAT,
    network interfaces, a slower deployment) and gets nothing for it."""

    ID = META.id

    def check(self, project: Project) -> Iterator[Optional[Finding]]:
        public = PUBLIC_MODULES + tuple(str(m) for m in self.options.get("public-modules", [])
                                        or [])
        for function in project.functions:
            vpc = function.vpc
            if vpc is None or vpc.file_system is not None or function.ignores(self.ID):
                continue
            imported = imports_of(function, project)
            if not imported or _reaches_vpc(imported, public) is not None:
                continue  # no linked Python code: what it reaches is unknown
            yield self._unneeded(function, imported)

    def _unneeded(self, function: Function, imported: List[str]) -> Optional[Finding]:
        vpc = function.vpc
        assert vpc is not None
        shared = not function.line <= vpc.line <= function.end_line
        path, line, column = (function.path, function.line, function.column) if shared \
            else (vpc.path, vpc.line, vpc.column)
        shown = sorted({_top(name) for name in imported if _top(name) not in _STDLIB})
        uses = ", ".join(shown[:4]) + (" and more" if len(shown) > 4 else "")
        code = (f"imports only {uses} and the standard library" if shown
                else "imports only the standard library")
        return self.finding(
            function, path, line, column,
            f"{function.name} is attached to a VPC ({vpc.text}"
            f"{f' at line {vpc.line}' if shared and vpc.path == path else ''}), but its "
            f"handler code reaches nothing that lives in one: it {code}",
            f"{dialect_of(function).vpc_removal(function, vpc.text)}\n{WHY}\nKeep the VPC if "
            "the function needs a fixed egress IP or reaches a private host in a way lambdalint "
            "does not see, and silence this function.")


Rule = UnneededVpc
