/**
 * Reading the Python (Mallku) layout: token files, their decryption with a classification of
 * every failure (truncated / wrong key / corrupt), the per-key file listing and name matching.
 * Used by `../mallku.ts` for reads and by `./write.ts` before every write.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { HushError } from "../../errors.js";
import { openToken, type FernetKey } from "../../crypto/fernet.js";
import { assertNoCollisions, envName, isValidName } from "../../names.js";
import type { SecretRecord } from "../../types.js";
import { hasLoneSurrogate, MAX_JSON_BYTES, parsePythonJson, type PyJson, type PyObject } from "./python-json.js";
import { toCompactJson } from "./python-json-dump.js";

/** The consolidated file's name, as in the reference design. */
export const CONSOLIDATED_FILE = "mallku-secrets.json.encrypted";
/** Suffix of per-key files: `<key>.secret`. */
export const PER_KEY_SUFFIX = ".secret";
/** Largest token file read: the base64 of MAX_JSON_BYTES plus Fernet's overhead, and some slack. */
export const MAX_TOKEN_FILE_BYTES = Math.ceil((MAX_JSON_BYTES + 100) / 3) * 4 + 1024;

/** A token file as read: its raw bytes (for change detection) and the trimmed token. */
export interface TokenFile {
  path: string;
  bytes: Buffer;
  ino: number;
}

/**
 * Reads a token file, or undefined when it does not exist. Throws LIMIT_EXCEEDED before reading
 * a file over MAX_TOKEN_FILE_BYTES, READ_FAILED when it cannot be read.
 */
