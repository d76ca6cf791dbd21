/**
 * A multi-literal matcher for many long literals: every literal is indexed by its anchor,
 * the low bytes of its last 8 code units; one pass over the text moves a window of 8 code
 * units by as far as its last 2 bytes allow (Wu and Manber's shift table: up to 7 where those
 * bytes occur in no anchor, so with few values most of the text is stepped over), tests a
 * window whose last 2 bytes end an anchor against a hashed bit filter of the anchors' last 4,
 * and checks the few that pass against the hash table of anchors and then the literals
 * themselves. Memory is a few bytes per literal and building reads only the anchors, so the
 * cost does not grow with the literals' length; the search is a table look-up per step,
 * whatever the number of literals (with many, the steps shorten towards 1 code unit).
 *
 * Why by hand, and not an Aho-Corasick automaton (the rules' keywords use one, `matcher.ts`):
 * an automaton grows with the total length of the literals, and a managed value has ~11 forms
 * of up to twice its length. Figures from one 2-core VM (busy), 40-character secrets:
 * - the dense automaton that searched the managed values before: 1,000 secrets 8.0 s and
 *   375 MB peak to scan a 6-byte file, 100,000 would need a ~15 GB table; one 10 KB value 0.9 s
 *   and 165 MB (bench/scan-managed.bench.mjs keeps it as a baseline);
 * - `modern-ahocorasick` 3.3 (the most used on npm) over the same forms: 1,000 secrets 1.7 s
 *   and +42 MB, 10,000 secrets 23.5 s and +285 MB, just to build;
 * - this index: 100,000 secrets 0.6-0.75 s CPU (1.3-2.1 s wall on the busy machine) and
 *   140-153 MB peak RSS, 70 MB of which are the values themselves; one 10 KB value as cheap
 *   as a short one.
 * The price: a window that ends like a common anchor is checked against every literal ending
 * with it (many values ending alike, e.g. the same URL tail, cost a comparison each).
 */

/** Code units in an anchor: the last 8 of each literal; no literal is shorter. */
export const ANCHOR_LENGTH = 8;

/**
 * Literals as the matcher takes them: by index, each with its anchor, the low bytes of its
 * last 8 code units packed into two 32-bit numbers (`packLowBytes`).
 */
export interface AnchoredLiterals {
  /** Number of literals. */
  readonly size: number;
  /** `packLowBytes(text, text.length - 8)`, without writing the text. */
  anchorHead(index: number): number;
  /** `packLowBytes(text, text.length - 4)`, without writing the text. */
  anchorTail(index: number): number;
  /** The literal itself; called only when its anchor was found. */
  text(index: number): string;
}

/** A compiled set of anchored literals. */
export interface AnchoredMatcher {
  /**
   * Calls `onMatch(index, start, end)` for each occurrence of each literal, `end` exclusive.
   * `bytes`, when given, are the text's code units one byte each (ASCII or latin1 text): the
   * windows are then read from them, faster than `charCodeAt`; literals are checked on the text.
   */
  run(text: string, onMatch: (index: number, start: number, end: number) => void, bytes?: Uint8Array): void;
}

/**
 * The low bytes of the 4 code units of `s` from `from` on, packed into 32 bits, the first
 * one highest: half an anchor.
 *
 * @example
 * packLowBytes("xx-secret", 2) === packLowCodes([0x2d, 0x73, 0x65, 0x63], 0); // true ("-sec")
 */
export function packLowBytes(s: string, from: number): number {
  return ((s.charCodeAt(from) & 0xff) << 24) | ((s.charCodeAt(from + 1) & 0xff) << 16) | ((s.charCodeAt(from + 2) & 0xff) << 8) | (s.charCodeAt(from + 3) & 0xff);
}

/** {@link packLowBytes} for an array of code units. */
export function packLowCodes(codes: ArrayLike<number>, from: number): number {
  return ((codes[from]! & 0xff) << 24) | ((codes[from + 1]! & 0xff) << 16) | ((codes[from + 2]! & 0xff) << 8) | (codes[from + 3]! & 0xff);
}

