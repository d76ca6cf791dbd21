import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { appendChildRunner, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
let run: (mode: string, count: number) => Promise<number>;

beforeAll(async () => {
  p = makeProject();
  run = await appendChildRunner(p);
});
afterAll(() => p.cleanup());

describe("appends from several processes at once", () => {
  it("4 processes x 200 records: 800 records, one linear chain, nothing lost or interleaved", async () => {
    const pids = await Promise.all([run("best-effort", 200), run("required", 200), run("best-effort", 200), run("required", 200)]);
    const text = readFileSync(p.logPath, "utf8");
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(800);
    const recs = lines.map((l) => JSON.parse(l) as { seq: number; actor: { pid: number } });
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
    for (const pid of pids) expect(recs.filter((r) => r.actor.pid === pid)).toHaveLength(200);
    // The processes really interleaved their appends (not one after the other).
    const switches = recs.filter((r, i) => i > 0 && r.actor.pid !== recs[i - 1]!.actor.pid).length;
    expect(switches).toBeGreaterThan(3);
    const v = await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ ok: true, records: 800, lastSeq: 800 });
  });
});
