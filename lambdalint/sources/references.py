"""The project's resources a function's environment names, from what each reader recorded per
variable (``EnvVar.refers``): one derivation for every format, so that the readers only say what
a value references and what type a name has."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from lambdalint.model import EnvVar, ResourceRef


def named_resources(environment: List[EnvVar],
                    type_of: Callable[[str], Optional[str]]) -> List[ResourceRef]:
    """``ResourceRef``s of the names the variables refer to, in the order written, each once;
    a name ``type_of`` gives no type is left out."""
    found: Dict[str, ResourceRef] = {}
    for variable in environment:
        for name in variable.refers:
            kind = type_of(name)
            if kind and name not in found:
                found[name] = ResourceRef(name, kind)
    return list(found.values())
