"""Installed sizes of common heavy Python distributions, for dependencies that are not installed.

Where a function's dependencies are only named (a requirements.txt that ``sam build`` or a
plugin installs later), the size of the deployment can only be estimated. These figures were
measured by the lambdalint authors on 2026-11-27 from the CPython 3.11 manylinux x86_64 wheel of
the version given (pure-Python wheels where that is all there is): the sum of the uncompressed
sizes in each wheel's central directory, which is what ``pip install`` unpacks, before the
``.pyc`` files pip may add. Other versions and arm64 wheels differ by some percent; that is
why messages call these figures estimates. ``pulls`` names the heavy distributions of this table
that installing the package brings along, so that ``pandas`` alone counts numpy too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Tuple


@dataclass(frozen=True)
class KnownSize:
    name: str
    version: str  # the version measured
    bytes: int
    pulls: Tuple[str, ...] = ()


MEASURED_ON = "2026-11-27"
SOURCE = ("unpacked size of the CPython 3.11 manylinux x86_64 wheels, measured by lambdalint "
          f"on {MEASURED_ON}")

_TABLE: List[KnownSize] = [
    KnownSize("boto3", "1.43.107", 990_797, ("botocore", "s3transfer", "jmespath")),
    KnownSize("botocore", "1.43.107", 20_526_353, ("jmespath",)),
    KnownSize("s3transfer", "0.19.2", 341_376, ("botocore",)),
    KnownSize("jmespath", "1.1.0", 70_223),
    KnownSize("numpy", "2.4.6", 57_360_224),
    KnownSize("pandas", "3.0.6", 39_048_646, ("numpy",)),
    KnownSize("pyarrow", "25.0.1", 157_021_586),
    KnownSize("scipy", "1.17.1", 114_305_410, ("numpy",)),
    KnownSize("scikit-learn", "1.9.1", 31_454_561, ("numpy", "scipy")),
    KnownSize("statsmodels", "0.15.0", 41_857_045, ("numpy", "scipy", "pandas")),
    KnownSize("matplotlib", "3.11.2", 24_985_774, ("numpy", "pillow")),
    KnownSize("pillow", "12.3.0", 19_639_736),
    KnownSize("opencv-python", "5.0.0.93", 189_517_860, ("numpy",)),
    KnownSize("opencv-python-headless", "5.0.0.93", 150_297_995, ("numpy",)),
    KnownSize("torch", "2.14.1", 1_144_088_757, ("numpy",)),
    KnownSize("transformers", "5.18.0", 50_343_543, ("numpy", "tokenizers")),
    KnownSize("tokenizers", "0.23.2", 11_701_061),
    KnownSize("spacy", "3.8.16", 119_886_755, ("numpy",)),
    KnownSize("numba", "0.68.0", 15_563_213, ("numpy", "llvmlite")),
    KnownSize("llvmlite", "0.50.0", 179_332_266),
    KnownSize("duckdb", "1.5.6", 60_928_966),
    KnownSize("shapely", "2.1.2", 10_776_409, ("numpy",)),
    KnownSize("cryptography", "50.0.2", 14_999_630),
    KnownSize("lxml", "6.1.3", 11_537_663),
    KnownSize("grpcio", "1.84.0", 17_914_949),
    KnownSize("psycopg2-binary", "2.9.13", 11_750_446),
    KnownSize("sqlalchemy", "2.1.1", 17_857_928),
    KnownSize("pydantic-core", "2.49.0", 5_193_583),
    KnownSize("google-api-python-client", "2.201.0", 112_288_457),
]

KNOWN: Dict[str, KnownSize] = {k.name: k for k in _TABLE}


def canonical(name: str) -> str:
    """PEP 503 normalised project name: ``Scikit_Learn`` and ``scikit-learn`` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def estimate(names: List[str], installed: Tuple[str, ...] = ()) -> Tuple[Dict[str, int], List[str]]:
    """Estimated bytes per distribution for ``names`` and what they pull in, each counted once.

    Distributions in ``installed`` (already on disk, so measured) are left out. Returns the
    estimates and the names the table does not know (their size is not counted).
    """
    found: Dict[str, int] = {}
    unknown: List[str] = []
    done = set(installed)
    stack = [canonical(n) for n in names]
    top = set(stack)
    while stack:
        name = stack.pop(0)
        if name in done:
            continue
        done.add(name)
        known = KNOWN.get(name)
        if known is None:
            if name in top:
                unknown.append(name)
            continue
        found[name] = known.bytes
        stack.extend(known.pulls)
    return found, unknown
