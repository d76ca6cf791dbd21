// verify reads the log's size, anchor and start marker together under the log's lock, so
// records appended by other processes while it runs never show as unanchored or cut.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog, type AuditVerifyResult } from "../../src/audit/verify.js";
import { appendChildRunner, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
let run: (mode: string, count: number) => Promise<number>;

beforeAll(async () => {
  p = makeProject();
  run = await appendChildRunner(p);
});
afterAll(() => p.cleanup());

describe("verify while other processes append", () => {
  it("every verification during the appends passes", async () => {
    let done = false;
    const children = Promise.all([run("best-effort", 150), run("required", 150)]).finally(() => (done = true));
    const results: AuditVerifyResult[] = [];
    // Until both children have ended, not a fixed count: on a loaded machine the children can take
    // longer to start than a few hundred verifications of an empty log (then none ran mid-way).
    // Bounded: both children end (or fail, which ends the Promise.all too).
    while (!done) {
      results.push(await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await children;
    results.push(await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey }));
    expect(results.length).toBeGreaterThan(1);
    for (const r of results) expect(r.problems).toEqual([]);
    expect(results.at(-1)).toMatchObject({ ok: true, records: 300, lastSeq: 300 });
    expect(results.some((r) => r.records > 0 && r.records < 300)).toBe(true); // some ran mid-way
  });
});
