"""LL111 invocation-state-leak: every warm invocation returns the bodies of the earlier ones."""

RESULTS = []


def handler(event, context):
    for record in event["Records"]:
        RESULTS.append(record["body"])
    return {"bodies": RESULTS}
