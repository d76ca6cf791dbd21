/**
 * The bytes of a local store file (docs/store-format.md): one plaintext header line, the
 * Fernet token of the JSON document, a newline.
 *
 *   hush-local 1 key=<16 hex> len=<token length>\n<token>\n
 *
 * The header lets hush tell the faults apart before any decryption: another key (WRONG_KEY),
 * a file cut short (STORE_TRUNCATED) and damage (STORE_CORRUPT) each get their own code.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { HushError } from "../../errors.js";
import { fernetEncrypt, openToken, type FernetKey, type TokenFault } from "../../crypto/fernet.js";
import { assertDocumentShape, type StoreDocument } from "./document.js";

/** Format name, in the header and in the document. */
export const FORMAT_NAME = "hush-local";
/** Format version this hush reads and writes. */
export const FORMAT_VERSION = 1;
/** Largest store file opened or written: 256 MiB. */
export const MAX_STORE_BYTES = 256 * 1024 * 1024;

/** The key id: first 8 bytes, in hex, of HMAC-SHA256(signingKey, "hush key id v1"). */
export function keyIdOf(key: FernetKey): string {
  return createHmac("sha256", key.signingKey).update("hush key id v1").digest().subarray(0, 8).toString("hex");
}

/** Encodes `doc` into a store file's bytes. Throws LIMIT_EXCEEDED past MAX_STORE_BYTES. */
export function encodeStoreFile(key: FernetKey, doc: StoreDocument, path: string): Buffer {
  const token = fernetEncrypt(key, JSON.stringify(doc));
  const header = `${FORMAT_NAME} ${FORMAT_VERSION} key=${keyIdOf(key)} len=${token.length}\n`;
  const size = header.length + token.length + 1;
  if (size > MAX_STORE_BYTES) {
    throw new HushError("LIMIT_EXCEEDED", `The store ${path} would grow to ${size} bytes, past the limit of ${MAX_STORE_BYTES}; nothing was written.`);
  }
  return Buffer.from(header + token + "\n", "latin1");
}

/**
 * Decodes a store file's bytes into its document (top level checked; entries are checked
 * lazily by document.ts). Throws WRONG_KEY, STORE_TRUNCATED or STORE_CORRUPT naming `path`.
 */
export function decodeStoreFile(bytes: Buffer, key: FernetKey, path: string, environment: string): StoreDocument {
  if (bytes.length === 0) throw truncated(path, "the file is empty");
  const newline = bytes.indexOf(0x0a, 0);
  if (newline < 0 || newline > MAX_HEADER_BYTES) {
    const text = bytes.toString("latin1", 0, Math.min(bytes.length, MAX_HEADER_BYTES + 1));
    if (newline < 0 && bytes.length <= MAX_HEADER_BYTES && isHeaderPrefix(text)) throw truncated(path, "the file ends inside its header line");
    throw corrupt(path, `it does not start with a ${FORMAT_NAME} header line`);
  }
  const header = HEADER_PATTERN.exec(bytes.toString("latin1", 0, newline));
  if (!header) throw corrupt(path, "its header line is not valid");
  if (Number(header[1]) !== FORMAT_VERSION) {
    throw new HushError("STORE_CORRUPT", `The store ${path} has format version ${header[1]}; this hush reads version ${FORMAT_VERSION}.`, { hint: "Upgrade hush to a version that reads this store; the file is kept as it is." });
  }
  const keyId = keyIdOf(key);
  if (!timingSafeEqual(Buffer.from(header[2]!, "hex"), Buffer.from(keyId, "hex"))) {
    throw new HushError("WRONG_KEY", `Wrong key for the store ${path}: it was written with key id ${header[2]}, the key given has id ${keyId}.`);
  }
  const length = Number(header[3]);
  const start = newline + 1;
  const available = bytes.length - start;
  if (available <= length) throw truncated(path, `its token has ${Math.max(0, Math.min(available, length))} of ${length} characters${available === length ? " and no final newline" : ""}`);
  if (available !== length + 1 || bytes[start + length] !== 0x0a) throw corrupt(path, "there are bytes after its token");
  const opened = openToken(key, bytes.toString("latin1", start, start + length));
  if (!opened.ok) {
    if (opened.fault === "length") throw truncated(path, "its token is not a whole Fernet token");
    throw corrupt(path, FAULT_TEXT[opened.fault]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(opened.plaintext.toString("utf8"));
  } catch (_e) {
    // JSON.parse messages quote the input (a value): report only that it failed.
    throw corrupt(path, "its decrypted content is not valid JSON");
  }
  assertDocumentShape(doc, path, environment);
  return doc;
}

// --- internal ---

const MAX_HEADER_BYTES = 128;
const HEADER_PATTERN = /^hush-local (\d{1,6}) key=([0-9a-f]{16}) len=(\d{1,10})$/;
/** What each prefix of a valid header line can look like (for "cut inside the header"). */
const HEADER_PREFIX_PATTERN = /^hush-local (\d{1,6}( (k(e(y(=[0-9a-f]{0,16}( (l(e(n(=\d{0,10})?)?)?)?)?)?)?)?)?)?)?$/;

function isHeaderPrefix(text: string): boolean {
  return `${FORMAT_NAME} `.startsWith(text) || HEADER_PREFIX_PATTERN.test(text);
}

const FAULT_TEXT: Record<Exclude<TokenFault, "length">, string> = {
  encoding: "its token is not url-safe base64",
  version: "its token has an unknown version byte",
  hmac: "its token fails the HMAC check although the key id matches (the file was altered)",
  padding: "its decrypted content has invalid padding",
  expired: "its token is expired",
  future: "its token is dated in the future",
};

function truncated(path: string, why: string): HushError {
  return new HushError("STORE_TRUNCATED", `The store ${path} is truncated: ${why}. hush keeps the file as it is.`);
}

function corrupt(path: string, why: string): HushError {
  return new HushError("STORE_CORRUPT", `The store ${path} is corrupt: ${why}. hush keeps the file as it is.`);
}
