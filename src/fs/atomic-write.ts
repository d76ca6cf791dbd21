/**
 * Atomic file replacement: the reader sees the old file or the new one, never a mix, even if
 * the process is killed (SIGKILL) at any instant or the disk fills up (FAULTS 9, 10).
 *
 * Recipe: a temp file in the same folder (`.<base>.tmp-<pid>-<random>`), opened
 * O_CREAT|O_EXCL|O_WRONLY with its final mode (never chmod afterwards, so it is never wider for
 * an instant), every byte written, fsync, close, rename over the target, fsync the folder so
 * the rename itself survives a power cut. On any failure the temp file is removed and the old
 * file is left untouched. A temp file left by a killed writer is removed by
 * {@link sweepStaleTemps} once its writer's pid is gone.
 */
import * as nodeFs from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { HushError } from "../errors.js";

/** The file-system calls the writer makes; tests replace some of them to inject ENOSPC, EROFS, ... */
export interface AtomicWriteFs {
  openSync(path: string, flags: number, mode: number): number;
  writeSync(fd: number, buffer: Buffer, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Mode of the new file, given to open(2). @default 0o600 */
  mode?: number;
  /**
   * Called after the temp file is complete and synced, just before the rename. A HushError it
   * throws is passed on unchanged (e.g. CONCURRENT_MODIFICATION); any other error becomes
   * WRITE_FAILED. Either way the temp file is removed and the target is untouched.
   * @default undefined
   */
  beforeRename?: (tempPath: string) => void | Promise<void>;
  /** Replaces some file-system calls, for fault-injection tests. @default node:fs */
  fs?: Partial<AtomicWriteFs>;
}

/**
 * Replaces `path` with `data` atomically and durably. Throws WRITE_FAILED (its `causeCode` is
 * the errno code, its message names the path and the step, never the data); the old file is
 * then byte-identical and no temp file is left.
 *
 * @example
 * await writeFileAtomic(".secrets/dev.store", text);
 */
export async function writeFileAtomic(path: string, data: string | Buffer, options: WriteFileAtomicOptions = {}): Promise<void> {
  const fs: AtomicWriteFs = { ...DEFAULT_FS, ...options.fs };
  const dir = dirname(path);
  const temp = tempPathFor(path);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let step = "create the temp file";
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = fs.openSync(temp, nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | nodeFs.constants.O_WRONLY, options.mode ?? 0o600);
    step = "write";
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    step = "fsync";
    fs.fsyncSync(fd);
    step = "close";
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    if (options.beforeRename) {
      step = "check before rename";
      await options.beforeRename(temp);
    }
    step = "rename";
    fs.renameSync(temp, path);
    renamed = true;
    step = "fsync the folder";
    syncDir(fs, dir);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fs, fd);
    if (!renamed) removeQuietly(fs, temp);
    if (e instanceof HushError) throw e;
    const after = renamed ? " The new content is in place but may not survive a power cut." : " The old file is unchanged.";
    throw new HushError("WRITE_FAILED", `Cannot write ${path}: ${step} failed (${errnoOf(e)}).${after}`, { cause: e });
  }
}

/**
 * Removes temp files of `base` in `dir` whose writer process is gone (its pid no longer
 * exists). A temp file whose pid is alive is never touched: it may belong to a writer at
 * work. Returns how many were removed.
 *
 * Limits: the pid test is for one host; on a folder shared between hosts (NFS) a temp file of
 * a dead writer on another host whose pid happens to be alive here stays until that pid ends.
 * A temp file whose dead writer's pid was reused by a live process stays until that one ends.
 */
export function sweepStaleTemps(dir: string, base: string): number {
  let entries: string[];
  try {
    entries = nodeFs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw new HushError("READ_FAILED", `Cannot list ${dir} to remove stale temp files.`, { cause: e });
  }
  const prefix = `.${base}.tmp-`;
  let removed = 0;
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]+$/.exec(entry.slice(prefix.length));
    if (!match || isProcessAlive(Number(match[1]))) continue;
    // Only files are ours to remove: a folder (or anything else) with such a name is left alone,
    // and does not block the write that swept.
    if (!nodeFs.lstatSync(join(dir, entry), { throwIfNoEntry: false })?.isFile()) continue;
    try {
      nodeFs.unlinkSync(join(dir, entry));
      removed++;
    } catch (e) {
      // Another sweeper removed it first: the goal is reached.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("WRITE_FAILED", `Cannot remove the stale temp file ${join(dir, entry)}.`, { cause: e });
    }
  }
  return removed;
}

/** True unless `pid` certainly does not exist on this host (kill(pid, 0) gives ESRCH). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user. Only ESRCH proves it is gone.
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** The temp file name this process would use next for `path` (exported for tests). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

// --- internal ---

const DEFAULT_FS: AtomicWriteFs = {
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length) => nodeFs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
};

function syncDir(fs: AtomicWriteFs, dir: string): void {
  const fd = fs.openSync(dir, nodeFs.constants.O_RDONLY | nodeFs.constants.O_DIRECTORY, 0);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function closeQuietly(fs: AtomicWriteFs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch (_e) {
    // The write already failed and that error is the one to report; a failing close adds nothing.
  }
}

function removeQuietly(fs: AtomicWriteFs, temp: string): void {
  try {
    fs.unlinkSync(temp);
  } catch (_e) {
    // ENOENT: open never created it. Anything else: the temp stays and sweepStaleTemps removes
    // it once this process has ended; the original error is the one to report.
  }
}

function errnoOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown error";
}
