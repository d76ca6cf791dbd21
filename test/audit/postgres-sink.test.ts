/**
 * The postgres audit sink against the real server: the chain kept by the database, append-only
 * for a real role and for the table's owner (unless hush.audit_maintenance is on), `audit:
 * required` against it (no durable record, no value), and two processes reported together.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import pg from "pg";
import { createPostgresAuditSink } from "../../src/audit/postgres-sink.js";
import { encodeRecord, type AuditEntry } from "../../src/audit/record.js";
import { openConfiguredManager } from "../../src/config/open.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { createUnreadableTally, describeUnreadableLines, reportProjectAccess, verifyProjectAuditLog, readProjectAuditLog } from "../../src/index.js";
import { grantStatements } from "../../src/sources/postgres/admin.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, randomName, TEST_DATABASE_URL, urlAs } from "../helpers/postgres.js";
import { expectFailure } from "../sources/postgres/fixture.js";
import { CANARY } from "./helpers.js";

const admin = createAdmin();
const schema = admin.schema();
const dirs: string[] = [];
beforeAll(() => migrateSchema(admin.pool, schema));
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await admin.end();
});

const entry = (i: number): AuditEntry => ({
  time: new Date(Date.UTC(2026, 10, 29, 10, 0, i)).toISOString(), env: "x", secretId: "cd".repeat(32), action: "read", outcome: "served", source: "env", version: null, errorCode: null,
  actor: { user: "svc", host: "box", pid: 7, command: "node agent.js" },
});
const ctx = { durable: true, nameOf: () => undefined };
const database = new URL(TEST_DATABASE_URL).pathname.slice(1);

async function as(role: string, text: string, values?: unknown[]): Promise<unknown> {
  const c = new pg.Client({ connectionString: urlAs(role) });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe("the postgres audit sink", () => {
  it("appends chained records per environment, reads them back and verifies them", async () => {
    const sink = createPostgresAuditSink({ url: TEST_DATABASE_URL, schema, environment: "chain" });
    await sink.append([entry(1), entry(2)], ctx);
    await sink.append([entry(3)], ctx);
    const other = createPostgresAuditSink({ url: TEST_DATABASE_URL, schema, environment: "other" });
    await other.append([entry(4)], ctx);
    const read = [];
    for await (const r of sink.read!()) read.push(r);
    expect(read.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(read[1]!.prev).toBe(read[0]!.hash);
    expect(await sink.verify()).toMatchObject({ ok: true, records: 3, lastSeq: 3 });
    // Edited under maintenance (the only way): verify names the record.
    await admin.query(`BEGIN; SET LOCAL hush.audit_maintenance = 'on'; UPDATE "${schema}".audit SET line = replace(line, '"user":"svc"', '"user":"eve"') WHERE environment = 'chain' AND seq = 2; COMMIT;`);
    const v = await sink.verify();
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual(expect.objectContaining({ kind: "edited", seq: 2 }));
    // A row that is no longer a record: readers count it by seq, never quote it.
    await admin.query(`BEGIN; SET LOCAL hush.audit_maintenance = 'on'; UPDATE "${schema}".audit SET line = '{"junk":"${CANARY}"}' WHERE environment = 'chain' AND seq = 3; COMMIT;`);
    const unreadable = createUnreadableTally("row");
    const left = [];
    for await (const r of sink.read!(unreadable)) left.push(r.seq);
    expect(left).toEqual([1, 2]);
    expect(unreadable.result()).toEqual({ unit: "row", count: 1, lines: [{ line: 3, bytes: Buffer.byteLength(`{"junk":"${CANARY}"}`), problem: "not an audit record (edited)" }], tornLastLine: null });
    expect(describeUnreadableLines(unreadable.result()!, "postgres audit sink")).toMatch(/^1 row of the audit trail postgres audit sink is not a record and was skipped \(row 3 \(/);
    expect(JSON.stringify(unreadable.result())).not.toContain(CANARY);
    await Promise.all([sink.close!(), other.close!()]);
  });

  it("the database refuses a record that does not follow the chain, from any role", async () => {
    const { line, hash } = encodeRecord(entry(9), 5, "ab".repeat(32));
    const e = await admin.query(`INSERT INTO "${schema}".audit (environment, seq, time, secret_id, line, prev, hash) VALUES ('chain', 5, $1, $2, $3, $4, $5)`, [entry(9).time, entry(9).secretId, line, "ab".repeat(32), hash]).then(() => undefined, (x: { code?: string }) => x);
    expect(e?.code).toBe("P0H01");
  });

  it("is append-only for a reader (revoked) and for the owner (the trigger), unless hush.audit_maintenance is on", async () => {
    const owner = await admin.role("hush_owner");
    await admin.query(`GRANT CREATE ON DATABASE "${database}" TO "${owner}"`);
    const ownSchema = admin.schema();
    const ownerPool = new pg.Pool({ connectionString: urlAs(owner), max: 2 });
    await migrateSchema(ownerPool, ownSchema);
    await ownerPool.end();
    const reader = await admin.role("hush_reader");
    for (const sql of grantStatements(ownSchema, reader, "read")) await as(owner, sql);
    // A reader appends through the sink (INSERT is granted), and can change nothing.
    const asReader = createPostgresAuditSink({ url: urlAs(reader), schema: ownSchema, environment: "prod" });
    await asReader.append([entry(1), entry(2), entry(3)], ctx);
    for (const sql of [`UPDATE "${ownSchema}".audit SET hash = hash`, `DELETE FROM "${ownSchema}".audit`, `TRUNCATE "${ownSchema}".audit`]) {
      const e = await as(reader, sql).then(() => undefined, (x: { code?: string }) => x);
      expect(e?.code, sql).toBe("42501");
    }
    // The owner: revoked at creation; granted again, the trigger still refuses.
    expect(await as(owner, `DELETE FROM "${ownSchema}".audit`).then(() => undefined, (x: { code?: string }) => x.code)).toBe("42501");
    await as(owner, `GRANT UPDATE, DELETE, TRUNCATE ON "${ownSchema}".audit TO "${owner}"`);
    for (const sql of [`UPDATE "${ownSchema}".audit SET hash = hash`, `DELETE FROM "${ownSchema}".audit WHERE seq = 2`, `TRUNCATE "${ownSchema}".audit`]) {
      const e = await as(owner, sql).then(() => undefined, (x: { code?: string }) => x);
      expect(e?.code, sql).toBe("P0H03");
    }
    expect(await asReader.verify()).toMatchObject({ ok: true, records: 3 });
    await as(owner, `BEGIN; SET LOCAL hush.audit_maintenance = 'on'; DELETE FROM "${ownSchema}".audit WHERE seq = 2; COMMIT;`);
    const v = await asReader.verify();
    expect(v.problems).toContainEqual(expect.objectContaining({ kind: "deleted", seq: 3 }));
    await asReader.close!();
  });
});

/** A project whose chain is env then postgres, with the audit trail in PostgreSQL. */
function project(url: string, mode: "required" | "best-effort"): string {
  const dir = mkdtempSync(join(tmpdir(), "hush-pg-audit-"));
  dirs.push(dir);
  const environment = randomName("env"); // one chain per project (each has its own key)
  createKeyFile(join(dir, ".secrets"), environment);
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nenvironment: ${environment}\naudit:\n  mode: ${mode}\n  sinks: [postgres]\nsources:\n  - type: env\n  - type: postgres\n    options: { url: "${url}", schema: ${schema} }\nsecrets:\n  secret_0: {}\n  secret_1: {}\n  secret_2: {}\n`);
  return dir;
}
const env = { SECRET_0: `${CANARY}-0`, SECRET_1: `${CANARY}-1`, SECRET_2: `${CANARY}-2` };

describe("audit: required against PostgreSQL", () => {
  it("serves a value only once its record is committed, and none when it cannot be", async () => {
    const dir = project(TEST_DATABASE_URL, "required");
    const { manager } = await openConfiguredManager({ cwd: dir, env });
    expect(await manager.get("secret_0")).toBe(`${CANARY}-0`);
    await manager.dispose();
    const log = [];
    for await (const r of readProjectAuditLog({ cwd: dir, env, onWarning: () => undefined })) log.push(r);
    expect(log).toMatchObject([{ name: "secret_0", action: "read", outcome: "served", source: "env" }]);
    // A role that may not insert into the audit table: no durable record, no value.
    const mute = await admin.role("hush_mute");
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${mute}"; GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO "${mute}"`);
    const denied = project(urlAs(mute), "required");
    const opened = await openConfiguredManager({ cwd: denied, env, onWarning: () => undefined });
    await expectFailure(opened.manager.get("secret_1"), "AUDIT_FAILED", [`${CANARY}-1`]);
    await opened.manager.dispose();
  });

  it("reports every instance together: two processes, one trail", async () => {
    const dir = project(TEST_DATABASE_URL, "best-effort");
    const child = join(dir, "pg-child.mjs");
    await build({ entryPoints: [fileURLToPath(new URL("./pg-child.ts", import.meta.url))], outfile: child, bundle: true, format: "esm", platform: "node", target: "node20", external: ["pg-native"], logLevel: "error",
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
    const run = () => new Promise<number>((resolve, reject) => {
      const c = spawn(process.execPath, [child, dir, "300"], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      c.stderr.on("data", (d: Buffer) => (err += d.toString()));
      c.on("exit", (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`child exited ${code}: ${err.slice(0, 400)}`))));
    });
    const pids = await Promise.all([run(), run()]);
    const report = await reportProjectAccess({ cwd: dir, env, onWarning: () => undefined });
    expect(report.map((r) => r.name).sort()).toEqual(["secret_0", "secret_1", "secret_2"]);
    for (const row of report) {
      expect(row.reads).toBe(200); // 2 processes x 100 reads (1 uncached + 99 rolled up)
      expect(row.processes).toBe(2);
    }
    const log = [];
    for await (const r of readProjectAuditLog({ cwd: dir, env, onWarning: () => undefined })) log.push(r);
    expect(new Set(log.map((r) => r.actor.pid))).toEqual(new Set(pids));
    expect(log.length).toBeLessThanOrEqual(12);
    const v = await verifyProjectAuditLog({ cwd: dir, env });
    expect(v.ok).toBe(true);
    expect(v.postgres).toMatchObject({ ok: true, records: log.length });
    expect(JSON.stringify(log)).not.toContain(CANARY);
  }, 60_000);
});
