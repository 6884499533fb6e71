"""Literals under credential names that are clearly not values."""

DB_PASSWORD = ""  # want: no empty
API_KEY = "${API_KEY}"  # want: no template
SMTP_PASSWORD = "%(smtp_password)s"  # want: no template
JINJA_TOKEN = "{{ api_token }}"  # want: no template
password = "<password>"  # want: no instruction
DB_SECRET = "!Ref DbSecret"  # want: no reference
RESOLVED = {"password": "{{resolve:secretsmanager:prod/db:SecretString:password}}"}  # want: no reference
SECRET_KEY = "your-secret-key-here"  # want: no instruction
ADMIN_PASSWORD = "changeme"  # want: no instruction
GITHUB_TOKEN = "xxxxxxxx"  # want: no instruction
STRIPE_KEY = "****"  # want: no instruction
SLACK_TOKEN = "INSERT_TOKEN_HERE"  # want: no instruction
PRIVATE_KEY = "/var/task/keys/signing.pem"  # want: no path
CERT_KEY = "certs/client.key"  # want: no path
DB_PASSWORD_NAME = "DB_PASSWORD"
LOGIN_PASSWORD = "DB_PASSWORD_PARAM"  # want: no env-name
AUTH_TOKEN = "TODO"  # want: no instruction
API_SECRET = "this-is-not-a-real-secret"  # want: no instruction
