"""Reading a Python file: bytes to text to a LibCST module, never importing or running it."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst


_AT = re.compile(r"error at (\d+):(\d+)")


@dataclass
class PythonFile:
    path: str  # as reported: relative to the working directory, "/"-separated
    text: str
    encoding: str  # as detected: "utf-8", "utf-8-sig" (a BOM), "latin-1"...
    module: cst.Module
    line_offset: int = 0  # inline code: add to every line to get the line in ``path``
    column_offset: int = 0


class PythonReadError(Exception):
    """A file that is not Python we can parse; carries the position for the LL001 finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode(data: bytes) -> "tuple[str, str]":
    """Decode source bytes the way Python does (BOM, coding cookie), keeping line endings."""
    if b"\x00" in data:
        raise PythonReadError("binary file: it contains NUL bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise PythonReadError(f"cannot decode: {exc.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise PythonReadError(f"cannot decode as {encoding}: {exc.reason if hasattr(exc, 'reason') else exc}") from None
    return text, encoding


def parse(text: str, path: str, encoding: str = "utf-8", line_offset: int = 0,
          column_offset: int = 0) -> PythonFile:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        line, column = exc.raw_line or 1, (exc.raw_column or 0) + 1
        # The parser's own message knows the exact token ("error at 2:4: ..."); prefer it.
        match = _AT.search(exc.message)
        if match:
            line, column = int(match.group(1)), int(match.group(2)) + 1
        raise PythonReadError(f"syntax error: {exc.message}", line, column) from None
    except RecursionError:
        raise PythonReadError("too deeply nested to parse") from None
    except Exception as exc:  # e.g. CSTValidationError for "a" b"b": still not a crash
        raise PythonReadError(f"cannot parse: {type(exc).__name__}: {exc}") from None
    return PythonFile(path, text, encoding, module, line_offset, column_offset)


def read(data: Union[bytes, str], path: str) -> PythonFile:
    if isinstance(data, str):
        return parse(data, path)
    text, encoding = decode(data)
    return parse(text, path, encoding)


def detect_newline(text: str) -> Optional[str]:
    index = text.find("\n")
    if index <= 0:
        return None if index < 0 else "\n"
    return "\r\n" if text[index - 1] == "\r" else "\n"
