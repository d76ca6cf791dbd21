/**
 * The pieces of the token / spend caps on their own: reading usage from the documented reply
 * shapes (cut at every byte, so a usage split across reads is still found), the account (caps,
 * prices by exact name then glob, the unknown-usage rule) and the request side (include_usage
 * added, the upper bound when a reply says nothing). And hush.yaml's validation of the options.
 */
import { describe, expect, it } from "vitest";
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { checkConfig } from "../../src/config/validate.js";
import { createUsageAccount } from "../../src/gateway/usage-account.js";
import { meterCall, type MeteredCall } from "../../src/gateway/usage-meter.js";
import { createUsageReader, MAX_EVENT_LINE_BYTES } from "../../src/gateway/usage-read.js";

const sse = (events: [string | undefined, object][]) => events.map(([type, data]) => `${type ? `event: ${type}\n` : ""}data: ${JSON.stringify(data)}\n\n`).join("");

const ANTHROPIC_STREAM = sse([
  ["message_start", { type: "message_start", message: { id: "msg_1", usage: { input_tokens: 25, cache_read_input_tokens: 100, output_tokens: 1 } } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "héllo \"usage\": {" } }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 15 } }],
  ["message_stop", { type: "message_stop" }],
]);
const OPENAI_STREAM = sse([
  [undefined, { object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "hi" } }], usage: null }],
  [undefined, { object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }],
]) + "data: [DONE]\n\n";
const RESPONSES_STREAM = sse([
  ["response.created", { type: "response.created", response: { id: "resp_1", usage: null } }],
  ["response.completed", { type: "response.completed", response: { id: "resp_1", usage: { input_tokens: 30, output_tokens: 7, total_tokens: 37 } } }],
]);

/** Fed in pieces of `size` bytes (a stream read by read). */
function readInPieces(text: string, size: number) {
  const reader = createUsageReader("text/event-stream");
  const bytes = Buffer.from(text, "utf8");
  for (let at = 0; at < bytes.length; at += size) reader.observe(bytes.subarray(at, at + size));
  return reader.result();
}

function readAll(contentType: string, text: string, cut?: number) {
  const reader = createUsageReader(contentType);
  const bytes = Buffer.from(text, "utf8");
  if (cut === undefined) reader.observe(bytes);
  else {
    reader.observe(bytes.subarray(0, cut));
    reader.observe(bytes.subarray(cut));
  }
  return reader.result();
}

describe("reading usage from replies", () => {
  it("Anthropic's stream: input (with the cache's tokens) from message_start, output from message_delta, cut at every byte", () => {
    const length = Buffer.byteLength(ANTHROPIC_STREAM);
    for (let cut = 0; cut <= length; cut++) expect(readAll("text/event-stream", ANTHROPIC_STREAM, cut)).toEqual({ input: 125, output: 15, complete: true });
  });

  it("OpenAI's streamed chat (the include_usage chunk), the responses stream, and JSON replies", () => {
    for (let cut = 0; cut <= OPENAI_STREAM.length; cut += 7) expect(readAll("text/event-stream; charset=utf-8", OPENAI_STREAM, cut)).toEqual({ input: 12, output: 3, complete: true });
    expect(readAll("text/event-stream", RESPONSES_STREAM)).toEqual({ input: 30, output: 7, complete: true });
    expect(readAll("application/json", JSON.stringify({ usage: { prompt_tokens: 4, completion_tokens: 2 } }), 5)).toEqual({ input: 4, output: 2, complete: true });
    expect(readAll("application/json", JSON.stringify({ type: "message", usage: { input_tokens: 4, output_tokens: 9 } }))).toEqual({ input: 4, output: 9, complete: true });
    expect(readAll("application/json", JSON.stringify({ object: "list", usage: { prompt_tokens: 8, total_tokens: 8 } }))).toEqual({ input: 8, output: 0, complete: true }); // embeddings
    expect(readAll("application/json", JSON.stringify({ usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 9 } }))).toEqual({ input: 5, output: 4, complete: true });
  });

  it("reads as incomplete: no usage, only message_start, not JSON, a negative or fractional count, an over-long event line", () => {
    const incomplete = { complete: false };
    expect(readAll("application/json", JSON.stringify({ choices: [] }))).toMatchObject(incomplete);
    expect(readAll("application/json", "not json {")).toMatchObject(incomplete);
    expect(readAll("application/json", JSON.stringify({ usage: { prompt_tokens: -1, completion_tokens: 2.5 } }))).toMatchObject(incomplete);
    expect(readAll("text/event-stream", ANTHROPIC_STREAM.split("event: message_delta")[0]!)).toEqual({ input: 125, output: 1, complete: false });
    const long = `data: {"pad":"${"x".repeat(2 * MAX_EVENT_LINE_BYTES)}","usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n`;
    expect(readInPieces(long, 64 * 1024)).toMatchObject(incomplete);
    // ... and the reader finds the usage of the next line again.
    expect(readInPieces(long + OPENAI_STREAM, 64 * 1024)).toEqual({ input: 12, output: 3, complete: true });
  });
});

