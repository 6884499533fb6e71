"""Installed packages inside the user's tree: what ``pip install -t`` left in a layer or package.

Vendored packages are a third of the Python files in a typical serverless repository and none
of them is the user's code. A directory holding ``*.dist-info`` directories has the files those
distributions installed (their ``RECORD``, else ``top_level.txt``, else the project name)
vendored; a ``requirements.txt`` beside them names packages copied in without their metadata.
A virtual environment (``pyvenv.cfg``) is vendored whole.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Optional, Sequence, Set

def _distribution_files(dist_info: Path, seen: Any = None) -> Set[str]:
    """Top-level names a distribution installed next to its ``.dist-info`` directory."""
    if seen is not None:
        seen.file(str(dist_info))
        seen.file(str(dist_info / "RECORD"))
        seen.file(str(dist_info / "top_level.txt"))
    from lambdalint.confine import read_text  # capped, regular files only (a RECORD -> /dev/zero)

    names: Set[str] = set()
    try:
        record = read_text(dist_info / "RECORD", 64 * 1024 * 1024)
    except OSError:
        record = ""
    for row in csv.reader(io.StringIO(record)):
        if row and row[0] and not row[0].startswith(("..", "/")):
            names.add(row[0].replace("\\", "/").split("/", 1)[0])
    if not names:
        try:
            top_level = read_text(dist_info / "top_level.txt", 1024 * 1024)
        except OSError:
            top_level = ""
        for line in top_level.splitlines():
            if line.strip():
                names.update({line.strip(), line.strip() + ".py"})
    if not names:  # no metadata at all: the project name is the best guess
        project = re.split(r"-\d", dist_info.name[: -len(".dist-info")], maxsplit=1)[0]
        project = re.sub(r"[-.]+", "_", project)
        names.update({project, project + ".py", project.lower(), project.lower() + ".py"})
    names.add(dist_info.name)
    return names


def vendored_names(directory: Path, names: Sequence[str],
                   seen: Any = None) -> Optional[Set[str]]:
    """Entries of ``directory`` that belong to installed distributions; None if there are none.

    A virtual environment is vendored whole: the returned set then holds every name.
    """
    if "pyvenv.cfg" in names:
        return set(names)
    infos = [n for n in names if n.endswith(".dist-info")]
    if not infos:
        return None
    owned: Set[str] = set()
    for info in infos:
        owned |= _distribution_files(directory / info, seen)
    if "requirements.txt" in names:
        owned |= _required_here(directory, names, owned, seen)
    owned.add("__pycache__")
    return owned


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def _required_here(directory: Path, names: Sequence[str], owned: Set[str],
                   seen: Any = None) -> Set[str]:
    """In a ``pip install -t`` target, packages its own ``requirements.txt`` names whose
    ``.dist-info`` was left out (copied in by hand, or pruned to save space): a package directory
    or module whose name is exactly a requirement's is installed code too, not the project's."""
    from lambdalint.confine import read_text  # capped, regular files only

    if seen is not None:
        seen.file(str(directory / "requirements.txt"))
    try:
        text = read_text(directory / "requirements.txt", 1024 * 1024)
    except OSError:
        return set()
    wanted = {re.sub(r"[-.]+", "_", m.group(1)).lower() for m in _REQUIREMENT_NAME.finditer(text)}
    found: Set[str] = set()
    for name in names:
        if name in owned:
            continue
        stem = name[:-3] if name.endswith(".py") else name
        if stem.lower() in wanted:
            found.add(name)
    return found
