/**
 * The file the `gcp-kms` key provider keeps in the secrets folder: the environment's key wrapped by
 * a Cloud KMS key (ciphertext only, useless without the KMS), as JSON:
 * `{ "format": "hush-gcp-kms", "version": 1, "keyName": "projects/.../cryptoKeys/k", "ciphertext": "<base64>" }`.
 * Read after the permission checks (0600 in a 0700 folder, owned by you, a regular file, bounded
 * size); a damaged file is STORE_CORRUPT, never "no key".
 */
import { join } from "node:path";
import { HushError } from "../../errors.js";
import { checkPrivate } from "../../fs/permissions.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";

/** What the file holds. */
export interface WrappedKey {
  keyName: string;
  ciphertext: Buffer;
}

/** `<secretsDir>/<env>.gcp-kms.json`. */
export function wrappedKeyPath(secretsDir: string, environment: string): string {
  return join(secretsDir, `${environment}.gcp-kms.json`);
}

/** The file's text for `wrapped`. */
export function formatWrappedKey(wrapped: WrappedKey): string {
  return `${JSON.stringify({ format: FORMAT, version: 1, keyName: wrapped.keyName, ciphertext: wrapped.ciphertext.toString("base64") })}\n`;
}

/** Reads the file: undefined when there is none; INSECURE_PERMISSIONS, READ_FAILED or STORE_CORRUPT otherwise. */
export function readWrappedKey(path: string): WrappedKey | undefined {
  if (!checkPrivate(path, "file", "strict")) return undefined;
  const bytes = readTrustedFile(path, { what: "the wrapped key file", maxBytes: 16 * 1024, source: "gcp-kms" });
  if (!bytes) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw corrupt(path, "it is not JSON"); // never the parser's message: it quotes the input
  }
  const p = parsed as { format?: unknown; version?: unknown; keyName?: unknown; ciphertext?: unknown };
  if (p === null || typeof p !== "object" || p.format !== FORMAT || p.version !== 1) throw corrupt(path, "it is not a hush-gcp-kms file of version 1");
  if (typeof p.keyName !== "string" || !KEY_NAME.test(p.keyName)) throw corrupt(path, "its keyName is not a Cloud KMS crypto key name");
  if (typeof p.ciphertext !== "string" || !/^[A-Za-z0-9+/]{4,4096}={0,2}$/.test(p.ciphertext)) throw corrupt(path, "its ciphertext is not base64");
  return { keyName: p.keyName, ciphertext: Buffer.from(p.ciphertext, "base64") };
}

/** A Cloud KMS crypto key's resource name. */
export const KEY_NAME = /^projects\/[a-z0-9-]{1,63}\/locations\/[a-z0-9-]{1,63}\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/;

// --- internal ---

const FORMAT = "hush-gcp-kms";

function corrupt(path: string, why: string): HushError {
  return new HushError("STORE_CORRUPT", `The wrapped key file ${path} is damaged: ${why}.`, { hint: "Restore it from your backup; the KMS can unwrap only the ciphertext it made." });
}
