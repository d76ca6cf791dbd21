/**
 * Reading a file that decides what hush does (hush.yaml, `.env`, an input file): refused
 * before a byte is read when it is not a regular file (a FIFO would hang hush, `/dev/zero`
 * would fill memory), larger than the caller's bound, or owned by someone other than the
 * effective user or root (FAULTS 25, 28: another local user's `/tmp/.env` must never reach
 * `hush run`). The descriptor is opened with O_NONBLOCK, so opening a FIFO cannot block, and
 * the checks are made on the open descriptor (fstat), so the file checked is the file read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { HushError } from "../errors.js";

/** Options of {@link readTrustedFile}. */
export interface ReadTrustedFileOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the file is, for messages ("hush.yaml", "the .env file"). */
  what: string;
  /** Refuse a file owned by another user (root excepted). @default true */
  ownedBySelf?: boolean;
  /** Named in errors. */
  source?: string;
}

/** The file's bytes, or undefined when it does not exist. Throws a HushError for every other failure. */
export function readTrustedFile(path: string, options: ReadTrustedFileOptions): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read ${options.what} ${path}.`, { cause: e, source: options.source });
  }
  try {
    const st = fstatSync(fd);
    assertTrusted(path, st, options);
    const buffer = Buffer.alloc(st.size + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > options.maxBytes) throw tooLarge(path, options);
    return buffer.subarray(0, length);
  } catch (e) {
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read ${options.what} ${path}.`, { cause: e, source: options.source });
  } finally {
    closeSync(fd);
  }
}

/** Whether `uid` may own a file hush acts on: the effective user, or root. */
export function isTrustedOwner(uid: number): boolean {
  const self = process.geteuid?.();
  return self === undefined || uid === self || uid === 0;
}

// --- internal ---

function assertTrusted(path: string, st: Stats, options: ReadTrustedFileOptions): void {
  if (!st.isFile()) {
    throw new HushError("READ_FAILED", `${options.what} ${path} is not a regular file (a FIFO, device or folder); hush reads only regular files.`, {
      source: options.source,
      hint: "Point hush at a regular file.",
    });
  }
  if (st.size > options.maxBytes) throw tooLarge(path, options);
  if (options.ownedBySelf !== false && !isTrustedOwner(st.uid)) {
    throw new HushError("INSECURE_PERMISSIONS", `${options.what} ${path} is owned by uid ${st.uid}, not by you (uid ${process.geteuid?.()}); hush does not use a file another user controls.`, {
      source: options.source,
      hint: `If the file is yours, \`chown ${process.geteuid?.()} ${path}\`; otherwise work from a folder of your own.`,
    });
  }
}

function tooLarge(path: string, options: ReadTrustedFileOptions): HushError {
  return new HushError("LIMIT_EXCEEDED", `${options.what} ${path} is larger than ${options.maxBytes} bytes.`, { source: options.source });
}
