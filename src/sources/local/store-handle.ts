/**
 * The state one `local` source works on: its files, its settings, the document read last, and
 * the two ways to reach the store — `current()` for reads (cached while the file is unchanged)
 * and `mutate()` for writes (under the lock, on the latest file). `../local.ts` builds the
 * source's methods over it.
 */
import { join, resolve } from "node:path";
import { HushError } from "../../errors.js";
import { canonicalName } from "../../names.js";
import { generateFernetKey } from "../../crypto/fernet.js";
import { forgetEnvironmentKeys, resolveKeyProvider, rememberEnvironmentKey, type EnvironmentKeyContext, type KeySettings } from "../../keys/environment-key.js";
import type { KeyProvider } from "../../keys/provider.js";
import { finishInterruptedRotation } from "../../keys/rotate-local.js";
import { rotatesInFile } from "../../keys/rotation-keys.js";
import { assertValidEnvironment, DEFAULT_ENVIRONMENT } from "../../environment.js";
import type { SecretRecord } from "../../types.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { withLock } from "../../fs/lock.js";
import { createTurnFlag } from "../../fs/turn-cache.js";
import type { LocalSourceOptions } from "../local.js";
import { assertAllEntries, newestVersion, type StoreDocument, type StoredVersion } from "./document.js";
import { encodeStoreFile } from "./store-file.js";
import { openStore, sameIdentity, statIdentity, type Snapshot, type StoreFiles } from "./open-store.js";

/** One local source's files, settings and cached document. */
export interface StoreHandle {
  readonly files: StoreFiles;
  readonly storePath: string;
  readonly maxVersions: number;
  readonly now: () => Date;
  /** Stops of the watchers started by `watch()`, for `dispose()`. */
  readonly stopWatchers: Set<() => void>;
  /** The document read last; `current()` reuses it while the file is unchanged. */
  cached: Snapshot | undefined;
  /** The current document: the cached one while the file is unchanged, else freshly opened. */
  current(): Promise<Snapshot>;
  /** Learns hush.yaml's key settings when they were not given (before `files.keyProvider()` is used). */
  settle(): Promise<void>;
  /** Runs `change` on the latest document under the lock and writes the result when it changed. */
  mutate<T>(change: (doc: StoreDocument) => { result: T; changed: boolean }): Promise<T>;
}

