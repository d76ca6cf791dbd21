// The postgres source against raw `pg` in the same run: a cold get vs a one-row SELECT, resolve
// of 50 names vs 50 single reads, a cached get vs the local store's, and propagation of a write
// to 50 listening managers in 5 processes vs a raw NOTIFY -> LISTEN round trip.
// Also write throughput: 8 concurrent writers on distinct names and on one name, vs raw INSERTs.
// Run: npm run build && node bench/postgres.bench.mjs   (HUSH_BENCH_DATABASE_URL, default the `test` database;
// HUSH_BENCH_ONLY=writes runs only the write section)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createLocalSource, createPostgresSource, createSecretsManager, generateFernetKey, migrateDatabase, parseFernetKey } from "../dist/index.js";
import { fmt, interleave, median, printTable } from "./_measure.mjs";

const URL_ = process.env.HUSH_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `hush_bench_${randomBytes(4).toString("hex")}`;
const environment = "bench";
const keyText = generateFernetKey();
const key = parseFernetKey(keyText);
const admin = new pg.Pool({ connectionString: URL_, max: 2 });
const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
const ms = (x) => `${x.toFixed(3)} ms`;
const now = () => performance.now();
const dir = mkdtempSync(join(tmpdir(), "hush-pg-bench-"));

try {
  await migrateDatabase({ url: URL_, schema, cwd: dir, env: {} });
  const source = createPostgresSource({ url: URL_, schema, environment, secretsDir: dir, key, poolSize: 4 });
  const names = Array.from({ length: 50 }, (_, i) => `bench_secret_${i}`);
  await source.setMany(names.map((n) => [n, `value-${n}-${"x".repeat(40)}`]));
  const raw = new pg.Pool({ connectionString: URL_, max: 8 });
  if (process.env.HUSH_BENCH_ONLY === "writes") {
    await writeThroughput(raw);
    await Promise.all([source.dispose(), raw.end()]);
    await dropSchema();
    process.exit(0);
  }
  const row = (await admin.query(`SELECT secret_id, current_version FROM "${schema}".secrets LIMIT 1`)).rows[0];
  const rawSelect = () => raw.query(`SELECT box, wrapped_key FROM "${schema}".versions WHERE secret_id = $1 AND version = $2`, [row.secret_id, row.current_version]);

  // 1. Cold get (no cache: every call reads the database) vs a raw one-row SELECT; one sample per call, interleaved.
  const single = { raw: [], get: [] };
  for (let i = 0; i < 3000; i++) {
    const order = i % 2 ? ["raw", "get"] : ["get", "raw"];
    for (const k of order) {
      const t = now();
      if (k === "raw") await rawSelect();
      else await source.get(names[i % 50]);
      if (i >= 200) single[k].push(now() - t);
    }
  }
  // 2. resolve of 50 names: getMany (one query) vs 50 single gets vs 50 raw SELECTs.
  const many = { getMany: [], fiftyGets: [], fiftyRaw: [] };
  for (let i = 0; i < 300; i++) {
    for (const k of Object.keys(many)) {
      const t = now();
      if (k === "getMany") await source.getMany(names);
      else if (k === "fiftyGets") for (const n of names) await source.get(n);
      else for (let j = 0; j < 50; j++) await rawSelect();
      if (i >= 20) many[k].push(now() - t);
    }
  }
  printTable("Reads (loopback; medians and p99 of interleaved samples)", ["case", "median", "p99", "vs baseline"], [
    ["raw pg SELECT of one row", ms(median(single.raw)), ms(p99(single.raw)), "baseline"],
    ["postgres get (uncached, decrypt)", ms(median(single.get)), ms(p99(single.get)), `${(median(single.get) / median(single.raw)).toFixed(2)}x`],
    ["50 raw SELECTs, one by one", ms(median(many.fiftyRaw)), ms(p99(many.fiftyRaw)), "baseline"],
    ["50 postgres gets, one by one", ms(median(many.fiftyGets)), ms(p99(many.fiftyGets)), `${(median(many.fiftyGets) / median(many.fiftyRaw)).toFixed(2)}x`],
    ["postgres getMany(50): one query", ms(median(many.getMany)), ms(p99(many.getMany)), `${(median(many.getMany) / median(many.fiftyRaw)).toFixed(2)}x`],
  ]);

  // 3. Cached get: the manager's cache in front of postgres vs in front of the local store.
  const local = createLocalSource({ secretsDir: join(dir, ".secrets"), environment: "dev" });
  for (const n of names) await local.set(n, `value-${n}`);
  const viaPg = createSecretsManager({ sources: [source], cwd: dir, cacheTtlMs: 3_600_000, onWarning: () => {} });
  const viaLocal = createSecretsManager({ sources: [local], cwd: dir, cacheTtlMs: 3_600_000, onWarning: () => {} });
  for (const n of names) await Promise.all([viaPg.get(n), viaLocal.get(n)]);
  const N = 1_000_000;
  let sink = 0;
  const loop = (m) => () => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink += m.getCached(names[i % 50]).length; return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: N }; };
  const cached = await interleave({ local: loop(viaLocal), postgres: loop(viaPg) }, { rounds: 9, warmup: 2 });
  printTable(`Cached getCached, reads per second (medians of 9 interleaved rounds of ${N / 1e6}M)`, ["local store", "postgres", "postgres / local"], [[fmt(cached.local), fmt(cached.postgres), `${(cached.postgres / cached.local).toFixed(2)}`]]);
  if (sink === 42) console.log("");

  // 4. Propagation: 50 managers in 5 processes vs a raw NOTIFY -> LISTEN round trip.
  const listener = new pg.Client({ connectionString: URL_ });
  const notifier = new pg.Client({ connectionString: URL_ });
  await listener.connect();
  await notifier.connect();
  await listener.query("LISTEN hush_bench_raw");
  const rawRtt = [];
  for (let i = 0; i < 300; i++) {
    const got = new Promise((r) => listener.once("notification", () => r(now())));
    const t = now();
    await notifier.query("NOTIFY hush_bench_raw, 'x'");
    const at = await got;
    if (i >= 20) rawRtt.push(at - t);
  }
  await Promise.all([listener.end(), notifier.end()]);

  const env = { PATH: process.env.PATH, HOME: process.env.HOME, HUSH_DIST: fileURLToPath(new URL("../dist/index.js", import.meta.url)), PG_URL: URL_, PG_SCHEMA: schema, PG_ENV: environment, PG_KEY: keyText, PG_NAME: names[0], MANAGERS: "10" };
  const children = [];
  for (let i = 0; i < 5; i++) {
    const proc = spawn(process.execPath, [fileURLToPath(new URL("./pg-listener-child.mjs", import.meta.url))], { env, stdio: ["pipe", "pipe", "inherit"] });
    const child = { proc, lines: [], waiters: [] };
    createInterface({ input: proc.stdout }).on("line", (l) => { child.lines.push(l); for (const w of child.waiters.splice(0)) w(); });
    children.push(child);
  }
  const waitFor = (c, pred) => new Promise((resolve) => { const check = () => { const hit = c.lines.find(pred); if (hit) resolve(hit); else c.waiters.push(check); }; check(); });
  await Promise.all(children.map((c) => waitFor(c, (l) => l === "ready")));
  const propagation = [];
  const fromCommit = [];
  const writeTimes = [];
  for (let i = 0; i < 60; i++) {
    const value = `rotated-${i}`;
    const t0 = performance.timeOrigin + performance.now();
    await source.set(names[0], value);
    const committed = performance.timeOrigin + performance.now();
    writeTimes.push(committed - t0);
    const lines = await Promise.all(children.map((c) => waitFor(c, (l) => l.startsWith(`have ${value} `))));
    const last = Math.max(...lines.map((l) => Number(l.split(" ")[2])));
    // The measure starts at the commit: set() has returned (its COMMIT acknowledged).
    if (i >= 5) {
      propagation.push(last - t0);
      fromCommit.push(Math.max(0, last - committed));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const c of children) c.proc.stdin.end();
  printTable("Propagation (loopback): write start -> all 50 managers (5 processes x 10, one LISTEN per process) serve the new value", ["case", "median", "p99"], [
    ["raw NOTIFY -> LISTEN round trip", ms(median(rawRtt)), ms(p99(rawRtt))],
    ["postgres set() (the write itself)", ms(median(writeTimes)), ms(p99(writeTimes))],
    ["write start -> 50 managers have it", ms(median(propagation)), ms(p99(propagation))],
    ["committed write -> 50 managers have it", ms(median(fromCommit)), ms(p99(fromCommit))],
  ]);
  await Promise.all([viaPg.dispose(), viaLocal.dispose(), source.dispose(), raw.end()]);
} finally {
  await dropSchema();
}

