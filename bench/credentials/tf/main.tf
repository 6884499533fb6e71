variable "db_password" {
  type      = string
  sensitive = true
}

variable "api_token" {
  type    = string
  default = "tf-4d5e6f7a8b9c"
}

locals {
  smtp_password = "Mailer2023"
}

resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "orders.zip"
  role          = "arn:aws:iam::123456789012:role/orders"
  environment {
    variables = {
      AWS_ACCESS_KEY_ID     = "AKIAIOSFODNN7EXAMPLE"                     # want: yes awsdoc
      AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" # want: yes awsdoc
      DB_PASS               = "pa55word"                                 # want: yes weak
      API_TOKEN             = var.api_token                              # want: yes resolve
      SMTP_PASSWORD         = local.smtp_password                        # want: yes resolve
      DB_PASSWORD           = var.db_password                            # want: no reference
      DB_SECRET_ARN         = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf" # want: no reference
      AWS_DEFAULT_REGION    = "eu-west-1"                                # want: no type
      ADMIN_PASSWORD        = "changeme"                                 # want: no instruction
    }
  }
}
