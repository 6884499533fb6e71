"""Reading a Terraform module's files: the ``.tf`` files, their parse errors, its tfvars.

Each ``.tf`` file is read by ``lambdalint.files`` (one size limit, BOM, UTF-8) and parsed by
python-hcl2 into located blocks (``hcl.Converter``). The values Terraform loads by itself
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
from lambdalint.sources.terraform.hcl import Block, Converter, Node, TfFile

# Only a directory whose text says one of these is parsed.
LAMBDA_HINT = re.compile(r"aws_lambda_function|terraform-aws-modules/lambda|terraform-aws-lambda")

def parse_error(exc: BaseException, text: str) -> Tuple[int, int, str]:
    last_line = text.count("\n") + 1
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    line = line if isinstance(line, int) and line > 0 else last_line
    column = column if isinstance(column, int) and column > 0 else 1
    name = type(exc).__name__
    if isinstance(exc, RecursionError):
        return 1, 1, "cannot parse HCL: values nested too deeply"
    if name == "UnexpectedEOF":
        return last_line, 1, "cannot parse HCL: unexpected end of file"
    if name == "UnexpectedCharacters":
        char = getattr(exc, "char", "")
        return line, column, f"cannot parse HCL: unexpected character {char!r}"
    if name == "UnexpectedToken":
        token = getattr(exc, "token", None)
        kind = getattr(token, "type", "")
        if kind == "$END":
            return last_line, 1, "cannot parse HCL: unexpected end of file"
        shown = str(token).split("\n", 1)[0].strip()[:40] if token is not None else ""
        return line, column, f"cannot parse HCL: unexpected {shown!r}" if shown else \
            "cannot parse HCL: unexpected line break"
    message = str(exc).split("\n", 1)[0].strip()[:120] or name
    return line if getattr(exc, "line", None) else 1, column, f"cannot parse HCL: {message}"


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

    Terraform accepts them; python-hcl2's grammar does not and rejects the whole file. Only a
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
    import hcl2

    try:
        tree = hcl2.parses(heredoc_markers_trimmed(file.text), discard_comments=True)
    except Exception as exc:  # noqa: BLE001 - lark and python-hcl2 raise many kinds
        line, column, message = parse_error(exc, file.text)
        errors.append(ReadError(file.display, line, message, column))
        return []
    try:
        return Converter(file).blocks(tree)
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
        import hcl2

        try:
            tree = hcl2.parses(heredoc_markers_trimmed(file.text), discard_comments=True)
            converter = Converter(file)
            for child in tree.body.children:
                if isinstance(child, converter.base.AttributeRule):
                    found[str(child.identifier.serialize())] = (converter.node(child.expression), name)
        except Exception:  # noqa: BLE001 - a broken tfvars file only loses its values
            continue
    return found
