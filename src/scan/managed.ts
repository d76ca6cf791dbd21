/**
 * The forms in which a managed value is looked for: plain, base64 and base64url (each at
 * all three byte alignments, so the value is found inside a larger encoded blob such as a
 * base64 `.env` or a Kubernetes Secret), URL-encoded and hex (lower and upper case).
 * Each line of a multi-line value (a PEM key, say) is looked for on its own too, so a
 * value re-indented or re-ended (CRLF) is still found.
 *
 * The forms are not written out for the search: {@link managedForms} keeps each value once
 * with a form number, and gives the matcher only the last {@link ANCHOR_LENGTH} characters
 * of each form, computed from the value's tail. Building the search so costs the same
 * whatever the values' length; a form's full text is made only when its tail is found.
 */
import { hashAnchor, hashCodes, type AnchoredLiterals } from "./anchored-matcher.js";
import type { ManagedEncoding } from "./types.js";

/**
 * Values shorter than this are not looked for: a short value ("admin", "5432", "true")
 * occurs by chance in ordinary text, so a hit would not mean a leak.
 */
export const MIN_MANAGED_LENGTH = 8;
/** Lines of a multi-line value shorter than this are not looked for on their own. */
export const MIN_MANAGED_LINE_LENGTH = 16;
/** Characters of each form the matcher indexes (its tail); no form is shorter. */
export const ANCHOR_LENGTH = 8;

/** One literal to look for, and what it stands for. */
export interface ManagedVariant {
  secretName: string;
  encoding: ManagedEncoding;
  text: string;
}

/** Normalizes the accepted shapes of `managedValues` into name -> value pairs. */
export function managedEntries(values: Map<string, string> | Iterable<readonly [string, string]> | Record<string, string> | undefined): [string, string][] {
  if (values === undefined) return [];
  // A Map's iterator already yields fresh pairs; other iterables may reuse theirs.
  if (values instanceof Map) return Array.from(values);
  if (Symbol.iterator in (values as object)) return Array.from(values as Iterable<readonly [string, string]>, ([k, v]) => [k, v]);
  return Object.entries(values as Record<string, string>);
}

/**
 * Every form of every value, as the matcher takes them: the forms in the order they are
 * added (a literal that two forms or two secrets share is reported under the first), each
 * with the hash of its last {@link ANCHOR_LENGTH} characters. Memory: a few bytes per form
 * beside the values themselves.
 *
 * @example
 * const forms = managedForms([["openai_api_key", "sk-abc123xyz789"]]);
 * forms.text(0); // "sk-abc123xyz789" (the plain form)
 */
export function managedForms(entries: Iterable<readonly [string, string]>): AnchoredLiterals & ManagedLiteralInfo {
  return new ManagedForms(entries);
}

/** What a form stands for, by its index in {@link managedForms}. */
export interface ManagedLiteralInfo {
  secretName(index: number): string;
  encoding(index: number): ManagedEncoding;
}

/**
 * Every literal to look for written out, longest first, without duplicates (a literal that
 * two secrets share is reported under the first name). Values shorter than
 * {@link MIN_MANAGED_LENGTH} are skipped. The scanner itself uses {@link managedForms}.
 *
 * @example
 * managedVariants([["openai_api_key", "sk-abc123xyz789"]]).map((v) => v.encoding);
 */
export function managedVariants(entries: Iterable<readonly [string, string]>): ManagedVariant[] {
  const forms = managedForms(entries);
  const seen = new Map<string, ManagedVariant>();
  for (let i = 0; i < forms.size; i++) {
    const text = forms.text(i);
    if (!seen.has(text)) seen.set(text, { secretName: forms.secretName(i), encoding: forms.encoding(i), text });
  }
  return [...seen.values()].sort((a, b) => b.text.length - a.text.length);
}

// --- internal ---

/**
 * Form numbers, in the order they are added for each value; LINE is one line of a
 * multi-line value (kept as its own text).
 */
