"""Connection URLs: a common word as the password of a real endpoint is still a password."""

ORDERS_DSN = "postgresql://app:password@orders.abc123.eu-west-1.rds.amazonaws.com/orders"  # want: yes url
CACHE_URL = "redis://:Wm3kPq8s@cache.x1y2z3.ng.0001.euw1.cache.amazonaws.com:6379/0"  # want: yes url
BROKER = "amqps://ops:rabbit42@b-1234.mq.eu-west-1.amazonaws.com:5671"  # want: yes url
MONGO = "mongodb+srv://svc:Tq9zLm2v@cluster0.ab1cd.mongodb.net/app"  # want: yes url
LOCAL_DB = "postgresql://postgres:postgres@localhost:5432/dev"  # want: no local
COMPOSE_DB = "mysql://root:root@db:3306/app"  # want: no local
DOCS_URL = "https://docs.internal.example.com/auth/password-reset"  # want: no url-no-userinfo
TOKEN_URL = "https://auth.orders.internal/oauth2/token"  # want: no url-no-userinfo
TEMPLATE_DSN = "postgresql://{user}:{password}@{host}/orders"  # want: no template
