/**
 * The token and spend caps per run (`maxTokens`, `maxSpend`), end to end: the real `openai` and
 * `@anthropic-ai/sdk` clients through `startGateway` to the fake HTTPS upstream
 * (test/fakes/llm-upstream.ts), which reports usage as the providers document it. Each test starts
 * its own gateway (a run: fresh counters) on one project whose keys are in the local store (so the
 * audit trail is on), and checks that no key reached any output, error or record.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway, type Gateway } from "../../src/index.js";
import { listCredentials } from "../../src/mcp/list-credentials.js";
import { DEFAULT_WORDS, PROMPT_TOKENS, startLlmUpstream, type LlmUpstream } from "../fakes/llm-upstream.js";
import { buildCli, hushSet, waitFor } from "../helpers/run-binary.js";
import { makeTestCa, type TestCa } from "../helpers/test-ca.js";
import { tempProject, testKey } from "./helpers.js";

const OPENAI_KEY = testKey("sk-proj-");
const ANTHROPIC_KEY = testKey("sk-ant-api03-");
const KEYS = [OPENAI_KEY, ANTHROPIC_KEY];
const OUT = DEFAULT_WORDS.length; // output tokens of every completion of the fake
const messages = [{ role: "user" as const, content: "Say hello." }];

let ca: TestCa;
let upstream: LlmUpstream;
let project: { dir: string; cleanup(): void };
let cleanupCli: () => void;
const seen: string[] = []; // every text a test got back: searched for the keys at the end

beforeAll(async () => {
  ca = makeTestCa();
  upstream = await startLlmUpstream({ tls: ca.server, validKeys: new Set(KEYS) });
  project = tempProject("version: 1\n");
  const built = buildCli();
  cleanupCli = built.cleanup;
  hushSet(built.cli, project.dir, "openai_api_key", OPENAI_KEY);
  hushSet(built.cli, project.dir, "anthropic_api_key", ANTHROPIC_KEY);
});

afterAll(async () => {
  await upstream?.close();
  const log = project ? readFileSync(join(project.dir, ".secrets/audit.dev.jsonl"), "utf8") : "";
  for (const key of KEYS) for (const text of [log, ...seen]) expect(text.includes(key)).toBe(false);
  project?.cleanup();
  ca?.cleanup();
  cleanupCli?.();
});

/** A gateway (a new run) with these route policies, as hush.yaml lines under each route. */
async function gatewayWith(openai: string, anthropic: string): Promise<{ gateway: Gateway; openai: OpenAI; anthropic: Anthropic }> {
  writeFileSync(join(project.dir, "hush.yaml"), `version: 1
gateway:
  routes:
    - { name: openai, upstream: "${upstream.url}", caCert: "${ca.caPath}"${openai} }
    - { name: anthropic, upstream: "${upstream.url}", caCert: "${ca.caPath}"${anthropic} }
`);
  const gateway = await startGateway({ cwd: project.dir, env: {}, onWarning: (m) => seen.push(m) });
  const o = gateway.clientSettings("openai")!;
  const a = gateway.clientSettings("anthropic")!;
  // Default retries on: a cap refusal must not be retried (x-should-retry: false).
  return { gateway, openai: new OpenAI({ apiKey: o.handle, baseURL: o.baseUrl }), anthropic: new Anthropic({ apiKey: a.handle, baseURL: a.baseUrl! }) };
}

interface Detail { route: string; status: number; runId: string; via: string; inputTokens?: number; outputTokens?: number; tokensEstimated?: boolean }
interface Row { action: string; outcome: string; errorCode: string | null; detail?: Detail }

/** The run's gateway records (read after close: the trail is flushed). */
function records(gateway: Gateway): Row[] {
  const log = readFileSync(join(project.dir, ".secrets/audit.dev.jsonl"), "utf8");
  return log.trim().split("\n").map((l) => JSON.parse(l) as Row).filter((r) => r.action === "gateway-request" && r.detail?.runId === gateway.runId);
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  type Body = { code?: string; message?: string; error?: { code?: string; message?: string } };
  const e = (await p.then(() => undefined, (x: unknown) => x)) as { status?: number; error?: Body; message?: string } | undefined;
  expect(e, "the request should have been refused").toBeDefined();
  seen.push(JSON.stringify(e), String(e!.message));
  // openai's APIError keeps the body's `error`; @anthropic-ai/sdk's keeps the whole body.
  const body = e!.error?.error ?? e!.error;
  return { status: e!.status!, code: body?.code ?? "", message: body?.message ?? "" };
}

const usageOf = (g: Gateway, route: string) => g.routes().find((r) => r.name === route)!.usage;

