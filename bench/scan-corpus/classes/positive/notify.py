import requests
from slack_bolt.adapter.socket_mode import SocketModeHandler

handler = SocketModeHandler(app, "{{slack-xapp}}")
requests.post("{{slack-webhook}}", json={"text": "deploy done"})
client.tooling_tokens_rotate(refresh_token="{{slack-xoxe}}")
legacy = WebClient("{{slack-xoxa}}")
cfg = WebClient(token="{{slack-xoxe.xoxp}}")
