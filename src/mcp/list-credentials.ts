/**
 * `list_credentials`: the routes an agent may call, with the name of the secret behind each,
 * its upstream, how the key is sent and the route's policy, with the tokens (and spend) used so
 * far in this run on a route with a token or spend cap. Fields are copied one by one from
 * the gateway's summaries, so nothing a summary may gain later (a handle) reaches the agent.
 */
import type { Gateway, GatewayRouteSummary, RouteUsage } from "../gateway/types.js";
import type { ToolResult } from "./tool-result.js";

/** One route as `list_credentials` gives it: names and policy, never a value or a handle. */
export interface CredentialListing {
  route: string;
  secret: string;
  upstream: string;
  auth: string;
  /** `METHOD /path-glob` entries; absent: every method and path. */
  allow?: string[];
  rateLimit?: { count: number; perMs: number };
  maxRequestBytes?: number;
  maxRequests?: number;
  /** Input + output tokens allowed in this run. */
  maxTokens?: number;
  /** US dollars allowed in this run (at the prices in hush.yaml). */
  maxSpendUsd?: number;
  /** What this run used so far, on a route with `maxTokens` or `maxSpendUsd`. */
  usage?: RouteUsage;
  revoked: boolean;
  builtIn: boolean;
}

/** The routes of `gateway` (only those in `only`, when given) as `list_credentials` returns them. */
export function listCredentials(gateway: Pick<Gateway, "routes">, only?: readonly string[]): ToolResult {
  const routes = exposedRoutes(gateway, only).map(toListing);
  const lines = routes.length === 0
    ? ["No routes: declare them in hush.yaml under gateway.routes, or set a provider's key (hush set openai_api_key)."]
    : [`${routes.length} route${routes.length === 1 ? "" : "s"}; call one with http_request { route, method, path }. hush adds the key: never send one.`, ...routes.map(describe)];
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: { routes } };
}

/** The summaries of the routes this server exposes: all, or those named in `only`. */
export function exposedRoutes(gateway: Pick<Gateway, "routes">, only?: readonly string[]): GatewayRouteSummary[] {
  const all = gateway.routes();
  return only ? all.filter((r) => only.includes(r.name)) : all;
}

// --- internal ---

function toListing(r: GatewayRouteSummary): CredentialListing {
  const p = r.policy;
  return {
    route: r.name,
    secret: r.secret,
    upstream: r.upstream,
    auth: r.auth,
    ...(p.allow ? { allow: [...p.allow] } : {}),
    ...(p.rateLimit ? { rateLimit: { count: p.rateLimit.count, perMs: p.rateLimit.perMs } } : {}),
    ...(p.maxRequestBytes !== undefined ? { maxRequestBytes: p.maxRequestBytes } : {}),
    ...(p.maxRequests !== undefined ? { maxRequests: p.maxRequests } : {}),
    ...(p.maxTokens !== undefined ? { maxTokens: p.maxTokens } : {}),
    ...(p.maxSpend !== undefined ? { maxSpendUsd: p.maxSpend.usd } : {}),
    ...(r.usage ? { usage: { ...r.usage } } : {}),
    revoked: r.revoked,
    builtIn: r.builtIn,
  };
}

function describe(r: CredentialListing): string {
  const parts = [`${r.upstream}`, `key ${r.secret} (${r.auth})`];
  parts.push(r.allow ? `allow ${r.allow.join(", ")}` : "every method and path");
  if (r.rateLimit) parts.push(`at most ${r.rateLimit.count} requests per ${formatMs(r.rateLimit.perMs)}`);
  if (r.maxRequests !== undefined) parts.push(`at most ${r.maxRequests} requests in this run`);
  if (r.maxRequestBytes !== undefined) parts.push(`request bodies up to ${r.maxRequestBytes} bytes`);
  if (r.usage) parts.push(describeUsage(r, r.usage));
  return `- ${r.route}${r.revoked ? " (REVOKED: every request is refused)" : ""}: ${parts.join("; ")}`;
}

function describeUsage(r: CredentialListing, u: RouteUsage): string {
  const tokens = u.inputTokens + u.outputTokens;
  const caps = [r.maxTokens !== undefined ? `${r.maxTokens} tokens` : "", r.maxSpendUsd !== undefined ? `$${r.maxSpendUsd}` : ""].filter(Boolean).join(" and ");
  const spent = u.spendUsd !== undefined ? ` ($${u.spendUsd.toFixed(4)})` : "";
  const unknown = u.usageUnknown ? "; a reply's usage could not be read: the route refuses further requests" : "";
  return `at most ${caps} in this run, used so far ${tokens} tokens (${u.inputTokens} in, ${u.outputTokens} out)${spent}${unknown}`;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? "hour" : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? "minute" : `${ms / 60_000} minutes`;
  if (ms % 1000 === 0) return ms === 1000 ? "second" : `${ms / 1000} seconds`;
  return `${ms} ms`;
}
