"""LL217: resizes each uploaded image and writes the result back into the bucket that triggered
it, so every result triggers the function again."""

import os

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        image = s3.get_object(Bucket=os.environ["BUCKET"], Key=key)["Body"].read()
        s3.put_object(Bucket=os.environ["BUCKET"], Key=f"{key}.small.png", Body=image[:1024])
    return {"resized": len(event["Records"])}
