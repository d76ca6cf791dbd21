/**
 * verify's fast pass (src/audit/verify-fast.ts): it accepts what the sink writes, gives up on
 * anything else so that the full pass reports it, reads v1 lines of an older hush, and is not
 * fooled by an append replaced with a self-consistent forgery.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { chainEntryV1, encodeRecord, formatRecordLine, GENESIS_HASH, type AuditEntry, type AuditRecord } from "../../src/audit/record.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { checkWholeChain } from "../../src/audit/verify-fast.js";
import { makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

const entry = (i: number, user = "alice"): AuditEntry => ({
  time: `2026-03-01T10:00:0${i % 10}.000Z`, env: "dev", secretId: "ab".repeat(32), action: "read", outcome: "served", source: "local", version: 1, errorCode: null,
  actor: { user, host: "box", pid: 4242, command: "node agent.js" },
});
const ctx = { durable: false, nameOf: () => undefined };

/** Three appends of three records each. */
async function threeAppends(): Promise<string[]> {
  const sink = createJsonlSink({ path: p.logPath, environment: "dev", anchorKey: p.keys.anchorKey });
  for (let a = 0; a < 3; a++) await sink.append([entry(3 * a), entry(3 * a + 1), entry(3 * a + 2)], ctx);
  return readFileSync(p.logPath, "utf8").split("\n").slice(0, -1);
}

describe("verify's fast pass", () => {
  it("accepts the sink's log: each append sealed on its last line", async () => {
    const lines = await threeAppends();
    const sealed = lines.map((l) => "seal" in (JSON.parse(l) as object));
    expect(sealed).toEqual([false, false, true, false, false, true, false, false, true]);
    const whole = await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set([9]));
    expect(whole).toMatchObject({ records: 9, lastSeq: 9, lines: 9 });
    expect(whole!.hashAt.get(9)).toBe((JSON.parse(lines[8]!) as AuditRecord).hash);
    expect((await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).ok).toBe(true);
  });

  it("gives up on an edited line inside an append, and the full pass reports it", async () => {
    const lines = await threeAppends();
    lines[4] = lines[4]!.replace('"user":"alice"', '"user":"alicf"');
    writeFileSync(p.logPath, lines.join("\n") + "\n");
    expect(await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set())).toBeUndefined();
    const r = await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ kind: "edited", seq: 5 }));
  });

  it("is not fooled by an append replaced with a forged one that is sealed and hashed consistently", async () => {
    const lines = await threeAppends();
    let prev = (JSON.parse(lines[2]!) as AuditRecord).hash;
    const forged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const seal = i === 2 ? createHash("sha256").update(forged.map((l) => `${l}\n`).join("")).digest("hex") : undefined;
      const { line, hash } = encodeRecord(entry(3 + i, "mallory"), 4 + i, prev, seal);
      forged.push(line);
      prev = hash;
    }
    writeFileSync(p.logPath, [...lines.slice(0, 3), ...forged, ...lines.slice(6)].join("\n") + "\n");
    expect(await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set())).toBeUndefined();
    const r = await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ kind: "edited", seq: 7 }));
  });

  it("reads v1 lines of an older hush, alone or followed by v2 appends", async () => {
    let prev = GENESIS_HASH;
    for (let i = 0; i < 4; i++) {
      const r = chainEntryV1(entry(i), i + 1, prev);
      appendFileSync(p.logPath, formatRecordLine(r) + "\n");
      prev = r.hash;
    }
    expect(await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set())).toMatchObject({ records: 4 });
    const sink = createJsonlSink({ path: p.logPath, environment: "dev", onWarning: () => undefined });
    await sink.append([entry(5), entry(6)], ctx);
    expect(await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set())).toMatchObject({ records: 6, lastSeq: 6 });
    const lines = readFileSync(p.logPath, "utf8").split("\n");
    writeFileSync(p.logPath, [lines[0], lines[1]!.replace("alice", "alicf"), ...lines.slice(2)].join("\n"));
    expect(await checkWholeChain(p.logPath, readFileSync(p.logPath).length, new Set())).toBeUndefined();
  });
});
