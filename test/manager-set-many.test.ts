// manager.setMany: one batch write into one source (setMany when the source has it, else one set
// per name), names checked once for the batch, one access event per name, errors carry no value.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretsManager } from "../src/manager.js";
import { createLocalSource } from "../src/sources/local.js";
import { HushError } from "../src/errors.js";
import { createMemorySource } from "./helpers/memory-source.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-setmany-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<HushError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(HushError);
  const err = e as HushError;
  expect(`${err.message} ${err.hint} ${JSON.stringify(err)}`).not.toContain("CANARY");
  return err;
}

describe("manager.setMany", () => {
  it("writes a batch into local in one store version per name, emits one served event per name", async () => {
    const m = createSecretsManager({ cwd: dir, sources: [createLocalSource({ secretsDir: join(dir, ".secrets") })], onWarning: () => undefined });
    const events: string[] = [];
    m.onAccess((e) => void events.push(`${e.action}:${e.name}:${e.outcome}:${e.version}`));
    const records = await m.setMany([["OPENAI_API_KEY", "CANARY-1"], ["db.url", "CANARY-2"]]);
    expect(records.map((r) => [r.name, r.value, r.version])).toEqual([["openai_api_key", "CANARY-1", 1], ["db.url", "CANARY-2", 1]]);
    expect(events.sort()).toEqual(["write:db.url:served:1", "write:openai_api_key:served:1"]);
    expect(await m.get("db.url")).toBe("CANARY-2");
    await m.setMany([["db.url", "CANARY-3"]]);
    expect((await m.versions("db.url")).length).toBe(2);
    await m.dispose();
  });

  it("refuses a name twice and two spellings of one variable (nothing written); a name held in another spelling is updated there, as set does", async () => {
    const m = createSecretsManager({ cwd: dir, sources: [createLocalSource({ secretsDir: join(dir, ".secrets") })], onWarning: () => undefined });
    await m.set("db.url", "CANARY-stored");
    expect((await failure(m.setMany([["a", "CANARY-a"], ["a", "CANARY-b"]]))).code).toBe("INVALID_ARGUMENT");
    expect((await failure(m.setMany([["a", "CANARY-a"], ["A", "CANARY-b"]]))).code).toBe("NAME_COLLISION");
    expect((await failure(m.setMany([["x.y", "CANARY-a"], ["x_y", "CANARY-b"]]))).code).toBe("NAME_COLLISION");
    expect((await failure(m.setMany([["fresh", 42 as unknown as string]]))).code).toBe("INVALID_VALUE");
    expect(await m.names()).toEqual(["db.url"]);
    const records = await m.setMany([["fresh", "CANARY-f"], ["DB_URL", "CANARY-c"]]);
    expect(records.map((r) => r.name)).toEqual(["fresh", "db.url"]);
    expect((await m.names()).sort()).toEqual(["db.url", "fresh"]);
    expect(await m.get("db.url")).toBe("CANARY-c");
    await m.dispose();
  });

  it("falls back to set per name; a failing write is an error event per name", async () => {
    const memory = createMemorySource("memory", {});
    const m = createSecretsManager({ cwd: dir, sources: [memory], onWarning: () => undefined });
    expect((await m.setMany([["a", "CANARY-a"], ["b", "CANARY-b"]])).map((r) => r.name)).toEqual(["a", "b"]);
    const local = createLocalSource({ secretsDir: join(dir, ".secrets") });
    const m2 = createSecretsManager({ cwd: dir, sources: [local], onWarning: () => undefined });
    const events: string[] = [];
    m2.onAccess((e) => void events.push(`${e.name}:${e.outcome}:${e.errorCode}`));
    const big = "x".repeat(1024 * 1024 + 1);
    expect((await failure(m2.setMany([["ok_one", "CANARY-ok"], ["too_big", big]]))).code).toBe("LIMIT_EXCEEDED");
    expect(events.sort()).toEqual(["ok_one:error:LIMIT_EXCEEDED", "too_big:error:LIMIT_EXCEEDED"]);
    expect(await local.get("ok_one")).toBeUndefined();
    await m.dispose();
    await m2.dispose();
  });
});