/** Validates the options and makes the handle; nothing is read until the first call. */
export function createStoreHandle(options: LocalSourceOptions): StoreHandle {
  const environment = assertValidEnvironment(options.environment ?? DEFAULT_ENVIRONMENT);
  const dir = resolve(options.secretsDir ?? ".secrets");
  const maxVersions = options.maxVersions ?? 10;
  if (!Number.isSafeInteger(maxVersions) || maxVersions < 1 || maxVersions > 1000) {
    throw new HushError("INVALID_ARGUMENT", `local source: maxVersions must be an integer from 1 to 1000, not ${String(maxVersions)}.`, { source: SOURCE_NAME });
  }
  const policy = options.permissions ?? "strict";
  if (policy !== "strict" && policy !== "warn") throw new HushError("INVALID_ARGUMENT", `local source: permissions must be "strict" or "warn".`, { source: SOURCE_NAME });
  const onWarning = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const storePath = join(dir, `${environment}.store`);
  const keyContext: EnvironmentKeyContext = { secretsDir: dir, environment, onWarning, permissions: policy, root: options.root, env: options.env };
  // hush.yaml's key settings, given or looked up once (createSecretsManager without a loaded config).
  let settled = typeof options.keys !== "function";
  if (settled) Object.assign(keyContext, { project: (options.keys as KeySettings | undefined)?.project, keys: (options.keys as KeySettings | undefined)?.keys });
  const settle = async (): Promise<void> => {
    if (settled) return;
    const found = await (options.keys as () => Promise<KeySettings>)();
    Object.assign(keyContext, { project: found.project, keys: found.keys });
    settled = true;
  };
  let provider: KeyProvider | undefined;
  const keyProvider = (): KeyProvider => (provider ??= rememberingLoads(resolveKeyProvider(keyContext), keyContext));
  const keyPathOf = (p: KeyProvider) => (p.type === "file" || p.type === "user" ? p.location().where : undefined);
  const files: StoreFiles = { dir, storePath, keyProvider, get keyPath() { return keyPathOf(keyProvider()); }, environment, policy, onWarning };
  const lockPath = join(dir, `${environment}.lock`);
  const checkedThisTurn = createTurnFlag();
  /**
   * Opens the store. On WRONG_KEY with a key file or a wrapped key file: a rotation a crash interrupted is settled
   * (src/keys/rotate-local.ts), and a key replaced by another process's `hush key rotate` is read again; once.
   */
  const open = async (purpose: "read" | "write"): Promise<Snapshot> => {
    try {
      return await openStore(files, purpose);
    } catch (e) {
      if (!(e instanceof HushError) || e.code !== "WRONG_KEY" || !rotatesInFile(keyProvider())) throw e;
      const fresh = resolveKeyProvider(keyContext);
      await finishInterruptedRotation({ secretsDir: dir, environment, provider: fresh, locked: purpose === "write", lockTimeoutMs: options.lockTimeoutMs });
      // A wrapped key's provider is kept per process with what it unwrapped: after a re-key (settled here or by another process) it unwraps again.
      if (fresh.wrappedKeyFile) forgetEnvironmentKeys();
      provider = undefined;
      return openStore(files, purpose);
    }
  };

  const handle: StoreHandle = {
    files,
    storePath,
    maxVersions,
    now: options.now ?? (() => new Date()),
    stopWatchers: new Set(),
    cached: undefined,
    async current() {
      if (handle.cached && checkedThisTurn.fresh) return handle.cached;
      await settle();
      checkedThisTurn.mark();
      if (handle.cached && sameIdentity(handle.cached.identity, statIdentity(storePath))) return handle.cached;
      handle.cached = undefined; // the file changed: if it cannot be opened, the old document must not answer this turn's next read
      handle.cached = await open("read");
      return handle.cached;
    },
    settle,
    async mutate(change) {
      await settle();
      // A new key only for a new store: a store whose key is lost must stay KEY_MISSING, not be
      // paired with a fresh key it can never open.
      if (!statIdentity(storePath) && !(await keyProvider().exists())) await createKey(keyProvider());
      return withLock(lockPath, async () => {
        const latest = await open("write");
        assertAllEntries(latest.doc, storePath);
        const { result, changed } = change(latest.doc);
        if (!changed) return result;
        await writeFileAtomic(storePath, encodeStoreFile(latest.key!, latest.doc, storePath));
        handle.cached = { ...latest, identity: statIdentity(storePath) };
        return result;
      }, { timeoutMs: options.lockTimeoutMs ?? 10_000 });
    },
  };
  return handle;
}

/** The record of one stored version. */
export function toRecord(handle: StoreHandle, name: string, version: StoredVersion): SecretRecord {
  return { name, value: version.value, source: SOURCE_NAME, version: version.v, updatedAt: new Date(version.createdAt), location: handle.storePath };
}

/** The record of the newest version of `name` (either spelling) in `doc`, or undefined. */
export function newestRecord(handle: StoreHandle, doc: StoreDocument, name: string): SecretRecord | undefined {
  const canonical = canonicalName(name);
  const newest = newestVersion(doc, canonical, handle.storePath);
  return newest && toRecord(handle, canonical, newest);
}

// --- internal ---

const SOURCE_NAME = "local";

/** A new key for a new store; a key another process created first (KEY_EXISTS) is the one used. */
async function createKey(provider: KeyProvider): Promise<void> {
  try {
    await provider.save(generateFernetKey());
  } catch (e) {
    if (!(e instanceof HushError) || e.code !== "KEY_EXISTS") throw e;
  }
}

/** `provider`, recording each key it loads for the audit's secret ids (which cannot wait for a load). */
function rememberingLoads(provider: KeyProvider, context: { secretsDir: string; environment: string }): KeyProvider {
  return {
    ...provider,
    async load() {
      const key = await provider.load();
      rememberEnvironmentKey(context, provider.type, key);
      return key;
    },
  };
}
