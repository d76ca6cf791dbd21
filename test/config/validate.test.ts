import { describe, expect, it } from "vitest";
import { checkConfig, formatPath, validateConfig } from "../../src/config/validate.js";
import { HushError } from "../../src/errors.js";

const CANARY = "sk-canary-9f8e7d6c5b4a39281706";

/** Validates `raw` expecting CONFIG_INVALID; returns the error after checking the canary is absent. */
function invalid(raw: unknown): HushError {
  try {
    validateConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("CONFIG_INVALID");
    expect(String(e)).not.toContain(CANARY);
    expect(JSON.stringify(e)).not.toContain(CANARY);
    expect((e as HushError).message).not.toContain(CANARY);
    return e as HushError;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("validateConfig: the documented example", () => {
  const example = {
    version: 1,
    environment: "dev",
    environments: ["dev", "staging", "prod"],
    audit: "required",
    sources: [{ type: "env" }, { type: "dotenv", options: { files: [".env", ".env.local"] } }, { type: "local", options: { dir: ".secrets", maxVersions: 10 } }],
    secrets: {
      openai_api_key: { required: true, type: "llm-api-key", description: "OpenAI key", owner: "platform-team", rotation: "90d" },
      DATABASE_PASSWORD: { type: "database-password" },
      plain: null,
    },
  };

  it("accepts it with defaults filled in", () => {
    const c = validateConfig(example);
    expect(c.audit).toBe("required");
    expect(c.sources!.map((s) => s.type)).toEqual(["env", "dotenv", "local"]);
    expect(c.sources![0]!.options).toEqual({});
    expect(c.secrets.openai_api_key).toMatchObject({ required: true, type: "llm-api-key", rotationDays: 90 });
    expect(c.secrets.database_password).toMatchObject({ required: false, type: "database-password", rotationDays: 30 });
    expect(c.secrets.plain).toEqual({ required: false, type: "generic", rotationDays: undefined });
  });

  it("rotation: weeks, never, and an override of the type's period", () => {
    const c = validateConfig({ version: 1, secrets: { a: { type: "llm-api-key", rotation: "12w" }, b: { type: "llm-api-key", rotation: "never" }, c: { rotation: "7d" } } });
    expect(c.secrets.a!.rotationDays).toBe(84);
    expect(c.secrets.b!.rotationDays).toBeUndefined();
    expect(c.secrets.c!.rotationDays).toBe(7);
  });

  it("remote: the mapping model (key, property, version; a number version is kept as text)", () => {
    const c = validateConfig({ version: 1, secrets: { a: { remote: { key: "apps/agent/llm", property: "openai", version: 3 } }, b: { remote: { key: "db" } } } });
    expect(c.secrets.a!.remote).toEqual({ key: "apps/agent/llm", property: "openai", version: "3" });
    expect(c.secrets.b!.remote).toEqual({ key: "db" });
  });

  it("remote: refuses a missing key, an unknown field and a pasted token without echoing it", () => {
    expect(invalid({ version: 1, secrets: { a: { remote: { property: "x" } } } }).message).toContain("secrets.a.remote.key");
    expect(invalid({ version: 1, secrets: { a: { remote: { key: "k", field: "x" } } } }).message).toContain("secrets.a.remote.field");
    expect(invalid({ version: 1, secrets: { a: { remote: { key: CANARY } } } }).message).toContain("looks like a credential");
    expect(invalid({ version: 1, secrets: { a: { remote: "apps/x" } } }).message).toContain("expected a mapping");
  });

  it("an empty file (null) is the default config", () => {
    expect(validateConfig(null)).toEqual({ version: 1, audit: "best-effort", secrets: {} });
  });
});

describe("validateConfig: errors", () => {
  it("gives the path of an unknown option: sources[2].options.address", () => {
    const e = invalid({ version: 1, sources: [{ type: "env" }, { type: "dotenv" }, { type: "local", options: { address: "x" } }] });
    expect(e.message).toContain("sources[2].options.address: unknown key");
    expect(e.message).toContain("known: dir, maxVersions, lockTimeoutMs, permissions");
  });

  it("suggests the nearest key", () => {
    expect(invalid({ version: 1, enviroment: "dev" }).message).toContain('enviroment: unknown key; did you mean "environment"?');
    expect(invalid({ version: 1, sources: [{ type: "local", options: { maxVersion: 3 } }] }).message).toContain('did you mean "maxVersions"');
    expect(invalid({ version: 1, secrets: { a: { requried: true } } }).message).toContain('secrets.a.requried: unknown key; did you mean "required"?');
  });

  it("an unknown source type names the known types; a planned one says it is not available yet", () => {
    const e = invalid({ version: 1, sources: [{ type: "env" }, { type: "consul" }, { type: "postgres" }] });
    expect(e.message).toContain('sources[1].type: unknown source type "consul"; known types: env, dotenv, local, mallku, vault, kubernetes.');
    expect(e.message).toContain("sources[2].type: the postgres source is not available in this version of hush; known types: env, dotenv, local, mallku, vault, kubernetes.");
  });

  it("lists every problem at once", () => {
    const e = invalid({ version: 2, audit: "sometimes", environment: "Prod!", sources: "env", secrets: { "bad/name": {}, ok: { type: "password", required: "yes", rotation: "3 months" } } });
    expect(e.message).toMatch(/is invalid \(8 problems\)/);
    for (const path of ["version:", "audit:", "environment:", "sources:", "secrets[", "secrets.ok.type:", "secrets.ok.required:", "secrets.ok.rotation:"]) expect(e.message).toContain(path);
  });

  it("requires version: 1", () => {
    expect(invalid({ secrets: {} }).message).toContain("version: missing; add `version: 1`");
  });

  it("refuses a default environment missing from environments, and duplicates", () => {
    const e = invalid({ version: 1, environment: "qa", environments: ["dev", "prod", "dev"] });
    expect(e.message).toContain('environment: "qa" is not one of `environments`');
    expect(e.message).toContain('environments[2]: "dev" is listed twice.');
  });

  it("refuses two sources of one type, an empty chain and a source without type", () => {
    expect(invalid({ version: 1, sources: [{ type: "local" }, { type: "local" }] }).message).toContain("sources[1].type: a second `local` source (the first is sources[0])");
    expect(invalid({ version: 1, sources: [] }).message).toContain("sources: the list is empty");
    expect(invalid({ version: 1, sources: [{ options: {} }] }).message).toContain("sources[0].type: missing");
  });

  it("checks option types", () => {
    const e = invalid({ version: 1, sources: [{ type: "dotenv", options: { files: ".env" } }, { type: "local", options: { maxVersions: 0 } }, { type: "env", options: { listAll: "yes" } }] });
    expect(e.message).toContain("sources[0].options.files: expected a non-empty list of paths");
    expect(e.message).toContain("sources[1].options.maxVersions: expected a whole number from 1 to 1000");
    expect(e.message).toContain("sources[2].options.listAll: expected true or false");
    const local = invalid({ version: 1, sources: [{ type: "local", options: { permissions: "lax", lockTimeoutMs: 5 } }] });
    expect(local.message).toContain("sources[0].options.permissions: expected one of strict, warn, got another word.");
    expect(local.message).toContain("sources[0].options.lockTimeoutMs: expected a whole number from 100 to 600000");
  });

  it("refuses two declared names that map to one variable (FAULTS 14)", () => {
    const e = invalid({ version: 1, secrets: { "db.url": {}, DB_URL: {} } });
    expect(e.message).toContain('"db.url" and "DB_URL" map to the same variable DB_URL');
  });

  it("refuses unsafe secret names without echoing them (FAULTS 13)", () => {
    for (const name of ["../x", "/abs", "a/b", "a\0b", "x".repeat(300)]) {
      const e = invalid({ version: 1, secrets: { [name]: {} } });
      expect(e.message).toContain("not a valid secret name");
    }
    expect(invalid({ version: 1, secrets: { ["x".repeat(300)]: {} } }).message).not.toContain("x".repeat(100));
  });
});

describe("validateConfig: credentials pasted into hush.yaml are never echoed (FAULTS 22)", () => {
  it("a token option: move it to an environment variable", () => {
    const e = invalid({ version: 1, sources: [{ type: "local", options: { token: CANARY } }, { type: "vault", options: { token: CANARY } }] });
    expect(e.message).toContain("sources[0].options.token: looks like a credential");
    expect(e.message).toContain("move it to an environment variable");
    expect(e.message).toContain("sources[1].options.token: looks like a credential");
  });

  it("a URL with a password in a known option", () => {
    const e = invalid({ version: 1, sources: [{ type: "local", options: { dir: `postgres://admin:${CANARY}@db/x` } }] });
    expect(e.message).toContain("sources[0].options.dir: holds a URL with a password");
  });

  it("a value under a declared secret", () => {
    const e = invalid({ version: 1, secrets: { openai_api_key: { value: CANARY } } });
    expect(e.message).toContain("secrets.openai_api_key.value: hush.yaml never holds values: store it with `hush set openai_api_key`");
    expect(invalid({ version: 1, secrets: { openai_api_key: CANARY } }).message).toContain("it never holds their values");
  });

  it("a top-level key that is itself a token, or holds one", () => {
    const e = invalid({ version: 1, [CANARY]: "x", OPENAI_API_KEY: CANARY });
    expect(e.message).toContain("<a key of");
    expect(e.message).toContain("OPENAI_API_KEY: looks like a credential");
  });

  it("checkConfig returns problems with their path", () => {
    const { config, problems } = checkConfig({ version: 1, sources: [{ type: "local", options: { token: CANARY } }] }, { lineOf: (p) => p.length });
    expect(config).toBeUndefined();
    expect(problems).toEqual([{ path: "sources[0].options.token", line: 4, message: expect.stringContaining("credential") }]);
    expect(JSON.stringify(problems)).not.toContain(CANARY);
  });
});

describe("formatPath", () => {
  it("formats keys and indexes", () => {
    expect(formatPath(["sources", 2, "options", "address"])).toBe("sources[2].options.address");
    expect(formatPath(["secrets", "db.url", "type"])).toBe('secrets["db.url"].type');
    expect(formatPath([])).toBe("");
  });
});

describe("audit: off", () => {
  it("is a valid mode", () => {
    expect(validateConfig({ version: 1, audit: "off" }).audit).toBe("off");
  });
});
