/**
 * A multi-literal matcher (Aho-Corasick, compiled to a dense table) over UTF-16 code
 * units. One pass over the text finds every occurrence of every literal — the rules'
 * keywords — in time linear in the text, whatever the number of literals. No dependency;
 * about 150 M characters/s over a string (`charCodeAt`) and about twice that over an ASCII
 * file's bytes (measured in bench/README.md). The table is states x character classes: right
 * for a few hundred short keywords, not for the managed values (thousands of long random
 * literals; those go to `anchored-matcher.ts`).
 */

/** A compiled set of literals. */
export interface LiteralMatcher {
  /** The literals, by index (as given). */
  readonly literals: readonly string[];
  /**
   * Calls `onMatch(index, end)` for each occurrence of each literal, `end` exclusive. `bytes`,
   * when given, are the text's code units one byte each (ASCII or latin1 text): the pass then
   * reads them instead of the string, about twice as fast (no `charCodeAt` per character).
   */
  run(text: string, onMatch: (index: number, end: number) => void, bytes?: Uint8Array): void;
}

/**
 * Compiles `literals` (empty strings are ignored) into a matcher; `ignoreCase[i]` makes literal
 * `i` match in any case (letters whose lower and upper case are one character each).
 *
 * @example
 * const m = compileLiterals(["he", "she", "hers"]);
 * m.run("ushers", (i, end) => console.log(m.literals[i], end)); // she 4, he 4, hers 6
 */
export function compileLiterals(literals: readonly string[], ignoreCase?: readonly boolean[]): LiteralMatcher {
  const { classOf, classes } = characterClasses(literals, ignoreCase);
  const { delta, outByRow } = buildAutomaton(buildTrie(literals, classOf), classes);
  const byteClass = classOf.slice(0, 256);
  // With case-insensitive literals, both cases of their letters share a class, so the other
  // literals may hit in the wrong case: those hits are checked against the text.
  const exact = ignoreCase?.some(Boolean) ? literals.map((_l, i) => ignoreCase[i] !== true) : undefined;
  let spare: HitList | undefined = { at: new Int32Array(256) };
  return {
    literals,
    run(text, onMatch, bytes) {
      if (outByRow.size === 0) return;
      // The hits are listed by the pass and reported after it: a loop with no call in it is
      // compiled once, small, and never deoptimized by the callbacks (bench/README.md).
      const hits = spare ?? { at: new Int32Array(256) };
      spare = undefined;
      try {
        const length = bytes !== undefined ? passBytes(bytes, byteClass, delta, hits) : passString(text, classOf, delta, hits);
        const at = hits.at;
        for (let j = 0; j < length; j += 2) {
          const end = at[j + 1]!;
          for (const index of outByRow.get(at[j]!)!) {
            if (exact && exact[index] && !text.startsWith(literals[index]!, end - literals[index]!.length)) continue;
            onMatch(index, end);
          }
        }
      } finally {
        spare = hits;
      }
    },
  };
}

// --- internal ---

/** Where a pass lists its hits: (row, end) pairs in `at`, grown when full; the pass returns their count. */
interface HitList {
  at: Int32Array;
}

/** The automaton over the string's code units; hits into `hits`, their count (x2) returned. */
function passString(text: string, classOf: Uint16Array, delta: Int32Array, hits: HitList): number {
  let at = hits.at;
  let k = 0;
  let row = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const t = delta[row + classOf[text.charCodeAt(i)]!]!;
    if (t >= 0) {
      row = t;
    } else {
      row = -t - 1;
      if (k === at.length) hits.at = at = grown(at);
      at[k] = row;
      at[k + 1] = i + 1;
      k += 2;
    }
  }
  return k;
}

/** {@link passString} over bytes that are the code units (its twin: one shape per loop keeps both fast). */
function passBytes(bytes: Uint8Array, byteClass: Uint16Array, delta: Int32Array, hits: HitList): number {
  let at = hits.at;
  let k = 0;
  let row = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const t = delta[row + byteClass[bytes[i]!]!]!;
    if (t >= 0) {
      row = t;
    } else {
      row = -t - 1;
      if (k === at.length) hits.at = at = grown(at);
      at[k] = row;
      at[k + 1] = i + 1;
      k += 2;
    }
  }
  return k;
}

function grown(at: Int32Array): Int32Array {
  const bigger = new Int32Array(at.length * 2);
  bigger.set(at);
  return bigger;
}

/** A trie over character classes: `next[state][class]`, and the literals ending at each state. */
interface Trie {
  next: number[][];
  own: number[][];
}

/**
 * Every code unit used by a literal gets a class; all others share class 0. The letters of a
 * case-insensitive literal share one class with their other cases (those literals first, so
 * that a case-sensitive literal's letter joins the shared class).
 */
function characterClasses(literals: readonly string[], ignoreCase?: readonly boolean[]): { classOf: Uint16Array; classes: number } {
  const classOf = new Uint16Array(65536);
  let classes = 1;
  for (const folded of [true, false]) {
    literals.forEach((lit, index) => {
      if ((ignoreCase?.[index] === true) !== folded) return;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (classOf[c] !== 0) continue;
        const k = classes++;
        classOf[c] = k;
        if (folded) for (const v of [lit[i]!.toLowerCase(), lit[i]!.toUpperCase()]) if (v.length === 1 && classOf[v.charCodeAt(0)] === 0) classOf[v.charCodeAt(0)] = k;
      }
    });
  }
  return { classOf, classes };
}

function buildTrie(literals: readonly string[], classOf: Uint16Array): Trie {
  const next: number[][] = [[]];
  const own: number[][] = [[]];
  literals.forEach((lit, index) => {
    if (lit.length === 0) return;
    let s = 0;
    for (let i = 0; i < lit.length; i++) {
      const c = classOf[lit.charCodeAt(i)]!;
      let t = next[s]![c];
      if (t === undefined) {
        t = next.length;
        next[s]![c] = t;
        next.push([]);
        own.push([]);
      }
      s = t;
    }
    own[s]!.push(index);
  });
  return { next, own };
}

/**
 * The dense transition table of row offsets (state * classes), built breadth-first with the
 * failure links; a negative entry -(row+1) marks a target state that has outputs, so the hot
 * loop tests one sign per character. `outByRow` maps such a row to its literals' indexes.
 */
function buildAutomaton(trie: Trie, classes: number): { delta: Int32Array; outByRow: Map<number, number[]> } {
  const states = trie.next.length;
  const delta = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const outputs: number[][] = trie.own.map((o) => o.slice());
  const order: number[] = [];
  for (let c = 0; c < classes; c++) {
    const t = trie.next[0]![c];
    delta[c] = t === undefined ? 0 : t;
    if (t !== undefined) order.push(t);
  }
  for (let k = 0; k < order.length; k++) {
    const s = order[k]!;
    outputs[s]!.push(...outputs[fail[s]!]!);
    for (let c = 0; c < classes; c++) {
      const t = trie.next[s]![c];
      const viaFail = delta[fail[s]! * classes + c]!;
      if (t === undefined) {
        delta[s * classes + c] = viaFail;
      } else {
        fail[t] = viaFail;
        delta[s * classes + c] = t;
        order.push(t);
      }
    }
  }
  for (let i = 0; i < delta.length; i++) {
    const t = delta[i]!;
    delta[i] = outputs[t]!.length > 0 ? -(t * classes) - 1 : t * classes;
  }
  const outByRow = new Map<number, number[]>();
  outputs.forEach((o, s) => {
    if (o.length > 0) outByRow.set(s * classes, o);
  });
  return { delta, outByRow };
}
