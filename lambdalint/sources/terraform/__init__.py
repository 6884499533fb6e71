"""Terraform: Lambda functions of one module directory, with their code, environment and IAM.

Terraform reads every ``.tf`` file of a directory as one module, so this reader does too: a
function in ``main.tf`` takes its timeout from a variable default in ``variables.tf``, its role
from ``iam.tf`` and its policy from a ``data "aws_iam_policy_document"`` anywhere in the module.
Read: ``aws_lambda_function`` resources and the ``terraform-aws-modules/lambda/aws`` module.

The reader is split along its seams:
- ``hcl``: located HCL values (``Node``, ``Block``); ``hclparse`` makes them from
  tree-sitter-hcl's tree;
- ``files``: reading and parsing the module's ``.tf`` files and its tfvars;
- ``module``: the index of a module's blocks and what can be known of a value (``Module``);
- ``iam``: statements and managed policies of roles and policies;
- ``functions``, ``events`` and ``exposure`` (URL, invoke permissions, VPC): the parts of the
  module reader, ``_Reader`` below.
Nothing is evaluated beyond what a reader can see (see ``module``): anything else is "not
literal", never a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

from lambdalint.discovery import SourceFile
from lambdalint.model import Function, ReadError
from lambdalint.sources.terraform.events import SQS_DEFAULT_TEXT, SQS_DEFAULT_VISIBILITY, Events
from lambdalint.sources.terraform.exposure import Exposure
from lambdalint.sources.terraform.files import LAMBDA_HINT, parse_file, read_file
from lambdalint.sources.terraform.functions import DEFAULT_TIMEOUT, Functions
from lambdalint.sources.terraform.hcl import Block, TfFile
from lambdalint.sources.terraform.iam import Iam
from lambdalint.sources.terraform.module import Module

__all__ = ["DEFAULT_TIMEOUT", "SQS_DEFAULT_TEXT", "SQS_DEFAULT_VISIBILITY", "read_module",
           "read_unit"]


class _Reader(Functions, Events, Exposure):
    """Reads the functions of one module and their triggers."""

    def __init__(self, module: Module):
        self.m = module
        self.iam = Iam(module)
        self._suppressions: Dict[str, Dict[int, Any]] = {}
        self.errors: List[ReadError] = []  # LL001 for functions read in part, or not at all


def read_module(directory: Path, files: List[SourceFile],
                inputs: Tuple[str, ...] = ()) -> Tuple[List[Function], List[ReadError]]:
    """Every Lambda function the ``.tf`` files of one directory define, and the files that could
    not be read (the others are still read).

    A directory that never names a Lambda function is not parsed at all: a VPC or DNS module
    is none of our business (nor are its syntax errors, except a file that cannot be opened).
    ``inputs``: what every one of the project's calls of this module passes it (``callers``):
    those variables' defaults are never deployed."""
    errors: List[ReadError] = []
    pending: List[Tuple[ReadError, str]] = []
    read: List[TfFile] = []
    ordered = sorted(files, key=lambda s: s.display)
    for source in ordered:
        file = read_file(source, errors, pending)
        if file is not None:
            read.append(file)
    if not any(LAMBDA_HINT.search(text) for text in [f.text for f in read] + [t for _, t in pending]):
        return [], errors
    errors.extend(error for error, _ in pending)
    blocks: List[Block] = []
    for file in read:
        blocks.extend(parse_file(file, errors))
    errors.sort(key=lambda e: (e.path, e.line))
    if not any(b.type in ("resource", "module") for b in blocks):
        return [], errors
    try:
        module = Module(directory, blocks, inputs)
        reader = _Reader(module)
        functions = reader.functions()
        errors.extend(reader.errors)
        return functions, errors
    except Exception as exc:  # noqa: BLE001 - never a traceback: say which module failed
        errors.append(ReadError(ordered[0].display, 1, f"cannot read the module: {type(exc).__name__}"))
        return [], errors

def read_unit(unit: Any) -> Tuple[List[Function], List[ReadError]]:
    """``read_module`` of a Terraform unit (the entry ``units.READERS`` names)."""
    return read_module(unit.directory, unit.files, unit.inputs)
