// `hush incident` says it marked the compromised version only when the audit record was kept:
// with the JSONL log unwritable (best-effort audit), the record, the Markdown and the output say
// the mark was not made, why (code, no value), and leave it on the checklist; the rotation still runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openIncident, type IncidentRecord } from "../../src/index.js";
import { runHush } from "../helpers/cli.js";

const NAME = "db_password";
const VALUE = `CANARY-${randomBytes(16).toString("hex")}`;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
const noValue = (text: string) => {
  expect(text).not.toContain(VALUE);
  expect(text).not.toContain("CANARY");
};
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project with one rotatable secret at version 1; `audit` is hush.yaml's audit line. */
async function project(audit: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "hush-incident-mark-"));
  dirs.push(dir);
  writeFileSync(join(dir, "hush.yaml"), ["version: 1", audit, "secrets:", `  ${NAME}: { owner: ops, rotator: { type: random, length: 40 } }`, ""].join("\n"));
  expect((await runHush(["--cwd", dir, "set", NAME], { stdin: VALUE, env: env() })).code).toBe(0);
  return dir;
}

describe("hush incident: the mark-compromised record", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project("audit: best-effort");
    // The log stays readable (the impact is known) but no append can succeed: its anchor is a folder.
    const head = join(dir, ".secrets", "audit.dev.head");
    rmSync(head);
    mkdirSync(head);
  }, 30_000);

  it("with the JSONL log unwritable: not marked, the reason, an open checklist item; still rotated; no value", async () => {
    const out = await runHush(["--cwd", dir, "incident", NAME, "--yes", "--grace", "0"], { env: env() });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Rotated ${NAME} with the random rotator: version 2 is current.`);
    expect(out.stdout).not.toContain("Marked version 1 compromised");
    expect(out.stdout).toMatch(/Could not mark version 1 compromised in the audit trail: AUDIT_FAILED: no audit sink persisted the record \(jsonl: READ_FAILED/);
    expect(out.stdout).toMatch(/\[ \] Mark version 1 compromised in the audit trail once it is back: the record was not kept \(AUDIT_FAILED\)/);
    noValue(out.stdout + out.stderr);

    const json = readFileSync(out.stdout.match(/and (\S+\.json) /)![1]!, "utf8");
    const record = JSON.parse(json) as IncidentRecord;
    expect(record.rotation).toMatchObject({ status: "rotated", compromisedVersion: 1, newVersion: 2, markedCompromised: false, markError: { code: "AUDIT_FAILED" } });
    expect(record.rotation.markError!.message).toMatch(/jsonl: READ_FAILED/);
    const item = record.checklist.find((c) => c.item.startsWith("Mark version 1"));
    expect(item).toMatchObject({ done: false });
    expect(item!.item).toContain(`manager.recordCompromised("${NAME}", { source: "local", version: 1 })`);
    expect(record.done.join("\n")).not.toMatch(/^Marked /m);
    const md = readFileSync(out.stdout.match(/record: (\S+\.md) /)![1]!, "utf8");
    expect(md).toContain("- Could not mark version 1 compromised in the audit trail: AUDIT_FAILED");
    expect(md).toContain("- [ ] Mark version 1 compromised in the audit trail once it is back");
    expect(md).not.toContain("Marked version 1");
    noValue(json + md);
  }, 60_000);

  it("audit: off: nothing can be marked, and the record says so", async () => {
    const off = await project("audit: off");
    const r = await openIncident({ cwd: off, name: NAME, graceMs: 0, env: env(), onWarning: () => undefined });
    expect(r.rotation).toMatchObject({ status: "rotated", markedCompromised: false, markError: { code: "AUDIT_FAILED" } });
    expect(r.rotation.markError!.message).toContain("audit is off");
    expect(r.checklist.some((c) => !c.done && c.item.startsWith("Mark version 1 compromised"))).toBe(true);
    noValue(JSON.stringify(r));
  }, 60_000);

  it("with a working log: marked, and the record is in the log", async () => {
    const ok = await project("audit: best-effort");
    const r = await openIncident({ cwd: ok, name: NAME, graceMs: 0, env: env(), onWarning: () => undefined });
    expect(r.rotation).toMatchObject({ status: "rotated", markedCompromised: true, markError: null });
    expect(r.done).toContain("Marked version 1 compromised in the audit trail (action mark-compromised).");
    expect(readFileSync(join(ok, ".secrets", "audit.dev.jsonl"), "utf8")).toMatch(/"action":"mark-compromised","outcome":"served","source":"local","version":1/);
  }, 60_000);
});
