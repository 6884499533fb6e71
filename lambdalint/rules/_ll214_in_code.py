"""LL214's part on handler code: code that sets or removes a variable Lambda reserves.

The config part (``ll214_reserved_environment_variable``) reports a reserved name in the
function's environment, which the deployment refuses. Code can still do what the API refuses:
``os.environ["AWS_REGION"] = ...`` overrides the value the runtime set, for the rest of the
execution environment's life (every later invocation, every SDK client built afterwards), and
``del os.environ["AWS_SECRET_ACCESS_KEY"]`` takes the execution role's credentials away from the
SDK. Same id, name and page as the config part (``META.code_part`` names this module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional

import libcst as cst

from lambdalint.analysis.handlers import _is_main_guard as is_main_guard
from lambdalint.rules._bindings import NameValues
from lambdalint.rules._reserved_env import CREDENTIALS, REGION, SETS
from lambdalint.rules._syntax import literal_string
from lambdalint.rules.base import PythonRule
from lambdalint.rules.ll214_reserved_environment_variable import META

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

ENVIRON = "os.environ"
WRITERS = ("environ", "putenv", "unsetenv")


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when the code part of LL214 cannot report in the file: it needs a write to the
    environment (``environ``, ``putenv``, ``unsetenv``) and a reserved name spelled somewhere."""
    if text.is_test_path or not any(word in text.text for word in WRITERS):
        return False
    from lambdalint.rules._reserved_env import SETS

    return any(name in text.text for name in SETS)


