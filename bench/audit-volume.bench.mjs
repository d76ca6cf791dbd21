// Audit volume (issue 12, "Audit volume, before it reaches the database"), in one run:
//  1. 1,000,000 cached `await hush.get()` in one process with the JSONL sink: records written
//     (goal: a few hundred) and bytes, with roll-up (60 s window) and without (window 0).
//  2. `verify` (verifyAuditLog, anchor MAC checked) over a log of RECORDS records, against the
//     floor in the same process: reading the same file in the same chunks and SHA-256 of every
//     line's bytes, nothing else (goal: >= 1,000,000 records/s on one core).
//  3. `report` (reportProjectAccess, the call behind `hush audit report`) over the same log,
//     against reading the file and counting its lines (goal: 10,000,000 records in < 10 s).
// CPU time of this process is given beside wall time (the machine is shared).
// Run: node scripts/build.mjs && taskset -c 0 node bench/audit-volume.bench.mjs   (RECORDS=10000000 by default; ~4.5 GB of temp disk)
// REUSE_DIR=<a project this bench left behind>: skip 1. and the writing of the log (RECORDS must match).
import * as crypto from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// HUSH_DIST: a copy of dist/ to import (a test run rebuilds dist/ and removes the chunks a long run still loads).
const {
  createAuditor, createEnvSource, createJsonlSink, createSecretsManager, createSecretIdMapper, deriveAuditKeys, generateFernetKey, jsonlLogPath,
  parseFernetKey, reportProjectAccess, verifyAuditLog,
} = await import(process.env.HUSH_DIST ?? "../dist/index.js");
import { printTable } from "./_measure.mjs";

const RECORDS = Number(process.env.RECORDS ?? 10_000_000);
const GETS = 1_000_000;

const reuse = process.env.REUSE_DIR;
const dir = reuse ?? mkdtempSync(join(tmpdir(), "hush-audit-volume-"));
const secretsDir = join(dir, ".secrets");
const keyText = reuse ? readFileSync(join(secretsDir, ".encryption.key"), "utf8").trim() : generateFernetKey();
if (!reuse) {
  mkdirSync(secretsDir, { mode: 0o700 });
  writeFileSync(join(secretsDir, ".encryption.key"), keyText, { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), "version: 1\nsources:\n  - type: local\n");
}
const keys = deriveAuditKeys(parseFernetKey(keyText));
const logPath = jsonlLogPath(secretsDir, "dev");
const resetLog = () => { for (const ext of [".jsonl", ".head", ".start"]) rmSync(logPath.replace(/\.jsonl$/, ext), { force: true }); };
const lineCount = () => readFileSync(logPath, "latin1").split("\n").length - 1;

function measure(fn) {
  return async () => {
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    const result = await fn();
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    const u = process.cpuUsage(c);
    return { wall, cpu: (u.user + u.system) / 1e6, result };
  };
}

// --- 1. a million cached gets ---
const names = Array.from({ length: 50 }, (_, i) => `bench_secret_${i}`);
const env = Object.fromEntries(names.map((n) => [n.toUpperCase(), `value-${n}`]));
const volume = [];
for (const windowMs of reuse ? [] : [60_000, 0]) {
  resetLog();
  const auditor = createAuditor({ secretsDir, environment: "dev", keys, rollupWindowMs: windowMs, onWarning: (m) => console.error(m) });
  const hush = createSecretsManager({ cwd: dir, secretsDir, sources: [createEnvSource({ env })], cacheTtlMs: Infinity, audit: auditor });
  const m = await measure(async () => {
    for (let i = 0; i < GETS; i++) {
      await hush.get(names[i % names.length]);
      if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
    }
    await auditor.close();
  })();
  volume.push([windowMs === 0 ? "no roll-up (window 0)" : "roll-up, 60 s window", String(lineCount()), `${(statSync(logPath).size / 1e6).toFixed(2)} MB`, m.wall.toFixed(2), m.cpu.toFixed(2)]);
  await hush.dispose();
}
if (!reuse) printTable(`1. ${GETS.toLocaleString()} cached gets of 50 secrets in one process, JSONL sink (best-effort) (node ${process.version})`,
  ["case", "records", "log size", "wall s", "CPU s"], volume);

