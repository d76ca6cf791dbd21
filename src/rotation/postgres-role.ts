/**
 * The `postgres-role` rotator: a real `ALTER ROLE … PASSWORD` on PostgreSQL, with the
 * alternating-users strategy. Two login roles (`users: [app_a, app_b]`, members of one group role
 * that holds the privileges) take turns: each rotation gives the role NOT in use a new password
 * and hands out its credentials; the role in use keeps working through the grace period, then
 * `revoke` makes it NOLOGIN with no password. Consumers never hold credentials that stop working
 * while they are current.
 *
 * ```yaml
 * secrets:
 *   database_url:
 *     type: database-password
 *     rotator: { type: postgres-role, users: [app_a, app_b], adminUrlEnv: HUSH_PG_ADMIN_URL }
 * ```
 *
 * - create: picks the other role (from the current value's user) and a random password
 *   (32 letters and digits from node:crypto);
 * - set: `ALTER ROLE <next> WITH LOGIN PASSWORD '<SCRAM-SHA-256 verifier>' VALID UNTIL 'infinity'`:
 *   the verifier is computed here (postgres-role/scram.ts), the password never reaches the server;
 * - test: the stored verifier matches the new password (this holds whatever pg_hba.conf says:
 *   under `trust` a login proves nothing about the password), the role can log in, and a
 *   connection with the new credentials runs `SELECT current_user` as that role;
 * - revoke: `ALTER ROLE <old> NOLOGIN PASSWORD NULL` (NOLOGIN is enforced under every auth
 *   method, `trust` included), and its sessions ended when `terminateSessions` is set.
 *
 * The admin connection (a role with CREATEROLE, or the owner of both roles) comes from `adminUrl`
 * or the variable `adminUrlEnv` names; its password from PGPASSWORD or ~/.pgpass, never hush.yaml.
 * Errors keep the SQLSTATE only (a driver message may quote a statement).
 */
import { randomInt } from "node:crypto";
import type { Client } from "pg";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { defineRotatorType, type Rotator, type RotatorContext } from "./rotator.js";
import { formatCredentials, parseCredentials, ROLE_NAME, type CredentialFormat, type RoleCredentials } from "./postgres-role/credentials.js";
import { scramMatches, scramVerifier } from "./postgres-role/scram.js";

/** Options of the `postgres-role` rotator. */
export interface PostgresRoleOptions {
  /** The two login roles that take turns. */
  users: string[];
  /** Admin connection string (no password in it). */
  adminUrl?: string;
  /** Variable holding the admin connection string when `adminUrl` is not given. @default "HUSH_PG_ADMIN_URL" */
  adminUrlEnv: string;
  /** Host, port and database the consumers connect to. @default those of the admin connection */
  host?: string;
  port?: number;
  database?: string;
  /** The value's form: a connection URL or JSON. @default "url" */
  format: CredentialFormat;
  /** End the retired role's sessions at revoke. @default false */
  terminateSessions: boolean;
  /** A query the new role must be able to run at `test` (its privileges, through the group). @default "SELECT current_user" */
  testQuery?: string;
}

const schema = {
  users: option.strings({ pattern: ROLE_NAME, description: "the two login roles that take turns (lower-case names)" }),
  adminUrl: option.string({ description: "admin connection string, without a password (PGPASSWORD or ~/.pgpass)" }),
  adminUrlEnv: option.string({ default: "HUSH_PG_ADMIN_URL", description: "variable holding the admin connection string when adminUrl is not given" }),
  host: option.string({ description: "host the consumers connect to", docDefault: "the admin connection's" }),
  port: option.integer({ min: 1, max: 65535, description: "port the consumers connect to", docDefault: "the admin connection's" }),
  database: option.string({ description: "database the consumers connect to", docDefault: "the admin connection's" }),
  format: option.choice(["url", "json"] as const, { default: "url", description: "the value: a postgresql:// URL or a JSON object" }),
  terminateSessions: option.boolean({ default: false, description: "end the retired role's sessions at revoke" }),
  testQuery: option.string({ description: "a query the new role must be able to run at the test step (e.g. a SELECT on one of the app's tables)", docDefault: "SELECT current_user" }),
};

