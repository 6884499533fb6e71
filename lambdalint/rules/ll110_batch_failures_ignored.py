"""LL110 batch-failures-ignored: a handler and its event source mapping disagree on partial
batch responses, so failed records are acknowledged and lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

import libcst as cst

from lambdalint.analysis.handlers import walk
from lambdalint.model import LinkedFunction, LinkedTrigger
from lambdalint.rules._syntax import last_name, literal_string
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL110",
    name="batch-failures-ignored",
    severity="error",
    summary="A handler and its SQS/Kinesis/DynamoDB trigger disagree on batch item failures: "
            "failed records are lost.",
    kind="python",
    tags=("reliability",),
    reports="a handler that never returns `batchItemFailures` while its mapping reports them, "
            "or returns them while its mapping does not (SQS, Kinesis, DynamoDB Streams)",
    covers=("yes", "yes", "yes", "yes", "yes"),
)

WORD = "batchItemFailures"
# Powertools' batch utilities build the partial response themselves.
POWERTOOLS_BATCH = "aws_lambda_powertools.utilities.batch"
PARTIAL_CALLS = ("process_partial_response", "async_process_partial_response")
BATCH_DECORATORS = ("batch_processor", "async_batch_processor", "sqs_batch_processor")
KINDS = {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB Streams"}


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL110 cannot report in the file: no linked function has an SQS, Kinesis
    or DynamoDB trigger whose setting is known; or every such mapping leaves item failures off
    and the file never spells them (nor a Powertools batch utility)."""
    if text.is_test_path:
        return False
    states = [t.report_batch_failures for _, functions in text.linked for f in functions
              for t in f.triggers if t.report_batch_failures is not None]
    if not states:
        return False
    if any(states):
        return True
    return any(w in text.text for w in ("batchItemFailures", "partial_response", "batch_processor"))


def _template(event: str, reports: bool) -> str:
    """A SAM template whose function (app.handler) an SQS queue triggers; the cases use it."""
    types = "\n            FunctionResponseTypes: [ReportBatchItemFailures]" if reports else ""
    return ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
            "      Handler: app.handler\n      CodeUri: .\n      Timeout: 120\n      Events:\n"
            f"        Jobs:\n          Type: {event}\n          Properties:\n"
            "            Queue: arn:aws:sqs:us-east-1:123456789012:jobs" + types + "\n")


_PARTIAL = ('def handler(event, context):\n    failures = []\n    for r in event["Records"]:\n'
            '        try:\n            work(r)\n        except Exception:\n'
            '            failures.append({"itemIdentifier": r["messageId"]})\n'
            '    return {"batchItemFailures": failures}\n\ndef work(r):\n    pass\n')
_SWALLOW = ('def handler(event, context):\n    for r in event["Records"]:\n        try:\n'
            '            work(r)\n        except Exception:\n            print("failed", r)\n\n'
            'def work(r):\n    pass\n')