/**
 * Compiles literals given with their anchors into a matcher.
 *
 * @example
 * const lits = ["password-1234", "hunter2-hunter2"];
 * const m = compileAnchored({ size: 2, anchorHead: (i) => packLowBytes(lits[i]!, lits[i]!.length - 8), anchorTail: (i) => packLowBytes(lits[i]!, lits[i]!.length - 4), text: (i) => lits[i]! });
 * m.run("x=hunter2-hunter2", (i, start, end) => console.log(i, start, end)); // 1 2 17
 */
export function compileAnchored(literals: AnchoredLiterals): AnchoredMatcher {
  const index = buildIndex(literals);
  const { skip, filter, filterShift, table, next, mask, shift } = index;
  return {
    run(text, onMatch, bytes) {
      if (literals.size === 0) return;
      if (bytes !== undefined) return runBytes(index, literals, text, bytes, onMatch);
      // i: where a window of ANCHOR_LENGTH code units ends (inclusive); no literal is shorter.
      let i = ANCHOR_LENGTH - 1;
      const n = text.length;
      while (i < n) {
        // How far the last 2 bytes let the window move: 0 only when an anchor ends in them.
        const step = skip[((text.charCodeAt(i - 1) & 0xff) << 8) | (text.charCodeAt(i) & 0xff)]!;
        if (step !== 0) {
          i += step;
          continue;
        }
        const tail = ((text.charCodeAt(i - 3) & 0xff) << 24) | ((text.charCodeAt(i - 2) & 0xff) << 16) | ((text.charCodeAt(i - 1) & 0xff) << 8) | (text.charCodeAt(i) & 0xff);
        const bit = Math.imul(tail, MIX) >>> filterShift;
        if ((filter[bit >>> 5]! & (1 << (bit & 31))) !== 0) {
          const head = ((text.charCodeAt(i - 7) & 0xff) << 24) | ((text.charCodeAt(i - 6) & 0xff) << 16) | ((text.charCodeAt(i - 5) & 0xff) << 8) | (text.charCodeAt(i - 4) & 0xff);
          let slot = slotOf(head, tail, shift);
          let first: number;
          while ((first = table[3 * slot + 2]!) !== 0) {
            if (table[3 * slot + 1] === tail && table[3 * slot] === head) {
              verify(literals, next, first - 1, text, i + 1, onMatch);
              break;
            }
            slot = (slot + 1) & mask;
          }
        }
        i++;
      }
    },
  };
}

// --- internal ---

