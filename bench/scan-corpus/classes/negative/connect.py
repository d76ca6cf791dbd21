DSN = "{{not-url-template-braces}}".format(password=os.environ["PGPASSWORD"])
ENGINE_URL = f"{{not-url-template-braces}}"
BROKER = "{{not-url-no-password}}"
