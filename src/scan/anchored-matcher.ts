/**
 * A multi-literal matcher for many long literals: every literal is indexed by a hash of
 * its last `anchorLength` characters (its anchor), one pass over the text rolls that hash
 * over every window, and a window whose hash is indexed is checked against the literals
 * that end with it. Memory is a few bytes per literal and building reads only the anchors,
 * so the cost does not grow with the literals' length; the search is one hash probe per
 * character of text, whatever the number of literals.
 *
 * Why by hand, and not an Aho-Corasick automaton (the rules' keywords use one, `matcher.ts`):
 * an automaton grows with the total length of the literals, and a managed value has ~11 forms
 * of up to twice its length. Figures from one 2-core VM (busy), 40-character secrets:
 * - the dense automaton that searched the managed values before: 1,000 secrets 8.0 s and
 *   375 MB peak to scan a 6-byte file, 100,000 would need a ~15 GB table; one 10 KB value 0.9 s
 *   and 165 MB (bench/scan-managed.bench.mjs keeps it as a baseline);
 * - `modern-ahocorasick` 3.3 (the most used on npm) over the same forms: 1,000 secrets 1.7 s
 *   and +42 MB, 10,000 secrets 23.5 s and +285 MB, just to build;
 * - this index: 100,000 secrets 0.62 s CPU (1.3 s wall on the busy machine) and 140 MB peak RSS,
 *   70 MB of which are the values themselves; one 10 KB value as cheap as a short one.
 * The price: a text window that hashes like a common anchor is checked against every literal
 * ending with it (many values ending alike, e.g. the same URL tail, cost a comparison each).
 */

/** Literals as the matcher takes them: by index, each with the hash of its anchor. */
export interface AnchoredLiterals {
  /** Number of literals. */
  readonly size: number;
  /** Length of the anchors; no literal is shorter. */
  readonly anchorLength: number;
  /** `hashAnchor(text(index), text(index).length - anchorLength, anchorLength)`, without writing the text. */
  anchorHash(index: number): number;
  /** The literal itself; called only when its anchor was found. */
  text(index: number): string;
}

/** A compiled set of anchored literals. */
export interface AnchoredMatcher {
  /** Calls `onMatch(index, start, end)` for each occurrence of each literal, `end` exclusive. */
  run(text: string, onMatch: (index: number, start: number, end: number) => void): void;
}

/**
 * The hash of `length` code units of `s` from `from` on, as the matcher rolls it.
 *
 * @example
 * hashAnchor("xx-secret1", 2, 8) === hashAnchor("-secret1", 0, 8); // true
 */
export function hashAnchor(s: string, from: number, length: number): number {
  let h = 0;
  for (let i = from; i < from + length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** The hash of a sequence of code units, as {@link hashAnchor} computes it for a string. */
export function hashCodes(codes: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < codes.length; i++) h = (Math.imul(h, BASE) + codes[i]!) | 0;
  return h;
}

/**
 * Compiles literals given with their anchors' hashes into a matcher.
 *
 * @example
 * const lits = ["password-1234", "hunter2-hunter2"];
 * const m = compileAnchored({ size: 2, anchorLength: 8, anchorHash: (i) => hashAnchor(lits[i]!, lits[i]!.length - 8, 8), text: (i) => lits[i]! });
 * m.run("x=hunter2-hunter2", (i, start, end) => console.log(i, start, end)); // 1 2 17
 */
export function compileAnchored(literals: AnchoredLiterals): AnchoredMatcher {
  const k = literals.anchorLength;
  const { keys, heads, next, mask, shift } = buildIndex(literals);
  // BASE^(k-1), to take the character leaving the window out of the hash.
  let outgoing = 1;
  for (let i = 1; i < k; i++) outgoing = Math.imul(outgoing, BASE);
  return {
    run(text, onMatch) {
      const n = text.length;
      if (literals.size === 0 || n < k) return;
      let h = 0;
      for (let i = 0; i < k - 1; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
      for (let i = k - 1; i < n; i++) {
        h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
        let slot = Math.imul(h, MIX) >>> shift;
        let head: number;
        while ((head = heads[slot]!) !== 0) {
          if (keys[slot] === h) {
            verify(literals, next, head - 1, text, i + 1, onMatch);
            break;
          }
          slot = (slot + 1) & mask;
        }
        h = (h - Math.imul(text.charCodeAt(i - k + 1), outgoing)) | 0;
      }
    },
  };
}

// --- internal ---

/** Multiplier of the polynomial hash (odd, so no information is shifted out). */
const BASE = 0x01000193;
/** Fibonacci hashing: the top bits of hash * MIX pick the slot. */
const MIX = 0x9e3779b1 | 0;

/**
 * An open-addressing table (load ≤ 1/2) from anchor hash to a chain of literal indexes:
 * `heads[slot]` is 1 + the first literal, `next[literal]` 1 + the following one (0 ends).
 */
function buildIndex(literals: AnchoredLiterals): { keys: Int32Array; heads: Int32Array; next: Int32Array; mask: number; shift: number } {
  let bits = 4;
  while (bits < 30 && 1 << bits < literals.size * 2) bits++;
  const slots = 1 << bits;
  const shift = 32 - bits;
  const keys = new Int32Array(slots);
  const heads = new Int32Array(slots);
  const next = new Int32Array(literals.size);
  const mask = slots - 1;
  // Backwards, so each chain lists its literals in index order.
  for (let i = literals.size - 1; i >= 0; i--) {
    const h = literals.anchorHash(i);
    let slot = Math.imul(h, MIX) >>> shift;
    while (heads[slot] !== 0 && keys[slot] !== h) slot = (slot + 1) & mask;
    keys[slot] = h;
    next[i] = heads[slot]!;
    heads[slot] = i + 1;
  }
  return { keys, heads, next, mask, shift };
}

/** Checks each literal of the chain starting at `first` against the text ending at `end`. */
function verify(literals: AnchoredLiterals, next: Int32Array, first: number, text: string, end: number, onMatch: (index: number, start: number, end: number) => void): void {
  for (let i = first; i !== -1; i = next[i]! - 1) {
    const lit = literals.text(i);
    const start = end - lit.length;
    if (start >= 0 && text.startsWith(lit, start)) onMatch(i, start, end);
  }
}
