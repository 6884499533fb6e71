"""Secrets inside strings: query strings, connection strings, header lines."""

REPORT_URL = "https://api.orders.internal/report?user=ops&pwd=Zq81kd"  # want: yes instring
MSSQL = "Server=db.prod;Database=orders;User Id=sa;Password=maria2019;"  # want: yes instring
HEADER = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9x"  # want: yes instring
LIBPQ = "host=orders.internal port=5432 user=app password=Kd82-qpL dbname=orders"  # want: yes instring
FORM = "grant_type=client_credentials&client_secret=9fK2mQ7z"  # want: yes instring
QUERY = "SELECT * FROM users WHERE password = %s"  # want: no template
MESSAGE = "Enter your password to continue"  # want: no instruction
PATTERN = "?user={user}&pwd={pwd}"  # want: no template
