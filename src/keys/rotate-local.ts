/**
 * Re-keying the local store (`hush key rotate`): a new key, the store re-encrypted under it, read
 * back, then the key replaced; the old key opens nothing afterwards (kept as `<key>.old` only
 * with `keepOld`).
 *
 * Two files (store and key) cannot be replaced in one atomic step, so the new key is written
 * first beside the key as `<key>.pending` (0600), and the steps run under the store's lock:
 *
 *   1. `<key>.pending` = new key          (crash: old store + old key; the pending file is stale)
 *   2. store re-encrypted, atomic rename  (crash: new store + old key + pending = the new key)
 *   3. store read back with the new key
 *   4. key replaced (atomic rename)       (crash: new store + new key + a pending copy of it)
 *   5. `<key>.pending` removed
 *
 * {@link finishInterruptedRotation} settles what a SIGKILL left, under the same lock: a pending
 * key that opens the store replaces the key (roll forward); one that does not is removed (the
 * rotation never reached the store). The local store calls it when its key gives WRONG_KEY and a
 * pending key is there, so after a crash at any point the store opens with exactly one key.
 *
 * Supports the key-file providers (`file`, `user`); a KMS or passphrase provider re-wraps its own
 * way, an `env` key is replaced where it is kept.
 */
import { readFileSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { HushError } from "../errors.js";
import { generateFernetKey, parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { fsyncDir, readKeyFile } from "../crypto/key-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withLock } from "../fs/lock.js";
import { checkPrivate } from "../fs/permissions.js";
import { decodeStoreFile, encodeStoreFile } from "../sources/local/store-file.js";
import { createKeyFileExclusive } from "./_file-backed.js";
import type { KeyProvider } from "./provider.js";
import { rekeyAuditLog, type AuditRekeyResult } from "../audit/rekey.js";

/** What a rotation did. */
export interface LocalRotationResult {
  environment: string;
  provider: string;
  /** Where the key is. */
  keyPath: string;
  /** False when there was no store yet (only the key was replaced). */
  reencrypted: boolean;
  /** `<key>.old` when `keepOld`. */
  keptOld?: string;
  /** The audit log's anchor and start marker, moved to the new key when they verified under the old one. */
  audit: AuditRekeyResult;
}

/** Options of {@link rotateLocalKey}. */
export interface RotateLocalKeyOptions {
  secretsDir: string;
  environment: string;
  /** The environment's key provider (`file` or `user`). */
  provider: KeyProvider;
  /** Keep the old key as `<key>.old` (0600). @default false */
  keepOld?: boolean;
  /** How long to wait for the store's lock. @default 30000 */
  lockTimeoutMs?: number;
  /** Called after each step (tests use it to crash at each point). */
  onStep?: (step: "pending" | "store" | "readBack" | "key" | "done") => void | Promise<void>;
}

/** Re-keys the local store of `environment`; see the module comment for the steps and their crash states. */
export async function rotateLocalKey(options: RotateLocalKeyOptions): Promise<LocalRotationResult> {
  const { secretsDir, environment, provider } = options;
  const keyPath = keyFileOf(provider);
  const storePath = join(secretsDir, `${environment}.store`);
  return withLock(join(secretsDir, `${environment}.lock`), async () => {
    await settle(keyPath, storePath, environment, provider);
    const oldKey = readKeyFile(keyPath);
    const step = options.onStep ?? (() => undefined);
    const text = generateFernetKey();
    const newKey = parseFernetKey(text);
    createKeyFileExclusive(pendingPathOf(keyPath), text, environment);
    await step("pending");
    const bytes = readStore(storePath);
    if (bytes) {
      const doc = decodeStoreFile(bytes, oldKey, storePath, environment);
      await writeFileAtomic(storePath, encodeStoreFile(newKey, doc, storePath));
      await step("store");
      const back = decodeStoreFile(readStore(storePath) ?? Buffer.alloc(0), newKey, storePath, environment);
      if (JSON.stringify(back) !== JSON.stringify(doc)) {
        throw new HushError("WRITE_FAILED", `The re-encrypted store ${storePath} did not read back as written; the key was not replaced.`, { hint: `The store's new key is ${pendingPathOf(keyPath)}; restore the store from your backup, or run any hush command to finish the rotation.` });
      }
      await step("readBack");
    }
    let keptOld: string | undefined;
    if (options.keepOld) {
      keptOld = `${keyPath}.old`;
      await writeFileAtomic(keptOld, `${keyText(oldKey)}\n`, { mode: 0o600 });
    }
    await provider.save(text, { replace: true });
    await step("key");
    // The audit log's anchor and start marker are MACed under a key derived from this one.
    const audit = await rekeyAuditLog(secretsDir, environment, oldKey, newKey);
    removePending(keyPath);
    await step("done");
    return { environment, provider: provider.type, keyPath, reencrypted: bytes !== undefined, audit, ...(keptOld ? { keptOld } : {}) };
  }, { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

/**
 * Settles a rotation a crash interrupted (see the module comment), under the store's lock.
 * Returns true when it changed something (the caller then opens the store again). `locked`: the
 * caller already holds the store's lock.
 */
export async function finishInterruptedRotation(options: { secretsDir: string; environment: string; provider: KeyProvider; lockTimeoutMs?: number; locked?: boolean }): Promise<boolean> {
  if (options.provider.type !== "file" && options.provider.type !== "user") return false;
  const keyPath = keyFileOf(options.provider);
  if (!checkPrivate(pendingPathOf(keyPath), "file", "strict")) return false;
  const storePath = join(options.secretsDir, `${options.environment}.store`);
  if (options.locked) return settle(keyPath, storePath, options.environment, options.provider);
  return withLock(join(options.secretsDir, `${options.environment}.lock`), () => settle(keyPath, storePath, options.environment, options.provider), { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

/** `<key>.pending`: the new key while a rotation is under way. */
export function pendingPathOf(keyPath: string): string {
  return `${keyPath}.pending`;
}

// --- internal ---

/** Under the lock: a pending key that opens the store becomes the key; one that does not is removed. */
async function settle(keyPath: string, storePath: string, environment: string, provider: KeyProvider): Promise<boolean> {
  const pendingPath = pendingPathOf(keyPath);
  if (!checkPrivate(pendingPath, "file", "strict")) return false;
  const pending = readKeyFile(pendingPath);
  const bytes = readStore(storePath);
  if (bytes && opens(bytes, pending, storePath, environment)) {
    const old = readKeyFile(keyPath);
    await provider.save(keyText(pending), { replace: true }); // step 4 of the interrupted rotation
    if (!keyText(old).startsWith(keyText(pending))) await rekeyAuditLog(dirname(storePath), environment, old, pending);
  }
  // Else the store never got the new key (step 1 only), or the key already is the new one: the pending copy goes.
  removePending(keyPath);
  return true;
}

function opens(bytes: Buffer, key: FernetKey, path: string, environment: string): boolean {
  try {
    decodeStoreFile(bytes, key, path, environment);
    return true;
  } catch (_e) {
    return false;
  }
}

function keyFileOf(provider: KeyProvider): string {
  if (provider.type !== "file" && provider.type !== "user") {
    throw new HushError("INVALID_ARGUMENT", `hush key rotate re-keys a key kept in a file (the file and user providers); the ${provider.type} provider keeps its key elsewhere.`, {
      hint: provider.type === "env" ? "Make a new key with a file or user provider, or replace HUSH_KEY_<ENV> where your CI keeps it after re-encrypting." : "See docs/keys.md for re-keying with this provider.",
    });
  }
  return provider.location().where;
}

function readStore(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read the store ${path}.`, { cause: e });
  }
}

function removePending(keyPath: string): void {
  try {
    unlinkSync(pendingPathOf(keyPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("WRITE_FAILED", `Cannot remove ${pendingPathOf(keyPath)}.`, { cause: e });
  }
  fsyncDir(join(keyPath, ".."));
}

function keyText(key: FernetKey): string {
  return `${Buffer.concat([key.signingKey, key.encryptionKey]).toString("base64url")}=`;
}
