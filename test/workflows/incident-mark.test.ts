// `hush incident` says it marked the compromised version only when the audit record was kept:
// with the JSONL log unwritable (best-effort audit), the record, the Markdown and the output say
// the mark was not made, why (code, no value), and leave it on the checklist naming
// `hush incident mark ID`; the rotation still runs. `hush incident mark ID` while the trail is still
// down fails and changes nothing; once it is back it writes the mark for the incident's version
// (not the one served now), ticks the item, re-writes JSON and Markdown; a second mark is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listIncidents, markIncidentCompromised, openIncident, verifyProjectAuditLog, type IncidentRecord } from "../../src/index.js";
import { renderIncidentMarkdown } from "../../src/workflows/incident-markdown.js";
import { writeIncidentRecord } from "../../src/workflows/incident-record.js";
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
  let head: string;
  let headBytes: Buffer;
  let files: { json: string; md: string };
  beforeAll(async () => {
    dir = await project("audit: best-effort");
    // The log stays readable (the impact is known) but no append can succeed: its anchor is a folder.
    head = join(dir, ".secrets", "audit.dev.head");
    headBytes = readFileSync(head);
    rmSync(head);
    mkdirSync(head);
  }, 30_000);
  const marks = () => readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8").split("\n").filter((l) => l.includes('"action":"mark-compromised"'));

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
    expect(item!.item).toContain(`Run \`hush incident mark ${record.id}\` (it marks version 1 and ticks this item).`);
    expect(item!.item).not.toContain("recordCompromised");
    expect(record.done.join("\n")).not.toMatch(/^Marked /m);
    const md = readFileSync(out.stdout.match(/record: (\S+\.md) /)![1]!, "utf8");
    expect(md).toContain("- Could not mark version 1 compromised in the audit trail: AUDIT_FAILED");
    expect(md).toContain("- [ ] Mark version 1 compromised in the audit trail once it is back");
    expect(md).not.toContain("Marked version 1");
    noValue(json + md);
    files = { json: out.stdout.match(/and (\S+\.json) /)![1]!, md: out.stdout.match(/record: (\S+\.md) /)![1]! };
  }, 60_000);

  it("hush incident mark while the trail is still down: AUDIT_FAILED, the record byte for byte as it was, no mark", async () => {
    const before = [readFileSync(files.json, "utf8"), readFileSync(files.md, "utf8")];
    const id = (JSON.parse(before[0]!) as IncidentRecord).id;
    const r = await runHush(["--cwd", dir, "incident", "mark", id.slice(0, 16)], { env: env() });
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/AUDIT_FAILED|audit/i);
    expect([readFileSync(files.json, "utf8"), readFileSync(files.md, "utf8")]).toEqual(before);
    expect(marks()).toEqual([]);
    noValue(r.stdout + r.stderr);
  }, 30_000);

  it("once the trail is back: marks the incident's version (not the current one), ticks the item, JSON and Markdown agree; a second mark is refused", async () => {
    rmdirSync(head);
    writeFileSync(head, headBytes, { mode: 0o600 });
    const [incident] = await listIncidents({ cwd: dir, env: env() });
    const r = await runHush(["--cwd", dir, "incident", "mark", incident!.id, "--json"], { env: env() });
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as IncidentRecord;
    const stored = JSON.parse(readFileSync(files.json, "utf8")) as IncidentRecord;
    expect(stored).toEqual(JSON.parse(JSON.stringify({ ...printed, files: undefined })));
    expect(stored.rotation).toMatchObject({ newVersion: 2, markedCompromised: true, markError: null });
    expect(stored.checklist.find((c) => c.item.startsWith("Mark version 1"))).toMatchObject({ done: true });
    expect(stored.done[stored.done.length - 1]).toMatch(/^Marked version 1 compromised in the audit trail \(action mark-compromised\) at \S+, with `hush incident mark`\.$/);
    expect(readFileSync(files.md, "utf8")).toBe(renderIncidentMarkdown(stored));
    expect(marks()).toHaveLength(1);
    expect(marks()[0]).toMatch(/"action":"mark-compromised","outcome":"served","source":"local","version":1,/);
    expect(await verifyProjectAuditLog({ cwd: dir, env: env() })).toMatchObject({ ok: true });

    const again = await runHush(["--cwd", dir, "incident", "mark", incident!.id], { env: env() });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`version 1 of ${NAME} is already marked compromised in the audit trail; nothing was written`);
    await expect(markIncidentCompromised({ cwd: dir, id: incident!.id, env: env() })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(marks()).toHaveLength(1);
    noValue(r.stdout + r.stderr + again.stdout + again.stderr + readFileSync(files.json, "utf8") + readFileSync(files.md, "utf8"));
  }, 30_000);

  it("a record written under a taken id names its own id in the mark command", async () => {
    const { files: _f, ...first } = (await listIncidents({ cwd: dir, env: env() }))[0]!;
    const item = `Mark version 1 compromised in the audit trail once it is back: the record was not kept (AUDIT_FAILED). Run \`hush incident mark ${first.id}\` (it marks version 1 and ticks this item).`;
    const copy = await writeIncidentRecord(dir, { ...first, rotation: { ...first.rotation, byHand: [item] }, checklist: [{ item, done: false }] });
    expect(copy.id).toBe(`${first.id}-2`);
    expect(copy.checklist[0]!.item).toContain(`\`hush incident mark ${first.id}-2\``);
    expect(copy.rotation.byHand[0]).toContain(`\`hush incident mark ${first.id}-2\``);
    rmSync(copy.files.json);
    rmSync(copy.files.markdown);
  });

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
