// `hush incident close`: a real incident record (openIncident) and records derived from it with
// other checklists; closing refuses open items (listing them) unless --force, refuses a second
// close, finds ids by unique prefix, keeps JSON and Markdown in agreement (the Markdown rendered
// from the JSON), keeps 0644, writes an incident-close audit record, and a failed write leaves the
// old record byte for byte.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { closeIncident, initProject, listIncidents, openConfiguredManager, openIncident, type IncidentListing, type IncidentRecord } from "../../src/index.js";
import { closeIncidentWith } from "../../src/workflows/incident-close.js";
import { writeIncidentRecord } from "../../src/workflows/incident-record.js";
import { renderIncidentMarkdown } from "../../src/workflows/incident-markdown.js";

const NAME = "openai_api_key";
const VALUE = `sk-proj-CANARY${randomBytes(24).toString("hex")}`;
const NOTE = `usage checked NOTECANARY${randomBytes(6).toString("hex")}`;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
let dir: string;
let real: IncidentListing;
const hush = (args: string[]) => runHush(["--cwd", dir, ...args], { env: env() });
const auditLog = () => readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8");
const bytesOf = (r: IncidentListing) => [readFileSync(r.files.json, "utf8"), readFileSync(r.files.markdown, "utf8")];
const incidentFiles = () => readdirSync(join(dir, ".hush", "incidents")).sort();

/** A record like the real one, opened at `at`, with every item ticked when `ticked`. */
async function derived(at: string, ticked: boolean): Promise<IncidentListing> {
  const { files: _f, ...base } = real;
  const record: IncidentRecord = { ...base, id: `${at.slice(0, 19).replace(/:/g, "-")}Z-${NAME}`, openedAt: at, checklist: base.checklist.map((c) => ({ ...c, done: ticked || c.done })) };
  return writeIncidentRecord(dir, record);
}

