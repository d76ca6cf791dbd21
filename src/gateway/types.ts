/**
 * The gateway's contract (issue 18): an agent uses a key without holding it. The gateway
 * listens on 127.0.0.1 (or a Unix socket), takes a per-run **handle** in place of the key,
 * checks the route's policy, swaps in the real key, forwards over verified TLS, streams the
 * reply back with the key removed, and audits one record per request. `hush mcp` drives the
 * same engine through {@link Gateway.call}, with no listener.
 *
 * Nothing here carries a secret value: summaries name secrets, never hold them.
 */

/** How the real key is put on the upstream request. */
export type RouteAuth =
  | { kind: "bearer" }
  /** The key as the whole value of this header (`x-api-key` for Anthropic). */
  | { kind: "header"; header: string }
  /** HTTP Basic: the key is the password; `username` defaults to the key alone (Stripe style: `key:`). */
  | { kind: "basic"; username?: string };

/** What a route lets through. Absent fields: no limit (request size: {@link DEFAULT_MAX_REQUEST_BYTES}). */
export interface RoutePolicy {
  /** `METHOD /path-glob` entries (`GET /v1/charges*`, `* /v1/chat/*`); absent: every method and path. */
  allow?: string[];
  /** At most `count` requests per `perMs` milliseconds (hush.yaml: `60/min`). */
  rateLimit?: { count: number; perMs: number };
  /** Largest request body in bytes; larger is refused with 413 before anything is forwarded. */
  maxRequestBytes?: number;
  /** At most this many requests in one run (one gateway's life); then 429. */
  maxRequests?: number;
  /** At most this many tokens (input + output, as the provider's replies report them) in one run; then 429 `token-cap`. */
  maxTokens?: number;
  /** At most this many US dollars in one run, at the user's own prices; then 429 `spend-cap` (usage-account.ts). */
  maxSpend?: SpendCap;
}

/** `maxSpend`: the cap and the prices it is counted at. hush ships no price table (prices change). */
export interface SpendCap {
  usd: number;
  /** By model name or glob (`gpt-4o*`): US dollars per million input and output tokens. */
  prices: Record<string, ModelPrice>;
}

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** What a route with `maxTokens` or `maxSpend` has used so far in this run. Numbers only. */
export interface RouteUsage {
  inputTokens: number;
  outputTokens: number;
  /** US dollars at the route's prices (only with `maxSpend`). */
  spendUsd?: number;
  /** Replies whose usage could not be read and were counted at an upper bound. */
  estimatedReplies: number;
  /** True once a reply's usage could not be read nor bounded: every further request is refused. */
  usageUnknown: boolean;
}

/** Default largest request body: 10 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** One route: a path prefix (`/<name>/`) of the gateway mapped to an upstream and a secret. */
export interface GatewayRoute extends RoutePolicy {
  /** Route name and path prefix; a built-in provider's id (`openai`) for the built-in routes. */
  name: string;
  /** `https://host[:port][/base-path]`; plain `http:` only for loopback hosts. */
  upstream: string;
  /** Canonical name of the secret that holds the key. */
  secret: string;
  auth: RouteAuth;
  /** A PEM file of CAs trusted for this route alone (never through NODE_EXTRA_CA_CERTS). */
  caCert?: string;
  /** Env var in which a child gets the handle (`OPENAI_API_KEY`). */
  keyVariable?: string;
  /** Env var in which a child gets the route's base URL (`OPENAI_BASE_URL`). */
  baseUrlVariable?: string;
  /** Suffix the SDK expects after the base URL (`/v1` for OpenAI's SDK); added to the base URL given to a child. */
  baseUrlPath?: string;
  /** True for a route from the provider registry, false for one from hush.yaml. */
  builtIn: boolean;
}

/** A route as `hush gateway routes`, `list_credentials` and `--json` show it: never a key or a handle. */
export interface GatewayRouteSummary {
  name: string;
  upstream: string;
  secret: string;
  auth: RouteAuth["kind"];
  policy: RoutePolicy;
  /** The gateway URL of this route (`http://127.0.0.1:PORT/openai`), when the gateway listens. */
  url?: string;
  /** True after `hush gateway revoke ROUTE`: every request is refused. */
  revoked: boolean;
  builtIn: boolean;
  /** Tokens (and spend) so far in this run, on a route with `maxTokens` or `maxSpend`. */
  usage?: RouteUsage;
}

/** A request made through {@link Gateway.call} (the MCP server's `http_request`). */
export interface GatewayCallRequest {
  route: string;
  method: string;
  /** Path below the route's upstream, with an optional query (`/v1/models?limit=2`). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** The reply of {@link Gateway.call}, with the key removed from headers and body. */
export interface GatewayCallResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** True when the body was cut at the call's size limit. */
  truncated: boolean;
}

/** A running gateway. */
export interface Gateway {
  /** `http://127.0.0.1:PORT` or `unix:/path/to.sock`; undefined when it does not listen (MCP). */
  readonly url: string | undefined;
  /** Identifies this run in audit records (random, not secret). */
  readonly runId: string;
  routes(): GatewayRouteSummary[];
  /** Env vars for a child: each route's handle in its key variable and base URL in its base-URL variable. */
  childEnvironment(): Record<string, string>;
  /**
   * What an SDK in this process needs to use an active route: its handle and its base URL (with
   * the SDK's path suffix, `/v1` for OpenAI; undefined on a Unix socket). Undefined for a name that
   * is no active route. `adapterConfig(provider, { gateway })` uses it.
   */
  clientSettings(route: string): { handle: string; baseUrl: string | undefined } | undefined;
  /** One request under the route's policy, audited as a gateway request (`via: "mcp"`). */
  call(request: GatewayCallRequest): Promise<GatewayCallResponse>;
  /** Refuses every further request on the route, at once. */
  revoke(route: string): void;
  close(): Promise<void>;
}
