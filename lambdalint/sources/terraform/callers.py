"""The inputs every one of the project's own ``module`` calls passes to a local Terraform module.

A module called with ``source = "./modules/fn"`` is a directory of its own, read as one unit,
so a variable of it holds its ``default`` only where a call leaves that input out: when every
call passes ``timeout = 30``, the module's ``default = 3`` is never what a deployed function
gets. (One call that leaves it out is enough for the default to be deployed, so the default
still counts then.) The calls live in other directories (the root module, an environment), so
they are found here, before the units are read: each ``.tf`` file whose text has a local
``source`` is parsed, and each ``module`` block's arguments are recorded against the directory
its ``source`` resolves to. Only the names are kept: a value every call passes is the callers'
to know, not the module's (``module.Module`` treats it as not known).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Set

from lambdalint import files
from lambdalint.discovery import SourceFile

LOCAL_SOURCE = re.compile(r"""\bsource\s*=\s*["']\.\.?[/\\]""")

# Arguments of every module call that are no input variable of the module.
META_ARGUMENTS = frozenset({"source", "version", "providers", "count", "for_each", "depends_on"})


def passed_inputs(sources: Iterable[SourceFile]) -> Dict[Path, FrozenSet[str]]:
    """{resolved directory of a local module: the inputs every call in ``sources`` passes it}.

    A file that cannot be read or parsed gives nothing here (its own unit reports it)."""
    from lambdalint.sources.terraform.files import parse_file
    from lambdalint.sources.terraform.hcl import LIT, TfFile

    found: Dict[Path, List[Set[str]]] = defaultdict(list)
    for source in sources:
        text = files.read_text(source.path)
        if isinstance(text, files.ReadFailure) or not LOCAL_SOURCE.search(text):
            continue
        for block in parse_file(TfFile(source, text), []):
            if block.type != "module":
                continue
            where = block.get("source")
            if where is None or where.kind != LIT or not isinstance(where.value, str) \
                    or not where.value.startswith(("./", "../", ".\\", "..\\")):
                continue
            try:
                target = (source.path.parent / where.value).resolve()
            except (OSError, RuntimeError, ValueError):
                continue
            found[target].append({entry.key for entry in block.attrs
                                  if entry.key not in META_ARGUMENTS})
    return {directory: frozenset(set.intersection(*calls)) for directory, calls in found.items()}
