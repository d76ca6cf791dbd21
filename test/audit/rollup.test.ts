/**
 * Audit volume: cached reads rolled up per window (src/audit/rollup.ts), the same totals in
 * report and review with and without roll-up, required mode (the first read of a window durable
 * before the value; the roll-up at the window's end and at exit), and process.exit.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createAuditor } from "../../src/audit/auditor.js";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { readAuditRecords } from "../../src/audit/read.js";
import { buildAccessReport, createAccessTally } from "../../src/audit/report.js";
import { forEachAuditEntry, sumAuditEntries } from "../../src/audit/read-entries.js";
import { reviewAccess } from "../../src/audit/review.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { createSecretIdMapper } from "../../src/audit/secret-id.js";
import type { AuditEntry, AuditRecord } from "../../src/audit/record.js";
import type { AuditSink } from "../../src/audit/sink.js";
import { HushError } from "../../src/errors.js";
import { createEnvSource } from "../../src/sources/env.js";
import { createSecretsManager } from "../../src/manager.js";
import { checkConfig } from "../../src/config/validate.js";
import { CANARY, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

const names = Array.from({ length: 50 }, (_, i) => `secret_${i}`);
const env = Object.fromEntries(names.map((n) => [n.toUpperCase(), `${CANARY}-${n}`]));

function manager(audit: ReturnType<typeof createAuditor>) {
  return createSecretsManager({ cwd: p.dir, secretsDir: p.secretsDir, sources: [createEnvSource({ env })], cacheTtlMs: Infinity, audit, onWarning: () => undefined });
}

async function records(path = p.logPath): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of readAuditRecords(path)) out.push(r);
  return out;
}

describe("roll-up of cached reads", () => {
  it("1,000,000 cached gets in one process write at most a few hundred records, and the report still counts every get", async () => {
    const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev", keys: p.keys });
    const hush = manager(auditor);
    for (let i = 0; i < 1_000_000; i++) {
      await hush.get(names[i % names.length]!);
      if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
    }
    await auditor.close();
    await hush.dispose();
    const recs = await records();
    expect(recs.length).toBeLessThanOrEqual(300);
    expect(recs.length).toBe(100); // per secret: the uncached read, and one roll-up of the window
    const rollups = recs.filter((r) => r.count !== undefined);
    expect(rollups).toHaveLength(50);
    for (const r of rollups) expect(r.last! >= r.time).toBe(true);
    const report = await buildAccessReport(recs);
    expect(report.reduce((n, r) => n + r.served, 0)).toBe(1_000_000);
    expect((await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).ok).toBe(true);
    expect(readFileSync(p.logPath, "utf8")).not.toContain(CANARY);
  }, 120_000);

  it("the same workload gives the same report and review totals with and without roll-up", async () => {
    const run = async (rollupWindowMs: number, logName: string) => {
      const path = join(p.secretsDir, logName);
      const auditor = createAuditor({ environment: "dev", keys: p.keys, rollupWindowMs, sinks: [createJsonlSink({ path, environment: "dev", anchorKey: p.keys.anchorKey })] });
      const hush = manager(auditor);
      for (let i = 0; i < 3_000; i++) {
        await hush.get(names[i % 20]!);
        if (i % 100 === 0) await hush.get(`absent_${i % 3}`); // missing: never cached, one record each
      }
      await hush.resolve(names.slice(0, 10)); // cached reads through resolve
      await auditor.close();
      await hush.dispose();
      return records(path);
    };
    const plain = await run(0, "audit.plain.jsonl");
    const rolled = await run(60_000, "audit.rolled.jsonl");
    expect(plain.length).toBe(3_000 + 30 + 10);
    expect(rolled.length).toBeLessThan(100);
    const strip = (rows: Awaited<ReturnType<typeof buildAccessReport>>) => rows.map(({ firstAccess: _f, lastAccess: _l, ...rest }) => rest);
    expect(strip(await buildAccessReport(rolled))).toEqual(strip(await buildAccessReport(plain)));
    // The fast readers of `hush audit report` and `review` agree with parsing every line.
    for (const logName of ["audit.plain.jsonl", "audit.rolled.jsonl"]) {
      const path = join(p.secretsDir, logName);
      const tally = createAccessTally();
      for (const sum of await sumAuditEntries(path)) tally.add(sum);
      expect(tally.rows()).toEqual(await buildAccessReport(readAuditRecords(path)));
      const since = (await records(path))[40]!.time;
      const later = createAccessTally();
      for (const sum of await sumAuditEntries(path, since)) later.add(sum);
      expect(later.rows()).toEqual(await buildAccessReport((await records(path)).filter((r) => (r.last ?? r.time) >= since)));
      const visited: AuditEntry[] = [];
      await forEachAuditEntry(path, (e) => visited.push(e));
      expect(visited.map((e) => [e.time, e.secretId, e.count, e.last])).toEqual((await records(path)).map((r) => [r.time, r.secretId, r.count, r.last]));
    }
    const ids = createSecretIdMapper(p.keys.idKey);
    const review = async (recs: AuditRecord[]) => {
      const { window: _w, ...rest } = await reviewAccess({ records: recs, secrets: names, idOf: ids.idOf });
      return rest;
    };
    const [a, b] = [await review(rolled), await review(plain)];
    expect(a.actors).not.toEqual({});
    expect(a).toEqual(b);
  }, 60_000);

  it("starts a new roll-up per window", async () => {
    const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev", keys: p.keys, rollupWindowMs: 30 });
    const hush = manager(auditor);
    await hush.get("secret_1");
    for (let w = 0; w < 3; w++) {
      for (let i = 0; i < 10; i++) await hush.get("secret_1");
      await new Promise((r) => setTimeout(r, 80));
    }
    await auditor.close();
    await hush.dispose();
    const counts = (await records()).map((r) => r.count ?? 1);
    expect(counts).toEqual([1, 10, 10, 10]);
  });
});

/** A persistent sink that keeps entries in memory and can be told to fail. */
function memorySink(): AuditSink & { entries: { entry: AuditEntry; durable: boolean }[]; failing: boolean } {
  const sink = {
    name: "memory",
    persistent: true,
    entries: [] as { entry: AuditEntry; durable: boolean }[],
    failing: false,
    async append(entries: readonly AuditEntry[], context: { durable: boolean }) {
      if (sink.failing) throw new HushError("WRITE_FAILED", "the memory sink is failing (test)");
      for (const entry of entries) sink.entries.push({ entry, durable: context.durable });
    },
  };
  return sink;
}

