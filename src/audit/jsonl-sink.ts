/**
 * The JSONL file sink: `.secrets/audit.<env>.jsonl`, mode 0600 from creation, one chained
 * record per line (see record.ts), plus the anchor `audit.<env>.head` and the start marker
 * `audit.<env>.start` (see anchor.ts).
 *
 * Appending, under the cross-process lock `audit.<env>.jsonl.lock` (src/fs/lock.ts):
 * read the tail for the last seq and hash; check it against the anchor and start marker (a new
 * log gets its start marker first; a log that does not match is appended to but not
 * re-anchored); chain the batch; write the anchor with the head the batch will leave as
 * `pending`; write all its lines with one write() on an O_APPEND descriptor, fsync when
 * durable; then write the anchor with the new head. The lock
 * keeps the chain linear across processes; one write per batch means a line is never split by
 * another writer. A short or failed write is cut back to the old size before the lock is
 * released, so no partial line is left. A log that already ends in a partial line (a crash or
 * a cut file) is sealed with a newline and chained from its last complete record; `verify`
 * keeps reporting the damaged line.
 *
 * @example
 * const sink = createJsonlSink({ path: jsonlLogPath(".secrets", "dev"), environment: "dev" });
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { HushError } from "../errors.js";
import { withLock, withLockSync } from "../fs/lock.js";
import { fsyncDir } from "../crypto/key-file.js";
import { anchorPathOf, judgeChain, readAnchor, removeQuietly, readStartMarker, startMarkerPathOf, writeAnchor, writeStartMarker, type AnchorHead } from "./anchor.js";
import { readAuditRecords } from "./read.js";
import { encodeAppend, LineBuffer } from "./line-buffer.js";
import { GENESIS_HASH, isAuditRecord, type AuditEntry } from "./record.js";
import type { AuditAppendContext, AuditSink } from "./sink.js";

/** Options of {@link createJsonlSink}. */
export interface JsonlSinkOptions {
  /** The log file; its folder must exist. */
  path: string;
  /** Environment name, written into the anchor. */
  environment: string;
  /** Key of the anchor's MAC (from `deriveAuditKeys`), or a function read at each append. @default no MAC */
  anchorKey?: Buffer | (() => Buffer);
  /** How long to wait for another process's append. @default 10000 */
  lockTimeoutMs?: number;
  /** Where warnings go (a log others can read, an anchor that could not be updated). @default none */
  onWarning?: (message: string) => void;
  /** The key provider that gave the environment's key, recorded in a new chain's start marker. @default not recorded */
  keyProvider?: () => string | undefined;
}

/** The JSONL sink, with its file paths. */
export interface JsonlSink extends AuditSink {
  readonly path: string;
  readonly anchorPath: string;
}

/** `<secretsDir>/audit.<env>.jsonl`. */
export function jsonlLogPath(secretsDir: string, environment: string): string {
  return join(secretsDir, `audit.${environment}.jsonl`);
}

