"""LL112 tmp-not-cleaned: files written under /tmp per invocation and never removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

import libcst as cst

from lambdalint.rules._bindings import NameValues
from lambdalint.rules._syntax import literal_string, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL112",
    name="tmp-not-cleaned",
    severity="note",
    summary="Files with per-invocation names are written under /tmp and never removed.",
    kind="python",
    tags=("reliability",),
    reports="a file with a per-invocation name written under `/tmp` in a module that never "
            "removes files",
    covers=("yes", "inline code", "", "", "inline code"),
)

# Words that say the module removes or auto-deletes what it writes (os.remove, Path.unlink,
# shutil.rmtree, tempfile's self-deleting files and directories, moving the file away).
CLEANUPS = ("remove(", "unlink(", "rmtree(", "rmdir(", "TemporaryDirectory", "NamedTemporaryFile",
            "TemporaryFile", "SpooledTemporaryFile", "cleanup", "shutil.move", "os.replace",
            "os.rename")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL112 cannot report in the file: it needs ``/tmp`` (or
    ``gettempdir``) in the text and no call that removes files."""
    source = text.text
    if "/tmp" not in source and "gettempdir" not in source:
        return False
    if text.is_test_path:
        return False
    return not any(word in source for word in CLEANUPS)


WRITE_MODES = ("w", "a", "x")
# Methods that write to a path argument: (method, index of the path, keyword of the path).
PATH_WRITERS = {
    "download_file": (2, "Filename"),  # boto3 S3 client, Bucket and Object resources
    "urlretrieve": (1, "filename"),
    "save": (0, "fp"),  # PIL images, numpy, many libraries: save(path)
    "to_csv": (0, "path_or_buf"),
    "to_parquet": (0, "path"),
    "savefig": (0, "fname"),
}
PATH_METHODS = ("write_text", "write_bytes", "touch", "mkdir")
MAX_DEPTH = 4
VARIABLE, CONSTANT = "variable", "constant"