/** The `postgres-role` rotator type. */
export const postgresRoleRotatorType = defineRotatorType({
  type: "postgres-role",
  summary: "ALTER ROLE … PASSWORD on PostgreSQL, two login roles taking turns (old credentials valid through the grace period)",
  options: schema,
  create: (options, context) => createPostgresRoleRotator(options as PostgresRoleOptions, context),
});

/** A rotator over two roles; connects on first use. */
export function createPostgresRoleRotator(options: PostgresRoleOptions, context: Pick<RotatorContext, "env" | "onProgress">): Rotator {
  if (options.users.length !== 2 || options.users[0] === options.users[1]) {
    throw new HushError("CONFIG_INVALID", "The postgres-role rotator needs exactly two different roles in `users` (e.g. [app_a, app_b]).");
  }
  const adminUrl = options.adminUrl ?? (context.env ?? process.env)[options.adminUrlEnv];
  if (!adminUrl) throw new HushError("CONFIG_INVALID", `The postgres-role rotator has no admin connection: set ${options.adminUrlEnv} or rotator.adminUrl (without a password).`);
  const target = targetOf(adminUrl, options);
  let lastSet: string | undefined;
  const admin = <T>(fn: (c: Client) => Promise<T>) => withClient(adminUrl, fn);
  return {
    async create(current) {
      const user = nextUser(options.users, current === undefined ? undefined : userIn(current, options.format));
      if (current !== undefined && userIn(current, options.format) === undefined) context.onProgress?.(`the current value is not a credential of this rotator; starting with role ${user}`);
      return formatCredentials({ ...target, user, password: newPassword() }, options.format);
    },
    async set({ value }) {
      const c = parseCredentials(value, options.format);
      assertOurs(options.users, c.user);
      await admin((db) => db.query(`ALTER ROLE ${quote(c.user)} WITH LOGIN PASSWORD '${scramVerifier(c.password)}' VALID UNTIL 'infinity'`));
      lastSet = c.user;
      context.onProgress?.(`set a new password for role ${c.user}`);
    },
    async test({ value }) {
      const c = parseCredentials(value, options.format);
      const row = await admin(async (db) => (await db.query<AuthRow>("SELECT rolpassword, rolcanlogin, coalesce(rolvaliduntil <= now(), false) AS expired FROM pg_authid WHERE rolname = $1", [c.user])).rows[0]);
      if (!row) throw missingRole(c.user);
      if (!row.rolcanlogin || row.rolpassword === null || !scramMatches(row.rolpassword, c.password)) {
        throw new HushError("ROTATION_FAILED", `test: role ${c.user} does not hold the new password (or cannot log in).`);
      }
      if (row.expired) throw new HushError("ROTATION_FAILED", `test: role ${c.user}'s password has expired (VALID UNTIL).`);
      const who = await withClient(urlOf(c), async (db) => {
        if (options.testQuery) await db.query(options.testQuery);
        return (await db.query<{ current_user: string }>("SELECT current_user")).rows[0]?.current_user;
      });
      if (who !== c.user) throw new HushError("ROTATION_FAILED", `test: a connection with the new credentials ran as ${who ?? "nobody"}, not ${c.user}.`);
    },
    async revoke({ value }) {
      if (userIn(value, options.format) === undefined) {
        context.onProgress?.("the old value is not a credential of this rotator: no role to revoke");
        return;
      }
      const c = parseCredentials(value, options.format);
      assertOurs(options.users, c.user);
      if (c.user === lastSet) throw new HushError("INVALID_ARGUMENT", `revoke: role ${c.user} holds the new credentials; the old value must name the other role.`);
      await admin(async (db) => {
        await db.query(`ALTER ROLE ${quote(c.user)} NOLOGIN PASSWORD NULL`);
        if (options.terminateSessions) await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", [c.user]);
      });
      context.onProgress?.(`role ${c.user} can no longer log in (NOLOGIN, no password)`);
    },
  };
}

