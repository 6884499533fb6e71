"""Literal fallbacks of environment reads, and values written into the environment."""

import os

DB_PASS = os.getenv("DB_PASS", "s3cure-ish")  # want: yes fallback
API_KEY = os.environ.get("API_KEY", "fallback99")  # want: yes fallback
os.environ.setdefault("REDIS_PASSWORD", "r3dis-local")  # want: yes fallback
JWT_SECRET = os.environ.get("JWT_SECRET", "")  # want: no empty
TOKEN = os.getenv("SERVICE_TOKEN", None)
DB_PASSWORD = os.environ["DB_PASSWORD"]
PASSWORD_ENV = os.getenv("PASSWORD_VARIABLE", "DB_PASSWORD")  # want: no env-name
