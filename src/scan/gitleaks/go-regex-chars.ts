/**
 * The character-level pieces of the Go-to-JS regex translation (go-regex.ts): POSIX classes,
 * Go's ASCII Perl classes, case variants, and how a character is written in a JS pattern.
 */

/** Go's POSIX classes, as JS class items. */
export const POSIX: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Go's `\s` inside a class; its complement over the BMP. */
const SPACE = "\\t\\n\\f\\r ";
const NOT_SPACE = "\\x00-\\x08\\x0B\\x0E-\\x1F\\x21-\\uFFFF";

/** Go's ASCII Perl classes, as JS text (inside a class: its items). */
export function perlClass(c: string, inClass: boolean): string | undefined {
  if (c === "d" || c === "D" || c === "w" || c === "W") return "\\" + c;
  if (c === "s") return inClass ? SPACE : `[${SPACE}]`;
  if (c === "S") return inClass ? NOT_SPACE : `[^${SPACE}]`;
  return undefined;
}

/** The character and its single-character other cases. */
export function caseVariants(code: number): number[] {
  const ch = String.fromCharCode(code);
  const out = new Set([code]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) if (v.length === 1) out.add(v.charCodeAt(0));
  return [...out];
}

/** A character as it may stand in a JS pattern or class, escaped when it is syntax or not printable. */
export function escapeCode(code: number): string {
  if (code < 0x20 || code > 0x7e) return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  const ch = String.fromCharCode(code);
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? "\\" + ch : ch;
}
