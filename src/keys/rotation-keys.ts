/**
 * How `hush key rotate` (src/keys/rotate-local.ts) reads and writes an environment's key and its
 * pending copy, so one crash-safe sequence serves every provider that keeps its key in one file:
 *
 * - a key file (`file`, `user`): the pending key is a plain key file `<key>.pending` (0600); the
 *   key is replaced through the provider's `save`.
 * - a wrapped key (`aws-kms`, `gcp-kms`, `vault-transit`, `passphrase`: `wrappedKeyFile()`): the
 *   pending key is wrapped by the same provider (same KMS key, client, passphrase) into
 *   `<wrapped file>.pending` (0600, never replacing a file) and read back through the provider's
 *   unwrap of that file; the key is replaced by copying the pending file's bytes over the wrapped
 *   file (atomic rename), so no KMS call happens once the pending key has been read back.
 */
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { readKeyFile } from "../crypto/key-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { checkPrivate } from "../fs/permissions.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { createKeyFileExclusive } from "./_file-backed.js";
import type { KeyProvider } from "./provider.js";

/** The key reader/writer of a rotation. */
export interface RotationKeys {
  /** The key file, or the wrapped-key file; the pending key is `<keyPath>.pending`. */
  keyPath: string;
  /** The key in use now. */
  current(): Promise<FernetKey>;
  /** Writes `text` (a Fernet key) as the pending key; never replaces a file. */
  writePending(text: string): Promise<void>;
  /** The pending key, read (unwrapped) from its file. */
  readPending(): Promise<FernetKey>;
  /** Makes the pending key (`text`) the key, atomically. */
  promotePending(text: string): Promise<void>;
  /** Keeps the key in use now at `path` (0600): a key file, or the still-wrapped key. */
  keepCurrent(path: string, key: FernetKey): Promise<void>;
}

/** `<key>.pending`: the new key while a rotation is under way. */
export function pendingPathOf(keyPath: string): string {
  return `${keyPath}.pending`;
}

/** The rotation keys of `provider`; INVALID_ARGUMENT for a provider that keeps its key elsewhere (`env`, `team`). */
export function rotationKeysOf(provider: KeyProvider, environment: string): RotationKeys {
  if (provider.type === "file" || provider.type === "user") return keyFileKeys(provider, environment);
  const wrapped = provider.wrappedKeyFile?.();
  if (wrapped) return wrappedKeys(provider, wrapped.path, wrapped.at);
  throw new HushError("INVALID_ARGUMENT", `hush key rotate re-keys a key kept in a file (file, user) or wrapped in one (aws-kms, gcp-kms, vault-transit, passphrase); the ${provider.type} provider keeps its key elsewhere.`, {
    hint: provider.type === "env" ? "Make a new key with a file or user provider, or replace HUSH_KEY_<ENV> where your CI keeps it after re-encrypting." : "See docs/keys.md for re-keying with this provider.",
  });
}

/** True when `provider` keeps its key in a file `hush key rotate` journals (the store settles a crash for these). */
export function rotatesInFile(provider: KeyProvider): boolean {
  return provider.type === "file" || provider.type === "user" || provider.wrappedKeyFile !== undefined;
}

// --- internal ---

function keyFileKeys(provider: KeyProvider, environment: string): RotationKeys {
  const keyPath = provider.location().where;
  return {
    keyPath,
    current: async () => readKeyFile(keyPath),
    writePending: async (text) => createKeyFileExclusive(pendingPathOf(keyPath), text, environment),
    readPending: async () => readKeyFile(pendingPathOf(keyPath)),
    promotePending: (text) => provider.save(text, { replace: true }),
    keepCurrent: (path, key) => writeFileAtomic(path, `${keyText(key)}\n`, { mode: 0o600 }),
  };
}

function wrappedKeys(provider: KeyProvider, keyPath: string, at: (path: string) => KeyProvider): RotationKeys {
  const pendingPath = pendingPathOf(keyPath);
  return {
    keyPath,
    current: () => provider.load(),
    writePending: (text) => at(pendingPath).save(text),
    // A fresh provider over the pending file: its load is a real unwrap, not a cached key.
    readPending: () => at(pendingPath).load(),
    // The pending file was read back through the provider under the store's lock: its bytes are the new key.
    promotePending: async () => writeFileAtomic(keyPath, readWrapped(pendingPath), { mode: 0o600 }),
    keepCurrent: async (path) => writeFileAtomic(path, readWrapped(keyPath), { mode: 0o600 }),
  };
}

function readWrapped(path: string): Buffer {
  if (!checkPrivate(path, "file", "strict")) throw new HushError("KEY_MISSING", `No wrapped key at ${path}.`);
  const bytes = readTrustedFile(path, { maxBytes: 64 * 1024, what: "the wrapped-key file" });
  if (bytes === undefined) throw new HushError("KEY_MISSING", `No wrapped key at ${path}.`);
  return bytes;
}

function keyText(key: FernetKey): string {
  return `${Buffer.concat([key.signingKey, key.encryptionKey]).toString("base64url")}=`;
}