describe("the account", () => {
  it("refuses at the token cap, then at the spend cap, with no value in the message", () => {
    const tokens = createUsageAccount({ maxTokens: 10 })!;
    tokens.charge({ input: 4, output: 5, estimated: false }, undefined);
    expect(tokens.check()).toBeUndefined();
    tokens.charge({ input: 1, output: 0, estimated: false }, undefined);
    expect(tokens.check()).toMatchObject({ status: 429, code: "token-cap" });
    expect(tokens.check()!.message).not.toMatch(/[0-9]/);
    const spend = createUsageAccount({ maxSpend: { usd: 1, prices: { "m-*": { input: 1, output: 2 }, "m-big": { input: 1_000_000, output: 0 } } } })!;
    spend.charge({ input: 1, output: 0, estimated: false }, spend.priceOf("m-big") as never);
    expect(spend.check()).toMatchObject({ code: "spend-cap" });
    expect(spend.usage()).toMatchObject({ spendUsd: 1 });
  });

  it("prices a model by its exact name, then by the first glob that matches; no price: a refusal naming a plain name only", () => {
    const a = createUsageAccount({ maxSpend: { usd: 5, prices: { "gpt-4o*": { input: 2.5, output: 10 }, "gpt-4o-mini": { input: 0.15, output: 0.6 }, "*": { input: 99, output: 99 } } } })!;
    expect(a.priceOf("gpt-4o-mini")).toEqual({ input: 0.15, output: 0.6 });
    expect(a.priceOf("gpt-4o-2024-08-06")).toEqual({ input: 2.5, output: 10 });
    expect(a.priceOf("o3")).toEqual({ input: 99, output: 99 });
    const b = createUsageAccount({ maxSpend: { usd: 5, prices: { "claude-*": { input: 3, output: 15 } } } })!;
    expect(b.priceOf("gpt-4o")).toMatchObject({ status: 403, code: "no-price", message: expect.stringContaining('"gpt-4o"') });
    const pasted = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc123";
    expect(JSON.stringify(b.priceOf(pasted))).not.toContain(pasted);
    expect(b.priceOf(undefined)).toMatchObject({ code: "no-price" });
    // Usage on a request without a model (a body-less one) is priced at the table's highest prices.
    b.charge({ input: 1_000_000, output: 0, estimated: false }, undefined);
    expect(b.usage().spendUsd).toBe(3);
    expect(createUsageAccount({})).toBeUndefined();
  });
});

