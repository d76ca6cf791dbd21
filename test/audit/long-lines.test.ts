// report and review read the log with the fast line reader (scan-lines.ts). A record longer than
// 64 KiB (a long actor command, which hush writes as given) across the reader's 4 MiB chunk
// boundary is read like any other (it stopped there, silently), and the rest
// of the log after it is counted; a line longer than the reader's limit is skipped to its end and
// reported like any line that is not a record (its number and length, never its content), and
// everything after it is counted: never a quiet partial total. Without a tally to report it to,
// the fast reader still refuses (LIMIT_EXCEEDED). verify passes the first log and fails the second.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAuditor } from "../../src/audit/auditor.js";
import { MAX_LINE_BYTES } from "../../src/audit/read.js";
import { readProjectAuditLog, reportProjectAccess, reviewProjectAccess, verifyProjectAuditLog, type UnreadableAuditLines } from "../../src/index.js";
import { sumAuditEntries } from "../../src/audit/read-entries.js";
import { CANARY, event, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
  writeFileSync(join(p.dir, "hush.yaml"), ["version: 1", "environment: dev", "secrets:", "  alpha_key: { owner: a, description: d }", "  beta_key: { owner: b, description: d }", ""].join("\n"));
});
afterEach(() => p.cleanup());

const LONG_COMMAND = `node ${"x".repeat(900 * 1024)}.js`;
const options = () => ({ cwd: p.dir, env: {}, onWarning: () => undefined });
/** The fast reader reads 4 MiB at a time: the long record starts before that boundary and ends after it. */
const FILLER_BYTES = 3.5 * 1024 * 1024;

/** alpha_key read until the log holds 3.5 MiB, once more by a process with a 900 KiB command line, then beta_key read 4 times. */
async function writeLog(): Promise<number> {
  const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev", mode: "best-effort" });
  const t = Date.now() - 60_000;
  let alpha = 0;
  for (let size = 0; size < FILLER_BYTES; size = statSync(p.logPath).size) {
    for (let i = 0; i < 1000; i++, alpha++) auditor.record(event("alpha_key", { time: new Date(t + alpha) }));
    await auditor.flush();
  }
  await auditor.recordNow(event("alpha_key", { time: new Date(t + 50_000), actor: { user: "alice", host: "box", pid: 7, command: LONG_COMMAND } }));
  for (let i = 0; i < 4; i++) auditor.record(event("beta_key", { time: new Date(t + 55_000 + i) }));
  await auditor.close();
  return alpha + 1;
}

const reads = (rows: { name?: string; reads: number }[], name: string) => rows.find((r) => r.name === name)?.reads ?? 0;

describe("audit logs with long lines", () => {
  it("a record longer than 64 KiB: report and review count it and everything after it; verify passes", async () => {
    const alpha = await writeLog();
    const lines = readFileSync(p.logPath, "utf8").split("\n");
    expect(lines[alpha - 1]!.length).toBeGreaterThan(900 * 1024);
    const rows = await reportProjectAccess(options());
    expect(reads(rows, "alpha_key")).toBe(alpha);
    expect(reads(rows, "beta_key")).toBe(4);
    const review = await reviewProjectAccess(options());
    expect(review.unused.map((u) => u.name)).not.toContain("beta_key");
    expect(review.unused.map((u) => u.name)).not.toContain("alpha_key");
    expect(await verifyProjectAuditLog(options())).toMatchObject({ ok: true, records: alpha + 4 });
  });

  it("a line longer than the reader's limit: report, review and log report it by number and count everything else; verify fails", async () => {
    const alpha = await writeLog();
    const lines = readFileSync(p.logPath, "utf8").split("\n");
    const junk = `{"junk":"${CANARY}${"y".repeat(MAX_LINE_BYTES + 10)}"}`;
    lines.splice(2, 0, junk);
    writeFileSync(p.logPath, lines.join("\n"));
    const told: UnreadableAuditLines[] = [];
    const onUnreadable = (u: UnreadableAuditLines) => told.push(u);
    const rows = await reportProjectAccess({ ...options(), onUnreadable });
    expect(reads(rows, "alpha_key")).toBe(alpha);
    expect(reads(rows, "beta_key")).toBe(4);
    const review = await reviewProjectAccess({ ...options(), onUnreadable });
    expect(review.unused.map((u) => u.name)).not.toContain("beta_key");
    let logged = 0;
    for await (const _r of readProjectAuditLog({ ...options(), onUnreadable })) logged++;
    expect(logged).toBe(alpha + 4);
    const expected = { unit: "line", count: 1, lines: [{ line: 3, bytes: Buffer.byteLength(junk), problem: `a line longer than ${MAX_LINE_BYTES} bytes` }], tornLastLine: null };
    expect(told).toEqual([expected, expected, expected]);
    expect(review.unreadableLines).toEqual(expected);
    const verify = await verifyProjectAuditLog(options());
    expect(verify.ok).toBe(false);
    expect(verify.problems.map((x) => x.message)).toEqual([`line 3 is a line longer than ${MAX_LINE_BYTES} bytes (edited or damaged)`]);
    // Without a tally to tell, the fast reader refuses rather than give a total that hides the line.
    await expect(sumAuditEntries(p.logPath)).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", message: expect.stringMatching(/line 3 of the audit log .* is longer than 4194304 bytes/) });
    expect(JSON.stringify([told, review, verify])).not.toContain(CANARY);
  });

  it("a last line longer than the limit, without its newline: reported as damaged (not torn), everything before it counted", async () => {
    const alpha = await writeLog();
    const junk = `{"junk":"${CANARY}${"z".repeat(MAX_LINE_BYTES + 5)}`;
    writeFileSync(p.logPath, readFileSync(p.logPath, "utf8") + junk);
    const told: UnreadableAuditLines[] = [];
    const rows = await reportProjectAccess({ ...options(), onUnreadable: (u) => told.push(u) });
    expect(reads(rows, "alpha_key")).toBe(alpha);
    expect(told).toEqual([expect.objectContaining({ count: 1, lines: [expect.objectContaining({ line: alpha + 5, bytes: Buffer.byteLength(junk) })], tornLastLine: null })]);
  });
});
