/**
 * Stale locks (see lock.ts for the protocol): is the holder gone, and breaking its lock under
 * the `<lock>.break` guard folder so that only one process acts on one stale lock.
 */
import { lstatSync, mkdirSync, renameSync, rmdirSync, unlinkSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { HushError } from "../errors.js";
import { isProcessAlive } from "./atomic-write.js";
import { readLock, type LockRead } from "./lock-file.js";

/** A lock older than this that names no holder was left by a process killed before writing it. */
export const STALE_EMPTY_MS = 2_000;

/** A process's start time (field 22 of /proc/<pid>/stat), or undefined without /proc. */
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

/**
 * True when the lock's holder is certainly gone: same host and its pid has ended (or now names
 * a process started at another time), or the file names no holder and is over 2 s old.
 */
export function isStale(seen: Exclude<LockRead, { kind: "missing" }>, myHost: string): boolean {
  if (seen.kind === "garbled") return Date.now() - seen.mtimeMs > STALE_EMPTY_MS;
  const h = seen.holder;
  if (h.host !== myHost) return false;
  if (!isProcessAlive(h.pid)) return true;
  if (h.start === undefined) return false;
  const now = processStartTime(h.pid);
  return now !== undefined && now !== h.start;
}

/**
 * Unlinks `seen` if it is still the lock file, under the `<lock>.break` guard. Returns false
 * when another process holds the guard (the caller waits and looks again).
 */
export function breakStale(lockPath: string, seen: LockRead): boolean {
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

// --- internal ---

const GUARD_STALE_MS = 5_000;

function sameLock(a: LockRead, b: LockRead): boolean {
  if (a.kind === "held" && b.kind === "held") return a.holder.pid === b.holder.pid && a.holder.nonce === b.holder.nonce;
  if (a.kind === "garbled" && b.kind === "garbled") return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
  return false;
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
