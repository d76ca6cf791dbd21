import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
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
    expect(Object.keys(recs[0])).toEqual(["seq", "time", "env", "secretId", "action", "outcome", "source", "version", "errorCode", "actor", "prev", "hash"]);
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
});
