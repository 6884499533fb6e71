"""The Serverless Framework reader: a ``serverless.yml`` service into the deployment model.

A service is recognised by what it holds (``service`` with an AWS ``provider`` and/or
``functions``), not by its file name. Serverless variables are resolved inside the file before
anything is read: ``${self:custom.timeout}``, ``${self:provider.stage}``, fallbacks such as
``${opt:stage, 'dev'}`` and nested variables all come down to the literal a deployment would most
likely see. Variables that fetch their value at deploy time (``${ssm:...}``, ``${cf:...}``,
``${file(...)}``...) cannot be known here: they become non-literal values, shown as written, so no
rule ever judges a value it had to guess.

The ``resources`` section is CloudFormation: it supplies the SQS queues behind ``sqs`` events (for
their visibility timeout), the IAM roles that functions name with ``role:``, and Lambda functions
declared there directly.

The reader is one class, ``_Service``, put together from mixins: ``service`` (the document,
functions, code, events), ``values``, ``iam``, ``exposure`` (URL,
invoke permissions, VPC); ``variables`` resolves the document first.
"""

from __future__ import annotations

from typing import Any, Dict, List

from lambdalint.discovery import SourceFile
from lambdalint.model import Function
from lambdalint.sources.serverless.exposure import _Exposure
from lambdalint.sources.serverless.iam import DEFAULT_ROLE, PER_FUNCTION_PLUGIN, _Iam
from lambdalint.sources.serverless.service import (
    BUNDLER_PLUGINS,
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    _Core,
)
from lambdalint.sources.serverless.values import _Values
from lambdalint.sources.serverless.variables import Unresolved, resolve

__all__ = [
    "BUNDLER_PLUGINS", "DEFAULT_MEMORY", "DEFAULT_ROLE", "DEFAULT_TIMEOUT", "PER_FUNCTION_PLUGIN",
    "Unresolved", "is_serverless", "read_service", "resolve",
]


# --------------------------------------------------------------------------------------------
# Recognising a service


def _aws_provider(provider: Any) -> bool:
    if provider is None:
        return True
    if isinstance(provider, str):
        return provider.strip().lower() == "aws"
    if isinstance(provider, dict):
        name = provider.get("name")
        return name is None or not isinstance(name, str) or name.strip().lower() == "aws" \
            or "${" in name
    return False


def is_serverless(data: Any) -> bool:
    """A Serverless Framework service for AWS, whatever the file is called."""
    if not isinstance(data, dict):
        return False
    has_provider = "provider" in data
    if has_provider and not _aws_provider(data.get("provider")):
        return False
    if "service" in data:
        return has_provider or "functions" in data
    # No ``service``: only a provider that says aws, next to functions, is clearly one.
    provider = data.get("provider")
    return isinstance(provider, dict) and isinstance(provider.get("name"), str) \
        and "functions" in data and "Resources" not in data


class _Service(_Core, _Values, _Iam, _Exposure):
    """One service being read (see ``_Core``); each mixin is one concern of the reader."""


def read_service(data: Dict[Any, Any], source: SourceFile, text: str) -> List[Function]:
    """Every function of a Serverless service: those under ``functions`` and the Lambda
    functions its ``resources`` declare in CloudFormation."""
    try:
        service = _Service(data, source, text)
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        return []
    functions: List[Function] = []
    try:
        provider_role = service.provider_iam()
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        provider_role = (None, [], [], DEFAULT_ROLE)
    for name, spec, written, line, column in service.function_entries():
        try:
            functions.append(service.read_function(name, spec, written, line, provider_role,
                                                   column))
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
            continue  # one odd function must not lose the rest
    try:
        functions.extend(service.template_functions())
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError):
        pass
    return functions
