import json

import pymysql

DB_HOST = "orders.cluster-abc123.eu-west-1.rds.amazonaws.com"
DB_PASSWORD = "Sup3r-Secret-Orders-Pw"

connection = pymysql.connect(host=DB_HOST, user="orders", password=DB_PASSWORD)


def lambda_handler(event, context):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM orders")
        (count,) = cursor.fetchone()
    return {"statusCode": 200, "body": json.dumps({"orders": count})}