/** 8 concurrent writers, 25 writes each, on 8 names and on one name, vs 8 raw INSERT loops; writes per second. */
async function writeThroughput(raw) {
  await raw.query(`CREATE TABLE "${schema}".raw_writes (id bigint GENERATED ALWAYS AS IDENTITY, k text, v bytea)`);
  const writers = Array.from({ length: 8 }, () => createPostgresSource({ url: URL_, schema, environment, secretsDir: dir, key, poolSize: 1 }));
  const run = async (fn) => { const t = now(); await Promise.all(writers.map((w, i) => (async () => { for (let j = 0; j < 25; j++) await fn(w, i, j); })())); return 200 / ((now() - t) / 1000); };
  const r = { raw: [], distinct: [], one: [] };
  for (let round = 0; round < 5; round++) {
    r.raw.push(await run((_w, i, j) => raw.query(`INSERT INTO "${schema}".raw_writes (k, v) VALUES ($1, $2)`, [`k${i}`, Buffer.alloc(64, j)])));
    r.distinct.push(await run((w, i, j) => w.set(`writer_${i}`, `value-${round}-${j}`)));
    r.one.push(await run((w, i, j) => w.set("contended", `value-${i}-${round}-${j}`)));
  }
  printTable("Writes per second, 8 concurrent writers x 25 writes (medians of 5 interleaved rounds)", ["raw INSERT (autocommit)", "postgres set, 8 names", "postgres set, 1 name"], [[fmt(median(r.raw)), fmt(median(r.distinct)), fmt(median(r.one))]]);
  await Promise.all(writers.map((w) => w.dispose()));
}

async function dropSchema() {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