describe("roll-up under audit: required", () => {
  it("makes the first cached read of a window durable before its value, then counts the rest and writes them durably at the window's end", async () => {
    const sink = memorySink();
    const auditor = createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [sink], rollupWindowMs: 60_000 });
    const hush = manager(auditor);
    await hush.get("secret_1"); // uncached: one durable record
    expect(sink.entries).toHaveLength(1);
    await hush.get("secret_1"); // first cached read of the window: durable before it returns
    expect(sink.entries).toHaveLength(2);
    expect(sink.entries[1]!.durable).toBe(true);
    expect(sink.entries[1]!.entry.count).toBeUndefined();
    for (let i = 0; i < 500; i++) await hush.get("secret_1");
    expect(sink.entries).toHaveLength(2); // counted, not written
    await auditor.flush(); // the window's end
    expect(sink.entries).toHaveLength(3);
    expect(sink.entries[2]).toMatchObject({ durable: true, entry: { count: 500 } });
    await auditor.close();
    await hush.dispose();
  });

  it("denies a cached read whose window's first record cannot be written, and leaks no value", async () => {
    const sink = memorySink();
    const auditor = createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [sink], rollupWindowMs: 60_000, onWarning: () => undefined });
    const hush = manager(auditor);
    await hush.get("secret_2");
    sink.failing = true;
    const e = await hush.get("secret_2").then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("AUDIT_FAILED");
    for (const text of [String(e), JSON.stringify(e), (e as HushError).message, (e as HushError).hint ?? ""]) expect(text).not.toContain(CANARY);
    // Not recorded, so not counted: the next read tries again, and is served once the sink works.
    sink.failing = false;
    expect(await hush.get("secret_2")).toBe(`${CANARY}-secret_2`);
    await auditor.close();
    expect(sink.entries.map((x) => x.entry.count ?? 1)).toEqual([1, 1]);
    await hush.dispose();
  });
});

describe("roll-ups and queued records at process.exit", () => {
  it("writes them synchronously when the process ends with process.exit(), in both modes", async () => {
    const script = join(p.dir, "exit-child.mjs");
    await build({ entryPoints: [fileURLToPath(new URL("./exit-child.ts", import.meta.url))], outfile: script, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning" });
    for (const mode of ["best-effort", "required"]) {
      const r = spawnSync(process.execPath, [script, p.secretsDir, mode, "2000"], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain(CANARY);
    }
    const recs = await records();
    const served = (await buildAccessReport(recs)).reduce((n, r) => n + r.served, 0);
    expect(served).toBe(2 * 2001); // each child: one uncached read and 2000 cached
    expect(recs.length).toBeLessThanOrEqual(5); // best-effort: 2; required: 3 (the first cached read on its own)
    expect((await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).ok).toBe(true);
  }, 60_000);
});

describe("hush.yaml audit settings", () => {
  it("reads `audit:` as a mode or a mapping with the roll-up window", () => {
    expect(checkConfig({ version: 1, audit: "required" }).config).toMatchObject({ audit: "required" });
    const c = checkConfig({ version: 1, audit: { mode: "required", rollupWindow: "5m" } });
    expect(c.problems).toEqual([]);
    expect(c.config).toMatchObject({ audit: "required", auditSettings: { rollupWindowMs: 300_000 } });
    expect(checkConfig({ version: 1, audit: { rollupWindow: 0 } }).config?.auditSettings).toEqual({ rollupWindowMs: 0 });
    const bad = checkConfig({ version: 1, audit: { mode: "sometimes", rollupWindow: "soon", extra: 1 } });
    expect(bad.problems.map((x) => x.path).sort()).toEqual(["audit.extra", "audit.mode", "audit.rollupWindow"]);
  });
});
