/** Child process of the concurrency test: appends `count` records to the project's log. */
import { createAuditor } from "../../src/audit/auditor.js";

const [secretsDir, mode, count] = process.argv.slice(2) as [string, "required" | "best-effort", string];
const auditor = createAuditor({ secretsDir, environment: "dev", mode, batchSize: 5, flushIntervalMs: 1, timeoutMs: 60_000 }); // correctness here, not latency: under this load a waiter on the file lock can wait seconds
const actor = { user: "child", host: "box", pid: process.pid, command: `child ${mode}` };
for (let i = 0; i < Number(count); i++) {
  const e = { time: new Date(), environment: "dev", name: `secret_${i % 7}`, action: "read" as const, outcome: "served" as const, source: "local", version: 1, actor };
  const r = auditor.record(e);
  if (r) await r;
  else if (i % 3 === 0) await new Promise((res) => setImmediate(res)); // let other processes in between batches
}
await auditor.close();
