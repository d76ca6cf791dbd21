/**
 * Connections of the `postgres` source: the `pg` driver loaded lazily (a project without a
 * postgres source never loads it), the connection string found (`url`, else the variable
 * `urlEnv` names), pools for writes and reads, and pg's errors turned into HushErrors that keep
 * only the SQLSTATE or errno (a driver message may quote data).
 */
import type { ClientConfig } from "pg";
import type { PgClient as Client, PgPool as Pool, PgPoolClient as PoolClient } from "./pg-types.js";
import { HushError } from "../../errors.js";

/** Where and how to connect. */
export interface PgConnectionOptions {
  /** A connection string (no password: give it through PGPASSWORD, ~/.pgpass or `urlEnv`). */
  url?: string;
  /** The variable holding the connection string when `url` is not given. @default "HUSH_DATABASE_URL" */
  urlEnv?: string;
  /** A read replica for reads; writes and LISTEN use the primary. */
  readUrl?: string;
  /** A session connection for LISTEN (behind a transaction-mode pooler). @default url */
  listenUrl?: string;
  /** Connections per pool. @default 10 */
  poolSize?: number;
  /** Server-side statement timeout, ms. @default 5000 */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (a full pool included), ms. @default 10000 */
  connectTimeoutMs?: number;
  /** `application_name` of the connections (the listener's gets `-listen`). @default "hush" */
  applicationName?: string;
  /** Where `urlEnv` is read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The pools of one source. */
export interface PgPools {
  /** The primary: writes, migrations, and reads unless `readUrl` is given. */
  primary: Pool;
  /** Reads (`readUrl`), else the primary. */
  read: Pool;
  /** Opens a dedicated session connection for LISTEN (not pooled). */
  listener(): Promise<Client>;
  /** Where the primary is, for messages: host, port, database; never a password. */
  target: string;
  /** Closes every pool. Idempotent. */
  end(): Promise<void>;
}

/** The `pg` module, loaded on first use; a missing package is MISSING_DEPENDENCY. (Not exported: its type names pg.) */
async function loadPg(): Promise<typeof import("pg")> {
  try {
    const mod = (await import("pg")) as typeof import("pg") & { default?: typeof import("pg") };
    return mod.default ?? mod;
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", "The postgres source needs the `pg` package: npm install pg", { cause: e });
  }
}

/** The connection string in effect: `url`, else the variable `urlEnv` names. CONFIG_INVALID when neither is set. */
export function connectionUrl(options: Pick<PgConnectionOptions, "url" | "urlEnv" | "env">): string {
  if (options.url) return options.url;
  const variable = options.urlEnv ?? "HUSH_DATABASE_URL";
  const value = (options.env ?? process.env)[variable];
  if (!value) {
    throw new HushError("CONFIG_INVALID", `The postgres source has no connection string: set ${variable} or options.url in hush.yaml.`, {
      hint: `export ${variable}=postgres://user@host:5432/db (the password through PGPASSWORD or ~/.pgpass), then run the command again.`,
    });
  }
  return value;
}

/** `host:port/database` of a connection string, for messages; never its user-info. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    return "(a connection string that does not parse as a URL)";
  }
}

/** Opens the pools (lazily: no connection is made until the first query). */
export async function openPools(options: PgConnectionOptions): Promise<PgPools> {
  const pg = await loadPg();
  const url = connectionUrl(options);
  const config = (connectionString: string): ClientConfig & { max: number; allowExitOnIdle: boolean; idleTimeoutMillis: number } => ({
    connectionString,
    application_name: options.applicationName ?? "hush",
    statement_timeout: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 10_000,
    // A library user who never calls dispose() still gets a process that exits.
    allowExitOnIdle: true,
  });
  // pg's objects as hush's structural types (./pg-types.ts): the public .d.ts never names pg.
  const primary = new pg.Pool(config(url)) as unknown as Pool;
  const read = options.readUrl ? (new pg.Pool(config(options.readUrl)) as unknown as Pool) : primary;
  // An idle client whose backend ends (a restart, pg_terminate_backend) emits "error" on the
  // pool; the pool drops it and the next query gets a new one. Unhandled, it ends the process.
  for (const pool of new Set([primary, read])) pool.on("error", () => undefined);
  let ended: Promise<void> | undefined;
  return {
    primary,
    read,
    target: describeTarget(url),
    async listener() {
      const client = new pg.Client({ connectionString: options.listenUrl ?? url, application_name: `${options.applicationName ?? "hush"}-listen`, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
      client.on("error", () => undefined);
      await client.connect();
      return client as unknown as Client;
    },
    end() {
      ended ??= Promise.all([...new Set([primary, read])].map((p) => p.end().catch(() => undefined))).then(() => undefined);
      return ended;
    },
  };
}

/** Runs `work` in a transaction on a client of `pool`; rolls back on failure and releases the client. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, isolation = "READ COMMITTED"): Promise<T> {
  const client = await pool.connect();
  // A backend that ends while the client is checked out emits "error" on the client (the pool
  // only listens while it is idle); the failing query reports it, so this only keeps it handled.
  const ignore = () => undefined;
  client.on("error", ignore);
  let broken = false;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true; // the connection is gone: do not hand it back to the pool
    }
    throw e;
  } finally {
    client.off("error", ignore);
    client.release(broken);
  }
}

/** True for failures a retry may cure: serialization failure, deadlock, a dropped connection. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof HushError) return false;
  const code = sqlState(e);
  if (code === "40001" || code === "40P01") return true;
  return isConnectionLoss(e);
}

/** True when the connection was lost or could not be made (never a query's own error). */
export function isConnectionLoss(e: unknown): boolean {
  const code = sqlState(e);
  if (code && (/^08/.test(code) || code === "57P01" || code === "57P02" || code === "57P03")) return true;
  if (code && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT ...
  // pg signals a lost socket with plain Errors; their texts are the driver's own, never data.
  const message = e instanceof Error ? e.message : "";
  return /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended/i.test(message);
}

/**
 * A pg failure as a HushError: the message says what was being done and which class of failure
 * it was; only the SQLSTATE (or errno) is kept, never the driver's message (it may quote data).
 */
export function toHushError(e: unknown, doing: string, context: { source: string; secret?: string; target?: string }): HushError {
  if (e instanceof HushError) return e;
  const code = sqlState(e);
  const at = context.target ? ` (${context.target})` : "";
  const base = { source: context.source, secret: context.secret, cause: e };
  const message = e instanceof Error ? e.message : "";
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new HushError("SOURCE_UNAVAILABLE", `PostgreSQL${at}: no connection was free in time to ${doing} (the pool is full or the server does not answer).`, {
      ...base,
      hint: "Raise options.poolSize or options.connectTimeoutMs, or check the server; the operation did not happen.",
    });
  }
  if (code === "57014") return new HushError("SOURCE_UNAVAILABLE", `PostgreSQL${at}: the statement to ${doing} timed out (statement timeout).`, { ...base, hint: "Raise options.statementTimeoutMs, or look for locks held on the hush schema." });
  if (code === "42501" || code === "28000" || code === "28P01") return new HushError("ACCESS_DENIED", `PostgreSQL${at} refused to ${doing}: the role lacks the privilege (SQLSTATE ${code}).`, { ...base, hint: "Grant the role its access with `hush db grant --role NAME --access read|write|admin --apply`." });
  if (code === "3F000" || code === "42P01") return new HushError("SCHEMA_MISMATCH", `PostgreSQL${at}: the hush schema is missing, so hush cannot ${doing} (SQLSTATE ${code}).`, { ...base, hint: "Run `hush db migrate` (it creates the schema)." });
  if (code === "40001" || code === "40P01") return new HushError("CONCURRENT_MODIFICATION", `PostgreSQL${at}: could not ${doing}: concurrent transactions conflicted after every retry.`, base);
  if (isConnectionLoss(e)) return new HushError("SOURCE_UNAVAILABLE", `PostgreSQL${at} could not be reached to ${doing}.`, base);
  return new HushError("SOURCE_UNAVAILABLE", `PostgreSQL${at} failed to ${doing}${code ? ` (SQLSTATE ${code})` : ""}.`, base);
}

/** The SQLSTATE or errno of a failure, when it has one. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** `"name"` for an identifier already checked by {@link assertIdentifier}. */
export function quoteIdent(name: string): string {
  assertIdentifier(name);
  return `"${name}"`;
}

/** Refuses anything but a plain lower-case identifier (schema and role names reach SQL text). */
export function assertIdentifier(name: string, what = "schema"): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new HushError("INVALID_ARGUMENT", `The ${what} name must be lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters.`);
  }
}
