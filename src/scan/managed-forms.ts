/**
 * The forms of one managed value, numbered in the order they are added: the anchor (last
 * {@link ANCHOR_LENGTH} characters) of each form computed from the value's last bytes, and a
 * form written out in full on demand. `managed.ts` says which forms there are and why.
 */
import { ANCHOR_LENGTH, packLowBytes, packLowCodes } from "./anchored-matcher.js";
import type { ManagedEncoding } from "./types.js";

export { ANCHOR_LENGTH };
/** Form number of one line of a multi-line value, kept as its own text (plain). */
export const LINE = 12;
/** The encoding each form number stands for. */
export const FORM_ENCODING: readonly ManagedEncoding[] = ["plain", "base64", "base64url", "base64", "base64url", "base64", "base64url", "url", "url", "url", "hex", "hex", "plain"];

/**
 * Calls `add(form, anchorHead, anchorTail)` for each form that applies to `value` (8 or more code
 * units), in form order, without writing any form out.
 *
 * @example
 * addFormAnchors("hunter2hunter2", (form, head, tail) => console.log(FORM_ENCODING[form], head, tail));
 */
export function addFormAnchors(value: string, add: (form: number, anchorHead: number, anchorTail: number) => void): void {
  const anchor = SCRATCH;
  add(PLAIN, packLowBytes(value, value.length - 8), packLowBytes(value, value.length - 4));
  const bytes = lastBytes(value);
  const total = Buffer.byteLength(value, "utf8");
  for (let k = 0; k < 3; k++) {
    // The aligned form ends 0, 2 or 4 bits before the value's last byte does.
    const dropped = 2 * ((k + total) % 3);
    base64Tail(bytes, dropped, B64, anchor);
    add(1 + 2 * k, packLowCodes(anchor, 0), packLowCodes(anchor, 4));
    base64Tail(bytes, dropped, B64URL, anchor);
    add(2 + 2 * k, packLowCodes(anchor, 0), packLowCodes(anchor, 4));
  }
  // A lone surrogate cannot be URL-encoded (encodeURIComponent throws): no URL form then.
  if (!URL_SAFE.test(value) && !/\p{Cs}/u.test(value)) {
    const url = encodeURIComponent(value.slice(safeTailStart(value, ANCHOR_LENGTH)));
    add(URL, packLowBytes(url, url.length - 8), packLowBytes(url, url.length - 4));
    lowerEscapesTail(url, anchor);
    add(URL_LOWER, packLowCodes(anchor, 0), packLowCodes(anchor, 4));
    if (value.includes(" ")) {
      const plus = url.replace(/%20/g, "+");
      add(URL_PLUS, packLowBytes(plus, plus.length - 8), packLowBytes(plus, plus.length - 4));
    }
  }
  hexTail(bytes, HEX_LOWER_DIGITS, anchor);
  add(HEX, packLowCodes(anchor, 0), packLowCodes(anchor, 4));
  hexTail(bytes, HEX_UPPER_DIGITS, anchor);
  add(HEX_UPPER, packLowCodes(anchor, 0), packLowCodes(anchor, 4));
}

/**
 * One form of `value` written out in full.
 *
 * @example
 * formText("hunter2hunter2", 10); // "68756e74657232..." (hex)
 */
export function formText(value: string, form: number): string {
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

// --- internal ---


/** Form numbers (1-6: base64 and base64url at alignments 0, 1, 2). */
const PLAIN = 0;
const URL = 7;
const URL_LOWER = 8;
const URL_PLUS = 9;
const HEX = 10;
const HEX_UPPER = 11;
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX_LOWER_DIGITS = "0123456789abcdef";
const HEX_UPPER_DIGITS = "0123456789ABCDEF";
/** Reused by addFormAnchors (one value at a time): an anchor's code units, a tail's ASCII bytes. */
const SCRATCH = new Uint16Array(ANCHOR_LENGTH);
const ASCII_BYTES = new Uint8Array(ANCHOR_LENGTH);
/** Characters that `encodeURIComponent` leaves as they are. */
const URL_SAFE = /^[A-Za-z0-9\-_.!~*'()]*$/;

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
