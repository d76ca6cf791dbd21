import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI, { AzureOpenAI } from "openai";
import { BedrockOpenAI } from "openai/bedrock";
import Anthropic from "@anthropic-ai/sdk";
import { createSecretsManager, type SecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { adapterConfig, injectAdapterSecrets, resolveAdapter } from "../../src/adapters/inject.js";
import { HushError } from "../../src/errors.js";
import { createMemorySource } from "../helpers/memory-source.js";
import { expectNoValue, fakeKey } from "./fake-keys.js";

function managerWith(env: Record<string, string>, local: Record<string, string> = {}): SecretsManager {
  return createSecretsManager({ sources: [createEnvSource({ env }), createMemorySource("local", local)], onWarning: () => {} });
}

// The SDKs read their own variables when a field is absent; clear them so every value seen
// on a client provably came from hush's config, and restore them afterwards.
const SDK_VARS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "AWS_BEARER_TOKEN_BEDROCK", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEDROCK_BASE_URL"];
const saved: Record<string, string | undefined> = {};
// Any fetch at all fails the run: the constructor tests must make no network call.
const realFetch = globalThis.fetch;
const fetchCalls: string[] = [];
beforeAll(() => {
  globalThis.fetch = (async (input: unknown) => {
    fetchCalls.push(String(input));
    throw new Error("network call in a no-network test");
  }) as typeof fetch;
  for (const v of SDK_VARS) {
    saved[v] = process.env[v];
    delete process.env[v];
  }
});
afterAll(() => {
  globalThis.fetch = realFetch;
  for (const v of SDK_VARS) if (saved[v] !== undefined) process.env[v] = saved[v];
});

// No request is made: the SDKs only connect on an API call, and none is made here. The base
// URLs point at a closed loopback port so that even a stray call could not leave the machine.
describe("the config spreads into the real SDK constructors (no network)", () => {
  it("openai: apiKey, baseURL, organization, project", async () => {
    const key = fakeKey.openaiProject();
    const m = managerWith({ OPENAI_ORG_ID: "org-hush" }, { openai_api_key: key, openai_base_url: "http://127.0.0.1:9/v1", openai_project_id: "proj_hush" });
    const config = await adapterConfig("openai", { manager: m });
    expect(config).toEqual({ apiKey: key, baseURL: "http://127.0.0.1:9/v1", organization: "org-hush", project: "proj_hush" });
    const client = new OpenAI({ ...config, maxRetries: 0 });
    expect([client.apiKey, client.baseURL, client.organization, client.project]).toEqual([key, "http://127.0.0.1:9/v1", "org-hush", "proj_hush"]);
  });

  it("anthropic: apiKey and baseURL", async () => {
    const key = fakeKey.anthropic();
    const client = new Anthropic({ ...(await adapterConfig("anthropic", { manager: managerWith({ ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: "http://127.0.0.1:9" }) })) });
    expect([client.apiKey, client.baseURL]).toEqual([key, "http://127.0.0.1:9"]);
  });

  it("OpenAI-compatible providers get their base URL by default (xAI, DeepSeek, OpenRouter, Ollama)", async () => {
    const cases: [provider: string, url: string, variable: string][] = [
      ["xai", "https://api.x.ai/v1", "GROK_API_KEY"],
      ["deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"],
      ["openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"],
    ];
    for (const [provider, url, variable] of cases) {
      const key = fakeKey.opaque();
      const client = new OpenAI(await adapterConfig(provider, { manager: managerWith({ [variable]: key }) }));
      expect([client.apiKey, client.baseURL]).toEqual([key, url]);
    }
    // Ollama needs no key: the SDK insists on one, so the documented placeholder is used.
    const ollama = new OpenAI(await adapterConfig("ollama", { manager: managerWith({}) }));
    expect([ollama.apiKey, ollama.baseURL]).toEqual(["ollama", "http://localhost:11434/v1"]);
  });

  it("azure-openai: AzureOpenAI with endpoint and the default apiVersion", async () => {
    const key = fakeKey.opaque();
    const config = await adapterConfig("azure-openai", { manager: managerWith({ AZURE_OPENAI_API_KEY: key, AZURE_OPENAI_ENDPOINT: "https://hush-test.openai.azure.com/" }) });
    expect(config).toEqual({ apiKey: key, endpoint: "https://hush-test.openai.azure.com/", apiVersion: "2024-10-21" });
    const client = new AzureOpenAI(config);
    expect([client.apiKey, client.baseURL, client.apiVersion]).toEqual([key, "https://hush-test.openai.azure.com/openai", "2024-10-21"]);
  });

  it("bedrock: BedrockOpenAI with the bearer token and the region", async () => {
    const key = fakeKey.opaque();
    const config = await adapterConfig("bedrock", { manager: managerWith({ AWS_BEARER_TOKEN_BEDROCK: key, AWS_REGION: "eu-west-1" }) });
    expect(config).toEqual({ apiKey: key, awsRegion: "eu-west-1" });
    const client = new BedrockOpenAI(config);
    expect(client.apiKey).toBe(key);
    expect(client.baseURL).toContain("eu-west-1");
  });

  it("overrides win, an explicit key skips the lookup, and extra SDK fields pass through", async () => {
    const explicit = fakeKey.openaiLegacy();
    const config = await adapterConfig("openai", { manager: managerWith({}), overrides: { apiKey: explicit, baseURL: "http://127.0.0.1:9/v1", timeout: 5000 } });
    expect(config).toEqual({ apiKey: explicit, baseURL: "http://127.0.0.1:9/v1", timeout: 5000 });
    const client = new OpenAI(config);
    expect([client.apiKey, client.timeout]).toEqual([explicit, 5000]);
  });

  it("resolveAdapter tells which name and source supplied the key and each setting", async () => {
    const r = await resolveAdapter("google", { manager: managerWith({ GEMINI_API_KEY: fakeKey.google() }) });
    expect({ name: r.key.name, source: r.key.source, provider: r.provider.id, fields: Object.keys(r.config) }).toEqual({ name: "GEMINI_API_KEY", source: "env", provider: "google", fields: ["apiKey"] });
  });

  it("resolveAdapter keeps the key in config alone: its provenance carries no value, serialised or not", async () => {
    const value = fakeKey.openaiProject();
    const r = await resolveAdapter("openai", { manager: managerWith({ OPENAI_API_KEY: value }) });
    expect(r.config.apiKey).toBe(value);
    expect(r.key.record).toMatchObject({ name: expect.any(String), source: "env" });
    expect(r.key.record).not.toHaveProperty("value");
    expectNoValue(JSON.stringify({ key: r.key, settings: r.settings, provider: r.provider }), value);
  });

  it("without a manager, reads through the default chain (process.env first) and closes it again", async () => {
    const key = fakeKey.openaiProject();
    process.env.OPENAI_API_KEY = key;
    try {
      const client = new OpenAI(await adapterConfig("openai"));
      expect(client.apiKey).toBe(key);
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it("made no network call while constructing the clients", () => {
    expect(fetchCalls).toEqual([]);
  });
});

describe("injectAdapterSecrets", () => {
  it("fills in each adapter's key, keeps its own fields, and warns (without throwing) for one with no key", async () => {
    const openaiKey = fakeKey.openaiProject();
    const stored = [openaiKey];
    const warnings: string[] = [];
    const out = await injectAdapterSecrets(
      { openai: { maxRetries: 1 }, anthropic: { timeout: 1000 }, ollama: {} },
      { manager: managerWith({}, { openai_api_key: openaiKey }), onWarning: (w) => warnings.push(w) },
    );
    expect(out.openai).toEqual({ apiKey: openaiKey, baseURL: "https://api.openai.com/v1", maxRetries: 1 });
    expect(out.anthropic).toEqual({ timeout: 1000 });
    expect(out.ollama).toEqual({ apiKey: "ollama", baseURL: "http://localhost:11434/v1" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^anthropic: No API key for Anthropic: looked for anthropic_api_key \(ANTHROPIC_API_KEY\), anthropic_key \(ANTHROPIC_KEY\), CLAUDE_API_KEY in sources env, local\. The adapter config is returned without a key\.$/);
    for (const v of stored) for (const w of warnings) expectNoValue(w, v);
  });

  it("rejects an unknown adapter id before looking anything up", async () => {
    const asked: string[] = [];
    const reader = { getRecord: async (n: string) => (asked.push(n), undefined) };
    await expect(injectAdapterSecrets({ openai: {}, skynet: {} }, { manager: reader, onWarning: () => {} })).rejects.toBeInstanceOf(HushError);
    expect(asked).toEqual([]);
  });

  it("still throws when a source fails (denied is not missing)", async () => {
    const broken = createMemorySource("vault");
    broken.failWith = new HushError("ACCESS_DENIED", "vault refused the token.", { source: "vault" });
    const m = createSecretsManager({ sources: [broken], onWarning: () => {} });
    await expect(injectAdapterSecrets({ openai: {} }, { manager: m, onWarning: () => {} })).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });
});
