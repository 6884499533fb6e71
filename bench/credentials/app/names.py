"""Credential words inside names, and in keys of dicts, dict(), app.config[...], .update()."""

from flask import Flask

app = Flask(__name__)
the_password_for_smtp = "hunter22"  # want: yes names
userPasswordValue = "Pa55word"  # want: yes names
SIGNING_SECRET_V2 = "k9-signing"  # want: yes names
DB_PASSWORD_PROD = "Xv7!qa2R"  # want: yes names
app.config["SECRET_KEY"] = "kiwi-fruit"  # want: yes names
app.config.update({"api_token": "abcd1234"})  # want: yes names
creds = dict(password="plum42")  # want: yes names
HEADERS = {"x-api-key": "a9F3kq0Zt7Lm2Pw8"}  # want: yes names
clientSecret = "cs-77d1e2f3"  # want: yes names
STRIPE_API_KEY_LIVE = "rk_9d8c7b6a5f4e"  # want: yes names
SLACK_BOT_TOKEN = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"  # want: yes shape
GITHUB_TOKEN = "ghp_Z8x7Y6w5V4u3T2s1R0q9P8o7N6m5L4k3J2i1"  # want: yes shape
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"  # want: no reference
secret_name = "prod/orders/db"  # want: no reference
TOKEN_TYPE = "Bearer"  # want: no type
password_field = "password"  # want: no type
FIELDS = {"password": "db_password", "api_key": "apiKey"}  # want: no type
PARAM_TYPES = {"password": "SecureString"}  # want: no type
NEXT_TOKEN = "eyJsYXN0IjoxMjN9"  # want: no type