// --- the big log: RECORDS records, a mix like a fleet's (8 processes, 50 secrets, 1 in 20 a roll-up) ---
if (!reuse) resetLog();
const ids = createSecretIdMapper(keys.idKey);
const actors = Array.from({ length: 8 }, (_, i) => ({ user: "svc", host: `host-${i % 3}`, pid: 4000 + i, command: "node agent.js" }));
const sink = createJsonlSink({ path: logPath, environment: "dev", anchorKey: keys.anchorKey });
const t0 = Date.parse("2026-11-01T00:00:00Z");
const BATCH = 100_000;
const gen = await measure(async () => {
  for (let done = 0; done < (reuse ? 0 : RECORDS); done += BATCH) {
    const batch = [];
    for (let i = done; i < Math.min(RECORDS, done + BATCH); i++) {
      const time = new Date(t0 + i * 50).toISOString();
      const e = { time, env: "dev", secretId: ids.idOf(names[i % 50]), action: i % 97 === 0 ? "write" : "read", outcome: i % 89 === 0 ? "missing" : "served", source: "local", version: 1 + (i % 7), errorCode: null, actor: actors[i % 8] };
      if (i % 20 === 0) Object.assign(e, { count: 1 + (i % 1000), last: new Date(t0 + i * 50 + 40).toISOString() });
      batch.push(e);
    }
    await sink.append(batch, { durable: false, nameOf: () => undefined });
  }
})();
const size = statSync(logPath).size;
console.log(`\nlog: ${RECORDS.toLocaleString()} records, ${(size / 1e9).toFixed(2)} GB (${Math.round(size / RECORDS)} B/record)${reuse ? " (reused)" : `; written in ${gen.wall.toFixed(1)} s`}`);

// --- 2. verify, and its floor: the same chunks, SHA-256 of each line ---
const floor = measure(() => {
  const fd = openSync(logPath, "r");
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  let have = 0, pos = 0, lines = 0, x = 0;
  for (;;) {
    const n = readSync(fd, buf, have, buf.length - have, pos);
    if (n === 0) break;
    pos += n; have += n;
    let start = 0;
    for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < have; nl = buf.indexOf(10, start)) {
      x ^= crypto.hash("sha256", buf.subarray(start, nl - 75), "buffer")[0];
      lines++; start = nl + 1;
    }
    buf.copy(buf, 0, start, have); have -= start;
  }
  closeSync(fd);
  return lines + (x & 0);
});
const lineFloor = measure(() => {
  const fd = openSync(logPath, "r");
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  let pos = 0, lines = 0;
  for (let n; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
  closeSync(fd);
  return lines;
});
const rows = [];
const f = await floor();
const v = await measure(() => verifyAuditLog(logPath, { anchorKey: keys.anchorKey }))();
if (!v.result.ok || v.result.records !== RECORDS) throw new Error(`verify: ok=${v.result.ok} records=${v.result.records} ${JSON.stringify(v.result.problems.slice(0, 3))}`);
rows.push(["floor: read + SHA-256 of each line", String(f.result), (RECORDS / f.wall / 1e6).toFixed(2), (RECORDS / f.cpu / 1e6).toFixed(2), f.wall.toFixed(2), "1.00x"]);
rows.push(["hush audit verify (verifyAuditLog, keyed)", String(v.result.records), (RECORDS / v.wall / 1e6).toFixed(2), (RECORDS / v.cpu / 1e6).toFixed(2), v.wall.toFixed(2), `${(v.cpu / f.cpu).toFixed(2)}x`]);

// --- 3. report, and its floor: read the file, count lines ---
const l = await lineFloor();
const r = await measure(() => reportProjectAccess({ cwd: dir, environment: "dev" }))();
const reads = r.result.reduce((s, row) => s + row.reads + row.writes, 0);
let expected = 0;
for (let i = 0; i < RECORDS; i++) expected += i % 20 === 0 ? 1 + (i % 1000) : 1;
if (reads !== expected) throw new Error(`report: ${reads} accesses, expected ${expected}`);
rows.push(["floor: read + count lines", String(l.result), (RECORDS / l.wall / 1e6).toFixed(2), (RECORDS / l.cpu / 1e6).toFixed(2), l.wall.toFixed(2), "1.00x"]);
rows.push(["hush audit report (reportProjectAccess)", String(RECORDS), (RECORDS / r.wall / 1e6).toFixed(2), (RECORDS / r.cpu / 1e6).toFixed(2), r.wall.toFixed(2), `${(r.cpu / l.cpu).toFixed(2)}x`]);
printTable(`2-3. verify and report over ${RECORDS.toLocaleString()} records (${accessesLabel(expected)}), one run each`,
  ["case", "records", "M records/s (wall)", "M records per CPU-s", "wall s", "CPU vs floor"], rows);
console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
rmSync(dir, { recursive: true, force: true });

function accessesLabel(n) {
  return `${n.toLocaleString()} accesses`;
}