const PLAIN = 0;
const URL = 7;
const URL_LOWER = 8;
const URL_PLUS = 9;
const HEX = 10;
const HEX_UPPER = 11;
const LINE = 12;
const ENCODING: readonly ManagedEncoding[] = ["plain", "base64", "base64url", "base64", "base64url", "base64", "base64url", "url", "url", "url", "hex", "hex", "plain"];
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX_LOWER_DIGITS = "0123456789abcdef";
const HEX_UPPER_DIGITS = "0123456789ABCDEF";
/** Reused by addForms (one value at a time): an anchor's code units, a tail's ASCII bytes. */
const SCRATCH = new Uint16Array(ANCHOR_LENGTH);
const ASCII_BYTES = new Uint8Array(ANCHOR_LENGTH);
/** Characters that `encodeURIComponent` leaves as they are. */
const URL_SAFE = /^[A-Za-z0-9\-_.!~*'()]*$/;

class ManagedForms implements AnchoredLiterals, ManagedLiteralInfo {
  readonly anchorLength = ANCHOR_LENGTH;
  size = 0;
  private readonly names: string[] = [];
  private readonly texts: string[] = [];
  private textOf = new Int32Array(64);
  private formOf = new Uint8Array(64);
  private hashOf = new Int32Array(64);
  private readonly written = new Map<number, string>();

  constructor(entries: Iterable<readonly [string, string]>) {
    for (const [name, value] of entries) {
      if (typeof value !== "string" || value.length < MIN_MANAGED_LENGTH) continue;
      const t = this.texts.push(value) - 1;
      this.names.push(name);
      addForms(this, t, value);
      if (!/[\r\n]/.test(value)) continue;
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length < MIN_MANAGED_LINE_LENGTH || trimmed.startsWith("-----")) continue;
        this.names.push(name);
        this.add(this.texts.push(trimmed) - 1, LINE, hashAnchor(trimmed, trimmed.length - ANCHOR_LENGTH, ANCHOR_LENGTH));
      }
    }
  }

  anchorHash(index: number): number {
    return this.hashOf[index]!;
  }

  /** The form written out; kept once made (only forms whose tail was found are made). */
  text(index: number): string {
    let s = this.written.get(index);
    if (s === undefined) {
      s = formText(this.texts[this.textOf[index]!]!, this.formOf[index]!);
      this.written.set(index, s);
    }
    return s;
  }

  secretName(index: number): string {
    return this.names[this.textOf[index]!]!;
  }

  encoding(index: number): ManagedEncoding {
    return ENCODING[this.formOf[index]!]!;
  }

  /** Adds a form of text `text`, by the hash of its anchor. */
  add(text: number, form: number, anchorHash: number): void {
    if (this.size === this.textOf.length) this.grow();
    this.textOf[this.size] = text;
    this.formOf[this.size] = form;
    this.hashOf[this.size] = anchorHash;
    this.size++;
  }

  private grow(): void {
    const n = this.textOf.length * 2;
    const textOf = new Int32Array(n);
    textOf.set(this.textOf);
    const formOf = new Uint8Array(n);
    formOf.set(this.formOf);
    const hashOf = new Int32Array(n);
    hashOf.set(this.hashOf);
    [this.textOf, this.formOf, this.hashOf] = [textOf, formOf, hashOf];
  }
}

/**
 * Adds the forms of `value` that apply to it (text `t`), each by the hash of its last
 * ANCHOR_LENGTH characters, computed from the value's last bytes without writing the form.
 */
function addForms(forms: ManagedForms, t: number, value: string): void {
  const anchor = SCRATCH;
  forms.add(t, PLAIN, hashAnchor(value, value.length - ANCHOR_LENGTH, ANCHOR_LENGTH));
  const bytes = lastBytes(value);
  const total = Buffer.byteLength(value, "utf8");
  for (let k = 0; k < 3; k++) {
    // The aligned form ends 0, 2 or 4 bits before the value's last byte does.
    const dropped = 2 * ((k + total) % 3);
    base64Tail(bytes, dropped, B64, anchor);
    forms.add(t, 1 + 2 * k, hashCodes(anchor));
    base64Tail(bytes, dropped, B64URL, anchor);
    forms.add(t, 2 + 2 * k, hashCodes(anchor));
  }
  // A lone surrogate cannot be URL-encoded (encodeURIComponent throws): no URL form then.
  if (!URL_SAFE.test(value) && !/\p{Cs}/u.test(value)) {
    const url = encodeURIComponent(value.slice(safeTailStart(value, ANCHOR_LENGTH)));
    const at = url.length - ANCHOR_LENGTH;
    forms.add(t, URL, hashAnchor(url, at, ANCHOR_LENGTH));
    lowerEscapesTail(url, anchor);
    forms.add(t, URL_LOWER, hashCodes(anchor));
    if (value.includes(" ")) {
      const plus = url.replace(/%20/g, "+");
      forms.add(t, URL_PLUS, hashAnchor(plus, plus.length - ANCHOR_LENGTH, ANCHOR_LENGTH));
    }
  }
  hexTail(bytes, HEX_LOWER_DIGITS, anchor);
  forms.add(t, HEX, hashCodes(anchor));
  hexTail(bytes, HEX_UPPER_DIGITS, anchor);
  forms.add(t, HEX_UPPER, hashCodes(anchor));
}