describe("maxTokens with the OpenAI SDK", () => {
  it("counts non-streamed and streamed usage (include_usage added, chunks not held back), then refuses with 429 token-cap, not retried", async () => {
    const { gateway, openai } = await gatewayWith(", maxTokens: " + 2 * (PROMPT_TOKENS + OUT), "");
    try {
      const chat = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
      expect(chat.choices[0]!.message.content).toBe(DEFAULT_WORDS.join(""));
      expect(usageOf(gateway, "openai")).toEqual({ inputTokens: PROMPT_TOKENS, outputTokens: OUT, estimatedReplies: 0, usageUnknown: false });

      // Streamed: each delta reaches the client while the fake still holds the next one.
      upstream.gated = true;
      const stream = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
      const deltas: string[] = [];
      let usageChunk = false;
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta?.content;
        if (chunk.usage) usageChunk = true;
        if (!text) continue;
        deltas.push(text);
        if (deltas.length < OUT) {
          await waitFor(() => (upstream.waiting() === 1 ? true : undefined), "the fake holding the next delta");
          upstream.release();
        }
      }
      upstream.gated = false;
      expect(deltas).toEqual(DEFAULT_WORDS);
      expect(usageChunk).toBe(true); // the documented last chunk, asked for by the gateway
      const sent = upstream.requests.at(-1)!.json as { stream_options?: unknown };
      expect(sent.stream_options).toEqual({ include_usage: true });
      expect(usageOf(gateway, "openai")).toMatchObject({ inputTokens: 2 * PROMPT_TOKENS, outputTokens: 2 * OUT });

      const before = upstream.requests.length;
      const refused = await refusal(openai.chat.completions.create({ model: "gpt-4o-mini", messages }));
      expect(refused).toMatchObject({ status: 429, code: "token-cap" });
      expect(refused.message).not.toMatch(/[0-9]/); // no value: neither the cap nor the usage
      expect(upstream.requests.length).toBe(before);
    } finally {
      await gateway.close();
    }
    const rows = records(gateway);
    expect(rows.filter((r) => r.outcome === "served").map((r) => [r.detail!.inputTokens, r.detail!.outputTokens])).toEqual([[PROMPT_TOKENS, OUT], [PROMPT_TOKENS, OUT]]);
    expect(rows.filter((r) => r.errorCode === "token-cap")).toHaveLength(1); // the SDK did not retry
  });
});

describe("maxSpend with the Anthropic SDK", () => {
  const price = { input: 3, output: 15 }; // US dollars per million tokens
  const perCall = (PROMPT_TOKENS * price.input + OUT * price.output) / 1e6;

  it("prices non-streamed and streamed usage (message_start + message_delta), then refuses with 429 spend-cap; a model without a price gets 403 naming it", async () => {
    const cap = perCall * 1.5;
    const { gateway, anthropic } = await gatewayWith("", `, maxSpend: { usd: ${cap}, prices: { "claude-*": { input: ${price.input}, output: ${price.output} } } }`);
    try {
      const before = upstream.requests.length;
      const unpriced = await refusal(anthropic.messages.create({ model: "gpt-4o", max_tokens: 64, messages }));
      expect(unpriced).toMatchObject({ status: 403, code: "no-price" });
      expect(unpriced.message).toContain('"gpt-4o"');
      expect(upstream.requests.length).toBe(before);

      await anthropic.messages.create({ model: "claude-fake", max_tokens: 64, messages });
      expect(usageOf(gateway, "anthropic")!.spendUsd).toBeCloseTo(perCall, 9);
      const events = await anthropic.messages.create({ model: "claude-fake", max_tokens: 64, messages, stream: true });
      for await (const _e of events) void _e;
      expect(usageOf(gateway, "anthropic")).toMatchObject({ inputTokens: 2 * PROMPT_TOKENS, outputTokens: 2 * OUT });
      expect(usageOf(gateway, "anthropic")!.spendUsd).toBeCloseTo(2 * perCall, 9);

      const refused = await refusal(anthropic.messages.create({ model: "claude-fake", max_tokens: 64, messages }));
      expect(refused).toMatchObject({ status: 429, code: "spend-cap" });
      expect(refused.message).not.toMatch(/[0-9]/);
    } finally {
      await gateway.close();
    }
    const rows = records(gateway);
    expect(rows.map((r) => r.errorCode ?? r.detail!.outputTokens)).toEqual(["no-price", OUT, OUT, "spend-cap"]);
  });
});

describe("a reply whose usage cannot be read", () => {
  it("counts the request's max_tokens and bytes as an upper bound; without max_tokens the route refuses further requests", async () => {
    const { gateway, openai, anthropic } = await gatewayWith(", maxTokens: 100000", ", maxTokens: 100000");
    upstream.reportUsage = false;
    try {
      await anthropic.messages.create({ model: "claude-fake", max_tokens: 256, messages });
      const bound = usageOf(gateway, "anthropic")!;
      expect(bound).toMatchObject({ outputTokens: 256, estimatedReplies: 1, usageUnknown: false });
      expect(bound.inputTokens).toBe(upstream.requests.at(-1)!.body.length);

      await openai.chat.completions.create({ model: "gpt-4o-mini", messages }); // no max_tokens: no bound
      expect(usageOf(gateway, "openai")).toMatchObject({ estimatedReplies: 1, usageUnknown: true });
      const refused = await refusal(openai.chat.completions.create({ model: "gpt-4o-mini", messages }));
      expect(refused).toMatchObject({ status: 429, code: "token-cap" });
      expect(refused.message).toContain("could not be read");
      const listed = listCredentials(gateway);
      seen.push(JSON.stringify(listed));
      expect(listed.content[0]!.text).toContain("a reply's usage could not be read");
    } finally {
      upstream.reportUsage = true;
      await gateway.close();
    }
    const anthropicRow = records(gateway).find((r) => r.detail!.route === "anthropic")!;
    expect(anthropicRow.detail).toMatchObject({ outputTokens: 256, tokensEstimated: true });
  });
});

