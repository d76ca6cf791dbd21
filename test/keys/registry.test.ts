import { afterEach, describe, expect, it } from "vitest";
import { defineKeyProviderType, findKeyProviderType, listKeyProviderTypes, option, registerKeyProviderType, validateConfig, HushError, type KeyProvider } from "../../src/index.js";
import { describeUnknownKeyProvider } from "../../src/keys/registry.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";

const KEY = generateFernetKey();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A provider as another package would write it. */
const hsmType = defineKeyProviderType({
  type: "hsm",
  summary: "a key in a test HSM",
  options: { slot: option.integer({ min: 0, max: 15, default: 0, description: "the HSM slot" }), keyId: option.string({ description: "the key's label" }) },
  create(options, context): KeyProvider {
    return {
      type: "hsm",
      location: () => ({ provider: "hsm", where: `slot ${options.slot} (${context.environment})`, insideProject: false }),
      exists: async () => false,
      load: async () => Promise.reject(new HushError("KEY_MISSING", "none")),
      save: async () => undefined,
    };
  },
});

function problems(raw: unknown): string {
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    return (e as HushError).message;
  }
  return "";
}

describe("key provider registry", () => {
  it("lists the built-ins file, user, env, passphrase, team, vault-transit, aws-kms and gcp-kms, in that order", () => {
    expect(listKeyProviderTypes().map((d) => d.type)).toEqual(["file", "user", "env", "passphrase", "team", "vault-transit", "aws-kms", "gcp-kms"]);
    expect(findKeyProviderType("user")?.summary).toMatch(/config folder/);
    expect(findKeyProviderType("nope")).toBeUndefined();
  });

  it("registers a provider once, and removes it again", () => {
    cleanups.push(registerKeyProviderType(hsmType));
    expect(findKeyProviderType("hsm")).toBeDefined();
    expect(() => registerKeyProviderType(hsmType)).toThrow(/already registered/);
    expect(() => registerKeyProviderType({ ...hsmType, type: "file" })).toThrow(/already registered/);
    cleanups.pop()!();
    expect(findKeyProviderType("hsm")).toBeUndefined();
  });

  it("refuses malformed descriptors", () => {
    const bad: unknown[] = [null, { ...hsmType, type: "Bad Type" }, { ...hsmType, summary: "two\nlines" }, { ...hsmType, create: 1 }, { ...hsmType, options: { x: { description: "no check" } } }];
    for (const d of bad) expect(() => registerKeyProviderType(d as typeof hsmType)).toThrow(HushError);
  });

  it("the unknown-provider message lists the known ones and never echoes a token-shaped name", () => {
    expect(describeUnknownKeyProvider("kms")).toMatch(/unknown key provider "kms"; known providers: file, user, env/);
    expect(describeUnknownKeyProvider(KEY)).not.toContain(KEY.slice(0, 12));
  });
});

describe("hush.yaml keys:", () => {
  it("accepts a provider per environment, and project:", () => {
    const config = validateConfig({ version: 1, project: "billing-7f3a", keys: { dev: { provider: "user" }, prod: { provider: "env", variable: "HUSH_KEY_PROD" }, ci: { provider: "file" } } });
    expect(config.project).toBe("billing-7f3a");
    expect(config.keys).toEqual({ dev: { provider: "user", options: {} }, prod: { provider: "env", options: { variable: "HUSH_KEY_PROD" } }, ci: { provider: "file", options: {} } });
  });

  it("validates a registered provider's options offline, with paths like keys.prod.keyId", () => {
    cleanups.push(registerKeyProviderType(hsmType));
    expect(validateConfig({ version: 1, keys: { prod: { provider: "hsm", keyId: "k1", slot: 3 } } }).keys?.prod).toEqual({ provider: "hsm", options: { keyId: "k1", slot: 3 } });
    const text = problems({ version: 1, keys: { prod: { provider: "hsm", keyId: 7, slot: 99, colour: "red" } } });
    expect(text).toMatch(/keys\.prod\.keyId: expected a string/);
    expect(text).toMatch(/keys\.prod\.slot: expected a whole number from 0 to 15/);
    expect(text).toMatch(/keys\.prod\.colour: unknown key/);
  });

  it("an unknown provider is a clear error listing the known types", () => {
    expect(problems({ version: 1, keys: { prod: { provider: "vault" } } })).toMatch(/keys\.prod\.provider: unknown key provider "vault"; known providers: file, user, env/);
    expect(problems({ version: 1, keys: { prod: {} } })).toMatch(/keys\.prod\.provider: missing; one of file, user, env/);
  });

  it("never echoes a key pasted into hush.yaml", () => {
    for (const raw of [
      { version: 1, keys: { prod: { provider: "file", key: KEY } } },
      { version: 1, keys: { prod: { provider: KEY } } },
      { version: 1, keys: { prod: KEY } },
      { version: 1, keys: { [KEY]: { provider: "file" } } },
      { version: 1, keys: { prod: { provider: "vault", token: KEY } } },
      { version: 1, project: KEY },
      { version: 1, keys: { prod: { provider: "env", variable: KEY } } },
    ]) {
      const text = problems(raw);
      expect(text).toMatch(/CONFIG_INVALID|invalid/);
      expect(text).not.toContain(KEY.slice(0, 12));
    }
  });

  it("checks environment names, environments:, and that `user` has a project id", () => {
    expect(problems({ version: 1, keys: { "Bad Env": { provider: "file" } } })).toMatch(/not a valid environment name/);
    expect(problems({ version: 1, environments: ["dev"], keys: { prod: { provider: "file" } } })).toMatch(/keys\.prod: is not one of `environments`/);
    expect(problems({ version: 1, keys: { dev: { provider: "user" } } })).toMatch(/keys\.dev: the user provider needs a project id/);
    expect(problems({ version: 1, keys: { dev: { provider: "user", project: "x-1" } } })).toBe("");
    expect(problems({ version: 1, project: "../up", keys: {} })).toMatch(/project: expected a project id/);
    expect(problems({ version: 1, keys: [] })).toMatch(/keys: expected a mapping/);
  });
});

describe("loadEnvironmentKey", () => {
  it("takes a source's context as it is: keySettings (hush.yaml's project:/keys:) choose the provider", async () => {
    const { loadEnvironmentKey, chooseKeyProvider } = await import("../../src/keys/environment-key.js");
    const env = { HUSH_KEY_PROD: KEY };
    const context = { root: "/nonexistent", secretsDir: "/nonexistent/.secrets", environment: "prod", env, onWarning: () => undefined, keySettings: { keys: { prod: { provider: "env", options: {} } } } };
    expect(chooseKeyProvider(context)).toEqual({ provider: "env", options: {}, implicit: false });
    const key = await loadEnvironmentKey(context);
    expect(Buffer.concat([key.signingKey, key.encryptionKey]).toString("base64url") + "=").toBe(KEY);
    expect(chooseKeyProvider({ ...context, keySettings: { project: "p-1" } }).provider).toBe("user");
    expect(chooseKeyProvider({ ...context, keySettings: undefined }).provider).toBe("file");
  });
});
