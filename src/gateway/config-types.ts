/** hush.yaml's `gateway:` section once validated (src/config/validate-gateway.ts; docs/gateway.md). */
import type { RouteAuth, RoutePolicy } from "./types.js";

/** `gateway:` in hush.yaml. */
export interface GatewayConfig {
  routes: GatewayRouteConfig[];
}

/** One entry of `gateway.routes`. For a provider's name, every field but `name` is optional (it overrides the built-in route). */
export interface GatewayRouteConfig extends RoutePolicy {
  name: string;
  /** `https://host[:port][/path]`; `http:` only for loopback hosts. */
  upstream?: string;
  /** Canonical name of the secret holding the key. */
  secret?: string;
  auth?: RouteAuth;
  /** Resolved against the project folder when validated. */
  caCert?: string;
  /** Variable a child gets the handle in. @default the secret's variable name */
  keyVariable?: string;
  /** Variable a child gets the base URL in. @default `<ROUTE>_BASE_URL` */
  baseUrlVariable?: string;
  /** Path appended to the route's URL in the child's base-URL variable. @default "" */
  basePath?: string;
}
