import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import type { AuditEntry } from "../../src/audit/record.js";
import { createAuditor } from "../../src/audit/auditor.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { hashRecord, GENESIS_HASH } from "../../src/audit/record.js";
import { secretIdOf } from "../../src/audit/secret-id.js";
import { event, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("JSONL sink", () => {
  it("writes chained records, mode 0600, under umask 000", async () => {
    const old = process.umask(0);
    try {
      const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev" });
      for (let i = 0; i < 5; i++) a.record(event(`key_${i}`));
      await a.close();
    } finally {
      process.umask(old);
    }
    expect(statSync(p.logPath).mode & 0o777).toBe(0o600);
    expect(statSync(p.logPath.replace(/\.jsonl$/, ".head")).mode & 0o777).toBe(0o600);
    const recs = lines(p.logPath);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(recs[0].prev).toBe(GENESIS_HASH);
    for (let i = 0; i < recs.length; i++) {
      expect(hashRecord(recs[i])).toBe(recs[i].hash);
      if (i > 0) expect(recs[i].prev).toBe(recs[i - 1].hash);
    }
    expect(Object.keys(recs[0])).toEqual(["v", "seq", "prev", "time", "env", "secretId", "action", "outcome", "source", "version", "errorCode", "actor", "hash"]);
    // v2: the hash is SHA-256 of the line's bytes before `,"hash":"`.
    const raw = readFileSync(p.logPath, "utf8").split("\n")[0]!;
    expect(createHash("sha256").update(raw.slice(0, raw.indexOf(',"hash":"'))).digest("hex")).toBe(recs[0].hash);
    expect(recs[0].secretId).toBe(secretIdOf(p.keys.idKey, "key_0"));
    expect((await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).ok).toBe(true);
  });

  it("continues the chain across auditors (new processes) and names ids the same way for both name forms", async () => {
    for (let round = 0; round < 3; round++) {
      const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev", mode: round === 1 ? "required" : "best-effort" });
      await a.record(event("OPENAI_API_KEY"));
      a.record(event("openai_api_key"));
      await a.close();
    }
    const recs = lines(p.logPath);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(recs.map((r) => r.secretId)).size).toBe(1);
    const v = await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
    expect(v).toMatchObject({ ok: true, records: 6, lastSeq: 6 });
  });

  it("seals a log that ends in a partial line and chains from its last complete record", async () => {
    const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev" });
    a.record(event("a"));
    a.record(event("b"));
    await a.flush();
    const text = readFileSync(p.logPath, "utf8");
    writeFileSync(p.logPath, text + text.split("\n")[1]!.slice(0, 40));
    a.record(event("c"));
    await a.close();
    const all = readFileSync(p.logPath, "utf8").split("\n");
    expect(JSON.parse(all[3]!).seq).toBe(3);
    expect(JSON.parse(all[3]!).prev).toBe(JSON.parse(all[1]!).hash);
    const v = await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ kind: "malformed", line: 3 })]);
  });

  it("writes the start marker once, before the first record, and never rewrites it", async () => {
    const sink = createJsonlSink({ path: p.logPath, environment: "dev", anchorKey: p.keys.anchorKey });
    expect(existsSync(sink.anchorPath)).toBe(false);
    await sink.append([entry()], { durable: true, nameOf: () => undefined });
    const marker = p.logPath.replace(/\.jsonl$/, ".start");
    const first = readFileSync(marker, "utf8");
    expect(JSON.parse(first)).toMatchObject({ v: 1, env: "dev", id: expect.stringMatching(/^[0-9a-f]{32}$/), mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(marker).mode & 0o777).toBe(0o600);
    await sink.append([entry(), entry()], { durable: false, nameOf: () => undefined });
    expect(readFileSync(marker, "utf8")).toBe(first);
    expect(JSON.parse(readFileSync(sink.anchorPath, "utf8"))).toMatchObject({ v: 2, start: JSON.parse(first).id, seq: 3, records: 3 });
    expect(JSON.parse(readFileSync(sink.anchorPath, "utf8")).pending).toBeUndefined();
  });

  it("an anchor that cannot be read or written stops the append before any record is written", async () => {
    const sink = createJsonlSink({ path: p.logPath, environment: "dev", anchorKey: p.keys.anchorKey });
    await sink.append([entry()], { durable: false, nameOf: () => undefined });
    const before = readFileSync(p.logPath, "utf8");
    rmSync(sink.anchorPath);
    mkdirSync(sink.anchorPath);
    await expect(sink.append([entry()], { durable: false, nameOf: () => undefined })).rejects.toMatchObject({ code: "READ_FAILED" });
    expect(readFileSync(p.logPath, "utf8")).toBe(before);
  });
});

describe("JSONL sink: a new chain whose first anchor cannot be written", () => {
  it("is not started: no start marker is left behind to read as a deleted log", async () => {
    const sink = createJsonlSink({ path: p.logPath, environment: "dev", anchorKey: p.keys.anchorKey });
    const marker = p.logPath.replace(/\.jsonl$/, ".start");
    symlinkSync(join(p.dir, "nowhere"), sink.anchorPath); // O_EXCL|O_NOFOLLOW refuses it
    await expect(sink.append([entry()], { durable: true, nameOf: () => undefined })).rejects.toMatchObject({ code: "WRITE_FAILED" });
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(p.logPath, "utf8")).toBe("");
    rmSync(sink.anchorPath);
    await sink.append([entry()], { durable: true, nameOf: () => undefined });
    expect(await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).toMatchObject({ ok: true, records: 1, notes: [] });
  });
});

function entry(): AuditEntry {
  return { time: "2026-03-01T10:00:00.000Z", env: "dev", secretId: "0".repeat(64), action: "read", outcome: "served", source: "local", version: 1, errorCode: null, actor: { user: "alice", host: "box", pid: 1, command: "node" } };
}
