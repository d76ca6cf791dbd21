/**
 * The narrow Vault client of the `vault` source: the KV v2 calls it makes, over the remote
 * toolkit's HTTP client (retries, timeouts, one CA for this client alone). There is no official
 * Vault SDK for Node, and the community ones wrap the same HTTP calls without the retries and
 * error mapping hush needs, so Vault's HTTP API is the interface (developer.hashicorp.com/vault/api-docs).
 *
 * Every request carries `X-Vault-Token` and, when set, `X-Vault-Namespace`. A 403 is checked with
 * `lookup-self`: when the token itself is no longer valid, a source that can log in does so and
 * sends the request once more; otherwise it is ACCESS_DENIED, saying whether the token or the
 * policy refused.
 */
import { HushError } from "../../errors.js";
import { malformedReply, remoteError, type RemoteWhere } from "../remote/errors.js";
import { createHttpClient, replyError, replyJson, type HttpClientOptions, type HttpReply } from "../remote/http.js";
import { createVaultAuth, type LoginReply, type VaultAuth, type VaultAuthOptions } from "./auth.js";

/** Options of {@link createVaultClient}. */
export interface VaultClientOptions {
  /** `https://vault:8200` */
  address: string;
  namespace?: string;
  auth: VaultAuthOptions;
  /** PEM text of the CA to trust, for this client only. */
  ca?: string;
  timeoutMs: number;
  /** Most requests at once (the bound of batch reads). */
  maxSockets: number;
  /** The source's name, for messages. */
  source: string;
  env: NodeJS.ProcessEnv;
  retry?: HttpClientOptions["retry"];
  onAttempt?: HttpClientOptions["onAttempt"];
  /** The clock that ages login tokens (renewal at two thirds of the lease), for tests. @default Date.now */
  now?: () => number;
}

/** One request to Vault's API. */
export interface VaultRequest {
  method: "GET" | "POST" | "DELETE";
  /** After `/v1/`: `secret/data/apps/llm?version=2` (segments already encoded). */
  path: string;
  json?: unknown;
  where: RemoteWhere;
  /** @default true */
  idempotent?: boolean;
}

/** See the module comment. */
export interface VaultClient {
  readonly auth: VaultAuth;
  /** Sends a request; the reply's status is the caller's to map, except a 403 from an expired token (logged in again) or a denial (thrown). */
  send(req: VaultRequest): Promise<HttpReply>;
  /** `send`, then: 2xx → its JSON (undefined when empty), 404 → `notFound(json)`, anything else → its typed error. */
  sendJson<T>(req: VaultRequest, notFound?: (json: unknown) => T): Promise<unknown>;
  close(): void;
}

/** Makes the client. */
export function createVaultClient(options: VaultClientOptions): VaultClient {
  const http = createHttpClient({ baseUrl: options.address, timeoutMs: options.timeoutMs, maxSockets: options.maxSockets, ...(options.ca !== undefined ? { ca: options.ca } : {}), ...(options.retry ? { retry: options.retry } : {}), ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}) });
  const raw = (req: VaultRequest, token: string | undefined): Promise<HttpReply> => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers["x-vault-token"] = token;
    if (options.namespace) headers["x-vault-namespace"] = options.namespace;
    return http.request({ method: req.method, path: `/v1/${req.path}`, headers, where: req.where, ...(req.json !== undefined ? { json: req.json } : {}), ...(req.idempotent === false ? { idempotent: false } : {}) });
  };
  const authCall = async (path: string, body: unknown, token?: string): Promise<LoginReply> => {
    const where = { source: options.source, operation: path.endsWith("renew-self") ? "token renewal" : "login", path: `auth/${path.split("/")[1] ?? ""}` };
    // Retried like a read: a login or renewal sent twice only makes a second token, which expires unused.
    const reply = await raw({ method: "POST", path, json: body, where }, token);
    // A refused login is a denial, whatever status this Vault uses for it (400 for a bad secret_id).
    if (reply.status === 400) throw remoteError("ACCESS_DENIED", `${options.source}: ${where.operation} at ${where.path} was refused (HTTP 400${vaultErrors(reply)}).`, where);
    const failed = replyError(reply, where, vaultErrors(reply).slice(2) || undefined);
    if (failed || reply.status === 404) throw failed ?? remoteError("CONFIG_INVALID", `${options.source}: no auth method at ${where.path} (HTTP 404); check auth.mount.`, where);
    const auth = (replyJson(reply, where) as { auth?: Partial<LoginReply> } | undefined)?.auth;
    if (typeof auth?.client_token !== "string" || typeof auth.lease_duration !== "number") throw malformedReply(where, "no auth.client_token");
    return { client_token: auth.client_token, lease_duration: auth.lease_duration, renewable: auth.renewable === true };
  };
  const auth = createVaultAuth(options.auth, { env: options.env, source: options.source, ...(options.now ? { now: options.now } : {}) }, authCall);

  /** After a 403: is the token itself still valid? */
  const tokenValid = async (token: string, where: RemoteWhere): Promise<boolean> => (await raw({ method: "GET", path: "auth/token/lookup-self", where: { ...where, operation: "token lookup" } }, token)).status !== 403;

  const client: VaultClient = {
    auth,
    async send(req) {
      const token = await auth.token();
      const reply = await raw(req, token);
      if (reply.status !== 403) return reply;
      if (await tokenValid(token, req.where)) throw denied(req.where, "the policy of the token does not allow it");
      if (!auth.canLogin) throw denied(req.where, `the token from ${auth.origin} is invalid or expired`, "Renew or replace the token (`vault login`), or use auth.method approle or kubernetes so hush logs in itself.");
      const again = await raw(req, await auth.relogin());
      if (again.status === 403) throw denied(req.where, "the policy of the token does not allow it");
      return again;
    },
    async sendJson(req, notFound) {
      return interpretReply(await client.send(req), req.where, notFound);
    },
    close: () => http.close(),
  };
  return client;
}

/** A reply's JSON: 2xx → its body (undefined when empty), 404 → `notFound(body)`, anything else → its typed error. */
export function interpretReply<T>(reply: HttpReply, where: RemoteWhere, notFound?: (json: unknown) => T): unknown {
  if (reply.status === 404) return notFound?.(reply.body.length > 0 ? replyJson(reply, where) : undefined);
  const failed = replyError(reply, where, vaultErrors(reply).slice(2) || undefined);
  if (failed) throw failed;
  return replyJson(reply, where);
}

/** A key path with each segment encoded: `apps/my key` → `apps/my%20key`. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

// --- internal ---

function denied(where: RemoteWhere, why: string, hint?: string): HushError {
  return remoteError("ACCESS_DENIED", `${where.source}: ${where.operation}${where.path !== undefined ? ` of ${where.path}` : ""} was denied (HTTP 403): ${why}.`, where, hint ? { hint } : {});
}

/** `: permission denied` from Vault's `{"errors": [...]}`, short; empty when there are none. Vault's errors name paths and reasons, never values. */
function vaultErrors(reply: HttpReply): string {
  try {
    const errors = (JSON.parse(reply.body.toString("utf8")) as { errors?: unknown }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return "";
    const text = errors.filter((e): e is string => typeof e === "string").join("; ").replace(/\s+/g, " ");
    return text ? `: ${text.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}