export function readTokenFile(path: string): TokenFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot open ${path}.`, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HushError("READ_FAILED", `${path} is not a regular file (a FIFO or device?); hush does not read it.`);
    if (st.size > MAX_TOKEN_FILE_BYTES) throw new HushError("LIMIT_EXCEEDED", `${path} is ${st.size} bytes; hush reads token files of at most ${MAX_TOKEN_FILE_BYTES} bytes.`);
    return { path, bytes: readFileSync(fd), ino: st.ino };
  } catch (e) {
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** The token inside a file: ASCII whitespace trimmed at both ends, nothing else. */
export function tokenText(file: TokenFile): string {
  return file.bytes.toString("latin1").replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
}

/**
 * Decrypts a token file, classifying failures (the layout has no key id):
 * - empty, or not a whole token -> STORE_TRUNCATED;
 * - not strict base64url (`+/`, trailing data) or not a Fernet token -> STORE_CORRUPT;
 * - HMAC fails here but another token file in `dir` verifies with this key -> STORE_CORRUPT;
 * - HMAC fails here and on every other token file -> WRONG_KEY.
 */
export function decryptTokenFile(key: FernetKey, keyFile: string, file: TokenFile, dir: string): Buffer {
  const token = tokenText(file);
  if (token.length === 0) throw new HushError("STORE_TRUNCATED", `${file.path} is empty.`);
  const result = openToken(key, token);
  if (result.ok) return result.plaintext;
  switch (result.fault) {
    case "encoding":
      if (/^[A-Za-z0-9_-]+$/.test(token)) throw new HushError("STORE_TRUNCATED", `${file.path} is not a whole Fernet token: it is cut short, or its '=' padding was removed.`);
      throw new HushError("STORE_CORRUPT", `${file.path} is not strict url-safe base64: it holds '+', '/', data after the '=' padding, or stray characters.`, {
        hint: "Python tolerates these variants, hush does not (docs/store-format.md); re-save the secret from Python or restore the file.",
      });
    case "length":
      throw new HushError("STORE_TRUNCATED", `${file.path} is not a whole Fernet token: it is cut short.`);
    case "hmac":
      if (anotherTokenVerifies(key, dir, file.path)) {
        throw new HushError("STORE_CORRUPT", `${file.path} does not verify with ${keyFile}, while other token files in ${dir} do: this file is damaged, or was written with another key.`);
      }
      throw new HushError("WRONG_KEY", `The key ${keyFile} does not open ${file.path}, nor any other token file in ${dir}.`);
    default:
      throw new HushError("STORE_CORRUPT", `${file.path} is not a valid Fernet token (${result.fault === "version" ? "unknown version byte" : "bad padding after decryption"}).`);
  }
}

/** Decrypts and parses a token file's JSON (Python `json.loads` rules, see python-json.ts). */
export function loadTokenJson(key: FernetKey, keyFile: string, file: TokenFile, dir: string): PyJson {
  return parsePythonJson(decryptTokenFile(key, keyFile, file, dir), { label: `The decrypted content of ${file.path}` });
}

/** Parses the consolidated file into its dict; STORE_CORRUPT unless it is a JSON object. */
export function loadConsolidated(key: FernetKey, keyFile: string, file: TokenFile, dir: string): PyObject {
  const value = loadTokenJson(key, keyFile, file, dir);
  if (!(value instanceof Map)) throw new HushError("STORE_CORRUPT", `The decrypted content of ${file.path} is JSON but not an object.`);
  return value;
}

/** Per-key files in `dir` with a valid secret name: name -> path. Empty when `dir` is absent. */
export function listPerKeyFiles(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return found;
    throw new HushError("READ_FAILED", `Cannot list ${dir}.`, { cause: e });
  }
  for (const entry of entries) {
    if (!entry.name.endsWith(PER_KEY_SUFFIX) || entry.isDirectory()) continue;
    const stem = entry.name.slice(0, -PER_KEY_SUFFIX.length);
    if (isValidName(stem)) found.set(stem, join(dir, entry.name));
  }
  return found;
}

/**
 * The one stored key that `name` means: the same string exactly (Python's own lookup, so
 * `API_KEY` and `api_key` stay two keys, as the Python app keeps them), else the one key with
 * the same env-var form (`DATABASE_CONFIG` finds `database.config`, `moonshot_api_key` finds
 * `MOONSHOT_API_KEY`). NAME_COLLISION when two distinct stored keys share that form. Keys that
 * are not valid secret names are never matched.
 */
export function matchStoredKey(name: string, stored: Iterable<string>, dir: string): string | undefined {
  const target = envName(name);
  const group = new Set<string>();
  for (const k of stored) {
    if (k === name) return k;
    if (isValidName(k) && envName(k) === target) group.add(k);
  }
  assertNoCollisions(group, `the Mallku folder ${dir}`);
  return group.values().next().value;
}

/**
 * The record for a stored value: strings as they are, other JSON values as compact JSON text.
 * INVALID_VALUE for a string with a lone surrogate; UNSUPPORTED_CONTENT for NaN/Infinity.
 */
export function toRecord(key: string, value: PyJson, location: string, source: string): SecretRecord {
  if (typeof value === "string") {
    if (hasLoneSurrogate(value)) {
      throw new HushError("INVALID_VALUE", `The value of "${key}" in ${location} holds an unpaired UTF-16 surrogate, which UTF-8 and environment variables cannot carry; it is kept as it is in the file.`, { source, secret: key });
    }
    return { name: key, value, source, location, encoding: "string" };
  }
  try {
    return { name: key, value: toCompactJson(value), source, location, encoding: "json" };
  } catch (e) {
    if (e instanceof HushError) throw new HushError(e.code, `The value of "${key}" in ${location} holds NaN or Infinity, which JSON text and JavaScript cannot carry; it is kept as it is in the file.`, { source, secret: key });
    throw e;
  }
}

/** A fingerprint of key + file bytes, for caching parsed content. */
export function contentId(key: FernetKey, file: TokenFile): string {
  return createHash("sha256").update(key.signingKey).update(key.encryptionKey).update(file.bytes).digest("hex");
}

// --- internal ---

/** True when some other token file in `dir` passes the HMAC check with `key`. */
function anotherTokenVerifies(key: FernetKey, dir: string, except: string): boolean {
  const candidates = [join(dir, CONSOLIDATED_FILE), ...listPerKeyFiles(dir).values()].filter((p) => p !== except);
  for (const path of candidates) {
    let file: TokenFile | undefined;
    try {
      file = readTokenFile(path);
    } catch (_e) {
      // An unreadable or oversized neighbour proves nothing about the key; try the next one.
      continue;
    }
    if (file === undefined) continue;
    const r = openToken(key, tokenText(file));
    if (r.ok || r.fault === "padding") return true;
  }
  return false;
}
