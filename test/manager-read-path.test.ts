// The manager's read path (issue 9): the cache is keyed by the canonical name, a failed read
// walks the chain once, and `getRecord(name, { required: true })` throws after that one walk.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretsManager } from "../src/manager.js";
import { createEnvSource } from "../src/sources/env.js";
import type { AccessEvent, SecretSource } from "../src/types.js";
import { createMemorySource } from "./helpers/memory-source.js";
import { runHush } from "./helpers/cli.js";

const CANARY = "sk-CANARY-read-path-0123456789";
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A memory source that counts its `get` calls. */
function counted(initial: Record<string, string>): { source: SecretSource; gets: () => number } {
  const source = createMemorySource("local", initial);
  const get = source.get.bind(source);
  let calls = 0;
  source.get = async (n) => (calls++, get(n));
  return { source, gets: () => calls };
}

describe("the cache is keyed by the canonical name", () => {
  it("OPENAI_API_KEY after openai_api_key is one entry: the chain is walked once", async () => {
    const { source, gets } = counted({ openai_api_key: CANARY });
    const hush = createSecretsManager({ sources: [source], onWarning: () => undefined });
    expect(await hush.get("openai_api_key")).toBe(CANARY);
    expect(await hush.get("OPENAI_API_KEY")).toBe(CANARY);
    expect(await hush.getRecord("Openai_Api_Key")).toMatchObject({ value: CANARY });
    expect(hush.getCached("OPENAI_API_KEY")).toBe(CANARY);
    expect(gets()).toBe(1);
    expect(hush.accessReport()).toEqual([expect.objectContaining({ name: "openai_api_key", count: 4 })]);
  });

  it("the env-var spelling first, then the canonical one, is also one entry; getCached knows both", async () => {
    const { source, gets } = counted({ db_url: CANARY });
    const hush = createSecretsManager({ sources: [source], onWarning: () => undefined });
    expect(await hush.get("DB_URL")).toBe(CANARY);
    expect(hush.getCached("db_url")).toBe(CANARY);
    expect(await hush.resolve(["db_url", "DB_URL"])).toMatchObject({ secrets: { db_url: { value: CANARY } }, issues: [] });
    expect(gets()).toBe(1);
  });
});

describe("a failed read walks the chain once", () => {
  it("getRecord(name, { required: true }) throws NOT_FOUND after one walk and one 'missing' event", async () => {
    const { source, gets } = counted({ other: CANARY });
    const hush = createSecretsManager({ sources: [createEnvSource({ env: {} }), source], onWarning: () => undefined });
    const events: AccessEvent[] = [];
    hush.onAccess((e) => void events.push(e));
    const err = await hush.getRecord("NOTHING_HERE", { required: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("env, local") });
    expect(events.map((e) => `${e.name}:${e.outcome}`)).toEqual(["nothing_here:missing"]);
    expect(gets()).toBe(1);
    expect(await hush.getRecord("nothing_here")).toBeUndefined();
    expect(JSON.stringify(err) + String(err) + JSON.stringify(events)).not.toContain(CANARY);
  });

  it("`hush get` of a missing name writes one 'missing' record to the audit log (was two)", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-read-path-"));
    expect((await runHush(["--cwd", dir, "init"])).code).toBe(0);
    // Fail-closed: each record is on disk before the access returns, so the count is final.
    writeFileSync(join(dir, "hush.yaml"), "version: 1\naudit: required\n");
    expect((await runHush(["--cwd", dir, "set", "present"], { stdin: CANARY })).code).toBe(0);
    const r = await runHush(["--cwd", dir, "get", "absent_name"]);
    expect(r.code).toBe(4);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    const log = readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8");
    const records = log.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as { outcome?: string; action?: string });
    expect(records.filter((x) => x.action === "read" && x.outcome === "missing")).toHaveLength(1);
    expect(log).not.toContain(CANARY);
  });
});

describe("one way to list names", () => {
  it("names() lists every source's names, canonical and sorted, without reading a value; list() and resolve() use it", async () => {
    const { source, gets } = counted({ b_name: CANARY, a_name: "x" });
    const hush = createSecretsManager({ sources: [createEnvSource({ env: { C_NAME: "c" }, listAll: true }), source], onWarning: () => undefined });
    expect(await hush.names()).toEqual(["a_name", "b_name", "c_name"]);
    expect(gets()).toBe(0);
    expect(Object.keys((await hush.resolve()).secrets).sort()).toEqual(["a_name", "b_name", "c_name"]);
    expect((await hush.list()).map((l) => l.name)).toEqual(["a_name", "b_name", "c_name"]);
  });
});
