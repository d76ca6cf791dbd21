/**
 * A fake LLM upstream over HTTPS for the gateway tests and bench: OpenAI's and Anthropic's
 * documented wire formats on one server, so the real `openai` and `@anthropic-ai/sdk` clients
 * can be pointed at it (through the gateway, or directly with a fetch trusting the test CA).
 *
 * - OpenAI: `POST /v1/chat/completions` (Bearer key; `stream: true` answers server-sent
 *   events `data: {chat.completion.chunk}` ... `data: [DONE]`), `GET /v1/models`.
 * - Anthropic: `POST /v1/messages` (`x-api-key` and `anthropic-version` required; `stream:
 *   true` answers the events message_start, content_block_start, ping, content_block_delta ...,
 *   content_block_stop, message_delta, message_stop), `GET /v1/models` (with `anthropic-version`).
 *
 * Usage as documented: OpenAI's `usage` (`prompt_tokens` {@link PROMPT_TOKENS}, `completion_tokens`
 * one per word); streamed, with `stream_options.include_usage`, `"usage":null` on every chunk and a
 * last chunk with `choices: []` and the usage; Anthropic's `usage` (`input_tokens`, `output_tokens`),
 * streamed in `message_start` (input, output 1) and `message_delta` (output, cumulative). With
 * `reportUsage` false, replies carry no usage (an upstream that does not say).
 *
 * It records the key each request carried (`keys()`), and has modes for attacks: `echo-key`
 * (the key back in a header and in a body split across two chunks, and base64; `echo-key-gzip`
 * compressed), `redirect` (a 307 to
 * another host). With `gated` set, a streamed reply sends its first text delta at once and each
 * next one only after the test calls `release()`: a test that sees delta N before releasing
 * delta N+1 proves nothing in between buffers the stream, with no timing threshold.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-fake.js";

/** What the fake answers. */
export type UpstreamMode =
  | { kind: "normal" }
  /** The key back in header `x-echoed-key` and in an OpenAI-style error body (cut in the middle of the key across two writes), and its base64 form. */
  | { kind: "echo-key" }
  /** The same error body as `echo-key`, gzip-compressed whatever the request's Accept-Encoding (a hostile upstream hiding the key from a scan). */
  | { kind: "echo-key-gzip" }
  /** `status` (307 unless said) with `Location: <location><request path>`. */
  | { kind: "redirect"; location: string; status?: number };

/** Options of {@link startLlmUpstream}. */
export interface LlmUpstreamOptions {
  /** Key and certificate (PEM) the fake serves (test/helpers/test-ca.ts: `makeTestCa().server`). */
  tls: { key: string; cert: string };
  /** Keys accepted; any other gets the provider's 401. Absent: any non-empty key. */
  validKeys?: Set<string>;
  /** Text deltas of every completion, in order. */
  words?: string[];
}

/** A running fake upstream. */
export interface LlmUpstream extends FakeServer {
  /** What the next requests get (change it between requests). */
  mode: UpstreamMode;
  /** When true, streamed replies hold each text delta after the first until {@link release}. */
  gated: boolean;
  /** False: replies carry no usage. @default true */
  reportUsage: boolean;
  /** The key each request carried, in order (`x-api-key`, else the Bearer token; "" for none). */
  keys(): string[];
  /** Lets one held delta go (the oldest waiting stream's), or the next one to wait. */
  release(): void;
  /** How many streams wait for a release now. */
  waiting(): number;
}

/** The input tokens every completion reports. */
export const PROMPT_TOKENS = 9;

/** The text deltas of a completion unless `words` says otherwise. */
export const DEFAULT_WORDS = ["Hello", " from", " the", " fake", " upstream"];

