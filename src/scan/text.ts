/**
 * Turning file bytes into text, and offsets into lines and columns.
 */
import { isAscii, isUtf8 } from "node:buffer";

/** How many leading bytes are looked at to tell text from binary and to find the encoding. */
export const BINARY_SNIFF_BYTES = 8192;

/** The encodings the scanner reads. */
export type TextEncoding = "utf8" | "utf16le" | "utf16be";

/** The control bytes text never holds (all C0 controls but tab, LF, VT, FF, CR and ESC). */
// eslint-disable-next-line no-control-regex -- control bytes are what it looks for
const CONTROL_BYTE = /[\x00-\x08\x0e-\x1a\x1c-\x1f]/;

/** What {@link sniffEncoding} decided: the encoding and the length of its byte-order mark. */
export interface SniffedText {
  encoding: TextEncoding;
  bom: number;
}

/**
 * Text or binary, and which encoding, from the first 8 KiB: a UTF-16 or UTF-8 byte-order mark
 * decides; UTF-16 without a BOM is recognised by its zero bytes at every other position.
 * Otherwise a file is binary when more than a tenth of its first bytes are control bytes
 * (NUL and the C0 controls that text never holds), or when it holds several NUL bytes and is
 * not UTF-8. One stray NUL (a leading NUL byte, say) does not make a file binary: it would
 * hide the rest of it from the scan. Returns undefined for binary.
 */
export function sniffEncoding(buf: Buffer): SniffedText | undefined {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { encoding: "utf16le", bom: 2 };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { encoding: "utf16be", bom: 2 };
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const sniff = buf.subarray(bom, bom + BINARY_SNIFF_BYTES);
  // Most text: no NUL byte (so not UTF-16) and no control byte, found by native searches; the
  // byte loops below cost ~4 ns a byte, a sixth of a scan of source files (bench/scan.bench.mjs).
  if (sniff.indexOf(0) === -1 && !CONTROL_BYTE.test(sniff.toString("latin1"))) return { encoding: "utf8", bom };
  const utf16 = sniffUtf16(sniff);
  if (utf16 !== undefined) return { encoding: utf16, bom };
  let control = 0;
  let nul = 0;
  for (let i = 0; i < sniff.length; i++) {
    const b = sniff[i]!;
    if (b >= 0x20) continue;
    if (b === 0) nul++;
    if (b < 0x09 || (b > 0x0d && b !== 0x1b)) control++;
  }
  if (control * 10 > sniff.length || (nul > 1 && !utf8Prefix(sniff))) return undefined;
  return { encoding: "utf8", bom };
}

/** Decodes bytes (without their BOM) in the given encoding; UTF-16 is cut to whole code units. */
export function decodeAs(buf: Buffer, encoding: TextEncoding): string {
  if (encoding === "utf16le") return buf.toString("utf16le", 0, buf.length & ~1);
  if (encoding === "utf16be") return Buffer.from(buf.subarray(0, buf.length & ~1)).swap16().toString("utf16le");
  // Pure ASCII (most source) decodes as latin1: same text, and V8 copies it without a UTF-8 pass.
  return isAscii(buf) ? buf.toString("latin1") : buf.toString("utf8");
}

/** Decodes file bytes as {@link sniffEncoding} decides; undefined for binary. */
export function decodeText(buf: Buffer): string | undefined {
  const sniffed = sniffEncoding(buf);
  return sniffed === undefined ? undefined : decodeAs(buf.subarray(sniffed.bom), sniffed.encoding);
}

/** A decoded text, with its bytes when they are its code units one to one (ASCII text). */
export interface DecodedText {
  text: string;
  /** The bytes the text was decoded from, when each is one code unit; a view of the input. */
  bytes?: Uint8Array;
}

/** {@link decodeText}, keeping the bytes of an ASCII text: the detector reads them faster than the string. */
export function decodeTextKeepingBytes(buf: Buffer): DecodedText | undefined {
  // ASCII (most source; no BOM can be ASCII): decoded once, and the sniff's test for control
  // bytes runs on the text itself, where sniffEncoding would decode the first 8 KiB again.
  if (isAscii(buf)) {
    const text = buf.toString("latin1");
    if (!CONTROL_BYTE.test(text.length > BINARY_SNIFF_BYTES ? text.slice(0, BINARY_SNIFF_BYTES) : text)) return { text, bytes: buf };
  }
  const sniffed = sniffEncoding(buf);
  if (sniffed === undefined) return undefined;
  const body = buf.subarray(sniffed.bom);
  if (sniffed.encoding === "utf8" && isAscii(body)) return { text: body.toString("latin1"), bytes: body };
  return { text: decodeAs(body, sniffed.encoding) };
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

// --- internal ---

/**
 * UTF-16 without a BOM: mostly-ASCII text has a zero high byte in nearly every code unit, at
 * odd offsets (LE) or even ones (BE), and almost never at the other.
 */
function sniffUtf16(sniff: Buffer): TextEncoding | undefined {
  const units = sniff.length >> 1;
  if (units < 2) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i + 1 < sniff.length; i += 2) {
    if (sniff[i] === 0) evenZero++;
    if (sniff[i + 1] === 0) oddZero++;
  }
  if (oddZero >= units * 0.6 && evenZero <= units * 0.05) return "utf16le";
  if (evenZero >= units * 0.6 && oddZero <= units * 0.05) return "utf16be";
  return undefined;
}

/** True when `sniff` is UTF-8, allowing a character cut at its end. */
function utf8Prefix(sniff: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < sniff.length; cut++) if (isUtf8(sniff.subarray(0, sniff.length - cut))) return true;
  return false;
}
