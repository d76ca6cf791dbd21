import { describe, expect, it } from "vitest";
import { checkKeyFormat, formatWarningFor, maskKey } from "../../src/adapters/format-check.js";
import { PROVIDERS } from "../../src/adapters/registry.js";
import { expectNoValue, fakeKey, randomChars } from "./fake-keys.js";


const GOOD: Record<string, (() => string)[]> = {
  openai: [fakeKey.openaiLegacy, fakeKey.openaiProject, fakeKey.openaiServiceAccount],
  anthropic: [fakeKey.anthropic],
  google: [fakeKey.google],
  xai: [fakeKey.xai],
  groq: [fakeKey.groq],
  openrouter: [fakeKey.openrouter],
};

const BAD: Record<string, (() => string)[]> = {
  openai: [fakeKey.anthropic, fakeKey.openrouter, () => "sk-" + randomChars(10), () => "pk-" + randomChars(48)],
  anthropic: [fakeKey.openaiProject, () => "sk-ant-api03-" + randomChars(40), () => fakeKey.anthropic().slice(0, -2) + "BB"],
  google: [() => "AIza" + randomChars(30), () => "AIzb" + randomChars(35), fakeKey.groq],
  xai: [() => "xai-" + randomChars(79), () => "xai_" + randomChars(80), fakeKey.openaiLegacy],
  groq: [() => "gsk_" + randomChars(51), () => "gsk-" + randomChars(52), fakeKey.xai],
  openrouter: [() => "sk-or-v1-" + randomChars(64, "ABCDEF0123456789"), () => "sk-or-v2-" + randomChars(64, "0123456789abcdef"), fakeKey.openaiLegacy],
};

describe("checkKeyFormat", () => {
  it("covers every provider that has a format, with true and false cases", () => {
    const withFormat = PROVIDERS.filter((p) => p.keyFormat).map((p) => p.id).sort();
    expect(Object.keys(GOOD).sort()).toEqual(withFormat);
    expect(Object.keys(BAD).sort()).toEqual(withFormat);
  });

  for (const [provider, makers] of Object.entries(GOOD)) {
    it(`${provider}: accepts well-formed keys`, () => {
      for (const make of makers) for (let i = 0; i < 20; i++) expect(checkKeyFormat(provider, make())).toEqual({ status: "ok" });
    });
  }

  for (const [provider, makers] of Object.entries(BAD)) {
    it(`${provider}: rejects malformed or foreign keys, with a reason that never quotes the value`, () => {
      for (const make of makers) {
        const value = make();
        const r = checkKeyFormat(provider, value);
        expect(r.status, `${provider} ${value.length}`).toBe("mismatch");
        if (r.status === "mismatch") expectNoValue(r.reason, value);
      }
    });
  }

  it("names the provider a foreign key belongs to", () => {
    const r = checkKeyFormat("openai", fakeKey.anthropic());
    expect(r).toEqual({ status: "mismatch", reason: "it looks like an Anthropic key, not an OpenAI key" });
    const truncated = checkKeyFormat("openai", fakeKey.anthropic().slice(0, 30));
    expect(truncated).toEqual({ status: "mismatch", reason: 'it starts with "sk-ant-api03-", the prefix of Anthropic keys' });
  });

  it("reports pasted whitespace, quotes and empty values for every provider, even without a format", () => {
    const value = fakeKey.opaque();
    for (const p of PROVIDERS) {
      expect(checkKeyFormat(p.id, value + "\n")).toEqual({ status: "mismatch", reason: "it has leading or trailing whitespace (often a pasted newline)" });
      expect(checkKeyFormat(p.id, `"${value}"`)).toEqual({ status: "mismatch", reason: "it starts or ends with a quote character" });
      expect(checkKeyFormat(p.id, "")).toEqual({ status: "mismatch", reason: "it is empty" });
    }
  });

  it("does not check providers without a documented format", () => {
    const unchecked = PROVIDERS.filter((x) => !x.keyFormat);
    expect(unchecked.length, "no provider without a format: this test checks nothing").toBeGreaterThan(0);
    for (const p of unchecked) expect(checkKeyFormat(p.id, fakeKey.opaque())).toEqual({ status: "unchecked" });
  });
});

describe("formatWarningFor", () => {
  it("warns for a mismatching value under any of the provider's key names, without the value", () => {
    const value = fakeKey.openaiProject();
    for (const name of ["anthropic_api_key", "ANTHROPIC_API_KEY", "anthropic_key", "CLAUDE_API_KEY"]) {
      const w = formatWarningFor(name, value);
      expect(w).toBe(`"${name}" does not look like an Anthropic API key: it looks like an OpenAI key, not an Anthropic key.`);
      expectNoValue(w, value);
    }
    const truncated = fakeKey.openaiProject().slice(0, 15);
    expect(formatWarningFor("claude_api_key", truncated)).toBe(`"claude_api_key" does not look like an Anthropic API key: it starts with "sk-proj-", the prefix of OpenAI keys.`);
    expect(formatWarningFor("GEMINI_API_KEY", fakeKey.groq())).toMatch(/^"GEMINI_API_KEY" does not look like a Google \(Gemini\) API key/);
  });

  it("stays quiet for matching values, unknown names, formatless providers and invalid names", () => {
    expect(formatWarningFor("openai_api_key", fakeKey.openaiProject())).toBeUndefined();
    expect(formatWarningFor("GROK_API_KEY", fakeKey.xai())).toBeUndefined();
    expect(formatWarningFor("database_url", "postgres://x")).toBeUndefined();
    expect(formatWarningFor("mistral_api_key", fakeKey.opaque())).toBeUndefined();
    expect(formatWarningFor("../etc", fakeKey.opaque())).toBeUndefined();
  });
});

describe("maskKey", () => {
  it("shows at most the provider's public prefix and the length", () => {
    const legacy = fakeKey.openaiLegacy();
    expect(maskKey(legacy)).toBe("sk-…(51 chars)");
    expect(maskKey(fakeKey.openaiProject())).toBe("sk-proj-…(164 chars)");
    expect(maskKey(fakeKey.anthropic())).toBe("sk-ant-api03-…(108 chars)");
    expect(maskKey(fakeKey.google())).toBe("AIza…(39 chars)");
    // A foreign key shows the prefix it really has, not the provider's.
    expect(maskKey(fakeKey.openrouter())).toBe("sk-or-v1-…(73 chars)");
  });

  it("shows at most 4 characters of a key with no known prefix, and none of a short one", () => {
    const value = fakeKey.opaque();
    expect(maskKey(value)).toBe(`${value.slice(0, 4)}…(48 chars)`);
    expect(maskKey("short-one")).toBe("…(9 chars)");
    expect(maskKey("sk-")).toBe("…(3 chars)");
    expect(maskKey("\n\tabcdefghijklmnopqrstuvwxyz")).toBe("??ab…(28 chars)");
  });
});
