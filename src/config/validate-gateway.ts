/**
 * `gateway:` of hush.yaml (docs/gateway.md): `routes`, each with `name`, `upstream`, `secret`,
 * `auth` (`bearer`, `basic`, `{ header: X-Api-Key }` or `header: X-Api-Key` as one string,
 * `{ basic: { username: u } }`), `allow`, `rateLimit` (`60/min`), `maxRequestBytes`,
 * `maxRequests`, `maxTokens`, `maxSpend` (validate-spend.ts), `caCert` (relative to hush.yaml's folder, resolved when the gateway starts), `keyVariable`, `baseUrlVariable`,
 * `basePath`. Checked offline; problems name the path, never a value.
 */
import { PROVIDERS } from "../adapters/registry.js";
import { isValidName } from "../names.js";
import { ALLOW_ENTRY, parseRateLimit } from "../gateway/policy.js";
import type { GatewayConfig, GatewayRouteConfig } from "../gateway/config-types.js";
import type { RouteAuth } from "../gateway/types.js";
import { isMapping, isPath, kindOf, option, parseOptions, type AddProblem, type ConfigPath, type OptionField } from "./options-schema.js";
import { checkKeys, tokenShaped } from "./validate-text.js";
import { MAX_SPEND_FIELD } from "./validate-spend.js";

const ROUTE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const VARIABLE = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** The options of one route, as the schema checks them. */
const ROUTE_SCHEMA = {
  name: custom<string>("route name", (v) => (typeof v === "string" && ROUTE_NAME.test(v) ? v : undefined), "expected a route name: lower-case letters, digits, '_' or '-', at most 64 characters."),
  upstream: custom<string>("URL", checkUpstream, "expected https://host[:port][/path] without credentials, query or fragment (http:// only for localhost or 127.0.0.1)."),
  secret: custom<string>("secret name", (v) => (typeof v === "string" && isValidName(v) && !tokenShaped(v) ? v.toLowerCase() : undefined), "expected a secret name (letters, digits, '_', '.', '-')."),
  auth: custom<RouteAuth>("auth", checkAuth, "expected bearer, basic, `header: <Header-Name>` or `{ basic: { username: <name> } }`."),
  allow: option.strings({ description: "METHOD /path-glob entries", pattern: ALLOW_ENTRY }),
  rateLimit: custom<{ count: number; perMs: number }>("rate", (v) => (typeof v === "string" ? parseRateLimit(v) : undefined), "expected a rate such as 60/min, 10/s, 1000/h or 5000/day."),
  maxRequestBytes: option.integer({ min: 0, max: 1024 * 1024 * 1024, description: "largest request body" }),
  maxRequests: option.integer({ min: 1, max: 1_000_000_000, description: "requests per run" }),
  maxTokens: option.integer({ min: 1, max: Number.MAX_SAFE_INTEGER, description: "input + output tokens per run" }),
  maxSpend: MAX_SPEND_FIELD,
  caCert: option.path({ description: "PEM file of CAs trusted for this route alone" }),
  keyVariable: custom<string>("variable", (v) => (typeof v === "string" && VARIABLE.test(v) ? v : undefined), "expected an environment variable name (upper case)."),
  baseUrlVariable: custom<string>("variable", (v) => (typeof v === "string" && VARIABLE.test(v) ? v : undefined), "expected an environment variable name (upper case)."),
  basePath: custom<string>("path", (v) => (typeof v === "string" && (v === "" || /^\/[A-Za-z0-9._~/-]*$/.test(v)) ? v.replace(/\/$/, "") : undefined), "expected \"\" or a path such as /v1."),
};

/** Checks `gateway:`. */
export function checkGateway(raw: unknown, add: AddProblem): GatewayConfig | undefined {
  if (!isMapping(raw)) {
    add(["gateway"], `expected a mapping with \`routes:\`, got ${kindOf(raw)}.`);
    return undefined;
  }
  checkKeys(raw, ["gateway"], ["routes"], add);
  if (raw.routes === undefined) return { routes: [] };
  if (!Array.isArray(raw.routes)) {
    add(["gateway", "routes"], `expected a list of routes, got ${kindOf(raw.routes)}.`);
    return undefined;
  }
  const routes: GatewayRouteConfig[] = [];
  const seen = new Set<string>();
  raw.routes.forEach((entry: unknown, i) => {
    const at: ConfigPath = ["gateway", "routes", i];
    if (!isMapping(entry)) return add(at, `expected a mapping (name, upstream, secret, auth, ...), got ${kindOf(entry)}.`);
    const route = parseOptions(ROUTE_SCHEMA, entry, at, add) as GatewayRouteConfig;
    if (typeof route.name !== "string") return void (entry.name === undefined && add([...at, "name"], "missing; the route's name is its path prefix (`/<name>/`)."));
    if (seen.has(route.name)) add([...at, "name"], `"${route.name}" is already a route above.`);
    seen.add(route.name);
    const builtIn = PROVIDERS.some((p) => p.gateway && p.id === route.name);
    if (!builtIn) {
      if (entry.upstream === undefined) add([...at, "upstream"], "missing; a route that is not a built-in provider needs its upstream URL.");
      if (entry.secret === undefined) add([...at, "secret"], "missing; name the secret that holds the key.");
    }
    routes.push(route);
  });
  return { routes };
}

// --- internal ---

function custom<T>(docType: string, parse: (v: unknown) => T | undefined, problem: string): OptionField<T, false> {
  return {
    docType,
    description: docType,
    check(value, path, add) {
      const out = parse(value);
      if (out === undefined) add(path, problem);
      return out;
    },
  };
}

function checkUpstream(v: unknown): string | undefined {
  if (!isPath(v)) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch (_e) {
    return undefined;
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (!(url.protocol === "https:" || (url.protocol === "http:" && loopback))) return undefined;
  if (url.username || url.password || url.search || url.hash || v.includes("?") || v.includes("#")) return undefined;
  return url.href.replace(/\/$/, "");
}

function checkAuth(v: unknown): RouteAuth | undefined {
  if (v === "bearer") return { kind: "bearer" };
  if (v === "basic") return { kind: "basic" };
  if (typeof v === "string") {
    const m = /^header\s*:\s*([A-Za-z0-9-]{1,64})$/.exec(v.trim());
    return m ? { kind: "header", header: m[1]! } : undefined;
  }
  if (!isMapping(v) || Object.keys(v).length !== 1) return undefined;
  if (typeof v.header === "string" && /^[A-Za-z0-9-]{1,64}$/.test(v.header)) return { kind: "header", header: v.header };
  if (isMapping(v.basic) && Object.keys(v.basic).every((k) => k === "username") && typeof v.basic.username === "string" && /^[^:\s]{1,128}$/.test(v.basic.username)) {
    return { kind: "basic", username: v.basic.username };
  }
  return undefined;
}
