/**
 * The fast pass of `verify`: one read of the log, hashing each v2 line's raw bytes (record.ts)
 * and reading only `seq` and `prev` at the front of the line and the hash at its end; nothing is
 * parsed as JSON. It answers only "the chain is whole": seqs 1, 2, 3, ... in order, each `prev`
 * the hash of the line before, each hash that of its line. Anything else (an edited, missing,
 * reordered or malformed line, a last line cut short, a v2 line not in hush's exact form) makes
 * it give up, and verify's full pass (verify.ts) says what and where. A v1 line (an older hush)
 * is parsed and checked the v1 way, in the same pass.
 *
 * What it does not do: parse the fields between `prev` and `hash`. Every byte of them is
 * hashed, so a line that is not a well-formed record passes only if someone re-hashed it (and
 * every line after it), which is the attack the anchor's MAC catches, as it catches any
 * re-hashed edit; without the key, neither pass can tell.
 */
import * as crypto from "node:crypto";
import { hashRecord, V2_HASH_SUFFIX_BYTES, V2_PREFIX } from "./record.js";
import { parseLine } from "./read.js";
import { scanLines } from "./scan-lines.js";

/** What a whole chain holds (the shape verify.ts's checks of the anchor and the mirror read). */
export interface WholeChain {
  lines: number;
  records: number;
  lastSeq: number;
  /** Hash of each wanted seq. */
  hashAt: Map<number, string>;
  /** Records up to and including each wanted seq. */
  countAt: Map<number, number>;
}

/**
 * The chain of the first `bytes` bytes of the log at `path` when it is whole, else undefined
 * (then run the full pass). `wanted`: seqs whose hash and count the caller needs.
 */
export async function checkWholeChain(path: string, bytes: number | undefined, wanted: ReadonlySet<number>): Promise<WholeChain | undefined> {
  const chain: WholeChain = { lines: 0, records: 0, lastSeq: 0, hashAt: new Map(), countAt: new Map() };
  if (bytes === undefined) return chain;
  let prev: Buffer = Buffer.alloc(32); // the genesis hash: 64 zeros
  let broken = false;

  const scan = await scanLines(path, bytes, (buf, start, end, complete) => {
    if (!complete) return false;
    const seq = chain.lastSeq + 1;
    const digest = isV2At(buf, start) ? checkV2Line(buf, start, end, seq, prev) : checkV1Line(buf, start, end, seq, prev);
    if (digest === undefined) {
      broken = true;
      return false;
    }
    prev = digest;
    chain.lastSeq = seq;
    chain.records++;
    if (wanted.has(seq)) {
      chain.hashAt.set(seq, digest.toString("hex"));
      chain.countAt.set(seq, chain.records);
    }
    return true;
  });
  if (broken || scan.stopped || scan.trailing > 0) return undefined;
  chain.lines = scan.lines;
  return chain;
}

// --- internal ---

const PREFIX = Buffer.from(V2_PREFIX, "latin1");
const PREV_FIELD = Buffer.from(',"prev":"', "latin1");
const HASH_FIELD = Buffer.from(',"hash":"', "latin1");

/** Hex digit values of lower-case hex (hush writes no other), -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** One-shot `crypto.hash` (Node >= 20.12) costs a third of a Hash object per line. */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: Uint8Array, encoding: "buffer") => Buffer }).hash;
const sha256 = oneShot ? (data: Uint8Array) => oneShot("sha256", data, "buffer") : (data: Uint8Array) => crypto.createHash("sha256").update(data).digest();

function isV2At(buf: Buffer, start: number): boolean {
  for (let i = 0; i < PREFIX.length; i++) if (buf[start + i] !== PREFIX[i]) return false;
  return true;
}

function matchesAt(buf: Buffer, at: number, what: Buffer): boolean {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** True when the 64 hex digits at `at` spell `digest`. */
function hexIs(buf: Buffer, at: number, digest: Buffer): boolean {
  for (let i = 0; i < 32; i++) {
    const hi = HEX[buf[at + 2 * i]!]!;
    const lo = HEX[buf[at + 2 * i + 1]!]!;
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== digest[i]) return false;
  }
  return true;
}

/** A v2 line at `seq` after `prev`: its hash, or undefined when anything is off. */
function checkV2Line(buf: Buffer, start: number, end: number, seq: number, prev: Buffer): Buffer | undefined {
  const bodyEnd = end - V2_HASH_SUFFIX_BYTES;
  // `seq` as written: digits, no leading zero.
  let at = start + PREFIX.length;
  let n = 0;
  const first = at;
  while (at < bodyEnd && buf[at]! >= 48 && buf[at]! <= 57 && at - first < 16) n = n * 10 + (buf[at++]! - 48);
  if (n !== seq || at === first || (buf[first] === 48 && at - first > 1)) return undefined;
  if (!matchesAt(buf, at, PREV_FIELD)) return undefined;
  at += PREV_FIELD.length;
  if (at + 65 > bodyEnd || buf[at + 64] !== 34 || !hexIs(buf, at, prev)) return undefined;
  if (!matchesAt(buf, bodyEnd, HASH_FIELD) || buf[end - 2] !== 34 || buf[end - 1] !== 125) return undefined;
  const digest = sha256(buf.subarray(start, bodyEnd));
  return hexIs(buf, bodyEnd + HASH_FIELD.length, digest) ? digest : undefined;
}

/** A v1 line (an older hush's): parsed and hashed the v1 way. */
function checkV1Line(buf: Buffer, start: number, end: number, seq: number, prev: Buffer): Buffer | undefined {
  const record = parseLine(buf.subarray(start, end), 0, 0, true).record;
  if (record === undefined || record.v !== undefined || record.seq !== seq || record.prev !== prev.toString("hex")) return undefined;
  if (!/^[0-9a-f]{64}$/.test(record.hash) || hashRecord(record) !== record.hash) return undefined;
  return Buffer.from(record.hash, "hex");
}
