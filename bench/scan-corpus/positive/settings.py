import os

DEBUG = False
SECRET_KEY = "{{django_secret}}"
DATABASES = {"default": dj_database_url.parse("{{postgres_url}}")}
MISTRAL_API_KEY = "{{mistral}}"
AWS_ACCESS_KEY_ID = "{{aws_id}}"
AWS_SECRET_ACCESS_KEY = "{{aws_secret}}"
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "{{github_fine_grained}}")
SLACK_BOT_TOKEN = "{{slack_bot}}"
SENDGRID_API_KEY = "{{sendgrid}}"
