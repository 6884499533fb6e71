"""LL217 recursive-trigger: a function that writes to the bucket, queue or topic that triggers it.

This is a check across config and code: the config says which S3 bucket, SQS queue or SNS topic
invokes the function and which environment variable names that resource to the code; the code
says where it writes. Where both name the same resource, each write starts another invocation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import libcst as cst

from lambdalint.model import LinkedFunction, LinkedTrigger
from lambdalint.rules._bindings import NameValues
from lambdalint.rules._syntax import last_name, short_code
from lambdalint.rules.base import PythonRule
from lambdalint.rules.meta import RuleMeta

if TYPE_CHECKING:
    from lambdalint.prefilter import Text

META = RuleMeta(
    id="LL217",
    name="recursive-trigger",
    severity="error",
    summary="A function writes to the S3 bucket, SQS queue or SNS topic that triggers it.",
    kind="python",
    tags=("reliability", "cost"),
    reports="handler code writing to the S3 bucket, SQS queue or SNS topic that triggers its "
            "function (named by the environment variable the config sets), with no S3 key filter",
    covers=("yes", "yes", "yes", "yes", "yes"),
)

# Trigger kind -> the write methods of its service, and the argument that names the resource:
# (keyword, position when passed positionally or None).
WRITES: Dict[str, Dict[str, Tuple[str, Optional[int]]]] = {
    "s3": {"put_object": ("Bucket", None), "copy_object": ("Bucket", None),
           "upload_file": ("Bucket", 1), "upload_fileobj": ("Bucket", 1), "copy": ("Bucket", 1)},
    "sqs": {"send_message": ("QueueUrl", None), "send_message_batch": ("QueueUrl", None)},
    "sns": {"publish": ("TopicArn", None), "publish_batch": ("TopicArn", None)},
}
# boto3 resources: kind -> (the resource constructor, its writes): ``s3.Bucket(name).put_object``,
# ``s3.Object(name, key).put``, ``sqs.Queue(url).send_message``, ``sns.Topic(arn).publish``.
RESOURCE_WRITES: Dict[str, Tuple[Tuple[str, Tuple[str, ...]], ...]] = {
    "s3": (("Bucket", ("put_object", "upload_file", "upload_fileobj", "copy")),
           ("Object", ("put", "upload_file", "upload_fileobj", "copy", "copy_from"))),
    "sqs": (("Queue", ("send_message", "send_messages")),),
    "sns": (("Topic", ("publish",)),),
}
WHAT = {"s3": "bucket", "sqs": "queue", "sns": "topic"}
LOOP_KINDS = ("s3", "sqs", "sns")
MAX_DEPTH = 3


def gate(text: Text, options: Dict[str, Any]) -> bool:
    """False only when LL217 cannot report in the file: a linked function must have an S3, SQS or
    SNS trigger whose resource an environment variable names, and the file must read one of those
    variables."""
    if text.is_test_path:
        return False
    for _, functions in text.linked:
        for function in functions:
            for trigger in function.triggers:
                if trigger.kind in LOOP_KINDS and not trigger.key_filter and \
                        any(variable in text.text for variable in trigger.source_variables):
                    return True
    return False


def _loops(function: LinkedFunction) -> List[LinkedTrigger]:
    """The triggers a write can loop through: S3 without a key filter, SQS, SNS, whose resource
    the environment names."""
    return [t for t in function.triggers
            if t.kind in WRITES and t.source_variables and not t.key_filter]


class RecursiveTrigger(PythonRule, NameValues):
    """Handler code that writes to the resource that invokes its own function.

    A function triggered by an S3 bucket that puts an object into that bucket (or an SQS queue it
    sends to, an SNS topic it publishes to) invokes itself again with every write: a loop that
    runs, and bills, until someone stops it. The config names the trigger's resource and the
    environment variable that passes it to the code (``BUCKET: !Ref Uploads``); the code writes
    through that variable. An S3 notification with a prefix or suffix filter is left alone (the
    filter can keep output apart from input). The role is not consulted: SAM policy templates and
    managed policies are not all read into statements, and a write the role refuses is a bug of
    its own.
    """

    ID = META.id
    _TEMPLATE = (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Uploads:\n    Type: AWS::S3::Bucket\n"
        "  Jobs:\n    Type: AWS::SQS::Queue\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.handler\n      CodeUri: .\n      Runtime: python3.12\n"
        "      Environment:\n        Variables:\n"
        "          BUCKET: !Ref Uploads\n          OUT_BUCKET: results-bucket\n"
        "          QUEUE_URL: !Ref Jobs\n"
        "      Events:\n{events}"
    )
    _S3 = ("        Upload:\n          Type: S3\n          Properties:\n"
           "            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n")
    _S3_FILTERED = _S3 + ("            Filter:\n              S3Key:\n                Rules:\n"
                          "                  - {Name: prefix, Value: incoming/}\n")
    _S3_HANDLER = 'import os, boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
    _SQS = ("        Work:\n          Type: SQS\n          Properties:\n"
            "            Queue: !GetAtt Jobs.Arn\n")
    VALID = (
        # Output goes to another bucket.
        (_S3_HANDLER + '    s3.put_object(Bucket=os.environ["OUT_BUCKET"], Key="k", Body=b"")\n',
         _TEMPLATE.format(events=_S3)),
        # The trigger's filter keeps the output (another prefix) out of the loop.
        (_S3_HANDLER + '    s3.put_object(Bucket=os.environ["BUCKET"], Key="done/k", Body=b"")\n',
         _TEMPLATE.format(events=_S3_FILTERED)),
        # Reading the triggering bucket is not writing to it.
        (_S3_HANDLER + '    return s3.get_object(Bucket=os.environ["BUCKET"], Key="k")\n',
         _TEMPLATE.format(events=_S3)),
        # The queue variable exists but the function is triggered by S3, not by the queue.
        ('import os, boto3\n\nsqs = boto3.client("sqs")\n\ndef handler(event, context):\n'
         '    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="x")\n',
         _TEMPLATE.format(events=_S3)),
        # Without a config linking the handler nothing is known about its triggers.
        'import os, boto3\n\ns3 = boto3.client("s3")\n\ndef handler(event, context):\n'
        '    s3.put_object(Bucket=os.environ["BUCKET"], Key="k", Body=b"")\n',
    )
    INVALID = (
        (_S3_HANDLER + '    s3.put_object(Bucket=os.environ["BUCKET"], Key="thumb.png", Body=b"")\n',
         _TEMPLATE.format(events=_S3)),
        # Through a module constant and a resource object.
        ('import os, boto3\n\nBUCKET = os.getenv("BUCKET")\nbucket = boto3.resource("s3").Bucket(BUCKET)\n\n'
         'def handler(event, context):\n    bucket.upload_file("/tmp/out.csv", "out.csv")\n',
         _TEMPLATE.format(events=_S3)),
        # An SQS worker that sends to its own queue.
        ('import os, boto3\n\nsqs = boto3.client("sqs")\n\ndef handler(event, context):\n'
         '    for record in event["Records"]:\n'
         '        sqs.send_message(QueueUrl=os.environ.get("QUEUE_URL"), MessageBody="again")\n',
         _TEMPLATE.format(events=_SQS)),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.active = any(_loops(f) for f in ctx.all_linked())

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        method = last_name(node.func)
        for kind in WRITES:
            target = self._target(node, kind, method)
            if target is None:
                continue
            variable = self._variable(target, node, 0)
            if variable is None or not self.runs_per_invocation(node):
                continue
            for function in self.functions_running(node):
                for trigger in _loops(function):
                    if trigger.kind == kind and variable in trigger.source_variables:
                        self._report(node, function, trigger, variable)
                        return

    def _target(self, call: cst.Call, kind: str, method: str) -> Optional[cst.BaseExpression]:
        """The expression naming the resource ``call`` writes to, for a write of ``kind``: the
        argument of the resource object it is called on (``s3.Bucket(name)``), or the client
        call's own argument (``Bucket=``)."""
        func = call.func
        if isinstance(func, cst.Attribute):
            for constructor, methods in RESOURCE_WRITES[kind]:
                if method in methods:
                    made = self._constructed(func.value, constructor, call)
                    if made is not None:
                        return made
        spec = WRITES[kind].get(method)
        if spec is None:
            return None
        keyword, position = spec
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if position is not None and position < len(positional):
            return positional[position].value
        return None

    def _constructed(self, expr: cst.BaseExpression, constructor: str,
                     where: cst.CSTNode) -> Optional[cst.BaseExpression]:
        """The first argument of the ``X.<constructor>(arg)`` call ``expr`` is or is bound to."""
        if isinstance(expr, cst.Name):
            bound = [v for v in self.values(expr.value, where) if v is not None]
            expr = bound[0] if len(bound) == 1 else expr
        if isinstance(expr, cst.Call) and last_name(expr.func) == constructor and expr.args \
                and expr.args[0].keyword is None:
            return expr.args[0].value
        return None

    def _variable(self, expr: cst.BaseExpression, where: cst.CSTNode, depth: int) -> Optional[str]:
        """The environment variable ``expr`` reads, directly or through names bound to it."""
        found = self.environment_variable(expr)
        if found is not None or depth >= MAX_DEPTH or not isinstance(expr, cst.Name):
            return found
        bound = self.values(expr.value, where)
        names = {self._variable(v, v, depth + 1) for v in bound if v is not None}
        return names.pop() if len(names) == 1 and None not in names and \
            all(v is not None for v in bound) else None

    def _report(self, node: cst.Call, function: LinkedFunction, trigger: LinkedTrigger,
                variable: str) -> None:
        what = WHAT[trigger.kind]
        source = trigger.source or variable
        fix = ("Write the output to another bucket, or give the S3 trigger a prefix or suffix "
               "filter that the keys this code writes do not match (input under uploads/, output "
               "under processed/): SAM/CloudFormation Filter.S3Key.Rules, Serverless rules: "
               "[{prefix: uploads/}], Terraform filter_prefix/filter_suffix, CDK "
               "filters=[s3.NotificationKeyFilter(prefix=\"uploads/\")]."
               if trigger.kind == "s3" else
               f"Send the follow-up work to another {what}, or carry a marker in the message "
               "and stop when it is present.")
        self.report(
            node,
            f"`{short_code(node.func)}(...)` writes to the {what} {source} ({variable}), which "
            f"triggers {function.where} itself: each write invokes the function again, a loop "
            "that runs and bills until stopped",
            fix + " Lambda's recursive loop detection stops such a loop only after about 16 "
            "invocations, and not where it is turned off.",
        )


Rule = RecursiveTrigger
