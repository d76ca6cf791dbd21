/**
 * The fast pass of `verify`: one read of the log, nothing parsed as JSON. Each append's lines
 * are hashed in one call and compared with the `seal` on its last line; that line's own hash is
 * checked, and the first line after it must name it as `prev` (record.ts). Per line, only `seq`
 * is read (1, 2, 3, ... in order). Hashing line by line costs about 1 µs a line in Node, most
 * of it the call itself; an append's bytes in one call cost about a third of that.
 *
 * It answers only "the chain is whole". Anything else (an edited, missing, reordered or
 * malformed line, a seal or hash that does not match, a last line cut short, lines after the
 * last seal, a line not in hush's exact v2 form) makes it give up, and verify's full pass
 * (verify.ts) checks every record's hash and link and says what is wrong and where. A v1 line
 * (an older hush's) is parsed and checked alone, in the same pass.
 *
 * Why it is as strong as the full pass: every byte of every line is hashed into a seal or a
 * line hash, each seal into its line's hash, each sealed line's hash into the next append's
 * first `prev`, and the last into the anchor (MAC). The fields inside an append are not
 * re-derived one by one: a line that is not what hush wrote passes only if someone re-hashed it
 * and everything after it, which is the attack the anchor's MAC catches, as it catches any
 * re-hashed edit; without the key, neither pass can tell.
 */
import * as crypto from "node:crypto";
import { hashRecord, V2_HASH_SUFFIX_BYTES, V2_PREFIX, V2_SEAL_BYTES, V2_SEAL_FIELD } from "./record.js";
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
  let linkTo: Buffer = Buffer.alloc(32); // hash of the last sealed line: the genesis hash at first
  let mustLink = true; // the next line is the first of an append: its prev must be linkTo
  let rangeStart = 0; // where the open append's lines start in the current buffer
  let spilled: crypto.Hash | undefined; // its bytes from earlier buffers
  let open = 0; // lines of the open append seen so far
  let broken = false;

  const visit = (buf: Buffer, start: number, end: number, complete: boolean): boolean => {
    const seq = chain.lastSeq + 1;
    let own: Buffer | undefined;
    if (!complete) return false;
    if (!isV2At(buf, start)) {
      // v1: checked alone; it can only come between appends.
      own = open === 0 ? checkV1Line(buf, start, end, seq, linkTo) : undefined;
      if (own === undefined) return false;
      linkTo = own;
      mustLink = true;
      rangeStart = end + 1;
    } else {
      const at = seqEnd(buf, start, end, seq);
      if (at === undefined || !matchesAt(buf, at, PREV_FIELD) || buf[at + PREV_FIELD.length + 64] !== 34) return false;
      if (mustLink && !hexIs(buf, at + PREV_FIELD.length, linkTo)) return false;
      mustLink = false;
      const sealAt = end - V2_HASH_SUFFIX_BYTES - V2_SEAL_BYTES;
      if (sealAt > at && matchesAt(buf, sealAt, SEAL_FIELD) && buf[end - V2_HASH_SUFFIX_BYTES - 1] === 34) {
        const range = buf.subarray(rangeStart, start);
        const sealed = spilled ? spilled.update(range).digest() : sha256(range);
        if (!hexIs(buf, sealAt + SEAL_FIELD.length, sealed) || !matchesAt(buf, end - V2_HASH_SUFFIX_BYTES, HASH_FIELD) || buf[end - 2] !== 34 || buf[end - 1] !== 125) return false;
        own = sha256(buf.subarray(start, end - V2_HASH_SUFFIX_BYTES));
        if (!hexIs(buf, end - V2_HASH_SUFFIX_BYTES + HASH_FIELD.length, own)) return false;
        linkTo = own;
        mustLink = true;
        spilled = undefined;
        rangeStart = end + 1;
        open = 0;
      } else open++;
    }
    chain.lastSeq = seq;
    chain.records++;
    if (wanted.has(seq)) {
      chain.hashAt.set(seq, own ? own.toString("hex") : buf.toString("latin1", end - 66, end - 2));
      chain.countAt.set(seq, chain.records);
    }
    return true;
  };
  const scan = await scanLines(path, bytes, (buf, start, end, complete) => {
    if (visit(buf, start, end, complete)) return true;
    broken = true;
    return false;
  }, (buf, consumed) => {
    if (rangeStart < consumed) (spilled ??= crypto.createHash("sha256")).update(buf.subarray(rangeStart, consumed));
    rangeStart = 0;
  });
  if (broken || scan.stopped || scan.trailing > 0 || open > 0) return undefined;
  chain.lines = scan.lines;
  return chain;
}

// --- internal ---

const PREFIX = Buffer.from(V2_PREFIX, "latin1");
const PREV_FIELD = Buffer.from(',"prev":"', "latin1");
const SEAL_FIELD = Buffer.from(V2_SEAL_FIELD, "latin1");
const HASH_FIELD = Buffer.from(',"hash":"', "latin1");

/** Hex digit values of lower-case hex (hush writes no other), -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** One-shot `crypto.hash` (Node >= 20.12) saves a Hash object per call. */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: Uint8Array, encoding: "buffer") => Buffer }).hash;
const sha256 = oneShot ? (data: Uint8Array) => oneShot("sha256", data, "buffer") : (data: Uint8Array) => crypto.createHash("sha256").update(data).digest();

function isV2At(buf: Buffer, start: number): boolean {
  return matchesAt(buf, start, PREFIX);
}

function matchesAt(buf: Buffer, at: number, what: Buffer): boolean {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** Where `seq`'s digits end, when they spell `seq` (no leading zero). */
function seqEnd(buf: Buffer, start: number, end: number, seq: number): number | undefined {
  const first = start + PREFIX.length;
  let at = first;
  let n = 0;
  while (at < end && buf[at]! >= 48 && buf[at]! <= 57 && at - first < 16) n = n * 10 + (buf[at++]! - 48);
  return n === seq && at > first && !(buf[first] === 48 && at - first > 1) ? at : undefined;
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

/** A v1 line (an older hush's): parsed and hashed the v1 way. */
function checkV1Line(buf: Buffer, start: number, end: number, seq: number, prev: Buffer): Buffer | undefined {
  const record = parseLine(buf.subarray(start, end), 0, 0, true).record;
  if (record === undefined || record.v !== undefined || record.seq !== seq || record.prev !== prev.toString("hex")) return undefined;
  if (!/^[0-9a-f]{64}$/.test(record.hash) || hashRecord(record) !== record.hash) return undefined;
  return Buffer.from(record.hash, "hex");
}
