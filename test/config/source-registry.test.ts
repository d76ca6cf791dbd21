import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineSourceType, findSourceType, listSourceTypes, option, registerSourceType, openConfiguredManager, validateConfig, HushError, type SecretSource } from "../../src/index.js";
import { describeUnknownType } from "../../src/sources/registry.js";
import { buildSources } from "../../src/config/build-sources.js";

const CANARY = "sk-canary-1a2b3c4d5e6f7a8b9c0d";
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A source over a map, made by a descriptor as another package would write it. */
const memoType = defineSourceType({
  type: "memo",
  summary: "values from an in-memory map (tests)",
  options: {
    prefix: option.string({ description: "prepended to every name", default: "" }),
    capacity: option.integer({ min: 1, max: 100, default: 10, description: "entries kept" }),
  },
  create(options, context): SecretSource {
    const values = new Map([[`${options.prefix}greeting`, `hello from ${context.environment} (${options.capacity})`]]);
    return {
      name: "memo",
      get: async (name) => (values.has(name) ? { name, value: values.get(name)!, source: "memo" } : undefined),
      list: async () => [...values.keys()],
    };
  },
});

function register(): void {
  cleanups.push(registerSourceType(memoType));
}

function thrown(f: () => unknown): HushError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    return e as HushError;
  }
  throw new Error("expected a HushError");
}

/** The built-in types, in registry order (each production source adds one). */
const BUILT_INS = ["env", "dotenv", "local", "mallku", "postgres", "vault", "aws", "gcp", "kubernetes"];
const KNOWN = BUILT_INS.join(", ");

describe("the source registry", () => {
  it("lists the built-in types, each with a one-line summary and described options", () => {
    const types = listSourceTypes();
    expect(types.map((d) => d.type)).toEqual(["env", "dotenv", "local", "mallku", "postgres", "vault", "aws", "gcp", "kubernetes"]);
    for (const d of types) {
      expect(d.summary).toMatch(/^[^\n]+$/);
      for (const field of Object.values(d.options)) expect(field.description).toMatch(/^[^\n]+$/);
    }
    expect(findSourceType("local")?.options).toHaveProperty("maxVersions");
    expect(findSourceType("memo")).toBeUndefined();
  });

  it("a registered type is listed, validated against its schema and built with defaults filled in", async () => {
    register();
    expect(listSourceTypes().map((d) => d.type)).toEqual(["env", "dotenv", "local", "mallku", "postgres", "vault", "aws", "gcp", "kubernetes", "memo"]);
    expect(validateConfig({ version: 1, sources: [{ type: "env" }, { type: "memo", options: { prefix: "x_" } }] }).sources![1]).toEqual({ type: "memo", options: { prefix: "x_" } });
    const e = thrown(() => validateConfig({ version: 1, sources: [{ type: "env" }, { type: "memo", options: { capacity: 0, prefx: "a", token: CANARY } }] }));
    expect(e.message).toContain("sources[1].options.capacity: expected a whole number from 1 to 100.");
    expect(e.message).toContain('sources[1].options.prefx: unknown key; did you mean "prefix"? (known: prefix, capacity).');
    expect(e.message).toContain("sources[1].options.token: looks like a credential");
    expect(e.message).not.toContain(CANARY);
    const [memo] = await buildSources([{ type: "memo", options: {} }], { root: "/", secretsDir: "/x", environment: "qa", onWarning: () => undefined });
    expect(await memo!.get("greeting")).toEqual({ name: "greeting", value: "hello from qa (10)", source: "memo" });
  });

  it("keeps registered types on globalThis, so every bundle of hush in the process sees them", () => {
    register();
    const shared = (globalThis as Record<symbol, unknown>)[Symbol.for("hush.sourceTypes")] as { type: string }[];
    expect(shared.map((d) => d.type)).toEqual(["memo"]);
  });

  it("unregistering removes the type; the unknown-type error names the known types", () => {
    const unregister = registerSourceType(memoType);
    expect(describeUnknownType("consul")).toBe(`unknown source type "consul"; known types: ${KNOWN}, memo.`);
    unregister();
    unregister();
    expect(findSourceType("memo")).toBeUndefined();
    expect(thrown(() => validateConfig({ version: 1, sources: [{ type: "memo" }] })).message).toContain('sources[0].type: unknown source type "memo"; known types: env, dotenv, local, mallku, postgres, vault, aws, gcp, kubernetes.');
  });

  it("refuses a duplicate type, built-in or registered", () => {
    register();
    expect(thrown(() => registerSourceType(memoType)).message).toContain('A source type "memo" is already registered');
    const e = thrown(() => registerSourceType({ ...memoType, type: "local" }));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(listSourceTypes().filter((d) => d.type === "local")).toHaveLength(1);
  });

  it("refuses a malformed descriptor with INVALID_ARGUMENT, echoing no option value", () => {
    const cases: [unknown, string][] = [
      [null, "expected a descriptor object"],
      [{ ...memoType, type: "Memo Source" }, "`type` must be a word of lower-case letters"],
      [{ ...memoType, type: CANARY }, "`type` must be a word of lower-case letters"],
      [{ ...memoType, summary: "two\nlines" }, "needs a one-line `summary`"],
      [{ ...memoType, create: undefined }, "needs a `create(options, context)` function"],
      [{ ...memoType, options: [] }, "needs an `options` schema"],
      [{ ...memoType, options: { address: { kind: "string" } } }, 'option "address" of the memo type is not built with the option builders'],
      [{ ...memoType, options: { [CANARY]: CANARY } }, "option (a key) of the memo type"],
    ];
    for (const [descriptor, message] of cases) {
      const e = thrown(() => registerSourceType(descriptor as typeof memoType));
      expect(e.code).toBe("INVALID_ARGUMENT");
      expect(e.message).toContain(message);
      expect(e.message).not.toContain(CANARY);
    }
    expect(listSourceTypes()).toHaveLength(BUILT_INS.length);
  });
});

