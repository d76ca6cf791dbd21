/**
 * `adapterConfig(provider, { gateway })`: the real OpenAI and Anthropic SDKs, configured from it,
 * send the handle to the gateway, and the upstream (the plain-HTTP fake) receives the real key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { adapterConfig, startGateway, type Gateway } from "../../src/index.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { tempProject, testKey } from "./helpers.js";

const OPENAI_KEY = testKey("sk-proj-");
const ANTHROPIC_KEY = testKey("sk-ant-api03-");
let upstream: FakeUpstream;
let project: { dir: string; cleanup(): void };
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  project = tempProject(`version: 1
audit: off
gateway:
  routes:
    - name: openai
      upstream: ${upstream.url}
    - name: anthropic
      upstream: ${upstream.url}
`);
  gateway = await startGateway({ cwd: project.dir, env: { OPENAI_API_KEY: OPENAI_KEY, ANTHROPIC_API_KEY: ANTHROPIC_KEY }, onWarning: () => undefined });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  project?.cleanup();
});

describe("adapterConfig with a gateway", () => {
  it("gives the handle and the gateway's base URL, never the key", async () => {
    const config = await adapterConfig("openai", { gateway, manager: { getRecord: async () => undefined } });
    expect(config.apiKey).toMatch(/^hush_h_/);
    expect(config.baseURL).toBe(`${gateway.url}/openai/v1`);
    expect(JSON.stringify(config)).not.toContain(OPENAI_KEY);
  });

  it("drives the real OpenAI SDK through the gateway", async () => {
    const client = new OpenAI({ ...(await adapterConfig("openai", { gateway, manager: { getRecord: async () => undefined } })), maxRetries: 0 });
    const reply = await client.get("/models");
    expect(reply).toEqual({ ok: true, path: "/v1/models" });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("drives the real Anthropic SDK through the gateway (x-api-key)", async () => {
    const client = new Anthropic({ ...(await adapterConfig("anthropic", { gateway, manager: { getRecord: async () => undefined } })), maxRetries: 0 });
    const reply = await client.get("/v1/models");
    expect(reply).toEqual({ ok: true, path: "/v1/models" });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(JSON.stringify(seen.headers)).not.toContain("hush_h_");
  });

  it("throws NOT_FOUND for a provider without an active route", async () => {
    await expect(adapterConfig("mistral", { gateway, manager: { getRecord: async () => undefined } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
