import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/adapters/registry.js";
import { keyLookupNames } from "../../src/adapters/lookup.js";
import { envName, findCollisions, isValidName } from "../../src/names.js";

describe("provider registry (data)", () => {
  it("covers the providers issue 5 asks for", () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual(
      expect.arrayContaining(["openai", "anthropic", "google", "mistral", "xai", "groq", "deepseek", "cohere", "together", "openrouter", "azure-openai", "bedrock", "ollama", "openai-compatible"]),
    );
  });

  it("has unique ids, id aliases and lookup names across providers", () => {
    const ids = PROVIDERS.flatMap((p) => [p.id, ...p.idAliases]);
    expect(new Set(ids).size).toBe(ids.length);
    const keyNames = PROVIDERS.flatMap((p) => keyLookupNames(p).map(envName));
    // Within a provider `openai_api_key` and `OPENAI_API_KEY` are one name; across providers none may be shared.
    const perProvider = PROVIDERS.flatMap((p) => [...new Set(keyLookupNames(p).map(envName))]);
    expect(new Set(perProvider).size).toBe(perProvider.length);
    expect(keyNames.every(isValidName)).toBe(true);
  });

  it("gives every entry a rotation policy, a key field, an SDK, docs and valid setting names", () => {
    for (const p of PROVIDERS) {
      expect(p.rotationPolicy, p.id).toBe("llm-api-key");
      expect(p.rotationDays, p.id).toBe(90);
      expect(p.keyField, p.id).toMatch(/^(apiKey|token)$/);
      expect(p.sdk.package.length, p.id).toBeGreaterThan(0);
      expect(p.docs, p.id).toMatch(/^https:\/\//);
      for (const s of p.settings) {
        expect(s.names.length, `${p.id}.${s.field}`).toBeGreaterThan(0);
        expect(s.names.every(isValidName), `${p.id}.${s.field}`).toBe(true);
        expect(findCollisions(s.names), `${p.id}.${s.field}`).toEqual([]);
      }
      const fields = [p.keyField, ...p.settings.map((s) => s.field)];
      expect(new Set(fields).size, p.id).toBe(fields.length);
    }
  });

  it("fills only fields that the AdapterConfig type declares", () => {
    // Keep in step with `AdapterConfig` in src/adapters/inject.ts when a provider adds a field.
    const declared = ["apiKey", "token", "baseURL", "serverURL", "organization", "project", "endpoint", "apiVersion", "deployment", "awsRegion"];
    const used = new Set(PROVIDERS.flatMap((p) => [p.keyField, ...p.settings.map((s) => s.field)]));
    expect([...used].filter((f) => !declared.includes(f))).toEqual([]);
  });

  it("marks only local servers as needing no key, and gives them a placeholder the SDK accepts", () => {
    expect(PROVIDERS.filter((p) => !p.keyRequired).map((p) => p.id)).toEqual(["ollama", "openai-compatible"]);
    for (const p of PROVIDERS.filter((x) => !x.keyRequired)) expect(p.keyPlaceholder, p.id).toBeTruthy();
  });

  it("has anchored, compilable formats whose prefixes are listed longest first", () => {
    for (const p of PROVIDERS) {
      if (!p.keyFormat) continue;
      expect(p.keyFormat.pattern.startsWith("^") && p.keyFormat.pattern.endsWith("$"), p.id).toBe(true);
      expect(() => new RegExp(p.keyFormat!.pattern), p.id).not.toThrow();
      const lengths = p.keyFormat.prefixes.map((x) => x.length);
      expect(lengths, p.id).toEqual([...lengths].sort((a, b) => b - a));
    }
    expect(PROVIDERS.filter((p) => p.keyFormat).map((p) => p.id)).toEqual(["openai", "anthropic", "google", "xai", "groq", "openrouter"]);
  });

  it("is plain JSON data and frozen", () => {
    expect(JSON.parse(JSON.stringify(PROVIDERS))).toEqual(PROVIDERS);
    expect(Object.isFrozen(PROVIDERS)).toBe(true);
    expect(Object.isFrozen(PROVIDERS[0]!.settings[0])).toBe(true);
    expect(() => {
      (PROVIDERS[0]!.aliases as string[]).push("X");
    }).toThrow(TypeError);
  });
});
