import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { createAuditor } from "../../src/audit/auditor.js";
import { verifyAuditLog, type AuditProblem } from "../../src/audit/verify.js";
import { chainEntry, formatRecordLine, GENESIS_HASH, hashRecord, type AuditRecord } from "../../src/audit/record.js";
import { anchorPathOf, writeAnchor } from "../../src/audit/anchor.js";
import { event, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
let original: string[];

beforeEach(async () => {
  p = makeProject();
  const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev" });
  for (let i = 1; i <= 10; i++) a.record(event(`secret_${i}`, { time: new Date(Date.UTC(2026, 2, 1, 10, i)) }));
  await a.close();
  original = readFileSync(p.logPath, "utf8").split("\n").slice(0, -1);
  expect(original).toHaveLength(10);
});
afterEach(() => p.cleanup());

const write = (lines: string[], tail = "\n") => writeFileSync(p.logPath, lines.join("\n") + tail);
const verify = () => verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
const kinds = (problems: AuditProblem[]) => problems.map((x) => `${x.kind}@${x.line ?? "-"}`);

describe("audit verify", () => {
  it("passes an intact log", async () => {
    const r = await verify();
    expect(r).toMatchObject({ ok: true, records: 10, lines: 10, lastSeq: 10, problems: [] });
  });

  it("finds an edited field", async () => {
    const lines = [...original];
    lines[3] = lines[3]!.replace('"outcome":"served"', '"outcome":"denied"');
    write(lines);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(kinds(r.problems)).toEqual(["edited@4"]);
    expect(r.problems[0]!.message).toMatch(/line 4 \(seq 4\).*does not match its hash/);
  });

  it("finds an edited record whose hash was recomputed (its successor's link breaks)", async () => {
    const lines = [...original];
    const rec = JSON.parse(lines[3]!) as AuditRecord;
    rec.actor.user = "mallory";
    rec.hash = hashRecord(rec);
    lines[3] = JSON.stringify(rec);
    write(lines);
    const r = await verify();
    expect(kinds(r.problems)).toEqual(["edited@5"]);
    expect(r.problems[0]!.message).toMatch(/prev does not match the hash of seq 4 \(line 4\)/);
  });

  it("finds a deleted line", async () => {
    write(original.filter((_, i) => i !== 4));
    const r = await verify();
    expect(kinds(r.problems)).toEqual(["deleted@5"]);
    expect(r.problems[0]!.message).toBe("record seq 5 is missing before line 5 (deleted)");
  });

  it("finds deleted lines at the head", async () => {
    write(original.slice(2));
    const r = await verify();
    expect(r.problems.map((x) => x.message)).toEqual(["records seq 1-2 are missing at the start of the log (deleted)"]);
  });

  it("finds two lines swapped", async () => {
    const lines = [...original];
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    write(lines);
    const r = await verify();
    expect(kinds(r.problems)).toEqual(["reordered@5"]);
    expect(r.problems[0]!.message).toBe("line 5 (seq 4) comes after seq 5 (line 4): records out of order");
  });

  it("finds a duplicated line", async () => {
    write([...original.slice(0, 6), original[2]!, ...original.slice(6)]);
    const r = await verify();
    expect(kinds(r.problems)).toEqual(["duplicated@7"]);
  });

  it("finds whole records cut from the end (through the anchor)", async () => {
    write(original.slice(0, 8));
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ kind: "truncated", seq: 9 })]);
    expect(r.problems[0]!.message).toBe("the log ends at seq 8 but its anchor names seq 10: records seq 9-10 are cut from the end");
  });

  it("finds a log emptied or removed while its anchor remains", async () => {
    truncateSync(p.logPath, 0);
    expect(kinds((await verify()).problems)).toEqual(["truncated@-"]);
    rmSync(p.logPath);
    expect((await verify()).problems[0]!.message).toMatch(/the log holds no record but its anchor names seq 10/);
  });

  it("finds a cut in the middle of the last line, at every byte", async () => {
    const full = readFileSync(p.logPath);
    const lastStart = full.length - original[9]!.length - 1;
    for (let cut = lastStart + 1; cut < full.length - 1; cut += 7) {
      writeFileSync(p.logPath, full.subarray(0, cut));
      const r = await verify();
      expect(r.ok, `cut at ${cut}`).toBe(false);
      expect(r.problems[0], `cut at ${cut}`).toMatchObject({ kind: "truncated", line: 10 });
    }
  });

  it("finds a rewritten log: records dropped and the chain recomputed to look whole", async () => {
    const kept = original.map((l) => JSON.parse(l) as AuditRecord).filter((r) => r.seq !== 3);
    let prev = GENESIS_HASH;
    const forged = kept.map((r, i) => {
      const c = chainEntry(r, i + 1, prev);
      prev = c.hash;
      return formatRecordLine(c);
    });
    write(forged);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(kinds(r.problems)).toEqual(["truncated@-"]); // 9 records, anchor says 10
  });

  it("finds an anchor edited to hide a cut (MAC), and a damaged anchor", async () => {
    write(original.slice(0, 8));
    const anchorPath = anchorPathOf(p.logPath);
    const anchor = JSON.parse(readFileSync(anchorPath, "utf8"));
    writeFileSync(anchorPath, JSON.stringify({ ...anchor, seq: 8, hash: JSON.parse(original[7]!).hash }));
    const r = await verify();
    expect(r.problems.map((x) => x.kind)).toEqual(["anchor"]);
    expect(r.problems[0]!.message).toMatch(/MAC does not match/);
    writeFileSync(anchorPath, "{ not json");
    expect((await verify()).problems.map((x) => x.kind)).toEqual(["anchor"]);
  });

  it("reports a line that is not a record without quoting it", async () => {
    const lines = [...original];
    lines[5] = '{"secret":"canary-VALUE-in-a-forged-line"';
    write(lines);
    const r = await verify();
    expect(kinds(r.problems)).toEqual(["malformed@6"]);
    expect(JSON.stringify(r)).not.toContain("canary");
  });

  it("fails a log whose anchor is missing (issue 11: it used to be only a note)", async () => {
    rmSync(anchorPathOf(p.logPath));
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ kind: "anchor", seq: 1, message: "the anchor file is missing: records seq 1-10 are not anchored (the anchor was deleted, or the log rewritten)" }]);
  });

  it("fails records past the anchor (issue 11: a lagging anchor used to be only a note)", async () => {
    const rec = JSON.parse(original[9]!) as AuditRecord;
    write([...original, formatRecordLine(chainEntry(rec, 11, rec.hash))]);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(kinds(r.problems)).toEqual(["unanchored@-"]);
    expect(r.problems[0]!.message).toBe("record seq 11 is past the anchor (seq 10): added without the key, or the log rolled back with an older anchor");
  });

  it("checks the record count the anchor binds", async () => {
    // A second, independent check of the anchored head, reported when nothing else is wrong.
    const anchorPath = anchorPathOf(p.logPath);
    const anchor = JSON.parse(readFileSync(anchorPath, "utf8"));
    expect(anchor).toMatchObject({ v: 2, seq: 10, records: 10 });
    writeAnchor(anchorPath, "dev", { start: anchor.start, head: { seq: 10, hash: anchor.hash, records: 9 } }, p.keys.anchorKey, false);
    const r = await verify();
    expect(r.problems.map((x) => x.message)).toEqual(["the anchor counts 9 record(s) up to seq 10, the log holds 10"]);
  });
});
