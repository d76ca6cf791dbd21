/**
 * Fernet (https://github.com/fernet/spec) on node:crypto: AES-128-CBC with PKCS#7 padding,
 * then HMAC-SHA256 over version | timestamp | IV | ciphertext, url-safe base64 with padding.
 *
 * Why by hand: the spec is a composition of node:crypto primitives, and the npm `fernet`
 * package accepts invalid tokens (see shared/testdata/fernet/README.md). Nothing here is a
 * home-made primitive.
 *
 * Decisions (docs/store-format.md, FAULTS 1-6):
 * - Tokens are decoded strictly: only the base64url alphabet, `=` padding required, nothing
 *   after it, zero padding bits. Python is lenient here (it accepts `+/`, trailing data and
 *   stray characters); hush rejects them. Surrounding ASCII whitespace of a token *file* is
 *   trimmed by the file reader, not here.
 * - Key text: surrounding ASCII whitespace is trimmed (Python accepts a trailing newline), then
 *   the same strict decoding; it must give 32 bytes.
 * - No TTL by default (Python readers apply none). With `ttlSeconds`, Python's rule: expired
 *   when `ts + ttl < now`; rejected as future when `now + 60 < ts`.
 * - The HMAC is checked, in constant time, before anything is decrypted.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HushError } from "../errors.js";

/** A parsed Fernet key: the first 16 bytes sign, the last 16 encrypt. */
export interface FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

/** Options for {@link fernetEncrypt}. */
export interface FernetEncryptOptions {
  /** Token timestamp in Unix seconds. @default the current time */
  now?: number;
  /** 16-byte IV, for test vectors only. @default 16 bytes from crypto.randomBytes */
  iv?: Buffer;
}

/** Options for {@link fernetDecrypt}. */
export interface FernetDecryptOptions {
  /** Maximum token age in seconds. @default undefined (no TTL, as Python's readers) */
  ttlSeconds?: number;
  /** The clock, in Unix seconds, for TTL checks. @default the current time */
  now?: number;
}

/** Why a token was refused. */
export type TokenFault = "encoding" | "length" | "version" | "hmac" | "padding" | "expired" | "future";

/** Result of {@link openToken}: the plaintext, or the reason it was refused. */
export type OpenTokenResult = { ok: true; plaintext: Buffer } | { ok: false; fault: TokenFault };

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16;
const HMAC_BYTES = 32;
const BLOCK = 16;
const MAX_CLOCK_SKEW_SECONDS = 60;

/** Makes a new random key, as Python's `Fernet.generate_key()`: 44 characters. */
export function generateFernetKey(): string {
  return randomBytes(32).toString("base64url") + "=";
}

/** Parses key text (a key file's content). Throws MALFORMED_KEY; never echoes the key. */
export function parseFernetKey(text: string | Buffer): FernetKey {
  const trimmed = (typeof text === "string" ? text : text.toString("latin1")).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  const raw = decodeBase64UrlStrict(trimmed);
  if (raw === undefined || raw.length !== 32) {
    const what = raw === undefined ? "is not padded url-safe base64" : `decodes to ${raw.length} bytes, not 32`;
    throw new HushError("MALFORMED_KEY", `Malformed key file: the key ${what} (length ${trimmed.length}).`);
  }
  return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
}

/** Encrypts `plaintext` into a Fernet token. */
export function fernetEncrypt(key: FernetKey, plaintext: Buffer | string, options: FernetEncryptOptions = {}): string {
  const iv = options.iv ?? randomBytes(16);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const cipher = createCipheriv("aes-128-cbc", key.encryptionKey, iv);
  const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
  const first = cipher.update(data);
  const last = cipher.final();
  const body = Buffer.allocUnsafe(HEADER_BYTES + first.length + last.length + HMAC_BYTES);
  body[0] = VERSION;
  body.writeBigUInt64BE(BigInt(now), 1);
  iv.copy(body, 9);
  first.copy(body, HEADER_BYTES);
  last.copy(body, HEADER_BYTES + first.length);
  const signedEnd = body.length - HMAC_BYTES;
  createHmac("sha256", key.signingKey).update(body.subarray(0, signedEnd)).digest().copy(body, signedEnd);
  return body.toString("base64url") + "=".repeat((3 - (body.length % 3)) % 3);
}

