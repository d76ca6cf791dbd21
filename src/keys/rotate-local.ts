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
 *   4. audit anchor and start marker re-MACed under the new key (each atomic; settling redoes it)
 *   5. key replaced (atomic rename)       (crash: new store + new key + a pending copy of it)
 *   6. `<key>.pending` removed
 *
 * {@link finishInterruptedRotation} settles what a SIGKILL left, under the same lock: a pending
 * key that opens the store replaces the key (roll forward); one that does not is removed (the
 * rotation never reached the store). The local store calls it when its key gives WRONG_KEY and a
 * pending key is there, so after a crash at any point the store opens with exactly one key.
 *
 * The same steps serve a key kept in a file (`file`, `user`) and a key wrapped in one (`aws-kms`,
 * `gcp-kms`, `vault-transit`, `passphrase`): src/keys/rotation-keys.ts reads and writes the key and
 * its pending copy (for a wrapped key: wrapped by the same provider, read back through its unwrap
 * before the store is touched, so a KMS that is down or refuses changes nothing). An `env` key is
 * replaced where it is kept; a `team` key has src/keys/rotate-team.ts.
 */
import { unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { HushError } from "../errors.js";
import { generateFernetKey, parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { fsyncDir } from "../crypto/key-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withLock } from "../fs/lock.js";
import { checkPrivate } from "../fs/permissions.js";
import { decodeStoreFile, encodeStoreFile } from "../sources/local/store-file.js";
import { pendingPathOf, rotatesInFile, rotationKeysOf, type RotationKeys } from "./rotation-keys.js";
import type { KeyProvider } from "./provider.js";
import { rekeyAuditLog, type AuditRekeyResult } from "../audit/rekey.js";
import { withRotationNote, type RotationProgress } from "./rotation-note.js";
import { opens, readStore } from "./rotate-store.js";

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
  /** The environment's key provider (`file`, `user`, or one with `wrappedKeyFile()`). */
  provider: KeyProvider;
  /** Keep the old key as `<key>.old` (0600). @default false */
  keepOld?: boolean;
  /** How long to wait for the store's lock. @default 30000 */
  lockTimeoutMs?: number;
  /** Called after each step (tests use it to crash at each point). */
  onStep?: (step: "pending" | "store" | "readBack" | "audit" | "key" | "done") => void | Promise<void>;
}

/** Re-keys the local store of `environment`; see the module comment for the steps and their crash states. */
export async function rotateLocalKey(options: RotateLocalKeyOptions): Promise<LocalRotationResult> {
  const { secretsDir, environment, provider } = options;
  const keys = rotationKeysOf(provider, environment);
  const keyPath = keys.keyPath;
  const storePath = join(secretsDir, `${environment}.store`);
  return withLock(join(secretsDir, `${environment}.lock`), async () => {
    const progress: RotationProgress = { settled: false, reached: "settling" };
    try {
      return await rotateUnderLock(options, keys, storePath, progress);
    } catch (e) {
      // A HushError before the store write: the pending key is this rotation's and unused; it goes, so nothing is left changed.
      if (e instanceof HushError && progress.reached === "preparing" && !tryRemovePending(keyPath)) progress.reached = "store";
      throw withRotationNote(e, progress, pendingPathOf(keyPath));
    }
  }, { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

/** The steps, under the store's lock; `progress` follows them. */
async function rotateUnderLock(options: RotateLocalKeyOptions, keys: RotationKeys, storePath: string, progress: RotationProgress): Promise<LocalRotationResult> {
  const { secretsDir, environment, provider } = options;
  const keyPath = keys.keyPath;
  progress.settled = await settle(keys, storePath, environment);
  progress.reached = "preparing";
  const oldKey = await keys.current();
  const step = options.onStep ?? (() => undefined);
  const text = generateFernetKey();
  await keys.writePending(text);
  // Read back through the provider (a KMS unwrap): a KMS that fails here leaves nothing behind.
  const newKey = await readBackPending(keys, text);
  await step("pending");
  const bytes = readStore(storePath);
  if (bytes) {
    const doc = decodeStoreFile(bytes, oldKey, storePath, environment);
    progress.reached = "store";
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
    await keys.keepCurrent(keptOld, oldKey);
  }
  // The audit log's anchor and start marker are MACed under a key derived from the environment's
  // key. They move before the key is replaced: once it is, the old key is gone, and a crash in
  // between would leave them under a key nothing holds (verify would then report tampering).
  const audit = await rekeyAuditLog(secretsDir, environment, oldKey, newKey);
  await step("audit");
  await keys.promotePending(text);
  progress.reached = "replaced";
  await step("key");
  removePending(keyPath);
  await step("done");
  return { environment, provider: provider.type, keyPath, reencrypted: bytes !== undefined, audit, ...(keptOld ? { keptOld } : {}) };
}

/**
 * Settles a rotation a crash interrupted (see the module comment), under the store's lock.
 * Returns true when it changed something (the caller then opens the store again). `locked`: the
 * caller already holds the store's lock.
 */
export async function finishInterruptedRotation(options: { secretsDir: string; environment: string; provider: KeyProvider; lockTimeoutMs?: number; locked?: boolean }): Promise<boolean> {
  if (!rotatesInFile(options.provider)) return false;
  const keys = rotationKeysOf(options.provider, options.environment);
  if (!checkPrivate(pendingPathOf(keys.keyPath), "file", "strict")) return false;
  const storePath = join(options.secretsDir, `${options.environment}.store`);
  if (options.locked) return settle(keys, storePath, options.environment);
  return withLock(join(options.secretsDir, `${options.environment}.lock`), () => settle(keys, storePath, options.environment), { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

// --- internal ---

/** Under the lock: a pending key that opens the store becomes the key; one that does not is removed. */
async function settle(keys: RotationKeys, storePath: string, environment: string): Promise<boolean> {
  if (!checkPrivate(pendingPathOf(keys.keyPath), "file", "strict")) return false;
  const pending = await keys.readPending();
  const bytes = readStore(storePath);
  let auditFailure: unknown;
  if (bytes && opens(bytes, pending, storePath, environment)) {
    const old = await keys.current();
    // The audit files first, as in the rotation (a no-op when they already moved: they no longer
    // verify under `old`). When they cannot be re-MACed (a full disk, their lock held), the key is
    // replaced all the same, so the store opens with one key; the failure is thrown once, below
    // (audit verify then names the anchor), and not again at every open.
    if (!keyText(old).startsWith(keyText(pending))) await rekeyAuditLog(dirname(storePath), environment, old, pending).catch((e: unknown) => (auditFailure = e));
    await keys.promotePending(keyText(pending)); // step 5 of the interrupted rotation
  }
  // Else the store never got the new key (step 1 only), or the key already is the new one: the pending copy goes.
  removePending(keys.keyPath);
  if (auditFailure !== undefined) throw auditFailure;
  return true;
}

/** The pending key as the provider reads it back; it must be `text`. On any failure the pending file goes (nothing else was changed yet). */
async function readBackPending(keys: RotationKeys, text: string): Promise<FernetKey> {
  try {
    const back = await keys.readPending();
    if (keyText(back) !== keyText(parseFernetKey(text))) throw new HushError("WRITE_FAILED", `The pending key ${pendingPathOf(keys.keyPath)} did not read back as written; nothing was changed.`);
    return back;
  } catch (e) {
    removePending(keys.keyPath);
    throw e;
  }
}

/** {@link removePending}; false when it failed (the pending key is then still there). */
function tryRemovePending(keyPath: string): boolean {
  try {
    removePending(keyPath);
    return true;
  } catch (_e) {
    return false;
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
