/**
 * Forwarding one request upstream and shaping the reply: the client's credentials and hop-by-hop
 * headers dropped, the real key set, `accept-encoding: identity` (a compressed reply could not be
 * searched for the key, so one is refused), no redirect followed (a redirect to another origin is
 * refused; a same-origin one comes back pointing at the gateway), and the key removed from the
 * reply's headers and, chunk by chunk, from its body (src/scan/redact.ts's stream, which holds
 * back only a tail that could still become the key, so server-sent events flow as they come).
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { Transform, type Readable } from "node:stream";
import type { ActiveRoute } from "./active-route.js";
import { HANDLE_PREFIX } from "./handles.js";
import type { Charge } from "./usage-account.js";
import { meterCall, type MeteredCall } from "./usage-meter.js";

/** A refusal raised inside the pipeline; the front end answers it with its status and code. */
export class GatewayRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A request as the pipeline takes it (from HTTP or from `Gateway.call`). */
export interface ForwardRequest {
  method: string;
  /** Path below the route, with its query (`/v1/models?limit=2`). */
  target: string;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body: Readable | Buffer | undefined;
  /** The gateway path of the route (`/openai`), for rewriting same-origin redirects. */
  routePrefix: string;
}

/** The reply: status, cleaned headers, and the body with the key removed. */
export interface ForwardReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Readable;
  /** Bytes of the request body sent upstream. */
  bytesIn(): number;
  /** The tokens the reply counted for, on a route with a token or spend cap (usage-meter.ts). */
  tokens(): Charge | undefined;
}

/**
 * Sends `request` upstream on `route`. Rejects with a {@link GatewayRefusal} (403, 413, 502, 504).
 * A body without Content-Length (chunked) is read whole first, up to the route's limit, so one
 * over the limit is refused before anything (the key included) reaches the upstream; a declared
 * length was checked before, and that body streams. On a route with a token or spend cap every
 * body is read whole (usage-meter.ts looks at its model and output limit).
 */
export async function forward(route: ActiveRoute, request: ForwardRequest, timeoutMs: number): Promise<ForwardReply> {
  const { body } = request;
  const account = route.policy.usage;
  const whole = body !== undefined && !Buffer.isBuffer(body) && (account !== undefined || request.headers["content-length"] === undefined);
  const ready = whole ? { ...request, body: await readBounded(body, route.policy.maxRequestBytes) } : request;
  if (account === undefined) return send(route, ready, timeoutMs, undefined);
  const metered = meterCall(account, ready.body as Buffer | undefined, ready.target, ready.headers);
  if ("code" in metered) throw new GatewayRefusal(metered.status, metered.code, metered.message);
  return send(route, { ...ready, body: metered.body, headers: metered.headers }, timeoutMs, metered);
}

/** Hop-by-hop headers (RFC 9110 7.6.1) and those hush sets itself. */
export const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

/** Headers that carry a client's key in the SDKs hush knows: never sent upstream. */
const CLIENT_AUTH = new Set(["authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie"]);

// --- internal ---

function send(route: ActiveRoute, request: ForwardRequest, timeoutMs: number, metered: MeteredCall | undefined): Promise<ForwardReply> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let settled = false;
    const fail = (e: GatewayRefusal) => {
      if (settled) return;
      settled = true;
      upstream.destroy();
      reject(e);
    };
    const target = upstreamTarget(route);
    const upstream = route.transport.request({
      protocol: route.upstream.protocol,
      hostname: target.hostname,
      port: target.port,
      method: request.method,
      path: target.base + request.target,
      headers: upstreamHeaders(route, target, request.headers),
      agent: route.agent,
      ...(target.servername === undefined ? {} : { servername: target.servername }),
      timeout: timeoutMs,
    });
    upstream.on("timeout", () => {
      if (!settled) metered?.lost();
      fail(new GatewayRefusal(504, "upstream-timeout", "The upstream did not answer in time."));
    });
    upstream.on("error", () => fail(new GatewayRefusal(502, "upstream-failed", "The upstream could not be reached or broke the connection.")));
    upstream.on("response", (res) => {
      if (settled) return void res.destroy();
      try {
        const reply = shapeReply(route, request, res);
        settled = true;
        metered?.watch(res);
        resolve({ ...reply, bytesIn: () => sent, tokens: () => metered?.tokens() });
      } catch (e) {
        res.destroy();
        fail(e instanceof GatewayRefusal ? e : new GatewayRefusal(502, "bad-reply", "The upstream's reply could not be passed on."));
      }
    });
    const max = route.policy.maxRequestBytes;
    if (request.body === undefined) upstream.end();
    else if (Buffer.isBuffer(request.body)) {
      sent = request.body.length;
      upstream.end(request.body);
    } else {
      const counter = new Transform({
        transform(chunk: Buffer, _e, done) {
          sent += chunk.length;
          if (sent > max) return done(new GatewayRefusal(413, "too-large", `The request body is larger than the route's limit of ${max} bytes.`));
          done(null, chunk);
        },
      });
      counter.on("error", (e) => fail(e instanceof GatewayRefusal ? e : new GatewayRefusal(400, "bad-request", "The request body could not be read.")));
      request.body.on("error", () => fail(new GatewayRefusal(400, "bad-request", "The request body could not be read.")));
      request.body.pipe(counter).pipe(upstream);
    }
  });
}