/** Decrypts a token, or throws INVALID_TOKEN / TOKEN_EXPIRED with the reason (never data). */
export function fernetDecrypt(key: FernetKey, token: string, options: FernetDecryptOptions = {}): Buffer {
  const result = openToken(key, token, options);
  if (result.ok) return result.plaintext;
  if (result.fault === "expired" || result.fault === "future") {
    throw new HushError("TOKEN_EXPIRED", `Fernet token rejected: ${FAULT_TEXT[result.fault]}.`);
  }
  throw new HushError("INVALID_TOKEN", `Fernet token rejected: ${FAULT_TEXT[result.fault]}.`);
}

/** Like {@link fernetDecrypt} but returns the fault instead of throwing, for callers that classify. */
export function openToken(key: FernetKey, token: string, options: FernetDecryptOptions = {}): OpenTokenResult {
  const data = decodeBase64UrlStrict(token);
  if (data === undefined) return { ok: false, fault: "encoding" };
  if (data.length < HEADER_BYTES + BLOCK + HMAC_BYTES || (data.length - HEADER_BYTES - HMAC_BYTES) % BLOCK !== 0) {
    return { ok: false, fault: "length" };
  }
  if (data[0] !== VERSION) return { ok: false, fault: "version" };
  if (options.ttlSeconds !== undefined) {
    const ts = Number(data.readBigUInt64BE(1));
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (ts + options.ttlSeconds < now) return { ok: false, fault: "expired" };
    if (now + MAX_CLOCK_SKEW_SECONDS < ts) return { ok: false, fault: "future" };
  }
  const signedEnd = data.length - HMAC_BYTES;
  const expected = createHmac("sha256", key.signingKey).update(data.subarray(0, signedEnd)).digest();
  if (!timingSafeEqual(expected, data.subarray(signedEnd))) return { ok: false, fault: "hmac" };
  try {
    const decipher = createDecipheriv("aes-128-cbc", key.encryptionKey, data.subarray(9, HEADER_BYTES));
    const first = decipher.update(data.subarray(HEADER_BYTES, signedEnd));
    const last = decipher.final();
    return { ok: true, plaintext: last.length === 0 ? first : Buffer.concat([first, last]) };
  } catch (_e) {
    // OpenSSL's "bad decrypt" (invalid PKCS#7 padding) after a valid HMAC: a token signed with
    // the right key over a bad plaintext. Its message carries no data, but we keep only the fault.
    return { ok: false, fault: "padding" };
  }
}

/** The timestamp (Unix seconds) inside a well-formed token, or undefined. */
export function fernetTimestamp(token: string): number | undefined {
  const data = decodeBase64UrlStrict(token);
  if (data === undefined || data.length < HEADER_BYTES) return undefined;
  return Number(data.readBigUInt64BE(1));
}

/**
 * Strict base64url: alphabet `A-Z a-z 0-9 - _`, `=` padding to a multiple of 4, nothing after
 * the padding, zero unused bits. Returns undefined for anything else.
 *
 * Node's own decoder is lenient (it accepts `+/`, skips stray characters and stops at `=`), so
 * we check the text first and then that the decoder consumed every character.
 */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  // A regex over the whole text costs more than the AES on large tokens; instead: Node maps
  // `+` and `/` to values (rejected here), and skips every other stray character, so a
  // decoded length short of what the text length implies means a character was not valid.
  if (text.length % 4 !== 0 || text.includes("+") || text.includes("/")) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const decoded = Buffer.from(text, "base64url");
  if (decoded.length !== (text.length / 4) * 3 - padding) return undefined;
  if (padding > 0) {
    const last = BASE64URL_VALUES.indexOf(text[text.length - padding - 1]!);
    const unusedBitsMask = padding === 1 ? 0b11 : 0b1111;
    if ((last & unusedBitsMask) !== 0) return undefined;
  }
  return decoded;
}

// --- internal ---

const BASE64URL_VALUES = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const FAULT_TEXT: Record<TokenFault, string> = {
  encoding: "not strict url-safe base64 with padding",
  length: "wrong length (truncated or not a Fernet token)",
  version: "unknown version byte",
  hmac: "HMAC does not match (wrong key, or the token was altered)",
  padding: "invalid padding after decryption",
  expired: "older than the TTL",
  future: "timestamp too far in the future",
};
