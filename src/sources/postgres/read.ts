/**
 * Reads of the `postgres` source: each one query (one round trip) against the read pool, rows
 * found by the HMAC of the name, values opened with the envelope (./envelope.ts).
 */
import { canonicalName } from "../../names.js";
import type { SecretRecord, SecretVersionInfo } from "../../types.js";
import { nameHmac, openName, openValue, type StoreKeys } from "./envelope.js";
import type { PgStore } from "./store-context.js";

/** A version row as the reads select it. */
interface VersionRow {
  name_hmac: Buffer;
  secret_id: string;
  version: number | null;
  key_id: string | null;
  wrapped_key: Buffer | null;
  box: Buffer | null;
  created_at: Date | null;
}

/** The current records of `names` (canonical or not), in order; undefined where absent or deleted. One query. */
export async function readCurrent(store: PgStore, names: readonly string[]): Promise<(SecretRecord | undefined)[]> {
  const canonical = names.map((n) => canonicalName(n));
  if (canonical.length === 0) return [];
  return store.retry(
    "read secrets",
    async () => {
      const keys = await store.keys(false);
      if (!keys) return canonical.map(() => undefined);
      const hmacs = canonical.map((n) => nameHmac(keys, n));
      const { read } = await store.pools();
      // A named statement: the hot read is parsed and planned once per connection (the name
      // carries the schema: one text per name and connection, as the server requires).
      const text = `SELECT s.name_hmac, s.secret_id::text AS secret_id, v.version, v.key_id, v.wrapped_key, v.box, v.created_at
           FROM ${store.s}.secrets s JOIN ${store.s}.versions v ON v.secret_id = s.secret_id AND v.version = s.current_version
          WHERE s.environment = $1 AND s.name_hmac = ANY($2::bytea[]) AND s.deleted_at IS NULL`;
      const values = [store.environment, hmacs];
      const rows = await (store.prepared ? read.query<VersionRow>({ name: `hush_read_current:${store.schema}`, text, values }) : read.query<VersionRow>(text, values));
      const byHmac = new Map(rows.rows.map((r) => [r.name_hmac.toString("hex"), r]));
      return canonical.map((name, i) => {
        const row = byHmac.get(hmacs[i]!.toString("hex"));
        return row ? toRecord(store, keys, name, row) : undefined;
      });
    },
    canonical.length === 1 ? canonical[0] : undefined,
  );
}

/** A given version's record, deleted secrets included (for rollback and restore); undefined when absent. */
export async function readVersion(store: PgStore, name: string, version: number): Promise<SecretRecord | undefined> {
  const canonical = canonicalName(name);
  return store.retry(
    "read a version",
    async () => {
      const keys = await store.keys(false);
      if (!keys || !Number.isSafeInteger(version)) return undefined;
      const { read } = await store.pools();
      const rows = await read.query<VersionRow>(
        `SELECT s.name_hmac, s.secret_id::text AS secret_id, v.version, v.key_id, v.wrapped_key, v.box, v.created_at
           FROM ${store.s}.secrets s JOIN ${store.s}.versions v ON v.secret_id = s.secret_id
          WHERE s.environment = $1 AND s.name_hmac = $2 AND v.version = $3`,
        [store.environment, nameHmac(keys, canonical), version],
      );
      return rows.rows[0] && toRecord(store, keys, canonical, rows.rows[0]);
    },
    canonical,
  );
}

/** Stored versions of `name`, newest first, with their labels; no values. */
export async function readVersions(store: PgStore, name: string): Promise<SecretVersionInfo[]> {
  const canonical = canonicalName(name);
  return store.retry(
    "list versions",
    async () => {
      const keys = await store.keys(false);
      if (!keys) return [];
      const { read } = await store.pools();
      const rows = await read.query<{ version: number; created_at: Date; current_version: number | null; previous_version: number | null; pending_version: number | null; deleted: boolean }>(
        `SELECT v.version, v.created_at, s.current_version, s.previous_version, s.pending_version, s.deleted_at IS NOT NULL AS deleted
           FROM ${store.s}.secrets s JOIN ${store.s}.versions v ON v.secret_id = s.secret_id
          WHERE s.environment = $1 AND s.name_hmac = $2 ORDER BY v.version DESC`,
        [store.environment, nameHmac(keys, canonical)],
      );
      return rows.rows.map((r) => {
        const labels = [r.current_version === r.version && !r.deleted && "current", r.previous_version === r.version && "previous", r.pending_version === r.version && "pending"].filter((l): l is string => !!l);
        return { version: r.version, createdAt: r.created_at, labels };
      });
    },
    canonical,
  );
}

/** Names of the live secrets (not deleted), sorted; names are opened, values never read. */
export async function readNames(store: PgStore): Promise<string[]> {
  return store.retry("list secrets", async () => {
    const keys = await store.keys(false);
    if (!keys) return [];
    const { read } = await store.pools();
    const rows = await read.query<{ name_hmac: Buffer; name_box: Buffer }>(
      `SELECT name_hmac, name_box FROM ${store.s}.secrets WHERE environment = $1 AND deleted_at IS NULL AND current_version IS NOT NULL`,
      [store.environment],
    );
    return rows.rows.map((r) => openName(keys, r.name_hmac, r.name_box)).sort();
  });
}

/** Names of the given secret ids (for change notifications); absent ids are left out. */
export async function namesOfIds(store: PgStore, ids: readonly string[]): Promise<string[]> {
  const known = ids.map((id) => store.idNames.get(id)).filter((n): n is string => n !== undefined);
  const unknown = ids.filter((id) => !store.idNames.has(id));
  if (unknown.length === 0) return known.sort();
  const keys = await store.keys(false);
  if (!keys) return known.sort();
  const { read } = await store.pools();
  const rows = await read.query<{ secret_id: string; name_hmac: Buffer; name_box: Buffer }>(
    `SELECT secret_id::text AS secret_id, name_hmac, name_box FROM ${store.s}.secrets WHERE environment = $1 AND secret_id = ANY($2::bigint[])`,
    [store.environment, unknown],
  );
  for (const r of rows.rows) store.idNames.set(r.secret_id, openName(keys, r.name_hmac, r.name_box));
  return [...known, ...rows.rows.map((r) => store.idNames.get(r.secret_id)!)].sort();
}

// --- internal ---

function toRecord(store: PgStore, keys: StoreKeys, name: string, row: VersionRow): SecretRecord {
  store.idNames.set(row.secret_id, name);
  const value = openValue(keys, { secretId: row.secret_id, version: row.version!, keyId: row.key_id! }, { wrappedKey: row.wrapped_key!, box: row.box! }, name);
  return { name, value, source: store.sourceName, version: row.version!, updatedAt: row.created_at!, location: `postgres schema "${store.schema}", environment "${store.environment}"` };
}
