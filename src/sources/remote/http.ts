/**
 * The narrow HTTP client of hush's HTTP-API sources (Vault first): JSON over node:http/node:https,
 * a per-attempt timeout, a bound on reply size, keep-alive sockets, and the shared retries.
 *
 * Why not `fetch`: a custom CA (`caCert`) must reach this client alone, never the whole process
 * (NODE_EXTRA_CA_CERTS would trust it for every connection), and Node's global `fetch` takes a CA
 * only through an undici Agent, which Node does not expose as a module. node:https takes `ca` per
 * agent. Why not a library: no official Vault SDK exists for Node, and this is one request
 * function with retries, which the toolkit already has.
 *
 * @example
 * const http = createHttpClient({ baseUrl: "https://vault:8200", source: "vault", ca });
 * const reply = await http.request({ method: "GET", path: "/v1/secret/data/app", where: { source: "vault", operation: "read" } });
 */
import type { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from "node:http";
import type { HushError } from "../../errors.js";
import { connectionError, errorForStatus, malformedReply, withAttemptLog, type RemoteWhere } from "./errors.js";
import { parseRetryAfter, withRetries, type RetryAttempt, type RetryDecision, type RetryOptions } from "./retry.js";

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** `http(s)://host:port`, without a trailing path. */
  baseUrl: string;
  /** PEM text of the CA certificates to trust for this client only. @default the system's */
  ca?: string | Buffer;
  /** Per-attempt timeout, in ms. @default 10000 */
  timeoutMs?: number;
  /** Largest reply body accepted, in bytes. @default 8 MiB */
  maxBodyBytes?: number;
  /** Most sockets open at once (the concurrency bound of batch reads). @default 16 */
  maxSockets?: number;
  /** Retry settings (attempts, delays, Retry-After cap); `operation` and `retryOn` are set per request. */
  retry?: Omit<Partial<RetryOptions<HttpReply>>, "operation" | "retryOn">;
  /** Receives each attempt, for `--debug`. Never values. */
  onAttempt?(attempt: RetryAttempt): void;
  /** After a request ran out of retries, how long later requests make a single attempt. @default 5000 */
  outageCooldownMs?: number;
}

/** One request. */
export interface HttpRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Where, for errors and the attempt log (never a value). */
  where: RemoteWhere;
  /** False for writes that must not run twice: retried only when nothing reached the backend (429, 503, refused). @default true */
  idempotent?: boolean;
}

/** A reply, after retries: any status (the caller maps it; see ./errors.ts). */
export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Every attempt made for this reply (for `--debug`, through {@link replyError}). */
  attempts: readonly RetryAttempt[];
}

/** See the module comment. */
export interface HttpClient {
  /** Sends `req` with retries. Throws SOURCE_UNAVAILABLE when the backend cannot be reached or times out. */
  request(req: HttpRequest): Promise<HttpReply>;
  /** Closes idle sockets. Idempotent. */
  close(): void;
}

/** Makes a client for `options.baseUrl`. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const https = base.protocol === "https:";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
  // node:http(s) load on the first request, not when the module loads: the bundles of `hush run`
  // inline this module, and node:https (with tls) costs start-up time to projects without Vault.
  let transport: Promise<{ agent: HttpAgent; send: typeof httpRequest }> | undefined;
  let closed = false;
  let failingUntil = 0;
  const cooldown = options.outageCooldownMs ?? 5000;
  const load = () =>
    (transport ??= (https ? import("node:https") : import("node:http")).then((m) => ({
      agent: https ? new (m as typeof import("node:https")).Agent({ ...agentOptions, ...(options.ca !== undefined ? { ca: options.ca } : {}) }) : new m.Agent(agentOptions),
      send: m.request as typeof httpRequest,
    })));

  async function once(req: HttpRequest): Promise<HttpReply> {
    const { agent, send } = await load();
    return new Promise((resolve, reject) => {
      const body = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json), "utf8");
      const headers: Record<string, string | number> = { accept: "application/json", ...req.headers };
      if (body) Object.assign(headers, { "content-type": "application/json", "content-length": body.length });
      const r = send({ protocol: base.protocol, hostname: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBody) res.destroy(Object.assign(new Error("reply too large"), { code: "EREPLYTOOLARGE" }));
          else chunks.push(c);
        });
        res.on("error", reject);
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), attempts: [] }));
      });
      r.on("timeout", () => r.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      r.on("error", reject);
      r.end(body);
    });
  }

  return {
    async request(req) {
      const attempts: RetryAttempt[] = [];
      // While the backend is failing (its last request ran out of retries less than `outageCooldownMs`
      // ago), each request makes one attempt: 50 names during an outage cost 50 attempts, not 200.
      const failing = Date.now() < failingUntil;
      const operation = `${req.method} ${req.path.split("?")[0] ?? req.path}${failing ? " (backend failing: one attempt)" : ""}`;
      const onAttempt = (a: RetryAttempt) => {
        attempts.push(a);
        options.onAttempt?.(a);
      };
      const retry = { ...options.retry, ...(failing ? { attempts: 1 } : {}) };
      try {
        const reply = await withRetries(() => once(req), { ...retry, operation, onAttempt, retryOn: (o) => retryHttp(o, req.idempotent !== false) });
        failingUntil = retryHttp({ value: reply }) ? Date.now() + cooldown : 0;
        return { ...reply, attempts };
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === "EREPLYTOOLARGE") throw withAttemptLog(malformedReply(req.where, `larger than ${maxBody} bytes`), attempts);
        failingUntil = Date.now() + cooldown;
        throw withAttemptLog(connectionError(e, req.where, timeoutMs), attempts);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      void transport?.then((t) => t.agent.destroy());
    },
  };
}

/** Parses a reply's body as JSON; a body that is not JSON is BAD_REPLY (the parser's message, which quotes input, is dropped). */
export function replyJson(reply: HttpReply, where: RemoteWhere): unknown {
  if (reply.body.length === 0) return undefined;
  try {
    return JSON.parse(reply.body.toString("utf8")) as unknown;
  } catch {
    throw malformedReply(where, `not JSON, HTTP ${reply.status}`);
  }
}

/**
 * The error for a reply's status (see ./errors.ts), with the attempts made; undefined for 2xx and 404.
 * `detail` is the backend's own error text when it is safe to show (Vault's `errors` never hold values).
 */
export function replyError(reply: HttpReply, where: RemoteWhere, detail?: string): HushError | undefined {
  const e = errorForStatus(reply.status, where, detail);
  return e && withAttemptLog(e, reply.attempts);
}

/** The retry rule for HTTP: 429 (with Retry-After), 5xx but 501, and connection failures; writes only when nothing reached the backend. */
export function retryHttp(outcome: { value: HttpReply } | { error: unknown }, idempotent = true): RetryDecision | undefined {
  if ("value" in outcome) {
    const { status, headers } = outcome.value;
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfter(headers["retry-after"]);
      return { reason: String(status), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (idempotent && status >= 500 && status !== 501) return { reason: String(status) };
    return undefined;
  }
  const code = (outcome.error as { code?: unknown } | undefined)?.code;
  if (code === "ECONNREFUSED") return { reason: code };
  if (idempotent && typeof code === "string" && RETRIED_CODES.has(code)) return { reason: code === "ETIMEDOUT" ? "timeout" : code };
  return undefined;
}

// --- internal ---

const RETRIED_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);
