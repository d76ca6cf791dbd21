/**
 * Attacks on the gateway (issue 18), against the fake HTTPS upstream that only the gateway
 * trusts: a handle from another run, another route's handle, none; a Host header or an
 * absolute-URL request naming a non-route, CONNECT and path tricks (SSRF); an upstream redirect
 * to another host; a huge body (declared and chunked); slowloris headers; an untrusted upstream
 * certificate; a reply that echoes the key (header and body, the key cut across two writes).
 * Each is refused or cleaned, and no byte the client got holds the key: the requests are raw
 * HTTP over TCP (test/helpers/raw-http.ts) and the assertions read the whole exchange. Nothing
 * the refusals reach stays at a second "elsewhere" server (trusted by the same CA, so only the
 * gateway's rules keep requests from it).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/index.js";
import { startLlmUpstream, type LlmUpstream } from "../fakes/llm-upstream.js";
import { baseEnv, buildCli, hushSet, runHushBinary } from "../helpers/run-binary.js";
import { closedBy, openStalledRequest, rawExchange } from "../helpers/raw-http.js";
import { makeTestCa, type TestCa } from "../helpers/test-ca.js";

const KEY = `sk-proj-${randomBytes(24).toString("hex")}`;
const OTHER_KEY = `other-${randomBytes(24).toString("hex")}`;
const THIRD_KEY = `third-${randomBytes(24).toString("hex")}`;
const LIMIT = 4096;

let ca: TestCa;
let stranger: TestCa;
let upstream: LlmUpstream;
let elsewhere: LlmUpstream;
let untrusted: LlmUpstream;
let project: string;
let cleanupCli: () => void;
let gateway: Gateway;
let otherRun: Gateway;
let port: number;
let handle: string;

beforeAll(async () => {
  ca = makeTestCa();
  stranger = makeTestCa("another CA");
  upstream = await startLlmUpstream({ tls: ca.server, validKeys: new Set([KEY]) });
  elsewhere = await startLlmUpstream({ tls: ca.server });
  untrusted = await startLlmUpstream({ tls: stranger.server });
  const built = buildCli();
  cleanupCli = built.cleanup;
  project = mkdtempSync(join(tmpdir(), "hush-gw-attacks-"));
  expect((await runHushBinary(built.cli, ["init"], { cwd: project })).code).toBe(0);
  hushSet(built.cli, project, "openai_api_key", KEY);
  hushSet(built.cli, project, "other_key", OTHER_KEY);
  hushSet(built.cli, project, "untrusted_key", THIRD_KEY);
  const yaml = readFileSync(join(project, "hush.yaml"), "utf8");
  writeFileSync(
    join(project, "hush.yaml"),
    `${yaml}\ngateway:\n  routes:\n` +
      `    - { name: openai, upstream: "${upstream.url}", caCert: "${ca.caPath}", maxRequestBytes: ${LIMIT} }\n` +
      `    - { name: other, upstream: "${upstream.url}", secret: other_key, auth: { header: X-Api-Key }, caCert: "${ca.caPath}" }\n` +
      `    - { name: untrusted, upstream: "${untrusted.url}", secret: untrusted_key, auth: bearer, caCert: "${ca.caPath}" }\n`,
  );
  const options = { cwd: project, env: baseEnv(), routes: ["openai", "other", "untrusted"], headersTimeoutMs: 500, onWarning: () => undefined };
  gateway = await startGateway(options);
  otherRun = await startGateway(options);
  port = Number(new URL(gateway.url!).port);
  handle = gateway.childEnvironment().OPENAI_API_KEY!;
  expect(handle).toMatch(/^hush_h_/);
});

afterAll(async () => {
  await gateway?.close();
  await otherRun?.close();
  for (const fake of [upstream, elsewhere, untrusted]) await fake?.close();
  if (project) rmSync(project, { recursive: true, force: true });
  ca?.cleanup();
  stranger?.cleanup();
  cleanupCli?.();
});

let before: { upstream: number; elsewhere: number };
/** Requests that reached the upstream since the test began, even cut off before their body ended. */
const forwarded = () => upstream.started - before.upstream;
beforeEach(() => {
  upstream.mode = { kind: "normal" };
  before = { upstream: upstream.started, elsewhere: elsewhere.started };
});

