"""The handler code's AWS calls as IAM actions that exist, for least-privilege suggestions.

The collectors (``analysis.actions``, ``prefilter.actions_from_ast``) turn each boto3 call into
action names with one shared table (``analysis.action_names``). Here every name is checked
against AWS's data (``rules._iam_data``): a name the data has becomes the reference's spelling,
one it lacks is a call that could not be mapped, said plainly, never suggested.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Tuple


def snake(name: str) -> str:
    """``ListObjectsV2`` -> ``list_objects_v2``: the boto3 method a PascalCase name came from."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def checked(called: Iterable[str]) -> Tuple[List[str], List[str]]:
    """(the actions AWS's data has, in the reference's spelling; the calls that could not be
    mapped, as ``s3.foo()``)."""
    from lambdalint.rules import _iam_data

    actions: List[str] = []
    unmapped: List[str] = []
    for entry in called:
        prefix, name = _iam_data.split(entry)
        found = None if name.startswith("?") else _iam_data.action(entry)
        if found is not None:
            if found.full not in actions:
                actions.append(found.full)
            continue
        call = f"{prefix}.{name[1:]}" if name.startswith("?") else f"{prefix}.{snake(name)}()"
        if call not in unmapped:
            unmapped.append(call)
    return actions, unmapped


def unmapped_note(unmapped: List[str]) -> str:
    """The sentence that names the calls no action was found for."""
    if not unmapped:
        return ""
    shown = ", ".join(f"`{c}`" for c in unmapped[:6])
    more = f" and {len(unmapped) - 6} more" if len(unmapped) > 6 else ""
    return (f"\nCould not map {shown}{more} to an IAM action: check what they need in the "
            "Service Authorization Reference.")
