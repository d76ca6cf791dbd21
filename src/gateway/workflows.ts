/**
 * What `hush gateway routes|revoke|unrevoke` do, without a running gateway: list the routes the
 * project would serve (names, upstreams, policies, whether the key is found and whether revoked;
 * never a key), and flip a route in the revocation file, which every running gateway of the
 * project reads on its next request.
 */
import { HushError } from "../errors.js";
import type { ProjectOptions } from "../workflows/project.js";
import { changeRevocation, readRevoked, revocationPath } from "./revocation.js";
import { planRoutes } from "./routes.js";
import { resolveRouteKeys } from "./route-keys.js";
import type { RoutePolicy } from "./types.js";

/** A route as `hush gateway routes` lists it. */
export interface GatewayRouteListing {
  name: string;
  upstream: string;
  /** The secret that holds (or would hold) the key. */
  secret: string;
  auth: "bearer" | "header" | "basic";
  policy: RoutePolicy;
  /** True when the key is found: the route is active in a gateway started now. */
  active: boolean;
  revoked: boolean;
  builtIn: boolean;
  /** Variables a child gets (handle, base URL). */
  keyVariables: string[];
  baseUrlVariables: string[];
}

/** Options of {@link listGatewayRoutes}. */
export type ListGatewayRoutesOptions = ProjectOptions;

/** Options of {@link revokeGatewayRoute}. */
export interface RevokeGatewayRouteOptions extends ProjectOptions {
  /** False: lift the revocation (`hush gateway unrevoke`). @default true */
  revoke?: boolean;
}

/** Every route of the project, active or not. Reads the keys to tell which are found (never returns them). */
export async function listGatewayRoutes(options: ListGatewayRoutesOptions = {}): Promise<GatewayRouteListing[]> {
  const { withProject } = await import("../workflows/project.js");
  return withProject(options, async ({ manager, loaded }) => {
    const plans = planRoutes(loaded.config.gateway?.routes);
    const found = new Set((await resolveRouteKeys(plans, manager, () => undefined)).map((k) => k.plan.name));
    const revoked = readRevoked(revocationPath(manager.secretsDir));
    return plans.map((p) => {
      const policy: RoutePolicy = {};
      for (const key of ["allow", "rateLimit", "maxRequestBytes", "maxRequests", "maxTokens", "maxSpend"] as const) if (p[key] !== undefined) (policy as Record<string, unknown>)[key] = p[key];
      return { name: p.name, upstream: p.upstream, secret: p.secret, auth: p.auth.kind, policy, active: found.has(p.name), revoked: revoked.has(p.name), builtIn: p.builtIn, keyVariables: p.keyVariables, baseUrlVariables: p.baseUrlVariables };
    });
  });
}

/**
 * Revokes (or, with `revoke: false`, restores) a route for every gateway of the project, at
 * once: running gateways refuse its next request with 403. Returns the revoked routes after the
 * change. Throws INVALID_ARGUMENT for a name that is no route of the project.
 */
export async function revokeGatewayRoute(route: string, options: RevokeGatewayRouteOptions = {}): Promise<string[]> {
  const { withProject } = await import("../workflows/project.js");
  return withProject(options, async ({ manager, loaded }) => {
    const plans = planRoutes(loaded.config.gateway?.routes);
    if (!plans.some((p) => p.name === route)) throw new HushError("INVALID_ARGUMENT", `No gateway route is named "${route.slice(0, 64)}"; \`hush gateway routes\` lists them.`);
    return changeRevocation(manager.secretsDir, route, options.revoke ?? true);
  });
}
