"""LL104 async-handler: a handler written as ``async def``, which the Python runtime never awaits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Set

import libcst as cst

from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL104",
    name="async-handler",
    severity="error",
    summary="A handler is an async function: the Python runtime returns its coroutine unawaited.",
    kind="python",
    tags=("reliability",),
    reports="an `async def` handler (the runtime calls it without awaiting it)",
    covers=("yes", "inline code", "", "", "inline code"),
)


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL104 cannot report in the file: it needs an ``async def`` without a
    decorator whose name the module does not call (as the rule reads it, on the ``ast``)."""
    if "async" not in text.text or text.is_test_path:
        return False
    import ast

    tree = text.tree
    if tree is None:
        return True
    nodes = list(ast.walk(tree))
    coroutines = {n.name for n in nodes
                  if isinstance(n, ast.AsyncFunctionDef) and not n.decorator_list}
    called = {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return bool(coroutines - called)


class AsyncHandler(PythonRule):
    """A Lambda handler defined with ``async def``.

    The Python runtime calls the handler and serialises what it returns; it never runs an event
    loop. An ``async def`` handler returns a coroutine object that is never awaited: its body does
    not run, and the invocation fails ("Object of type coroutine is not JSON serializable"). A
    decorated handler is left alone: the decorator may run the coroutine (asgiref's
    ``async_to_sync``, a framework adapter), and lambdalint cannot see what it does.
    """

    ID = META.id
    _called: Optional[Set[str]] = None
    VALID = (
        # A synchronous handler running the async work to completion.
        'import asyncio\n\nasync def work(event):\n    return {"n": 1}\n\n'
        'def handler(event, context):\n    return asyncio.run(work(event))\n',
        # An async helper that is not the handler.
        'async def fetch(event):\n    return 1\n\ndef lambda_handler(event, context):\n    return 2\n',
        # A decorator may drive the coroutine (asgiref, a framework adapter).
        'from asgiref.sync import async_to_sync\n\n@async_to_sync\n'
        'async def handler(event, context):\n    return {"ok": True}\n',
        # A coroutine in the handler's shape that the module itself runs: the fix's own shape.
        'import asyncio\n\nasync def _handler(event, context):\n    return 1\n\n'
        'def handler(event, context):\n    return asyncio.run(_handler(event, context))\n',
        # Awaited by another coroutine: a helper, not an entry point.
        'import asyncio\n\nasync def handle(event, context):\n    return 1\n\n'
        'async def main(event, context):\n    return await handle(event, context)\n\n'
        'def handler(event, context):\n    return asyncio.run(main(event, context))\n',
    )
    INVALID = (
        'async def lambda_handler(event, context):\n    return {"statusCode": 200}\n',
        'import json\n\nasync def handler(event, context):\n'
        '    return {"statusCode": 200, "body": json.dumps(event)}\n',
        # A method-free module with a sync helper: the handler itself is still a coroutine.
        'import boto3\n\ns3 = boto3.client("s3")\n\n'
        'async def handler(event, context):\n    return s3.list_buckets()\n',
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None or node.decorators:
            return
        if node not in self.ctx.handlers.handlers:
            return
        name = node.name.value
        if name in self._called_names():
            return  # the module runs or awaits it itself: a coroutine, not the entry point
        self.report(
            node.name,
            f"handler {name} is an async function: the Python runtime calls it without awaiting "
            "it, so its body never runs and the invocation fails on the coroutine it returns",
            f"Keep the coroutine and call it from a synchronous handler:\n"
            f"    async def _{name}(event, context):\n"
            "        ...  # the current body\n"
            "\n"
            f"    def {name}(event, context):\n"
            f"        return asyncio.run(_{name}(event, context))\n"
            "(import asyncio; asyncio.run makes a new event loop on every invocation, so create "
            "async clients inside the coroutine).",
        )


    def _called_names(self) -> Set[str]:
        """Names the module calls (``asyncio.run(_handler(...))``, ``await handle(...)``),
        collected once per file and only when an async handler is found."""
        if self._called is None:
            called: Set[str] = set()

            class _Calls(cst.CSTVisitor):
                def visit_Call(self, call: cst.Call) -> None:
                    if isinstance(call.func, cst.Name):
                        called.add(call.func.value)

            self.ctx.wrapper.module.visit(_Calls())
            self._called = called
        return self._called


Rule = AsyncHandler