/** The last ANCHOR_LENGTH characters of `url` with its escapes' hex digits in lower case, into `out`. */
function lowerEscapesTail(url: string, out: Uint16Array): void {
  const at = url.length - ANCHOR_LENGTH;
  for (let i = 0; i < ANCHOR_LENGTH; i++) {
    const c = url.charCodeAt(at + i);
    // A-F two places or less after a "%" is a hex digit of an escape ("%" is never literal).
    const escaped = c >= 0x41 && c <= 0x46 && (url.charCodeAt(at + i - 1) === 0x25 || url.charCodeAt(at + i - 2) === 0x25);
    out[i] = escaped ? c + 0x20 : c;
  }
}

/** The last ANCHOR_LENGTH hex digits of `bytes` (its last 4 bytes), into `out`. */
function hexTail(bytes: Uint8Array, digits: string, out: Uint16Array): void {
  for (let i = 0; i < ANCHOR_LENGTH / 2; i++) {
    const b = bytes[bytes.length - ANCHOR_LENGTH / 2 + i]!;
    out[2 * i] = digits.charCodeAt(b >> 4);
    out[2 * i + 1] = digits.charCodeAt(b & 15);
  }
}

/** The UTF-8 bytes of the value's last ANCHOR_LENGTH code units (at least 7 bytes: 48 bits plus 4 dropped). */
function lastBytes(value: string): Uint8Array {
  const from = value.length - ANCHOR_LENGTH;
  let ascii = true;
  for (let i = 0; i < ANCHOR_LENGTH && ascii; i++) {
    const c = value.charCodeAt(from + i);
    ASCII_BYTES[i] = c;
    ascii = c < 0x80;
  }
  return ascii ? ASCII_BYTES : Buffer.from(value.slice(safeTailStart(value, ANCHOR_LENGTH)), "utf8");
}

/** Where the last `n` code units of `value` start, moved back one so a surrogate pair is not split. */
function safeTailStart(value: string, n: number): number {
  let from = Math.max(0, value.length - n);
  if (from > 0 && isLowSurrogate(value.charCodeAt(from)) && isHighSurrogate(value.charCodeAt(from - 1))) from--;
  return from;
}

/** The last ANCHOR_LENGTH base64 characters of `bytes` with the last `dropped` bits left out, into `out`. */
function base64Tail(bytes: Uint8Array, dropped: number, alphabet: string, out: Uint16Array): void {
  // 48 bits, as two 24-bit halves, from the last 7 bytes (56 bits) shifted right by `dropped`.
  const n = bytes.length;
  const at = (i: number) => bytes[n - 7 + i]!;
  const hi = ((at(0) << 24) | (at(1) << 16) | (at(2) << 8) | at(3)) >>> 0;
  const lo = ((at(4) << 16) | (at(5) << 8) | at(6)) >>> 0;
  // The 56 bits are hi (32) then lo (24); the wanted 48 end `dropped` bits before the end.
  const low24 = ((lo >>> dropped) | (hi << (24 - dropped))) & 0xffffff;
  const high24 = (hi >>> dropped) & 0xffffff;
  for (let i = 0; i < 4; i++) {
    out[i] = alphabet.charCodeAt((high24 >>> (18 - 6 * i)) & 63);
    out[4 + i] = alphabet.charCodeAt((low24 >>> (18 - 6 * i)) & 63);
  }
}

/** The whole text of one form of `value`. */
function formText(value: string, form: number): string {
  if (form === PLAIN || form === LINE) return value;
  if (form < URL) {
    const std = alignedBase64(Buffer.from(value, "utf8"), (form - 1) >> 1);
    return form % 2 === 1 ? std : toBase64url(std);
  }
  if (form < HEX) {
    const url = encodeURIComponent(value);
    return form === URL ? url : form === URL_LOWER ? lowerEscapes(url) : url.replace(/%20/g, "+");
  }
  const hex = Buffer.from(value, "utf8").toString("hex");
  return form === HEX ? hex : hex.toUpperCase();
}

/**
 * The base64 characters that depend only on `bytes` when they sit `k` bytes into an
 * encoded stream (k = 0, 1, 2): the characters straddling the bytes before or after
 * are dropped, so the result matches wherever the value is embedded at that alignment.
 * For a tail of the bytes at its own offset, the result is a tail of the whole's.
 */
function alignedBase64(bytes: Buffer, k: number): string {
  const padded = Buffer.concat([Buffer.alloc(k), bytes]);
  const encoded = padded.toString("base64");
  const first = Math.ceil((8 * k) / 6);
  const end = Math.floor((8 * (k + bytes.length)) / 6);
  return encoded.slice(first, end);
}

function toBase64url(std: string): string {
  return std.replace(/\+/g, "-").replace(/\//g, "_");
}

function lowerEscapes(url: string): string {
  return url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
