// Issue 11: the audit chain cannot be rewritten by someone without the key. Each attack is
// checked through the library (verifyAuditLog) and through the built CLI's exit code
// (`hush audit verify`, dist/cli.js spawned; dist is built by the global setup).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAuditor } from "../../src/audit/auditor.js";
import { verifyAuditLog, type AuditMirror } from "../../src/audit/verify.js";
import { chainEntry, formatRecordLine, GENESIS_HASH, type AuditRecord } from "../../src/audit/record.js";
import { anchorPathOf, writeAnchor, writeStartMarker } from "../../src/audit/anchor.js";
import { CANARY, event, makeProject, type TempProject } from "./helpers.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

let p: TempProject;
let anchorPath: string;
let markerPath: string;

beforeEach(async () => {
  p = makeProject();
  anchorPath = anchorPathOf(p.logPath);
  markerPath = p.logPath.replace(/\.jsonl$/, ".start");
  await append(10);
});
afterEach(() => p.cleanup());

/** Appends `n` records the way hush does (a new auditor: a new process). */
async function append(n: number, warnings: string[] = []): Promise<void> {
  const a = createAuditor({ secretsDir: p.secretsDir, environment: "dev", onWarning: (m) => warnings.push(m) });
  for (let i = 0; i < n; i++) a.record(event(`secret_${i % 3}`));
  await a.close();
}

const records = () => readFileSync(p.logPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
const verify = (mirror?: AuditMirror) => verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey, mirror });
const kinds = (r: { problems: { kind: string }[] }) => r.problems.map((x) => x.kind);

/** Re-chains `recs` from the genesis hash, as someone without the key can. */
function rechain(recs: AuditRecord[]): string {
  let prev = GENESIS_HASH;
  return recs.map((r, i) => {
    const c = chainEntry(r, i + 1, prev);
    prev = c.hash;
    return formatRecordLine(c) + "\n";
  }).join("");
}

/** `hush audit verify` through the built CLI: its exit code and output. */
function cliVerify(): { code: number | null; out: string } {
  const home = join(p.dir, "home");
  mkdirSync(home, { recursive: true });
  const r = spawnSync(process.execPath, [CLI, "--cwd", p.dir, "audit", "verify"], { env: { PATH: process.env.PATH, HOME: home }, encoding: "utf8", timeout: 60_000 });
  const out = r.stdout + r.stderr;
  expect(out).not.toContain("canary");
  return { code: r.status, out };
}

describe("attacks by someone without the key (issue 11)", () => {
  it("an intact log verifies (exit 0), and nothing at all reads as a new environment", async () => {
    expect((await verify()).ok).toBe(true);
    expect(cliVerify().code).toBe(0);
    for (const f of [p.logPath, anchorPath, markerPath]) rmSync(f, { force: true });
    const r = await verify();
    expect(r).toMatchObject({ ok: true, records: 0 });
    expect(r.notes).toContain("no audit log yet (no log, no anchor, no start marker)");
    expect(cliVerify().code).toBe(0);
  });

  it("1. re-hash the chain (one record changed) and delete the anchor: fails", async () => {
    const recs = records();
    recs[3]!.actor.user = "mallory";
    writeFileSync(p.logPath, rechain(recs));
    rmSync(anchorPath);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(["anchor"]);
    expect(r.problems[0]!.message).toBe("the anchor file is missing: records seq 1-10 are not anchored (the anchor was deleted, or the log rewritten)");
    const cli = cliVerify();
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^anchor: the anchor file is missing/m);
  });

  it("2. append forged records, chained correctly: reported as unanchored, exit 1", async () => {
    const recs = records();
    let prev = recs[9]!.hash;
    for (let seq = 11; seq <= 12; seq++) {
      const c = chainEntry({ ...recs[0]!, actor: { ...recs[0]!.actor, user: "mallory" } }, seq, prev);
      prev = c.hash;
      appendFileSync(p.logPath, formatRecordLine(c) + "\n");
    }
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ kind: "unanchored", seq: 11, message: "records seq 11-12 are past the anchor (seq 10): added without the key, or the log rolled back with an older anchor" }]);
    expect(cliVerify().code).toBe(1);

    // The next append by hush keeps the records but does not anchor the forged ones.
    const warnings: string[] = [];
    await append(2, warnings);
    expect(warnings.join("\n")).toMatch(/does not match its anchor \(the log ends at seq 12, the anchor names seq 10\); records are appended but not anchored/);
    expect(records().map((x) => x.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(kinds(await verify())).toEqual(["unanchored"]);
    expect(cliVerify().code).toBe(1);
  });

  it("3. truncate the log and restore an older anchor: the records past it are unanchored", async () => {
    rmSync(p.logPath);
    rmSync(anchorPath);
    rmSync(markerPath, { force: true });
    await append(5);
    const saved = join(p.dir, "old.head");
    copyFileSync(anchorPath, saved);
    await append(5);
    writeFileSync(p.logPath, readFileSync(p.logPath, "utf8").split("\n").slice(0, 7).join("\n") + "\n");
    copyFileSync(saved, anchorPath);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ kind: "unanchored", seq: 6 })]);
    expect(cliVerify().code).toBe(1);
  });

  it("3b. rolled back to exactly an older anchor: only a mirror of the head shows it (the hook)", async () => {
    rmSync(p.logPath);
    rmSync(anchorPath);
    rmSync(markerPath, { force: true });
    await append(5);
    const saved = join(p.dir, "old.head");
    copyFileSync(anchorPath, saved);
    await append(5);
    const head = records()[9]!;
    writeFileSync(p.logPath, readFileSync(p.logPath, "utf8").split("\n").slice(0, 5).join("\n") + "\n");
    copyFileSync(saved, anchorPath);
    // The files alone are a consistent earlier state (documented in docs/audit.md).
    expect((await verify()).ok).toBe(true);
    const mirror: AuditMirror = { name: "test-mirror", head: async () => ({ seq: 10, hash: head.hash, records: 10 }) };
    const r = await verify(mirror);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ kind: "mirror", seq: 6, message: "the mirror test-mirror holds records up to seq 10, the log ends at seq 5: records seq 6-10 are missing from the log" }]);
  });

  it("4. delete both the log and the anchor: the start marker remains, verify fails", async () => {
    rmSync(p.logPath);
    rmSync(anchorPath);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(["deleted"]);
    expect(r.problems[0]!.message).toMatch(/^the start marker says this environment has an audit log \(started \S+\), but the log and its anchor are gone \(deleted\)$/);
    expect(cliVerify().code).toBe(1);

    // hush keeps recording, but the new records are not anchored: the deletion stays visible.
    const warnings: string[] = [];
    await append(3, warnings);
    expect(warnings.join("\n")).toMatch(/a start marker but no anchor/);
    expect(existsSync(anchorPath)).toBe(false);
    expect(kinds(await verify())).toEqual(["anchor"]);
    expect(cliVerify().code).toBe(1);
  });

  it("a forged anchor or start marker fails; a marker from another chain fails", async () => {
    const text = readFileSync(markerPath, "utf8");
    writeFileSync(markerPath, text.replace(/"id":"[0-9a-f]+"/, `"id":"${"a".repeat(32)}"`));
    expect((await verify()).problems.map((x) => x.message)).toEqual(["the start marker's MAC does not match (edited, or another key's)"]);
    rmSync(markerPath);
    writeStartMarker(markerPath, "dev", p.keys.anchorKey, false); // a valid marker of another chain (same key)
    expect((await verify()).problems.map((x) => x.message)).toEqual(["the anchor belongs to another chain than the start marker (a log and anchor from elsewhere)"]);
    rmSync(markerPath);
    expect((await verify()).problems.map((x) => x.message)).toEqual(["the start marker is missing (deleted)"]);
    expect(cliVerify().code).toBe(1);
  });
});

