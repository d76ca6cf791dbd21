/**
 * What the parts of the `postgres` source share: the pools (opened on first use), the schema
 * check (once), the environment's store keys (the store row read once; created on first write),
 * bounded jittered retries and the error mapping.
 */
import { randomUUID } from "node:crypto";
import { HushError } from "../../errors.js";
import { loadEnvironmentKey, type KeySettings } from "../../keys/environment-key.js";
import type { FernetKey } from "../../crypto/fernet.js";
import { isRetryable, openPools, quoteIdent, toHushError, type PgConnectionOptions, type PgPools } from "./connect.js";
import { deriveStoreKeys, keyIdOf, type StoreKeys } from "./envelope.js";
import { assertSchemaVersion, MIGRATIONS_TABLE } from "./migrate.js";
import { sleepJitter } from "../remote/jitter.js";

/** Options of the store (the source's options, resolved). */
export interface PgStoreOptions extends PgConnectionOptions {
  /** @default "hush" */
  schema?: string;
  environment: string;
  /** The secrets folder: where `loadEnvironmentKey` finds a `file` key (and the offline copies). */
  secretsDir: string;
  /** Project folder and hush.yaml's `project:`/`keys:`, so the environment's key provider is the configured one. */
  root?: string;
  keySettings?: KeySettings;
  /** Versions kept per secret. @default 10 */
  maxVersions?: number;
  /** Reads as named (prepared) statements, planned once per connection; off behind a pooler that cannot keep them (PgBouncer's transaction mode before 1.21). @default true */
  preparedStatements?: boolean;
  /** Attempts of a write or read on a serialization failure or a dropped connection. @default 4 */
  attempts?: number;
  onWarning?: (message: string) => void;
  /** The environment's key, given directly (tests, programs holding it); else `loadEnvironmentKey`. */
  key?: FernetKey;
}

/** The shared state of one source. */
export interface PgStore {
  readonly sourceName: string;
  readonly schema: string;
  /** The quoted schema, for SQL text. */
  readonly s: string;
  /** Whether hot reads are named (prepared) statements. */
  readonly prepared: boolean;
  readonly environment: string;
  readonly channel: string;
  readonly maxVersions: number;
  pools(): Promise<PgPools>;
  /** The store's keys; undefined when the environment has no store yet and `create` is false. */
  keys(create: boolean): Promise<StoreKeys | undefined>;
  /** Names of the secret ids seen in reads and writes (ids are not secret; names stay in memory only). */
  readonly idNames: Map<string, string>;
  /** Runs `fn` with bounded, jittered retries on 40001/40P01 and dropped connections; maps failures. */
  retry<T>(doing: string, fn: (attempt: number) => Promise<T>, secret?: string): Promise<T>;
  fail(e: unknown, doing: string, secret?: string): HushError;
  dispose(): Promise<void>;
  disposed: boolean;
}

/** The LISTEN channel of a schema. */
export function channelOf(schema: string): string {
  return `hush_changes_${schema}`.slice(0, 63);
}

/** Creates the shared state; connects on first use. */
export function createPgStore(options: PgStoreOptions, sourceName = "postgres"): PgStore {
  const schema = options.schema ?? "hush";
  const s = quoteIdent(schema);
  let pools: Promise<PgPools> | undefined;
  let keys: StoreKeys | undefined;
  let schemaVersion: number | undefined;
  const attempts = options.attempts ?? 4;
  const store: PgStore = {
    sourceName,
    schema,
    s,
    environment: options.environment,
    channel: channelOf(schema),
    maxVersions: options.maxVersions ?? 10,
    prepared: options.preparedStatements ?? true,
    disposed: false,
    idNames: new Map(),
    pools() {
      if (store.disposed) return Promise.reject(new HushError("SOURCE_UNAVAILABLE", "The postgres source was disposed.", { source: sourceName }));
      if (!pools) {
        const opening = openPools(options);
        opening.catch(() => {
          if (pools === opening) pools = undefined; // a failed open (no pg, no URL) is tried again next time
        });
        pools = opening;
      }
      return pools;
    },
    async keys(create) {
      if (keys) {
        // Found by a read: a write still needs a schema this hush knows (a newer one is read-only).
        if (create) assertSchemaVersion(schemaVersion ?? 0, schema, true);
        return keys;
      }
      const opened = await openStoreRow(store, options, create);
      schemaVersion = opened.schemaVersion;
      if (!opened.found) return undefined;
      keys = opened.found;
      return keys;
    },
    async retry(doing, fn, secret) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn(attempt);
        } catch (e) {
          if (attempt >= attempts || !isRetryable(e) || store.disposed) throw store.fail(e, doing, secret);
          // Full jitter: a random wait up to 25 ms, 50 ms, 100 ms, ... (capped at 1 s).
          await sleepJitter(Math.min(1000, 25 * 2 ** (attempt - 1)));
        }
      }
    },
    fail(e, doing, secret) {
      return toHushError(e, doing, { source: sourceName, secret });
    },
    async dispose() {
      store.disposed = true;
      const opened = pools;
      pools = undefined;
      keys = undefined;
      if (opened) await (await opened.catch(() => undefined))?.end();
    },
  };
  return store;
}

// --- internal ---

/**
 * Reads the schema version and the environment's store row in one query; checks the version;
 * creates the row on a first write; checks the key id; derives the store's keys.
 */
async function openStoreRow(store: PgStore, options: PgStoreOptions, create: boolean): Promise<{ schemaVersion: number; found?: StoreKeys }> {
  const { s, schema } = store;
  const { primary, read } = await store.pools();
  const row = async (pool: typeof primary) =>
    (
      await pool.query<{ v: number | null; store_id: string | null; key_id: string | null }>(
        `SELECT (SELECT max(version) FROM ${s}.${MIGRATIONS_TABLE}) AS v, st.store_id::text AS store_id, st.key_id FROM (SELECT 1) one LEFT JOIN ${s}.stores st ON st.environment = $1`,
        [options.environment],
      )
    ).rows[0]!;
  let found = await row(read);
  const schemaVersion = found.v ?? 0;
  assertSchemaVersion(schemaVersion, schema, create);
  if (!found.store_id && !create) return { schemaVersion };
  const key = options.key ?? (await loadEnvironmentKey({ root: options.root, secretsDir: options.secretsDir, environment: options.environment, env: options.env, onWarning: options.onWarning ?? (() => undefined), keySettings: options.keySettings }));
  if (!found.store_id) {
    await primary.query(`INSERT INTO ${s}.stores (environment, store_id, key_id) VALUES ($1, $2, $3) ON CONFLICT (environment) DO NOTHING`, [options.environment, randomUUID(), keyIdOf(key)]);
    found = await row(primary);
  }
  if (found.key_id !== keyIdOf(key)) {
    throw new HushError("WRONG_KEY", `The PostgreSQL store of environment "${options.environment}" (schema "${schema}") was written with another key (id ${found.key_id}) than this one (id ${keyIdOf(key)}).`, { source: store.sourceName });
  }
  return { schemaVersion, found: deriveStoreKeys(key, found.store_id!, options.environment) };
}
