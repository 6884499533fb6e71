"""The IAM facts the wildcard rules rest on, in one place.

Sources: the Service Authorization Reference (actions whose "Resource types" column is empty can
only be granted on ``*``), and the AWS managed policy reference. See shared lambda-facts.md.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Iterable, Optional

# Actions that have no resource-level permissions: ``Resource: "*"`` is required, not a smell.
# Patterns are matched case-insensitively against each action of a statement.
STAR_ONLY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "cloudwatch:PutMetricData",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:Describe*",
    "sts:GetCallerIdentity",
    "s3-object-lambda:WriteGetObjectResponse",
    "iot:DescribeEndpoint",
    "lambda:GetAccountSettings",
    "comprehend:Detect*",
    "comprehend:BatchDetect*",
    "rekognition:Detect*",
    "rekognition:CompareFaces",
    "textract:AnalyzeDocument",
    "textract:DetectDocumentText",
    "textract:AnalyzeExpense",
    "textract:AnalyzeID",
    "translate:TranslateText",
    "polly:SynthesizeSpeech",
    "transcribe:StartTranscriptionJob",
    "s3:ListAllMyBuckets",
    "kms:ListAliases",
    "kms:ListKeys",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:ListSecrets",
    "ssm:DescribeParameters",
    "sns:ListTopics",
    "sqs:ListQueues",
    "dynamodb:ListTables",
    "lambda:ListFunctions",
    "states:ListStateMachines",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricStatistics",
    "logs:DescribeLogGroups",
    # Account-level reads and calls that name no resource.
    "ce:GetCostAndUsage",
    "ce:GetCostAndUsageWithResources",
    "ce:GetCostForecast",
    "ce:GetUsageForecast",
    "ce:GetDimensionValues",
    "ce:GetTags",
    "ce:GetReservation*",
    "ce:GetSavingsPlans*",
    "ce:GetRightsizingRecommendation",
    "pricing:*",
    "iam:ListAccountAliases",
    "iam:GetAccountSummary",
    "iam:GetAccountPasswordPolicy",
    "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:ListRoles",
    "iam:ListUsers",
    "iam:ListPolicies",
    "iam:ListGroups",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "ecr:GetAuthorizationToken",
    "tag:GetResources",
    "tag:GetTagKeys",
    "tag:GetTagValues",
    "autoscaling:Describe*",
    "elasticloadbalancing:Describe*",
    "route53:ListHostedZones",
    "acm:ListCertificates",
    "cloudformation:ListStacks",
    "cloudtrail:LookupEvents",
    "kms:CreateKey",
    "kms:GenerateRandom",
    "bedrock:ListFoundationModels",
    "cognito-idp:ListUserPools",
    "xray:GetTraceSummaries",
    "xray:BatchGetTraces",
    "xray:GetServiceGraph",
    "dynamodb:DescribeLimits",
    "dynamodb:DescribeEndpoints",
    "lambda:ListEventSourceMappings",
    "lambda:ListLayers",
    "states:ListActivities",
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
_ARN = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov|\*|\$\{AWS::Partition\}):([A-Za-z0-9-]+):"
                  r"((?:\$\{[^}]*\}|[^:$])*):((?:\$\{[^}]*\}|[^:$])*):(.*)$")
_TYPED_STAR = re.compile(r"^([A-Za-z-]+)[/:]\*$")
RESOURCE_TYPES = frozenset({"table", "function", "key", "secret", "parameter", "stateMachine",
                            "log-group", "stream", "event-bus", "role", "alias"})


def _matches(action: str, patterns: Iterable[str]) -> bool:
    low = action.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)


def is_star_only(action: str, allow_logs: bool = True) -> bool:
    """True when granting ``action`` on "*" is required or accepted practice."""
    if _matches(action, STAR_ONLY_ACTIONS):
        return True
    return allow_logs and _matches(action, LOG_ACTIONS)


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
    if service == "s3":
        if rest == "*":
            return "every bucket"
        if rest == "*/*":
            return "every object in every bucket"
        return None
    if rest == "*":
        return f"every {service} resource"
    typed = _TYPED_STAR.match(rest)
    if typed and typed.group(1) in RESOURCE_TYPES:
        return f"every {service} {typed.group(1)}"
    return None
