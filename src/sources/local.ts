/**
 * `local`: hush's own encrypted store, one file per environment in the secrets folder.
 *
 * ```yaml
 * # hush.yaml
 * sources:
 *   - type: local
 *     options: { dir: .secrets, maxVersions: 10 }
 * ```
 *
 * Files (docs/store-format.md): `.secrets/<env>.store` (0600, header line + Fernet token of a
 * JSON document with every secret's versions), `.secrets/<env>.lock` (cross-process write
 * lock), `.secrets/.<env>.store.tmp-<pid>-<random>` (a write in progress). The key is the
 * environment's key file (`.encryption.key` for `dev`, `<env>.key` otherwise).
 *
 * `setMany` writes a whole batch under one lock with one rewrite (bulk import: linear, not quadratic).
 *
 * Reads decrypt the file once and keep the document in memory until the file changes (a stat
 * at most once per event-loop turn compares inode, size, mtime and ctime). Writes take the lock, re-read the file, apply
 * the change and replace the file atomically. A store that does not open is never replaced.
 */
import { basename } from "node:path";
import { HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import { checkPrivate, type PermissionPolicy } from "../fs/permissions.js";
import type { SecretSource, SecretVersionInfo, SourceChange } from "../types.js";
import { appendVersion, deleteSecret, discardPendingVersion, findEntry, promotePending, stageVersion, liveNames, type StoreDocument, type StoredVersion } from "./local/document.js";
import { checkStore } from "./local/open-store.js";
import { createStoreHandle, newestRecord, toRecord, type StoreHandle } from "./local/store-handle.js";
import { watchStore } from "./local/watch.js";
import { canonicalEntries } from "./batch.js";
import { option } from "../config/options-schema.js";
import { defineSourceType, sourceFolder } from "./descriptor.js";
import type { KeySettings } from "../keys/environment-key.js";

/** Options of the `local` source. */
export interface LocalSourceOptions {
  /** The secrets folder. @default ".secrets" (relative to the current directory) */
  secretsDir?: string;
  /** The environment, which picks the store file and the key. @default "dev" */
  environment?: string;
  /** Versions kept per secret; older ones are dropped on write (1..1000). @default 10 */
  maxVersions?: number;
  /** `strict` refuses files others can access; `warn` reports them through `onWarning`. @default "strict" */
  permissions?: PermissionPolicy;
  /** Receives warnings (never values). @default writes "hush: warning: ..." to stderr */
  onWarning?: (message: string) => void;
  /** How long a write waits for another process's lock. @default 10000 */
  lockTimeoutMs?: number;
  /** The clock, for tests. @default () => new Date() */
  now?: () => Date;
  /**
   * hush.yaml's `project:` and `keys:`: which key provider holds the environment's key; or a
   * function that looks them up at the first use. @default the key file in the secrets folder
   */
  keys?: KeySettings | (() => Promise<KeySettings>);
  /** The project folder (for `hush doctor`'s "inside the project"). @default the secrets folder's parent */
  root?: string;
  /** The variables a key provider reads (`HUSH_KEY_*`). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** `- type: local` in hush.yaml: the options it accepts there, and how it is made from them. */
export const localSourceType = defineSourceType({
  type: "local",
  summary: "hush's encrypted store in `.secrets/`, one file and one key per environment (versioned, writable)",
  options: {
    dir: option.path({ description: "the secrets folder, relative to hush.yaml (`--secrets-dir` wins)", docDefault: ".secrets" }),
    maxVersions: option.integer({ min: 1, max: 1000, default: 10, description: "versions kept per secret" }),
    lockTimeoutMs: option.integer({ min: 100, max: 600_000, default: 10_000, description: "how long a write waits for another process's lock" }),
    permissions: option.choice(["strict", "warn"], {
      default: "strict",
      description: "`strict` refuses a folder, key or store that group or others can access; `warn` only warns (a weaker setting, for shared volumes you cannot fix)",
    }),
  },
  create: (options, context) =>
    createLocalSource({
      secretsDir: sourceFolder(options.dir, context),
      environment: context.environment,
      maxVersions: options.maxVersions,
      lockTimeoutMs: options.lockTimeoutMs,
      permissions: options.permissions,
      onWarning: context.onWarning,
      keys: context.keySettings,
      root: context.root,
      env: context.env,
    }),
});

/** Largest value stored, in UTF-16 code units (1 Mi). */
export const MAX_VALUE_LENGTH = 1024 * 1024;

const SOURCE_NAME = "local";

/**
 * Creates the `local` source.
 *
 * @example
 * const local = createLocalSource({ secretsDir: ".secrets", environment: "dev" });
 * await local.set("openai_api_key", value);
 * (await local.get("openai_api_key"))?.version; // 1
 */
export function createLocalSource(
  options: LocalSourceOptions = {},
): SecretSource & Required<Pick<SecretSource, "set" | "setMany" | "delete" | "versions" | "getVersion" | "rollback" | "stage" | "getPending" | "promote" | "discardPending" | "check" | "watch" | "dispose">> {
  const store = createStoreHandle(options);
  return { name: SOURCE_NAME, ...readMethods(store), ...writeMethods(store), ...stagingMethods(store), ...lifecycleMethods(store) };
}

// --- internal ---

/** get, getMany, list, versions, getVersion: reads of the current document. */
function readMethods(store: StoreHandle) {
  return {
    async get(name: string) {
      return newestRecord(store, (await store.current()).doc, name);
    },
    async getMany(names: readonly string[]) {
      const { doc } = await store.current();
      return names.map((name) => newestRecord(store, doc, name));
    },
    async list() {
      return liveNames((await store.current()).doc, store.storePath);
    },
    async versions(name: string) {
      const entry = findEntry((await store.current()).doc, canonicalName(name), store.storePath);
      const newestFirst = [...(entry?.versions ?? [])].reverse();
      const stored = newestFirst.map((s, i): SecretVersionInfo => ({ version: s.v, createdAt: new Date(s.createdAt), labels: i === 0 ? ["current"] : i === 1 ? ["previous"] : [] }));
      const pending = entry?.pending;
      if (!pending) return stored;
      // Newest first by number, as every source: a version written after the stage (3) comes before the pending one (2).
      return [{ version: pending.v, createdAt: new Date(pending.createdAt), labels: ["pending"] }, ...stored].sort((a, b) => b.version - a.version);
    },
    async getVersion(name: string, version: number) {
      const canonical = canonicalName(name);
      const found = findEntry((await store.current()).doc, canonical, store.storePath)?.versions.find((s) => s.v === version);
      return found && toRecord(store, canonical, found);
    },
  } satisfies Partial<SecretSource>;
}

/** set, delete, rollback: changes made under the lock on the latest document. */
function writeMethods(store: StoreHandle) {
  const { storePath, maxVersions, now } = store;
  return {
    async set(name: string, value: string) {
      const canonical = canonicalName(name);
      assertStorableValue(value, canonical);
      const version = await store.mutate((doc) => ({ result: appendVersion(doc, canonical, value, now(), maxVersions, storePath), changed: true }));
      return toRecord(store, canonical, version);
    },
    /** All values checked first, then one lock and one rewrite of the store for the whole batch. */
    async setMany(entries: readonly (readonly [string, string])[]) {
      const batch = canonicalEntries(entries, SOURCE_NAME);
      for (const [name, value] of batch) assertStorableValue(value, name);
      if (batch.length === 0) return [];
      const versions = await store.mutate((doc) => {
        const at = now();
        return { result: batch.map(([name, value]) => appendVersion(doc, name, value, at, maxVersions, storePath)), changed: true };
      });
      return batch.map(([name], i) => toRecord(store, name, versions[i]!));
    },
    async delete(name: string) {
      const canonical = canonicalName(name);
      if (!checkPrivate(storePath, "file", store.files.policy, store.files.onWarning)) return false;
      return store.mutate((doc) => {
        const deleted = deleteSecret(doc, canonical, now(), storePath);
        return { result: deleted, changed: deleted };
      });
    },
    async rollback(name: string, toVersion: number) {
      const canonical = canonicalName(name);
      const version = await store.mutate((doc) => {
        const old = findEntry(doc, canonical, storePath)?.versions.find((s) => s.v === toVersion);
        if (!old) throw new HushError("VERSION_NOT_FOUND", `Version ${toVersion} of "${canonical}" is not in ${storePath}.`, { source: SOURCE_NAME, secret: canonical });
        return { result: appendVersion(doc, canonical, old.value, now(), maxVersions, storePath), changed: true };
      });
      return toRecord(store, canonical, version);
    },
  } satisfies Partial<SecretSource>;
}

/** stage, getPending, promote, discardPending: the rotation's pending version (docs/store-format.md). */
function stagingMethods(store: StoreHandle) {
  const { storePath, maxVersions, now } = store;
  return {
    async stage(name: string, value: string) {
      const canonical = canonicalName(name);
      assertStorableValue(value, canonical);
      const version = await store.mutate((doc) => ({ result: stageVersion(doc, canonical, value, now(), storePath), changed: true }));
      return toRecord(store, canonical, version);
    },
    async getPending(name: string) {
      const canonical = canonicalName(name);
      const pending = findEntry((await store.current()).doc, canonical, storePath)?.pending;
      return pending && toRecord(store, canonical, pending);
    },
    async promote(name: string, version: number) {
      const canonical = canonicalName(name);
      const promoted = await store.mutate((doc) => ({ result: promotePending(doc, canonical, version, maxVersions, storePath), changed: true }));
      return toRecord(store, canonical, promoted);
    },
    async discardPending(name: string, version: number) {
      const canonical = canonicalName(name);
      return store.mutate((doc) => {
        const dropped = discardPendingVersion(doc, canonical, version, storePath);
        return { result: dropped, changed: dropped };
      });
    },
  } satisfies Partial<SecretSource>;
}

/** check, watch, dispose. */
function lifecycleMethods(store: StoreHandle) {
  return {
    async check() {
      await store.settle();
      return checkStore(store.files);
    },
    watch(onChange: (change: SourceChange) => void) {
      let stopped = false;
      // The document this watcher last reported against, not `store.cached`: a read of this source
      // between the file event and the debounce loads the new document into the cache, and
      // comparing with the cache would then swallow the change.
      let seen = store.cached;
      const stopWatching = watchStore(store.files.dir, basename(store.storePath), () => {
        store.current().then(
          (after) => {
            if (stopped || after === seen) return; // an event about the lock or a temp file; nothing changed
            const before = seen;
            seen = after;
            onChange({ source: SOURCE_NAME, names: before ? changedNames(before.doc, after.doc) : undefined });
          },
          () => {
            // The store does not open right now; say "anything may have changed" and let the
            // next get() raise the error where it can be handled.
            if (!stopped) onChange({ source: SOURCE_NAME });
          },
        );
      });
      const stop = () => {
        stopped = true;
        stopWatching();
      };
      store.stopWatchers.add(stop);
      return () => {
        store.stopWatchers.delete(stop);
        stop();
      };
    },
    async dispose() {
      for (const stop of store.stopWatchers) stop();
      store.stopWatchers.clear();
      store.cached = undefined;
    },
  } satisfies Partial<SecretSource>;
}

function assertStorableValue(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of "${name}" must be a string.`, { source: SOURCE_NAME, secret: name });
  if (value.length > MAX_VALUE_LENGTH) {
    throw new HushError("LIMIT_EXCEEDED", `The value of "${name}" has ${value.length} characters; the local store takes at most ${MAX_VALUE_LENGTH}.`, { source: SOURCE_NAME, secret: name });
  }
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new HushError("INVALID_VALUE", `The value of "${name}" contains an unpaired surrogate and cannot be stored as UTF-8.`, { source: SOURCE_NAME, secret: name });
  }
}

/** Names whose newest version differs between two documents (added, changed or deleted). */
function changedNames(before: StoreDocument, after: StoreDocument): string[] {
  const newest = (doc: StoreDocument, name: string) => {
    const versions = Object.hasOwn(doc.secrets, name) ? doc.secrets[name]?.versions : undefined;
    return Array.isArray(versions) ? (versions[versions.length - 1] as StoredVersion | undefined)?.v : undefined;
  };
  const names = new Set([...Object.keys(before.secrets), ...Object.keys(after.secrets)]);
  return [...names].filter((n) => newest(before, n) !== newest(after, n)).sort();
}
