/**
 * The request pipeline every gateway request goes through, from HTTP (server.ts) or from
 * `Gateway.call` (the MCP server): the route, the handle (HTTP only: `call` is the gateway's own
 * caller), the kill switch, the path, the policy, the size limit, then forward.ts. Each request,
 * served or refused, ends in one audit record (audit.ts).
 */
import type { Readable } from "node:stream";
import type { AccessActor, AccessEvent } from "../types.js";
import type { ActiveRoute } from "./active-route.js";
import { gatewayEvent, unroutedEvent, type GatewayRequestFacts, type UnroutedRequestFacts } from "./audit.js";
import { forward, GatewayRefusal, type ForwardReply } from "./forward.js";
import { HANDLE_PREFIX, presentedCredentials } from "./handles.js";
import { isCleanPath } from "./policy.js";
import type { RevocationState } from "./revocation.js";
import { createUnroutedAudit, type UnroutedAuditLimits } from "./unrouted-audit.js";

/** What the pipeline shares across requests. */
export interface Engine {
  readonly routes: ReadonlyMap<string, ActiveRoute>;
  readonly runId: string;
  /** Routes revoked in this process (`Gateway.revoke`), besides the revocation file. */
  readonly revoked: Set<string>;
  /** True when the route is revoked here or in the revocation file (an unreadable file reads as revoked: fail closed). */
  isRevoked(route: string): boolean;
  /** Runs the checks, then forwards. Rejects with a GatewayRefusal. */
  admit(route: ActiveRoute, request: EngineRequest): void;
  send(route: ActiveRoute, request: EngineRequest): Promise<ForwardReply>;
  /** Writes the request's audit record (never throws; a failure is a warning). */
  audit(facts: Omit<GatewayRequestFacts, "runId">): void;
  /** Records a refused request that matched no route, rate-limited (unrouted-audit.ts). Never throws. */
  auditUnrouted(facts: UnroutedRequestFacts): void;
  /** Writes the pending roll-up of unrouted refusals now (the gateway closes). */
  flushAudit(): void;
}

/** One request as the pipeline sees it. */
export interface EngineRequest {
  method: string;
  /** Path below the route, with its query. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable | Buffer | undefined;
  /** Declared body length, when known (413 before anything is sent). */
  contentLength: number | undefined;
  /** True for HTTP requests: a handle for the route is required. */
  authenticate: boolean;
  routePrefix: string;
}

/** Options of {@link createEngine}. */
export interface EngineOptions {
  routes: ReadonlyMap<string, ActiveRoute>;
  runId: string;
  environment: string;
  actor: AccessActor;
  revocations: RevocationState | undefined;
  record: ((event: AccessEvent) => Promise<void> | void) | undefined;
  /** `audit: required`: while records fail to be written, requests are refused (503). */
  auditRequired: boolean;
  upstreamTimeoutMs: number;
  onWarning: (message: string) => void;
  /** The rate limit of records of refused requests that match no route. @default 20 per minute, then a roll-up */
  unroutedAudit?: UnroutedAuditLimits;
}

/** Creates the pipeline. */
export function createEngine(options: EngineOptions): Engine {
  const revoked = new Set<string>();
  let auditFailing = false;
  const write = (event: AccessEvent) => {
    if (!options.record) return;
    const warn = () => {
      if (!auditFailing) options.onWarning("gateway: an access record could not be written (see the audit warnings).");
      auditFailing = true;
    };
    try {
      const pending = options.record(event);
      if (pending) void pending.then(() => (auditFailing = false), warn);
    } catch (_e) {
      warn();
    }
  };
  const unrouted = createUnroutedAudit((r) => write(unroutedEvent(r, options.runId, options.environment, options.actor)), options.unroutedAudit);
  return {
    routes: options.routes,
    runId: options.runId,
    revoked,
    isRevoked(name) {
      try {
        return revoked.has(name) || isRevokedOnDisk(options.revocations, name);
      } catch (_e) {
        return true;
      }
    },
    admit(route, request) {
      const name = route.plan.name;
      if (options.auditRequired && auditFailing) throw new GatewayRefusal(503, "audit-failed", "The audit trail cannot be written (audit: required); requests are refused until it can.");
      if (request.authenticate && !presentedCredentials(request.headers, route.plan.auth).some((c) => route.check.matches(c))) {
        throw new GatewayRefusal(401, "no-valid-handle", `A valid handle for route "${name}" of this gateway run is required.`);
      }
      if (revoked.has(name) || isRevokedOnDisk(options.revocations, name)) throw new GatewayRefusal(403, "revoked", `Route "${name}" is revoked.`);
      const path = request.target.split("?", 1)[0]!;
      if (!isCleanPath(path)) throw new GatewayRefusal(400, "bad-path", "The path has dot segments, empty segments or encoded separators; send it in plain form.");
      if (request.contentLength !== undefined && request.contentLength > route.policy.maxRequestBytes) {
        throw new GatewayRefusal(413, "too-large", `The request body is larger than the route's limit of ${route.policy.maxRequestBytes} bytes.`);
      }
      const refusal = route.policy.admit(request.method, path, Date.now());
      if (refusal) throw new GatewayRefusal(refusal.status, refusal.code, refusal.message);
    },
    async send(route, request) {
      // A re-read of the key may be due (route-key.ts): wait for it; a key that cannot be had refuses (503).
      const due = route.key.ready();
      if (due) await due;
      return forward(route, { method: request.method, target: request.target, headers: request.headers, body: request.body, routePrefix: request.routePrefix }, options.upstreamTimeoutMs);
    },
    audit(facts) {
      if (options.record) write(gatewayEvent({ ...facts, path: withoutKeys(facts.path, options.routes.get(facts.route)), runId: options.runId }, options.environment, options.actor));
    },
    auditUnrouted(facts) {
      if (options.record) unrouted.add(facts);
    },
    flushAudit: () => unrouted.flush(),
  };
}

// --- internal ---

/** A path with any form of the route's key, or a handle, replaced: a client may put one there. */
function withoutKeys(path: string, route: ActiveRoute | undefined): string {
  let out = path.includes(HANDLE_PREFIX) ? path.replace(/hush_h_[A-Za-z0-9_-]*/g, ":handle") : path;
  for (const form of route?.keyForms.values() ?? []) if (out.includes(form)) out = out.split(form).join(":key");
  return out;
}

function isRevokedOnDisk(revocations: RevocationState | undefined, route: string): boolean {
  if (!revocations) return false;
  try {
    return revocations.isRevoked(route);
  } catch (_e) {
    // An unreadable kill switch refuses everything (fail closed).
    throw new GatewayRefusal(503, "revocation-unreadable", "The gateway's revocation file cannot be read; every request is refused.");
  }
}
