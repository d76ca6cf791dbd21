/**
 * Applying the numbered migrations (./migrations.ts) and reading the schema version.
 *
 * `migrateSchema` runs in ONE transaction that first takes a transaction-scoped advisory lock
 * keyed by the schema name: two instances starting at once are safe (the second waits, then
 * finds nothing left to do), and a failed migration leaves the schema as it was. A database
 * whose schema is newer than this hush knows is refused (SCHEMA_MISMATCH), never downgraded.
 */
import type { PgPool as Pool, PgPoolClient as PoolClient } from "./pg-types.js";
import { HushError } from "../../errors.js";
import { VERSION } from "../../version.js";
import { inTransaction, quoteIdent } from "./connect.js";
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from "./migrations.js";

/** What {@link migrateSchema} did. */
export interface MigrateResult {
  schema: string;
  /** The version before (0: no hush schema). */
  from: number;
  /** The version after. */
  to: number;
  /** Migrations applied now, in order. */
  applied: { version: number; name: string }[];
}

/** The table of applied migrations, inside the schema. */
export const MIGRATIONS_TABLE = "schema_migrations";

/**
 * Creates or upgrades `schema` to the newest version this hush knows.
 *
 * @example
 * const { from, to } = await migrateSchema(pool, "hush"); // 0 -> 1 the first time, 1 -> 1 after
 */
export async function migrateSchema(pool: Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  const s = quoteIdent(schema);
  assertNumbered(migrations);
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`hush.migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.${MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, hush_version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const from = await appliedVersion(client, schema);
    const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
    if (from > known) throw newerSchema(schema, from, known);
    const applied: MigrateResult["applied"] = [];
    for (const m of migrations) {
      if (m.version <= from) continue;
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.${MIGRATIONS_TABLE} (version, name, hush_version) VALUES ($1, $2, $3)`, [m.version, m.name, VERSION]);
      applied.push({ version: m.version, name: m.name });
    }
    return { schema, from, to: Math.max(from, known), applied };
  });
}

/** The schema's version: 0 when there is no hush schema (or no migrations table) yet. */
export async function readSchemaVersion(pool: Pool | PoolClient, schema: string): Promise<number> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [`${quoteIdent(schema)}.${MIGRATIONS_TABLE}`]);
  if (!exists.rows[0]?.t) return 0;
  return appliedVersion(pool, schema);
}

/**
 * Checks a schema version before use: older than this hush (or absent) is SCHEMA_MISMATCH with
 * "run hush db migrate"; newer is refused for writes (this hush does not know what a newer one
 * expects) and allowed for reads when `forWrite` is false.
 */
export function assertSchemaVersion(version: number, schema: string, forWrite: boolean, known = SCHEMA_VERSION): void {
  if (version === known) return;
  if (version === 0) throw new HushError("SCHEMA_MISMATCH", `The PostgreSQL schema "${schema}" has no hush tables yet.`, { hint: "Run `hush db migrate` once (with a role that may create the schema)." });
  if (version < known) throw new HushError("SCHEMA_MISMATCH", `The PostgreSQL schema "${schema}" is at version ${version}; this hush needs ${known}.`, { hint: "Run `hush db migrate`." });
  if (forWrite) throw newerSchema(schema, version, known);
}

// --- internal ---

async function appliedVersion(q: Pool | PoolClient, schema: string): Promise<number> {
  const r = await q.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${quoteIdent(schema)}.${MIGRATIONS_TABLE}`);
  return r.rows[0]?.v ?? 0;
}

function newerSchema(schema: string, version: number, known: number): HushError {
  return new HushError("SCHEMA_MISMATCH", `The PostgreSQL schema "${schema}" is at version ${version}, newer than this hush knows (${known}); it refuses to write to it.`, {
    hint: "Upgrade hush on this machine to the version that migrated the database.",
  });
}

function assertNumbered(migrations: readonly Migration[]): void {
  for (const [i, m] of migrations.entries()) {
    if (m.version !== i + 1) throw new HushError("INTERNAL", `Migration ${i + 1} is numbered ${m.version}; migrations are numbered 1, 2, 3, ... without gaps.`);
  }
}