class ReservedVariableInCode(NameValues, PythonRule):
    """``os.environ[...] = ...``, ``os.environ.update/pop/setdefault``... ``os.putenv``,
    ``os.unsetenv`` and ``del os.environ[...]`` on a reserved name, in Lambda code: at module
    level (it runs at init) or in code a handler reaches. Names are literal strings or names
    bound to one. Local-run blocks (``if __name__ == "__main__":``), functions no handler
    reaches, files without a handler and tests are left alone.
    """

    ID = META.id
    VALID = (
        'import os\n\nREGION = os.environ["AWS_REGION"]\n\n'
        'def handler(event, context):\n    return REGION\n',
        # A name of one's own.
        'import os\n\nos.environ["TARGET_REGION"] = "eu-west-1"\n\n'
        'def handler(event, context):\n    return os.environ["TARGET_REGION"]\n',
        # Local runs only.
        'import os\n\ndef handler(event, context):\n    return 1\n\n'
        'if __name__ == "__main__":\n    os.environ["AWS_REGION"] = "us-east-1"\n'
        '    handler({}, None)\n',
        # Not Lambda code: a script without a handler.
        'import os\n\ndef main():\n    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"\n',
        # setdefault never overrides what Lambda set; reading is fine; another mapping.
        'import os\n\nos.environ.setdefault("AWS_REGION", "us-east-1")\n\n'
        'def handler(event, context):\n    headers = {}\n    headers["AWS_REGION"] = 1\n'
        '    return os.environ.get("AWS_REGION"), headers\n',
    )
    INVALID = (
        'import os\n\nos.environ["AWS_REGION"] = "us-east-1"\n\n'
        'def handler(event, context):\n    return 1\n',
        'import os\n\ndef handler(event, context):\n'
        '    os.environ.update({"AWS_ACCESS_KEY_ID": event["key"]})\n    return 1\n',
        'from os import environ, putenv\n\nKEY = "AWS_LAMBDA_FUNCTION_NAME"\n\n'
        'def reset():\n    putenv(KEY, "x")\n\n'
        'def lambda_handler(event, context):\n    reset()\n    return 1\n',
        'import os\n\ndef handler(event, context):\n'
        '    del os.environ["AWS_SESSION_TOKEN"]\n    return 1\n',
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = ctx.handlers.is_lambda_code

    # -- what writes the environment ----------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._subscript(target.target, node, "sets")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._subscript(node.target, node, "sets")

    def visit_Del(self, node: cst.Del) -> None:
        targets = [e.value for e in node.target.elements] \
            if isinstance(node.target, cst.Tuple) else [node.target]
        for target in targets:
            self._subscript(target, node, "removes")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        names = self.qualified_names(node.func)
        if names & {"os.putenv", "os.unsetenv"}:
            verb = "sets" if "os.putenv" in names else "removes"
            self._judge(node, self._arg_names(node.args[:1], node), verb)
        elif isinstance(node.func, cst.Attribute) and self._is_environ(node.func.value):
            method = node.func.attr.value
            if method in ("update",):
                self._judge(node, self._update_keys(node), "sets")
            elif method in ("__setitem__",):
                self._judge(node, self._arg_names(node.args[:1], node), "sets")
            elif method in ("pop", "__delitem__", "popitem", "clear"):
                keys = list(SETS) if method in ("popitem", "clear") else \
                    self._arg_names(node.args[:1], node)
                self._judge(node, keys, "removes")

    # -- helpers --------------------------------------------------------------------------------

    def _subscript(self, target: cst.BaseExpression, node: cst.CSTNode, verb: str) -> None:
        if not self.active or not isinstance(target, cst.Subscript):
            return
        if not self._is_environ(target.value) or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            self._judge(node, self._key_names(index.value, node), verb)

    def _is_environ(self, expr: cst.BaseExpression) -> bool:
        return ENVIRON in self.qualified_names(expr)

    def _key_names(self, expr: cst.BaseExpression, where: cst.CSTNode) -> Iterable[str]:
        """The string ``expr`` spells, directly or through a name bound to a literal."""
        text = literal_string(expr)
        if text is not None:
            return [text]
        if isinstance(expr, cst.Name):
            values = self.values(expr.value, where)
            found = [literal_string(v) for v in values if v is not None]
            return [t for t in found if t is not None]
        return []

    def _arg_names(self, args, where: cst.CSTNode) -> Iterable[str]:
        return [name for arg in args if arg.keyword is None and not arg.star
                for name in self._key_names(arg.value, where)]

    def _update_keys(self, call: cst.Call) -> Iterable[str]:
        keys = []
        for arg in call.args:
            if arg.keyword is not None:
                keys.append(arg.keyword.value)
            elif not arg.star and isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement):
                        keys.extend(self._key_names(element.key, call))
        return keys

    def _where_it_runs(self, node: cst.CSTNode) -> Optional[str]:
        """"at init" (module level), "per invocation" (code a handler reaches), or None."""
        func = self.enclosing_function(node)
        if func is not None:
            return "per invocation" if self.runs_per_invocation(node) else None
        current = self.parent(node)
        while current is not None:
            if is_main_guard(current) or isinstance(current, cst.ClassDef):
                return None
            current = self.parent(current)
        return "at init"

    def _judge(self, node: cst.CSTNode, keys: Iterable[str], verb: str) -> None:
        reserved = [k for k in dict.fromkeys(keys) if k in SETS]
        if not reserved:
            return
        when = self._where_it_runs(node)
        if when is None:
            return
        name = reserved[0]
        others = f" (and {', '.join(reserved[1:])})" if len(reserved) > 1 else ""
        self.report(node, f"the code {verb} {name}{others}, which Lambda reserves and sets "
                          f"itself ({SETS[name]}), {when}: {_effect(name, verb)}",
                    _advice(name))


def _effect(name: str, verb: str) -> str:
    if name in CREDENTIALS:
        return ("the SDK's credentials are no longer the execution role's for every later call "
                "in this execution environment" if verb == "sets" else
                "the SDK loses the execution role's credentials for every later call in this "
                "execution environment (NoCredentialsError, or another profile's keys)")
    if name in REGION:
        return ("every SDK client built afterwards, in this and later invocations of the same "
                "execution environment, talks to that Region instead of the function's own")
    return ("every later read of it in this execution environment (the runtime, the SDK, "
            "Powertools, your own code) sees a value Lambda did not set")


def _advice(name: str) -> str:
    if name in REGION:
        return ("Leave it as Lambda set it; to reach another Region, pass it to the client "
                '(boto3.client("s3", region_name=TARGET_REGION)) from a variable of your own.')
    if name in CREDENTIALS:
        return ("Leave the role's credentials alone; for another account or role, build a "
                "session from sts.assume_role(...) credentials (boto3.Session(aws_access_key_id="
                "..., ...)) instead of rewriting the environment.")
    return f"Leave {name} as Lambda set it; keep a value of your own under a name of your own."


Rule = ReservedVariableInCode
