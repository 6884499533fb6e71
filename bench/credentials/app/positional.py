"""Credentials passed by position, where the API takes them there."""

import smtplib

import jwt
import pg
import pymysql
import redis
import requests
from requests.auth import HTTPBasicAuth

cache = redis.Redis("cache.internal", 6379, 0, "r3dis-pw")  # want: yes positional
db = pg.DB("orders", "db.internal", 5432, None, "app", "pgpass77")  # want: yes positional
token = jwt.encode({"sub": "42"}, "jwt-key-1", algorithm="HS256")  # want: yes positional
smtplib.SMTP("smtp.internal").login("ops", "mailpw1")  # want: yes positional
requests.get("https://api.internal", auth=("user", "pw12345"))  # want: yes positional
requests.get("https://api.internal", auth=HTTPBasicAuth("u", "basicpw9"))  # want: yes positional
conn = pymysql.connect(host="db.internal", user="app", database="orders")  # want: no type
jwt.decode(token, options={"verify_signature": False})
redis.Redis("cache.internal", 6379, 0)
