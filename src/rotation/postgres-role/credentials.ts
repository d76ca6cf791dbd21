/**
 * The value a `postgres-role` secret holds: which login role and its password, with where to
 * connect, as a connection URL (`postgresql://app_a:<password>@host:5432/db`, what most drivers
 * take as is) or as JSON (`{"user","password","host","port","database"}`). Errors never quote
 * the value.
 */
import { HushError } from "../../errors.js";

/** One set of credentials. */
export interface RoleCredentials {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
}

/** How the secret's value is written. */
export type CredentialFormat = "url" | "json";

/** A role name hush will put in SQL (quoted): lower-case letters, digits and `_`, at most 63. */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The value for `c` in `format`. Passwords are letters and digits: nothing to escape in a URL. */
export function formatCredentials(c: RoleCredentials, format: CredentialFormat): string {
  if (format === "json") return JSON.stringify(c);
  const host = c.host.includes(":") ? `[${c.host}]` : c.host;
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${host}:${c.port}/${encodeURIComponent(c.database)}`;
}

/** The credentials in a value, or an INVALID_VALUE that names the format, never the value. */
export function parseCredentials(value: string, format: CredentialFormat): RoleCredentials {
  const bad = () => new HushError("INVALID_VALUE", `The secret's value is not a ${format === "url" ? "postgresql:// connection URL with a user and a password" : 'JSON object {"user","password","host","port","database"}'} (the postgres-role rotator's format: ${format}).`);
  if (format === "json") {
    let o: Partial<RoleCredentials>;
    try {
      o = JSON.parse(value) as Partial<RoleCredentials>;
    } catch (_e) {
      throw bad();
    }
    if (typeof o?.user !== "string" || typeof o.password !== "string" || typeof o.host !== "string" || typeof o.port !== "number" || typeof o.database !== "string") throw bad();
    return { user: o.user, password: o.password, host: o.host, port: o.port, database: o.database };
  }
  let u: URL;
  try {
    u = new URL(value);
  } catch (_e) {
    throw bad();
  }
  if (!/^postgres(ql)?:$/.test(u.protocol) || !u.username || !u.password) throw bad();
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || "postgres",
  };
}