// --- internal ---

interface AuthRow {
  rolpassword: string | null;
  rolcanlogin: boolean;
  /** VALID UNTIL is in the past. */
  expired: boolean;
}

const PASSWORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 32 letters and digits (about 190 bits), unbiased (randomInt). */
function newPassword(): string {
  let out = "";
  for (let i = 0; i < 32; i++) out += PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)];
  return out;
}

/** The user a value names, or undefined when it is not a credential in `format` at all. */
function userIn(value: string, format: CredentialFormat): string | undefined {
  try {
    return parseCredentials(value, format).user;
  } catch (_e) {
    return undefined;
  }
}

/** The role not in use: the other one of the pair; the first when nothing is in use yet. */
function nextUser(users: string[], current: string | undefined): string {
  if (current === undefined) return users[0]!;
  assertOurs(users, current);
  return current === users[0] ? users[1]! : users[0]!;
}

function assertOurs(users: string[], user: string): void {
  if (!users.includes(user)) throw new HushError("INVALID_VALUE", `The value names a role that is not one of this rotator's users (${users.join(", ")}).`);
}

/** `"name"`; names are checked against ROLE_NAME, so no quote can be inside. */
function quote(role: string): string {
  if (!ROLE_NAME.test(role)) throw new HushError("INVALID_VALUE", "A role name must be lower-case letters, digits and '_' (at most 63).");
  return `"${role}"`;
}

function targetOf(adminUrl: string, o: PostgresRoleOptions): Omit<RoleCredentials, "user" | "password"> {
  let u: URL;
  try {
    u = new URL(adminUrl);
  } catch (_e) {
    throw new HushError("CONFIG_INVALID", "The postgres-role rotator's admin connection string does not parse as a URL.");
  }
  return { host: o.host ?? (u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1"), port: o.port ?? Number(u.port || 5432), database: o.database ?? (decodeURIComponent(u.pathname.slice(1)) || "postgres") };
}

function urlOf(c: RoleCredentials): string {
  return formatCredentials(c, "url");
}

function missingRole(user: string): HushError {
  return new HushError("CONFIG_INVALID", `Role ${user} does not exist.`, { hint: `Create both roles once, members of the group that holds the privileges: CREATE ROLE ${user} NOLOGIN IN ROLE <group>;` });
}

/** One connection for `fn`, closed after; pg errors become HushErrors keeping the SQLSTATE only. */
async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  let pg: typeof import("pg");
  try {
    const mod = (await import("pg")) as typeof import("pg") & { default?: typeof import("pg") };
    pg = mod.default ?? mod;
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", "The postgres-role rotator needs the `pg` package: npm install pg", { cause: e });
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 10_000, application_name: "hush-rotate" });
  client.on("error", () => undefined); // a dropped connection surfaces on the query
  try {
    await client.connect();
    return await fn(client);
  } catch (e) {
    throw asHushError(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function asHushError(e: unknown): HushError {
  if (e instanceof HushError) return e;
  const code = (e as { code?: unknown }).code;
  const state = typeof code === "string" ? code : "unknown";
  if (state === "42501") return new HushError("ACCESS_DENIED", "PostgreSQL refused: the admin role may not alter these roles (it needs CREATEROLE or to own them).");
  if (state === "42704") return new HushError("CONFIG_INVALID", "A role of the postgres-role rotator does not exist (SQLSTATE 42704).");
  if (/^(08|57P|53)/.test(state) || /^E[A-Z]+$/.test(state)) return new HushError("SOURCE_UNAVAILABLE", `PostgreSQL could not be reached or dropped the connection (${state}).`);
  if (state === "28P01" || state === "28000") return new HushError("ACCESS_DENIED", `PostgreSQL refused the login (${state}).`);
  return new HushError("ROTATION_FAILED", `PostgreSQL refused the statement (SQLSTATE ${state}).`);
}
