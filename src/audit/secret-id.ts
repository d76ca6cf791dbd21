/**
 * Secret ids: audit records name a secret by HMAC-SHA256 of its canonical name under a key
 * derived from the environment's Fernet key, so a leaked log does not list what exists, and
 * anyone holding the key can map ids back by hashing the names they know.
 *
 * Keys: HKDF-SHA256 (RFC 5869) over the 32 key bytes (signing key then encryption key, as in
 * the key file), empty salt, info "hush audit secret-id v1" for ids and "hush audit anchor v1"
 * for the MAC of the log's anchor file; 32 bytes each. An id is the full HMAC, lower-case hex
 * (64 characters).
 */
import { createHmac, hkdfSync } from "node:crypto";
import { loadEnvironmentKeySync, type KeySettings } from "../keys/environment-key.js";
import type { FernetKey } from "../crypto/fernet.js";
import { canonicalName, isValidName } from "../names.js";

/** The two keys the audit trail derives from an environment's key. */
export interface AuditKeys {
  /** HMAC key of secret ids. */
  idKey: Buffer;
  /** HMAC key of the anchor file (the last seq and hash, against tail truncation). */
  anchorKey: Buffer;
}

/** HKDF info strings, versioned so a change of scheme never reuses a key. */
export const SECRET_ID_INFO = "hush audit secret-id v1";
export const ANCHOR_INFO = "hush audit anchor v1";

/** Derives the audit keys from a Fernet key. */
export function deriveAuditKeys(key: FernetKey): AuditKeys {
  const ikm = Buffer.concat([key.signingKey, key.encryptionKey]);
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), info, 32));
  return { idKey: derive(SECRET_ID_INFO), anchorKey: derive(ANCHOR_INFO) };
}

/**
 * Gets `environment`'s key through its provider (hush.yaml's `keys:`, else the key file in
 * `secretsDir`; see src/keys/environment-key.ts) and derives the audit keys. A key file is read
 * now (permission-checked); a KMS or passphrase key must have been loaded in this process.
 */
export function loadAuditKeys(secretsDir: string, environment: string, settings: KeySettings & { env?: NodeJS.ProcessEnv; root?: string } = {}): AuditKeys {
  return deriveAuditKeys(loadEnvironmentKeySync({ ...settings, secretsDir, environment, onWarning: () => undefined }).key);
}

/** The id of `name` (canonicalised first, so `OPENAI_API_KEY` and `openai_api_key` agree). */
export function secretIdOf(idKey: Buffer, name: string): string {
  const canonical = isValidName(name) ? canonicalName(name) : name;
  return createHmac("sha256", idKey).update(canonical, "utf8").digest("hex");
}

/** A memoising id function plus the reverse map of every name it has seen. */
export interface SecretIdMapper {
  idOf(name: string): string;
  nameOf(secretId: string): string | undefined;
  /** Hashes known names so their ids map back (e.g. every name the manager lists). */
  learn(names: Iterable<string>): void;
}

/**
 * Makes a {@link SecretIdMapper}. Ids are one-way: names map back only when learned.
 * @example
 * const ids = createSecretIdMapper(loadAuditKeys(".secrets", "dev").idKey);
 * ids.learn(["openai_api_key"]); ids.nameOf(ids.idOf("OPENAI_API_KEY")); // "openai_api_key"
 */
export function createSecretIdMapper(idKey: Buffer): SecretIdMapper {
  const byName = new Map<string, string>();
  const byId = new Map<string, string>();
  const idOf = (name: string): string => {
    let id = byName.get(name);
    if (id === undefined) {
      id = secretIdOf(idKey, name);
      if (byName.size >= MAX_MEMO) byName.clear(); // bounded: names are few, but callers may pass anything
      byName.set(name, id);
      if (byId.size >= MAX_MEMO) byId.clear();
      if (!byId.has(id)) byId.set(id, isValidName(name) ? canonicalName(name) : name);
    }
    return id;
  };
  return {
    idOf,
    nameOf: (id) => byId.get(id),
    learn(names) {
      for (const n of names) idOf(n);
    },
  };
}

// --- internal ---

const MAX_MEMO = 10_000;
