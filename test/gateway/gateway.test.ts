/**
 * The gateway end to end over plain HTTP on loopback: the handle check (401), the key swapped
 * in, the allow-list (403), the size limit (413), the rate limit and request cap (429), the
 * refusal of a foreign Host, an absolute-URL target and CONNECT, redirects, compressed replies,
 * the key removed from replies (split across chunks), streaming, `call`, and `childEnvironment`.
 * Every failure path checks that the key did not leak.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { startGateway, type Gateway } from "../../src/index.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { rawRequest, tempProject, testKey } from "./helpers.js";

const KEY = testKey();
let upstream: FakeUpstream;
let project: { dir: string; cleanup(): void };
let gateway: Gateway;
let handle: string;
let cappedHandle: string;
let limitedHandle: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  project = tempProject(`version: 1
audit: off
gateway:
  routes:
    - name: stripe
      upstream: ${upstream.url}
      secret: stripe_key
      auth: bearer
      allow: ["GET /v1/charges*", "GET /v1/customers/*", "* /stream", "GET /echo-key", "GET /redirect-*", "GET /gzip", "GET /break", "GET /", "POST /v1/upload"]
      maxRequestBytes: 1000
    - name: capped
      upstream: ${upstream.url}
      secret: stripe_key
      auth: { header: X-Api-Key }
      keyVariable: CAPPED_KEY
      maxRequests: 2
    - name: limited
      upstream: ${upstream.url}
      secret: stripe_key
      keyVariable: LIMITED_KEY
      rateLimit: 1/min
`);
  gateway = await startGateway({ cwd: project.dir, env: { STRIPE_KEY: KEY }, onWarning: () => undefined });
  const env = gateway.childEnvironment();
  [handle, cappedHandle, limitedHandle] = [env.STRIPE_KEY!, env.CAPPED_KEY!, env.LIMITED_KEY!];
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  project?.cleanup();
});

const get = (path: string, headers: Record<string, string> = { authorization: `Bearer ${handle}` }, method = "GET", body?: string) => rawRequest(gateway.url!, { path, headers, method, body });
const noLeak = (...texts: unknown[]) => {
  for (const t of texts) expect(JSON.stringify(t)).not.toContain(KEY);
};

describe("the gateway: handles and the key", () => {
  it("gives each route a handle and its base URL, never the key", () => {
    const env = gateway.childEnvironment();
    expect(handle).toMatch(/^hush_h_[A-Za-z0-9_-]{43}$/);
    expect(env.STRIPE_BASE_URL).toBe(`${gateway.url}/stripe`);
    noLeak(env, gateway.routes());
    expect(gateway.routes().map((r) => r.name).sort()).toEqual(["capped", "limited", "stripe"]);
  });

  it("forwards with the real key in place of the handle", async () => {
    const r = await get("/stripe/v1/charges?limit=3");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, path: "/v1/charges" });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.url).toBe("/v1/charges?limit=3");
    expect(JSON.stringify(seen.headers)).not.toContain(handle);
    expect(seen.headers["accept-encoding"]).toBe("identity");
  });

  it("accepts the handle in the route's own header, and sends the key there", async () => {
    const r = await get("/capped/anything", { "x-api-key": cappedHandle });
    expect(r.status).toBe(200);
    expect(upstream.requests.at(-1)!.headers["x-api-key"]).toBe(KEY);
    expect(upstream.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it("refuses a request without a handle, or with another one, with 401", async () => {
    const before = upstream.requests.length;
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer hush_h_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, { authorization: `Bearer ${KEY}` }]) {
      const r = await get("/stripe/v1/charges", headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe("no-valid-handle");
      noLeak(r);
    }
    // The handle of one route does not open another.
    const other = await get("/capped/x", { "x-api-key": handle });
    expect(other.status).toBe(401);
    expect(upstream.requests.length).toBe(before);
  });

  it("takes the handle as HTTP Basic user or password", async () => {
    const basic = `Basic ${Buffer.from(`${handle}:`).toString("base64")}`;
    expect((await get("/stripe/v1/charges", { authorization: basic })).status).toBe(200);
  });
});

describe("the gateway: policy", () => {
  it("refuses a path outside the allow-list with 403, before the upstream", async () => {
    const before = upstream.requests.length;
    for (const path of ["/stripe/v1/refunds", "/stripe/v1/customers/cus_1/delete"]) {
      const r = await get(path);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe("not-allowed");
      noLeak(r);
    }
    expect((await get("/stripe/v1/charges", { authorization: `Bearer ${handle}` }, "DELETE")).status).toBe(403);
    expect(upstream.requests.length).toBe(before);
  });

  it("refuses dot segments and encoded separators with 400", async () => {
    for (const path of ["/stripe/v1/charges/../refunds", "/stripe/v1/charges/%2e%2e/refunds", "/stripe/v1//charges", "/stripe/v1/charges%2frefunds"]) {
      expect((await get(path)).status, path).toBe(400);
    }
  });

  it("refuses a body over maxRequestBytes with 413, declared or streamed", async () => {
    const before = upstream.requests.length;
    const declared = await get("/stripe/v1/upload", { authorization: `Bearer ${handle}`, "content-type": "text/plain" }, "POST", "x".repeat(5000));
    expect(declared.status).toBe(413);
    noLeak(declared);
    expect(upstream.requests.length).toBe(before);
    const chunked = await get("/stripe/v1/upload", { authorization: `Bearer ${handle}`, "transfer-encoding": "chunked" }, "POST", "y".repeat(5000));
    expect(chunked.status).toBe(413);
    noLeak(chunked);
  });

  it("caps the requests of a run (429) and rate-limits (429)", async () => {
    const h = { "x-api-key": cappedHandle };
    expect((await get("/capped/a", h)).status).toBe(200);
    const second = await get("/capped/b", h);
    const third = await get("/capped/c", h);
    expect([second.status, third.status]).toContain(429);
    expect(JSON.parse(third.body).error.code).toBe("request-cap");
    const l = { authorization: `Bearer ${limitedHandle}` };
    expect((await get("/limited/a", l)).status).toBe(200);
    const r = await get("/limited/b", l);
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body).error.code).toBe("rate-limited");
    noLeak(r);
  });

  it("refuses every request on a revoked route, at once", async () => {
    const g = await startGateway({ cwd: project.dir, env: { STRIPE_KEY: KEY }, routes: ["stripe"], onWarning: () => undefined });
    try {
      const h = g.childEnvironment().STRIPE_KEY!;
      const ask = () => rawRequest(g.url!, { path: "/stripe/v1/charges", headers: { authorization: `Bearer ${h}` } });
      expect((await ask()).status).toBe(200);
      g.revoke("stripe");
      const r = await ask();
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe("revoked");
      expect(g.routes()[0]!.revoked).toBe(true);
    } finally {
      await g.close();
    }
  });
});

describe("the gateway: no open proxy", () => {
  it("refuses a Host that is not the gateway's", async () => {
    const r = await rawRequest(gateway.url!, { path: "/stripe/v1/charges", headers: { host: "api.stripe.com", authorization: `Bearer ${handle}` } });
    expect(r.status).toBe(421);
    noLeak(r);
  });

  it("refuses an absolute-URL request target", async () => {
    const r = await rawRequest(gateway.url!, { path: "http://169.254.169.254/latest/meta-data", headers: { authorization: `Bearer ${handle}` } });
    expect(r.status).toBe(400);
    noLeak(r);
  });

  it("refuses CONNECT", async () => {
    const port = Number(new URL(gateway.url!).port);
    const text = await new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1", () => s.write(`CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n`));
      let out = "";
      s.on("data", (c) => (out += c.toString()));
      s.on("close", () => resolve(out));
    });
    expect(text).toMatch(/^HTTP\/1\.1 405/);
  });

  it("keeps the query of a request to the route's root", async () => {
    expect((await get("/stripe?limit=2")).status).toBe(200);
    expect(upstream.requests.at(-1)!.url).toBe("/?limit=2");
  });

  it("answers 404 for a name that is no route", async () => {
    expect((await get("/nowhere/x")).status).toBe(404);
  });

  it("refuses a redirect to another origin (502) and rewrites a same-origin one", async () => {
    const out = await get("/stripe/redirect-out");
    expect(out.status).toBe(502);
    expect(JSON.parse(out.body).error.code).toBe("redirect-refused");
    const inside = await get("/stripe/redirect-in");
    expect(inside.status).toBe(302);
    expect(inside.headers.location).toBe("/stripe/v1/elsewhere?x=1");
  });

  it("refuses a compressed reply it could not check for the key", async () => {
    const r = await get("/stripe/gzip");
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body).error.code).toBe("encoded-reply");
  });
});

describe("the gateway: replies", () => {
  it("removes the key from headers and from a body that splits it across chunks", async () => {
    const r = await get("/stripe/echo-key");
    expect(r.status).toBe(200);
    noLeak(r);
    expect(JSON.stringify(r)).not.toContain(Buffer.from(KEY).toString("base64"));
    expect(r.body).toContain("[REDACTED:stripe_key]");
    expect(r.headers["x-echo"]).toBe("key=[REDACTED:stripe_key]");
  });

  it("streams server-sent events as they come", async () => {
    const u = new URL(gateway.url!);
    const { request } = await import("node:http");
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ hostname: u.hostname, port: u.port, path: "/stripe/stream", headers: { authorization: `Bearer ${handle}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          events.push(c);
          // The next event is sent only once this one came through: no buffering anywhere.
          if (events.length < 3) upstream.push(`event-${events.length}`);
          else upstream.end();
        });
        res.on("end", resolve);
        res.on("error", reject);
      });
      req.end();
      setTimeout(() => upstream.push("event-0"), 50);
    });
    expect(events.join("")).toBe("data: event-0\n\ndata: event-1\n\ndata: event-2\n\n");
    expect(events.length).toBeGreaterThanOrEqual(3);
  });

  it("sends the status and headers before the first event comes (a held reply is not held back)", async () => {
    const u = new URL(gateway.url!);
    const { request } = await import("node:http");
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ hostname: u.hostname, port: u.port, path: "/stripe/stream", headers: { authorization: `Bearer ${handle}` } }, (res) => {
        // No event was pushed yet: the headers came on their own.
        seen.push(`status ${res.statusCode} ${res.headers["content-type"]}`);
        res.setEncoding("utf8");
        res.on("data", (c: string) => seen.push(c));
        res.on("end", resolve);
        res.on("error", reject);
        upstream.push("after-headers");
        upstream.end();
      });
      req.on("error", reject);
      req.end();
    });
    expect(seen).toEqual(["status 200 text/event-stream", "data: after-headers\n\n"]);
  });
});

describe("the gateway: an upstream that breaks off", () => {
  it("cuts the client's reply instead of leaving it hanging", async () => {
    await expect(get("/stripe/break")).rejects.toThrow();
    // The gateway still serves the next request.
    expect((await get("/stripe/v1/charges")).status).toBe(200);
  });
});

describe("Gateway.call", () => {
  it("runs a request through the policy without a handle and buffers the reply", async () => {
    const r = await gateway.call({ route: "stripe", method: "GET", path: "/v1/charges?limit=1" });
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(r.body).toString())).toEqual({ ok: true, path: "/v1/charges" });
    const refused = await gateway.call({ route: "stripe", method: "GET", path: "/v1/refunds" });
    expect(refused.status).toBe(403);
    const echoed = await gateway.call({ route: "stripe", method: "GET", path: "/echo-key" });
    noLeak(Buffer.from(echoed.body).toString(), echoed.headers);
  });

  it("throws INVALID_ARGUMENT for an unknown route", async () => {
    await expect(gateway.call({ route: "nope", method: "GET", path: "/" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
