// Lines of the audit log that are not records are never skipped quietly: a damaged line in the
// middle, a torn last line (an append cut short by a crash), injected garbage and a JSON line that
// is not a record are each counted and named by line number and length (never content) by the
// library reader, `hush audit log` (stderr; --json: a last line), report, review (its JSON) and an
// incident's impact (flagged, a lower bound); the torn last line is told apart as benign; verify
// fails all of them. A clean log says nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAuditor } from "../../src/audit/auditor.js";
import { createSecretIdMapper } from "../../src/audit/secret-id.js";
import { assessImpact } from "../../src/workflows/incident-impact.js";
import {
  createUnreadableTally,
  readAuditRecords,
  readProjectAuditLog,
  reportProjectAccess,
  reviewProjectAccess,
  verifyProjectAuditLog,
  type UnreadableAuditLines,
} from "../../src/index.js";
import { runHush } from "../helpers/cli.js";
import { CANARY, event, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
let original: string[];
beforeEach(async () => {
  p = makeProject();
  writeFileSync(join(p.dir, "hush.yaml"), ["version: 1", "secrets:", "  alpha_key: { owner: a, description: d }", ""].join("\n"));
  const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev" });
  for (let i = 1; i <= 10; i++) a.record(event("alpha_key", { time: new Date(Date.UTC(2026, 2, 1, 10, i)) }));
  await a.close();
  original = readFileSync(p.logPath, "utf8").split("\n").slice(0, -1);
  expect(original).toHaveLength(10);
});
afterEach(() => p.cleanup());

const options = () => ({ cwd: p.dir, env: {}, onWarning: () => undefined });
const write = (lines: string[], tail = "\n") => writeFileSync(p.logPath, lines.join("\n") + tail);
const noContent = (text: string) => {
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain("canary");
};
const INJECTED = `garbage ${CANARY} injected`;
const NOT_A_RECORD = JSON.stringify({ v: 2, seq: 99, secret: CANARY });

/** The four kinds of damage in one log: line 4 cut in the middle, line 7 injected text, line 9 JSON that is not a record, line 12 torn (no newline). */
function damage(): { lines: string[]; expected: UnreadableAuditLines } {
  const lines = [...original];
  lines[3] = lines[3]!.slice(0, 40);
  lines.splice(6, 0, INJECTED);
  lines.splice(8, 0, NOT_A_RECORD);
  lines[11] = lines[11]!.slice(0, 50);
  write(lines, "");
  const bytes = (s: string) => Buffer.byteLength(s);
  const expected: UnreadableAuditLines = {
    unit: "line",
    count: 3,
    lines: [
      { line: 4, bytes: 40, problem: "not valid JSON" },
      { line: 7, bytes: bytes(INJECTED), problem: "not valid JSON" },
      { line: 9, bytes: bytes(NOT_A_RECORD), problem: "not an audit record (fields missing or of the wrong type)" },
    ],
    tornLastLine: { line: 12, bytes: 50 },
  };
  return { lines, expected };
}

describe("audit lines that are not records", () => {
  it("the library reader counts each, by line number and length; the records around them are read", async () => {
    const { expected } = damage();
    const unreadable = createUnreadableTally();
    const seqs: number[] = [];
    for await (const r of readAuditRecords(p.logPath, { unreadable })) seqs.push(r.seq);
    expect(seqs).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
    expect(unreadable.result()).toEqual(expected);
    noContent(JSON.stringify(unreadable.result()));
  });

  it("each kind alone: corrupt middle line, torn last line, injected text, JSON that is not a record", async () => {
    const cases: [string, string[], string, Partial<UnreadableAuditLines>][] = [
      ["corrupt middle", original.map((l, i) => (i === 4 ? l.slice(0, l.length - 9) : l)), "\n", { count: 1, tornLastLine: null }],
      ["torn last", original.map((l, i) => (i === 9 ? l.slice(0, 30) : l)), "", { count: 0, lines: [], tornLastLine: { line: 10, bytes: 30 } }],
      ["injected", [...original.slice(0, 2), INJECTED, ...original.slice(2)], "\n", { count: 1, lines: [{ line: 3, bytes: Buffer.byteLength(INJECTED), problem: "not valid JSON" }] }],
      ["not a record", [...original, NOT_A_RECORD], "\n", { count: 1, lines: [{ line: 11, bytes: Buffer.byteLength(NOT_A_RECORD), problem: "not an audit record (fields missing or of the wrong type)" }] }],
    ];
    for (const [what, lines, tail, want] of cases) {
      write(lines, tail);
      const seen: UnreadableAuditLines[] = [];
      for await (const _r of readProjectAuditLog({ ...options(), onUnreadable: (u) => seen.push(u) }));
      expect(seen, what).toEqual([expect.objectContaining(want)]);
      const verify = await verifyProjectAuditLog(options());
      expect(verify.ok, what).toBe(false);
      const line = want.tornLastLine?.line ?? (want.lines?.[0]?.line ?? 5);
      expect(verify.problems.map((x) => `${x.kind}@${x.line}`), what).toContain(`${what === "torn last" ? "truncated" : "malformed"}@${line}`);
      noContent(JSON.stringify(seen) + JSON.stringify(verify));
    }
  });

  it("report, review and the incident's impact report them too; the torn last line is told apart", async () => {
    const { expected } = damage();
    const told: [UnreadableAuditLines, string][] = [];
    const rows = await reportProjectAccess({ ...options(), onUnreadable: (u, trail) => told.push([u, trail]) });
    expect(rows.find((r) => r.name === "alpha_key")?.reads).toBe(8);
    const review = await reviewProjectAccess({ ...options(), now: new Date("2026-03-02T00:00:00Z"), onUnreadable: (u, trail) => told.push([u, trail]) });
    expect(review.unreadableLines).toEqual(expected);
    expect(told).toEqual([[expected, p.logPath], [expected, p.logPath]]);

    const idOf = createSecretIdMapper(p.keys.idKey).idOf;
    const impact = await assessImpact({ records: (u) => readAuditRecords(p.logPath, { unreadable: u }), trail: "log", secretId: idOf("alpha_key"), version: 1, since: null });
    expect(impact).toMatchObject({ status: "known", reads: 8, unreadableLines: expected });
    write(original);
    expect((await assessImpact({ records: (u) => readAuditRecords(p.logPath, { unreadable: u }), trail: "log", secretId: idOf("alpha_key"), version: 1, since: null })).unreadableLines).toBeNull();
    noContent(JSON.stringify([told, review, impact]));
  });

  it("lists the first 20 by number and counts every one", async () => {
    write([...original, ...Array.from({ length: 25 }, (_, i) => `junk ${i} ${CANARY}`)]);
    const unreadable = createUnreadableTally();
    for await (const _r of readAuditRecords(p.logPath, { unreadable }));
    const u = unreadable.result()!;
    expect(u.count).toBe(25);
    expect(u.lines.map((l) => l.line)).toEqual(Array.from({ length: 20 }, (_, i) => 11 + i));
    const r = await runHush(["--cwd", p.dir, "audit", "log"], { env: {} });
    expect(r.stderr).toContain("and 5 more");
    noContent(r.stdout + r.stderr);
  });
});

describe("hush audit log|report|review with unreadable lines", () => {
  const hush = (...args: string[]) => runHush(["--cwd", p.dir, "audit", ...args], { env: {} });

  it("a clean log: no warning, no extra JSON line, review unreadableLines null", async () => {
    const log = await hush("log", "--json");
    expect(log.code).toBe(0);
    expect(log.stderr).not.toMatch(/not a record|no newline/);
    expect(log.stdout.trim().split("\n")).toHaveLength(10);
    const review = await hush("review", "--json");
    expect(JSON.parse(review.stdout).unreadableLines).toBeNull();
  });

  it("log: a warning on stderr naming the lines (not their content), the torn last line apart; --json: a last line", async () => {
    const { expected } = damage();
    const text = await hush("log");
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split("\n")).toHaveLength(8);
    expect(text.stderr).toContain(`hush: warning: 3 lines of the audit trail ${p.logPath} are not a record and were skipped (line 4 (40 bytes, not valid JSON); 7 (`);
    expect(text.stderr).toMatch(/its last line \(line 12, 50 bytes\) has no newline and is not a record: an append cut short by a crash, or still being written \(a known, benign case; not counted\)/);
    const json = await hush("log", "--json", "--secret", "alpha_key");
    const lines = json.stdout.trim().split("\n");
    expect(lines).toHaveLength(9);
    expect(JSON.parse(lines[8]!)).toEqual({ unreadableLines: expected, trail: p.logPath });
    noContent(text.stdout + text.stderr + json.stdout + json.stderr);
  });

  it("a torn last line alone is called benign, with no count of damaged lines", async () => {
    write(original.map((l, i) => (i === 9 ? l.slice(0, 30) : l)), "");
    const r = await hush("log");
    expect(r.stderr).toContain(`hush: warning: the audit trail ${p.logPath}'s last line (line 10, 30 bytes) has no newline`);
    expect(r.stderr).not.toMatch(/were skipped|was skipped/);
  });

  it("report warns; review says it in text, Markdown and JSON", async () => {
    const { expected } = damage();
    const report = await hush("report");
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/hush: warning: 3 lines of the audit trail .* are not a record/);
    const text = await hush("review");
    expect(text.stdout).toMatch(/Incomplete: 3 lines of the audit trail are not a record and were skipped \(line 4 \(40 bytes/);
    expect(text.stderr).toMatch(/hush: warning: 3 lines/);
    expect((await hush("review", "--format", "markdown")).stdout).toContain("**Incomplete**: 3 lines");
    expect(JSON.parse((await hush("review", "--json")).stdout).unreadableLines).toEqual(expected);
    noContent(report.stdout + report.stderr + text.stdout + text.stderr);
  });

  it("verify fails each damaged line by number without quoting it", async () => {
    damage();
    const r = await hush("verify", "--json");
    expect(r.code).not.toBe(0);
    const problems = (JSON.parse(r.stdout) as { problems: { kind: string; line?: number }[] }).problems.filter((x) => x.line !== undefined).map((x) => `${x.kind}@${x.line}`);
    expect(problems).toEqual(["malformed@4", "malformed@7", "malformed@9", "truncated@12"]);
    noContent(r.stdout + r.stderr);
  });
});
