/**
 * Reading an audit log back, line by line with byte offsets, for `verify`, `log`, `report` and
 * `review`. Streams the file, so a large log is never held whole in memory.
 */
import { createReadStream } from "node:fs";
import { HushError } from "../errors.js";
import { isAuditRecord, type AuditRecord } from "./record.js";
import type { UnreadableTally } from "./unreadable-lines.js";

/** One line of the log as read. */
export interface AuditLine {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** False for a last line without its newline (cut short). */
  complete: boolean;
  /** Its length in bytes, without the newline. */
  bytes: number;
  /** The record, when the line parses as one (its hash is not checked here). */
  record?: AuditRecord;
  /** Why the line is not a record. Never quotes the line. */
  problem?: string;
}

/**
 * Longest line accepted (without its newline). Records are a few hundred bytes, but fields such
 * as the actor's command are written as given, so a record may be long; a longer line is
 * reported (verify: a problem; log, report and review: a line that is not a record, by number and
 * length), never skipped quietly.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Options of {@link readAuditLines}. */
export interface ReadAuditLinesOptions {
  /** Read only the first `bytes` bytes (a size taken under the log's lock). @default the whole file */
  bytes?: number;
}

/**
 * Yields every line of the log at `path`. A missing file yields nothing.
 * @example for await (const l of readAuditLines(".secrets/audit.dev.jsonl")) if (l.record) use(l.record);
 */
export async function* readAuditLines(path: string, options: ReadAuditLinesOptions = {}): AsyncGenerator<AuditLine> {
  if (options.bytes === 0) return;
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: 256 * 1024, end: options.bytes === undefined ? undefined : options.bytes - 1 });
    await new Promise<void>((resolve, reject) => {
      stream!.once("open", () => resolve());
      stream!.once("error", reject);
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new HushError("READ_FAILED", `Cannot read the audit log ${path}.`, { cause: e });
  }
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  let line = 0;
  let skipping: AuditLine | undefined; // a line too long to keep: reported once its end (and length) is found
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      if (skipping) {
        const nl = buf.indexOf(10);
        skipping.bytes += nl === -1 ? buf.length : nl;
        if (nl === -1) continue;
        yield skipping;
        offset = skipping.offset + skipping.bytes + 1;
        start = nl + 1;
        skipping = undefined;
      }
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        yield nl - start > MAX_LINE_BYTES ? tooLong(++line, offset, nl - start) : parseLine(buf.subarray(start, nl), ++line, offset, true);
        offset += nl - start + 1;
        start = nl + 1;
      }
      buf = buf.subarray(start);
      if (buf.length > MAX_LINE_BYTES) {
        skipping = tooLong(++line, offset, buf.length);
        buf = Buffer.alloc(0);
      }
      carry = Buffer.from(buf);
    }
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read the audit log ${path}.`, { cause: e });
  }
  if (skipping) yield skipping; // the last line, too long and without its newline
  else if (carry.length > 0) yield parseLine(carry, ++line, offset, false);
}

/** Options of {@link readAuditRecords}. */
export interface ReadAuditRecordsOptions {
  /** Where the lines that are not records are counted (see unreadable-lines.ts). @default not counted */
  unreadable?: UnreadableTally;
}

/**
 * Every well-formed record of the log, in file order. A line that is not a record is not
 * yielded: pass `unreadable` to learn which (line numbers and lengths, never the content), as
 * every hush reader does, and say so; the log is tamper-evident and a skipped line may matter.
 * @example const unreadable = createUnreadableTally(); for await (const r of readAuditRecords(path, { unreadable })) use(r);
 */
export async function* readAuditRecords(path: string, options: ReadAuditRecordsOptions = {}): AsyncGenerator<AuditRecord> {
  for await (const l of readAuditLines(path)) {
    if (l.record) yield l.record;
    else options.unreadable?.add(l.line, l.bytes, l.problem!, l.complete);
  }
}

/** Parses one line (without its newline). */
export function parseLine(buf: Buffer, line: number, offset: number, complete: boolean): AuditLine {
  const bytes = buf.length;
  if (bytes === 0) return { line, offset, complete, bytes, problem: "an empty line" };
  let o: unknown;
  try {
    o = JSON.parse(buf.toString("utf8"));
  } catch (_e) {
    // JSON.parse's message quotes the input; report the fact only.
    return { line, offset, complete, bytes, problem: complete ? "not valid JSON" : "cut short (no newline, not valid JSON)" };
  }
  if (!isAuditRecord(o)) return { line, offset, complete, bytes, problem: "not an audit record (fields missing or of the wrong type)" };
  return { line, offset, complete, bytes, record: o };
}

// --- internal ---

function tooLong(line: number, offset: number, bytes: number): AuditLine {
  return { line, offset, complete: true, bytes, problem: `a line longer than ${MAX_LINE_BYTES} bytes` };
}
