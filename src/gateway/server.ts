/**
 * The HTTP front end: `http.createServer` on 127.0.0.1 (a random port) or a Unix socket (0600,
 * in a 0700 folder). `/<route>/...` picks the route. No open proxy: a Host header that is not the
 * gateway's own, an absolute-URL request target, CONNECT and upgrades are refused; slow headers
 * and slow bodies are cut by `headersTimeout` / `requestTimeout`. Error bodies are small JSON,
 * `{"error":{"code":"...","message":"..."}}`, never a value. A refusal that matches no route is
 * audited too, rate-limited and without its path (engine.auditUnrouted).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Engine } from "./engine.js";
import { GatewayRefusal, type ForwardReply } from "./forward.js";

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
  const refuse = (socket: Socket, status: number, code: string, method: string) => {
    const bytesOut = refuseSocket(socket, status, STATUS_TEXT[status]!);
    engine.auditUnrouted({ status, errorCode: code, method, bytesOut, latencyMs: 0 });
  };
  server.on("connect", (_req: IncomingMessage, socket: Socket) => refuse(socket, 405, "connect-refused", "CONNECT"));
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => refuse(socket, 501, "upgrade-refused", req.method ?? "-"));
  server.on("clientError", (e: NodeJS.ErrnoException, socket: Socket) => {
    if (e.code === "ERR_HTTP_REQUEST_TIMEOUT") refuse(socket, 408, "request-timeout", "-");
    else if (e.code === "HPE_HEADER_OVERFLOW") refuse(socket, 431, "headers-too-large", "-");
    // A malformed request is refused on record; a connection reset (ECONNRESET, EPIPE) is no request.
    else if (String(e.code).startsWith("HPE_")) refuse(socket, 400, "bad-request", "-");
    else refuseSocket(socket, 400, STATUS_TEXT[400]!);
  });
  return server;
}

/**
 * Refusals that stay for the rest of the run: answered with `x-should-retry: false`, which the
 * openai and @anthropic-ai/sdk clients honour (they would otherwise retry a 429).
 */
export const FINAL_FOR_RUN = new Set(["request-cap", "token-cap", "spend-cap"]);

/** Writes a small JSON error; `final`: tell the SDKs not to retry it. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, final = false): number {
  const body = JSON.stringify({ error: { code, message } });
  if (!res.headersSent) res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...(final ? { "x-should-retry": "false" } : {}) });
  res.end(body);
  return Buffer.byteLength(body);
}

// --- internal ---

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 405: "Method Not Allowed", 408: "Request Timeout", 431: "Request Header Fields Too Large", 501: "Not Implemented" };

async function serve(engine: Engine, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = req.url ?? "";
  // Refused before any route: audited without the path (the sender chose it), rate-limited.
  const unrouted = (status: number, code: string, message: string) => {
    const bytesOut = sendError(res, status, code, message);
    if (!req.complete) req.resume();
    engine.auditUnrouted({ status, errorCode: code, method: req.method ?? "-", bytesOut, latencyMs: performance.now() - started });
  };
  if (!url.startsWith("/")) return unrouted(400, "absolute-target", "Only paths of this gateway are served; it is not a proxy.");
  if (!hosts.has(String(req.headers.host ?? "").toLowerCase())) return unrouted(421, "wrong-host", "The Host header must name this gateway.");
  // `/<route>` ends at the next `/` or `?`; the rest (`/v1/x?y`) is the upstream's target.
  const end = url.slice(1).search(/[/?]/) + 1 || url.length;
  const name = decodeRouteName(url.slice(1, end));
  const route = name === undefined ? undefined : engine.routes.get(name);
  if (!route) return unrouted(404, "no-such-route", "No active route of this gateway has that name.");
  const rest = url.slice(end);
  const target = rest.startsWith("/") ? rest : `/${rest}`;
  const facts = { route: route.plan.name, secret: route.plan.secret, method: req.method ?? "GET", path: target, via: "http" as const };
  let bytesIn = 0;
  let bytesOut = 0;
  let reply: ForwardReply | undefined;
  try {
    const length = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
    const request = { method: facts.method, target, headers: req.headers, body: hasBody(req) ? req : undefined, contentLength: length, authenticate: true, routePrefix: `/${route.plan.name}` };
    engine.admit(route, request);
    reply = await engine.send(route, request);
    res.writeHead(reply.status, reply.headers);
    reply.body.on("data", (chunk: Buffer) => (bytesOut += chunk.length));
    reply.body.pipe(res);
    flushHeadersSoon(res, () => bytesOut === 0);
    await finished(reply.body, res);
    bytesIn = reply.bytesIn();
    engine.audit({ ...facts, status: reply.status, outcome: "served", bytesIn, bytesOut, latencyMs: performance.now() - started, tokens: reply.tokens() });
  } catch (e) {
    const refusal = e instanceof GatewayRefusal ? e : new GatewayRefusal(502, "gateway-failed", "The gateway could not complete the request.");
    if (res.headersSent) res.destroy();
    else bytesOut = sendError(res, refusal.status, refusal.code, refusal.message, FINAL_FOR_RUN.has(refusal.code));
    // Drain what the client still sends (a refused body), up to a bound, then close.
    if (!req.complete) req.resume();
    const outcome = refusal.status >= 500 ? "error" : "denied";
    engine.audit({ ...facts, status: refusal.status, outcome, errorCode: refusal.code, bytesIn, bytesOut, latencyMs: performance.now() - started, tokens: reply?.tokens() });
  }
}

/**
 * The client learns the status at once, and streamed bodies follow chunk by chunk. A body already
 * here (most replies: it came in the same read as the upstream's headers) is written in the turn
 * the headers are, so the headers go with it in one write; otherwise, before the event loop's next
 * turn, the headers go on their own (an event stream whose first event is still to come).
 */
function flushHeadersSoon(res: ServerResponse, nothingWritten: () => boolean): void {
  setImmediate(() => {
    if (nothingWritten() && !res.writableEnded && !res.destroyed) res.flushHeaders();
  });
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

/** Answers on the raw socket and closes it; returns the bytes written. */
function refuseSocket(socket: Socket, status: number, text: string): number {
  const reply = `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
  const writable = socket.writable;
  if (writable) socket.end(reply);
  socket.destroy();
  return writable ? Buffer.byteLength(reply) : 0;
}
