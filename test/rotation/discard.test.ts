/**
 * `hush rotate NAME --discard` (discardPendingRotation): an abandoned pending version is dropped,
 * current untouched, a new rotation then starts cleanly; nothing to discard is INVALID_ARGUMENT;
 * the pending value is never revoked silently: a reminder (when the rotator can revoke) says what
 * the audit trail tells about the set step; the discard is a `rotate-discard` audit record; no
 * value in any output. On the local store and PostgreSQL; the CLI's flag checks on the local store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { discardPendingRotation } from "../../src/workflows/rotate-discard.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";
import { hushIn } from "../config/temp-project.js";
import { withSource } from "../helpers/project-source.js";

const OLD = ["old-", "discard-canary-", "7Rk"].join("");
const STAGED = ["staged-", "discard-canary-", "4Vb"].join("");
let root: string;
const admin = createAdmin();

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-rot-discard-")));
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await admin.end();
});

/** The chain's one source; postgres: a fresh schema per project (a store is tied to one key). */
const SOURCES: Record<string, () => Promise<string>> = {
  local: async () => "  - type: local\n",
  postgres: async () => {
    const schema = admin.schema();
    await migrateSchema(admin.pool, schema);
    return `  - type: postgres\n    options: { url: "${TEST_DATABASE_URL}", schema: ${schema} }\n`;
  },
};
/** A command rotator whose set writes the value to set.txt and whose revoke writes revoked.txt. */
const REVOCABLE = "    rotator: { type: command, set: 'cat > set.txt', revoke: 'cat > revoked.txt' }\n";
let count = 0;

