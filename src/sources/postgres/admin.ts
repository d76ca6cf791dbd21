/**
 * Administration of the hush schema: `hush db status` (schema version, applied migrations, the
 * roles and what they may do) and `hush db grant` (the SQL that gives a role read, write or
 * admin access; printed, or run with `--apply`).
 *
 * Access levels:
 * - `read`: USAGE on the schema and SELECT on its tables. A reader reads ciphertexts and
 *   versions (a plaintext needs the environment's key, which is never in the database) and
 *   cannot change a secret. Tables that readers may append to (the audit table) are listed in
 *   {@link READER_APPEND_TABLES}.
 * - `write`: read, plus INSERT/UPDATE/DELETE on the store's tables.
 * - `admin`: write, plus CREATE on the schema (migrations that add tables).
 */
import type { PgPool as Pool } from "./pg-types.js";
import { assertIdentifier, quoteIdent } from "./connect.js";
import { MIGRATIONS_TABLE, readSchemaVersion } from "./migrate.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";

/** An access level of `hush db grant`. */
export type DbAccess = "read" | "write" | "admin";

/** Every access level, weakest first. */
export const DB_ACCESS_LEVELS: readonly DbAccess[] = ["read", "write", "admin"];

/** Tables of the store that writers change (readers only SELECT them). Later migrations add theirs. */
export const STORE_TABLES: string[] = ["stores", "secrets", "versions", "changes"];

/** Tables a reader may INSERT into and nothing else (append-only; the audit table, when present). */
export const READER_APPEND_TABLES: string[] = ["audit"];

/** What `hush db status` shows. */
export interface DbStatus {
  schema: string;
  /** Where: host:port/database, never a password. */
  target: string;
  /** The schema's version (0: not migrated). */
  version: number;
  /** The newest version this hush knows. */
  known: number;
  /** `current`, `behind` (run hush db migrate), `ahead` (upgrade hush), `missing`. */
  state: "current" | "behind" | "ahead" | "missing";
  /** Applied migrations, oldest first. */
  migrations: { version: number; name: string; appliedAt: Date; hushVersion: string }[];
  /** Roles with privileges on the schema's tables, and the level they amount to. */
  roles: { role: string; access: DbAccess | "partial"; privileges: string[] }[];
}

/**
 * The SQL statements that give `role` the `access` level on `schema`, in order.
 *
 * @example
 * grantStatements("hush", "app_reader", "read"); // ["GRANT USAGE ON SCHEMA \"hush\" TO \"app_reader\"", ...]
 */
export function grantStatements(schema: string, role: string, access: DbAccess): string[] {
  assertIdentifier(role, "role");
  const s = quoteIdent(schema);
  const r = `"${role}"`;
  const tables = (names: readonly string[]) => names.map((t) => `${s}.${quoteIdent(t)}`).join(", ");
  const sql = [`GRANT USAGE ON SCHEMA ${s} TO ${r}`, `GRANT SELECT ON ${tables([...STORE_TABLES, MIGRATIONS_TABLE, ...READER_APPEND_TABLES])} TO ${r}`];
  if (READER_APPEND_TABLES.length > 0) sql.push(`GRANT INSERT ON ${tables(READER_APPEND_TABLES)} TO ${r}`);
  if (access === "read") return sql;
  sql.push(`GRANT INSERT, UPDATE, DELETE ON ${tables(STORE_TABLES)} TO ${r}`);
  if (access === "write") return sql;
  sql.push(`GRANT CREATE ON SCHEMA ${s} TO ${r}`, `GRANT ALL ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
  // The audit trail stays append-only for admins too (its trigger refuses them anyway).
  if (READER_APPEND_TABLES.length > 0) sql.push(`REVOKE UPDATE, DELETE, TRUNCATE ON ${tables(READER_APPEND_TABLES)} FROM ${r}`);
  return sql;
}

/** Runs {@link grantStatements} in one transaction. */
export async function applyGrant(pool: Pool, schema: string, role: string, access: DbAccess): Promise<string[]> {
  const statements = grantStatements(schema, role, access);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    for (const statement of statements) await client.query(statement);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  return statements;
}

/** Reads the schema's version, its migrations and the roles' privileges. */
export async function readDbStatus(pool: Pool, schema: string, target: string): Promise<DbStatus> {
  const version = await readSchemaVersion(pool, schema);
  const state = version === 0 ? "missing" : version < SCHEMA_VERSION ? "behind" : version > SCHEMA_VERSION ? "ahead" : "current";
  const status: DbStatus = { schema, target, version, known: SCHEMA_VERSION, state, migrations: [], roles: [] };
  if (version === 0) return status;
  const applied = await pool.query<{ version: number; name: string; applied_at: Date; hush_version: string }>(
    `SELECT version, name, applied_at, hush_version FROM ${quoteIdent(schema)}.${MIGRATIONS_TABLE} ORDER BY version`,
  );
  status.migrations = applied.rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at, hushVersion: r.hush_version }));
  const grants = await pool.query<{ grantee: string; table_name: string; privilege_type: string }>(
    "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants WHERE table_schema = $1 ORDER BY grantee, table_name, privilege_type",
    [schema],
  );
  const byRole = new Map<string, Set<string>>();
  for (const g of grants.rows) {
    const set = byRole.get(g.grantee) ?? new Set<string>();
    set.add(`${g.privilege_type} ${g.table_name}`);
    byRole.set(g.grantee, set);
  }
  status.roles = [...byRole].map(([role, privileges]) => ({ role, access: accessOf(privileges), privileges: [...privileges].sort() }));
  return status;
}

/** The migrations this hush knows, for `hush db status --json`. */
export function knownMigrations(): { version: number; name: string }[] {
  return MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));
}

// --- internal ---

function accessOf(privileges: Set<string>): DbAccess | "partial" {
  const all = (kinds: string[], tables: readonly string[]) => tables.every((t) => kinds.every((k) => privileges.has(`${k} ${t}`)));
  if (!all(["SELECT"], STORE_TABLES)) return "partial";
  if (!all(["INSERT", "UPDATE", "DELETE"], STORE_TABLES)) return "read";
  if (!all(["TRUNCATE", "REFERENCES", "TRIGGER"], STORE_TABLES)) return "write";
  return "admin";
}
