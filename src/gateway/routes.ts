/**
 * The gateway's routes: the built-in LLM routes, derived from the provider registry
 * (src/adapters/registry.ts, each entry's `gateway`), and hush.yaml's `gateway.routes`. A
 * configured route named after a provider (`openai`) overrides that provider's route field by
 * field (its upstream for a regional endpoint, a company proxy or a test server).
 */
import { envName } from "../names.js";
import { keyLookupNames } from "../adapters/lookup.js";
import { PROVIDERS, type ProviderEntry } from "../adapters/registry.js";
import type { GatewayRouteConfig } from "./config-types.js";
import type { GatewayRoute, RouteAuth } from "./types.js";

/** A route with everything a child needs: every variable its SDK may read the key or the base URL from. */
export interface PlannedRoute extends GatewayRoute {
  /** Variables that get the handle (each spelling the provider's key is looked up under). */
  keyVariables: string[];
  /** Variables that get the route's base URL (the SDK's own and hush's `<NAME>_BASE_URL`). */
  baseUrlVariables: string[];
  /** The registry entry, for a provider's route (its key is found by the provider's lookup order). */
  provider?: ProviderEntry;
  /** True when hush.yaml names the secret (then only that name is read). */
  explicitSecret: boolean;
}

/** The route of each registry provider that has a gateway entry. */
export function builtInRoutes(): PlannedRoute[] {
  return PROVIDERS.filter((p) => p.gateway).map((p) => {
    const g = p.gateway!;
    const keyVariables = unique(keyLookupNames(p).map(envName));
    const hushBase = p.settings.find((s) => s.field === "baseURL" || s.field === "serverURL")?.names.map(envName) ?? [];
    const baseUrlVariables = unique([...(g.sdkBaseUrlVariable ? [g.sdkBaseUrlVariable] : []), ...hushBase]);
    return {
      name: p.id,
      upstream: g.upstream,
      secret: `${p.name}_api_key`,
      auth: g.auth === "bearer" ? { kind: "bearer" } : { kind: "header", header: g.auth.header },
      keyVariable: keyVariables[0],
      baseUrlVariable: baseUrlVariables[0],
      baseUrlPath: g.basePath,
      builtIn: true,
      keyVariables,
      baseUrlVariables,
      provider: p,
      explicitSecret: false,
    };
  });
}

/**
 * Every route: the built-ins, each replaced field by field by a configured route of its name,
 * then the other configured routes. `only`: keep these names (an unknown one is left to the caller).
 */
export function planRoutes(configured: readonly GatewayRouteConfig[] = [], only?: readonly string[]): PlannedRoute[] {
  const byName = new Map(builtInRoutes().map((r) => [r.name, r]));
  for (const c of configured) {
    const base = byName.get(c.name);
    byName.set(c.name, base ? overrideRoute(base, c) : configuredRoute(c));
  }
  const all = [...byName.values()];
  return only ? all.filter((r) => only.includes(r.name)) : all;
}

/** How the real key goes on the upstream request, as header name and value. */
export function authHeader(auth: RouteAuth, key: string): [string, string] {
  if (auth.kind === "bearer") return ["authorization", `Bearer ${key}`];
  if (auth.kind === "header") return [auth.header.toLowerCase(), key];
  const pair = auth.username === undefined ? `${key}:` : `${auth.username}:${key}`;
  return ["authorization", `Basic ${Buffer.from(pair, "utf8").toString("base64")}`];
}

// --- internal ---

function overrideRoute(base: PlannedRoute, c: GatewayRouteConfig): PlannedRoute {
  const route: PlannedRoute = { ...base, builtIn: false, explicitSecret: c.secret !== undefined };
  if (c.upstream !== undefined) route.upstream = c.upstream;
  if (c.secret !== undefined) route.secret = c.secret;
  if (c.auth !== undefined) route.auth = c.auth;
  if (c.basePath !== undefined) route.baseUrlPath = c.basePath;
  if (c.keyVariable !== undefined) route.keyVariables = unique([c.keyVariable, ...base.keyVariables]);
  if (c.baseUrlVariable !== undefined) route.baseUrlVariables = unique([c.baseUrlVariable, ...base.baseUrlVariables]);
  route.keyVariable = route.keyVariables[0];
  route.baseUrlVariable = route.baseUrlVariables[0];
  return withPolicy(route, c);
}

function configuredRoute(c: GatewayRouteConfig): PlannedRoute {
  const keyVariable = c.keyVariable ?? envName(c.secret ?? c.name);
  const baseUrlVariable = c.baseUrlVariable ?? `${envName(c.name)}_BASE_URL`;
  const route: PlannedRoute = {
    name: c.name,
    upstream: c.upstream ?? "",
    secret: c.secret ?? "",
    auth: c.auth ?? { kind: "bearer" },
    keyVariable,
    baseUrlVariable,
    baseUrlPath: c.basePath ?? "",
    builtIn: false,
    keyVariables: [keyVariable],
    baseUrlVariables: [baseUrlVariable],
    explicitSecret: true,
  };
  return withPolicy(route, c);
}

function withPolicy(route: PlannedRoute, c: GatewayRouteConfig): PlannedRoute {
  for (const key of ["allow", "rateLimit", "maxRequestBytes", "maxRequests", "maxTokens", "maxSpend", "caCert"] as const) {
    if (c[key] !== undefined) (route as unknown as Record<string, unknown>)[key] = c[key];
  }
  return route;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
