// Audit overhead: a cached `await hush.get()` with no audit, with the JSONL file sink
// (best-effort, batched), and with fail-closed audit (every record fsynced before the value is
// served), in one run. The audited figures include writing every record: each round ends with
// `await auditor.flush()` inside the timed section, and the last round's log is checked to hold
// exactly the records of that round, with a verifying chain.
// Roll-up of cached reads is off here (rollupWindowMs: 0): this measures the cost of one record per access; the roll-up is bench/audit-volume.bench.mjs.
// Run: node scripts/build.mjs && taskset -c 0 node bench/audit.bench.mjs
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditor, createEnvSource, createSecretsManager, deriveAuditKeys, generateFernetKey, jsonlLogPath, parseFernetKey, verifyAuditLog } from "../dist/index.js";
import { fmt, interleave, median, printTable } from "./_measure.mjs";

const N = 100_000; // accesses per round
const N_REQUIRED = 500; // fail-closed: one fsync per access (grouped only across concurrent calls)
const YIELD_EVERY = 10_000; // let I/O run, as any real program does between reads (same for every case)
const names = Array.from({ length: 50 }, (_, i) => `bench_secret_${i}`);
const env = Object.fromEntries(names.map((n) => [n.toUpperCase(), `value-${n}`]));

const dir = mkdtempSync(join(tmpdir(), "hush-audit-bench-"));
const secretsDir = join(dir, ".secrets");
mkdirSync(secretsDir, { mode: 0o700 });
const keyText = generateFernetKey();
writeFileSync(join(secretsDir, ".encryption.key"), keyText, { mode: 0o600 });
const keys = deriveAuditKeys(parseFernetKey(keyText));
const logPath = jsonlLogPath(secretsDir, "dev");
const resetLog = () => { rmSync(logPath, { force: true }); rmSync(logPath.replace(/\.jsonl$/, ".head"), { force: true }); };

const manager = (audit) => createSecretsManager({ cwd: dir, secretsDir, sources: [createEnvSource({ env })], cacheTtlMs: Infinity, audit, onWarning: (m) => { throw new Error(`unexpected warning: ${m}`); } });
const plain = manager(undefined);
const bestEffort = createAuditor({ secretsDir, environment: "dev", keys, rollupWindowMs: 0, onWarning: (m) => console.error(m) });
const audited = manager(bestEffort);
const required = createAuditor({ secretsDir, environment: "dev", keys, mode: "required", rollupWindowMs: 0, onWarning: (m) => console.error(m) });
const failClosed = manager(required);
for (const m of [plain, audited, failClosed]) for (const n of names) await m.get(n);
await bestEffort.flush();

let sink = 0;
async function loop(m, n) {
  for (let i = 0; i < n; i++) {
    sink += (await m.get(names[i % names.length])).length;
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((r) => setImmediate(r));
  }
}
// Wall-clock rates are what `interleave` reports; on a shared machine other processes take the
// core away, so CPU time of this process (user + system, pinned to one core) is recorded too.
const cpuRates = {};
const timed = (label) => async (fn, ops) => {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(c);
  (cpuRates[label] ??= []).push(ops / ((cpu.user + cpu.system) / 1e6));
  return { seconds, ops };
};

const r = await interleave({
  off: () => timed("off")(() => loop(plain, N), N),
  jsonl: async () => { resetLog(); return timed("jsonl")(async () => { await loop(audited, N); await bestEffort.flush(); }, N); },
}, { rounds: 9, warmup: 1 });

const check = await verifyAuditLog(logPath, { anchorKey: keys.anchorKey });
const size = statSync(logPath).size;
if (!check.ok || check.records !== N) throw new Error(`log check failed: ok=${check.ok} records=${check.records} (expected ${N})`);

resetLog();
const rq = await interleave({ required: () => timed("required")(() => loop(failClosed, N_REQUIRED), N_REQUIRED) }, { rounds: 3, warmup: 1 });
// The first sample of each case is its warm-up round.
const cpu = Object.fromEntries(Object.entries(cpuRates).map(([k, v]) => [k, median(v.slice(1))]));

printTable(`Cached await hush.get(), accesses per second, medians of interleaved rounds (node ${process.version}; goal: audited >= 100k/s on one core)`,
  ["case", "accesses/s (wall)", "accesses per CPU-second", "vs no audit (CPU)"],
  [
    ["no audit", fmt(r.off), fmt(cpu.off), "1.00x"],
    ["JSONL sink, best-effort (batched)", fmt(r.jsonl), fmt(cpu.jsonl), `${(cpu.jsonl / cpu.off).toFixed(3)}x`],
    ["JSONL sink, fail-closed (fsync per access)", fmt(rq.required), fmt(cpu.required), `${(cpu.required / cpu.off).toFixed(5)}x`],
  ]);
console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (${cpus().length} cores on the machine; this process pinned with taskset)`);
console.log(`\nlast best-effort round: ${check.records} records, ${(size / 1e6).toFixed(1)} MB (${Math.round(size / check.records)} B/record), chain verifies: ${check.ok}`);
await Promise.all([bestEffort.close(), required.close(), plain.dispose(), audited.dispose(), failClosed.dispose()]);
rmSync(dir, { recursive: true, force: true });
if (sink === 42) console.log("");
