/**
 * The local store's pending stage (docs/store-format.md, "Pending versions"): stage writes a
 * version without moving current, promote moves it atomically, a second stage is refused, and a
 * write in between makes promote refuse instead of rolling current back.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { HushError } from "../../src/errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-stage-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => createLocalSource({ secretsDir: join(dir, ".secrets") });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    expect(String(e) + JSON.stringify(e)).not.toContain("new-value-canary");
    return (e as HushError).code;
  }
  throw new Error("expected a HushError");
}

describe("local store: pending stage", () => {
  it("stage keeps current; promote moves pending -> current and current -> previous", async () => {
    const s = open();
    await s.set("api_key", "old");
    const staged = await s.stage("api_key", "new-value-canary");
    expect(staged.version).toBe(2);
    expect((await s.get("api_key"))?.value).toBe("old");
    expect((await s.getPending("api_key"))?.value).toBe("new-value-canary");
    expect((await s.versions("api_key")).map((v) => [v.version, v.labels])).toEqual([
      [2, ["pending"]],
      [1, ["current"]],
    ]);
    // a second process sees the same pending version
    expect((await open().getPending("api_key"))?.version).toBe(2);
    const promoted = await s.promote("api_key", 2);
    expect(promoted.value).toBe("new-value-canary");
    expect((await open().get("api_key"))?.value).toBe("new-value-canary");
    expect(await s.getPending("api_key")).toBeUndefined();
    expect((await s.versions("api_key")).map((v) => v.labels)).toEqual([["current"], ["previous"]]);
  });

  it("a second stage of the same name is refused (check-and-set), from another handle too", async () => {
    await open().set("api_key", "old");
    const [a, b] = await Promise.allSettled([open().stage("api_key", "new-value-canary-a"), open().stage("api_key", "new-value-canary-b")]);
    const outcomes = [a.status, b.status].sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    const refused = (a.status === "rejected" ? a.reason : (b as PromiseRejectedResult).reason) as HushError;
    expect(refused.code).toBe("ROTATION_IN_PROGRESS");
    expect(String(refused)).not.toContain("new-value-canary");
  });

  it("promote refuses a version that is not pending, and a value written after the stage", async () => {
    const s = open();
    await s.set("api_key", "old");
    expect(await codeOf(s.promote("api_key", 2))).toBe("ROTATION_IN_PROGRESS");
    await s.stage("api_key", "new-value-canary");
    await s.set("api_key", "someone-else");
    expect((await s.get("api_key"))?.version).toBe(3);
    expect(await codeOf(s.promote("api_key", 2))).toBe("CONCURRENT_MODIFICATION");
    expect((await s.get("api_key"))?.value).toBe("someone-else");
    expect(await s.discardPending("api_key", 2)).toBe(true);
    expect(await s.getPending("api_key")).toBeUndefined();
    expect(await s.discardPending("api_key", 2)).toBe(false);
  });

  it("only a live secret is staged (NOT_FOUND otherwise)", async () => {
    expect(await codeOf(open().stage("nothing_here", "new-value-canary"))).toBe("NOT_FOUND");
  });
});
