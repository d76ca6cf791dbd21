/**
 * Envelope encryption of the `postgres` source (node:crypto only).
 *
 * From the environment's key (32 bytes, from `loadEnvironmentKey`) HKDF-SHA256 derives, with the
 * store id as salt: the key-encryption key (KEK), the key of the names' HMAC and the key that
 * encrypts the names. The key id is an HKDF output too (it names the key without revealing it).
 *
 * Each version gets a fresh 256-bit data key. The value is sealed with AES-256-GCM under the
 * data key; the data key is sealed with AES-256-GCM under the KEK. Both carry additional
 * authenticated data binding them to the store id, the environment, the secret id, the version
 * and the key id, so a ciphertext copied to another row, secret or version does not open
 * (FAULTS 20). A box is `0x01 || iv (12) || ciphertext || tag (16)`.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { HushError } from "../../errors.js";
import type { FernetKey } from "../../crypto/fernet.js";

/** The keys of one environment's store. Never logged. */
export interface StoreKeys {
  storeId: string;
  environment: string;
  /** Names the environment key (16 hex characters); stored beside every version. */
  keyId: string;
  kek: Buffer;
  nameMac: Buffer;
  nameKey: Buffer;
}

/** A sealed version as stored. */
export interface SealedValue {
  wrappedKey: Buffer;
  box: Buffer;
}

/** Where a sealed value belongs: what its AAD binds. */
export interface ValueBinding {
  secretId: string;
  version: number;
  keyId: string;
}

/** The key id of an environment key: independent of any store, so a wrong key is recognised before any decrypt. */
export function keyIdOf(key: FernetKey): string {
  return Buffer.from(hkdfSync("sha256", ikm(key), Buffer.alloc(0), "hush/pg/key-id/v1", 8)).toString("hex");
}

/** Derives the store's keys from the environment's key. */
export function deriveStoreKeys(key: FernetKey, storeId: string, environment: string): StoreKeys {
  const salt = Buffer.from(storeId, "utf8");
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", ikm(key), salt, info, 32));
  return { storeId, environment, keyId: keyIdOf(key), kek: derive("hush/pg/kek/v1"), nameMac: derive("hush/pg/name-hmac/v1"), nameKey: derive("hush/pg/name-box/v1") };
}

/** The row key of a canonical name: HMAC-SHA256 under the store's name key (no name in clear). */
export function nameHmac(keys: StoreKeys, name: string): Buffer {
  return createHmac("sha256", keys.nameMac).update(`${keys.environment}\0${name}`, "utf8").digest();
}

/** Seals a name (bound to its HMAC, so a name box moved to another row does not open). */
export function sealName(keys: StoreKeys, hmac: Buffer, name: string): Buffer {
  return seal(keys.nameKey, Buffer.from(name, "utf8"), aad(keys, ["name", hmac.toString("hex")]));
}

/** Opens a name box; STORE_CORRUPT when it was altered or moved. */
export function openName(keys: StoreKeys, hmac: Buffer, box: Buffer): string {
  const name = open(keys.nameKey, box, aad(keys, ["name", hmac.toString("hex")]));
  if (!name) throw corrupt("a secret's name");
  return name.toString("utf8");
}

/** Seals a value under a fresh data key, wrapped by the KEK. */
export function sealValue(keys: StoreKeys, binding: Omit<ValueBinding, "keyId">, value: string): SealedValue {
  const dataKey = randomBytes(32);
  const bound = { ...binding, keyId: keys.keyId };
  try {
    return { wrappedKey: seal(keys.kek, dataKey, aad(keys, ["wrap", ...fields(bound)])), box: seal(dataKey, Buffer.from(value, "utf8"), aad(keys, ["value", ...fields(bound)])) };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Opens a sealed value. A key id other than the store's is WRONG_KEY; a box that does not open
 * (altered, or copied from another row, secret or version) is STORE_CORRUPT. Never says more.
 */
export function openValue(keys: StoreKeys, binding: ValueBinding, sealed: SealedValue, name: string): string {
  if (binding.keyId !== keys.keyId) {
    throw new HushError("WRONG_KEY", `Version ${binding.version} of "${name}" was written with another key (id ${binding.keyId}) than this environment's (id ${keys.keyId}).`, { source: "postgres", secret: name });
  }
  const dataKey = open(keys.kek, sealed.wrappedKey, aad(keys, ["wrap", ...fields(binding)]));
  if (!dataKey) throw corrupt(`version ${binding.version} of "${name}"`, name);
  try {
    const value = open(dataKey, sealed.box, aad(keys, ["value", ...fields(binding)]));
    if (!value) throw corrupt(`version ${binding.version} of "${name}"`, name);
    return value.toString("utf8");
  } finally {
    dataKey.fill(0);
  }
}

// --- internal ---

const BOX_VERSION = 0x01;

function ikm(key: FernetKey): Buffer {
  return Buffer.concat([key.signingKey, key.encryptionKey]);
}

function fields(b: ValueBinding): string[] {
  return [b.secretId, String(b.version), b.keyId];
}

/** AAD: a JSON list (unambiguous framing) of the format tag, store id, environment, purpose and fields. */
function aad(keys: StoreKeys, parts: string[]): Buffer {
  return Buffer.from(JSON.stringify(["hush-pg-v1", keys.storeId, keys.environment, ...parts]), "utf8");
}

function seal(key: Buffer, plaintext: Buffer, additional: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(BOX_VERSION), iv, body, cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the box does not authenticate (never throws on bad input). */
function open(key: Buffer, box: Buffer, additional: Buffer): Buffer | undefined {
  if (box.length < 1 + 12 + 16 || box[0] !== BOX_VERSION) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, box.subarray(1, 13));
    decipher.setAAD(additional);
    decipher.setAuthTag(box.subarray(box.length - 16));
    return Buffer.concat([decipher.update(box.subarray(13, box.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function corrupt(what: string, name?: string): HushError {
  return new HushError("STORE_CORRUPT", `PostgreSQL: ${what} does not decrypt: the row was altered, or copied from another secret, version or store.`, {
    source: "postgres",
    secret: name,
    hint: "Restore the row from a backup or write the secret again; hush never serves a value it cannot authenticate.",
  });
}
