// `hush incident` over an audit trail with lines that are not records: the impact stays known but
// is flagged as a lower bound (unreadableLines, "at least", a checklist item to check the lines),
// the torn last line told apart; JSON, Markdown and output name line numbers, never content.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initProject, openConfiguredManager, type IncidentRecord } from "../../src/index.js";
import { runHush } from "../helpers/cli.js";

const NAME = "db_password";
const VALUE = `CANARY-${randomBytes(16).toString("hex")}`;
const JUNK = `junk-canary-${randomBytes(8).toString("hex")}`;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-incident-unreadable-"));
  writeFileSync(join(dir, "hush.yaml"), ["version: 1", "secrets:", `  ${NAME}: { owner: ops }`, ""].join("\n"));
  await initProject({ cwd: dir, env: env() });
  const { manager } = await openConfiguredManager({ cwd: dir, env: env() });
  await manager.set(NAME, VALUE);
  for (let i = 0; i < 3; i++) await manager.get(NAME);
  await manager.dispose();
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hush incident with a damaged audit trail", () => {
  it("impact known but flagged: at least N reads, the lines by number, a checklist item; no value, no line content", async () => {
    const log = join(dir, ".secrets", "audit.dev.jsonl");
    const lines = readFileSync(log, "utf8").split("\n").slice(0, -1);
    expect(lines.filter((l) => l.includes('"action":"read","outcome":"served"')).length).toBeGreaterThanOrEqual(2);
    // A junk line after the first record, and a torn last line: the last read cut short.
    const torn = lines[lines.length - 1]!.slice(0, 25);
    writeFileSync(log, [lines[0], JUNK, ...lines.slice(1, -1), torn].join("\n"));
    const out = await runHush(["--cwd", dir, "incident", NAME, "--yes", "--no-rotate", "--no-git-history"], { env: env() });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/reads of the compromised version: at least \d+ by 1 process\(es\)/);
    expect(out.stderr).toMatch(/hush: warning: 1 line of the audit trail \S+ is not a record and was skipped \(line 2 \(\d+ bytes, not valid JSON\)\)/);
    expect(out.stderr).toContain(`its last line (line ${lines.length + 1}, 25 bytes) has no newline`);
    const record = JSON.parse(readFileSync(out.stdout.match(/and (\S+\.json) /)![1]!, "utf8")) as IncidentRecord;
    expect(record.impact.reads).toBeGreaterThanOrEqual(1);
    expect(out.stdout).toContain(`at least ${record.impact.reads} by 1 process(es)`);
    expect(record.impact).toMatchObject({ status: "known", unreadableLines: { unit: "line", count: 1, lines: [{ line: 2, problem: "not valid JSON" }], tornLastLine: { line: lines.length + 1, bytes: 25 } } });
    expect(record.done.join("\n")).toMatch(/served reads? of the compromised version by 1 process, AT LEAST: 1 line of the audit trail is not a record/);
    expect(record.checklist).toContainEqual({ item: expect.stringMatching(/^Check the 1 line of the audit trail that could not be read/), done: false });
    const md = readFileSync(out.stdout.match(/record: (\S+\.md) /)![1]!, "utf8");
    expect(md).toContain(`At least ${record.impact.reads} served read`);
    expect(md).toMatch(/\*\*Lower bound\*\*: 1 line of the audit trail/);
    const all = out.stdout + out.stderr + JSON.stringify(record) + md;
    expect(all).not.toContain(VALUE);
    expect(all).not.toContain("CANARY");
    expect(all).not.toContain(JUNK);
  }, 60_000);
});