describe("option names are looked up as own keys", () => {
  it("`constructor` or `toString` under options is an unknown key, not a silently accepted one", () => {
    const e = thrown(() => validateConfig({ version: 1, sources: [{ type: "local", options: { constructor: 1, toString: "x" } }] }));
    expect(e.message).toContain("sources[0].options.constructor: unknown key");
    expect(e.message).toContain("sources[0].options.toString: unknown key");
  });

  it("a type hush does not know can be provided by a package; hush.yaml then names it", () => {
    cleanups.push(registerSourceType({ ...memoType, type: "infisical" }));
    expect(validateConfig({ version: 1, sources: [{ type: "infisical" }] }).sources).toEqual([{ type: "infisical", options: {} }]);
  });
});

describe("the unknown-type error never echoes a value (issue 11)", () => {
  it("echoes a plain type name; withholds a token-shaped, long or odd one", () => {
    expect(describeUnknownType("consul")).toBe('unknown source type "consul"; known types: env, dotenv, local, mallku, postgres, vault, aws, gcp, kubernetes.');
    for (const type of [CANARY, "sk-proj-a1b2c3d4e5f6g7h8i9j0", "ghp_" + "A1b2C3d4".repeat(5), "x".repeat(41), "Consul", "a b", 42]) {
      const message = describeUnknownType(type);
      expect(message).toBe("unknown source type (not shown: it does not look like a type name); known types: env, dotenv, local, mallku, postgres, vault, aws, gcp, kubernetes.");
    }
    const e = thrown(() => validateConfig({ version: 1, sources: [{ type: "sk-proj-a1b2c3d4e5f6g7h8i9j0" }] }));
    expect(e.message).not.toContain("a1b2c3d4");
  });
});

describe("openConfiguredManager with a registered type", () => {
  it("hush.yaml names it and the manager reads through it", async () => {
    register();
    const root = realpathSync(mkdtempSync(join(tmpdir(), "hush-registry-")));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, "hush.yaml"), "version: 1\nsources:\n  - type: memo\n    options: { capacity: 5 }\n  - type: env\n");
    const { manager } = await openConfiguredManager({ cwd: root, env: {}, onWarning: () => undefined });
    expect(manager.sources.map((s) => s.name)).toEqual(["memo", "env"]);
    expect(await manager.get("greeting")).toBe("hello from dev (5)");
    await manager.dispose();
  });
});
