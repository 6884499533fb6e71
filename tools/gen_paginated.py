"""Writes ``_paginated_operations.py`` from botocore's own pagination data (development only).

Run with a Python that has botocore installed (never at lint time)::

    python tools/gen_paginated.py > lambdalint/rules/_paginated_operations.py

It reads every ``botocore/data/<service>/<version>/paginators-1.json`` (the newest version of each
service) and keeps the operations LL108 judges: ``list_*``, ``scan``, ``query`` and
``get_parameters_by_path``, snake-cased as boto3 names its methods.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Dict, List, Tuple

KEPT = re.compile(r"^(list_\w+|scan|query|get_parameters_by_path)$")


def _snake(name: str) -> str:
    """botocore's ``xform_name`` for operation names."""
    from botocore import xform_name

    return xform_name(name)


def _tuple(value) -> Tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def collect() -> Tuple[str, Dict[str, Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], str]]]]:
    import botocore

    root = os.path.join(os.path.dirname(botocore.__file__), "data")
    table: Dict[str, Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], str]]] = {}
    for service in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, service)):
            continue
        versions = sorted(v for v in os.listdir(os.path.join(root, service))
                          if os.path.isdir(os.path.join(root, service, v)))
        if not versions:
            continue
        path = os.path.join(root, service, versions[-1], "paginators-1.json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as handle:
            pagination = json.load(handle).get("pagination", {})
        ops = {}
        for operation, spec in sorted(pagination.items()):
            name = _snake(operation)
            if not KEPT.match(name):
                continue
            # What a continuation loop reads from a response: output tokens, more_results.
            # Only the first component of a JMESPath expression ("NextMarker || Contents[-1].Key").
            reads: List[str] = []
            for token in _tuple(spec.get("output_token")) + _tuple(spec.get("more_results")):
                first = re.split(r"[^A-Za-z0-9_]", token.strip(), maxsplit=1)[0]
                if first and first not in reads:
                    reads.append(first)
            ops[name] = (_tuple(spec.get("input_token")), tuple(reads), spec.get("limit_key", ""))
        if ops:
            table[service] = ops
    return botocore.__version__, table


def main() -> None:
    version, table = collect()
    out = sys.stdout
    out.write('"""Operations that AWS pages, per boto3 service: generated, do not edit.\n\n')
    out.write(f"Source: botocore {version}, ``botocore/data/*/*/paginators-1.json`` (the newest API\n")
    out.write("version of each service), written by ``python tools/gen_paginated.py``.\n")
    out.write("Kept: ``list_*``, ``scan``, ``query`` and ``get_parameters_by_path``. Each operation\n")
    out.write("maps to (input tokens, what a continuation loop reads from the response, limit key).\n")
    out.write('"""\n\n')
    out.write(f'BOTOCORE_VERSION = "{version}"\n\n')
    out.write("PAGINATED = {\n")
    for service, ops in table.items():
        out.write(f"    {service!r}: {{\n")
        for name, value in ops.items():
            out.write(f"        {name!r}: {value!r},\n")
        out.write("    },\n")
    out.write("}\n")


if __name__ == "__main__":
    main()
