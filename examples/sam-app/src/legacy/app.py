"""LL214 (code part): the handler overrides a variable Lambda reserves, for every later
invocation of this execution environment."""

import os


def lambda_handler(event, context):
    os.environ["AWS_REGION"] = event.get("region", "eu-west-1")
    return {"region": os.environ["AWS_REGION"]}
