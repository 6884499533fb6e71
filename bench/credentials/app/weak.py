"""Weak but real passwords under credential names (issue 11, first bullet)."""

db_pass = "maria2019"  # want: yes weak
SMTP_PASSWORD = "secret"  # want: yes weak
SECRET_KEY = "banana"  # want: yes weak
LOGIN = {"pwd": "4321"}  # want: yes weak
ADMIN_PASSWORD = "admin"  # want: yes weak
mqPassword = "guest1"  # want: yes weak
FLASK_SECRET_KEY = "aaaa"  # want: yes weak


class Mailer:
    password = "summer"  # want: yes weak

    def __init__(self, user, password="hunter2"):  # want: yes weak
        self.user = user
        self.smtp_pw = "Spring-24"  # want: yes weak


def check(user_password):
    return user_password == "letmein!"  # want: yes weak


def unlock(passphrase):
    return passphrase == "open the vault"  # want: yes weak


PASSWORD_MIN_LENGTH = 12
first_pass = "tokenize"  # want: no type
pwd = "/srv/app"  # want: no path
