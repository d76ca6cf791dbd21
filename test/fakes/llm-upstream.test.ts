/**
 * The fake LLM upstream follows the wire formats the real SDKs expect: the real `openai` and
 * `@anthropic-ai/sdk` clients, pointed straight at it over HTTPS (a fetch dispatcher trusting
 * the test CA alone: undici's Agent, as Node's fetch takes a CA no other way), make a normal and
 * a streamed call, and the fake's attack modes and release-on-demand hook behave as the gateway
 * tests rely on.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeTestCa, type TestCa } from "../helpers/test-ca.js";
import { DEFAULT_WORDS, startLlmUpstream, type LlmUpstream } from "./llm-upstream.js";

const OPENAI_KEY = "sk-proj-fakeupstream0000000000000000000000000001";
const ANTHROPIC_KEY = "sk-ant-api03-fakeupstream00000000000000000000000002";

let ca: TestCa;
let upstream: LlmUpstream;
let dispatcher: Agent;
beforeAll(async () => {
  ca = makeTestCa();
  upstream = await startLlmUpstream({ tls: ca.server, validKeys: new Set([OPENAI_KEY, ANTHROPIC_KEY]) });
  dispatcher = new Agent({ connect: { ca: ca.caCert } });
});
afterAll(async () => {
  await upstream.close();
  await dispatcher.close();
  ca.cleanup();
});
afterEach(() => {
  upstream.mode = { kind: "normal" };
  upstream.gated = false;
});

// Node's fetch takes an undici dispatcher; the SDKs pass fetchOptions through to it.
const fetchOptions = () => ({ dispatcher });
const openai = (apiKey = OPENAI_KEY) => new OpenAI({ apiKey, baseURL: `${upstream.url}/v1`, fetchOptions: fetchOptions(), maxRetries: 0 });
const anthropic = (apiKey = ANTHROPIC_KEY) => new Anthropic({ apiKey, baseURL: upstream.url, fetchOptions: fetchOptions(), maxRetries: 0 });
const TEXT = DEFAULT_WORDS.join("");

describe("fake LLM upstream, through the real SDKs", () => {
  it("OpenAI: chat completion, streamed completion and the model list; the fake records the key", async () => {
    const before = upstream.requests.length;
    const reply = await openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(reply.choices[0]!.message.content).toBe(TEXT);
    const stream = await openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true });
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta?.content ?? "");
    expect(parts.join("")).toBe(TEXT);
    expect((await openai().models.list()).data.map((m) => m.id)).toEqual(["gpt-fake"]);
    expect(upstream.keys().slice(before)).toEqual([OPENAI_KEY, OPENAI_KEY, OPENAI_KEY]);
    expect(upstream.requests.at(-2)!.json).toMatchObject({ stream: true, model: "gpt-4o-mini" });
  });

  it("Anthropic: message, streamed message (every event type), anthropic-version and x-api-key", async () => {
    const before = upstream.requests.length;
    const reply = await anthropic().messages.create({ model: "claude-fake", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    expect(reply.content).toEqual([{ type: "text", text: TEXT }]);
    const stream = await anthropic().messages.create({ model: "claude-fake", max_tokens: 64, messages: [{ role: "user", content: "hi" }], stream: true });
    const types: string[] = [];
    const parts: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") parts.push(event.delta.text);
    }
    expect(parts.join("")).toBe(TEXT);
    expect(new Set(types)).toEqual(new Set(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]));
    expect(upstream.keys().slice(before)).toEqual([ANTHROPIC_KEY, ANTHROPIC_KEY]);
    expect(typeof upstream.requests.at(-1)!.headers["anthropic-version"]).toBe("string");
  });

  it("refuses a wrong key with each provider's 401, without echoing it", async () => {
    const wrong = "sk-wrong-key-not-accepted-000000000000";
    const a = await openai(wrong).models.list().catch((e: unknown) => e);
    expect(a).toBeInstanceOf(OpenAI.AuthenticationError);
    const b = await anthropic(wrong).models.list().catch((e: unknown) => e);
    expect(b).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(String((a as Error).message) + String((b as Error).message)).not.toContain(wrong);
  });

  it("gated streaming: delta N+1 leaves only after release(), whatever the wait", async () => {
    upstream.gated = true;
    const stream = await openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content;
      if (!text) continue;
      seen.push(text);
      // The fake holds the next delta: it is waiting, and nothing more came before this release.
      if (seen.length < DEFAULT_WORDS.length) {
        await until(() => upstream.waiting() === 1);
        expect(seen).toEqual(DEFAULT_WORDS.slice(0, seen.length));
        upstream.release();
      }
    }
    expect(seen).toEqual(DEFAULT_WORDS);
  });

  it("attack modes: echo-key (header, body cut across writes) and redirect", async () => {
    upstream.mode = { kind: "echo-key" };
    const echoed = await fetch(`${upstream.url}/v1/models`, { headers: { authorization: `Bearer ${OPENAI_KEY}` }, dispatcher } as RequestInit);
    expect(echoed.headers.get("x-echoed-key")).toBe(OPENAI_KEY);
    const text = await echoed.text();
    expect(text).toContain(OPENAI_KEY);
    expect(text).toContain(Buffer.from(OPENAI_KEY).toString("base64"));
    upstream.mode = { kind: "redirect", location: "https://elsewhere.invalid" };
    const moved = await fetch(`${upstream.url}/v1/models`, { redirect: "manual", dispatcher } as RequestInit);
    expect(moved.status).toBe(307);
    expect(moved.headers.get("location")).toBe("https://elsewhere.invalid/v1/models");
  });

  it("is trusted only through the test CA (a client without it refuses the certificate)", async () => {
    const err = await fetch(`${upstream.url}/v1/models`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
