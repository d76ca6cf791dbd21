/**
 * `check()` of the `postgres` source, for `hush doctor`: the connection, the schema version,
 * what the connected role may do, and the environment's key against the store's key id.
 */
import { HushError } from "../../errors.js";
import type { SourceCheck } from "../../types.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { readSchemaVersion } from "./migrate.js";
import type { PgStore } from "./store-context.js";

/** Checks the source live; never throws (a failure is `ok: false` with its fix). */
export async function checkPostgres(store: PgStore): Promise<SourceCheck> {
  let target = "PostgreSQL";
  try {
    const pools = await store.pools();
    target = `PostgreSQL ${pools.target} schema "${store.schema}"`;
    const r = await pools.primary.query<{ role: string; read: boolean | null; write: boolean | null }>(
      `SELECT current_user AS role, has_table_privilege(to_regclass($1), 'SELECT') AS read, has_table_privilege(to_regclass($1), 'INSERT') AS write`,
      [`${store.s}.versions`],
    );
    const row = r.rows[0]!;
    if (row.read === null) return fail(`${target}: no hush schema`, "no hush tables in the schema", "run `hush db migrate`");
    if (!row.read) return fail(`${target}: role ${row.role} cannot read`, `role ${row.role} has no access to the hush tables`, `hush db grant --role ${row.role} --access read --apply (as an admin)`);
    const version = await readSchemaVersion(pools.primary, store.schema);
    if (version !== SCHEMA_VERSION) {
      const newer = version > SCHEMA_VERSION;
      return fail(`${target}: schema version ${version}, this hush knows ${SCHEMA_VERSION}`, newer ? "the schema is newer than this hush: it reads but refuses to write" : "the schema is older than this hush", newer ? "upgrade hush on this machine" : "run `hush db migrate`");
    }
    const keys = await store.keys(false);
    const access = row.write ? "read-write" : "read-only";
    const key = keys ? `key ${keys.keyId} matches the store` : "no store for this environment yet (the first write makes it)";
    return { ok: true, detail: `${target}: schema version ${SCHEMA_VERSION}, role ${row.role} (${access}), ${key}` };
  } catch (e) {
    const err = e instanceof HushError ? e : store.fail(e, "check the connection");
    return fail(`${target}: ${err.code}`, err.message, err.hint);
  }
}

// --- internal ---

function fail(detail: string, message: string, fix: string): SourceCheck {
  return { ok: false, detail, problems: [{ message, fix }] };
}
