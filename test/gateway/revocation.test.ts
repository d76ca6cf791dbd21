/**
 * The kill-switch file as a running gateway sees it (watchRevocations): one stat per request,
 * the file read again whenever its inode, size or times change, so a change made by another
 * process counts at the next request, even one that keeps the file's size and inode; an
 * unreadable file refuses (throws), never reads as "nothing revoked".
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { changeRevocation, revocationPath, watchRevocations } from "../../src/gateway/revocation.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-revocation-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("watchRevocations", () => {
  it("follows the file: absent, revoked, unrevoked, removed", async () => {
    const state = watchRevocations(revocationPath(dir));
    expect(state.isRevoked("openai")).toBe(false);
    await changeRevocation(dir, "openai", true);
    expect(state.isRevoked("openai")).toBe(true);
    expect(state.isRevoked("anthropic")).toBe(false);
    await changeRevocation(dir, "openai", false);
    expect(state.isRevoked("openai")).toBe(false);
    await changeRevocation(dir, "openai", true);
    rmSync(revocationPath(dir));
    expect(state.isRevoked("openai")).toBe(false);
  });

  it("sees a rewrite in place that keeps the size and the inode (by its times)", () => {
    const path = revocationPath(dir);
    writeFileSync(path, JSON.stringify({ revoked: ["aaaa"] }), { mode: 0o600 });
    const state = watchRevocations(path);
    expect(state.isRevoked("aaaa")).toBe(true);
    const before = statSync(path);
    writeFileSync(path, JSON.stringify({ revoked: ["bbbb"] })); // same length, same inode
    // File times can be coarser than two writes apart: set one that differs for sure.
    utimesSync(path, before.atime, new Date(before.mtimeMs + 5_000));
    expect(statSync(path).ino).toBe(before.ino);
    expect(statSync(path).size).toBe(before.size);
    expect(state.isRevoked("aaaa")).toBe(false);
    expect(state.isRevoked("bbbb")).toBe(true);
  });

  it("throws READ_FAILED for a file it cannot parse, without quoting it, and recovers once it is fixed", () => {
    const path = revocationPath(dir);
    const state = watchRevocations(path);
    writeFileSync(path, "{ not json: sk-secret-looking-text", { mode: 0o600 });
    let caught: unknown;
    try {
      state.isRevoked("openai");
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: "READ_FAILED" });
    expect(String((caught as Error).message)).not.toContain("sk-secret-looking-text");
    // Still unreadable: still refused (the failed read is not remembered as a good one).
    expect(() => state.isRevoked("openai")).toThrow();
    writeFileSync(path, JSON.stringify({ revoked: [] }));
    expect(state.isRevoked("openai")).toBe(false);
  });
});
