/**
 * Scanning a text too large to hold at once (a 70 MB file, stdin) in overlapping windows.
 * Each window is decoded and run through the detector; a finding belongs to the window in
 * which it starts before the overlap, so a key across a window boundary is found once. The
 * overlap is longer than any managed form and any rule's match and look-ahead; a look-behind
 * margin keeps the context before a match (the assignment rule's line start) in view.
 */
import type { Detector, TextFinding } from "./detect.js";
import { decodeAs, LineIndex, sniffEncoding, type SniffedText, type TextEncoding } from "./text.js";

/** Bytes decoded and scanned at a time. */
export const WINDOW_BYTES = 8 * 1024 * 1024;
/** Bytes of context kept before a window's first owned byte. */
const LOOK_BEHIND = 4096;
/** The least overlap: rules match at most a few hundred characters and look 600 ahead. */
const MIN_OVERLAP = 64 * 1024;

/** A finding of a windowed scan, placed by line and column in the whole text. */
export interface PlacedFinding {
  finding: TextFinding;
  line: number;
  column: number;
  /** The text of its line (cut), and of the line before, for inline allow comments. */
  lineText: string;
  previousLine: string | undefined;
}

/** What {@link scanWindows} returns. */
export interface WindowedResult {
  bytes: number;
  /** True when the first bytes say binary: nothing was scanned. */
  binary: boolean;
  findings: PlacedFinding[];
}

/**
 * Scans `chunks` (a file's read stream, stdin, or one large buffer) window by window.
 *
 * @example
 * const { findings } = await scanWindows(createReadStream(path), detector);
 */
export async function scanWindows(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>, detector: Detector, window = WINDOW_BYTES): Promise<WindowedResult> {
  const overlap = Math.max(MIN_OVERLAP, 4 * detector.longestManaged + 1024);
  const keep = overlap + LOOK_BEHIND;
  const state: State = { parts: [], length: 0, total: 0, sniffed: undefined, own: 0, lines: 0, lineStart: 0, base: 0, findings: [] };
  for await (const chunk of chunks) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    state.parts.push(buf);
    state.length += buf.length;
    state.total += buf.length;
    while (state.length >= window + keep) {
      if (!sniff(state)) return { bytes: state.total, binary: true, findings: [] };
      scanWindow(state, detector, window + keep, keep, false);
    }
  }
  if (!sniff(state)) return { bytes: state.total, binary: true, findings: [] };
  scanWindow(state, detector, state.length, keep, true);
  return { bytes: state.total, binary: false, findings: state.findings };
}

// --- internal ---

interface State {
  parts: Buffer[];
  length: number;
  total: number;
  sniffed: SniffedText | undefined;
  /** Offset, in the pending bytes, of the first byte whose findings this window owns. */
  own: number;
  /** Newlines before the pending bytes, and the absolute offset just after the last of them. */
  lines: number;
  lineStart: number;
  /** Absolute offset of the first pending byte. */
  base: number;
  findings: PlacedFinding[];
}

function pending(state: State): Buffer {
  if (state.parts.length !== 1) state.parts = [Buffer.concat(state.parts, state.length)];
  return state.parts[0]!;
}

/** Decides text or binary on the first window; drops a byte-order mark. False for binary. */
function sniff(state: State): boolean {
  if (state.sniffed) return true;
  const buf = pending(state);
  state.sniffed = sniffEncoding(buf);
  if (!state.sniffed) return false;
  const bom = state.sniffed.bom;
  state.parts = [buf.subarray(bom)];
  state.length -= bom;
  state.base = state.lineStart = bom;
  return true;
}

function scanWindow(state: State, detector: Detector, size: number, keep: number, final: boolean): void {
  const { encoding } = state.sniffed!;
  const all = pending(state);
  const bytes = all.subarray(0, size);
  const text = decodeAs(bytes, encoding);
  const cut = final ? bytes.length : boundary(bytes, bytes.length - keep, encoding);
  const ownChar = state.own === 0 ? 0 : decodeAs(bytes.subarray(0, state.own), encoding).length;
  const cutChar = final ? text.length : decodeAs(bytes.subarray(0, cut), encoding).length;
  let index: LineIndex | undefined;
  for (const f of detector.detect(text)) {
    if (f.offset < ownChar || f.offset >= cutChar) continue;
    index ??= new LineIndex(text);
    const at = index.locate(f.offset);
    // A line that began before this window: its column counts from the line's real start.
    const column = at.line === 1 && state.base > state.lineStart ? state.base - state.lineStart + at.column : at.column;
    state.findings.push({ finding: f, line: state.lines + at.line, column, lineText: index.lineText(at.line) ?? "", previousLine: at.line > 1 ? index.lineText(at.line - 1) : undefined });
  }
  if (final) return;
  const drop = boundary(bytes, cut - LOOK_BEHIND, encoding);
  countLines(state, bytes.subarray(0, drop), encoding);
  state.parts = [all.subarray(drop)];
  state.length -= drop;
  state.base += drop;
  state.own = cut - drop;
}

/** `at`, moved forward to the start of a character (UTF-8) or a code unit (UTF-16). */
function boundary(bytes: Buffer, at: number, encoding: TextEncoding): number {
  if (encoding !== "utf8") return at & ~1;
  while (at < bytes.length && (bytes[at]! & 0xc0) === 0x80) at++;
  return at;
}

function countLines(state: State, dropped: Buffer, encoding: TextEncoding): void {
  const step = encoding === "utf8" ? 1 : 2;
  const zeroAt = encoding === "utf16le" ? 1 : -1; // where the zero byte of a UTF-16 "\n" sits
  const nlAt = encoding === "utf16be" ? 1 : 0;
  for (let i = nlAt; i < dropped.length; i += step) {
    if (dropped[i] !== 0x0a) continue;
    if (step === 2 && dropped[i + zeroAt] !== 0) continue;
    state.lines++;
    state.lineStart = state.base + i + (step === 2 ? 2 - nlAt : 1);
  }
}
