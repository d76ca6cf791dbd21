/**
 * The passphrase wrap format: an environment's 32-byte key encrypted under a key derived from a
 * passphrase. Used by the `passphrase` key provider (its key file) and by `hush key export`
 * (the bundle that moves a key to another machine); `purpose` tells the two apart.
 *
 * Format (version 1), one JSON object, written with exactly these fields:
 *
 * ```json
 * { "hush": "wrapped-key", "version": 1, "purpose": "passphrase-key" | "export", "environment": "prod",
 *   "kdf": { "name": "scrypt", "N": 65536, "r": 8, "p": 1, "salt": "<16 bytes>" },
 *   "cipher": { "name": "aes-256-gcm", "iv": "<12 bytes>", "tag": "<16 bytes>" },
 *   "ciphertext": "<32 bytes>" }
 * ```
 *
 * Binary fields are unpadded base64url. The wrapping key is scrypt(passphrase as UTF-8, salt,
 * N, r, p, 32 bytes); the ciphertext is AES-256-GCM of the raw 32-byte key with a random IV,
 * and the additional authenticated data is the UTF-8 text
 * `hush-wrapped-key\nversion=1\npurpose=<purpose>\nenvironment=<env>\nkdf=scrypt N=<N> r=<r> p=<p> salt=<salt>`,
 * so a file moved to another environment, changed to another purpose, or given weaker
 * parameters does not open. A wrong passphrase and an altered file look the same to GCM: both
 * are WRONG_KEY ("wrong passphrase, or the file was altered"), never "missing".
 *
 * Parameters: N = 2^16, r = 8, p = 1 (64 MiB, about 190 ms on the 2-core build machine). A file
 * may carry other parameters (they are read from it) within bounds that keep a tampered file
 * from making hush spend minutes or gigabytes: N from 2^14 to 2^20, r from 1 to 32, p from 1
 * to 16, memory at most 1 GiB.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { HushError } from "../errors.js";
import { assertValidEnvironment } from "../environment.js";
import { expectBytes, expectExactKeys, expectInteger, expectObject, expectString, formatError, parseJsonObject, toBase64Url, type StrictReader } from "./wrap-encoding.js";

/** What a wrapped key is for. */
export type WrapPurpose = "passphrase-key" | "export";

/** scrypt's parameters, as recorded in the file. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The parameters new files get: ~190 ms and 64 MiB here (measured; see the header). */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 16, r: 8, p: 1 });

/** Largest wrapped-key file read. */
export const MAX_WRAPPED_KEY_BYTES = 4096;

/** Options of {@link wrapKeyWithPassphrase}. */
export interface WrapKeyOptions {
  purpose: WrapPurpose;
  environment: string;
  /** Tests use cheaper parameters; files record what they used. @default DEFAULT_SCRYPT_PARAMS */
  params?: ScryptParams;
}

/** Options of {@link unwrapKeyWithPassphrase}. */
export interface UnwrapKeyOptions {
  /** The purpose the caller expects; another purpose is MALFORMED_KEY naming both. */
  purpose: WrapPurpose;
  /** The environment the caller expects; another is WRONG_KEY naming both (the key is another environment's). */
  environment?: string;
  /** The file, for messages. */
  what: string;
}

