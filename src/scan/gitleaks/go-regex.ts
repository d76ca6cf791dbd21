/**
 * Go (RE2) regular expressions, as gitleaks configs hold them, translated to JavaScript sources
 * compiled without the `u` flag (as hush's own rules are). Written by hand: no maintained package
 * translates RE2 syntax to JS. It translates what keeps the meaning, and refuses the rest with a
 * reason (never quoting the pattern, which may hold a literal token):
 *
 * - flags `(?i)`, `(?s)`, `(?m)`, `(?-i)`, `(?i:…)`…: a leading `(?i)` alone becomes the `i` flag;
 *   `s` and `m` are written into the pattern (`.` is `[^\n]`, or `[\s\S]` under `s`; `^`/`$` under
 *   `m` are line starts and ends), so they may change anywhere; any other case change is written
 *   as character classes (`[aA]`), so it works on every Node (JS modifier groups need Node 23+);
 * - `(?P<name>…)` is `(?<name>…)`; `\A` is start of text, `\z` end of text; `\Q…\E` is escaped;
 * - Go's ASCII classes: `\s` is `[\t\n\f\r ]` (JS's holds more), `.` never matches `\n` only
 *   (JS's also stops at `\r`, U+2028, U+2029); POSIX classes `[[:alpha:]]` are expanded;
 * - refused: Unicode classes (`\p{…}`, they need `u`), `\C`, lookarounds (not RE2), back-references,
 *   `\x{…}` above U+FFFF, negated POSIX classes beside other items, the `U` flag.
 *
 * Differences left: JS counts UTF-16 code units where Go counts code points (an astral character is
 * two for `.{n}`), and `(?i)` folds ASCII letters plus the few case pairs of `toUpperCase` (Go's
 * full Unicode folding also pairs `k` with the Kelvin sign).
 */

import { caseVariants, escapeCode, perlClass, POSIX } from "./go-regex-chars.js";

/** A translated pattern: the JS source and flags (`i` or none). */
export interface TranslatedRegex {
  source: string;
  flags: string;
}

/** Why a pattern cannot be translated; `at` is the 0-based offset in the Go pattern. */
export class GoRegexError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(`${reason} (at character ${at + 1})`);
  }
}

/**
 * Translates a Go regular expression.
 *
 * @example
 * translateGoRegex("(?i)key(?P<s>[[:alnum:]]{8})\\z"); // { source: "key(?<s>[0-9A-Za-z]{8})(?![\\s\\S])", flags: "i" }
 */
