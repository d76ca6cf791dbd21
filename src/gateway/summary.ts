/** A route as `hush gateway routes`, `list_credentials` and `--json` show it: no key, no handle. */
import type { ActiveRoute } from "./active-route.js";
import type { GatewayRouteSummary, RoutePolicy } from "./types.js";

/** The summary of an active route. */
export function summarizeRoute(route: ActiveRoute, url: string | undefined, revoked: boolean): GatewayRouteSummary {
  const p = route.plan;
  const policy: RoutePolicy = {};
  if (p.allow) policy.allow = [...p.allow];
  if (p.rateLimit) policy.rateLimit = { ...p.rateLimit };
  policy.maxRequestBytes = route.policy.maxRequestBytes;
  if (p.maxRequests !== undefined) policy.maxRequests = p.maxRequests;
  if (p.maxTokens !== undefined) policy.maxTokens = p.maxTokens;
  if (p.maxSpend !== undefined) policy.maxSpend = { usd: p.maxSpend.usd, prices: Object.fromEntries(Object.entries(p.maxSpend.prices).map(([m, price]) => [m, { ...price }])) };
  const usage = route.policy.usage?.usage();
  return { name: p.name, upstream: route.upstream.href.replace(/\/$/, ""), secret: p.secret, auth: p.auth.kind, policy, ...(url ? { url } : {}), revoked, builtIn: p.builtIn, ...(usage ? { usage } : {}) };
}