/** Starts the fake on 127.0.0.1 (a random port) over HTTPS. */
export async function startLlmUpstream(options: LlmUpstreamOptions): Promise<LlmUpstream> {
  const words = options.words ?? DEFAULT_WORDS;
  const gate = createGate();
  const fake = await startFakeServer((req) => answer(req), { tls: options.tls });
  const close = fake.close;
  const upstream: LlmUpstream = Object.assign(fake, {
    mode: { kind: "normal" } as UpstreamMode,
    gated: false,
    reportUsage: true,
    keys: () => fake.requests.map(keyOf),
    release: gate.release,
    waiting: gate.waiting,
    close: async () => {
      gate.openAll();
      await close();
    },
  });

  function answer(req: FakeRequest): FakeResponse {
    const key = keyOf(req);
    const mode = upstream.mode;
    if (mode.kind === "redirect") return { status: mode.status ?? 307, headers: { location: `${mode.location}${req.path}` }, body: "" };
    if (mode.kind === "echo-key") return echoKey(key);
    if (mode.kind === "echo-key-gzip") return { status: 401, headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: gzipSync(echoText(key)) };
    const anthropic = req.path === "/v1/messages" || (req.path === "/v1/models" && req.headers["anthropic-version"] !== undefined);
    const accepted = key !== "" && (options.validKeys ? options.validKeys.has(key) : true);
    const pace = () => (upstream.gated ? gate.wait() : Promise.resolve());
    if (anthropic) return anthropicReply(req, accepted, words, pace, upstream.reportUsage);
    return openaiReply(req, accepted, words, pace, upstream.reportUsage);
  }
  return upstream;
}

// --- internal ---

type Pace = () => Promise<void>;

function keyOf(req: FakeRequest): string {
  const apiKey = req.headers["x-api-key"];
  if (typeof apiKey === "string") return apiKey;
  const auth = String(req.headers.authorization ?? "");
  return auth.startsWith("Bearer ") ? auth.slice(7) : "";
}

function openaiReply(req: FakeRequest, accepted: boolean, words: string[], pace: Pace, reportUsage: boolean): FakeResponse {
  const headers = { "x-request-id": `req_${randomBytes(8).toString("hex")}` };
  const error = (status: number, message: string, type: string, code: string | null = null) => ({ status, headers, json: { error: { message, type, param: null, code } } });
  const route = `${req.method} ${req.path}`;
  if (route !== "POST /v1/chat/completions" && route !== "GET /v1/models") return error(404, `Invalid URL (${route})`, "invalid_request_error");
  if (!accepted) return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
  if (route === "GET /v1/models") return { status: 200, headers, json: { object: "list", data: [{ id: "gpt-fake", object: "model", created: 1700000000, owned_by: "fake" }] } };
  const body = req.json as { model?: unknown; messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } } | undefined;
  if (typeof body?.model !== "string" || !Array.isArray(body.messages)) return error(400, "model and messages are required", "invalid_request_error");
  const id = `chatcmpl-${randomBytes(8).toString("hex")}`;
  const base = { id, created: Math.floor(Date.now() / 1000), model: body.model, system_fingerprint: null };
  const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: words.length, total_tokens: PROMPT_TOKENS + words.length };
  if (body.stream === true) {
    const withUsage = reportUsage && body.stream_options?.include_usage === true;
    const chunk = (choices: object[], extra: object) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
    const event = (delta: object, finish: string | null) => chunk([{ index: 0, delta, logprobs: null, finish_reason: finish }], withUsage ? { usage: null } : {});
    const head = event({ role: "assistant", content: "" }, null);
    const tail = event({}, "stop") + (withUsage ? chunk([], { usage }) : "") + "data: [DONE]\n\n";
    return { status: 200, headers: { ...headers, ...SSE_HEADERS }, stream: paced(words.map((w) => event({ content: w }, null)), head, tail, pace) };
  }
  const message = { role: "assistant", content: words.join(""), refusal: null };
  return { status: 200, headers, json: { ...base, object: "chat.completion", choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }], ...(reportUsage ? { usage } : {}) } };
}

