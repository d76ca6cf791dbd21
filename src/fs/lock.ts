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
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmdirSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { randomBytes, randomInt } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import { isProcessAlive } from "./atomic-write.js";

/** Options for {@link withLock}. */
export interface WithLockOptions {
  /** How long to wait for a live holder before LOCK_TIMEOUT. @default 10000 */
  timeoutMs?: number;
}

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** Process start time in clock ticks since boot, when /proc gives it. */
  start: string | undefined;
  host: string;
  nonce: string;
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

/** The holder named in a lock file, or undefined when it is missing or unparseable. */
export function readLockHolder(lockPath: string): LockHolder | undefined {
  const read = readLock(lockPath);
  return read.kind === "held" ? read.holder : undefined;
}

/** This process's start time (field 22 of /proc/self/stat), or undefined without /proc. */
export function processStartTime(pid: number | "self" = "self"): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch (_e) {
    // No /proc (macOS, BSD) or the process is gone: the pid alone decides liveness.
    return undefined;
  }
  // Field 2 is the command name in parentheses and may contain spaces: count after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return fields[19]; // field 22 overall; fields[0] here is field 3
}

// --- internal ---

const STALE_EMPTY_MS = 2_000;
const GUARD_STALE_MS = 5_000;
const MIN_DELAY_MS = 5;
const MAX_DELAY_MS = 50;
/** After a contended hold, this process waits this long before taking the lock again. */
const YIELD_MS = 60;
const MAX_LOCK_BYTES = 1024;

const localQueue = new Map<string, Promise<void>>();
const yieldUntil = new Map<string, number>();
/** This process's start time, read on first use (not at import: `hush run` may never lock). */
let selfStart: { value: string | undefined } | undefined;

type LockRead =
  | { kind: "missing" }
  | { kind: "held"; holder: LockHolder; mtimeMs: number }
  | { kind: "garbled"; ino: number; size: number; mtimeMs: number };

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
    const mtimeMs = tryCreate(lockPath, me);
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

/** Creates the lock file; returns its mtime once written, or undefined when it exists. */
function tryCreate(lockPath: string, me: LockHolder): number | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw new HushError("WRITE_FAILED", `Cannot create the lock file ${lockPath}.`, { cause: e });
  }
  let mtimeMs: number;
  try {
    writeSync(fd, JSON.stringify({ v: 1, pid: me.pid, start: me.start ?? null, host: me.host, nonce: me.nonce, at: new Date().toISOString() }) + "\n");
    mtimeMs = fstatSync(fd).mtimeMs;
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(lockPath); // ours, created just above and never seen complete by anyone
    } catch (_e) {
      // Left behind, it is an unparseable lock that others break after 2 s; the write error
      // above is the one to report.
    }
    throw new HushError("WRITE_FAILED", `Cannot write the lock file ${lockPath}.`, { cause: e });
  }
  closeSync(fd);
  return mtimeMs;
}

/**
 * Tells the holder that someone waits, by touching the lock file's mtime. Without it, a process
 * that writes in a loop re-takes the lock microseconds after releasing it and starves pollers;
 * with it, the holder yields for YIELD_MS after a contended hold (see withLock).
 */
function signalWaiting(lockPath: string): void {
  try {
    const now = new Date();
    utimesSync(lockPath, now, now);
  } catch (_e) {
    // Released meanwhile (ENOENT) or not ours to touch (EPERM): the signal is only a courtesy.
  }
}

function readLock(lockPath: string): LockRead {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw new HushError("READ_FAILED", `Cannot read the lock file ${lockPath}.`, { cause: e });
  }
  try {
    // fstat and read the same open file, so the identity matches the content read.
    const st = fstatSync(fd);
    const buffer = Buffer.alloc(Math.min(st.size, MAX_LOCK_BYTES + 1));
    const n = st.size === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, 0);
    const holder = parseHolder(buffer.toString("utf8", 0, n));
    return holder ? { kind: "held", holder, mtimeMs: st.mtimeMs } : { kind: "garbled", ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read the lock file ${lockPath}.`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  if (text.length > MAX_LOCK_BYTES || !text.endsWith("\n")) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (_e) {
    // Cut short by a holder killed mid-write: the caller treats it as garbled.
    return undefined;
  }
  const r = o as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null || !Number.isSafeInteger(r.pid) || typeof r.host !== "string" || typeof r.nonce !== "string") return undefined;
  if (r.start !== null && typeof r.start !== "string") return undefined;
  return { pid: r.pid as number, start: (r.start as string | null) ?? undefined, host: r.host, nonce: r.nonce };
}

function isStale(seen: Exclude<LockRead, { kind: "missing" }>, myHost: string): boolean {
  if (seen.kind === "garbled") return Date.now() - seen.mtimeMs > STALE_EMPTY_MS;
  const h = seen.holder;
  if (h.host !== myHost) return false;
  if (!isProcessAlive(h.pid)) return true;
  if (h.start === undefined) return false;
  const now = processStartTime(h.pid);
  return now !== undefined && now !== h.start;
}

function sameLock(a: LockRead, b: LockRead): boolean {
  if (a.kind === "held" && b.kind === "held") return a.holder.pid === b.holder.pid && a.holder.nonce === b.holder.nonce;
  if (a.kind === "garbled" && b.kind === "garbled") return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
  return false;
}

/**
 * Unlinks `seen` if it is still the lock file, under the `<lock>.break` guard. Returns false
 * when another process holds the guard (the caller waits and looks again).
 */
function breakStale(lockPath: string, seen: LockRead): boolean {
  const guard = `${lockPath}.break`;
  if (!takeGuard(guard)) return false;
  try {
    if (sameLock(seen, readLock(lockPath))) unlinkSync(lockPath);
  } catch (e) {
    // ENOENT: released or broken in between; nothing to do.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("WRITE_FAILED", `Cannot remove the stale lock file ${lockPath}.`, { cause: e });
  } finally {
    rmdirSync(guard);
  }
  return true;
}

function takeGuard(guard: string): boolean {
  try {
    mkdirSync(guard, { mode: 0o700 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new HushError("WRITE_FAILED", `Cannot create the lock guard ${guard}.`, { cause: e });
  }
  let st;
  try {
    st = lstatSync(guard);
  } catch (_e) {
    // Released just now: let the caller loop and try again.
    return false;
  }
  if (Date.now() - st.mtimeMs <= GUARD_STALE_MS) return false;
  // A breaker died inside the guard. Rename it away first: only one process can win the
  // rename, so two processes never both remove it and both go on.
  const aside = `${guard}.stale-${randomBytes(6).toString("hex")}`;
  try {
    renameSync(guard, aside);
  } catch (_e) {
    // Another process won the rename; it will take the guard.
    return false;
  }
  rmdirSync(aside);
  return false; // the caller loops and takes a fresh guard
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
    return new HushError("LOCK_TIMEOUT", `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, which does not name its holder yet (empty or cut short, less than 2 s old).`);
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
