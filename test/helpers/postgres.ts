/**
 * PostgreSQL for tests: the real server on 127.0.0.1:5432 (trust auth). Each test file makes its
 * own schemas and roles with random names and drops them at the end. `.ci/run` exports
 * HUSH_TEST_DATABASE_URL (a fresh database per run); without it, the `test` database.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The database the tests use. */
export const TEST_DATABASE_URL = process.env.HUSH_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The same database as another role (trust auth: no password). */
export function urlAs(role: string): string {
  const u = new URL(TEST_DATABASE_URL);
  u.username = role;
  u.password = "";
  return u.toString();
}

/** A random lower-case identifier with a prefix. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** One superuser pool for setting up and inspecting; `end()` drops what `track` recorded. */
export function createAdmin() {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
  pool.on("error", () => undefined);
  const schemas = new Set<string>();
  const roles = new Set<string>();
  return {
    pool,
    query: (text: string, values?: unknown[]) => pool.query(text, values),
    /** A schema name that `end()` drops. */
    schema(): string {
      const s = randomName("hush_t");
      schemas.add(s);
      return s;
    },
    /** Creates a login role that `end()` drops. */
    async role(prefix = "hush_r"): Promise<string> {
      const r = randomName(prefix);
      await pool.query(`CREATE ROLE "${r}" LOGIN`);
      roles.add(r);
      return r;
    },
    async end(): Promise<void> {
      for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      for (const r of roles) {
        await pool.query(`DROP OWNED BY "${r}"`).catch(() => undefined);
        await pool.query(`DROP ROLE IF EXISTS "${r}"`);
      }
      await pool.end();
    },
  };
}
