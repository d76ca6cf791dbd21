/**
 * One access record per gateway request: route, method, path template, status, bytes in and
 * out, latency, the run and how it came (`http` or `mcp`), and on a route with a token or spend
 * cap the tokens the reply counted for (numbers only). The path is a template: no query
 * string, and segments that look like ids (numbers, UUIDs, long mixed tokens) become `:id`, so a
 * record never carries data a path or query may hold. Never a body, a header or a key.
 */
import { hostname, userInfo } from "node:os";
import type { AccessActor, AccessEvent, AccessOutcome, GatewayRequestDetail } from "../types.js";
import type { Charge } from "./usage-account.js";

/** What the engine knows at the end of a request. */
export interface GatewayRequestFacts {
  route: string;
  /** The secret the route uses: the record is filed under its (keyed) name. */
  secret: string;
  method: string;
  /** The path below the route as sent (the query is dropped here). */
  path: string;
  status: number;
  outcome: AccessOutcome;
  /** The refusal's code (`not-allowed`, `rate-limited`, ...), when refused or failed. */
  errorCode?: string;
  bytesIn: number;
  bytesOut: number;
  latencyMs: number;
  runId: string;
  via: "http" | "mcp";
  /** The tokens counted, on a route with a token or spend cap. */
  tokens?: Charge;
}

/** `/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15?expand=x` -> `/v1/charges/:id`. */
export function pathTemplate(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? "";
  const segments = bare.split("/").map((s) => (looksLikeId(s) ? ":id" : s.length > 64 ? ":long" : s));
  return segments.join("/").slice(0, 256) || "/";
}

/** The access event of one request. */
export function gatewayEvent(facts: GatewayRequestFacts, environment: string, actor: AccessActor): AccessEvent {
  const detail: GatewayRequestDetail = {
    route: facts.route,
    method: facts.method.toUpperCase().slice(0, 16),
    path: pathTemplate(facts.path),
    status: facts.status,
    bytesIn: facts.bytesIn,
    bytesOut: facts.bytesOut,
    latencyMs: Math.round(facts.latencyMs * 1000) / 1000,
    runId: facts.runId,
    via: facts.via,
  };
  if (facts.tokens) {
    detail.inputTokens = facts.tokens.input;
    detail.outputTokens = facts.tokens.output;
    if (facts.tokens.estimated) detail.tokensEstimated = true;
  }
  return {
    time: new Date(),
    environment,
    name: facts.secret,
    action: "gateway-request",
    outcome: facts.outcome,
    source: `gateway:${facts.route}`,
    ...(facts.errorCode ? { errorCode: facts.errorCode } : {}),
    actor,
    detail,
  };
}

/** A refused request that matched no route: no route, no secret, no path (it is the sender's choice). */
export interface UnroutedRequestFacts {
  status: number;
  /** `no-such-route`, `wrong-host`, `absolute-target`, `connect-refused`, `upgrade-refused`, `bad-request`, `request-timeout`, `headers-too-large`. */
  errorCode: string;
  /** The method as Node parsed it (a known token), or `-` when none was read. */
  method: string;
  bytesOut: number;
  latencyMs: number;
}

/** The route, secret name and path placeholder of {@link unroutedEvent}'s records. */
export const UNROUTED = "-";

/**
 * The access event of a refused request that matched no route (filed under the name `-`), or of
 * a roll-up of many (`count`, `last`: see unrouted-audit.ts).
 */
export function unroutedEvent(facts: UnroutedRequestFacts & { rollup?: { count: number; first: Date; last: Date } }, runId: string, environment: string, actor: AccessActor): AccessEvent {
  const event = gatewayEvent({ ...facts, route: UNROUTED, secret: UNROUTED, path: UNROUTED, outcome: "denied", bytesIn: 0, runId, via: "http" }, environment, actor);
  event.source = "gateway";
  event.detail!.path = UNROUTED;
  if (!facts.rollup) return event;
  // The auditor writes `count` and `last` of an event that has them (the roll-up format of docs/audit.md).
  return Object.assign(event, { time: facts.rollup.first, count: facts.rollup.count, last: facts.rollup.last });
}

/** Who runs the gateway (the records' actor). */
export function gatewayActor(command: string): AccessActor {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch (_e) {
    // No passwd entry (containers): keep $USER.
  }
  return { user, host: hostname(), pid: process.pid, command };
}

// --- internal ---

function looksLikeId(segment: string): boolean {
  if (/^[0-9]+$/.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  // A prefixed id (`ch_3Mml...`, `msg_01XF...`, `file-abc123...`): 12+ characters with digits and letters.
  return segment.length >= 12 && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment) && /^[A-Za-z0-9_-]+$/.test(segment) && !/^[a-z]+(-[a-z0-9.]+)*$/.test(segment);
}
