/**
 * A small implementation of hush's own `Gateway` interface for the MCP server's in-process
 * tests (never a mock of the SDK): routes with an allow-list and a kill switch, replies from a
 * handler, and every call recorded. Like the real engine, it refuses with 403 a path outside
 * `allow` or a revoked route, and never hands out a key.
 */
import type { Gateway, GatewayCallRequest, GatewayCallResponse, GatewayRouteSummary } from "../../src/gateway/types.js";

/** The part of the Gateway interface the MCP server uses, plus the kill switch. */
export interface TestGateway extends Pick<Gateway, "url" | "runId" | "routes" | "call" | "revoke" | "close"> {
  /** Every call, in order. */
  calls: GatewayCallRequest[];
}

/** A reply as a handler gives it (`body` as text or bytes). */
export interface TestReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  truncated?: boolean;
}

export function createTestGateway(routes: GatewayRouteSummary[], handler: (request: GatewayCallRequest) => TestReply | Promise<TestReply>): TestGateway {
  const revoked = new Set<string>();
  const calls: GatewayCallRequest[] = [];
  return {
    url: undefined,
    runId: "run-test",
    calls,
    routes: () => routes.map((r) => ({ ...r, revoked: r.revoked || revoked.has(r.name) })),
    async call(request): Promise<GatewayCallResponse> {
      calls.push(request);
      const route = routes.find((r) => r.name === request.route);
      if (!route) throw new Error(`unknown route ${request.route}`);
      if (route.revoked || revoked.has(route.name)) return refusal(403, `route ${route.name} is revoked`);
      if (route.policy.allow && !route.policy.allow.some((rule) => matches(rule, request.method, request.path))) {
        return refusal(403, `${request.method} ${request.path.split("?")[0]} is not allowed on route ${route.name}`);
      }
      const reply = await handler(request);
      const body = typeof reply.body === "string" ? new TextEncoder().encode(reply.body) : (reply.body ?? new Uint8Array());
      return { status: reply.status ?? 200, headers: reply.headers ?? {}, body, truncated: reply.truncated ?? false };
    },
    revoke: (route) => void revoked.add(route),
    close: async () => undefined,
  };
}

/** A summary with the defaults of a hush.yaml route. */
export function testRoute(name: string, overrides: Partial<GatewayRouteSummary> = {}): GatewayRouteSummary {
  return { name, upstream: `https://${name}.example`, secret: `${name}_key`, auth: "bearer", policy: {}, revoked: false, builtIn: false, ...overrides };
}

// --- internal ---

function refusal(status: number, reason: string): GatewayCallResponse {
  return { status, headers: { "content-type": "text/plain" }, body: new TextEncoder().encode(`hush gateway: ${reason}`), truncated: false };
}

/** `METHOD /glob*` against a request: `*` matches any run of characters. */
function matches(rule: string, method: string, path: string): boolean {
  const [ruleMethod, glob] = rule.split(" ") as [string, string];
  if (ruleMethod !== "*" && ruleMethod !== method) return false;
  const pattern = new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return pattern.test(path.split("?")[0]!);
}
