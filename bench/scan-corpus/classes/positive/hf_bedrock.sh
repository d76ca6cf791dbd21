#!/bin/sh
huggingface-cli login --token {{hf-api_org}}
export HF_ORG_TOKEN="{{hf-api_org}}"
export AWS_BEARER_TOKEN_BEDROCK={{bedrock-long}}
export AWS_BEARER_TOKEN_BEDROCK={{bedrock-short}}
aws bedrock-runtime converse --model-id amazon.nova-lite-v1:0 --header "Authorization: Bearer {{bedrock-long}}"
