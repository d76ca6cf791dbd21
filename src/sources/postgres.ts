/**
 * `postgres`: the shared production store on PostgreSQL. Many instances of a service read one
 * store; nothing readable is in the database (envelope encryption, names by HMAC), and a write
 * reaches every instance through NOTIFY/LISTEN (docs/postgres.md).
 *
 * ```yaml
 * # hush.yaml (never a password here: PGPASSWORD, ~/.pgpass, or the variable urlEnv names)
 * sources:
 *   - type: postgres
 *     options: { urlEnv: HUSH_DATABASE_URL, schema: hush }
 * ```
 *
 * The `pg` driver is loaded on first use (`await import("pg")`), never by a project without
 * this source. The schema is made by `hush db migrate`; a newer one than this hush knows is
 * read but never written. Parts: postgres/connect (pools, errors), envelope (crypto), read,
 * write (transactions, check-and-set, idempotent retries), listener (LISTEN, catch-up), migrate.
 */
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import type { SecretRecord, SecretSource, SecretVersionInfo, SourceChange, SourceCheck } from "../types.js";
import { canonicalEntries } from "./batch.js";
import { defineSourceType } from "./descriptor.js";
import { createChangeListener, type ChangeListener } from "./postgres/listener.js";
import { readCurrent, readNames, readVersion, readVersions } from "./postgres/read.js";
import { checkPostgres } from "./postgres/check.js";
import { createPgStore, type PgStore, type PgStoreOptions } from "./postgres/store-context.js";
import { discardPending, promoteVersion, readPending, stageVersion } from "./postgres/stage.js";
import { destroy, restore, rollbackTo, softDelete, writeVersions, type PgWrite } from "./postgres/write.js";
import { withLastKnownGood } from "./remote/last-known-good.js";
import { offlineCacheOption } from "./remote/options.js";

/** Options of {@link createPostgresSource}. */
export interface PostgresSourceOptions extends PgStoreOptions {
  /** The source's name in the chain. @default "postgres" */
  name?: string;
  /**
   * Last-known-good copies on disk (encrypted under the environment's key, 0600): served with a
   * warning, marked stale, while PostgreSQL is unreachable, up to `maxStalenessMs` old. Off when absent.
   */
  offlineCache?: { maxStalenessMs: number; dir?: string; now?: () => number };
}

/** The postgres source: the contract's methods plus restore, destroy and check-and-set writes. */
export type PostgresSource = SecretSource & Required<Pick<SecretSource, "getMany" | "set" | "setMany" | "delete" | "versions" | "getVersion" | "rollback" | "stage" | "getPending" | "promote" | "discardPending" | "watch" | "check" | "dispose">> & PostgresExtras;

/** What the postgres source has beyond the contract. */
export interface PostgresExtras {
  /** Writes with a check-and-set (`expectedVersion`; 0: must not exist) and/or a write id; CONCURRENT_MODIFICATION when another writer was first. */
  write(name: string, value: string, options?: Omit<PgWrite, "name" | "value">): Promise<SecretRecord>;
  /** Undoes a soft delete; false when the secret was not deleted. */
  restore(name: string): Promise<boolean>;
  /** Purges a secret and every version; false when it was not there. */
  destroy(name: string): Promise<boolean>;
  /** Resolves once the change listener is in place (at once when nothing watches). */
  listening(): Promise<void>;
}

/** `- type: postgres` in hush.yaml. */
export const postgresSourceType = defineSourceType({
  type: "postgres",
  summary: "the shared production store on PostgreSQL: envelope-encrypted, versioned, changes pushed to every instance (LISTEN/NOTIFY)",
  options: {
    url: option.string({ description: "connection string without a password (PGPASSWORD or ~/.pgpass give it); else `urlEnv`" }),
    urlEnv: option.string({ default: "HUSH_DATABASE_URL", description: "the variable that holds the connection string when `url` is not given" }),
    schema: option.string({ default: "hush", description: "the schema (`hush db migrate` creates it): lower-case letters, digits, `_`" }),
    readUrl: option.string({ description: "a read replica for reads; writes and LISTEN use the primary" }),
    listenUrl: option.string({ description: "a session connection for LISTEN when `url` goes through a transaction-mode pooler" }),
    maxVersions: option.integer({ min: 1, max: 1000, default: 10, description: "versions kept per secret" }),
    poolSize: option.integer({ min: 1, max: 100, default: 10, description: "connections per pool" }),
    preparedStatements: option.boolean({ default: true, description: "reads as named statements, planned once per connection; false behind PgBouncer's transaction mode before 1.21 (docs/postgres.md)" }),
    statementTimeoutMs: option.integer({ min: 100, max: 600_000, default: 5000, description: "server-side statement timeout" }),
    connectTimeoutMs: option.integer({ min: 100, max: 120_000, default: 10_000, description: "how long to wait for a connection (a full pool included)" }),
    offlineCache: offlineCacheOption,
  },
  create: ({ offlineCache, ...options }, context) =>
    createPostgresSource({
      ...options,
      environment: context.environment,
      secretsDir: context.secretsDir,
      root: context.root,
      keySettings: context.keySettings,
      env: context.env,
      onWarning: context.onWarning,
      offlineCache: offlineCache && { maxStalenessMs: offlineCache.maxStaleness, dir: offlineCache.dir === undefined ? undefined : resolve(context.root, offlineCache.dir) },
    }),
});

