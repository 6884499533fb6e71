"""LL105 network-call-without-timeout: a slow server holds the invocation until it times out."""

import requests


def handler(event, context):
    return requests.get(event["url"]).json()
