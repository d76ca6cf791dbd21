/**
 * The rotation stage of the `postgres` source (docs/rotation.md): `secrets.pending_version`
 * (in the schema since migration 1) names a version that is stored but not current.
 *
 * - `stage`: one transaction locks the secret's row (`FOR UPDATE`), refuses when a version is
 *   pending already (ROTATION_IN_PROGRESS: the check-and-set that gives two rotations of one name
 *   one success and one refusal), seals and inserts version `latest + 1`, and sets
 *   `pending_version` and `latest_version`, leaving `current_version` alone. No NOTIFY: readers'
 *   values did not change. A retry after a lost COMMIT reply finds its write id and returns it.
 * - `promote`: one transaction moves `current -> previous` and `pending -> current`, clears
 *   `pending_version`, and NOTIFYs, so watchers pick up the new value at once.
 */
import { randomUUID } from "node:crypto";
import { HushError } from "../../errors.js";
import { canonicalName } from "../../names.js";
import type { SecretRecord } from "../../types.js";
import { inTransaction } from "./connect.js";
import { nameHmac, sealValue } from "./envelope.js";
import { readVersion, readVersions } from "./read.js";
import type { PgStore } from "./store-context.js";
import { notifyChange } from "./write.js";

interface LockedRow {
  secret_id: string;
  current_version: number | null;
  pending_version: number | null;
  latest_version: number;
  deleted: boolean;
}

/** Stages `value` as the pending version of live secret `name`; see the module comment. */
export async function stageVersion(store: PgStore, name: string, value: string): Promise<SecretRecord> {
  const canonical = canonicalName(name);
  const writeId = randomUUID();
  return store.retry(
    "stage a pending version",
    async (attempt) => {
      const keys = (await store.keys(true))!;
      const { primary } = await store.pools();
      return inTransaction(primary, async (client) => {
        const { s } = store;
        if (attempt > 1) {
          const done = await client.query<{ version: number; created_at: Date }>(`SELECT version, created_at FROM ${s}.versions WHERE write_id = $1`, [writeId]);
          if (done.rows[0]) return { name: canonical, value, source: store.sourceName, version: done.rows[0].version, updatedAt: done.rows[0].created_at };
        }
        const row = await lockRow(store, client, nameHmac(keys, canonical));
        if (!row || row.deleted || row.current_version === null) {
          throw new HushError("NOT_FOUND", `"${canonical}" has no current value to rotate; set one first with \`hush set ${canonical}\`.`, { source: store.sourceName, secret: canonical });
        }
        if (row.pending_version !== null) {
          throw new HushError("ROTATION_IN_PROGRESS", `"${canonical}" has a pending version ${row.pending_version}: another rotation is under way or was interrupted.`, { source: store.sourceName, secret: canonical });
        }
        const version = row.latest_version + 1;
        const sealed = sealValue(keys, { secretId: row.secret_id, version }, value);
        const inserted = await client.query<{ created_at: Date }>(
          `WITH ins AS (INSERT INTO ${s}.versions (secret_id, version, key_id, wrapped_key, box, write_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at),
           upd AS (UPDATE ${s}.secrets SET pending_version = $2, latest_version = $2, updated_at = now() WHERE secret_id = $1)
           SELECT created_at FROM ins`,
          [row.secret_id, version, keys.keyId, sealed.wrappedKey, sealed.box, writeId],
        );
        return { name: canonical, value, source: store.sourceName, version, updatedAt: inserted.rows[0]!.created_at };
      });
    },
    canonical,
  );
}

/** The pending version's record, or undefined. */
export async function readPending(store: PgStore, name: string): Promise<SecretRecord | undefined> {
  const pending = (await readVersions(store, name)).find((v) => v.labels?.includes("pending"));
  return pending && readVersion(store, name, pending.version);
}

/** Makes pending version `version` current (the old current becomes previous), atomically. */
export async function promoteVersion(store: PgStore, name: string, version: number): Promise<SecretRecord> {
  const canonical = canonicalName(name);
  await store.retry(
    "promote a pending version",
    async () => {
      const keys = (await store.keys(true))!;
      const { primary } = await store.pools();
      await inTransaction(primary, async (client) => {
        const row = await lockRow(store, client, nameHmac(keys, canonical));
        if (row && row.pending_version === null && row.current_version === version) return; // a retry after a lost COMMIT reply
        if (!row || row.pending_version !== version) {
          throw new HushError("ROTATION_IN_PROGRESS", `Version ${version} of "${canonical}" is not its pending version: another rotation finished or replaced it.`, { source: store.sourceName, secret: canonical });
        }
        if (row.deleted || (row.current_version ?? 0) > version) {
          throw new HushError("CONCURRENT_MODIFICATION", `"${canonical}" was written or deleted after version ${version} was staged; its rotation cannot finish on top of that.`, { source: store.sourceName, secret: canonical });
        }
        await client.query(`UPDATE ${store.s}.secrets SET previous_version = current_version, current_version = $2, pending_version = NULL, updated_at = now() WHERE secret_id = $1`, [row.secret_id, version]);
        await notifyChange(store, client, row.secret_id, version);
      });
    },
    canonical,
  );
  const record = await readVersion(store, canonical, version);
  if (!record) throw new HushError("VERSION_NOT_FOUND", `Version ${version} of "${canonical}" is not in the PostgreSQL store after its promotion.`, { source: store.sourceName, secret: canonical });
  return record;
}

/** Drops pending version `version` (its row and the label); false when it is not the pending one. */
export async function discardPending(store: PgStore, name: string, version: number): Promise<boolean> {
  const canonical = canonicalName(name);
  return store.retry(
    "discard a pending version",
    async () => {
      const keys = await store.keys(false);
      if (!keys) return false;
      const { primary } = await store.pools();
      return inTransaction(primary, async (client) => {
        const row = await lockRow(store, client, nameHmac(keys, canonical));
        if (!row || row.pending_version !== version) return false;
        await client.query(`UPDATE ${store.s}.secrets SET pending_version = NULL WHERE secret_id = $1`, [row.secret_id]);
        await client.query(`DELETE FROM ${store.s}.versions WHERE secret_id = $1 AND version = $2`, [row.secret_id, version]);
        return true;
      });
    },
    canonical,
  );
}

// --- internal ---

async function lockRow(store: PgStore, client: { query: <R>(sql: string, params: unknown[]) => Promise<{ rows: R[] }> }, hmac: Buffer): Promise<LockedRow | undefined> {
  const rows = await client.query<LockedRow>(
    `SELECT secret_id::text AS secret_id, current_version, pending_version, latest_version, deleted_at IS NOT NULL AS deleted
       FROM ${store.s}.secrets WHERE environment = $1 AND name_hmac = $2 FOR UPDATE`,
    [store.environment, hmac],
  );
  return rows.rows[0];
}