class TmpNotCleaned(NameValues, PythonRule):
    """A file under ``/tmp`` whose name changes per invocation (an f-string, ``os.path.join`` of
    the event's key, ``Path("/tmp") / name``), written by code a handler runs, in a module that
    never removes files.

    ``/tmp`` belongs to the execution environment, not to the invocation: what one invocation
    leaves there is still there for the next warm one. Files with a fixed name overwrite
    themselves and are left alone; so are modules that remove files anywhere (``os.remove``,
    ``Path.unlink``, ``shutil.rmtree``) or use ``tempfile``'s self-deleting files, code no
    handler runs, and test files.
    """

    ID = META.id
    VALID = (
        # A fixed name: every invocation overwrites the same file.
        'def handler(event, context):\n    with open("/tmp/report.csv", "w") as f:\n'
        '        f.write(event["body"])\n',
        # Removed after use.
        'import os\n\ndef handler(event, context):\n    path = f"/tmp/{event[\'key\']}"\n'
        '    with open(path, "wb") as f:\n        f.write(b"x")\n    os.remove(path)\n',
        # A self-deleting directory.
        'import os, tempfile\n\ndef handler(event, context):\n'
        '    with tempfile.TemporaryDirectory() as d:\n'
        '        open(os.path.join(d, event["key"]), "w").write("x")\n',
        # Read, not written.
        'def handler(event, context):\n    return open(f"/tmp/{event[\'key\']}").read()\n',
        # Not per invocation: a script.
        'def main(name):\n    with open(f"/tmp/{name}", "w") as f:\n        f.write("x")\n',
        # Another directory.
        'def handler(event, context):\n    with open(f"/mnt/efs/{event[\'key\']}", "w") as f:\n'
        '        f.write("x")\n',
    )
    INVALID = (
        'import boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    key = event["Records"][0]["s3"]["object"]["key"]\n'
        '    s3.download_file("bucket", key, f"/tmp/{key}")\n    return key\n',
        'import os\n\ndef handler(event, context):\n'
        '    path = os.path.join("/tmp", context.aws_request_id + ".json")\n'
        '    with open(path, "w") as f:\n        f.write(event["body"])\n',
        'from pathlib import Path\n\ndef save(name, data):\n'
        '    (Path("/tmp") / name).write_bytes(data)\n\n'
        'def lambda_handler(event, context):\n    save(event["id"], b"x")\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        text = ctx.file.text
        self.active = bool(ctx.handlers.per_invocation) and not any(
            word in text for word in CLEANUPS)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        path = self._written_path(node)
        if path is None or self._tmp(path, node, 0) != VARIABLE:
            return
        if not self.runs_per_invocation(node):
            return
        code = short_code(path)
        self.report(
            node,
            f"a file is written at `{code}` under /tmp, with a name that changes per invocation, "
            "and this module never removes files: /tmp outlives the invocation (it is kept for "
            "the next warm one) and fills up (512 MB by default), then writes fail with 'No "
            "space left on device'",
            "Remove the file when done (os.remove(path) in a finally block), or write inside "
            "`with tempfile.TemporaryDirectory() as tmp:` (it is deleted on exit), or reuse a "
            "fixed name so that each invocation overwrites the last one's file.",
        )

    # -- what is written where ------------------------------------------------------------------

    def _written_path(self, call: cst.Call) -> Optional[cst.BaseExpression]:
        func = call.func
        if isinstance(func, cst.Name) and func.value == "open" or (
                isinstance(func, cst.Attribute) and func.attr.value == "open"
                and isinstance(func.value, cst.Name) and func.value.value in ("io", "builtins")):
            mode = _argument(call, 1, "mode")
            if not isinstance(mode, cst.SimpleString):
                return None
            text = mode.evaluated_value
            if not isinstance(text, str) or not any(m in text for m in WRITE_MODES):
                return None
            return _argument(call, 0, "file")
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in PATH_WRITERS:
                index, keyword = PATH_WRITERS[method]
                return _argument(call, index, keyword)
            if method in PATH_METHODS:
                return func.value
        elif isinstance(func, cst.Name) and func.value == "urlretrieve":
            return _argument(call, 1, "filename")
        return None

    def _tmp(self, expr: cst.BaseExpression, where: cst.CSTNode, depth: int) -> Optional[str]:
        """VARIABLE for a path under /tmp whose name is computed, CONSTANT for a fixed one under
        /tmp, None otherwise (not under /tmp, or unknown)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = literal_string(expr)
            return CONSTANT if value is not None and _under_tmp(value) else None
        if isinstance(expr, cst.FormattedString):
            head = expr.parts[0] if expr.parts else None
            if isinstance(head, cst.FormattedStringText) and _under_tmp(head.value):
                if any(isinstance(p, cst.FormattedStringExpression) for p in expr.parts):
                    return VARIABLE
                return CONSTANT
            if isinstance(head, cst.FormattedStringExpression):
                return VARIABLE if self._tmp(head.expression, where, depth + 1) else None
            return None
        if isinstance(expr, cst.BinaryOperation):
            left = self._tmp(expr.left, where, depth + 1)
            if left is None:
                return None
            if isinstance(expr.operator, (cst.Add, cst.Divide)):
                right = literal_string(expr.right)
                return CONSTANT if left == CONSTANT and right is not None else VARIABLE
            if isinstance(expr.operator, cst.Modulo):
                return VARIABLE
            return None
        if isinstance(expr, cst.Call):
            return self._tmp_call(expr, where, depth)
        if isinstance(expr, cst.Name):
            values = self.values(expr.value, where)
            if not values or any(v is None for v in values):
                return None
            found = {self._tmp(v, v, depth + 1) for v in values if v is not None}
            return found.pop() if len(found) == 1 else None
        return None

    def _tmp_call(self, call: cst.Call, where: cst.CSTNode, depth: int) -> Optional[str]:
        func = call.func
        names = self.qualified_names(func)
        if names & {"tempfile.gettempdir"}:
            return CONSTANT
        if names & {"os.path.join", "posixpath.join"} and call.args:
            base = self._tmp(call.args[0].value, where, depth + 1)
            if base is None:
                return None
            rest = [literal_string(a.value) for a in call.args[1:]]
            return CONSTANT if base == CONSTANT and all(r is not None for r in rest) else VARIABLE
        if names & {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"} and call.args:
            return self._tmp(call.args[0].value, where, depth + 1)
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            base = self._tmp(func.value, where, depth + 1)
            return VARIABLE if base is not None and call.args else base
        return None


def _under_tmp(path: str) -> bool:
    return path == "/tmp" or path.startswith("/tmp/")


def _argument(call: cst.Call, index: int, keyword: str) -> Optional[cst.BaseExpression]:
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
            continue
        if positional == index:
            return arg.value
        positional += 1
    return None


Rule = TmpNotCleaned