class BatchFailuresIgnored(PythonRule):
    """The handler of a function with an SQS, Kinesis or DynamoDB Streams trigger, judged
    against the trigger's ``FunctionResponseTypes`` (from the linked config):

    - the mapping reports batch item failures but the handler never returns
      ``batchItemFailures`` (the word appears nowhere in the file, no Powertools batch utility
      builds it, and no return hands back what another module computed) while the code it runs
      catches an error without raising it again: it then returns normally, and the whole batch
      counts as processed (a handler that lets errors raise gets the whole batch retried);
    - the handler returns ``batchItemFailures`` (or Powertools' partial response) but the
      mapping does not report them: Lambda ignores the return, and the records listed as failed
      are deleted (SQS) or passed over (streams) with the rest.
    """

    ID = META.id
    VALID = (
        (_PARTIAL, _template("SQS", True)),
        (_SWALLOW, _template("SQS", False)),
        # Powertools builds the partial response.
        ('from aws_lambda_powertools.utilities.batch import (BatchProcessor, EventType,\n'
         '    process_partial_response)\n\nprocessor = BatchProcessor(event_type=EventType.SQS)\n\n'
         'def record_handler(record):\n    return record.body\n\n'
         'def handler(event, context):\n    return process_partial_response(event=event, '
         'record_handler=record_handler, processor=processor, context=context)\n',
         _template("SQS", True)),
        # What another module returns may hold the list.
        ('from jobs import consume\n\ndef handler(event, context):\n    return consume(event)\n',
         _template("SQS", True)),
        # No config: nothing to compare with.
        _PARTIAL,
        # Errors raise: the whole batch is retried, nothing is lost.
        ('import json\n\ndef handler(event, context):\n    for r in event["Records"]:\n'
         '        try:\n            json.loads(r["body"])\n        except ValueError:\n'
         '            print("bad", r)\n            raise\n    return {"statusCode": 200}\n',
         _template("SQS", True)),
        # Another trigger.
        (_SWALLOW, _template("SNS", False).replace("Queue: arn:aws:sqs", "Topic: arn:aws:sns")),
    )
    INVALID = (
        (_SWALLOW, _template("SQS", True)),
        (_PARTIAL, _template("SQS", False)),
        ('from aws_lambda_powertools.utilities.batch import (BatchProcessor, EventType,\n'
         '    process_partial_response)\n\nprocessor = BatchProcessor(event_type=EventType.SQS)\n\n'
         'def record_handler(record):\n    return record.body\n\n'
         'def handler(event, context):\n    return process_partial_response(event=event, '
         'record_handler=record_handler, processor=processor, context=context)\n',
         _template("SQS", False)),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._reported: Dict[Tuple[int, bool], List[Tuple[LinkedFunction, LinkedTrigger]]] = {}
        self._nodes: Dict[int, cst.CSTNode] = {}

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.ctx.linked_functions or self.ctx.handlers.is_test_file:
            return
        handlers = {h.name.value: h for h in self.ctx.handlers.handlers}
        for name, functions in self.ctx.linked_functions.items():
            handler = handlers.get(name)
            if handler is None:
                continue
            for function, trigger in _batch_triggers(functions):
                if trigger.report_batch_failures:
                    if self._may_return_failures(handler) or not self._swallows_errors(handler):
                        continue
                    self._keep(handler.name, True, function, trigger)
                else:
                    node = self._returned_failures(handler)
                    if node is not None:
                        self._keep(node, False, function, trigger)
        for (key, reports), pairs in self._reported.items():
            self._say(self._nodes[key], reports, pairs)

    # -- what the handler returns ---------------------------------------------------------------

    def _may_return_failures(self, handler: cst.FunctionDef) -> bool:
        """The handler may return ``batchItemFailures``: the word is in the file, a Powertools
        batch utility or decorator builds it, or a return hands back another module's value."""
        module = self.ctx.wrapper.module
        if any(literal_string(n) == WORD for n in walk(module)
               if isinstance(n, (cst.SimpleString, cst.ConcatenatedString))):
            return True
        if self._powertools_batch(handler) is not None:
            return True
        for node in walk(handler):
            if isinstance(node, cst.Return) and isinstance(node.value, cst.Call):
                if any("." in q for q in self.qualified_names(node.value.func)):
                    return True
        return False

    def _swallows_errors(self, handler: cst.FunctionDef) -> bool:
        """Code the handler runs catches an error and goes on (an ``except`` without ``raise``):
        without that, a failure raises and the whole batch is retried, which loses nothing."""
        for func in [handler, *self.ctx.handlers.per_invocation]:
            for node in walk(func):
                if isinstance(node, cst.ExceptHandler) and not any(
                        isinstance(n, cst.Raise) for n in walk(node.body, into_scopes=False)):
                    return True
        return False

    def _returned_failures(self, handler: cst.FunctionDef) -> Optional[cst.CSTNode]:
        """Where the code that runs per invocation builds ``batchItemFailures`` (or Powertools
        does), None when it does not."""
        per_invocation = self.ctx.handlers.per_invocation
        for func in [handler, *sorted(per_invocation - {handler}, key=_name)]:
            for node in walk(func):
                if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and \
                        literal_string(node) == WORD:
                    return node
        return self._powertools_batch(handler)

    def _powertools_batch(self, handler: cst.FunctionDef) -> Optional[cst.CSTNode]:
        for decorator in handler.decorators:
            target = decorator.decorator
            target = target.func if isinstance(target, cst.Call) else target
            if last_name(target) in BATCH_DECORATORS:
                return decorator
        for node in walk(handler):
            if isinstance(node, cst.Call) and last_name(node.func) in PARTIAL_CALLS:
                if any(q.startswith(POWERTOOLS_BATCH) for q in self.qualified_names(node.func)):
                    return node
        return None

    # -- findings -------------------------------------------------------------------------------

    def _keep(self, node: cst.CSTNode, reports: bool, function: LinkedFunction,
              trigger: LinkedTrigger) -> None:
        self._nodes[id(node)] = node
        pairs = self._reported.setdefault((id(node), reports), [])
        if (function, trigger) not in pairs:
            pairs.append((function, trigger))

    def _say(self, node: cst.CSTNode, reports: bool,
             pairs: List[Tuple[LinkedFunction, LinkedTrigger]]) -> None:
        where = "; ".join(f"{f.name}'s {KINDS[t.kind]} trigger ({t.path}:{t.report_line})"
                          for f, t in pairs[:3])
        if reports:
            self.report(
                node,
                f"{where} reports batch item failures (FunctionResponseTypes: "
                f"ReportBatchItemFailures), but the handler never returns {WORD}: when it "
                "catches an error and returns normally, Lambda counts every record of the batch "
                "as processed, and the failed ones are lost",
                f'Collect the records that failed and return {{"{WORD}": [{{"itemIdentifier": '
                'record["messageId"]}, ...]} (the sequence number for streams), or use '
                "Powertools' BatchProcessor with process_partial_response; let an error you "
                "cannot handle raise to retry the batch.",
            )
            return
        self.report(
            node,
            f"the handler returns {WORD}, but {where} does not set FunctionResponseTypes: "
            "[ReportBatchItemFailures]: Lambda ignores what the handler returns, so a batch "
            "with failed records counts as processed and they are deleted (SQS) or passed over "
            "(streams) with the rest",
            "Turn on partial batch responses on the mapping (FunctionResponseTypes: "
            "[ReportBatchItemFailures]; Serverless functionResponseType: "
            "ReportBatchItemFailures; Terraform function_response_types; CDK "
            "report_batch_item_failures=True), or raise when a record fails.",
        )


def _batch_triggers(functions) -> Iterator[Tuple[LinkedFunction, LinkedTrigger]]:
    for function in functions:
        for trigger in function.triggers:
            if trigger.kind in KINDS and trigger.report_batch_failures is not None:
                yield function, trigger


def _name(func: cst.FunctionDef) -> str:
    return func.name.value


Rule = BatchFailuresIgnored
