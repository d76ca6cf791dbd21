// The postgres-role rotation under load, shared by test/rotation/postgres-role-load.test.ts and
// bench/rotation.bench.mjs: CONSUMERS processes query PostgreSQL with credentials from hush's
// local store; ROTATIONS times the rotator's create/set/test run, the new value is written to the
// store (finish), every consumer must switch through watch, and after the grace period the old
// role is revoked (NOLOGIN, its sessions terminated). Reports failed queries and, per rotation,
// the time from finish until the last consumer switched. The rotation runs through `rotateOnce`
// (hush rotate's workflow) when given, else through the rotator's steps and a store write.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CONSUMER = fileURLToPath(new URL("./rotation-consumer.mjs", import.meta.url));

/**
 * @param {{ rotator: any, store: { get(): Promise<string>, set(v: string): Promise<void> }, secretsDir: string, name: string,
 *   distIndex: string, consumers: number, rotations: number, graceMs: number, pauseMs?: number,
 *   rotateOnce?: (onProgress: (m: string) => void) => Promise<void>, postgres?: { url: string, schema: string } }} o
 * With `postgres`, consumers read from the postgres source (and watch through its LISTEN).
 * With `rotateOnce` (hush rotate's workflow, its own revoke left due), `rotator` only revokes.
 */
export async function runRotationLoad(o) {
  const procs = [];
  for (let i = 0; i < o.consumers; i++) procs.push(startConsumer(o));
  const debug = process.env.HUSH_ROTATION_DEBUG ? (m) => process.stderr.write(`rotation-load: ${m}\n`) : () => undefined;
  await Promise.all(procs.map((p) => p.ready));
  debug("consumers ready");
  const latencies = [];
  const timeouts = [];
  for (let i = 0; i < o.rotations; i++) {
    const t0 = Date.now();
    const current = await o.store.get();
    let finished;
    let value;
    if (o.rotateOnce) {
      // Through `hush rotate`'s workflow: create -> pending, set, test, finish (promote).
      await o.rotateOnce((m) => {
        if (m.startsWith("finish:")) finished = Date.now();
      });
      value = await o.store.get();
    } else {
      value = await o.rotator.create(current);
      await o.rotator.set({ value, previous: current });
      await o.rotator.test({ value, previous: current });
      finished = Date.now();
      await o.store.set(value);
    }
    const user = decodeURIComponent(new URL(value).username);
    debug(`rotation ${i + 1}: ${user} current, rotate took ${Date.now() - t0} ms`);
    const switched = await Promise.race([Promise.all(procs.map((p) => p.switchedTo(user))), sleep(o.graceMs).then(() => null)]);
    if (switched === null) timeouts.push(i);
    else latencies.push(Math.max(...switched) - finished);
    const remaining = o.graceMs - (Date.now() - finished);
    if (remaining > 0) await sleep(remaining);
    await o.rotator.revoke({ value: current });
    debug(`rotation ${i + 1}: switched ${switched === null ? "NOT within grace" : "ok"}, total ${Date.now() - t0} ms`);
  }
  debug("stopping consumers");
  const results = await Promise.all(procs.map((p) => p.stop()));
  debug(`consumers stopped; watch handlers settled: ${results.map((r) => r.watchSettled).join(", ")}`);
  return {
    consumers: o.consumers,
    rotations: o.rotations,
    graceMs: o.graceMs,
    queries: results.reduce((n, r) => n + r.ok, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    failures: results.flatMap((r) => r.failures),
    notSwitchedWithinGrace: timeouts.length,
    switchMs: latencies.sort((a, b) => a - b),
  };
}

/** Percentile of sorted numbers. */
export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// --- internal ---

function startConsumer(o) {
  const child = spawn(process.execPath, [CONSUMER, o.secretsDir, o.name, o.distIndex, String(o.pauseMs ?? 0), ...(o.postgres ? ["postgres", o.postgres.url, o.postgres.schema] : [])], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const switches = [];
  const waiters = [];
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  let readyResolve;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    child.once("exit", (code) => reject(new Error(`consumer exited ${code}: ${stderr.slice(0, 300)}`)));
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = JSON.parse(line);
    if (m.done) return done(m);
    switches.push(m);
    readyResolve();
    for (const w of waiters.splice(0)) w();
  });
  const switchedTo = async (user) => {
    for (;;) {
      const hit = switches.findLast((s) => s.switch === user);
      if (hit && switches.at(-1) === hit) return hit.at;
      await new Promise((r) => waiters.push(r));
    }
  };
  const stop = async () => {
    child.stdin.end();
    const [result] = await Promise.all([finished, once(child, "exit")]);
    return result;
  };
  return { ready, switchedTo, stop };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