function anthropicReply(req: FakeRequest, accepted: boolean, words: string[], pace: Pace, reportUsage: boolean): FakeResponse {
  const headers = { "request-id": `req_${randomBytes(8).toString("hex")}` };
  const error = (status: number, type: string, message: string) => ({ status, headers, json: { type: "error", error: { type, message } } });
  const route = `${req.method} ${req.path}`;
  if (route !== "POST /v1/messages" && route !== "GET /v1/models") return error(404, "not_found_error", "Not found");
  if (!accepted) return error(401, "authentication_error", "invalid x-api-key");
  if (typeof req.headers["anthropic-version"] !== "string") return error(400, "invalid_request_error", "anthropic-version: header is required");
  if (route === "GET /v1/models") return { status: 200, headers, json: { data: [{ type: "model", id: "claude-fake", display_name: "Claude Fake", created_at: "2025-01-01T00:00:00Z" }], has_more: false, first_id: "claude-fake", last_id: "claude-fake" } };
  const body = req.json as { model?: unknown; messages?: unknown; max_tokens?: unknown; stream?: unknown } | undefined;
  if (typeof body?.model !== "string" || !Array.isArray(body.messages) || typeof body.max_tokens !== "number") return error(400, "invalid_request_error", "model, max_tokens and messages are required");
  const message = { id: `msg_${randomBytes(8).toString("hex")}`, type: "message", role: "assistant", model: body.model, stop_sequence: null };
  if (body.stream === true) {
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const head =
      event("message_start", { message: { ...message, content: [], stop_reason: null, ...(reportUsage ? { usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 } } : {}) } }) +
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
      event("ping", {});
    const deltas = words.map((w) => event("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } }));
    const tail =
      event("content_block_stop", { index: 0 }) +
      event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, ...(reportUsage ? { usage: { output_tokens: words.length } } : {}) }) +
      event("message_stop", {});
    return { status: 200, headers: { ...headers, ...SSE_HEADERS }, stream: paced(deltas, head, tail, pace) };
  }
  const content = [{ type: "text", text: words.join("") }];
  return { status: 200, headers, json: { ...message, content, stop_reason: "end_turn", ...(reportUsage ? { usage: { input_tokens: PROMPT_TOKENS, output_tokens: words.length } } : {}) } };
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** `head + delta[0]` at once, then each next delta after `pace()`, the tail with the last. */
async function* paced(deltas: string[], head: string, tail: string, pace: Pace): AsyncGenerator<string> {
  if (deltas.length === 0) return yield head + tail;
  yield head + deltas[0] + (deltas.length === 1 ? tail : "");
  for (let i = 1; i < deltas.length; i++) {
    await pace();
    yield deltas[i] + (i === deltas.length - 1 ? tail : "");
  }
}

function echoText(key: string): string {
  const basic = Buffer.from(key).toString("base64");
  return JSON.stringify({ error: { message: `Incorrect API key provided: ${key}. You can find your API key at the usual place.`, type: "invalid_request_error", code: "invalid_api_key", debug: `key (base64): ${basic}` } });
}

function echoKey(key: string): FakeResponse {
  const text = echoText(key);
  const cut = text.indexOf(key) + Math.max(1, key.length >> 1);
  async function* halves(): AsyncGenerator<string> {
    yield text.slice(0, cut);
    // A pause so the two halves leave as two TLS records (the gateway must clean a key cut across reads).
    await new Promise((r) => setTimeout(r, 20));
    yield text.slice(cut);
  }
  return { status: 401, headers: { "content-type": "application/json", "x-echoed-key": key }, stream: halves() };
}

/** Permits for held deltas: `release()` wakes the oldest waiter or banks a permit. */
function createGate() {
  let permits = 0;
  let open = false;
  const waiters: Array<() => void> = [];
  return {
    wait(): Promise<void> {
      if (open) return Promise.resolve();
      if (permits > 0) {
        permits--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    release(): void {
      const next = waiters.shift();
      if (next) next();
      else permits++;
    },
    waiting: () => waiters.length,
    openAll(): void {
      open = true;
      for (const w of waiters.splice(0)) w();
    },
  };
}
