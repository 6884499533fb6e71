"""Reading every deployment config of a run into one ``Project``, and linking handlers to code.

Each format has its own module; this one decides which module reads which file. A YAML or JSON
file is recognised by its content (a CloudFormation/SAM template, or a Serverless service),
whatever its name; a YAML file that is none of these is ignored, and is reported as unparseable
only when it looks like one of them (a Helm chart with ``{{ }}`` is not our business).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Sequence, Set, Tuple

from lambdalint.discovery import JSON, PYTHON, TERRAFORM, YAML, SourceFile
from lambdalint.model import (CLOUDFORMATION, SERVERLESS, Function, Project, ReadError,
                              Timeout)

_LOOKS_LIKE_DEPLOYMENT = re.compile(
    r"AWSTemplateFormatVersion|AWS::Serverless|AWS::Lambda|^Resources\s*:|\"Resources\"\s*:|"
    r"^service\s*:|^provider\s*:|^functions\s*:|\"(service|provider|functions)\"\s*:",
    re.MULTILINE,
)
_DEPLOYMENT_NAMES = re.compile(r"(^|/)(template|serverless|samconfig)[^/]*\.(ya?ml|json)$", re.I)
_CDK_IMPORT = re.compile(r"^\s*(from|import)\s+aws_cdk\b", re.MULTILINE)


MAX_FILE_BYTES = 5 * 1024 * 1024  # as for every other file; CloudFormation's own limit is 1 MB


def _read_text(source: SourceFile, project: Project) -> str:
    try:
        size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            # Parsing it would take minutes; say so when it is a deployment file at all.
            with source.path.open("rb") as handle:
                head = handle.read(64 * 1024).decode("utf-8", "replace")
            if _LOOKS_LIKE_DEPLOYMENT.search(head) or _DEPLOYMENT_NAMES.search(source.display):
                project.errors.append(ReadError(
                    source.display, 1, f"skipped: {size / 1024 / 1024:.1f} MiB is over the "
                                       f"{MAX_FILE_BYTES // 1024 // 1024} MiB limit for one file"))
            return ""
        data = source.path.read_bytes()
    except OSError as exc:
        project.errors.append(ReadError(source.display, 1, f"cannot read: {exc.strerror or exc}"))
        return ""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _LOOKS_LIKE_DEPLOYMENT.search(data.decode("utf-8", "replace")):
            project.errors.append(ReadError(source.display, 1, f"not UTF-8 text: {exc.reason}"))
        return ""


def _read_yaml_or_json(source: SourceFile, project: Project) -> None:
    text = _read_text(source, project)
    if not text or not _LOOKS_LIKE_DEPLOYMENT.search(text) and not _DEPLOYMENT_NAMES.search(source.display):
        return
    from lambdalint.sources import yamlload

    try:
        # JSON through the JSON reader: YAML's limits (1,024-character keys, no lone
        # surrogates) made valid .json templates LL001. YAML keeps them.
        data = yamlload.load_json(text) if source.kind == JSON else \
            yamlload.load_template(text) if source.path.suffix.lower() == ".template" else \
            yamlload.load(text)
    except yamlload.YamlError as exc:
        project.errors.append(ReadError(source.display, exc.line, exc.message, exc.column))
        return
    if not isinstance(data, dict):
        if _DEPLOYMENT_NAMES.search(source.display) and data is not None:
            project.errors.append(ReadError(source.display, 1,
                                            "expected a mapping at the top of a deployment file"))
        return
    from lambdalint.sources import cloudformation, serverless

    if serverless.is_serverless(data):
        read, fmt = serverless.read_service, SERVERLESS
    elif cloudformation.is_template(data):
        read, fmt = cloudformation.read_template, CLOUDFORMATION
    else:
        return
    seen = _functions_written(data, fmt == SERVERLESS)
    failure = ""
    try:
        functions = read(data, source, text)
    except Exception as exc:  # noqa: BLE001 - MemoryError too: said below for each function
        functions, failure = [], type(exc).__name__
        if not seen:
            raise
    project.functions.extend(functions)
    _account(project, source, fmt, seen, functions, failure)


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


_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def _account(project: Project, source: SourceFile, fmt: str, seen: List[Tuple[str, int]],
             functions: List[Function], failure: str) -> None:
    """Every function written in the file is in the model or has an LL001: one the reader lost
    (it raised, or skipped an odd shape) is kept with unknown settings and reported."""
    read = {function.name for function in functions}
    for name, line in seen:
        if name in read:
            continue
        why = f"lambdalint failed on this file ({failure})" if failure else \
            "lambdalint could not read this function"
        project.errors.append(ReadError(source.display, line, f"{name}: {why}; its settings "
                                                              f"are unknown, please report it"))
        placeholder = Function(name, fmt, source.display, line, line)
        placeholder.timeout = Timeout(None, "unknown", source.display, line)
        project.functions.append(placeholder)


def _internal(exc: Exception) -> str:
    return f"lambdalint failed on this file ({type(exc).__name__}: {exc}); please report it"


def read_project(config_files: Sequence[SourceFile], python_files: Sequence[SourceFile],
                 paths: Sequence[str]) -> Project:
    """All functions defined by ``config_files`` (and CDK apps among ``python_files``)."""
    project = Project()
    terraform_dirs: Dict[Path, List[SourceFile]] = defaultdict(list)
    for source in config_files:
        if source.kind in (YAML, JSON):
            try:
                _read_yaml_or_json(source, project)
            except Exception as exc:  # a reader bug must not end the run: report the file
                project.errors.append(ReadError(source.display, 1, _internal(exc)))
        elif source.kind == TERRAFORM:
            terraform_dirs[source.path.parent].append(source)
    if terraform_dirs:
        from lambdalint.sources import terraform

        for directory, files in sorted(terraform_dirs.items()):
            try:
                functions, errors = terraform.read_module(directory, files)
            except Exception as exc:
                functions, errors = [], [ReadError(files[0].display, 1, _internal(exc))]
            project.functions.extend(functions)
            project.errors.extend(errors)
    for source in python_files:
        if source.kind != PYTHON:
            continue
        try:
            head = source.path.read_bytes()[:200_000].decode("utf-8", "replace")
        except OSError:
            continue
        if _CDK_IMPORT.search(head):
            from lambdalint.sources import cdk

            try:
                functions, errors = cdk.read_app(source)
            except Exception as exc:
                functions, errors = [], [ReadError(source.display, 1, _internal(exc))]
            project.functions.extend(functions)
            project.errors.extend(errors)
    for function in project.functions:
        link(function)
    return project


def link(function: Function) -> None:
    """Name the Python file and function a handler string points at, when the code is local.

    ``app.lambda_handler`` with code in ``hello_world/`` is ``hello_world/app.py``'s
    ``lambda_handler``; Serverless writes ``src/users.create`` relative to the service.
    """
    handler = function.handler
    code = function.code
    if handler is None or not handler.literal or not isinstance(handler.value, str):
        return
    if code.kind != "local" or not code.path:
        return
    module, _, name = handler.value.strip().rpartition(".")
    if not module or not name:
        return
    base = Path(code.path)
    if base.is_file():
        candidates = [base] if base.suffix == ".py" else []
    else:
        module_path = module.replace(".", "/") if "/" not in module else module
        candidates = [base / f"{module_path}.py", base / module_path / "__init__.py"]
    for candidate in candidates:
        if candidate.is_file():
            function.handler_file = str(candidate)
            function.handler_function = name
            return


def linked_handlers(project: Project) -> Dict[str, Set[str]]:
    """Resolved path of a Python file -> the function names deployment configs call handlers."""
    linked: Dict[str, Set[str]] = {}
    for function in project.functions:
        if function.handler_file and function.handler_function:
            key = str(Path(function.handler_file).resolve())
            linked.setdefault(key, set()).add(function.handler_function)
    return linked
