// `hush incident` in a project whose audit trail is the postgres sink (audit.sinks: [postgres]):
// the impact is read from the PostgreSQL audit table, as `hush audit report` reads it (two
// processes, roll-ups counted); with the sink down, the impact is "unknown" (not zero readers),
// the secret is still rotated, and no value appears in the output, the record or the trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { openIncident, type IncidentRecord } from "../../src/index.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { createLocalSource } from "../../src/sources/local.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { CANARY } from "../audit/helpers.js";
import { runHush } from "../helpers/cli.js";
import { createAdmin, randomName, TEST_DATABASE_URL } from "../helpers/postgres.js";

const admin = createAdmin();
const schema = admin.schema();
const dirs: string[] = [];
const VALUES = [0, 1, 2].map((i) => `${CANARY}-${i}-${randomName("v")}`);
/** Nothing listens on port 1: the connection is refused at once. */
const DOWN_URL = "postgres://postgres@127.0.0.1:1/test";
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
const noValue = (text: string) => {
  for (const v of [...VALUES, CANARY]) expect(text).not.toContain(v);
};

beforeAll(() => migrateSchema(admin.pool, schema));
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await admin.end();
});

/** A project: local store first (the values, versioned), the postgres source after it, audit to PostgreSQL only. */
async function project(url: string): Promise<{ dir: string; environment: string }> {
  const dir = mkdtempSync(join(tmpdir(), "hush-incident-pg-audit-"));
  dirs.push(dir);
  const environment = randomName("env");
  createKeyFile(join(dir, ".secrets"), environment);
  writeFileSync(
    join(dir, "hush.yaml"),
    [
      "version: 1",
      `environment: ${environment}`,
      "audit: { mode: best-effort, sinks: [postgres] }",
      "sources:",
      "  - type: local",
      "  - type: postgres",
      `    options: { url: "${url}", schema: ${schema}, connectTimeoutMs: 2000 }`,
      "secrets:",
      "  secret_0: { owner: ops, rotator: { type: random, length: 40 } }",
      "  secret_1: {}",
      "  secret_2: {}",
      "",
    ].join("\n"),
  );
  const local = createLocalSource({ secretsDir: join(dir, ".secrets"), environment });
  for (const [i, v] of VALUES.entries()) await local.set(`secret_${i}`, v);
  await local.dispose();
  return { dir, environment };
}

/** test/audit/pg-child.ts as one bundle: a process that reads secret_0..2 `count` times through one manager (cached reads roll up). */
async function childBundle(dir: string): Promise<string> {
  const out = join(dir, "pg-child.mjs");
  await build({ entryPoints: [fileURLToPath(new URL("../audit/pg-child.ts", import.meta.url))], outfile: out, bundle: true, format: "esm", platform: "node", target: "node20", external: ["pg-native"], logLevel: "error",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  return out;
}

function runChild(bundle: string, dir: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [bundle, dir, String(count)], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("exit", (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`child exited ${code}: ${err.slice(0, 400)}`))));
  });
}

