# Fixture payloads: base64 of plain English text, assigned to names that look secret.
SECRET_KEY = "{{not-base64-english}}"
api_token = "{{not-base64-english}}"
session_secret: str = "{{not-base64-english}}"
