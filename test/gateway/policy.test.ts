/** The policy's parts: allow-list globs, clean paths, rate limits, the request cap; handles. */
import { describe, expect, it } from "vitest";
import { compileAllowEntry, createPolicyState, isCleanPath, parseRateLimit } from "../../src/gateway/policy.js";
import { createHandle, handleCheck, presentedCredentials } from "../../src/gateway/handles.js";
import { builtInRoutes } from "../../src/gateway/routes.js";
import { PROVIDERS } from "../../src/adapters/registry.js";

describe("allow-list entries", () => {
  it("match the method and the glob: * within a segment, ** across", () => {
    const charges = compileAllowEntry("GET /v1/charges*");
    expect(charges("GET", "/v1/charges")).toBe(true);
    expect(charges("get", "/v1/charges_list")).toBe(true);
    expect(charges("GET", "/v1/charges/ch_1")).toBe(false);
    expect(charges("POST", "/v1/charges")).toBe(false);
    const customers = compileAllowEntry("GET /v1/customers/*");
    expect(customers("GET", "/v1/customers/cus_1")).toBe(true);
    expect(customers("GET", "/v1/customers/cus_1/delete")).toBe(false);
    const any = compileAllowEntry("* /v1/chat/**");
    expect(any("POST", "/v1/chat/completions")).toBe(true);
    expect(any("DELETE", "/v1/chat/a/b/c")).toBe(true);
    expect(any("POST", "/v1/embeddings")).toBe(false);
    expect(compileAllowEntry("GET /v1/a.b")("GET", "/v1/aXb")).toBe(false);
  });

  it("paths that could mean another path upstream are not clean", () => {
    for (const p of ["/v1/../x", "/v1/./x", "/v1//x", "/v1/%2e%2e/x", "/v1/a%2Fb", "/v1/a%5cb", "/v1\\x", "/v1/%252e", "/v1/a b", "v1/x"]) expect(isCleanPath(p), p).toBe(false);
    for (const p of ["/", "/v1/chat/completions", "/v1/models/", "/v1beta/models/gemini-1.5-flash:generateContent", "/v1/x%20y"]) expect(isCleanPath(p), p).toBe(true);
  });
});

describe("rate limits and caps", () => {
  it("parses rates", () => {
    expect(parseRateLimit("60/min")).toEqual({ count: 60, perMs: 60_000 });
    expect(parseRateLimit("10/s")).toEqual({ count: 10, perMs: 1000 });
    expect(parseRateLimit("1000/h")).toEqual({ count: 1000, perMs: 3_600_000 });
    expect(parseRateLimit("5/day")).toEqual({ count: 5, perMs: 86_400_000 });
    for (const bad of ["0/min", "x/min", "10/week", "10"]) expect(parseRateLimit(bad)).toBeUndefined();
  });

  it("allows count per window, on a sliding window (the clock is given)", () => {
    const s = createPolicyState({ rateLimit: { count: 2, perMs: 1000 } }, 100);
    expect(s.admit("GET", "/", 0)).toBeUndefined();
    expect(s.admit("GET", "/", 10)).toBeUndefined();
    expect(s.admit("GET", "/", 20)).toMatchObject({ status: 429, code: "rate-limited" });
    expect(s.admit("GET", "/", 1001)).toBeUndefined();
  });

  it("caps the requests of a run; refused requests do not count", () => {
    const s = createPolicyState({ maxRequests: 2, allow: ["GET /ok"] }, 100);
    expect(s.admit("GET", "/no", 0)).toMatchObject({ status: 403 });
    expect(s.admit("GET", "/ok", 0)).toBeUndefined();
    expect(s.admit("GET", "/ok", 0)).toBeUndefined();
    expect(s.admit("GET", "/ok", 0)).toMatchObject({ status: 429, code: "request-cap" });
    expect(s.maxRequestBytes).toBe(100);
  });
});

describe("handles", () => {
  it("are random, url-safe and checked in constant time against their digest", () => {
    const a = createHandle();
    const b = createHandle();
    expect(a).toMatch(/^hush_h_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    const check = handleCheck(a);
    expect(check.matches(a)).toBe(true);
    expect(check.matches(b)).toBe(false);
    expect(check.matches(undefined)).toBe(false);
    expect(check.matches("")).toBe(false);
    expect(check.matches(a + "x")).toBe(false);
  });

  it("are found where SDKs send keys: Bearer, the route's header, either half of Basic", () => {
    const h = createHandle();
    expect(presentedCredentials({ authorization: `Bearer ${h}` }, { kind: "bearer" })).toEqual([h]);
    expect(presentedCredentials({ "x-api-key": h }, { kind: "header", header: "X-Api-Key" })).toEqual([h]);
    expect(presentedCredentials({ "x-api-key": h }, { kind: "bearer" })).toEqual([]);
    expect(presentedCredentials({ authorization: `Basic ${Buffer.from(`${h}:`).toString("base64")}` }, { kind: "basic" })).toEqual([h]);
    expect(presentedCredentials({ authorization: `Basic ${Buffer.from(`user:${h}`).toString("base64")}` }, { kind: "basic" })).toEqual(["user", h]);
  });
});

describe("built-in routes", () => {
  it("derive from the registry: https upstreams, the key's spellings, the SDK's base-URL variable", () => {
    const routes = builtInRoutes();
    expect(routes.map((r) => r.name)).toEqual(PROVIDERS.filter((p) => p.gateway).map((p) => p.id));
    for (const r of routes) {
      expect(r.upstream, r.name).toMatch(/^https:\/\/[a-z0-9.-]+$/);
      expect(r.keyVariables.length, r.name).toBeGreaterThan(0);
      expect(r.baseUrlVariables.length, r.name).toBeGreaterThan(0);
    }
    const byName = Object.fromEntries(routes.map((r) => [r.name, r]));
    expect(byName.openai).toMatchObject({ baseUrlVariable: "OPENAI_BASE_URL", baseUrlPath: "/v1", auth: { kind: "bearer" } });
    expect(byName.anthropic).toMatchObject({ baseUrlVariable: "ANTHROPIC_BASE_URL", baseUrlPath: "", auth: { kind: "header", header: "x-api-key" } });
    expect(byName.google!.keyVariables).toEqual(expect.arrayContaining(["GOOGLE_API_KEY", "GEMINI_API_KEY"]));
    expect(byName.google).toMatchObject({ baseUrlVariable: "GOOGLE_GEMINI_BASE_URL", auth: { kind: "header", header: "x-goog-api-key" } });
    expect(byName.xai!.baseUrlVariables).toEqual(["XAI_BASE_URL"]);
  });
});
