/**
 * The HTTP front end: `http.createServer` on 127.0.0.1 (a random port) or a Unix socket (0600,
 * in a 0700 folder). `/<route>/...` picks the route. No open proxy: a Host header that is not the
 * gateway's own, an absolute-URL request target, CONNECT and upgrades are refused; slow headers
 * and slow bodies are cut by `headersTimeout` / `requestTimeout`. Error bodies are small JSON,
 * `{"error":{"code":"...","message":"..."}}`, never a value.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Engine } from "./engine.js";
import { GatewayRefusal } from "./forward.js";

/** Limits of the listener. */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** A server running the engine; `hosts` is filled in once the address is known. */
export function createGatewayServer(engine: Engine, hosts: Set<string>, limits: ServerLimits): Server {
  // The timeouts are checked every `connectionsCheckingInterval` (30 s by default): check often
  // enough that a slow client is cut near its limit.
  const checkEvery = Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2)));
  const server = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, maxHeaderSize: 32 * 1024, connectionsCheckingInterval: checkEvery }, (req, res) => {
    void serve(engine, hosts, req, res);
  });
  server.keepAliveTimeout = 5_000;
  // No open door: CONNECT tunnels and protocol upgrades are refused outright.
  server.on("connect", (_req: IncomingMessage, socket: Socket) => refuseSocket(socket, 405, "Method Not Allowed"));
  server.on("upgrade", (_req: IncomingMessage, socket: Socket) => refuseSocket(socket, 501, "Not Implemented"));
  server.on("clientError", (e: NodeJS.ErrnoException, socket: Socket) => {
    if (e.code === "ERR_HTTP_REQUEST_TIMEOUT") refuseSocket(socket, 408, "Request Timeout");
    else if (e.code === "HPE_HEADER_OVERFLOW") refuseSocket(socket, 431, "Request Header Fields Too Large");
    else refuseSocket(socket, 400, "Bad Request");
  });
  return server;
}

/** Writes a small JSON error. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): number {
  const body = JSON.stringify({ error: { code, message } });
  if (!res.headersSent) res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
  return Buffer.byteLength(body);
}

// --- internal ---

async function serve(engine: Engine, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = req.url ?? "";
  if (!url.startsWith("/")) return void sendError(res, 400, "absolute-target", "Only paths of this gateway are served; it is not a proxy.");
  if (!hosts.has(String(req.headers.host ?? "").toLowerCase())) return void sendError(res, 421, "wrong-host", "The Host header must name this gateway.");
  // `/<route>` ends at the next `/` or `?`; the rest (`/v1/x?y`) is the upstream's target.
  const end = url.slice(1).search(/[/?]/) + 1 || url.length;
  const name = decodeRouteName(url.slice(1, end));
  const route = name === undefined ? undefined : engine.routes.get(name);
  if (!route) return void sendError(res, 404, "no-such-route", "No active route of this gateway has that name.");
  const rest = url.slice(end);
  const target = rest.startsWith("/") ? rest : `/${rest}`;
  const facts = { route: route.plan.name, secret: route.plan.secret, method: req.method ?? "GET", path: target, via: "http" as const };
  let bytesIn = 0;
  let bytesOut = 0;
  try {
    const length = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
    const request = { method: facts.method, target, headers: req.headers, body: hasBody(req) ? req : undefined, contentLength: length, authenticate: true, routePrefix: `/${route.plan.name}` };
    engine.admit(route, request);
    const reply = await engine.send(route, request);
    res.writeHead(reply.status, reply.headers);
    res.flushHeaders(); // the client learns the status at once; streamed bodies follow chunk by chunk
    reply.body.on("data", (chunk: Buffer) => (bytesOut += chunk.length));
    reply.body.pipe(res);
    await finished(reply.body, res);
    bytesIn = reply.bytesIn();
    engine.audit({ ...facts, status: reply.status, outcome: "served", bytesIn, bytesOut, latencyMs: performance.now() - started });
  } catch (e) {
    const refusal = e instanceof GatewayRefusal ? e : new GatewayRefusal(502, "gateway-failed", "The gateway could not complete the request.");
    if (res.headersSent) res.destroy();
    else bytesOut = sendError(res, refusal.status, refusal.code, refusal.message);
    // Drain what the client still sends (a refused body), up to a bound, then close.
    if (!req.complete) req.resume();
    const outcome = refusal.status >= 500 ? "error" : "denied";
    engine.audit({ ...facts, status: refusal.status, outcome, errorCode: refusal.code, bytesIn, bytesOut, latencyMs: performance.now() - started });
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

function decodeRouteName(raw: string): string | undefined {
  return /^[a-z0-9][a-z0-9_-]{0,63}$/.test(raw) ? raw : undefined;
}

/** Resolves when the body has been written out (or either side closed). */
function finished(body: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const end = (error?: unknown) => {
      if (done) return;
      done = true;
      if (error) reject(new GatewayRefusal(502, "upstream-broke", "The upstream reply broke off."));
      else resolve();
    };
    res.on("finish", () => end());
    res.on("close", () => {
      if (!res.writableFinished) (body as unknown as { destroy(): void }).destroy();
      end();
    });
    body.on("error", (e) => {
      res.destroy();
      end(e);
    });
  });
}

function refuseSocket(socket: Socket, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.destroy();
}