/** A raw request to the gateway: `Host` is the gateway's own unless given. */
function request(method: string, target: string, headers: Record<string, string> = {}, body = ""): string {
  const all: Record<string, string> = { host: `127.0.0.1:${port}`, connection: "close", ...headers };
  if (body && !("transfer-encoding" in all)) all["content-length"] = String(Buffer.byteLength(body));
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body}`;
}
const bearer = (h: string) => ({ authorization: `Bearer ${h}` });

/** Nothing the client got holds a key (nor the handle of another route echoed back). */
function expectNoLeak(text: string): void {
  for (const secret of [KEY, OTHER_KEY, THIRD_KEY]) {
    expect(text.includes(secret)).toBe(false);
    expect(text.includes(Buffer.from(secret).toString("base64"))).toBe(false);
  }
}

describe("gateway attacks: who may use a route", () => {
  it("a valid handle works (the control case); the upstream gets the real key, never the handle", async () => {
    const r = await rawExchange(port, request("GET", "/openai/v1/models", bearer(handle)));
    expect(r.status).toBe(200);
    expect(upstream.keys().at(-1)).toBe(KEY);
    expect(JSON.stringify(upstream.requests.at(-1)!.headers)).not.toContain("hush_h_");
    expectNoLeak(r.text);
  });

  it("a handle from another run, another route's handle, a made-up handle, no handle: 401, nothing forwarded", async () => {
    const attempts: Array<Record<string, string>> = [
      bearer(otherRun.childEnvironment().OPENAI_API_KEY!),
      bearer(gateway.childEnvironment().OTHER_KEY!),
      { "x-api-key": handle }, // the right handle in the other route's header, on the other route
      bearer(`hush_h_${randomBytes(32).toString("base64url")}`),
      bearer(KEY), // even the real key is not a handle
      {},
    ];
    for (const [i, headers] of attempts.entries()) {
      const target = i === 2 ? "/other/v1/models" : "/openai/v1/models";
      const r = await rawExchange(port, request("GET", target, headers));
      expect(r.status, `attempt ${i}`).toBe(401);
      expectNoLeak(r.text);
    }
    expect(forwarded()).toBe(0);
  });
});

describe("gateway attacks: no open proxy (SSRF)", () => {
  it("a Host header that is not the gateway, absolute-URL targets, CONNECT and a smuggled request are refused", async () => {
    const away = `127.0.0.1:${elsewhere.port}`;
    const attempts = [
      request("GET", "/openai/v1/models", { ...bearer(handle), host: away }),
      request("GET", "/openai/v1/models", { ...bearer(handle), host: "api.openai.com" }),
      request("GET", `https://${away}/v1/models`, bearer(handle)),
      request("GET", `http://127.0.0.1:${port}/openai/v1/models`, bearer(handle)),
      request("CONNECT", away, { ...bearer(handle), host: away }),
      // Request smuggling: both Content-Length and Transfer-Encoding.
      request("POST", "/openai/v1/chat/completions", { ...bearer(handle), "content-length": "4", "transfer-encoding": "chunked" }, `0\r\n\r\nGET /openai/v1/models HTTP/1.1\r\nhost: ${away}\r\n\r\n`),
    ];
    for (const [i, text] of attempts.entries()) {
      const r = await rawExchange(port, text);
      expect(r.status, `attempt ${i}: ${r.text.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expectNoLeak(r.text);
    }
    expect(forwarded()).toBe(0);
    expect(elsewhere.started).toBe(before.elsewhere);
  });

  it("path tricks never reach another host: non-routes, `//host`, `@host`, dot segments, encoded separators", async () => {
    const away = `127.0.0.1:${elsewhere.port}`;
    const targets = [`/elsewhere/v1/models`, `/openai//${away}/v1/models`, `/openai@${away}/v1/models`, `/openai/../other/v1/models`, `/openai/%2e%2e/%2e%2e/v1/models`, `/openai/v1%2f..%2fmodels`, `/openai\\@${away}/v1/models`, `/%6fpenai/v1/models`];
    for (const target of targets) {
      const r = await rawExchange(port, request("GET", target, bearer(handle)));
      expect(r.status, target).toBeGreaterThanOrEqual(400);
      expectNoLeak(r.text);
    }
    expect(elsewhere.started).toBe(before.elsewhere);
  });

  it("an upstream redirect to another host is not followed and not passed on (502); a same-origin one comes back as a gateway path", async () => {
    upstream.mode = { kind: "redirect", location: elsewhere.url };
    const away = await rawExchange(port, request("GET", "/openai/v1/models", bearer(handle)));
    expect(away.status).toBe(502);
    expect(away.text.toLowerCase()).not.toContain("location:");
    expectNoLeak(away.text);
    upstream.mode = { kind: "redirect", location: upstream.url, status: 308 };
    const same = await rawExchange(port, request("GET", "/openai/v1/old-models", bearer(handle)));
    expect(same.status).toBe(308);
    expect(same.text).toMatch(/\r\nlocation: \/openai\/v1\/old-models\r\n/i);
    expect(elsewhere.started).toBe(before.elsewhere);
  });

  it("an upstream whose certificate the route's CA did not sign gets nothing (502)", async () => {
    const r = await rawExchange(port, request("GET", "/untrusted/v1/models", bearer(gateway.childEnvironment().UNTRUSTED_KEY!)));
    expect(r.status).toBe(502);
    expect(untrusted.started).toBe(0);
    expectNoLeak(r.text);
  });
});