/** Largest value stored, in UTF-16 code units (1 Mi), as for the local store. */
export const MAX_POSTGRES_VALUE_LENGTH = 1024 * 1024;

/**
 * Creates the postgres source (connects on first use).
 *
 * @example
 * const pg = createPostgresSource({ url: "postgres://app@db:5432/prod", environment: "prod", secretsDir: ".secrets" });
 * await pg.write("openai_api_key", value, { expectedVersion: 3 }); // CONCURRENT_MODIFICATION if another writer was first
 */
export function createPostgresSource(options: PostgresSourceOptions): PostgresSource {
  const name = options.name ?? "postgres";
  const store = createPgStore(options, name);
  let listener: ChangeListener | undefined;
  const listen = () => (listener ??= createChangeListener(store, options.onWarning ?? (() => undefined)));
  const write = (writes: PgWrite[]) => {
    for (const w of writes) assertStorable(w.value, w.name, name);
    return writeVersions(store, writes);
  };
  const source: PostgresSource = {
    name,
    liveChanges: true,
    get: async (n) => (await readCurrent(store, [n]))[0],
    getMany: (names) => readCurrent(store, names),
    list: () => readNames(store),
    set: async (n, value) => (await write([{ name: n, value }]))[0]!,
    write: async (n, value, more = {}) => (await write([{ ...more, name: n, value }]))[0]!,
    setMany: async (entries) => write(canonicalEntries(entries, name).map(([n, value]) => ({ name: n, value }))),
    delete: (n) => softDelete(store, n),
    restore: (n) => restore(store, n),
    destroy: (n) => destroy(store, n),
    versions: (n): Promise<SecretVersionInfo[]> => readVersions(store, n),
    getVersion: (n, version) => readVersion(store, n, version),
    rollback: (n, toVersion) => rollbackTo(store, n, toVersion),
    stage: (n, value) => {
      assertStorable(value, n, name);
      return stageVersion(store, n, value);
    },
    getPending: (n) => readPending(store, n),
    promote: (n, version) => promoteVersion(store, n, version),
    discardPending: (n, version) => discardPending(store, n, version),
    watch(onChange: (change: SourceChange) => void) {
      if (store.disposed) return () => undefined;
      return listen().subscribe((names) => onChange({ source: name, names }));
    },
    listening: () => listener?.ready() ?? Promise.resolve(),
    check: (): Promise<SourceCheck> => checkPostgres(store),
    dispose: () => disposeAll(store, listener),
  };
  if (!options.offlineCache) return source;
  const { maxStalenessMs, dir, now } = options.offlineCache;
  const context = { secretsDir: options.secretsDir, environment: options.environment, onWarning: options.onWarning ?? (() => undefined), root: options.root, env: options.env, keySettings: options.keySettings };
  const cached = withLastKnownGood(source, { maxStalenessMs, dir, now, context, loadKey: options.key ? async () => options.key! : undefined });
  // The wrapper keeps the contract's methods; the postgres extras and the push flag stay as they are.
  return { ...source, ...cached, liveChanges: true } as PostgresSource;
}

// --- internal ---

async function disposeAll(store: PgStore, listener: ChangeListener | undefined): Promise<void> {
  await listener?.stop();
  await store.dispose();
}

function assertStorable(value: unknown, secret: string, source: string): void {
  if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of "${secret}" must be a string.`, { source, secret });
  if (value.length > MAX_POSTGRES_VALUE_LENGTH) throw new HushError("LIMIT_EXCEEDED", `The value of "${secret}" has ${value.length} characters; the postgres store takes at most ${MAX_POSTGRES_VALUE_LENGTH}.`, { source, secret });
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new HushError("INVALID_VALUE", `The value of "${secret}" contains an unpaired surrogate and cannot be stored as UTF-8.`, { source, secret });
}
