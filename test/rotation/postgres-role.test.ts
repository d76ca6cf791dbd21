// The postgres-role rotator against the real server (127.0.0.1:5432, trust auth for the
// superuser): the alternating roles, the stored SCRAM verifier checked against the new password
// (trust auth cannot prove a password), NOLOGIN on the retired role (enforced under trust too),
// and no password in any error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { HushError } from "../../src/errors.js";
import { createPostgresRoleRotator, postgresRoleRotatorType } from "../../src/rotation/postgres-role.js";
import { findRotatorType } from "../../src/rotation/registry.js";
import { parseCredentials } from "../../src/rotation/postgres-role/credentials.js";
import { scramMatches, scramVerifier } from "../../src/rotation/postgres-role/scram.js";
import { rotatorConformance } from "./conformance/suite.js";

const ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const tag = randomBytes(4).toString("hex");
const A = `app_a_${tag}`;
const B = `app_b_${tag}`;
const GROUP = `app_${tag}`;
const sql = async (text: string, params: unknown[] = []) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
};
const rotator = () => createPostgresRoleRotator({ users: [A, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "url", terminateSessions: true }, {});
const loginAs = async (value: string) => {
  const c = new pg.Client({ connectionString: value });
  await c.connect();
  try {
    return (await c.query("SELECT current_user AS u")).rows[0].u as string;
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  await sql(`CREATE ROLE ${GROUP} NOLOGIN`);
  await sql(`CREATE ROLE ${A} NOLOGIN IN ROLE ${GROUP}`);
  await sql(`CREATE ROLE ${B} NOLOGIN IN ROLE ${GROUP}`);
});
afterAll(async () => {
  await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ($1, $2)`, [A, B]);
  for (const r of [A, B, GROUP]) await sql(`DROP ROLE IF EXISTS ${r}`);
});

// Through `hush rotate`'s workflow on a local-store project. Its old value is not a credential
// (the suite's fixed text): the first rotation starts with role A and has no role to revoke.
const base = { users: [A, B], adminUrl: ADMIN, host: "127.0.0.1", port: 5432, database: "postgres" };
rotatorConformance({
  type: "postgres-role",
  config: () => ({ type: "postgres-role", options: base }),
  failing: (_dir, step) => {
    const healed = { type: "postgres-role", options: base };
    // create draws a password and touches no server: it fails only on a value naming a foreign
    // role, which the suite's old value is not (tested below, outside the suite).
    if (step === "create") return undefined;
    if (step === "set") return { config: { type: "postgres-role", options: { ...base, adminUrl: "postgresql://postgres@127.0.0.1:1/postgres" } }, healed };
    return { config: { type: "postgres-role", options: { ...base, testQuery: "SELECT * FROM hush_no_such_table_here" } }, healed };
  },
  afterRotation: (_dir, newValue) => expect(parseCredentials(newValue, "url")).toMatchObject({ user: A, host: "127.0.0.1", port: 5432 }),
});

describe("SCRAM-SHA-256 verifiers", () => {
  it("match PostgreSQL's own: the server's verifier of a password checks against it", async () => {
    await sql(`SET password_encryption = 'scram-sha-256'; ALTER ROLE ${A} PASSWORD 'Server1Made2This3'`);
    const [row] = await sql("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [A]);
    expect(scramMatches(row!.rolpassword as string, "Server1Made2This3")).toBe(true);
    expect(scramMatches(row!.rolpassword as string, "Server1Made2This4")).toBe(false);
    expect(scramMatches(scramVerifier("abc123XYZ"), "abc123XYZ")).toBe(true);
  });
});

describe("postgres-role rotator", () => {
  it("is registered, and alternates the roles: the old credentials keep working until revoke", async () => {
    expect(findRotatorType("postgres-role")).toBe(postgresRoleRotatorType);
    const r = rotator();
    const v1 = await r.create(undefined);
    expect(parseCredentials(v1, "url").user).toBe(A);
    await r.set!({ value: v1 });
    await r.test!({ value: v1 });
    expect(await loginAs(v1)).toBe(A);

    const r2 = rotator();
    const v2 = await r2.create(v1);
    expect(parseCredentials(v2, "url")).toMatchObject({ user: B, host: "127.0.0.1", port: 5432, database: "postgres" });
    await r2.set!({ value: v2, previous: v1 });
    await r2.test!({ value: v2, previous: v1 });
    // Grace period: both work.
    expect(await loginAs(v1)).toBe(A);
    expect(await loginAs(v2)).toBe(B);
    // The stored password is a SCRAM verifier of the new password, never the password itself.
    const [row] = await sql("SELECT rolpassword, rolcanlogin FROM pg_authid WHERE rolname = $1", [B]);
    expect(row!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(String(row!.rolpassword)).not.toContain(parseCredentials(v2, "url").password);

    await expect(r2.revoke!({ value: v2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await r2.revoke!({ value: v1 });
    const [a] = await sql("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1", [A]);
    expect(a).toEqual({ rolcanlogin: false, rolpassword: null });
    // NOLOGIN holds under trust auth too: the retired role cannot connect at all.
    await expect(loginAs(v1)).rejects.toMatchObject({ code: "28000" });
    expect(await loginAs(v2)).toBe(B);

    // The next rotation comes back to A with a new password.
    const v3 = await rotator().create(v2);
    expect(parseCredentials(v3, "url").user).toBe(A);
    expect(parseCredentials(v3, "url").password).not.toBe(parseCredentials(v1, "url").password);
  });

  it("test fails when the role does not hold the new password, and no error shows a password", async () => {
    const r = rotator();
    const value = await r.create(undefined);
    const password = parseCredentials(value, "url").password;
    const e = await r.test!({ value }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("ROTATION_FAILED");
    const shown = [String(e), JSON.stringify(e), (e as HushError).message, (e as HushError).hint ?? ""].join(" ");
    expect(shown).not.toContain(password);
  });

  it("refuses a value of another role, a missing admin connection, and a role that does not exist", async () => {
    await expect(rotator().create("postgresql://someone:pw123456@127.0.0.1:5432/postgres")).rejects.toMatchObject({ code: "INVALID_VALUE" });
    expect(() => createPostgresRoleRotator({ users: [A, B], adminUrlEnv: "NOPE_NOT_SET", format: "url", terminateSessions: false }, { env: {} })).toThrow(/NOPE_NOT_SET/);
    const ghost = createPostgresRoleRotator({ users: [`ghost_${tag}`, B], adminUrl: ADMIN, adminUrlEnv: "X", format: "json", terminateSessions: false }, {});
    const value = await ghost.create(undefined);
    const e = (await ghost.set!({ value }).catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("CONFIG_INVALID");
    expect(JSON.stringify(e) + e.message).not.toContain(JSON.parse(value).password);
  });
});
