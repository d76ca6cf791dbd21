// `hush incident` on a secret rotated by postgres-role: the rotation goes through hush rotate's
// workflow with --grace 0, so the compromised role is revoked at once (NOLOGIN, which holds under
// the test server's trust auth too) and nothing is left to revoke by hand.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openIncident } from "../../src/index.js";
import { createLocalSource } from "../../src/sources/local.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { createPostgresRoleRotator } from "../../src/rotation/postgres-role.js";
import { parseCredentials } from "../../src/rotation/postgres-role/credentials.js";

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const tag = randomBytes(4).toString("hex");
const [A, B, GROUP] = [`inc_a_${tag}`, `inc_b_${tag}`, `inc_${tag}`];
let dir: string;
const sql = async (text: string, params: unknown[] = []) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-incident-pg-"));
  createKeyFile(join(dir, ".secrets"), "dev");
  for (const q of [`CREATE ROLE ${GROUP} NOLOGIN`, `CREATE ROLE ${A} NOLOGIN IN ROLE ${GROUP}`, `CREATE ROLE ${B} NOLOGIN IN ROLE ${GROUP}`]) await sql(q);
});
afterAll(async () => {
  await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ($1, $2)`, [A, B]);
  for (const r of [A, B, GROUP]) await sql(`DROP ROLE IF EXISTS ${r}`);
  rmSync(dir, { recursive: true, force: true });
});

it("rotates to the other role, revokes the compromised one at once, leaves nothing to revoke by hand", async () => {
  const options = { users: [A, B], adminUrl: ADMIN, host: "127.0.0.1", port: 5432, database: "postgres" };
  writeFileSync(join(dir, "hush.yaml"), ["version: 1", "secrets:", "  database_url:", "    type: database-password", "    owner: dba-team", `    rotator: ${JSON.stringify({ type: "postgres-role", ...options })}`, ""].join("\n"));
  const r0 = createPostgresRoleRotator({ ...options, adminUrlEnv: "X", format: "url", terminateSessions: false }, {});
  const compromised = await r0.create(undefined);
  await r0.set!({ value: compromised });
  const local = createLocalSource({ secretsDir: join(dir, ".secrets") });
  await local.set("database_url", compromised);

  const r = await openIncident({ cwd: dir, name: "database_url", graceMs: 0, env: { PATH: process.env.PATH } });
  expect(r.rotation).toMatchObject({ status: "rotated", rotator: "postgres-role", compromisedVersion: 1, newVersion: 2, revoke: "done", markedCompromised: true, byHand: [] });
  expect(r.checklist.slice(0, 2).every((c) => c.done)).toBe(true);
  expect(r.checklist.map((c) => c.item).join("\n")).toContain("Notify the owner named in hush.yaml: dba-team.");
  const [a] = await sql("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1", [A]);
  expect(a).toEqual({ rolcanlogin: false, rolpassword: null });
  const now = (await local.get("database_url"))!.value;
  expect(parseCredentials(now, "url").user).toBe(B);
  const password = parseCredentials(compromised, "url").password;
  for (const text of [JSON.stringify(r), readFileSync(r.files.json, "utf8"), readFileSync(r.files.markdown, "utf8"), readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8")]) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(parseCredentials(now, "url").password);
  }
  await local.dispose();
});