describe("parallel requests", () => {
  it("are each counted once; those in flight when the cap is reached still finish (the cap is passed by them), the next is refused", async () => {
    const cap = 3 * (PROMPT_TOKENS + OUT);
    const { gateway, openai, anthropic } = await gatewayWith(`, maxTokens: ${cap}`, ", maxTokens: 1000000");
    try {
      // Every stream is held after its first delta until all 14 are in flight: then all go on.
      upstream.gated = true;
      const calls = Array.from({ length: 8 }, () => openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }).then(async (s) => {
        for await (const _c of s) void _c;
      }));
      const more = Array.from({ length: 6 }, () => anthropic.messages.create({ model: "claude-fake", max_tokens: 64, messages, stream: true }).then(async (s) => {
        for await (const _e of s) void _e;
      }));
      await waitFor(() => (upstream.waiting() === 14 ? true : undefined), "14 streams in flight");
      upstream.gated = false;
      for (let i = 0; i < 14; i++) upstream.release(); // one per waiting stream; the rest are not held (gated off)
      await Promise.all([...calls, ...more]);
      expect(usageOf(gateway, "openai")).toMatchObject({ inputTokens: 8 * PROMPT_TOKENS, outputTokens: 8 * OUT });
      expect(usageOf(gateway, "anthropic")).toMatchObject({ inputTokens: 6 * PROMPT_TOKENS, outputTokens: 6 * OUT });
      expect(await refusal(openai.chat.completions.create({ model: "gpt-4o-mini", messages }))).toMatchObject({ status: 429, code: "token-cap" });
    } finally {
      await gateway.close();
    }
    const served = records(gateway).filter((r) => r.outcome === "served");
    const sum = (route: string) => served.filter((r) => r.detail!.route === route).reduce((n, r) => n + r.detail!.inputTokens! + r.detail!.outputTokens!, 0);
    expect([sum("openai"), sum("anthropic")]).toEqual([8 * (PROMPT_TOKENS + OUT), 6 * (PROMPT_TOKENS + OUT)]);
  });
});

describe("list_credentials and Gateway.call", () => {
  it("list_credentials shows the caps and the usage so far; a call through the MCP path counts too", async () => {
    const { gateway } = await gatewayWith(", maxTokens: 500", `, maxSpend: { usd: 2, prices: { "claude-fake": { input: 3, output: 15 } } }`);
    try {
      const body = JSON.stringify({ model: "gpt-4o-mini", messages });
      const reply = await gateway.call({ route: "openai", method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body });
      expect(reply.status).toBe(200);
      const listed = listCredentials(gateway);
      const text = listed.content[0]!.text;
      seen.push(text, Buffer.from(reply.body).toString("utf8"));
      const routes = (listed.structuredContent as { routes: { route: string; maxTokens?: number; maxSpendUsd?: number; usage?: object }[] }).routes;
      expect(routes.find((r) => r.route === "openai")).toMatchObject({ maxTokens: 500, usage: { inputTokens: PROMPT_TOKENS, outputTokens: OUT, estimatedReplies: 0, usageUnknown: false } });
      expect(routes.find((r) => r.route === "anthropic")).toMatchObject({ maxSpendUsd: 2, usage: { inputTokens: 0, outputTokens: 0, spendUsd: 0 } });
      expect(text).toContain(`at most 500 tokens in this run, used so far ${PROMPT_TOKENS + OUT} tokens`);
      expect(text).toContain("at most $2 in this run");
    } finally {
      await gateway.close();
    }
    expect(records(gateway)[0]!.detail).toMatchObject({ via: "mcp", inputTokens: PROMPT_TOKENS, outputTokens: OUT });
  });

  it("a route without a cap reads nothing: no usage, the body sent as it came, no token fields on record", async () => {
    const { gateway, openai } = await gatewayWith("", "");
    try {
      const stream = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
      for await (const _c of stream) void _c;
      expect((upstream.requests.at(-1)!.json as { stream_options?: unknown }).stream_options).toBeUndefined();
      expect(usageOf(gateway, "openai")).toBeUndefined();
    } finally {
      await gateway.close();
    }
    expect(records(gateway)[0]!.detail!.inputTokens).toBeUndefined();
  });
});