describe("the request side", () => {
  const account = () => createUsageAccount({ maxTokens: 1000 })!;
  const meter = (a: ReturnType<typeof account>, body: string | undefined, path = "/v1/chat/completions") => meterCall(a, body === undefined ? undefined : Buffer.from(body), path, { "content-length": String(body?.length ?? 0) }) as MeteredCall;

  it("adds include_usage to a streamed OpenAI chat as text, keeping the rest of the body byte for byte", () => {
    const body = ' {"model":"gpt-4o","stream":true,"seed":12345678901234567890123,"messages":[]}';
    const m = meter(account(), body);
    expect(m.body!.toString()).toBe(' {"stream_options":{"include_usage":true},"model":"gpt-4o","stream":true,"seed":12345678901234567890123,"messages":[]}');
    expect(m.headers["content-length"]).toBe(String(m.body!.length));
    expect(JSON.parse(meter(account(), '{"model":"m","stream":true,"stream_options":{"include_usage":false,"x":1}}').body!.toString()).stream_options).toEqual({ include_usage: true, x: 1 });
    for (const same of ['{"model":"m","stream":false}', '{"model":"m","stream":true,"stream_options":{"include_usage":true}}']) expect(meter(account(), same).body!.toString()).toBe(same);
    expect(meter(account(), '{"model":"m","stream":true}', "/v1/messages").body!.toString()).toBe('{"model":"m","stream":true}');
  });

  it("a 2xx reply without usage counts the body's bytes and max_tokens; without a limit the account becomes unknown; other statuses count zero", () => {
    const reply = (status: number) => {
      const res = new IncomingMessage(new Socket());
      res.statusCode = status;
      res.headers["content-type"] = "application/json";
      return res;
    };
    const a = account();
    const body = '{"model":"claude","max_tokens":64,"messages":[]}';
    const m = meter(a, body, "/v1/messages");
    m.watch(reply(200));
    expect(m.tokens()).toEqual({ input: body.length, output: 64, estimated: true });
    const failed = meter(a, '{"model":"m","messages":[]}');
    failed.watch(reply(500));
    expect(failed.tokens()).toEqual({ input: 0, output: 0, estimated: false });
    expect(a.check()).toBeUndefined();
    const unbounded = meter(a, '{"model":"m","messages":[]}');
    unbounded.watch(reply(200));
    unbounded.tokens();
    expect(a.check()).toMatchObject({ code: "token-cap", message: expect.stringContaining("could not be read") });
    expect(a.usage()).toMatchObject({ estimatedReplies: 2, usageUnknown: true });
  });

  it("a request that was sent but got no reply in time counts at its bound", () => {
    const a = account();
    meter(a, '{"model":"m","max_completion_tokens":100}').lost();
    expect(a.usage()).toMatchObject({ outputTokens: 100, estimatedReplies: 1 });
  });
});

describe("hush.yaml: maxTokens and maxSpend", () => {
  const PASTED = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc123";
  const route = (extra: object) => checkConfig({ version: 1, gateway: { routes: [{ name: "openai", ...extra }] } });

  it("accepts a token cap and a spend cap with prices by name and glob", () => {
    const { config, problems } = route({ maxTokens: 200000, maxSpend: { usd: 5, prices: { "gpt-4o*": { input: 2.5, output: 10 }, "openai/gpt-4.1": { input: 2, output: 8 } } } });
    expect(problems).toEqual([]);
    expect(config!.gateway!.routes[0]).toMatchObject({ maxTokens: 200000, maxSpend: { usd: 5, prices: { "gpt-4o*": { input: 2.5, output: 10 } } } });
  });

  it("names each problem by its path, never a value", () => {
    const { problems } = route({ maxTokens: 0, maxSpend: { usd: -1, prices: { "gpt-4o": { input: "cheap", output: 1, extra: 2 }, [PASTED]: { input: 1, output: 1 } }, currency: "eur" } });
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining([
      "gateway.routes[0].maxTokens", "gateway.routes[0].maxSpend.usd", "gateway.routes[0].maxSpend.currency",
      "gateway.routes[0].maxSpend.prices.gpt-4o.input", "gateway.routes[0].maxSpend.prices.gpt-4o.extra", "gateway.routes[0].maxSpend.prices",
    ]));
    expect(JSON.stringify(problems)).not.toContain(PASTED);
    expect(route({ maxSpend: { usd: 1 } }).problems.map((p) => p.path)).toEqual(["gateway.routes[0].maxSpend.prices"]);
    expect(route({ maxSpend: 5 }).problems.map((p) => p.path)).toEqual(["gateway.routes[0].maxSpend"]);
  });
});