export function translateGoRegex(pattern: string): TranslatedRegex {
  // A leading flag group with i: `(?i)`, `(?is)`, `(?mi)`… (its other flags stay in the pattern).
  const lead = /^\(\?([sm]*)i([sm]*)\)/.exec(pattern);
  // The `i` flag serves a pattern whose only case change is its leading (?i); any other change
  // is folded by hand, everywhere (the JS flag could not be turned off inside the pattern).
  const rest = lead ? pattern.slice(lead[0].length) : pattern;
  const useFlag = lead !== null && !/\(\?[a-zA-Z-]*[iI]/.test(rest.replace(/\\./g, ""));
  const others = lead ? lead[1]! + lead[2]! : "";
  const t = new Translator(useFlag ? (others ? `(?${others})` : "") + rest : pattern, useFlag ? lead[0].length - (others ? others.length + 3 : 0) : 0, !useFlag);
  return { source: t.run(), flags: useFlag ? "i" : "" };
}

// --- internal ---

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

class Translator {
  private pos = 0;
  private out = "";
  private readonly stack: Flags[] = [];
  private flags: Flags = { i: false, s: false, m: false };

  constructor(
    private readonly src: string,
    private readonly offset: number,
    private readonly fold: boolean,
  ) {}

  run(): string {
    while (this.pos < this.src.length) this.atom();
    if (this.stack.length > 0) this.fail("a group is not closed", this.src.length);
    return this.out;
  }

  private fail(reason: string, at = this.pos): never {
    throw new GoRegexError(reason, at + this.offset);
  }

  private atom(): void {
    const c = this.src[this.pos]!;
    if (c === "\\") return this.escape();
    if (c === "[") return this.charClass();
    if (c === "(") return this.group();
    this.pos++;
    if (c === ")") {
      if (this.stack.length === 0) this.fail("unmatched ')'", this.pos - 1);
      this.flags = this.stack.pop()!;
      this.out += ")";
    } else if (c === ".") this.out += this.flags.s ? "[\\s\\S]" : "[^\\n]";
    else if (c === "^") this.out += this.flags.m ? "(?:^|(?<=\\n))" : "^";
    else if (c === "$") this.out += this.flags.m ? "(?:$|(?=\\n))" : "$";
    else if ("|*+?".includes(c)) this.out += c;
    else if (c === "{") {
      // A repetition count as is; any other brace is a literal, as in Go.
      const count = /^\{\d{1,4}(?:,\d{0,4})?\}/.exec(this.src.slice(this.pos - 1));
      this.out += count ? count[0] : "\\{";
      if (count) this.pos += count[0].length - 1;
    } else if (c === "}" || c === "]") this.out += "\\" + c;
    else this.literal(c.charCodeAt(0));
  }

  /** A literal character, folded under `(?i)` when folding by hand. */
  private literal(code: number): void {
    const variants = this.fold && this.flags.i ? caseVariants(code) : [code];
    this.out += variants.length === 1 ? escapeCode(code) : `[${variants.map(escapeCode).join("")}]`;
  }

  private group(): void {
    const start = this.pos;
    const rest = this.src.slice(this.pos);
    const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      if (/^[0-9]/.test(named[1]!)) this.fail("a group name starting with a digit is not valid in JavaScript", start);
      this.open(`(?<${named[1]}>`, named[0].length, this.flags);
      return;
    }
    if (/^\(\?(?:<?[=!])/.test(rest)) this.fail("lookarounds are not RE2 syntax", start);
    const flagGroup = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
    if (!flagGroup) {
      if (rest.startsWith("(?")) this.fail("unknown group syntax", start);
      this.open("(", 1, this.flags);
      return;
    }
    const flags = this.applyFlags(flagGroup[1]!, flagGroup[2] ?? "", start);
    if (flagGroup[3] === ":") this.open("(?:", flagGroup[0].length, flags);
    else {
      // (?flags): applies to the rest of the enclosing group; what it changes is written out.
      this.flags = flags;
      this.pos += flagGroup[0].length;
    }
  }

  private open(emit: string, length: number, inner: Flags): void {
    this.stack.push(this.flags);
    this.flags = inner;
    this.out += emit;
    this.pos += length;
  }

  private applyFlags(on: string, off: string, at: number): Flags {
    const next = { ...this.flags };
    for (const [set, value] of [[on, true], [off, false]] as const) {
      for (const f of set) {
        if (f !== "i" && f !== "s" && f !== "m") this.fail(f === "U" ? "the U (ungreedy) flag has no JavaScript form" : "unknown flag", at);
        if (f === "i" && !this.fold && value !== this.flags.i) this.fail("internal: case change without folding", at);
        next[f] = value;
      }
    }
    return next;
  }

  private escape(): void {
    const c = this.src[this.pos + 1];
    if (c === undefined) this.fail("trailing backslash");
    if (c === "Q") return this.quoted();
    const cls = perlClass(c, false);
    if (cls !== undefined) {
      this.out += cls;
      this.pos += 2;
      return;
    }
    if (c === "A" || c === "z") {
      this.out += c === "A" ? "(?<![\\s\\S])" : "(?![\\s\\S])";
      this.pos += 2;
      return;
    }
    if (c === "b" || c === "B") {
      this.out += "\\" + c;
      this.pos += 2;
      return;
    }
    this.literal(this.escapedCode(false));
  }

  /** `\Q…\E`: every character literal. */
  private quoted(): void {
    const end = this.src.indexOf("\\E", this.pos + 2);
    const body = this.src.slice(this.pos + 2, end === -1 ? undefined : end);
    for (let i = 0; i < body.length; i++) this.literal(body.charCodeAt(i));
    this.pos = end === -1 ? this.src.length : end + 2;
  }

  /** An escape standing for one character (at `\`); advances past it. */
  private escapedCode(inClass: boolean): number {
    const at = this.pos;
    const c = this.src[at + 1]!;
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (c in simple) {
      this.pos += 2;
      return simple[c]!;
    }
    if (c === "x") {
      const m = /^\\x(?:\{([0-9A-Fa-f]{1,8})\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(at));
      if (!m) this.fail("malformed \\x escape", at);
      const code = parseInt(m[1] ?? m[2]!, 16);
      if (code > 0xffff) this.fail("a character above U+FFFF needs the u flag", at);
      this.pos += m[0].length;
      return code;
    }
    if (/[0-7]/.test(c)) {
      const m = /^\\(0[0-7]{0,2}|[1-7][0-7]{1,2})/.exec(this.src.slice(at));
      if (!m) this.fail("back-references are not RE2 syntax", at);
      this.pos += m[0].length;
      return parseInt(m[1]!, 8);
    }
    if (c === "p" || c === "P") this.fail("Unicode classes (\\p) need the u flag", at);
    if (/[!-/:-@[-`{-~]/.test(c)) {
      this.pos += 2;
      return c.charCodeAt(0);
    }
    this.fail(inClass ? "unknown escape in a character class" : "unknown escape", at);
  }

  private charClass(): void {
    const start = this.pos;
    this.pos++;
    let out = "[";
    if (this.src[this.pos] === "^") {
      out += "^";
      this.pos++;
    }
    let first = true;
    while (this.pos < this.src.length && (first || this.src[this.pos] !== "]")) {
      first = false;
      out += this.classItem();
    }
    if (this.pos >= this.src.length) this.fail("a character class is not closed", start);
    this.pos++;
    this.out += out + "]";
  }

  /** One item of a class: a POSIX class, a Perl class, a character or a range. */
  private classItem(): string {
    const rest = this.src.slice(this.pos);
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (posix) {
      const body = POSIX[posix[2]!];
      if (body === undefined) this.fail("unknown POSIX class");
      if (posix[1]) this.fail("negated POSIX classes have no translation here");
      this.pos += posix[0].length;
      return this.fold && this.flags.i && (posix[2] === "lower" || posix[2] === "upper") ? "A-Za-z" : body;
    }
    if (rest[0] === "\\") {
      const cls = perlClass(rest[1] ?? "", true);
      if (cls !== undefined) {
        this.pos += 2;
        return cls;
      }
    }
    const lo = this.classChar();
    if (this.src[this.pos] === "-" && this.src[this.pos + 1] !== "]" && this.pos + 1 < this.src.length) {
      this.pos++;
      const hi = this.classChar();
      if (hi < lo) this.fail("a range runs backwards");
      return this.foldRange(lo, hi);
    }
    return this.foldRange(lo, lo);
  }

  private classChar(): number {
    const c = this.src[this.pos];
    if (c === undefined) this.fail("a character class is not closed");
    if (c !== "\\") {
      this.pos++;
      return c.charCodeAt(0);
    }
    return this.escapedCode(true);
  }

  /** The range as class text, plus its other-case letters when folding under `(?i)`. */
  private foldRange(lo: number, hi: number): string {
    let out = lo === hi ? escapeCode(lo) : `${escapeCode(lo)}-${escapeCode(hi)}`;
    if (!(this.fold && this.flags.i)) return out;
    for (const [a, b, shift] of [[0x61, 0x7a, -32], [0x41, 0x5a, 32]] as const) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, b);
      if (from <= to) out += `${escapeCode(from + shift)}-${escapeCode(to + shift)}`;
    }
    if (hi - lo < 256) for (let c = Math.max(lo, 0x80); c <= hi; c++) for (const v of caseVariants(c)) if (v !== c) out += escapeCode(v);
    return out;
  }
}
