// postgres-role rotation under load (issue 16), through `hush rotate`'s workflow (rotateSecret): CONSUMERS processes query PostgreSQL as fast as
// they can with credentials from hush's local store (switching on its watch); ROTATIONS
// rotations, each revoking the retired role (NOLOGIN, sessions terminated) after GRACE_MS.
// Prints failed queries (goal: 0) and the time from finish (the store written) until the last
// consumer switched to the new role. Needs PostgreSQL on 127.0.0.1:5432 (trust for postgres).
// Run: node scripts/build.mjs && node bench/rotation.bench.mjs   (CONSUMERS=4 ROTATIONS=20 GRACE_MS=1000)
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createLocalSource, createPostgresRoleRotator, generateFernetKey, rotateSecret } from "../dist/index.js";
import { percentile, runRotationLoad } from "./rotation-load.mjs";

const CONSUMERS = Number(process.env.CONSUMERS ?? 4);
const ROTATIONS = Number(process.env.ROTATIONS ?? 20);
const GRACE_MS = Number(process.env.GRACE_MS ?? 1000);
const ADMIN = process.env.HUSH_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const tag = randomBytes(4).toString("hex");
const [A, B, GROUP] = [`bench_a_${tag}`, `bench_b_${tag}`, `bench_${tag}`];
const sql = async (text) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
};

const dir = mkdtempSync(join(tmpdir(), "hush-rotation-bench-"));
const secretsDir = join(dir, ".secrets");
mkdirSync(secretsDir, { mode: 0o700 });
writeFileSync(join(secretsDir, ".encryption.key"), generateFernetKey(), { mode: 0o600 });
writeFileSync(join(dir, "hush.yaml"), "version: 1\nsources:\n  - type: local\n");
await sql(`CREATE ROLE ${GROUP} NOLOGIN`);
await sql(`CREATE ROLE ${A} NOLOGIN IN ROLE ${GROUP}`);
await sql(`CREATE ROLE ${B} NOLOGIN IN ROLE ${GROUP}`);
try {
  const rotator = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
  const local = createLocalSource({ secretsDir });
  const first = await rotator.create(undefined);
  await rotator.set({ value: first });
  await local.set("database_url", first);
  const store = { get: async () => (await local.get("database_url")).value, set: async (v) => void (await local.set("database_url", v)) };
  // Each rotation through hush rotate's workflow (pending, set, test, promote); its own revoke is
  // left due (long grace) and the driver revokes with a fresh rotator when GRACE_MS ends.
  const config = { type: "postgres-role", options: { users: [A, B], adminUrl: ADMIN, terminateSessions: true } };
  const rotateOnce = async (onProgress) => void (await rotateSecret({ cwd: dir, name: "database_url", rotator: config, graceMs: 3_600_000, onProgress }));
  const revoker = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
  const started = performance.now();
  const r = await runRotationLoad({ rotateOnce, rotator: revoker, store, secretsDir, name: "database_url", distIndex: fileURLToPath(new URL("../dist/index.js", import.meta.url)), consumers: CONSUMERS, rotations: ROTATIONS, graceMs: GRACE_MS });
  const seconds = (performance.now() - started) / 1000;
  await local.dispose();
  const s = r.switchMs;
  console.log(`consumers ${r.consumers}, rotations ${r.rotations}, grace ${r.graceMs} ms, ${seconds.toFixed(1)} s`);
  console.log(`queries ${r.queries} (${Math.round(r.queries / seconds)}/s), failed ${r.failed}${r.failures.length ? ` (${[...new Set(r.failures)].join(", ")})` : ""}, not switched within grace ${r.notSwitchedWithinGrace}`);
  console.log(`finish -> every consumer on the new role, ms: min ${s[0]}, median ${percentile(s, 50)}, p95 ${percentile(s, 95)}, max ${s.at(-1)}`);
} finally {
  await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ('${A}', '${B}')`);
  for (const role of [A, B, GROUP]) await sql(`DROP ROLE IF EXISTS ${role}`);
  rmSync(dir, { recursive: true, force: true });
}
