/**
 * One access record per gateway request: route, method, path template, status, bytes in and
 * out, latency, the run and how it came (`http` or `mcp`). The path is a template: no query
 * string, and segments that look like ids (numbers, UUIDs, long mixed tokens) become `:id`, so a
 * record never carries data a path or query may hold. Never a body, a header or a key.
 */
import { hostname, userInfo } from "node:os";
import type { AccessActor, AccessEvent, AccessOutcome, GatewayRequestDetail } from "../types.js";

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
