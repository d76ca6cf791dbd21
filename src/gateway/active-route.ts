/**
 * A route ready to serve: its key (in memory only, following rotation: route-key.ts), its
 * handle, its policy counters, its keep-alive agent (with the route's own CA when `caCert` is
 * set, never NODE_EXTRA_CA_CERTS) and the forms of the key that are removed from replies.
 */
import * as http from "node:http";
import * as https from "node:https";
import { readFileSync } from "node:fs";
import type { Transform } from "node:stream";
import { HushError } from "../errors.js";
import { createHandle, handleCheck, type HandleCheck } from "./handles.js";
import { createPolicyState, type RoutePolicyState } from "./policy.js";
import { createRouteKey, type KeyRefresh, type RouteKey } from "./route-key.js";
import type { PlannedRoute } from "./routes.js";
import { DEFAULT_MAX_REQUEST_BYTES } from "./types.js";

/** A route with its key, handle and transport. Holds the key: never log or serialise it. */
export interface ActiveRoute {
  plan: PlannedRoute;
  handle: string;
  check: HandleCheck;
  policy: RoutePolicyState;
  upstream: URL;
  transport: typeof http | typeof https;
  agent: http.Agent;
  /** The key, read again after a change (see route-key.ts). */
  key: RouteKey;
  /** The header that carries the current key upstream, and its value. */
  readonly auth: [string, string];
  /** Every form of the key (and of recent old keys) a reply could echo, by a label (`openai_api_key`, `openai_api_key.base64`, `openai_api_key.previous`). */
  readonly keyForms: Map<string, string>;
  /** A new stream that removes every form of the key (compiled once per set of keys). */
  newRedactor(): Transform;
}

/**
 * Makes a route active with its key; with `refresh`, the key follows changes of its secret.
 * Throws CONFIG_INVALID for an upstream it will not use, READ_FAILED for an unreadable CA file.
 */
export function activateRoute(plan: PlannedRoute, key: string, refresh?: KeyRefresh): ActiveRoute {
  const upstream = checkedUpstream(plan);
  const handle = createHandle();
  const secure = upstream.protocol === "https:";
  const ca = plan.caCert ? readCa(plan) : undefined;
  const agent = secure ? new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new http.Agent({ keepAlive: true });
  const routeKey = createRouteKey(plan, key, refresh);
  return {
    plan,
    handle,
    check: handleCheck(handle),
    policy: createPolicyState(plan, DEFAULT_MAX_REQUEST_BYTES),
    upstream,
    transport: secure ? https : http,
    agent,
    key: routeKey,
    get auth() {
      return routeKey.auth;
    },
    get keyForms() {
      return routeKey.forms;
    },
    newRedactor: () => routeKey.newRedactor(),
  };
}

/** True for a loopback host name or address. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

// --- internal ---

function checkedUpstream(plan: PlannedRoute): URL {
  let url: URL;
  try {
    url = new URL(plan.upstream);
  } catch (_e) {
    throw new HushError("CONFIG_INVALID", `The gateway route "${plan.name}" has no valid upstream URL.`);
  }
  const ok = (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) && !url.username && !url.password && !url.search && !url.hash;
  if (!ok) throw new HushError("CONFIG_INVALID", `The gateway route "${plan.name}" needs an https:// upstream without credentials or query (http:// only on loopback).`);
  return url;
}

function readCa(plan: PlannedRoute): Buffer {
  try {
    return readFileSync(plan.caCert!);
  } catch (e) {
    throw new HushError("READ_FAILED", `The CA file of gateway route "${plan.name}" (${plan.caCert}) cannot be read.`, { cause: e });
  }
}
