/**
 * Writes of the `postgres` source. Each call is one transaction on the primary: the secret's row
 * is locked (INSERT ... ON CONFLICT DO UPDATE), the check-and-set compared, a new version sealed
 * and inserted, the labels moved (`current` -> `previous`), old versions pruned past
 * `maxVersions`, and a change row plus a NOTIFY issued, all committed together.
 *
 * Retries (serialization failure, a dropped connection, even one between COMMIT and its reply)
 * are bounded and jittered, and idempotent: every write carries a write id (a UUID, unique in
 * `versions`); a retry that finds its write id committed returns that version instead of making
 * a second one (FAULTS 19).
 */
import { randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { HushError } from "../../errors.js";
import { canonicalName } from "../../names.js";
import type { SecretRecord } from "../../types.js";
import { inTransaction } from "./connect.js";
import { nameHmac, openValue, sealName, sealValue, type StoreKeys } from "./envelope.js";
import type { PgStore } from "./store-context.js";

/** One write of a batch. */
export interface PgWrite {
  name: string;
  value: string;
  /** Check-and-set: the current version the writer expects (0: the secret must not exist). */
  expectedVersion?: number;
  /** Idempotency key (a UUID): a write whose id is already committed returns that version. @default a fresh UUID */
  writeId?: string;
}

/** Writes a batch in one transaction: all or nothing; records in the order given. */
export async function writeVersions(store: PgStore, writes: readonly PgWrite[]): Promise<SecretRecord[]> {
  if (writes.length === 0) return [];
  const batch = writes.map((w) => ({ ...w, name: canonicalName(w.name), writeId: w.writeId ?? randomUUID(), callerWriteId: w.writeId !== undefined }));
  return store.retry(
    batch.length === 1 ? "write a secret" : "write a batch of secrets",
    async (attempt) => {
      const keys = (await store.keys(true))!;
      const { primary } = await store.pools();
      return inTransaction(primary, async (client) => {
        const records: SecretRecord[] = [];
        for (const w of batch) records.push(await writeOne(store, keys, client, w, attempt > 1));
        return records;
      });
    },
    batch.length === 1 ? batch[0]!.name : undefined,
  );
}

/** Soft-deletes: the versions stay, `hush restore NAME` brings the secret back. False when it was not there. */
export async function softDelete(store: PgStore, name: string): Promise<boolean> {
  return changeRow(store, name, "delete a secret", `UPDATE {s}.secrets SET deleted_at = now(), updated_at = now() WHERE environment = $1 AND name_hmac = $2 AND deleted_at IS NULL AND current_version IS NOT NULL RETURNING secret_id::text AS secret_id, current_version AS version`);
}

/** Undoes a soft delete. False when the secret was not deleted (or never existed). */
export async function restore(store: PgStore, name: string): Promise<boolean> {
  return changeRow(store, name, "restore a secret", `UPDATE {s}.secrets SET deleted_at = NULL, updated_at = now() WHERE environment = $1 AND name_hmac = $2 AND deleted_at IS NOT NULL AND current_version IS NOT NULL RETURNING secret_id::text AS secret_id, current_version AS version`);
}

/** Purges a secret: its row and every version. False when it was not there. */
export async function destroy(store: PgStore, name: string): Promise<boolean> {
  return changeRow(store, name, "destroy a secret", `DELETE FROM {s}.secrets WHERE environment = $1 AND name_hmac = $2 RETURNING secret_id::text AS secret_id, NULL::integer AS version`);
}

/** Makes a new version equal to `toVersion` (opened and sealed again under the new version's binding). */
export async function rollbackTo(store: PgStore, name: string, toVersion: number): Promise<SecretRecord> {
  const canonical = canonicalName(name);
  const writeId = randomUUID();
  return store.retry(
    "roll back a secret",
    async (attempt) => {
      const keys = (await store.keys(true))!;
      const { primary } = await store.pools();
      return inTransaction(primary, async (client) => {
        const old = await client.query<{ secret_id: string; key_id: string; wrapped_key: Buffer; box: Buffer }>(
          `SELECT v.secret_id::text AS secret_id, v.key_id, v.wrapped_key, v.box FROM ${store.s}.secrets s JOIN ${store.s}.versions v ON v.secret_id = s.secret_id
            WHERE s.environment = $1 AND s.name_hmac = $2 AND v.version = $3`,
          [store.environment, nameHmac(keys, canonical), toVersion],
        );
        const row = old.rows[0];
        if (!row) throw new HushError("VERSION_NOT_FOUND", `Version ${toVersion} of "${canonical}" is not in the PostgreSQL store.`, { source: store.sourceName, secret: canonical });
        const value = openValue(keys, { secretId: row.secret_id, version: toVersion, keyId: row.key_id }, { wrappedKey: row.wrapped_key, box: row.box }, canonical);
        return writeOne(store, keys, client, { name: canonical, value, writeId }, attempt > 1);
      });
    },
    canonical,
  );
}

// --- internal ---

async function writeOne(store: PgStore, keys: StoreKeys, client: PoolClient, w: PgWrite & { writeId: string; callerWriteId?: boolean }, retried: boolean): Promise<SecretRecord> {
  const { s, environment } = store;
  const record = (version: number, updatedAt: Date): SecretRecord => ({ name: w.name, value: w.value, source: store.sourceName, version, updatedAt });
  if (retried || w.callerWriteId) {
    // The earlier attempt (or the caller's earlier call with this write id) may have committed
    // before its reply was lost: never write twice.
    const done = await client.query<{ version: number; created_at: Date }>(`SELECT version, created_at FROM ${s}.versions WHERE write_id = $1`, [w.writeId]);
    if (done.rows[0]) return record(done.rows[0].version, done.rows[0].created_at);
  }
  const hmac = nameHmac(keys, w.name);
  const locked = await client.query<{ secret_id: string; current_version: number | null; latest_version: number; deleted: boolean }>(
    `INSERT INTO ${s}.secrets (environment, name_hmac, name_box) VALUES ($1, $2, $3)
     ON CONFLICT (environment, name_hmac) DO UPDATE SET updated_at = now()
     RETURNING secret_id::text AS secret_id, current_version, latest_version, deleted_at IS NOT NULL AS deleted`,
    [environment, hmac, sealName(keys, hmac, w.name)],
  );
  const row = locked.rows[0]!;
  const current = row.deleted ? 0 : (row.current_version ?? 0);
  if (w.expectedVersion !== undefined && w.expectedVersion !== current) {
    throw new HushError("CONCURRENT_MODIFICATION", `"${w.name}" is at version ${current}, not ${w.expectedVersion} as this write expected; nothing was written.`, {
      source: store.sourceName,
      secret: w.name,
      hint: "Another writer changed it first: read it again, then retry the write with the new version.",
    });
  }
  const version = row.latest_version + 1;
  store.idNames.set(row.secret_id, w.name);
  const sealed = sealValue(keys, { secretId: row.secret_id, version }, w.value);
  // One statement: the version, the labels moved, old versions pruned (never a labelled one),
  // the change sequence and the NOTIFY (sent at COMMIT), all in the caller's transaction.
  const inserted = await client.query<{ created_at: Date }>(
    `WITH ins AS (INSERT INTO ${s}.versions (secret_id, version, key_id, wrapped_key, box, write_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at),
     upd AS (UPDATE ${s}.secrets SET previous_version = CASE WHEN deleted_at IS NULL AND current_version IS NOT NULL THEN current_version ELSE previous_version END,
                    current_version = $2, latest_version = $2, deleted_at = NULL WHERE secret_id = $1 RETURNING previous_version, pending_version),
     del AS (DELETE FROM ${s}.versions v USING upd WHERE v.secret_id = $1 AND v.version <= $2::integer - $7::integer
                AND v.version IS DISTINCT FROM upd.previous_version AND v.version IS DISTINCT FROM upd.pending_version),
     chg AS (INSERT INTO ${s}.changes (environment, secret_id, version) VALUES ($8, $1, $2) RETURNING seq)
     SELECT ins.created_at, pg_notify($9, json_build_object('e', $8::text, 's', $1::text, 'v', $2::integer, 'q', chg.seq::text)::text) FROM ins, chg`,
    [row.secret_id, version, keys.keyId, sealed.wrappedKey, sealed.box, w.writeId, store.maxVersions, environment, store.channel],
  );
  return record(version, inserted.rows[0]!.created_at);
}

/** Appends to the change sequence and NOTIFYs, in the caller's transaction (writes, promote). */
export async function notifyChange(store: PgStore, client: PoolClient, secretId: string, version: number | null): Promise<void> {
  await client.query(
    `WITH c AS (INSERT INTO ${store.s}.changes (environment, secret_id, version) VALUES ($1, $2, $3) RETURNING seq)
     SELECT pg_notify($4, json_build_object('e', $1::text, 's', $2::text, 'v', $3::integer, 'q', c.seq::text)::text) FROM c`,
    [store.environment, secretId, version, store.channel],
  );
}

/** One row change (delete, restore, destroy) with its change record, in one transaction. */
async function changeRow(store: PgStore, name: string, doing: string, sql: string): Promise<boolean> {
  const canonical = canonicalName(name);
  return store.retry(
    doing,
    async () => {
      const keys = await store.keys(false);
      if (!keys) return false;
      const { primary } = await store.pools();
      return inTransaction(primary, async (client) => {
        const changed = await client.query<{ secret_id: string; version: number | null }>(sql.replace("{s}", store.s), [store.environment, nameHmac(keys, canonical)]);
        const row = changed.rows[0];
        if (!row) return false;
        await notifyChange(store, client, row.secret_id, row.version);
        return true;
      });
    },
    canonical,
  );
}