/** A project with api_token = OLD in `kind`, hush.yaml's rotator line `rotator` (or none). */
async function project(kind: string, rotator = REVOCABLE): Promise<string> {
  const dir = join(root, `${kind}-${++count}`);
  mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n${await SOURCES[kind]!()}secrets:\n  api_token:\n${rotator}`);
  await withSource(dir, (s) => s.set!("api_token", OLD));
  return dir;
}

/** A rotation that fails at its test step: set ran (when the rotator has one), pending kept. */
async function failAtTest(dir: string, options: Record<string, string> = { set: "cat > set.txt", revoke: "cat > revoked.txt" }): Promise<string> {
  const e = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "command", options: { ...options, test: "cat > /dev/null; exit 3" } } }).catch((x: unknown) => x);
  expect((e as HushError).code).toBe("ROTATION_FAILED");
  const pending = await withSource(dir, (s) => s.getPending!("api_token"));
  expect(pending?.version).toBe(2);
  return pending!.value;
}

function auditOf(dir: string): string {
  const path = join(dir, ".secrets", "audit.dev.jsonl");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

function expectNoValue(texts: string[], values: string[]): void {
  const all = texts.join("\n");
  for (const v of values) expect(all.includes(v), "a value leaked into an output").toBe(false);
}

describe.each(Object.keys(SOURCES))("discardPendingRotation: %s", (kind) => {
  it("after a rotation that failed once set ran: drops pending, keeps current, reminds (set ran), revokes nothing; a new rotation starts cleanly", async () => {
    const dir = await project(kind);
    const pendingValue = await failAtTest(dir);
    const r = await discardPendingRotation({ cwd: dir, name: "api_token" });
    expect(r).toMatchObject({ name: "api_token", version: 2, set: "ran" });
    expect(r.reminders).toHaveLength(1);
    expect(r.reminders[0]).toContain("pending version 2");
    expect(r.reminders[0]).toContain("set ran");
    expect(existsSync(join(dir, "revoked.txt")), "the pending value was revoked silently").toBe(false);
    await withSource(dir, async (s) => {
      expect((await s.get("api_token"))?.value).toBe(OLD);
      expect(await s.getPending!("api_token")).toBeUndefined();
    });
    const audit = auditOf(dir);
    expect(audit).toMatch(/"action":"rotate-discard","outcome":"served","source":"[a-z]+","version":2,/);
    const again = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0 });
    expect(again.resumed).toBe(false);
    const now = await withSource(dir, (s) => s.get("api_token"));
    expect(now?.value).not.toBe(OLD);
    expect(now?.value).not.toBe(pendingValue);
    expectNoValue([JSON.stringify(r), auditOf(dir)], [OLD, pendingValue, now!.value]);
  });

  it("nothing to discard: INVALID_ARGUMENT, no served rotate-discard record", async () => {
    const dir = await project(kind);
    const e = await discardPendingRotation({ cwd: dir, name: "api_token" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("INVALID_ARGUMENT");
    expect((e as HushError).message).toContain("nothing to discard");
    expect(auditOf(dir)).not.toContain('"action":"rotate-discard","outcome":"served"');
  });
});

describe("discardPendingRotation: what the reminder says (local store)", () => {
  it("set did not run: a rotator without a set step failed at test", async () => {
    const dir = await project("local");
    const pendingValue = await failAtTest(dir, { revoke: "cat > revoked.txt" });
    const r = await discardPendingRotation({ cwd: dir, name: "api_token" });
    expect(r.set).toBe("did-not-run");
    expect(r.reminders[0]).toContain("set did not run");
    expectNoValue([JSON.stringify(r), auditOf(dir)], [OLD, pendingValue]);
  });

  it("unknown, not 'did not run', when a line of the trail could not be read (it may have been the set step's record)", async () => {
    const dir = await project("local");
    const pendingValue = await failAtTest(dir, { revoke: "cat > revoked.txt" });
    const log = join(dir, ".secrets", "audit.dev.jsonl");
    writeFileSync(log, readFileSync(log, "utf8") + "damaged line\n");
    const warnings: string[] = [];
    const r = await discardPendingRotation({ cwd: dir, name: "api_token", onWarning: (m) => warnings.push(m) });
    expect(r.set).toBe("unknown");
    expect(warnings.join("\n")).toMatch(/1 line of the audit trail \S+ is not a record and was skipped \(line \d+ \(12 bytes, not valid JSON\)\)/);
    expect(r.reminders[0]).toContain("whether set ran is unknown");
    expectNoValue([JSON.stringify(r), auditOf(dir)], [OLD, pendingValue]);
  });

  it("unknown: a pending version with no rotate-create record (staged outside a recorded rotation)", async () => {
    const dir = await project("local");
    await withSource(dir, (s) => s.stage!("api_token", STAGED));
    const r = await discardPendingRotation({ cwd: dir, name: "api_token" });
    expect(r).toMatchObject({ version: 2, set: "unknown" });
    expect(r.reminders[0]).toContain("unknown");
    expectNoValue([JSON.stringify(r), auditOf(dir)], [OLD, STAGED]);
  });

  it("no reminder when the rotator cannot revoke (random)", async () => {
    const dir = await project("local", "    rotator: { type: random }\n");
    await withSource(dir, (s) => s.stage!("api_token", STAGED));
    const r = await discardPendingRotation({ cwd: dir, name: "api_token" });
    expect(r.reminders).toEqual([]);
  });
});

describe("hush rotate NAME --discard", () => {
  it("refuses --resume, --due, --rotator and --grace with it; without --yes and a terminal, nothing changes", async () => {
    const dir = await project("local");
    await withSource(dir, (s) => s.stage!("api_token", STAGED));
    for (const extra of [["--resume"], ["--due"], ["--rotator", "random"], ["--grace", "0"]]) {
      const run = await hushIn(dir, ["rotate", "api_token", "--discard", "--yes", ...extra]);
      expect(run.code, extra.join(" ")).toBe(2);
      expect(run.stderr).toContain(`does not go with ${extra[0]}`);
    }
    const unconfirmed = await hushIn(dir, ["rotate", "api_token", "--discard"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("--yes");
    expect((await withSource(dir, (s) => s.getPending!("api_token")))?.version, "pending kept").toBe(2);
    expect(auditOf(dir)).not.toContain("rotate-discard");
  });

  it("--yes --json: the result with the reminder, no value; nothing to discard then exits 2", async () => {
    const dir = await project("local");
    const pendingValue = await failAtTest(dir);
    const run = await hushIn(dir, ["rotate", "api_token", "--discard", "--yes", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r).toMatchObject({ name: "api_token", version: 2, set: "ran" });
    expect(r.reminders[0]).toContain("set ran");
    const text = await hushIn(dir, ["rotate", "api_token", "--discard", "--yes"]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain("nothing to discard");
    expectNoValue([run.stdout, run.stderr, text.stdout, text.stderr, auditOf(dir)], [OLD, pendingValue]);
  });
});

