// verify reads the log's size, anchor and start marker together under the log's lock, so
// records appended by other processes while it runs never show as unanchored or cut.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { verifyAuditLog, type AuditVerifyResult } from "../../src/audit/verify.js";
import { makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
let child: string;

beforeAll(async () => {
  p = makeProject();
  child = join(p.dir, "append-child.mjs");
  await build({ entryPoints: [fileURLToPath(new URL("./append-child.ts", import.meta.url))], outfile: child, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning" });
});
afterAll(() => p.cleanup());

function run(mode: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [child, p.secretsDir, mode, String(count)], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("error", reject);
    c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`))));
  });
}

describe("verify while other processes append", () => {
  it("every verification during the appends passes", async () => {
    let done = false;
    const children = Promise.all([run("best-effort", 150), run("required", 150)]).finally(() => (done = true));
    const results: AuditVerifyResult[] = [];
    for (let i = 0; i < 300 && !done; i++) {
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
