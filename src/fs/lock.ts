/**
 * A cross-process lock made of a file, without a native addon (FAULTS 11).
 *
 * Taking it: create `<lock>` with O_CREAT|O_EXCL (mode 0600) and write one JSON line:
 * `{"v":1,"pid":..,"start":"..","host":"..","nonce":"..","at":".."}`. `start` is the process
 * start time (field 22 of /proc/<pid>/stat, clock ticks since boot) so a pid reused by another
 * process is not mistaken for the holder. When the file exists:
 * - holder alive (same host, pid exists, same start time): wait with jittered backoff until
 *   the timeout, then LOCK_TIMEOUT naming the holder's pid;
 * - holder dead (same host, pid gone or start time differs), or the file is empty/unparseable
 *   and older than 2 s (holder killed between create and write): break it, under a guard
 *   folder `<lock>.break` (mkdir is atomic), re-reading the lock and unlinking it only if it is
 *   still the same stale lock (same pid + nonce, or same inode/size/mtime when unparseable);
 * - holder on another host: never broken automatically (its pid means nothing here).
 * Release unlinks the file only if it still holds our nonce.
 *
 * Remaining races, stated honestly:
 * - A breaker that stalls for more than GUARD_STALE_MS between re-reading the lock and
 *   unlinking it can lose its guard to another breaker; both may then act on one stale lock,
 *   and the slower one can unlink a lock the faster one has meanwhile taken. Two writers
 *   would then run at once. This needs a process paused for seconds inside a few lines.
 * - A live holder paused (SIGSTOP, swap) for over STALE_EMPTY_MS between creating the file
 *   and writing its line is judged dead and loses the lock.
 * - Hosts sharing a folder over NFS with the same hostname, or pid namespaces sharing a
 *   folder, defeat the liveness test. Use the lock on one host's local disk.
 * Within one process, callers are queued in memory first, so they never wait on each other
 * through the file. Fairness between processes is rough: waiters poll (jittered, at most every
 * 50 ms) and touch the lock file; a holder that saw that touch waits 60 ms before re-taking it.
 *
 * Split by concern: this file takes and releases the lock; lock-file.ts reads and writes the
 * file; stale-lock.ts judges a holder dead and breaks its lock.
 */
import { unlinkSync } from "node:fs";
import { randomBytes, randomInt } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import { readLock, signalWaiting, tryCreateLock, type LockHolder, type LockRead } from "./lock-file.js";
import { breakStale, isStale, processStartTime, STALE_EMPTY_MS } from "./stale-lock.js";

export { readLockHolder, type LockHolder } from "./lock-file.js";
export { processStartTime } from "./stale-lock.js";

/** Options for {@link withLock}. */
export interface WithLockOptions {
  /** How long to wait for a live holder before LOCK_TIMEOUT. @default 10000 */
  timeoutMs?: number;
}

/**
 * Runs `fn` while holding the lock file `lockPath` (its folder must exist), then releases it,
 * also when `fn` throws.
 *
 * @example
 * await withLock(".secrets/dev.lock", async () => { ...read, change, writeFileAtomic... });
 */
export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, options: WithLockOptions = {}): Promise<T> {
  const key = resolve(lockPath);
  const previous = localQueue.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = previous.then(() => mine);
  localQueue.set(key, tail);
  try {
    await previous;
    const politeUntil = yieldUntil.get(key) ?? 0;
    yieldUntil.delete(key);
    if (politeUntil > Date.now()) await sleep(politeUntil - Date.now());
    const me = await acquire(lockPath, options.timeoutMs ?? 10_000);
    try {
      return await fn();
    } finally {
      if (release(lockPath, me)) yieldUntil.set(key, Date.now() + YIELD_MS);
    }
  } finally {
    done();
    if (localQueue.get(key) === tail) localQueue.delete(key);
  }
}

/**
 * {@link withLock} for the one place that cannot wait asynchronously: a process's `exit` event
 * (the audit roll-up written at `process.exit`). Sleeps with Atomics.wait between polls, so it
 * blocks the thread; keep `timeoutMs` short. `fn` must be synchronous.
 */
