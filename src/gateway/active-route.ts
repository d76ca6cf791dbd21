/**
 * A route ready to serve: its key (in memory only), its handle, its policy counters, its
 * keep-alive agent (with the route's own CA when `caCert` is set, never NODE_EXTRA_CA_CERTS) and
 * the forms of the key that are removed from replies.
 */
import * as http from "node:http";
import * as https from "node:https";
import { readFileSync } from "node:fs";
import type { Transform } from "node:stream";
import { HushError } from "../errors.js";
import { redactStreamFactory } from "../scan/redact.js";
import { createHandle, handleCheck, type HandleCheck } from "./handles.js";
import { createPolicyState, type RoutePolicyState } from "./policy.js";
import { authHeader, type PlannedRoute } from "./routes.js";
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
  /** The header that carries the key upstream, and its value. */
  auth: [string, string];
  /** Every form of the key a reply could echo, by a label (`openai_api_key`, `openai_api_key.base64`). */
  keyForms: Map<string, string>;
  /** A new stream that removes every form of the key (compiled once per route). */
  newRedactor(): Transform;
}

/** Makes a route active with its key. Throws CONFIG_INVALID for an upstream it will not use, READ_FAILED for an unreadable CA file. */
export function activateRoute(plan: PlannedRoute, key: string): ActiveRoute {
  const upstream = checkedUpstream(plan);
  const handle = createHandle();
  const secure = upstream.protocol === "https:";
  const ca = plan.caCert ? readCa(plan) : undefined;
  const agent = secure ? new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new http.Agent({ keepAlive: true });
  const auth = authHeader(plan.auth, key);
  const forms = keyForms(plan.secret || plan.name, key, auth[1]);
  return {
    plan,
    handle,
    check: handleCheck(handle),
    policy: createPolicyState(plan, DEFAULT_MAX_REQUEST_BYTES),
    upstream,
    transport: secure ? https : http,
    agent,
    auth,
    keyForms: forms,
    newRedactor: redactStreamFactory(forms),
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

function keyForms(label: string, key: string, authValue: string): Map<string, string> {
  const forms = new Map<string, string>([[label, key]]);
  const b64 = Buffer.from(key, "utf8").toString("base64");
  forms.set(`${label}.base64`, b64);
  forms.set(`${label}.base64url`, Buffer.from(key, "utf8").toString("base64url"));
  // Unpadded base64 is a prefix of the padded form; basic auth's credentials are their own form.
  if (b64.endsWith("=")) forms.set(`${label}.base64-unpadded`, b64.replace(/=+$/, ""));
  if (authValue.startsWith("Basic ")) forms.set(`${label}.basic`, authValue.slice(6));
  return forms;
}