describe("gateway attacks: resource abuse", () => {
  it("a declared body over the route's limit: 413, nothing forwarded", async () => {
    const r = await rawExchange(port, request("POST", "/openai/v1/chat/completions", { ...bearer(handle), "content-type": "application/json" }, "x".repeat(LIMIT * 4)));
    expect(r.status).toBe(413);
    expectNoLeak(r.text);
    expect(forwarded()).toBe(0);
  });

  // A body without Content-Length is read whole (up to the limit) before anything is sent: the
  // upstream never sees the start of a request (with the real key) that ends in a 413.
  it("a chunked body over the limit (no Content-Length): 413, nothing forwarded", async () => {
    const chunk = "y".repeat(1024);
    const body = `${Array.from({ length: 16 }, () => `400\r\n${chunk}\r\n`).join("")}0\r\n\r\n`;
    const r = await rawExchange(port, request("POST", "/openai/v1/chat/completions", { ...bearer(handle), "content-type": "application/json", "transfer-encoding": "chunked" }, body));
    expect(r.status).toBe(413);
    expectNoLeak(r.text);
    expect(forwarded()).toBe(0);
  });

  it("a chunked body under the limit is forwarded whole (the upstream parses it)", async () => {
    const json = JSON.stringify({ model: "gpt-fake", messages: [{ role: "user", content: "z".repeat(1000) }] });
    const body = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
    const r = await rawExchange(port, request("POST", "/openai/v1/chat/completions", { ...bearer(handle), "content-type": "application/json", "transfer-encoding": "chunked" }, body));
    expect(r.status).toBe(200);
    expect(forwarded()).toBe(1);
    expectNoLeak(r.text);
  });

  it("slowloris: headers that never end are cut by the server itself, and others are still served meanwhile", async () => {
    const stalled = await Promise.all(Array.from({ length: 20 }, () => openStalledRequest(port, `GET /openai/v1/models HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-slow: a`)));
    const closed = stalled.map((s) => closedBy(s));
    const served = await rawExchange(port, request("GET", "/openai/v1/models", bearer(handle)));
    expect(served.status).toBe(200);
    const replies = await Promise.all(closed);
    for (const reply of replies) expectNoLeak(reply);
    expect(stalled.every((s) => s.destroyed)).toBe(true);
  });
});

describe("gateway attacks: replies", () => {
  it("a reply echoing the key in a header, in a body cut mid-key across writes, and in base64 is cleaned", async () => {
    upstream.mode = { kind: "echo-key" };
    const r = await rawExchange(port, request("GET", "/openai/v1/models", bearer(handle)));
    expect(r.status).toBe(401); // the upstream's own status passes through
    expect(r.text).toMatch(/\r\nx-echoed-key: /i);
    expect(r.text).toContain("Incorrect API key provided: ");
    expect(r.text).toContain("key (base64): ");
    expect(r.text.match(/REDACTED/g)?.length).toBeGreaterThanOrEqual(3); // header, body, base64: replaced, not dropped
    expect(upstream.keys().at(-1)).toBe(KEY);
    expectNoLeak(r.text);
  });

  it("a reply compressed against the gateway's Accept-Encoding (the key hidden from the scan) is refused (502), nothing of it passed on", async () => {
    upstream.mode = { kind: "echo-key-gzip" };
    const r = await rawExchange(port, request("GET", "/openai/v1/models", bearer(handle)));
    expect(r.status).toBe(502);
    expect(r.text.toLowerCase()).not.toContain("content-encoding: gzip");
    expect(r.text).not.toContain("\x1f\x8b"); // no gzip stream
    expect(upstream.requests.at(-1)!.headers["accept-encoding"]).toBe("identity");
    expectNoLeak(r.text);
  });

  it("refusals and served requests are audited without a key, a handle or a query", async () => {
    await rawExchange(port, request("GET", "/openai/v1/models?secret=query-value", bearer(handle)));
    const audit = readFileSync(join(project, ".secrets/audit.dev.jsonl"), "utf8");
    expectNoLeak(audit);
    expect(audit.includes(handle)).toBe(false);
    expect(audit.includes("query-value")).toBe(false);
    const statuses = audit.trim().split("\n").map((l) => (JSON.parse(l) as { detail?: { status: number } }).detail?.status);
    for (const status of [200, 401, 413, 502]) expect(statuses).toContain(status);
  });
});
