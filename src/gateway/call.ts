/**
 * `Gateway.call`: one request through the same pipeline as HTTP (policy, forward, key removed,
 * audited with `via: "mcp"`), with no handle (the caller is the gateway's own process) and the
 * reply's body buffered up to a limit.
 */
import { performance } from "node:perf_hooks";
import { HushError } from "../errors.js";
import type { Engine } from "./engine.js";
import { GatewayRefusal, type ForwardReply } from "./forward.js";
import type { GatewayCallRequest, GatewayCallResponse } from "./types.js";

/** Runs `request`; a refusal comes back as its status with a small JSON body. Throws INVALID_ARGUMENT for an unknown route or a malformed path. */
export async function callRoute(engine: Engine, request: GatewayCallRequest, maxBytes: number): Promise<GatewayCallResponse> {
  const route = engine.routes.get(request.route);
  if (!route) throw new HushError("INVALID_ARGUMENT", `No active gateway route is named "${String(request.route).slice(0, 64)}".`);
  if (typeof request.path !== "string" || !request.path.startsWith("/")) throw new HushError("INVALID_ARGUMENT", "The path must start with `/` (it is below the route's upstream).");
  const started = performance.now();
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  if (body) headers["content-length"] = String(body.length);
  const method = (request.method || "GET").toUpperCase();
  const facts = { route: route.plan.name, secret: route.plan.secret, method, path: request.path, via: "mcp" as const };
  const req = { method, target: request.path, headers, body, contentLength: body?.length, authenticate: false, routePrefix: `/${route.plan.name}` };
  let reply: ForwardReply | undefined;
  try {
    engine.admit(route, req);
    reply = await engine.send(route, req);
    const { bytes, truncated } = await collect(reply.body, maxBytes);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : String(v);
    engine.audit({ ...facts, status: reply.status, outcome: "served", bytesIn: reply.bytesIn(), bytesOut: bytes.length, latencyMs: performance.now() - started, tokens: reply.tokens() });
    return { status: reply.status, headers: out, body: new Uint8Array(bytes), truncated };
  } catch (e) {
    const refusal = e instanceof GatewayRefusal ? e : new GatewayRefusal(502, "gateway-failed", "The gateway could not complete the request.");
    const text = Buffer.from(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
    engine.audit({ ...facts, status: refusal.status, outcome: refusal.status >= 500 ? "error" : "denied", errorCode: refusal.code, bytesIn: 0, bytesOut: text.length, latencyMs: performance.now() - started, tokens: reply?.tokens() });
    return { status: refusal.status, headers: { "content-type": "application/json" }, body: new Uint8Array(text), truncated: false };
  }
}

// --- internal ---

async function collect(body: NodeJS.ReadableStream & { destroy(): void }, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > maxBytes) {
      chunks.push(b.subarray(0, maxBytes - size));
      body.destroy();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(b);
    size += b.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
