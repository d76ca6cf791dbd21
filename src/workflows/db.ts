/**
 * `hush db migrate|status|grant` as library calls. The database is the one hush.yaml's first
 * `type: postgres` source names (`url`, else the variable `urlEnv` names; `schema`), unless
 * `url` / `schema` are given here.
 *
 * @example
 * await migrateDatabase({ cwd: "/srv/app" });                    // creates or upgrades the schema
 * await grantDatabaseAccess({ role: "app_reader", access: "read", apply: true });
 */
import { HushError } from "../errors.js";
import { loadConfig } from "../config/load.js";
import { hasUrlPassword } from "../config/validate-text.js";
import { openPools, toHushError, type PgPools } from "../sources/postgres/connect.js";
import { migrateSchema, type MigrateResult } from "../sources/postgres/migrate.js";
import { applyGrant, grantStatements, readDbStatus, DB_ACCESS_LEVELS, type DbAccess, type DbStatus } from "../sources/postgres/admin.js";
import type { ProjectOptions } from "./project.js";

/** Which database: the project's postgres source, or these overrides. */
export interface DatabaseOptions extends Pick<ProjectOptions, "cwd" | "environment" | "env" | "loaded"> {
  /** A connection string (never with a password: PGPASSWORD or ~/.pgpass). @default the source's */
  url?: string;
  /** The schema. @default the source's, else "hush" */
  schema?: string;
}

/** Options of {@link grantDatabaseAccess}. */
export interface GrantDatabaseAccessOptions extends DatabaseOptions {
  /** An existing role (lower-case identifier). */
  role: string;
  access: DbAccess;
  /** Run the statements (in one transaction) instead of only returning them. @default false */
  apply?: boolean;
}

/** What {@link grantDatabaseAccess} did. */
export interface GrantResult {
  statements: string[];
  applied: boolean;
}

/** Creates or upgrades the hush schema (numbered migrations, one transaction, advisory lock). */
export async function migrateDatabase(options: DatabaseOptions = {}): Promise<MigrateResult> {
  return withDatabase(options, (pools, schema) => migrateSchema(pools.primary, schema), "migrate the schema");
}

/** The schema version, its migrations and the roles with access. */
export async function databaseStatus(options: DatabaseOptions = {}): Promise<DbStatus> {
  return withDatabase(options, (pools, schema) => readDbStatus(pools.primary, schema, pools.target), "read the schema's status");
}

/** The GRANT statements for a role; with `apply`, runs them. */
export async function grantDatabaseAccess(options: GrantDatabaseAccessOptions): Promise<GrantResult> {
  if (!DB_ACCESS_LEVELS.includes(options.access)) throw new HushError("INVALID_ARGUMENT", `--access must be one of ${DB_ACCESS_LEVELS.join(", ")}.`);
  if (!options.apply) {
    const { schema } = await databaseTarget(options);
    return { statements: grantStatements(schema, options.role, options.access), applied: false };
  }
  return withDatabase(options, async (pools, schema) => ({ statements: await applyGrant(pools.primary, schema, options.role, options.access), applied: true }), "grant access");
}

// --- internal ---

/** The postgres source's url/urlEnv/schema from hush.yaml, with the overrides applied. */
async function databaseTarget(options: DatabaseOptions): Promise<{ url?: string; urlEnv?: string; schema: string }> {
  if (options.url !== undefined && hasUrlPassword(options.url)) {
    throw new HushError("INVALID_ARGUMENT", "The connection string holds a password; pass it through PGPASSWORD or ~/.pgpass, never on the command line.");
  }
  const loaded = options.loaded ?? (await loadConfig({ cwd: options.cwd, environment: options.environment, env: options.env }));
  const source = loaded.config.sources?.find((s) => s.type === "postgres")?.options ?? {};
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { url: options.url ?? str(source.url), urlEnv: str(source.urlEnv), schema: options.schema ?? str(source.schema) ?? "hush" };
}

async function withDatabase<T>(options: DatabaseOptions, fn: (pools: PgPools, schema: string) => Promise<T>, doing: string): Promise<T> {
  const { url, urlEnv, schema } = await databaseTarget(options);
  const pools = await openPools({ url, urlEnv, env: options.env, poolSize: 2, statementTimeoutMs: 60_000 });
  try {
    return await fn(pools, schema);
  } catch (e) {
    throw toHushError(e, doing, { source: "postgres", target: pools.target });
  } finally {
    await pools.end();
  }
}
