/**
 * The base of every fake service in test/fakes/: a real HTTP server on 127.0.0.1 (a random port)
 * that a real SDK or HTTP client is pointed at through its own endpoint option, plus the faults
 * every remote source must survive (FAULTS 17-19): a status with headers (429 + Retry-After,
 * 503), a slow reply, a dropped connection and a malformed body. A fake only speaks loopback and
 * stops when `close()` is called (tests call it in afterAll/afterEach).
 *
 * @example
 * const fake = await startFakeServer(async (req) => ({ status: 200, json: { ok: true } }));
 * fake.faults.push({ status: 429, headers: { "retry-after": "1" } }); // the next request only
 * await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/** One request as the fake saw it (for assertions: headers, body, order). */
export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** `body` parsed as JSON, when it is JSON; undefined otherwise. */
  json?: unknown;
}

/** What a handler answers. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as `application/json` (or the given content-type). */
  json?: unknown;
  /** Sent as is. */
  body?: string | Buffer;
  /** Sent chunk by chunk as the iterable yields (server-sent events); the reply ends with it. Headers go out at once. */
  stream?: AsyncIterable<string | Buffer>;
  /** Called once the reply's connection closes (the client went away, or the reply ended). */
  onClose?: () => void;
}

/** A fault served instead of the handler's reply. */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { delayMs: number }
  | { drop: true }
  | { malformed: true };

/** A running fake. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  url: string;
  port: number;
  /** Every request seen, in order (once its body has been read). */
  requests: FakeRequest[];
  /** Requests whose headers arrived, including any cut off before their body ended. */
  started: number;
  /** Faults for the next requests, one each, in order (`push` several for a storm). */
  faults: Fault[];
  /** When set, every request gets this fault (until set back to undefined). */
  alwaysFault?: Fault;
  close(): Promise<void>;
}

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions {
  /** Serve HTTPS with this key and certificate (PEM), for clients that refuse plain HTTP (the Kubernetes client). */
  tls?: { key: string; cert: string };
}

/** Starts a fake on 127.0.0.1:0 with `handler` answering requests that are not faulted. */
export async function startFakeServer(handler: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>, options: FakeServerOptions = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const fake: FakeServer = { url: "", port: 0, requests: [], started: 0, faults: [], close: async () => {} };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res).catch(() => res.destroy());
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createServer(listener);
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    fake.started++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const request: FakeRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body, json: parseJson(body) };
    fake.requests.push(request);
    const fault = fake.alwaysFault ?? fake.faults.shift();
    if (fault && "delayMs" in fault) await new Promise((r) => setTimeout(r, fault.delayMs).unref());
    if (fault && "drop" in fault) return void req.socket.destroy();
    if (fault && "malformed" in fault) return void res.writeHead(200, { "content-type": "application/json" }).end("{ not json");
    if (fault && "status" in fault) return void res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers }).end(fault.body ?? "{}");
    const reply = await handler(request);
    if (reply.onClose) res.on("close", reply.onClose);
    if (reply.stream) {
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders(); // a streaming server answers before it has anything to send (a watch, an idle SSE stream)
      for await (const chunk of reply.stream) {
        if (res.destroyed) return;
        res.write(chunk);
      }
      res.end();
    } else if (reply.json !== undefined) {
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    }
  }
  server.on(options.tls ? "secureConnection" : "connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `${options.tls ? "https" : "http"}://127.0.0.1:${fake.port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