describe("hush incident with the postgres audit sink", () => {
  it("lists the reader processes recorded in the PostgreSQL audit table, roll-ups counted", async () => {
    const { dir, environment } = await project(TEST_DATABASE_URL);
    const bundle = await childBundle(dir);
    // 30 reads each: secret_0 ten times per process (1 uncached + 9 rolled up).
    const pids = await Promise.all([runChild(bundle, dir, 30), runChild(bundle, dir, 30)]);
    const rows = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".audit WHERE environment = $1`, [environment]);
    expect(rows.rows[0].n).toBeGreaterThan(0);
    // The trail is in PostgreSQL only: the JSONL file has nothing to find.
    expect(existsSync(join(dir, ".secrets", `audit.${environment}.jsonl`))).toBe(false);

    const r = await openIncident({ cwd: dir, name: "secret_0", graceMs: 0, env: env(), onWarning: () => undefined });
    expect(r.impact).toMatchObject({ status: "known", trail: "postgres audit sink", error: null, version: 1, reads: 20, failedReads: 0 });
    expect(r.impact.since).toMatch(/^\d{4}-/);
    expect(r.impact.readers.map((p) => p.pid).sort()).toEqual([...pids].sort());
    for (const p of r.impact.readers) {
      expect(p).toMatchObject({ reads: 10, command: `instance ${p.pid}`, sources: ["local"] });
      expect(p.firstRead <= p.lastRead).toBe(true);
      expect(p.lastRead > p.firstRead).toBe(true); // the roll-up's `last`
    }
    expect(r.rotation).toMatchObject({ status: "rotated", compromisedVersion: 1, newVersion: 2, markedCompromised: true, markError: null });
    const marks = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".audit WHERE environment = $1 AND line LIKE '%"action":"mark-compromised"%'`, [environment]);
    expect(marks.rows[0].n).toBe(1);
    const md = readFileSync(r.files.markdown, "utf8");
    for (const pid of pids) expect(md).toContain(`| ${pid} | instance ${pid} | 10 |`);
    expect(r.done.join("\n")).toContain("Read the audit trail (postgres audit sink): 20 served reads of the compromised version by 2 processes.");
    noValue(JSON.stringify(r) + readFileSync(r.files.json, "utf8") + md);
  }, 60_000);

  it("with the sink down: impact unknown (not zero readers) with the reason, still rotated, no value anywhere", async () => {
    const { dir } = await project(DOWN_URL);
    const out = await runHush(["--cwd", dir, "incident", "secret_0", "--yes", "--grace", "0"], { env: env() });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/reads of the compromised version: UNKNOWN \(not zero\): the audit trail \(postgres audit sink\) could not be read: SOURCE_UNAVAILABLE: PostgreSQL \(127\.0\.0\.1:1\/test\)/);
    expect(out.stdout).not.toMatch(/reads of the compromised version: \d/);
    expect(out.stdout).toContain("Rotated secret_0 with the random rotator: version 2 is current.");
    // The mark-compromised record was lost with the sink: it is not claimed, and left to a person.
    expect(out.stdout).not.toContain("Marked version 1 compromised");
    expect(out.stdout).toMatch(/Could not mark version 1 compromised in the audit trail: AUDIT_FAILED: no audit sink persisted the record \(postgres: SOURCE_UNAVAILABLE/);
    expect(out.stdout).toContain("[ ] Mark version 1 compromised in the audit trail once it is back");
    noValue(out.stdout + out.stderr);

    const json = readFileSync(out.stdout.match(/and (\S+\.json) /)![1]!, "utf8");
    const record = JSON.parse(json) as IncidentRecord;
    expect(record.impact).toMatchObject({ status: "unknown", trail: "postgres audit sink", reads: null, failedReads: null, writes: null, readers: [] });
    expect(record.impact.error).toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    expect(record.rotation).toMatchObject({ status: "rotated", compromisedVersion: 1, newVersion: 2, markedCompromised: false, markError: { code: "AUDIT_FAILED" } });
    expect(record.checklist).toContainEqual(expect.objectContaining({ done: false, item: expect.stringMatching(/^Mark version 1 compromised in the audit trail once it is back/) }));
    expect(record.done.join("\n")).toMatch(/Could not read the audit trail \(postgres audit sink\): SOURCE_UNAVAILABLE: .*UNKNOWN \(not zero\)/);
    expect(record.checklist.map((c) => c.item).join("\n")).toContain("Find who read secret_0");
    const md = readFileSync(out.stdout.match(/record: (\S+\.md) /)![1]!, "utf8");
    expect(md).toContain("**Unknown**: the audit trail (postgres audit sink) could not be read: SOURCE_UNAVAILABLE");
    expect(md).not.toMatch(/served reads? by \d/);
    expect(md).not.toContain("Marked version 1");
    expect(md).toContain("- [ ] Mark version 1 compromised in the audit trail once it is back");
    const list = await runHush(["--cwd", dir, "incident", "list"], { env: env() });
    expect(list.stdout).toContain("unknown readers");
    noValue(json + md + list.stdout + list.stderr);
  }, 60_000);
});
