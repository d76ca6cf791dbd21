// The production set-up end to end through the CLI: init --postgres, db migrate, doctor, set/get,
// rm (soft) / restore / rm --destroy, run.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";

const admin = createAdmin();
const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-pg-cli-")));
afterAll(async () => {
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});
const env = { PATH: process.env.PATH, HOME: dir, HUSH_DATABASE_URL: TEST_DATABASE_URL };
const VALUE = "sk-CANARY-cli-pg-0123456789abcdef";

describe("hush with a postgres source", () => {
  it("init --postgres, db migrate, doctor, set, get, rm, restore, rm --destroy, run", async () => {
    const schema = admin.schema();
    const init = await runHush(["--cwd", dir, "init", "--postgres"], { env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/added the postgres source/);
    const yaml = readFileSync(join(dir, "hush.yaml"), "utf8");
    expect(yaml).toMatch(/- type: postgres\n\s+options: \{ urlEnv: HUSH_DATABASE_URL, schema: hush \}/);
    writeFileSync(join(dir, "hush.yaml"), yaml.replace("schema: hush }", `schema: ${schema} }`));

    const before = await runHush(["--cwd", dir, "doctor"], { env });
    expect(before.stdout + before.stderr).toMatch(/hush db migrate/);
    expect((await runHush(["--cwd", dir, "db", "migrate"], { env })).code).toBe(0);
    const doctor = await runHush(["--cwd", dir, "doctor"], { env });
    expect(doctor.stdout + doctor.stderr).toMatch(/postgres.*schema version 2.*read-write/);

    expect((await runHush(["--cwd", dir, "set", "api_key"], { env, stdin: VALUE })).code).toBe(0);
    expect((await runHush(["--cwd", dir, "get", "api_key"], { env })).stdout).toBe(VALUE);
    expect((await runHush(["--cwd", dir, "rm", "api_key"], { env })).code).toBe(0);
    expect((await runHush(["--cwd", dir, "get", "api_key"], { env })).code).toBe(4);
    const restored = await runHush(["--cwd", dir, "restore", "api_key"], { env });
    expect(restored.stderr).toMatch(/restored api_key in postgres/);
    expect((await runHush(["--cwd", dir, "get", "api_key"], { env })).stdout).toBe(VALUE);

    const run = await runHush(["--cwd", dir, "run", "--", process.execPath, "-e", "process.stdout.write(String(process.env.API_KEY === process.argv[1]))", VALUE], { env });
    expect(run.code, run.stderr).toBe(0);

    const destroyed = await runHush(["--cwd", dir, "rm", "--destroy", "api_key"], { env });
    expect(destroyed.stderr).toMatch(/destroyed api_key/);
    expect((await runHush(["--cwd", dir, "restore", "api_key"], { env })).code).toBe(4);
    const rows = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".versions`);
    expect(rows.rows[0].n).toBe(0);
    for (const r of [init, before, doctor, restored, destroyed]) expect(r.stdout + r.stderr).not.toContain("CANARY");
  });
});
