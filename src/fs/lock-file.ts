/**
 * The lock file itself (see lock.ts for the protocol): creating it with its one JSON line,
 * reading it back, and touching it to say that someone waits.
 */
import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { HushError } from "../errors.js";

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** Process start time in clock ticks since boot, when /proc gives it. */
  start: string | undefined;
  host: string;
  nonce: string;
}

/** A lock file as read: absent, naming its holder, or not (yet) parseable. */
export type LockRead =
  | { kind: "missing" }
  | { kind: "held"; holder: LockHolder; mtimeMs: number }
  | { kind: "garbled"; ino: number; size: number; mtimeMs: number };

/** The holder named in a lock file, or undefined when it is missing or unparseable. */
export function readLockHolder(lockPath: string): LockHolder | undefined {
  const read = readLock(lockPath);
  return read.kind === "held" ? read.holder : undefined;
}

/** Reads the lock file; its identity (inode, size, mtime) comes from the same open file. */
export function readLock(lockPath: string): LockRead {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw new HushError("READ_FAILED", `Cannot read the lock file ${lockPath}.`, { cause: e });
  }
  try {
    // fstat and read the same open file, so the identity matches the content read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HushError("READ_FAILED", `The lock file ${lockPath} is not a regular file (a FIFO or device?); hush does not use it.`, { hint: `Remove ${lockPath}; hush creates the lock file it needs.` });
    const buffer = Buffer.alloc(Math.min(st.size, MAX_LOCK_BYTES + 1));
    const n = st.size === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, 0);
    const holder = parseHolder(buffer.toString("utf8", 0, n));
    return holder ? { kind: "held", holder, mtimeMs: st.mtimeMs } : { kind: "garbled", ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read the lock file ${lockPath}.`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** Creates the lock file naming `me`; returns its mtime once written, or undefined when it exists. */
export function tryCreateLock(lockPath: string, me: LockHolder): number | undefined {
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
 * with it, the holder yields for a moment after a contended hold (see withLock).
 */
export function signalWaiting(lockPath: string): void {
  try {
    const now = new Date();
    utimesSync(lockPath, now, now);
  } catch (_e) {
    // Released meanwhile (ENOENT) or not ours to touch (EPERM): the signal is only a courtesy.
  }
}

// --- internal ---

const MAX_LOCK_BYTES = 1024;

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
