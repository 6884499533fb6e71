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
from typing import Dict, List, Sequence, Set

from lambdalint.discovery import JSON, PYTHON, TERRAFORM, YAML, SourceFile
from lambdalint.model import Function, Project, ReadError

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
        data = yamlload.load(text)
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
        project.functions.extend(serverless.read_service(data, source, text))
    elif cloudformation.is_template(data):
        project.functions.extend(cloudformation.read_template(data, source, text))


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