/** The whole body, or a 413 refusal as soon as it passes `max` bytes (the rest is left unread). */
function readBounded(body: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      body.off("data", onData).off("end", onEnd).off("error", onError);
      body.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      stop();
      reject(new GatewayRefusal(413, "too-large", `The request body is larger than the route's limit of ${max} bytes.`));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      stop();
      reject(new GatewayRefusal(400, "bad-request", "The request body could not be read."));
    };
    body.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** What a route's upstream requests share, worked out once per route (not parsed again per request). */
interface UpstreamTarget {
  /** The host without IPv6 brackets. */
  hostname: string;
  port: string | undefined;
  /** The TLS server name: the host name, none for an IP address. */
  servername: string | undefined;
  /** The upstream's path without its trailing `/`, put before each request's target. */
  base: string;
  /** The route's own key header (lower case), or "". */
  ownHeader: string;
}

const targets = new WeakMap<ActiveRoute, UpstreamTarget>();

function upstreamTarget(route: ActiveRoute): UpstreamTarget {
  let target = targets.get(route);
  if (target === undefined) {
    const hostname = route.upstream.hostname.replace(/^\[|\]$/g, "");
    target = {
      hostname,
      port: route.upstream.port || undefined,
      servername: isIP(hostname) ? undefined : route.upstream.hostname,
      base: route.upstream.pathname.replace(/\/$/, ""),
      ownHeader: route.plan.auth.kind === "header" ? route.plan.auth.header.toLowerCase() : "",
    };
    targets.set(route, target);
  }
  return target;
}

function upstreamHeaders(route: ActiveRoute, target: UpstreamTarget, headers: ForwardRequest["headers"]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set(String(headers.connection ?? "").toLowerCase().split(",").map((s) => s.trim()));
  const own = target.ownHeader;
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(n) || named.has(n) || CLIENT_AUTH.has(n) || n === own || n === "host" || n === "accept-encoding" || n === "expect") continue;
    if (holdsHandle(value)) continue; // a handle never leaves
    out[n] = value;
  }
  out.host = route.upstream.host;
  out["accept-encoding"] = "identity";
  out[route.auth[0]] = route.auth[1];
  return out;
}

function holdsHandle(value: string | string[]): boolean {
  if (!Array.isArray(value)) return String(value).includes(HANDLE_PREFIX);
  return value.some((v) => String(v).includes(HANDLE_PREFIX));
}

function shapeReply(route: ActiveRoute, request: ForwardRequest, res: IncomingMessage): Omit<ForwardReply, "bytesIn" | "tokens"> {
  const encoding = String(res.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding !== "identity" && encoding !== "") throw new GatewayRefusal(502, "encoded-reply", "The upstream sent a compressed reply, which the gateway cannot check for the key.");
  const status = res.statusCode ?? 502;
  const headers: OutgoingHttpHeaders = {};
  const named = new Set(String(res.headers.connection ?? "").toLowerCase().split(",").map((s) => s.trim()));
  const forms = route.keyForms;
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === "content-length") continue;
    headers[name] = Array.isArray(value) ? value.map((v) => scrub(forms, v)) : scrub(forms, value);
  }
  if (status >= 300 && status < 400 && typeof res.headers.location === "string") headers.location = scrub(forms, sameOriginLocation(route, request.routePrefix, res.headers.location));
  const redactor = route.newRedactor();
  // An upstream that breaks off mid-reply fails the body, so the client's reply is cut, not left hanging.
  res.on("error", () => redactor.destroy(new Error("upstream reply broke off")));
  res.on("aborted", () => redactor.destroy(new Error("upstream reply broke off")));
  redactor.on("close", () => {
    if (!res.complete) res.destroy(); // the client went away: stop reading the upstream
  });
  return { status, headers, body: res.pipe(redactor) };
}

/** A header value with every form of the key replaced. */
function scrub(forms: ReadonlyMap<string, string>, value: string): string {
  let out = value;
  for (const [label, form] of forms) if (out.includes(form)) out = out.split(form).join(`[REDACTED:${label}]`);
  return out;
}

/** A redirect's Location on the upstream's origin, rewritten to the gateway's path; another origin is refused. */
function sameOriginLocation(route: ActiveRoute, routePrefix: string, location: string): string {
  let target: URL;
  try {
    target = new URL(location, route.upstream);
  } catch (_e) {
    throw new GatewayRefusal(502, "redirect-refused", "The upstream redirected to an address the gateway cannot read.");
  }
  if (target.origin !== route.upstream.origin) throw new GatewayRefusal(502, "redirect-refused", "The upstream redirected to another origin; the gateway does not follow it.");
  const base = route.upstream.pathname.replace(/\/$/, "");
  if (base && !(target.pathname === base || target.pathname.startsWith(`${base}/`))) throw new GatewayRefusal(502, "redirect-refused", "The upstream redirected outside the route's base path.");
  return `${routePrefix}${target.pathname.slice(base.length)}${target.search}`;
}
