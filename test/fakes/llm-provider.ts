/**
 * A fake LLM provider API (OpenAI's `GET /v1/models` wire format) for the `llm-key` rotator's
 * test call. `GET <base>/models` answers 200 with a model list for a Bearer key in `validKeys`,
 * 401 with OpenAI's error body otherwise. Under `/open` every key is accepted (a fixed provider).
 */
import { startFakeServer, type FakeServer } from "./http-fake.js";

/** Starts the fake; `validKeys` may change while it runs. */
export function startFakeLlmProvider(validKeys: Set<string>): Promise<FakeServer> {
  return startFakeServer((req) => {
    if (req.method !== "GET" || !/^(\/open)?\/models$/.test(req.path)) return { status: 404, json: { error: { message: "not found", type: "invalid_request_error" } } };
    const auth = String(req.headers.authorization ?? "");
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (req.path.startsWith("/open") ? key === "" : !validKeys.has(key)) {
      return { status: 401, json: { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } } };
    }
    return { status: 200, json: { object: "list", data: [{ id: "gpt-fake", object: "model", created: 0, owned_by: "fake" }] } };
  });
}
