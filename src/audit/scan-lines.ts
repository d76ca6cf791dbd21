/**
 * Reading a log as raw lines in large chunks, for the fast passes of `verify` and `report`: a
 * line is handed over as (buffer, start, end) without a string or a Buffer object of its own.
 * The streaming reader (read.ts) yields one object per line; at ten million lines that is most
 * of the time.
 */
import { open } from "node:fs/promises";
import { HushError } from "../errors.js";
import { MAX_LINE_BYTES } from "./read.js";

/**
 * Visits one line `buf[start, end)` (without its newline); return false to stop. `complete` is
 * false for a last line without its newline (cut short, or being written).
 */
export type LineVisitor = (buf: Buffer, start: number, end: number, complete: boolean) => boolean | void;

/** How the scan ended. */
export interface LineScan {
  /** Complete lines visited. */
  lines: number;
  /** Bytes after the last newline (a last line cut short), visited with `complete` false. */
  trailing: number;
  /** The visitor stopped the scan, or a line was longer than MAX_LINE_BYTES (not visited) and `onLongLine` was not given. */
  stopped: boolean;
  /** The 1-based number of the first line longer than MAX_LINE_BYTES; without `onLongLine` the scan stopped there and the rest was not read. */
  longLine?: number;
}

/**
 * Told of a line longer than MAX_LINE_BYTES (never visited), once its end is found: its 1-based
 * number and its length without the newline. Given, the scan goes on after it; else it stops.
 */
export type LongLineHandler = (line: number, bytes: number) => void;

/** One read: a line of MAX_LINE_BYTES and its newline fit, so every line up to it is read wherever it falls. */
const CHUNK = MAX_LINE_BYTES + 1;

/**
 * Scans the first `bytes` bytes (all when undefined) of the file at `path`. A missing file is
 * an empty scan. `onChunkEnd(buf, consumed)`: called when the bytes `buf[0, consumed)` (complete
 * lines already visited) are about to be overwritten by the next chunk.
 */
export async function scanLines(path: string, bytes: number | undefined, visit: LineVisitor, onChunkEnd?: (buf: Buffer, consumed: number) => void, onLongLine?: LongLineHandler): Promise<LineScan> {
  const scan: LineScan = { lines: 0, trailing: 0, stopped: false };
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return scan;
    throw new HushError("READ_FAILED", `Cannot read the audit log ${path}.`, { cause: e });
  }
  try {
    const limit = bytes ?? (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(CHUNK);
    let have = 0; // bytes in buf (a carried partial line first)
    let position = 0;
    let long: { line: number; bytes: number } | undefined; // a line too long to keep, being skipped (onLongLine)
    while (position < limit) {
      const { bytesRead } = await fh.read(buf, have, Math.min(CHUNK - have, limit - position), position);
      if (bytesRead === 0) break; // the file shrank: what is there is what we verify
      position += bytesRead;
      have += bytesRead;
      const view = buf.subarray(0, have);
      let start = 0;
      if (long) {
        const nl = view.indexOf(10);
        long.bytes += nl === -1 ? have : nl;
        if (nl === -1) {
          have = 0;
          continue;
        }
        onLongLine!(long.line, long.bytes);
        long = undefined;
        start = nl + 1;
      }
      for (let nl = view.indexOf(10, start); nl !== -1; nl = view.indexOf(10, start)) {
        scan.lines++;
        if (visit(view, start, nl, true) === false) {
          scan.stopped = true;
          return scan;
        }
        start = nl + 1;
      }
      // The buffer's complete lines are about to be overwritten: a caller hashing across lines takes them now.
      onChunkEnd?.(view, start);
      if (have - start > MAX_LINE_BYTES) {
        scan.longLine ??= scan.lines + 1;
        if (!onLongLine) {
          scan.stopped = true;
          return scan;
        }
        long = { line: ++scan.lines, bytes: have - start };
        have = 0;
        continue;
      }
      buf.copy(buf, 0, start, have);
      have -= start;
    }
    if (long) {
      onLongLine!(long.line, long.bytes); // the last line, too long and without its newline
      return scan;
    }
    scan.trailing = have;
    if (have > 0 && visit(buf, 0, have, false) === false) scan.stopped = true;
    return scan;
  } catch (e) {
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read the audit log ${path}.`, { cause: e });
  } finally {
    await fh.close();
  }
}
