import os
client = boto3.client("bedrock-runtime")
os.environ["AWS_BEARER_TOKEN_BEDROCK"] = "{{bedrock-short}}"
headers = {"Authorization": "Bearer {{bedrock-long}}"}