export function withLockSync<T>(lockPath: string, fn: () => T, options: WithLockOptions = {}): T {
  const me: LockHolder = { pid: process.pid, start: (selfStart ??= { value: processStartTime() }).value, host: hostname(), nonce: randomBytes(12).toString("hex") };
  const timeoutMs = options.timeoutMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let mtimeMs: number | undefined;
  for (;;) {
    mtimeMs = tryCreateLock(lockPath, me);
    if (mtimeMs !== undefined) break;
    const seen = readLock(lockPath);
    if (seen.kind === "missing") continue;
    const stale = isStale(seen, me.host);
    if (stale && breakStale(lockPath, seen)) continue;
    if (Date.now() >= deadline) throw timeoutError(lockPath, timeoutMs, seen, me.host, stale);
    Atomics.wait(pause, 0, 0, MIN_DELAY_MS + randomInt(MIN_DELAY_MS * 4));
  }
  try {
    return fn();
  } finally {
    release(lockPath, { holder: me, mtimeMs });
  }
}

// --- internal ---

const MIN_DELAY_MS = 5;
const MAX_DELAY_MS = 50;
/** After a contended hold, this process waits this long before taking the lock again. */
const YIELD_MS = 60;

const localQueue = new Map<string, Promise<void>>();
const yieldUntil = new Map<string, number>();
/** This process's start time, read on first use (not at import: `hush run` may never lock). */
let selfStart: { value: string | undefined } | undefined;

/** Our hold: who we are, and the lock file's mtime when we wrote it (waiters change it). */
interface Hold {
  holder: LockHolder;
  mtimeMs: number;
}

async function acquire(lockPath: string, timeoutMs: number): Promise<Hold> {
  const me: LockHolder = { pid: process.pid, start: (selfStart ??= { value: processStartTime() }).value, host: hostname(), nonce: randomBytes(12).toString("hex") };
  const deadline = Date.now() + timeoutMs;
  let delay = MIN_DELAY_MS;
  for (;;) {
    const mtimeMs = tryCreateLock(lockPath, me);
    if (mtimeMs !== undefined) return { holder: me, mtimeMs };
    const seen = readLock(lockPath);
    if (seen.kind === "missing") continue; // released between our two calls: try again at once
    const stale = isStale(seen, me.host);
    if (stale && breakStale(lockPath, seen)) continue;
    if (Date.now() >= deadline) throw timeoutError(lockPath, timeoutMs, seen, me.host, stale);
    if (seen.kind === "held" && !stale) signalWaiting(lockPath);
    await sleep(Math.min(delay / 2 + randomInt(Math.floor(delay / 2) + 1), Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/** Removes our lock file. Returns true when a waiter signalled during the hold. */
function release(lockPath: string, hold: Hold): boolean {
  const seen = readLock(lockPath);
  // Not ours any more (broken by someone who judged us dead): leave the new holder's lock alone.
  if (seen.kind !== "held" || seen.holder.nonce !== hold.holder.nonce) return false;
  try {
    unlinkSync(lockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("WRITE_FAILED", `Cannot remove the lock file ${lockPath}.`, { cause: e });
  }
  return seen.mtimeMs !== hold.mtimeMs;
}

function timeoutError(lockPath: string, timeoutMs: number, seen: Exclude<LockRead, { kind: "missing" }>, myHost: string, stale: boolean): HushError {
  if (seen.kind === "garbled") {
    return new HushError("LOCK_TIMEOUT", `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, which does not name its holder yet (empty or cut short, less than ${STALE_EMPTY_MS / 1000} s old).`);
  }
  const h = seen.holder;
  if (h.host !== myHost) {
    return new HushError("LOCK_TIMEOUT", `Timed out after ${timeoutMs} ms: the lock ${lockPath} is held by pid ${h.pid} on host ${JSON.stringify(h.host)}.`, {
      hint: `hush does not break locks of other hosts; if pid ${h.pid} on that host is gone, remove ${lockPath}.`,
    });
  }
  const state = stale ? "which has ended (another process is removing its lock)" : "which is still running";
  return new HushError("LOCK_TIMEOUT", `Timed out after ${timeoutMs} ms: the lock ${lockPath} is held by pid ${h.pid}, ${state}.`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
