"""The IAM judgements the wildcard rules share: what a resource reaches, which actions on "*"
are required or accepted, which conditions narrow a "*", which managed policies grant full access.

Facts about actions come from AWS's Service Authorization Reference (``rules._iam_data``); what
is kept here is practice, each with its source: AWS's own managed policies that grant actions on
"*" (the AWS managed policy reference), and the condition keys that pin a resource or the
calling service (IAM user guide). See shared lambda-facts.md.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Iterable, Optional

# Which actions take no resource (only "*" can grant them) comes from AWS's data
# (``rules._iam_data``). These accept resources, but AWS's own managed policy for Lambda in a VPC
# (AWSLambdaVPCAccessExecutionRole, AWS managed policy reference) grants them on "*": Lambda
# creates the network interfaces, so a function's role cannot know their ids. Likewise:
ACCEPTED_ON_STAR = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    # AmazonS3ObjectLambdaExecutionRolePolicy (AWS managed policy reference) grants it on "*":
    # the function answers a request by its route and token, not by an access point it names.
    "s3-object-lambda:WriteGetObjectResponse",
)

# CloudWatch Logs actions AWS's own AWSLambdaBasicExecutionRole grants on "*". They accept
# log-group ARNs, but flagging AWS's own pattern is noise; the LL203 option
# ``allow-logs-on-star`` (default true) decides.
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

# AWS managed policies that grant full access to a service or to the account.
FULL_ACCESS_POLICY = re.compile(
    r"^(AdministratorAccess|PowerUserAccess|IAMFullAccess|AmazonAPIGatewayAdministrator|"
    r"AmazonCognitoPowerUser|[A-Za-z0-9_]*FullAccess[A-Za-z0-9_]*)$"
)

SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$", re.IGNORECASE)

# A resource that means "every resource of its kind": "*", an ARN whose resource part is "*",
# or "*" after a resource type (table/*, function:*). Region and account may be anything:
# the scope is still the whole account (or every account). Prefixes (table/orders-*) are scoped.
_ARN = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov|\*|\$\{AWS::Partition\}):([A-Za-z0-9*-]+):"
                  r"((?:\$\{[^}]*\}|[^:$])*):((?:\$\{[^}]*\}|[^:$])*):(.*)$")
_TYPED_STAR = re.compile(r"^([A-Za-z-]+)[/:]\*$")
RESOURCE_TYPES = frozenset({"table", "function", "key", "secret", "parameter", "stateMachine",
                            "log-group", "stream", "event-bus", "role", "alias"})


def _matches(action: str, patterns: Iterable[str]) -> bool:
    low = action.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)


def is_star_only(action: str, allow_logs: bool = True) -> bool:
    """True when granting ``action`` on "*" is required (AWS's data: the action, or every action
    a wildcard such as ``xray:Put*`` expands to, takes no resource) or accepted practice. An
    action the data does not know is left to LL207."""
    if _matches(action, ACCEPTED_ON_STAR) or (allow_logs and _matches(action, LOG_ACTIONS)):
        return True
    from lambdalint.rules import _iam_data

    if action.strip() in ("*", "*:*"):
        return False
    expanded = _iam_data.expand(action)
    if not expanded:
        return True  # an unknown service or action: nothing to scope (LL207 reports it)
    return all(a.star_only or _matches(a.full, ACCEPTED_ON_STAR)
               or (allow_logs and _matches(a.full, LOG_ACTIONS)) for a in expanded)


def is_wildcard_action(action: str) -> bool:
    return action.strip() in ("*", "*:*") or bool(SERVICE_WILDCARD.match(action.strip()))


def managed_policy_name(text: str) -> Optional[str]:
    """``AdministratorAccess`` from a name or an AWS managed policy ARN (also written with
    ``${AWS::Partition}``)."""
    text = text.strip()
    if "policy/" in text:
        if ":aws:policy/" not in text and "iam::aws:policy" not in text:
            return None  # a customer managed policy: its content is not known here
        return text.rsplit("/", 1)[-1]
    if ":" in text or "/" in text or " " in text:
        return None
    return text


def is_full_access_policy(text: str) -> Optional[str]:
    name = managed_policy_name(text)
    if name and FULL_ACCESS_POLICY.match(name):
        return name
    return None


def star_resource_scope(resource: str) -> Optional[str]:
    """What a wildcard resource reaches ("every resource", "every dynamodb table"), or None
    when ``resource`` names something specific."""
    text = resource.strip()
    if text == "*":
        return "every resource"
    match = _ARN.match(text)
    if match is None:
        return None
    service, rest = match.group(1).lower(), match.group(4)
    if service == "*":
        return "every resource"
    if service == "s3":
        if rest == "*":
            return "every bucket and object"
        if rest == "*/*":
            return "every object in every bucket"
        return None
    if rest == "*":
        return f"every {service} resource"
    typed = _TYPED_STAR.match(rest)
    if typed and typed.group(1) in RESOURCE_TYPES:
        return f"every {service} {typed.group(1)}"
    return None


# Condition keys that narrow a "*" to some resources or to calls made through one service
# (Service Authorization Reference, "Condition keys"; IAM User Guide, "AWS global condition
# context keys"). Matched case-insensitively: a key equal to an entry, or starting with an
# entry that ends in "/".
_PINNING_KEYS = (
    "aws:resourcetag/", "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths",
    "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
    "kms:viaservice", "kms:callerAccount", "kms:encryptioncontext:", "kms:encryptioncontextkeys",
    "dynamodb:leadingkeys", "s3:prefix", "cloudwatch:namespace", "secretsmanager:secretid",
    "secretsmanager:resourcetag/", "ssm:resourcetag/", "ec2:vpc", "ec2:subnet",
    "lambda:functionarn", "iam:passedtoservice", "states:statemachinearn",
)


def pinning_keys(keys: Iterable[str]) -> list:
    """The keys among ``keys`` that pin the resource or the calling service."""
    out = []
    for key in keys:
        low = key.strip().lower()
        for entry in _PINNING_KEYS:
            entry = entry.lower()
            if low == entry or (entry[-1] in "/:" and low.startswith(entry)):
                out.append(key.strip())
                break
    return out


def resource_service(resource: str) -> Optional[str]:
    """The service an ARN belongs to (``logs`` of ``arn:aws:logs:*:*:*``); None for ``"*"`` and
    ``arn:aws:*:...``, which reach every service. An action of another service is not granted
    anything by the ARN."""
    match = _ARN.match(resource.strip())
    if match is None or match.group(1) == "*":
        return None
    return match.group(1).lower()
