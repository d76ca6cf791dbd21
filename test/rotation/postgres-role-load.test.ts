// The postgres-role rotation under load (issue 16's goal), through hush rotate's workflow: 3 consumer processes keep querying
// PostgreSQL with credentials from hush's local store and switch through its watch; 20
// rotations, each revoking the retired role (NOLOGIN, sessions terminated) after the grace
// period. Zero failed queries. No timing threshold: the switch times are reported, not judged.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { createLocalSource } from "../../src/sources/local.js";
import { createPostgresRoleRotator } from "../../src/rotation/postgres-role.js";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { REPO_ROOT } from "../helpers/bundle.js";
import { createPostgresSource } from "../../src/sources/postgres.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { TEST_DATABASE_URL } from "../helpers/postgres.js";
// @ts-expect-error: a plain .mjs module shared with the bench
import { runRotationLoad } from "../../bench/rotation-load.mjs";

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const tag = randomBytes(4).toString("hex");
const [A, B, GROUP] = [`load_a_${tag}`, `load_b_${tag}`, `load_${tag}`];
const NAME = "database_url";
let dir: string;
const sql = async (text: string) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-rotation-load-"));
  createKeyFile(join(dir, ".secrets"), "dev");
  writeFileSync(join(dir, "hush.yaml"), "version: 1\nsources:\n  - type: local\n");
  await sql(`CREATE ROLE ${GROUP} NOLOGIN`);
  await sql(`CREATE ROLE ${A} NOLOGIN IN ROLE ${GROUP}`);
  await sql(`CREATE ROLE ${B} NOLOGIN IN ROLE ${GROUP}`);
});
// A plain name: a random hex one reads as a credential to hush.yaml's validation.
const SCHEMA = `rotation_load_${process.pid}`;
afterAll(async () => {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await c.end();
  await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ('${A}', '${B}')`);
  for (const r of [A, B, GROUP]) await sql(`DROP ROLE IF EXISTS ${r}`);
  rmSync(dir, { recursive: true, force: true });
});

it("20 rotations under load: zero failed queries, every consumer on the new role before the old one is revoked", async () => {
  const secretsDir = join(dir, ".secrets");
  const rotator = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
  const local = createLocalSource({ secretsDir });
  // The first credentials, set up as a first rotation would.
  const first = await rotator.create(undefined);
  await rotator.set!({ value: first });
  await local.set(NAME, first);
  const store = { get: async () => (await local.get(NAME))!.value, set: async (v: string) => void (await local.set(NAME, v)) };
  // Each rotation through hush rotate's workflow (pending stage, promote); its revoke is left
  // due (a long grace) and done by the driver when the 1 s grace below ends.
  const config = { type: "postgres-role", options: { users: [A, B], adminUrl: ADMIN, terminateSessions: true } };
  const rotateOnce = async (onProgress: (m: string) => void) => void (await rotateSecret({ cwd: dir, name: NAME, rotator: config, graceMs: 3_600_000, onProgress, env: { PATH: process.env.PATH } }));
  const revoker = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
  const r = await runRotationLoad({ rotator: revoker, store, secretsDir, name: NAME, distIndex: join(REPO_ROOT, "dist/index.js"), consumers: 3, rotations: 20, graceMs: 1000, pauseMs: 2, rotateOnce });
  await local.dispose();
  console.log(`rotation load: ${r.queries} queries, ${r.failed} failed, switch ms (finish -> last consumer) min ${r.switchMs[0]} median ${r.switchMs[Math.floor(r.switchMs.length / 2)]} max ${r.switchMs.at(-1)}`);
  expect(r.failures).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.notSwitchedWithinGrace).toBe(0);
  expect(r.switchMs).toHaveLength(20);
  expect(r.queries).toBeGreaterThan(100);
  expect(JSON.stringify(r)).not.toContain(new URL(first).password);
}, 120_000);

it("the same through the postgres source: consumers switch on its LISTEN", async () => {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  await migrateSchema(pool, SCHEMA);
  await pool.end();
  const pgDir = mkdtempSync(join(tmpdir(), "hush-rotation-load-pg-"));
  try {
    const secretsDir = join(pgDir, ".secrets");
    createKeyFile(secretsDir, "dev");
    writeFileSync(join(pgDir, "hush.yaml"), `version: 1\nsources:\n  - type: postgres\n    options:\n      url: ${TEST_DATABASE_URL}\n      schema: ${SCHEMA}\n`);
    const source = createPostgresSource({ url: TEST_DATABASE_URL, schema: SCHEMA, secretsDir, environment: "dev", poolSize: 2 });
    const first = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
    // Both roles from the first test: start from whichever is NOLOGIN now, as a fresh set-up would.
    const value = await first.create(undefined);
    await first.set!({ value });
    await source.set(NAME, value);
    const store = { get: async () => (await source.get(NAME))!.value, set: async (v: string) => void (await source.set(NAME, v)) };
    const config = { type: "postgres-role", options: { users: [A, B], adminUrl: ADMIN, terminateSessions: true } };
    const rotateOnce = async (onProgress: (m: string) => void) => void (await rotateSecret({ cwd: pgDir, name: NAME, rotator: config, graceMs: 3_600_000, onProgress, env: { PATH: process.env.PATH } }));
    const revoker = createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
    const postgres = { url: TEST_DATABASE_URL, schema: SCHEMA };
    const r = await runRotationLoad({ rotator: revoker, store, secretsDir, name: NAME, distIndex: join(REPO_ROOT, "dist/index.js"), consumers: 3, rotations: 20, graceMs: 1000, pauseMs: 2, rotateOnce, postgres });
    await source.dispose();
    console.log(`rotation load (postgres source, LISTEN): ${r.queries} queries, ${r.failed} failed, switch ms min ${r.switchMs[0]} median ${r.switchMs[Math.floor(r.switchMs.length / 2)]} max ${r.switchMs.at(-1)}`);
    expect(r.failures).toEqual([]);
    expect(r.notSwitchedWithinGrace).toBe(0);
    expect(r.switchMs).toHaveLength(20);
  } finally {
    rmSync(pgDir, { recursive: true, force: true });
  }
}, 120_000);
