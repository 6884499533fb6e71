"""A YAML or JSON document: which deployment format it is, read by that format's reader.

A document is recognised by its content (a CloudFormation/SAM template, or a Serverless
service), whatever its name; one that is none of these is ignored, and is reported as
unparseable only when it looks like one of them (a Helm chart with ``{{ }}`` is not our
business). Every function the document writes ends up in the model or in an LL001: one the
format's reader lost is kept with unknown settings (``_account``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, List, Tuple

from lambdalint import files
from lambdalint.discovery import JSON, SourceFile
from lambdalint.model import CLOUDFORMATION, SERVERLESS, Function, ReadError, Timeout

if TYPE_CHECKING:
    from lambdalint.sources.units import Unit

LOOKS_LIKE_DEPLOYMENT = re.compile(
    r"AWSTemplateFormatVersion|AWS::Serverless|AWS::Lambda|^Resources\s*:|\"Resources\"\s*:|"
    r"^service\s*:|^provider\s*:|^functions\s*:|\"(service|provider|functions)\"\s*:",
    re.MULTILINE,
)
DEPLOYMENT_NAMES = re.compile(r"(^|/)(template|serverless|samconfig)[^/]*\.(ya?ml|json)$", re.I)
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")

Read = Tuple[List[Function], List[ReadError]]


def may_be_deployment(text: str, display: str) -> bool:
    """Whether a document is worth parsing: its text looks like a deployment config, or its
    name is one a deployment config has."""
    return bool(LOOKS_LIKE_DEPLOYMENT.search(text) or DEPLOYMENT_NAMES.search(display))


def _text(source: SourceFile, errors: List[ReadError]) -> str:
    """The document's text; "" (with an LL001 when it concerns us) when there is none."""
    text = files.read_text(source.path)
    if not isinstance(text, files.ReadFailure):
        return text
    if text.reason == files.TOO_LARGE:  # parsing it would take minutes: say so if it is ours
        concerns = may_be_deployment(text.partial, source.display)
    elif text.reason == files.NOT_UTF8:
        concerns = LOOKS_LIKE_DEPLOYMENT.search(text.partial) is not None
    else:
        concerns = True
    if concerns:
        errors.append(ReadError(source.display, 1, text.message()))
    return ""


def read(source: SourceFile) -> Read:
    """The functions of one YAML/JSON document and its read errors. A reader that raises on a
    document that writes no function raises here (the caller's guard reports it)."""
    errors: List[ReadError] = []
    text = _text(source, errors)
    if not text or not may_be_deployment(text, source.display):
        return [], errors
    from lambdalint.sources import yamlload

    try:
        # JSON through the JSON reader: YAML's limits (1,024-character keys, no lone
        # surrogates) made valid .json templates LL001. YAML keeps them.
        data = yamlload.load_json(text) if source.kind == JSON else \
            yamlload.load_template(text) if source.path.suffix.lower() == ".template" else \
            yamlload.load(text)
    except yamlload.YamlError as exc:
        return [], [ReadError(source.display, exc.line, exc.message, exc.column)]
    if not isinstance(data, dict):
        if DEPLOYMENT_NAMES.search(source.display) and data is not None:
            errors.append(ReadError(source.display, 1,
                                    "expected a mapping at the top of a deployment file"))
        return [], errors
    from lambdalint.sources import cloudformation, serverless

    if serverless.is_serverless(data):
        reader, fmt = serverless.read_service, SERVERLESS
    elif cloudformation.is_template(data):
        reader, fmt = cloudformation.read_template, CLOUDFORMATION
    else:
        return [], errors
    seen = _functions_written(data, fmt == SERVERLESS)
    failure = ""
    try:
        functions = reader(data, source, text)
    except Exception as exc:  # noqa: BLE001 - MemoryError too: said below for each function
        functions, failure = [], type(exc).__name__
        if not seen:
            raise
    functions = list(functions)
    _account(functions, errors, source, fmt, seen, failure)
    return functions, errors


def _functions_written(data: dict, service: bool) -> List[Tuple[str, int]]:
    """(name, line) of every function ``data`` defines, read plainly: Lambda and SAM function
    resources, and for a Serverless service its ``functions:`` entries."""
    from lambdalint.sources.yamlload import YDict

    seen: List[Tuple[str, int]] = []

    def line(mapping: Any, key: Any, value: Any) -> int:
        if isinstance(mapping, YDict) and key in mapping.key_positions:
            return mapping.key_positions[key][0]
        return getattr(value, "line", getattr(mapping, "line", 1))

    def resources(mapping: Any) -> None:
        if not isinstance(mapping, dict):
            return
        for key, resource in mapping.items():
            if isinstance(resource, dict) and resource.get("Type") in _FUNCTION_TYPES:
                seen.append((str(key), line(mapping, key, resource)))

    if service:
        functions = data.get("functions")
        groups = functions if isinstance(functions, list) else [functions]
        for group in groups:
            if isinstance(group, dict):
                seen.extend((str(key), line(group, key, spec)) for key, spec in group.items()
                            if isinstance(spec, dict))
        extra = data.get("resources")
        resources(extra.get("Resources") if isinstance(extra, dict) else None)
    else:
        resources(data.get("Resources"))
    return seen


def _account(functions: List[Function], errors: List[ReadError], source: SourceFile, fmt: str,
             seen: List[Tuple[str, int]], failure: str) -> None:
    """Every function written in the file is in the model or has an LL001: one the reader lost
    (it raised, or skipped an odd shape) is kept with unknown settings and reported."""
    read = {function.name for function in functions}
    for name, line in seen:
        if name in read:
            continue
        why = f"lambdalint failed on this file ({failure})" if failure else \
            "lambdalint could not read this function"
        errors.append(ReadError(source.display, line, f"{name}: {why}; its settings "
                                                      f"are unknown, please report it"))
        placeholder = Function(name, fmt, source.display, line, line)
        placeholder.timeout = Timeout(None, "unknown", source.display, line)
        functions.append(placeholder)


def read_unit(unit: "Unit") -> Read:
    """``read`` of a document unit (the entry ``units.READERS`` names)."""
    return read(unit.files[0])