/** The loop of `run` over bytes: the same steps, each byte read once from a typed array. */
function runBytes(index: Index, literals: AnchoredLiterals, text: string, bytes: Uint8Array, onMatch: (index: number, start: number, end: number) => void): void {
  const { skip, filter, filterShift, table, next, mask, shift } = index;
  let i = ANCHOR_LENGTH - 1;
  const n = bytes.length;
  while (i < n) {
    const step = skip[(bytes[i - 1]! << 8) | bytes[i]!]!;
    if (step !== 0) {
      i += step;
      continue;
    }
    const tail = (bytes[i - 3]! << 24) | (bytes[i - 2]! << 16) | (bytes[i - 1]! << 8) | bytes[i]!;
    const bit = Math.imul(tail, MIX) >>> filterShift;
    if ((filter[bit >>> 5]! & (1 << (bit & 31))) !== 0) {
      const head = (bytes[i - 7]! << 24) | (bytes[i - 6]! << 16) | (bytes[i - 5]! << 8) | bytes[i - 4]!;
      let slot = slotOf(head, tail, shift);
      let first: number;
      while ((first = table[3 * slot + 2]!) !== 0) {
        if (table[3 * slot + 1] === tail && table[3 * slot] === head) {
          verify(literals, next, first - 1, text, i + 1, onMatch);
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    i++;
  }
}

/** Fibonacci hashing: the top bits of x * MIX pick a slot or a filter bit. */
const MIX = 0x9e3779b1 | 0;

function slotOf(head: number, tail: number, shift: number): number {
  const h = Math.imul(head ^ Math.imul(tail, MIX), 0x85ebca6b);
  return Math.imul(h ^ (h >>> 15), MIX) >>> shift;
}

interface Index {
  /**
   * By 2 bytes (65,536 entries): how far a window ending in them can move without passing an
   * anchor, the least distance from where they occur in an anchor to its end; 0 where an anchor
   * ends in them; ANCHOR_LENGTH - 1 where no anchor holds them (Wu and Manber's shift table).
   */
  skip: Uint8Array;
  /** One bit per hash of an anchor's last 4 bytes, ~1/16 of them set. */
  filter: Int32Array;
  filterShift: number;
  /**
   * Open addressing (load ≤ 1/2), one slot = 3 numbers side by side (one cache line): the
   * anchor's head and tail, and 1 + its first literal (0: empty).
   */
  table: Int32Array;
  /** 1 + the next literal with the same anchor (0 ends the chain). */
  next: Int32Array;
  mask: number;
  shift: number;
}

function buildIndex(literals: AnchoredLiterals): Index {
  const slotBits = bitsFor(literals.size * 2, 4);
  const filterBits = bitsFor(literals.size * 16, 10);
  const filterShift = 32 - filterBits;
  const shift = 32 - slotBits;
  const mask = 2 ** slotBits - 1;
  const skip = new Uint8Array(65536).fill(ANCHOR_LENGTH - 1);
  const filter = new Int32Array(2 ** (filterBits - 5));
  const table = new Int32Array(3 * 2 ** slotBits);
  const next = new Int32Array(literals.size);
  // Backwards, so each chain lists its literals in index order.
  for (let i = literals.size - 1; i >= 0; i--) {
    const head = literals.anchorHead(i);
    const tail = literals.anchorTail(i);
    // The anchor's 8 bytes, first highest; its 2-byte blocks ending at byte p = 1..7.
    const bytes = [head >>> 24, (head >>> 16) & 0xff, (head >>> 8) & 0xff, head & 0xff, tail >>> 24, (tail >>> 16) & 0xff, (tail >>> 8) & 0xff, tail & 0xff];
    for (let p = 1; p < ANCHOR_LENGTH; p++) {
      const block = (bytes[p - 1]! << 8) | bytes[p]!;
      skip[block] = Math.min(skip[block]!, ANCHOR_LENGTH - 1 - p);
    }
    const bit = Math.imul(tail, MIX) >>> filterShift;
    filter[bit >>> 5]! |= 1 << (bit & 31);
    let slot = slotOf(head, tail, shift);
    while (table[3 * slot + 2] !== 0 && (table[3 * slot] !== head || table[3 * slot + 1] !== tail)) slot = (slot + 1) & mask;
    table[3 * slot] = head;
    table[3 * slot + 1] = tail;
    next[i] = table[3 * slot + 2]!;
    table[3 * slot + 2] = i + 1;
  }
  return { skip, filter, filterShift, table, next, mask, shift };
}

/** The least number of bits (from `min`, at most 30) that counts to `n`. */
function bitsFor(n: number, min: number): number {
  let bits = min;
  while (bits < 30 && 2 ** bits < n) bits++;
  return bits;
}

/** Checks each literal of the chain starting at `first` against the text ending at `end`. */
function verify(literals: AnchoredLiterals, next: Int32Array, first: number, text: string, end: number, onMatch: (index: number, start: number, end: number) => void): void {
  for (let i = first; i !== -1; i = next[i]! - 1) {
    const lit = literals.text(i);
    const start = end - lit.length;
    if (start >= 0 && text.startsWith(lit, start)) onMatch(i, start, end);
  }
}
