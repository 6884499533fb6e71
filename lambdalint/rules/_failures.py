"""What the failure-handling rules (LL211, LL212) share: how a trigger kind reads in a message,
and the facts of Lambda's retry behaviour they rest on (see /work/shared/lambda-facts.md)."""

from __future__ import annotations

from typing import Dict

# Asynchronous invocation: Lambda retries a failed event twice, keeps an event up to six hours.
ASYNC_RETRIES = 2
ASYNC_MAX_AGE_HOURS = 6

# EventSource.kind -> how a message names the service behind it.
TRIGGER_NAMES: Dict[str, str] = {
    "api": "API Gateway (async)", "s3": "S3", "sns": "SNS", "eventbridge": "EventBridge",
    "schedule": "a schedule", "iot": "IoT", "ses": "SES", "logs": "CloudWatch Logs",
    "kinesis": "Kinesis", "dynamodb": "DynamoDB Streams", "sqs": "SQS", "kafka": "Kafka",
}


def trigger_name(kind: str) -> str:
    return TRIGGER_NAMES.get(kind, kind)
