import { describe, expect, it } from "vitest";
import { createSecretsManager, type SecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { findProvider, keyLookupNames, providersForKeyName, resolveProviderKey, resolveSetting } from "../../src/adapters/lookup.js";
import { adapterConfig } from "../../src/adapters/inject.js";
import { HushError } from "../../src/errors.js";
import { createMemorySource } from "../helpers/memory-source.js";
import { expectNoValue, fakeKey } from "./fake-keys.js";

/** A manager over `env` (given variables) then an in-memory `local` store (canonical names). */
function managerWith(env: Record<string, string>, local: Record<string, string> = {}, warnings: string[] = []): SecretsManager {
  return createSecretsManager({ sources: [createEnvSource({ env }), createMemorySource("local", local)], onWarning: (m) => warnings.push(m) });
}

describe("findProvider and keyLookupNames", () => {
  it("finds providers by id, id alias and lookup name, in any case", () => {
    expect(findProvider("gemini").id).toBe("google");
    expect(findProvider("Grok").id).toBe("xai");
    expect(findProvider("azure_openai").id).toBe("azure-openai");
    expect(findProvider("AZURE-OPENAI").id).toBe("azure-openai");
    expect(() => findProvider("skynet")).toThrowError(/Unknown LLM provider "skynet"; known providers: openai, anthropic, google/);
  });

  it("follows the reference order, then the aliases", () => {
    expect(keyLookupNames("openai")).toEqual(["openai_api_key", "openai_key", "OPENAI_API_KEY"]);
    expect(keyLookupNames("google")).toEqual(["google_api_key", "google_key", "GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"]);
    expect(keyLookupNames("xai")).toEqual(["xai_api_key", "xai_key", "XAI_API_KEY", "GROK_API_KEY"]);
    expect(keyLookupNames("together")).toEqual(["together_api_key", "together_key", "TOGETHER_API_KEY", "TOGETHERAI_API_KEY"]);
    expect(keyLookupNames("azure-openai")).toEqual(["azure_openai_api_key", "azure_openai_key", "AZURE_OPENAI_API_KEY", "AZURE_API_KEY"]);
    expect(keyLookupNames("bedrock")).toEqual(["bedrock_api_key", "bedrock_key", "BEDROCK_API_KEY", "AWS_BEARER_TOKEN_BEDROCK"]);
  });

  it("maps a key name back to its provider", () => {
    expect(providersForKeyName("GROK_API_KEY").map((p) => p.id)).toEqual(["xai"]);
    expect(providersForKeyName("co_api_key").map((p) => p.id)).toEqual(["cohere"]);
    expect(providersForKeyName("database_url")).toEqual([]);
  });
});

describe("resolveProviderKey", () => {
  it("takes <name>_api_key before <name>_key before the aliases, and says which name and source won", async () => {
    const k1 = fakeKey.google(), k2 = fakeKey.google(), k3 = fakeKey.google();
    const m = managerWith({ GEMINI_API_KEY: k3 }, { google_key: k2, google_api_key: k1 });
    const r = await resolveProviderKey("google", m);
    expect(r.record?.value).toBe(k1);
    expect({ name: r.name, source: r.source }).toEqual({ name: "google_api_key", source: "local" });

    const r2 = await resolveProviderKey("google", managerWith({ GEMINI_API_KEY: k3 }, { google_key: k3 }));
    expect({ name: r2.name, source: r2.source, collisions: r2.collisions }).toEqual({ name: "google_key", source: "local", collisions: [] });
  });

  it("finds a key under each alias alone, from env, .env-style and store sources alike", async () => {
    const cases: [string, string, string][] = [
      ["google", "GEMINI_API_KEY", fakeKey.google()],
      ["google", "GOOGLE_GENERATIVE_AI_API_KEY", fakeKey.google()],
      ["xai", "GROK_API_KEY", fakeKey.xai()],
      ["together", "TOGETHERAI_API_KEY", fakeKey.opaque()],
      ["cohere", "CO_API_KEY", fakeKey.opaque()],
      ["anthropic", "CLAUDE_API_KEY", fakeKey.anthropic()],
      ["azure-openai", "AZURE_API_KEY", fakeKey.opaque()],
      ["bedrock", "AWS_BEARER_TOKEN_BEDROCK", fakeKey.opaque()],
    ];
    for (const [provider, alias, value] of cases) {
      const fromEnv = await resolveProviderKey(provider, managerWith({ [alias]: value }));
      expect({ value: fromEnv.record?.value, name: fromEnv.name, source: fromEnv.source }).toEqual({ value, name: alias, source: "env" });
      const fromStore = await resolveProviderKey(provider, managerWith({}, { [alias.toLowerCase()]: value }));
      expect({ value: fromStore.record?.value, source: fromStore.source }).toEqual({ value, source: "local" });
    }
  });

  it("env wins over the store for the same name (the manager's chain order)", async () => {
    const inEnv = fakeKey.openaiProject(), inStore = fakeKey.openaiProject();
    const r = await resolveProviderKey("openai", managerWith({ OPENAI_API_KEY: inEnv }, { openai_api_key: inStore }));
    expect({ value: r.record?.value, name: r.name, source: r.source, collisions: r.collisions }).toEqual({ value: inEnv, name: "openai_api_key", source: "env", collisions: [] });
  });

  it("reports different values under a canonical name and an alias as a collision; the first in lookup order wins", async () => {
    const canonical = fakeKey.xai(), alias = fakeKey.xai();
    const warnings: string[] = [];
    const m = managerWith({ GROK_API_KEY: alias }, { xai_api_key: canonical });
    const r = await resolveProviderKey("xai", m);
    expect(r.record?.value).toBe(canonical);
    expect(r.collisions).toEqual([{ winner: "xai_api_key", winnerSource: "local", other: "GROK_API_KEY", otherSource: "env" }]);
    expect(r.warnings).toEqual(['xAI (Grok): "xai_api_key" (local) and "GROK_API_KEY" (env) hold different keys; using "xai_api_key", the first in lookup order.']);

    const config = await adapterConfig("xai", { manager: m, onWarning: (w) => warnings.push(w) });
    expect(config.apiKey).toBe(canonical);
    expect(warnings).toEqual(r.warnings);
    for (const w of warnings) {
      expectNoValue(w, canonical);
      expectNoValue(w, alias);
    }
  });

  it("does not report the same value under two names as a collision", async () => {
    const v = fakeKey.groq();
    const r = await resolveProviderKey("groq", managerWith({ GROQ_KEY: v }, { groq_api_key: v }));
    expect({ name: r.name, collisions: r.collisions, warnings: r.warnings }).toEqual({ name: "groq_api_key", collisions: [], warnings: [] });
  });

  it("reads each variable once even though two lookup names map to it", async () => {
    const asked: string[] = [];
    const reader = { getRecord: async (n: string) => (asked.push(n), undefined) };
    await resolveProviderKey("openai", reader);
    expect(asked).toEqual(["openai_api_key", "openai_key"]);
  });

  it("lets a source failure through instead of calling the key missing", async () => {
    const broken = createMemorySource("vault");
    broken.failWith = new HushError("ACCESS_DENIED", "vault refused the token.", { source: "vault" });
    const m = createSecretsManager({ sources: [createEnvSource({ env: {} }), broken], onWarning: () => {} });
    await expect(resolveProviderKey("openai", m)).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    await expect(adapterConfig("openai", { manager: m })).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });
});

describe("missing keys", () => {
  it("throws NOT_FOUND naming every name and every source it looked in", async () => {
    const m = managerWith({ OPENAI_API_KEY: fakeKey.openaiProject() }, { mistral_api_key: fakeKey.opaque() });
    const e = await adapterConfig("google", { manager: m }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("NOT_FOUND");
    expect((e as HushError).message).toBe(
      "No API key for Google (Gemini): looked for google_api_key (GOOGLE_API_KEY), google_key (GOOGLE_KEY), GEMINI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY in sources env, local.",
    );
    expect((e as HushError).hint).toBe("Set one with `hush set google_api_key`, or provide GOOGLE_API_KEY through the environment or a .env file.");
  });

  it("names the required setting when it is missing (Azure endpoint), and never a value", async () => {
    const key = fakeKey.opaque();
    const e = (await adapterConfig("azure-openai", { manager: managerWith({ AZURE_OPENAI_API_KEY: key }) }).catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toBe(
      "Azure OpenAI needs endpoint (resource endpoint, https://<resource>.openai.azure.com/): looked for azure_openai_endpoint (AZURE_OPENAI_ENDPOINT), AZURE_API_BASE in sources env, local.",
    );
    expectNoValue(String(e), key);
    expectNoValue(JSON.stringify(e), key);
  });

  it("no error or warning carries a value, whatever is stored", async () => {
    const values = [fakeKey.openaiProject(), fakeKey.anthropic(), fakeKey.opaque()];
    const m = managerWith({ OPENAI_API_KEY: values[0]!, CLAUDE_API_KEY: values[1]! }, { anthropic_key: values[2]! });
    const warnings: string[] = [];
    await adapterConfig("anthropic", { manager: m, onWarning: (w) => warnings.push(w) });
    const e = await adapterConfig("deepseek", { manager: m }).catch((x: unknown) => x);
    for (const v of values) {
      expectNoValue(String(e), v);
      expectNoValue(JSON.stringify(e), v);
      for (const w of warnings) expectNoValue(w, v);
    }
    expect(warnings).toHaveLength(1); // anthropic_key (local) vs CLAUDE_API_KEY (env)
  });
});

describe("resolveSetting", () => {
  it("takes the first name set, else the default, and says where it came from", async () => {
    const setting = findProvider("openai").settings.find((s) => s.field === "organization")!;
    expect(await resolveSetting(setting, managerWith({ OPENAI_ORGANIZATION: "org-b" }, { openai_org_id: "org-a" }))).toEqual({ field: "organization", value: "org-a", from: "openai_org_id", source: "local" });
    expect(await resolveSetting(setting, managerWith({ OPENAI_ORGANIZATION: "org-b" }))).toEqual({ field: "organization", value: "org-b", from: "OPENAI_ORGANIZATION", source: "env" });
    expect(await resolveSetting(setting, managerWith({}))).toEqual({ field: "organization", value: undefined, from: undefined, source: undefined });
    const url = findProvider("openai").settings.find((s) => s.field === "baseURL")!;
    expect(await resolveSetting(url, managerWith({}))).toEqual({ field: "baseURL", value: "https://api.openai.com/v1", from: "default", source: undefined });
  });
});
