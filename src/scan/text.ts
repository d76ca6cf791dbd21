/**
 * Turning file bytes into text, and offsets into lines and columns.
 */
import { isAscii } from "node:buffer";

/** How many leading bytes are checked for NUL to call a file binary (as git does). */
export const BINARY_SNIFF_BYTES = 8192;

/**
 * Decodes file bytes: a UTF-16 LE/BE byte-order mark selects UTF-16, a UTF-8 BOM is
 * dropped, and otherwise a NUL byte in the first 8 KiB marks the file binary
 * (`undefined`). Everything else is read as UTF-8.
 */
export function decodeText(buf: Buffer): string | undefined {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const body = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    return body.swap16().toString("utf16le");
  }
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const nul = buf.indexOf(0, start);
  if (nul !== -1 && nul < BINARY_SNIFF_BYTES) return undefined;
  // Pure ASCII (most source) decodes as latin1: same text, and V8 copies it without a UTF-8 pass.
  return isAscii(buf) ? buf.toString("latin1", start) : buf.toString("utf8", start);
}

/** Maps offsets of one text to 1-based lines and columns; built on first use. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  /** 1-based line and column of `offset`. */
  locate(offset: number): { line: number; column: number } {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** The text of 1-based line `line`, without its line ending. */
  lineText(line: number): string | undefined {
    const starts = this.lineStarts();
    const start = starts[line - 1];
    if (start === undefined) return undefined;
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text[end - 1] === "\r") end--;
    // Long lines (minified files) are cut: only allow comments near the start matter.
    return this.text.slice(start, Math.min(end, start + 4096));
  }

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    let i = -1;
    while ((i = this.text.indexOf("\n", i + 1)) !== -1) starts.push(i + 1);
    return (this.starts = starts);
  }
}
