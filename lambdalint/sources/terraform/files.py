"""Reading a Terraform module's files: the ``.tf`` files, their parse errors, its tfvars.

Each ``.tf`` file is read by ``lambdalint.files`` (one size limit, BOM, UTF-8) and parsed by
tree-sitter-hcl into located blocks (``hclparse``). The values Terraform loads by itself
(``terraform.tfvars``, ``*.auto.tfvars``) are read here too, since a variable's value may come
from them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from lambdalint import files
from lambdalint.discovery import SourceFile, display_path
from lambdalint.model import ReadError
from lambdalint.sources.terraform import hclparse
from lambdalint.sources.terraform.hcl import Block, Node, TfFile

# Only a directory whose text says one of these is parsed.
LAMBDA_HINT = re.compile(r"aws_lambda_function|terraform-aws-modules/lambda|terraform-aws-lambda")

def parse_error(exc: BaseException, text: str) -> Tuple[int, int, str]:
    """Where a file stops parsing, and the message (``cannot parse HCL: ...``)."""
    if isinstance(exc, hclparse.HclSyntaxError):
        return exc.line, exc.column, f"cannot parse HCL: {exc}"
    if isinstance(exc, RecursionError):
        return 1, 1, "cannot parse HCL: values nested too deeply"
    message = str(exc).split("\n", 1)[0].strip()[:120] or type(exc).__name__
    return 1, 1, f"cannot parse HCL: {message}"


def read_file(source: SourceFile, errors: List[ReadError],
              pending: Optional[List[Tuple[ReadError, str]]] = None) -> Optional[TfFile]:
    """The file's text; a file that cannot be opened is an error, one that is too large or not
    UTF-8 goes to ``pending`` (with what can be read of it: enough to see whether it names a
    function) when given, else to ``errors``. A directory named like a .tf file is no file."""
    text = files.read_text(source.path)
    if not isinstance(text, files.ReadFailure):
        return TfFile(source, text)
    if text.reason == files.DIRECTORY:
        return None
    error = ReadError(source.display, text.line, text.message())
    if pending is None or text.reason == files.UNREADABLE:
        errors.append(error)
    else:
        pending.append((error, text.partial))
    return None


_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?$", re.MULTILINE)


def heredoc_markers_trimmed(text: str) -> str:
    """``text`` with trailing blanks removed from the lines that close a heredoc (``EOF   ``).

    Terraform accepts them (tree-sitter-hcl does too; python-hcl2, read before it, did not). Only a
    line that is a marker some ``<<EOF`` / ``<<-EOF`` opened, plus blanks, changes, and only
    after the marker, so every line and column stays where it was."""
    if "<<" not in text:
        return text
    markers = set(_HEREDOC_OPEN.findall(text))
    if not markers:
        return text
    pattern = re.compile(r"^([ \t]*(?:" + "|".join(re.escape(m) for m in sorted(markers))
                         + r"))[ \t]+(\r?)$", re.MULTILINE)
    return pattern.sub(r"\1\2", text)


def parse_file(file: TfFile, errors: List[ReadError]) -> List[Block]:
    try:
        return hclparse.blocks(file, heredoc_markers_trimmed(file.text))
    except (hclparse.HclSyntaxError, RecursionError) as exc:
        line, column, message = parse_error(exc, file.text)
        errors.append(ReadError(file.display, line, message, column))
        return []
    except Exception as exc:  # noqa: BLE001 - an odd tree shape loses this file, not the run
        errors.append(ReadError(file.display, 1, f"cannot read: {type(exc).__name__}: {exc}"[:160]))
        return []


def read_tfvars(directory: Path) -> Dict[str, Tuple[Node, str]]:
    """Values Terraform loads by itself: terraform.tfvars and *.auto.tfvars (later files win)."""
    found: Dict[str, Tuple[Node, str]] = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return found
    chosen = [n for n in names if n == "terraform.tfvars"] + \
             [n for n in names if n.endswith(".auto.tfvars")]
    for name in chosen:
        path = directory / name
        if path.is_symlink() or not path.is_file():
            continue
        errors: List[ReadError] = []
        file = read_file(SourceFile(path, display_path(path), "terraform"), errors)
        if file is None:
            continue
        try:
            values = hclparse.attributes(file, heredoc_markers_trimmed(file.text))
        except Exception:  # noqa: BLE001 - a broken tfvars file only loses its values
            continue
        for key, node in values.items():
            found[key] = (node, name)
    return found