/** The record as stored now, and its Markdown agreeing with it. */
function stored(r: IncidentListing): IncidentRecord {
  const json = JSON.parse(readFileSync(r.files.json, "utf8")) as IncidentRecord;
  expect(readFileSync(r.files.markdown, "utf8")).toBe(renderIncidentMarkdown(json));
  for (const f of [r.files.json, r.files.markdown]) expect(statSync(f).mode & 0o777).toBe(0o644);
  return json;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-incident-close-"));
  writeFileSync(join(dir, "hush.yaml"), ["version: 1", "secrets:", `  ${NAME}:`, "    type: llm-api-key", "    owner: alice@example.com", ""].join("\n"));
  await initProject({ cwd: dir, env: env() });
  const { manager } = await openConfiguredManager({ cwd: dir, env: env() });
  await manager.set(NAME, VALUE);
  await manager.dispose();
  real = await openIncident({ cwd: dir, name: NAME, rotate: false, gitHistory: false, env: env() });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hush incident close", () => {
  it("refuses while checklist items are open, lists them, changes nothing", async () => {
    const before = bytesOf(real);
    const open = real.checklist.filter((c) => !c.done && !c.item.startsWith("Close the incident")).map((c) => c.item);
    expect(open.length).toBeGreaterThan(2);
    const r = await hush(["incident", "close", real.id]);
    expect(r.code).toBe(2);
    for (const item of open) expect(r.stderr).toContain(`[ ] ${item}`);
    expect(r.stderr).toMatch(/--force/);
    expect(r.stderr).not.toContain("Close the incident");
    expect(bytesOf(real)).toEqual(before);
    await expect(closeIncident({ cwd: dir, id: real.id, env: env() })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(bytesOf(real)).toEqual(before);
    expect(auditLog()).toMatch(/"action":"incident-close","outcome":"error","source":"local","version":1,"errorCode":"INVALID_ARGUMENT"/);
  });

  it("closes with every item ticked: status, closedAt, closedBy, the note; JSON and Markdown agree, 0644", async () => {
    const rec = await derived("2026-01-02T03:04:05.000Z", true);
    const closed = await closeIncident({ cwd: dir, id: rec.id, by: "carol", note: `${NOTE}\n## not a heading`, env: env() });
    expect(closed).toMatchObject({ id: rec.id, status: "closed", closedBy: { user: "carol" }, closeNote: `${NOTE}\n## not a heading`, openAtClose: [] });
    const json = stored(rec);
    expect(json).toEqual(JSON.parse(JSON.stringify({ ...closed, files: undefined })));
    expect(Date.parse(json.closedAt!)).toBeGreaterThan(Date.parse(rec.openedAt));
    expect(json.checklist.every((c) => c.done)).toBe(true);
    const md = readFileSync(rec.files.markdown, "utf8");
    expect(md).toContain("- Status: **closed**");
    expect(md).toContain(`- Closed: ${json.closedAt} by carol@`);
    expect(md).toContain(`> ${NOTE}\n> ## not a heading`);
    expect(md).not.toMatch(/^## not a heading/m);
    // The note is in the record only: not in the audit trail.
    expect(auditLog()).toMatch(/"action":"incident-close","outcome":"served","source":"local","version":1,"errorCode":null/);
    expect(auditLog()).not.toContain("NOTECANARY");
  });

  it("a second close is an error that says when and by whom; the record stays as it was", async () => {
    const rec = await derived("2026-02-02T03:04:05.000Z", true);
    const first = await closeIncident({ cwd: dir, id: rec.id, by: "dave", env: env() });
    const before = bytesOf(rec);
    const r = await hush(["incident", "close", rec.id, "--by", "erin"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`already closed: closed at ${first.closedAt} by dave@${first.closedBy!.host}`);
    expect(bytesOf(rec)).toEqual(before);
  });

  it("--force closes with open items and records which were open; --json prints the closed record", async () => {
    const rec = await derived("2026-03-02T03:04:05.000Z", false);
    const open = rec.checklist.filter((c) => !c.done && !c.item.startsWith("Close the incident")).map((c) => c.item);
    const r = await hush(["incident", "close", rec.id, "--force", "--note", NOTE, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as IncidentListing;
    expect(Object.keys(out).sort()).toEqual([...Object.keys(rec), "closedAt", "closedBy", "closeNote", "openAtClose"].sort());
    expect(out).toMatchObject({ id: rec.id, status: "closed", closeNote: NOTE, openAtClose: open, files: rec.files });
    expect(out.closedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(out.closedBy!).sort()).toEqual(["host", "user"]);
    const json = stored(rec);
    expect(json.openAtClose).toEqual(open);
    expect(json.checklist.filter((c) => !c.done).map((c) => c.item)).toEqual(open);
    const md = readFileSync(rec.files.markdown, "utf8");
    expect(md).toContain(`Closed with ${open.length} items still open (--force):`);
    for (const item of open) expect(md).toContain(`- [ ] ${item}`);
    for (const text of [r.stdout, r.stderr, md, auditLog()]) expect(text).not.toContain(VALUE);
  });

  it("text output: who closed it and where the files are, not the note; stderr lists what --force left open", async () => {
    const rec = await derived("2026-04-02T03:04:05.000Z", false);
    const r = await hush(["incident", "close", rec.id, "--force", "--note", NOTE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^incident ${rec.id}: closed at \\S+ by \\S+@\\S+\\n`));
    expect(r.stdout).toContain(rec.files.json);
    expect(r.stderr).toMatch(/closed with \d+ item\(s\) still open/);
    expect(r.stdout + r.stderr).not.toContain("NOTECANARY");
  });

  it("finds an id by a unique prefix; an exact id wins over a longer one; unknown and ambiguous ids name the candidates", async () => {
    const a = await derived("2026-05-02T03:04:05.000Z", true);
    const a2 = await derived("2026-05-02T03:04:05.000Z", true);
    expect(a2.id).toBe(`${a.id}-2`);
    const b = await derived("2026-05-03T03:04:05.000Z", true);
    const ambiguous = await hush(["incident", "close", "2026-05-0"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`matches 3 incidents: ${a.id}, ${a2.id}, ${b.id}`);
    const unknown = await hush(["incident", "close", "1999-"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/No incident id starts with "1999-"; the ids are: .*2026-05-03T03-04-05Z-openai_api_key/);
    expect((await closeIncident({ cwd: dir, id: a.id, env: env() })).id).toBe(a.id);
    expect((await closeIncident({ cwd: dir, id: "2026-05-03", env: env() })).id).toBe(b.id);
    expect(stored(a2).status).toBe("open");
  });

  it("a failing write leaves the old record intact (both files, byte for byte) and is audited as an error", async () => {
    const rec = await derived("2026-06-02T03:04:05.000Z", true);
    const before = bytesOf(rec);
    const filesBefore = incidentFiles();
    // The Markdown is written first; the JSON's rename fails, so the Markdown must be put back.
    const fs = { renameSync: (from: string, to: string) => (to.endsWith(".json") ? fail() : renameSync(from, to)) };
    await expect(closeIncidentWith({ cwd: dir, id: rec.id, env: env() }, fs)).rejects.toMatchObject({ code: "WRITE_FAILED" });
    expect(bytesOf(rec)).toEqual(before);
    expect(incidentFiles()).toEqual(filesBefore);
    expect(stored(rec).status).toBe("open");
    expect(auditLog()).toMatch(/"action":"incident-close","outcome":"error","source":"local","version":1,"errorCode":"WRITE_FAILED"/);
  });

  it("refuses when the Markdown has ticks the JSON lacks (closing would lose them)", async () => {
    const rec = await derived("2026-07-02T03:04:05.000Z", false);
    const md = readFileSync(rec.files.markdown, "utf8").replace("- [ ] Notify the owner", "- [x] Notify the owner");
    writeFileSync(rec.files.markdown, md);
    const r = await hush(["incident", "close", rec.id, "--force"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("[x] Notify the owner named in hush.yaml: alice@example.com.");
    expect(readFileSync(rec.files.markdown, "utf8")).toBe(md);
    expect(JSON.parse(readFileSync(rec.files.json, "utf8")).status).toBe("open");
  });

  it("`hush incident list` shows the status; --open lists the open ones only", async () => {
    const all = await listIncidents({ cwd: dir, env: env() });
    const open = await listIncidents({ cwd: dir, env: env(), status: "open" });
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThan(all.length);
    expect(open.every((r) => r.status === "open")).toBe(true);
    const r = await hush(["incident", "list", "--open"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0])).toEqual(open.map((x) => x.id));
    const text = await hush(["incident", "list"]);
    expect(text.stdout).toMatch(/ closed {2}openai_api_key \(dev\)/);
    expect(text.stdout).toMatch(/ open {2}openai_api_key \(dev\)/);
  });
});

function fail(): never {
  throw Object.assign(new Error("injected"), { code: "EIO" });
}
