import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";

const admin = createAdmin();
const cwd = mkdtempSync(join(tmpdir(), "hush-db-cli-"));
afterAll(async () => {
  await admin.end();
  rmSync(cwd, { recursive: true, force: true });
});
const env = { PATH: process.env.PATH, HOME: process.env.HOME, HUSH_DATABASE_URL: TEST_DATABASE_URL };

describe("hush db", () => {
  it("migrate, status, grant (printed, then applied to a real role)", async () => {
    const schema = admin.schema();
    const before = await runHush(["--cwd", cwd, "db", "status", "--schema", schema, "--json"], { env });
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ state: "missing", version: 0 });

    const migrated = await runHush(["--cwd", cwd, "db", "migrate", "--schema", schema], { env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/version 0 -> 2/); // 2: the audit table (src/audit/postgres-sink.ts)
    expect((await runHush(["--cwd", cwd, "db", "migrate", "--schema", schema], { env })).stdout).toMatch(/is current/);

    const role = await admin.role();
    const printed = await runHush(["--cwd", cwd, "db", "grant", "--schema", schema, "--role", role, "--access", "read"], { env });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}";`);
    expect((await admin.query("SELECT has_schema_privilege($1, $2, 'USAGE') AS ok", [role, schema])).rows[0].ok, "printing applies nothing").toBe(false);

    const applied = await runHush(["--cwd", cwd, "db", "grant", "--schema", schema, "--role", role, "--access", "read", "--apply"], { env });
    expect(applied.code, applied.stderr).toBe(0);
    const status = JSON.parse((await runHush(["--cwd", cwd, "db", "status", "--schema", schema, "--json"], { env })).stdout);
    expect(status).toMatchObject({ state: "current", version: 2 });
    expect(status.roles.find((r: { role: string }) => r.role === role)?.access).toBe("read");
  });

  it("refuses a bad access level, a bad role name and a URL with a password, without echoing it", async () => {
    expect((await runHush(["--cwd", cwd, "db", "grant", "--role", "x", "--access", "root"], { env })).code).toBe(2);
    expect((await runHush(["--cwd", cwd, "db", "grant", "--role", "Robert'); DROP", "--access", "read"], { env })).code).toBe(2);
    const r = await runHush(["--cwd", cwd, "db", "status", "--url", "postgres://u:CANARY-pw-123@127.0.0.1/test"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).not.toContain("CANARY");
  });

  it("an unreachable server is SOURCE_UNAVAILABLE (exit 8), never a hang", async () => {
    const r = await runHush(["--cwd", cwd, "db", "status", "--url", "postgres://postgres@127.0.0.1:1/test"], { env });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(/could not be reached/);
  });
});
