/**
 * Strict reading of the small JSON files that hold wrapped keys (passphrase key files, export
 * bundles, `.hush/members.<env>.json`): parse without ever passing the parser's message on (it
 * quotes input), check the exact set of fields, and decode binary fields as unpadded base64url
 * that must re-encode to the same text (no stray characters, no padding, no second spelling).
 */
import { HushError, type HushErrorCode } from "../errors.js";

/** What a reader is checking, for messages: `the wrapped key file /path`. */
export interface StrictReader {
  /** `the wrapped key file /p/.secrets/prod.wrapped-key.json` */
  what: string;
  /** Code of every format problem (MALFORMED_KEY for key files, STORE_CORRUPT for the members file). */
  code: HushErrorCode;
  /** Replaces the code's default hint. */
  hint?: string;
}

/** Unpadded base64url of `bytes`. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Parses JSON text to a plain object; the parser's own message (it quotes input) is dropped. */
export function parseJsonObject(text: string, reader: StrictReader): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (_e) {
    throw formatError(reader, "it is not valid JSON");
  }
  return expectObject(value, "the file", reader);
}

/** `value` as a plain object, else a format error naming `field`. */
export function expectObject(value: unknown, field: string, reader: StrictReader): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw formatError(reader, `${field} is not an object`);
  return value as Record<string, unknown>;
}

/** Fails unless `object` has exactly the fields `keys` (no more, no fewer). */
export function expectExactKeys(object: Record<string, unknown>, keys: readonly string[], field: string, reader: StrictReader): void {
  const have = Object.keys(object);
  const extra = have.filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !Object.hasOwn(object, k));
  if (extra.length > 0) throw formatError(reader, `${field} has ${extra.length} unexpected field(s)`);
  if (missing.length > 0) throw formatError(reader, `${field} lacks ${missing.join(", ")}`);
}

/** `value` as a string matching `pattern`, else a format error naming `field` (never the value). */
export function expectString(value: unknown, field: string, pattern: RegExp, reader: StrictReader): string {
  if (typeof value !== "string" || !pattern.test(value)) throw formatError(reader, `${field} is not of the expected form`);
  return value;
}

/** `value` as an integer in [min, max], else a format error. */
export function expectInteger(value: unknown, field: string, min: number, max: number, reader: StrictReader): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw formatError(reader, `${field} is not a whole number from ${min} to ${max}`);
  return value;
}

/** Decodes an unpadded base64url field of exactly `length` bytes (or a length in [min, max]). */
export function expectBytes(value: unknown, field: string, length: number | { min: number; max: number }, reader: StrictReader): Buffer {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]*$/.test(value)) throw formatError(reader, `${field} is not unpadded base64url`);
  const bytes = Buffer.from(value, "base64url");
  if (bytes.toString("base64url") !== value) throw formatError(reader, `${field} is not canonical base64url`);
  const ok = typeof length === "number" ? bytes.length === length : bytes.length >= length.min && bytes.length <= length.max;
  if (!ok) throw formatError(reader, `${field} decodes to ${bytes.length} bytes`);
  return bytes;
}

/** The format error of `reader`: `Malformed <what>: <problem>.` */
export function formatError(reader: StrictReader, problem: string): HushError {
  return new HushError(reader.code, `Malformed ${reader.what}: ${problem}.`, reader.hint === undefined ? {} : { hint: reader.hint });
}
