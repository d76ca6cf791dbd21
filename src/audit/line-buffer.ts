/**
 * The bytes of one append to the JSONL log: its records chained after the log's tail, encoded
 * as UTF-8 lines straight into one reused buffer (building one long string first and converting
 * it costs more than hashing the records), the last line sealing the others (record.ts).
 */
import { createHash } from "node:crypto";
import { encodeRecord, type AuditEntry } from "./record.js";
import type { AnchorHead } from "./anchor.js";

/** Largest line buffer kept between appends (a huge batch grows it; the next append shrinks it). */
const MAX_KEPT_BUFFER = 4 * 1024 * 1024;

/**
 * Encodes `entries` chained after `tail` into `buffer` (after a newline that ends a torn last
 * line, when `tail.torn`); returns the buffer and the head the append leaves.
 */
export function encodeAppend(buffer: LineBuffer, entries: readonly AuditEntry[], tail: { seq: number; hash: string; torn: boolean }): { buffer: LineBuffer; head: AnchorHead } {
  if (tail.torn) buffer.push("");
  const sealFrom = buffer.size;
  let seq = tail.seq;
  let prev = tail.hash;
  const lastIndex = entries.length - 1;
  for (let i = 0; i <= lastIndex; i++) {
    // The last line seals the append's earlier lines: verify hashes them in one call.
    const seal = i === lastIndex ? createHash("sha256").update(buffer.bytesFrom(sealFrom)).digest("hex") : undefined;
    const { line, hash } = encodeRecord(entries[i]!, ++seq, prev, seal);
    buffer.push(line);
    prev = hash;
  }
  return { buffer, head: { seq, hash: prev, records: seq } };
}

/** Lines (each followed by "\n") encoded as UTF-8 into one growing buffer. */
export class LineBuffer {
  private buf: Buffer;
  private length = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }
  reset(): this {
    this.length = 0;
    if (this.buf.length > MAX_KEPT_BUFFER) this.buf = Buffer.allocUnsafe(MAX_KEPT_BUFFER);
    return this;
  }
  push(line: string): void {
    const worst = line.length * 3 + 1; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (this.buf.length - this.length < worst) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + worst));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.length += this.buf.write(line, this.length, "utf8");
    this.buf[this.length++] = 10;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
  bytesFrom(start: number): Buffer {
    return this.buf.subarray(start, this.length);
  }
  get size(): number {
    return this.length;
  }
}