describe("no false alarms from hush's own writes", () => {
  it("an append whose final anchor write fails leaves a pending head that verifies, and the next append completes it", async () => {
    const recs = records();
    const start = JSON.parse(readFileSync(anchorPath, "utf8")).start as string;
    // The state between the sink's two anchor writes: records 11-12 written, anchor still at 10 with 12 pending.
    let prev = recs[9]!.hash;
    const lines: string[] = [];
    for (let seq = 11; seq <= 12; seq++) {
      const c = chainEntry(recs[0]!, seq, prev);
      prev = c.hash;
      lines.push(formatRecordLine(c));
    }
    writeAnchor(anchorPath, "dev", { start, head: { seq: 10, hash: recs[9]!.hash, records: 10 }, pending: { seq: 12, hash: prev, records: 12 } }, p.keys.anchorKey, false);
    let r = await verify();
    expect(r.ok).toBe(true); // records not yet written: the log is at the committed head
    appendFileSync(p.logPath, lines.join("\n") + "\n");
    r = await verify();
    expect(r.ok).toBe(true);
    expect(r.notes.join(" ")).toMatch(/interrupted before its anchor was completed/);
    const warnings: string[] = [];
    await append(1, warnings);
    expect(warnings).toEqual([]);
    r = await verify();
    expect(r).toMatchObject({ ok: true, lastSeq: 13, notes: [] });
    expect(JSON.parse(readFileSync(anchorPath, "utf8"))).toMatchObject({ seq: 13, records: 13 });
  });

  it("a v1 anchor (before start markers) verifies with a note and is upgraded at the next append", async () => {
    const head = records()[9]!;
    const mac = createHmac("sha256", p.keys.anchorKey).update(`hush audit anchor v1\ndev\n10\n${head.hash}`, "utf8").digest("hex");
    writeFileSync(anchorPath, JSON.stringify({ v: 1, env: "dev", seq: 10, hash: head.hash, mac }).padEnd(255) + "\n");
    rmSync(markerPath);
    let r = await verify();
    expect(r.ok).toBe(true);
    expect(r.notes).toContain("a v1 anchor (no record count, no start marker): the next append upgrades it");
    const forged = JSON.stringify({ v: 1, env: "dev", seq: 10, hash: head.hash, mac: "0".repeat(64) });
    writeFileSync(anchorPath, forged);
    expect(kinds(await verify())).toEqual(["anchor"]);
    writeFileSync(anchorPath, JSON.stringify({ v: 1, env: "dev", seq: 10, hash: head.hash, mac }));
    const warnings: string[] = [];
    await append(1, warnings);
    expect(warnings).toEqual([]);
    r = await verify();
    expect(r).toMatchObject({ ok: true, lastSeq: 11, notes: [] });
    expect(JSON.parse(readFileSync(anchorPath, "utf8"))).toMatchObject({ v: 2, start: JSON.parse(readFileSync(markerPath, "utf8")).id, seq: 11 });
  });

  it("anchor and start marker are 0600 and hold no value or name", async () => {
    for (const f of [anchorPath, markerPath]) {
      expect(statSync(f).mode & 0o777).toBe(0o600);
      const text = readFileSync(f, "utf8");
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain("secret_");
    }
  });
});
