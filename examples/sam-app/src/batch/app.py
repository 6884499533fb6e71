"""LL110: the mapping asks for batchItemFailures, but a record that fails is only logged."""

import json


def lambda_handler(event, context):
    for record in event["Records"]:
        try:
            process(json.loads(record["body"]))
        except Exception as error:
            print(f"could not process {record['messageId']}: {error}")


def process(job):
    return job["id"]
