// The `llm-key` rotator against a local fake provider (never a real one): conformance, the
// format check, the authenticated test call, and the reminder to revoke the old key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { rotatorConformance } from "./conformance/suite.js";
import { startFakeLlmProvider } from "../fakes/llm-provider.js";
import { createLlmKeyRotator } from "../../src/rotation/llm-key.js";
import { HushError } from "../../src/errors.js";
import type { FakeServer } from "../fakes/http-fake.js";

/** A well-formed OpenAI project key, made at run time. */
const newKey = () => ["sk-", "proj-", randomBytes(45).toString("base64url").slice(0, 60)].join("");

const valid = new Set<string>();
let fake: FakeServer;
let pasted = newKey();
beforeAll(async () => {
  fake = await startFakeLlmProvider(valid);
});
afterAll(() => fake.close());

rotatorConformance({
  type: "llm-key",
  config: () => {
    pasted = newKey();
    valid.add(pasted);
    return { type: "llm-key", options: { provider: "openai", baseUrl: fake.url } };
  },
  readSecret: async () => pasted,
  failing: (_dir, step) => {
    if (step === "set") return undefined; // the key is made in the provider's console: there is nothing to set
    pasted = step === "create" ? "not-a-key-" + randomBytes(8).toString("hex") : newKey(); // test: well-formed, but the provider refuses it
    return { config: { type: "llm-key", options: { provider: "openai", baseUrl: fake.url } }, healed: { type: "llm-key", options: { provider: "openai", baseUrl: `${fake.url}/open` } } };
  },
  afterRotation: (_dir, newValue) => {
    expect(newValue).toBe(pasted);
    const last = fake.requests[fake.requests.length - 1]!;
    expect(last.path).toBe("/models");
    expect(last.headers.authorization).toBe(`Bearer ${pasted}`);
  },
});

describe("llm-key rotator", () => {
  it("reminds to revoke the old key in the console, with the link and a masked preview only", async () => {
    const old = newKey();
    const key = newKey();
    valid.add(key);
    const r = createLlmKeyRotator({ provider: "openai", baseUrl: fake.url, timeoutSeconds: 5 }, { name: "openai_api_key", readSecret: async () => `${key}\n` });
    expect(await r.create(old)).toBe(key);
    await r.test!({ value: key });
    const reminders = r.reminders!();
    expect(reminders.join()).toContain("https://platform.openai.com/api-keys");
    expect(reminders.join()).toContain("sk-proj-…");
    expect(reminders.join()).not.toContain(old.slice(8));
  });

  it("refuses a key of another provider's format, naming the provider, never the key", async () => {
    const anthropicShaped = ["sk-ant-", "api03-", randomBytes(70).toString("base64url").slice(0, 93), "AA"].join("");
    const r = createLlmKeyRotator({ provider: "openai", baseUrl: fake.url, timeoutSeconds: 5 }, { name: "openai_api_key", readSecret: async () => anthropicShaped });
    const e = (await r.create(undefined).catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("INVALID_VALUE");
    expect(e.message).toContain("Anthropic");
    expect(String(e) + JSON.stringify(e)).not.toContain(anthropicShaped.slice(14, 40));
  });

  it("an unreachable provider is SOURCE_UNAVAILABLE, a refused key ACCESS_DENIED; the provider comes from the name", async () => {
    const r = createLlmKeyRotator({ baseUrl: "http://127.0.0.1:9", timeoutSeconds: 2 }, { name: "openai_api_key" });
    expect(((await r.test!({ value: newKey() }).catch((x: unknown) => x)) as HushError).code).toBe("SOURCE_UNAVAILABLE");
    const refused = createLlmKeyRotator({ baseUrl: fake.url, timeoutSeconds: 5 }, { name: "openai_api_key" });
    expect(((await refused.test!({ value: newKey() }).catch((x: unknown) => x)) as HushError).code).toBe("ACCESS_DENIED");
  });
});
