"""Reading a Python file: bytes to text to a LibCST module, never importing or running it."""

from __future__ import annotations

import io
import re
import threading
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

if TYPE_CHECKING:  # LibCST is imported on the first parse: decoding a file does not need it
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


# LibCST's native parser recurses on the C stack once per level of an expression (a chain of
# `+`, `.attr`, `f()`, `not`, `x if c else ...`) and per `elif`: a few thousand levels overflow a
# thread's stack and the whole process dies (LibCST issues #619, #1000), and parsing turns
# quadratic well before that. So text nested beyond what real code reaches is refused with a
# message (LL001), and long files are parsed on a thread with a large stack, as margin.
_NESTING = re.compile(r"""
    (?P<skip>\#[^\r\n]*|\\\r?\n
      |[rRbBuUfFtT]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
                         |'(?:\\.|[^\\'\r\n])*'|"(?:\\.|[^\\"\r\n])*")
      |\b\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d[\d_]*)?|(?<![\w)\]}])\.\d[\d_]*(?:[eE][-+]?\d[\d_]*)?
      |->|:=|=(?!=))
    |(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<sep>[,;]|\n)|(?P<colon>:)
    |(?P<elif>^[ \t]*elif\b)
    |(?P<kw>\b(?:not|and|or|if|else|lambda)\b)
    |(?P<cmp>[<>!=]=|<(?!<)|>(?!>))
    |(?P<bit><<|>>|[&|^])
    |(?P<add>[-+])
    |(?P<mul>//|[*/%@](?!\*))
    |(?P<pow>\*\*|~|\bawait\b)
    |(?P<trailer>\.)
    """, re.VERBOSE | re.MULTILINE | re.DOTALL)
# Operators by precedence, lowest first: an operator ends the chains of those that bind tighter
# (in `a*b + c*d` the `*` chains are siblings), so a level's count follows the parser's depth.
_RANK = {"kw": 0, "cmp": 1, "bit": 2, "add": 3, "mul": 4, "pow": 5, "trailer": 6, "open": 6}
MAX_NESTING = 3000  # generated code (a 2,000-term polynomial in sympy) stays under it
MAX_BRACKETS = 200  # Python's own limit: "too many nested parentheses"
MAX_ELIF = 5000
_BIG_TEXT = 20_000  # characters; shorter text is parsed on the calling thread
_PARSER_STACK = 256 * 1024 * 1024  # reserved address space, used only as deep as the parser goes


def nesting_problem(text: str) -> Optional[Tuple[str, int]]:
    """(what, offset) when ``text`` is nested beyond what LibCST can parse safely, else None."""
    levels: List[List[int]] = [[0] * 7]  # per open bracket: the chain length of each rank
    total = 0  # the sum over all levels: an estimate of the parser's depth
    elifs = 0
    in_lambda = False  # a lambda's parameters: their commas do not end the expression
    for match in _NESTING.finditer(text):
        kind = match.lastgroup
        if kind == "skip":
            continue
        counts = levels[-1]
        if kind == "close":
            if len(levels) > 1:
                total -= sum(levels.pop())
        elif kind == "sep":
            if (match.group() == "\n" and len(levels) > 1) or (in_lambda and match.group() == ","):
                continue
            total -= sum(counts)
            levels[-1] = [0] * 7
            in_lambda = False
        elif kind == "colon":
            in_lambda = False
        elif kind == "elif":
            elifs += 1
            if elifs > MAX_ELIF:
                return f"more than {MAX_ELIF} elif clauses", match.start()
        else:
            rank = _RANK[kind]
            for tighter in range(rank + 1, 7):
                total -= counts[tighter]
                counts[tighter] = 0
            # Trailers and lambdas cost LibCST the most time per level.
            weight = 3 if rank == 6 else 2 if match.group() == "lambda" else 1
            counts[rank] += weight
            total += weight
            if total > MAX_NESTING:
                return "an expression nested too deeply", match.start()
            if kind == "kw" and match.group() == "lambda":
                in_lambda = True
            elif kind == "open":
                levels.append([0] * 7)
                if len(levels) > MAX_BRACKETS + 1:
                    return f"more than {MAX_BRACKETS} nested brackets", match.start()
    return None


def _parse_module(text: str) -> cst.Module:
    import libcst as cst

    if len(text) < _BIG_TEXT:
        return cst.parse_module(text)
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(cst.parse_module(text))
        except BaseException as exc:  # handed to the caller's thread, raised there
            outcome.append(exc)

    try:
        previous = threading.stack_size(_PARSER_STACK)
    except (ValueError, RuntimeError):  # the platform does not let us choose
        return cst.parse_module(text)
    try:
        thread = threading.Thread(target=run, name="lambdalint-parse", daemon=True)
        thread.start()
    except RuntimeError:  # no thread to be had: the nesting limits still hold
        return cst.parse_module(text)
    finally:
        threading.stack_size(previous)
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def cpython_syntax_error(text: str) -> Optional[Tuple[int, int, str]]:
    """(line, column, message) of the syntax error CPython's own parser finds, or None.

    Asked only once LibCST has refused the text: LibCST reports the token where its grammar
    gave up, often a line later (``f(`` never closed is reported at the end of the file), while
    CPython names the place a reader looks at (the bracket) and says why in words. None when
    CPython accepts the text (syntax newer than LibCST's grammar): LibCST's position stands."""
    import ast  # only on this error path: reading a valid file never needs it

    try:
        compile(text, "<lambdalint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if not exc.lineno or exc.lineno < 1:
            return None
        return exc.lineno, max(exc.offset or 1, 1), exc.msg
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return None


def parse(text: str, path: str, encoding: str = "utf-8", line_offset: int = 0,
          column_offset: int = 0) -> PythonFile:
    import libcst as cst

    problem = nesting_problem(text)
    if problem is not None:
        what, offset = problem
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise PythonReadError(f"too complex to parse safely: {what}", line, column)
    try:
        module = _parse_module(text)
    except cst.ParserSyntaxError as exc:
        cpython = cpython_syntax_error(text)
        if cpython is not None:
            line, column, message = cpython
            raise PythonReadError(f"syntax error: {message}", line, column) from None
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