/** Creates the JSONL file sink. Nothing is opened until the first append. */
export function createJsonlSink(options: JsonlSinkOptions): JsonlSink {
  const { path, environment } = options;
  const anchorPath = anchorPathOf(path);
  const markerPath = startMarkerPathOf(path);
  const lockPath = `${path}.lock`;
  let warnedMode = false;
  let warnedUnanchored = false;
  // Reused across appends: fresh large buffers cost a page fault per 4 KiB on first touch.
  const lineBuffer = new LineBuffer(256 * 1024);

  function appendLocked(entries: readonly AuditEntry[], durable: boolean): void {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      throw new HushError("WRITE_FAILED", `Cannot open the audit log ${path}.`, { cause: e });
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new HushError("WRITE_FAILED", `The audit log ${path} is not a regular file.`);
      if ((st.mode & 0o077) !== 0 && !warnedMode) {
        warnedMode = true;
        options.onWarning?.(`the audit log ${path} is readable by group or others; run: chmod 600 ${path}`);
      }
      const tail = readTail(fd, st.size, path);
      const key = typeof options.anchorKey === "function" ? options.anchorKey() : options.anchorKey;
      const judged = chainStart({ anchorPath, markerPath, environment, keyProvider: options.keyProvider }, tail, key, durable);
      const start = "start" in judged ? judged.start : undefined;
      if ("reason" in judged && !warnedUnanchored) {
        warnedUnanchored = true;
        options.onWarning?.(`the audit log ${path} does not match its anchor (${judged.reason}); records are appended but not anchored: run \`hush audit verify\``);
      }
      const out = encodeAppend(lineBuffer.reset(), entries, tail);
      const head = out.head;
      // Before the records: the head they will leave, so an append cut short by a crash after
      // its write is not mistaken for records added by someone without the key. Failing here
      // writes nothing.
      if ("start" in judged) writePendingAnchor({ anchorPath, markerPath, environment }, judged, tail, head, key);
      const bytes = out.buffer.bytes();
      writeAll(fd, bytes, st.size, path);
      if (durable) {
        syncOrUndo(fd, st.size, path);
        if (st.size === 0) fsyncDir(dirname(path)); // a new file's name must survive a crash too
      }
      if (start) {
        try {
          writeAnchor(anchorPath, environment, { start, head }, key, durable);
        } catch (_e) {
          // The records are written and the anchor names them as pending: verify accepts that.
          options.onWarning?.(`could not complete the audit anchor ${anchorPath} after an append; the next append completes it`);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  return {
    name: "jsonl",
    persistent: true,
    path,
    anchorPath,
    async append(entries: readonly AuditEntry[], context: AuditAppendContext) {
      if (entries.length === 0) return;
      await withLock(lockPath, () => appendLocked(entries, context.durable), { timeoutMs: options.lockTimeoutMs ?? 10_000 });
    },
    appendSync(entries: readonly AuditEntry[], context: AuditAppendContext) {
      if (entries.length === 0) return;
      withLockSync(lockPath, () => appendLocked(entries, context.durable), { timeoutMs: Math.min(options.lockTimeoutMs ?? 2_000, 2_000) });
    },
    read: (unreadable) => readAuditRecords(path, { unreadable }),
  };
}

// --- internal ---

interface ChainFiles {
  anchorPath: string;
  markerPath: string;
  environment: string;
  keyProvider?: () => string | undefined;
}

/**
 * Writes the anchor with the head the append will leave as `pending`, before its records.
 * A new chain whose first anchor cannot be written is not started: its start marker is
 * removed again, so nothing is left behind to read as a deleted log.
 */
function writePendingAnchor(files: ChainFiles, judged: { start: string; created?: true }, tail: Tail, head: AnchorHead, key: Buffer | undefined): void {
  const committed = { seq: tail.seq, hash: tail.hash, records: tail.seq };
  try {
    writeAnchor(files.anchorPath, files.environment, { start: judged.start, head: committed, pending: head }, key, false, judged.created);
  } catch (e) {
    if (judged.created) removeQuietly(files.markerPath);
    throw e;
  }
}

/**
 * The start id to anchor an append under, or why not: then the records are appended (never
 * dropped) but the anchor is left where it was, so an append never blesses records added or
 * removed by someone without the key, and `verify` keeps reporting it. A log with no record,
 * no anchor and no start marker is new: its start marker is written here, before its first record.
 */
function chainStart(files: ChainFiles, tail: Tail, key: Buffer | undefined, durable: boolean): { start: string; created?: true } | { reason: string } {
  const { anchorPath, markerPath, environment } = files;
  const judged = judgeChain(tail, readAnchor(anchorPath, environment, key), readStartMarker(markerPath, environment, key));
  if (!("needsMarker" in judged)) return judged;
  const start = writeStartMarker(markerPath, environment, key, durable, files.keyProvider?.());
  if (durable) fsyncDir(dirname(markerPath));
  // A v1 anchor being upgraded exists already; only a new chain creates its anchor.
  return judged.needsMarker === "new chain" ? { start, created: true } : { start };
}

interface Tail {
  seq: number;
  hash: string;
  /** The file ends in a partial line. */
  torn: boolean;
}

const FIRST_WINDOW = 16 * 1024;

/** The last complete record's seq and hash, reading backwards from the end in growing windows. */
function readTail(fd: number, size: number, path: string): Tail {
  if (size === 0) return { seq: 0, hash: GENESIS_HASH, torn: false };
  let window = Math.min(size, FIRST_WINDOW);
  let torn = false;
  for (;;) {
    const buf = Buffer.alloc(window);
    let n: number;
    try {
      n = readSync(fd, buf, 0, window, size - window);
    } catch (e) {
      throw new HushError("READ_FAILED", `Cannot read the end of the audit log ${path}.`, { cause: e });
    }
    if (n !== window) throw new HushError("READ_FAILED", `The audit log ${path} changed size while it was read under the lock.`);
    if (window === Math.min(size, FIRST_WINDOW)) torn = buf[window - 1] !== 10;
    const pieces = buf.toString("utf8").split("\n");
    pieces.pop(); // after the last newline: "" or the partial line
    if (window < size) pieces.shift(); // may start mid-line
    for (let i = pieces.length - 1; i >= 0; i--) {
      const record = parseRecord(pieces[i]!);
      if (record) return { seq: record.seq, hash: record.hash, torn };
    }
    if (window === size) {
      throw new HushError("AUDIT_FAILED", `The audit log ${path} holds no readable record to chain from; run \`hush audit verify\`.`, {
        hint: "Move the damaged log aside (keep it as evidence); hush starts a new chain in a new file.",
      });
    }
    window = Math.min(size, window * 4);
  }
}

function parseRecord(text: string): { seq: number; hash: string } | undefined {
  if (text.length === 0) return undefined;
  try {
    const o: unknown = JSON.parse(text);
    return isAuditRecord(o) ? o : undefined;
  } catch (_e) {
    // A damaged line: keep looking further back.
    return undefined;
  }
}

/** One write() call; on error or a short write, cut the file back to `oldSize`. */
function writeAll(fd: number, bytes: Buffer, oldSize: number, path: string): void {
  let n: number;
  try {
    n = writeSync(fd, bytes, 0, bytes.length);
  } catch (e) {
    undo(fd, oldSize);
    throw new HushError("WRITE_FAILED", `Cannot append to the audit log ${path}.`, { cause: e });
  }
  if (n !== bytes.length) {
    undo(fd, oldSize);
    throw new HushError("WRITE_FAILED", `Short write to the audit log ${path} (${n} of ${bytes.length} bytes; disk full?).`);
  }
}

function syncOrUndo(fd: number, oldSize: number, path: string): void {
  try {
    fsyncSync(fd);
  } catch (e) {
    undo(fd, oldSize);
    throw new HushError("WRITE_FAILED", `Cannot flush the audit log ${path} to disk.`, { cause: e });
  }
}

function undo(fd: number, oldSize: number): void {
  try {
    ftruncateSync(fd, oldSize);
  } catch (_e) {
    // Cannot cut back (read-only now?): the next append seals the partial line and verify reports it.
  }
}