/** A parsed wrapped key, before the passphrase is applied. */
export interface WrappedKey {
  purpose: WrapPurpose;
  environment: string;
  params: ScryptParams;
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/**
 * Wraps a raw 32-byte key under `passphrase`; returns the file text (JSON and a newline).
 *
 * @example
 * const text = await wrapKeyWithPassphrase(raw, "correct horse battery staple", { purpose: "export", environment: "prod" });
 */
export async function wrapKeyWithPassphrase(rawKey: Buffer, passphrase: string, options: WrapKeyOptions): Promise<string> {
  if (rawKey.length !== 32) throw new HushError("INTERNAL", "A key to wrap must be 32 bytes.");
  assertValidEnvironment(options.environment);
  assertPassphrase(passphrase);
  const params = options.params ?? DEFAULT_SCRYPT_PARAMS;
  assertParams(params, { what: "the scrypt parameters", code: "INVALID_ARGUMENT" });
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrapping = await deriveKey(passphrase, salt, params);
  const cipher = createCipheriv("aes-256-gcm", wrapping, iv);
  cipher.setAAD(additionalData(options.purpose, options.environment, params, salt));
  const ciphertext = Buffer.concat([cipher.update(rawKey), cipher.final()]);
  wrapping.fill(0);
  const doc = {
    hush: "wrapped-key",
    version: 1,
    purpose: options.purpose,
    environment: options.environment,
    kdf: { name: "scrypt", N: params.N, r: params.r, p: params.p, salt: toBase64Url(salt) },
    cipher: { name: "aes-256-gcm", iv: toBase64Url(iv), tag: toBase64Url(cipher.getAuthTag()) },
    ciphertext: toBase64Url(ciphertext),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * Opens wrapped-key file text with `passphrase`: the raw 32-byte key. Throws MALFORMED_KEY (not
 * this format), WRONG_KEY (wrong passphrase, altered file, another environment's key).
 */
export async function unwrapKeyWithPassphrase(text: string, passphrase: string, options: UnwrapKeyOptions): Promise<Buffer> {
  const wrapped = parseWrappedKey(text, options.what);
  if (wrapped.purpose !== options.purpose) {
    const is = wrapped.purpose === "export" ? "an export bundle (`hush key import` reads it)" : "a passphrase key file (the `passphrase` provider reads it)";
    throw new HushError("MALFORMED_KEY", `${options.what} is ${is}, not ${options.purpose === "export" ? "an export bundle" : "a passphrase key file"}.`);
  }
  if (options.environment !== undefined && wrapped.environment !== options.environment) {
    throw new HushError("WRONG_KEY", `${options.what} holds the key of environment ${wrapped.environment}, not ${options.environment}.`, {
      hint: "Use the file made for this environment; a key of another environment opens nothing here.",
    });
  }
  assertPassphrase(passphrase);
  const wrapping = await deriveKey(passphrase, wrapped.salt, wrapped.params);
  try {
    const decipher = createDecipheriv("aes-256-gcm", wrapping, wrapped.iv);
    decipher.setAAD(additionalData(wrapped.purpose, wrapped.environment, wrapped.params, wrapped.salt));
    decipher.setAuthTag(wrapped.tag);
    return Buffer.concat([decipher.update(wrapped.ciphertext), decipher.final()]);
  } catch (_e) {
    throw new HushError("WRONG_KEY", `The passphrase does not open ${options.what} (a wrong passphrase, or the file was altered).`, {
      hint: "Type the passphrase again (HUSH_PASSPHRASE, or the prompt); if it is right, restore the file from your backup.",
    });
  } finally {
    wrapping.fill(0);
  }
}

/** Parses and validates wrapped-key file text strictly (exact fields, bounded parameters). Throws MALFORMED_KEY. */
export function parseWrappedKey(text: string, what: string): WrappedKey {
  const reader: StrictReader = { what, code: "MALFORMED_KEY", hint: "The file is not a hush wrapped key, or it was altered; restore it from your backup." };
  if (Buffer.byteLength(text, "utf8") > MAX_WRAPPED_KEY_BYTES) throw formatError(reader, `more than ${MAX_WRAPPED_KEY_BYTES} bytes`);
  const doc = parseJsonObject(text, reader);
  expectExactKeys(doc, ["hush", "version", "purpose", "environment", "kdf", "cipher", "ciphertext"], "the file", reader);
  expectString(doc.hush, "hush", /^wrapped-key$/, reader);
  if (doc.version !== 1) throw formatError(reader, "version is not 1 (written by a newer hush?)");
  const purpose = expectString(doc.purpose, "purpose", /^(passphrase-key|export)$/, reader) as WrapPurpose;
  const environment = expectString(doc.environment, "environment", /^[a-z0-9][a-z0-9_-]{0,31}$/, reader);
  const kdf = expectObject(doc.kdf, "kdf", reader);
  expectExactKeys(kdf, ["name", "N", "r", "p", "salt"], "kdf", reader);
  expectString(kdf.name, "kdf.name", /^scrypt$/, reader);
  const params = { N: expectInteger(kdf.N, "kdf.N", 2 ** 14, 2 ** 20, reader), r: expectInteger(kdf.r, "kdf.r", 1, 32, reader), p: expectInteger(kdf.p, "kdf.p", 1, 16, reader) };
  assertParams(params, reader);
  const cipher = expectObject(doc.cipher, "cipher", reader);
  expectExactKeys(cipher, ["name", "iv", "tag"], "cipher", reader);
  expectString(cipher.name, "cipher.name", /^aes-256-gcm$/, reader);
  return {
    purpose,
    environment,
    params,
    salt: expectBytes(kdf.salt, "kdf.salt", { min: 16, max: 64 }, reader),
    iv: expectBytes(cipher.iv, "cipher.iv", 12, reader),
    tag: expectBytes(cipher.tag, "cipher.tag", 16, reader),
    ciphertext: expectBytes(doc.ciphertext, "ciphertext", 32, reader),
  };
}

// --- internal ---

/** scrypt's memory need is 128·N·r bytes; Node refuses above `maxmem`, so it is given with room. */
function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (e, key) => {
      if (e) reject(new HushError("INTERNAL", "scrypt failed.", { cause: e }));
      else resolve(key);
    });
  });
}

function additionalData(purpose: WrapPurpose, environment: string, params: ScryptParams, salt: Buffer): Buffer {
  return Buffer.from(`hush-wrapped-key\nversion=1\npurpose=${purpose}\nenvironment=${environment}\nkdf=scrypt N=${params.N} r=${params.r} p=${params.p} salt=${toBase64Url(salt)}`, "utf8");
}

function assertParams(params: ScryptParams, reader: StrictReader): void {
  const powerOfTwo = Number.isInteger(params.N) && params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo) throw formatError(reader, "kdf.N is not a power of two");
  if (128 * params.N * params.r > 1024 ** 3) throw formatError(reader, "kdf.N × kdf.r asks for more than 1 GiB");
}

function assertPassphrase(passphrase: string): void {
  if (typeof passphrase !== "string" || passphrase.length === 0) throw new HushError("INVALID_ARGUMENT", "The passphrase is empty.", { hint: "Type a passphrase at the prompt, or set HUSH_PASSPHRASE." });
}
