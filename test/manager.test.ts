import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretsManager } from "../src/manager.js";
import { createEnvSource } from "../src/sources/env.js";
import { createDotenvSource } from "../src/sources/dotenv.js";
import { HushError } from "../src/errors.js";
import type { AccessEvent } from "../src/types.js";
import { createMemorySource } from "./helpers/memory-source.js";

const CANARY = "sk-CANARY-manager-0123456789";
let dir: string;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function chain(env: NodeJS.ProcessEnv = {}, dotenv = "", memory: Record<string, string> = {}) {
  dir = mkdtempSync(join(tmpdir(), "hush-manager-"));
  writeFileSync(join(dir, ".env"), dotenv);
  const mem = createMemorySource("local", memory);
  const sources = [createEnvSource({ env }), createDotenvSource({ cwd: dir }), mem];
  return { mem, hush: createSecretsManager({ cwd: dir, sources, onWarning: () => undefined }) };
}

describe("manager resolution", () => {
  it("walks the chain in order: first found wins, and says what it shadowed", async () => {
    const { hush } = chain({ OPENAI_API_KEY: "from-env" }, "OPENAI_API_KEY=from-dotenv\nDB_URL=dotenv-db\n", { openai_api_key: "from-local", db_url: "local-db", only_local: "x" });
    expect(await hush.get("openai_api_key")).toBe("from-env");
    expect(await hush.get("OPENAI_API_KEY")).toBe("from-env");
    expect(await hush.get("db_url")).toBe("dotenv-db");
    expect(await hush.get("only_local")).toBe("x");
    const list = await hush.list();
    expect(list.find((l) => l.name === "openai_api_key")).toMatchObject({ source: "env", shadowed: ["dotenv", "local"], envName: "OPENAI_API_KEY" });
    expect(list.find((l) => l.name === "db_url")).toMatchObject({ source: "dotenv", shadowed: ["local"] });
    const explained = await hush.explain("db_url");
    expect(explained.winner).toBe("dotenv");
    expect(explained.sources.map((s) => s.found)).toEqual([false, true, true]);
    expect(JSON.stringify(list) + JSON.stringify(explained)).not.toContain("local-db");
  });

  it("required: NOT_FOUND names the sources it looked in", async () => {
    const { hush } = chain();
    expect(await hush.get("nothing_here")).toBeUndefined();
    await expect(hush.get("nothing_here", { required: true })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("env, dotenv, local") });
  });

  it("rejects names that map to the same variable, naming both (FAULTS 14)", async () => {
    const { hush } = chain({}, "", { "db.url": "a", db_url: "b" });
    await expect(hush.list()).rejects.toThrow(/"db.url" and "db_url" -> DB_URL/);
    await expect(hush.resolve(["db.url", "DB_URL"])).rejects.toMatchObject({ code: "NAME_COLLISION" });
    // One name resolution (issue 10): `db_url` means the secret held as `db.url`, so set updates
    // it (the CLI says "stored db.url") rather than making a second name for one variable.
    const { hush: h2 } = chain({}, "", { "db.url": "a" });
    expect((await h2.set("db_url", "b")).name).toBe("db.url");
    expect(await h2.names()).toEqual(["db.url"]);
  });

  it("rejects unsafe names (FAULTS 13)", async () => {
    const { hush } = chain();
    for (const bad of ["../x", "/abs", "a/b", "nul\0", "", "x".repeat(300)]) {
      await expect(hush.get(bad)).rejects.toMatchObject({ code: "INVALID_NAME" });
      await expect(hush.set(bad, CANARY)).rejects.toMatchObject({ code: "INVALID_NAME" });
    }
  });

  it("resolve returns { secrets, issues } and never throws for a missing name", async () => {
    const { hush } = chain({ A: "1" });
    const { secrets, issues } = await hush.resolve(["a", "b"]);
    expect(secrets.a?.value).toBe("1");
    expect(issues).toEqual([expect.objectContaining({ name: "b", code: "NOT_FOUND" })]);
  });

  it("a failing source is an error, never 'not found'", async () => {
    const { hush, mem } = chain();
    mem.failWith = new HushError("ACCESS_DENIED", "denied by backend", { source: "local" });
    await expect(hush.get("x")).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    const { issues } = await hush.resolve(["x"]);
    expect(issues[0]?.code).toBe("ACCESS_DENIED");
  });
});

describe("manager.resolve for many names (one batch per source)", () => {
  it("first source wins per name, as get does; one event per name; a second resolve is served from the cache", async () => {
    const { hush, mem } = chain({ A: "env-a" }, "B=dotenv-b\n", { a: "local-a", b: "local-b", c: "local-c" });
    const events: AccessEvent[] = [];
    hush.onAccess((e) => void events.push(e));
    let calls = 0;
    const get = mem.get.bind(mem);
    mem.get = async (n) => (calls++, get(n));
    const first = await hush.resolve(["c", "b", "a", "missing", "A"]);
    expect(Object.fromEntries(Object.entries(first.secrets).map(([n, r]) => [n, `${r.source}:${r.value}`]))).toEqual({ a: "env:env-a", b: "dotenv:dotenv-b", c: "local:local-c" });
    expect(first.issues.map((i) => `${i.name}:${i.code}`)).toEqual(["missing:NOT_FOUND"]);
    expect(events.map((e) => `${e.name}:${e.outcome}`).sort()).toEqual(["a:served", "b:served", "c:served", "missing:missing"]);
    for (const name of ["a", "b", "c"]) expect(await hush.get(name)).toBe(first.secrets[name]!.value); // same as get
    const before = calls;
    await hush.resolve(["a", "b", "c"]);
    expect(calls).toBe(before); // from the cache
  });

  it("a source that fails for one name fails only that name (getMany falls back to get)", async () => {
    const { hush, mem } = chain({}, "", { good: "ok-1", bad: `${CANARY}-bad`, also_good: "ok-2" });
    const get = mem.get.bind(mem);
    mem.get = async (n) => {
      if (n === "bad") throw new HushError("STORE_CORRUPT", "the entry of bad is damaged", { source: "local" });
      return get(n);
    };
    mem.getMany = async (names) => Promise.all(names.map((n) => mem.get(n)));
    const events: AccessEvent[] = [];
    hush.onAccess((e) => void events.push(e));
    const { secrets, issues } = await hush.resolve(["good", "bad", "also_good"]);
    expect(Object.keys(secrets).sort()).toEqual(["also_good", "good"]);
    expect(issues).toEqual([{ name: "bad", code: "STORE_CORRUPT", message: "the entry of bad is damaged" }]);
    expect(events.find((e) => e.name === "bad")).toMatchObject({ outcome: "error", source: "local", errorCode: "STORE_CORRUPT" });
    expect(JSON.stringify(issues) + JSON.stringify(events)).not.toContain(CANARY);
  });

  it("an error that is not a HushError (a bug) rejects the whole resolve, as get does", async () => {
    const { hush, mem } = chain({}, "", { x: "1" });
    mem.failWith = new TypeError("boom");
    await expect(hush.resolve(["x"])).rejects.toBeInstanceOf(TypeError);
  });

  it("fail-closed audit: a name whose record cannot be kept is an AUDIT_FAILED issue; the others are served", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-manager-"));
    const audit = { mode: "required" as const, record: async (e: AccessEvent) => { if (e.name === "b") throw new Error("sink down"); } };
    const hush = createSecretsManager({ cwd: dir, sources: [createEnvSource({ env: { A: "1", B: "2" } })], audit, onWarning: () => undefined });
    const { secrets, issues } = await hush.resolve(["a", "b"]);
    expect(Object.keys(secrets)).toEqual(["a"]);
    expect(issues.map((i) => `${i.name}:${i.code}`)).toEqual(["b:AUDIT_FAILED"]);
  });
});

describe("manager cache, writes and access tracking", () => {
  it("caches, and a write through the manager invalidates", async () => {
    const { hush, mem } = chain({}, "", { k: "v1" });
    expect(await hush.get("k")).toBe("v1");
    await mem.set!("k", "behind-the-back");
    expect(await hush.get("k")).toBe("v1"); // served from cache
    await hush.set("k", "v3");
    expect(await hush.get("k")).toBe("v3");
    expect((await hush.versions("k")).map((v) => v.version)).toEqual([3, 2, 1]);
    await hush.rollback("k", 1);
    expect(await hush.get("k")).toBe("v1");
    expect(await hush.delete("k")).toBe(true);
    expect(await hush.get("k")).toBeUndefined();
  });

  it("tracks source, count, first and last access, and emits one event per access", async () => {
    const { hush } = chain({ TOKEN: CANARY });
    const events: AccessEvent[] = [];
    hush.onAccess((e) => void events.push(e));
    await hush.get("token");
    await hush.get("token");
    await hush.get("missing_one");
    await hush.set("written", CANARY);
    const report = hush.accessReport();
    expect(report.find((r) => r.name === "token")).toMatchObject({ source: "env", count: 2 });
    expect(events.map((e) => `${e.name}:${e.action}:${e.outcome}`)).toEqual(["token:read:served", "token:read:served", "missing_one:read:missing", "written:write:served"]);
    expect(events[0]!.actor.pid).toBe(process.pid);
    expect(JSON.stringify(events) + JSON.stringify(report)).not.toContain(CANARY);
  });

  it("fail-closed audit: no value without a persisted record (FAULTS 21)", async () => {
    const { mem } = chain({}, "", { k: CANARY });
    const hush = createSecretsManager({ sources: [mem], audit: { mode: "required", record: async () => { throw new Error("disk full"); } } });
    const err = await hush.get("k").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AUDIT_FAILED" });
    expect(JSON.stringify(err) + String(err)).not.toContain(CANARY);
    const warnings: string[] = [];
    const lax = createSecretsManager({ sources: [mem], onWarning: (m) => warnings.push(m), audit: { record: async () => { throw new Error("disk full"); } } });
    expect(await lax.get("k")).toBe(CANARY);
    await lax.dispose();
    expect(warnings.join()).toMatch(/best-effort/);
  });

  it("warns when a written value is shadowed by the environment", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-manager-"));
    const warnings: string[] = [];
    const hush = createSecretsManager({ cwd: dir, sources: [createEnvSource({ env: { K: "env" } }), createMemorySource("local")], onWarning: (m) => warnings.push(m) });
    await hush.set("k", CANARY);
    expect(warnings.join()).toMatch(/shadows/);
    expect(warnings.join()).not.toContain(CANARY);
  });
});

describe("manager format warnings", () => {
  it("warns, without the value, when a known provider's key does not match its format", async () => {
    const warnings: string[] = [];
    const hush = createSecretsManager({ sources: [createMemorySource("local")], onWarning: (m) => warnings.push(m) });
    await hush.set("openai_api_key", "not-an-openai-key-CANARY");
    expect(warnings.join()).toMatch(/OpenAI/);
    expect(warnings.join()).not.toContain("CANARY");
    warnings.length = 0;
    await hush.set("anthropic_api_key", `sk-ant-api03-${"a".repeat(93)}AA`);
    expect(warnings).toEqual([]);
  });
});
