/**
 * hush.yaml's `gateway:` validated offline: a good section, and every problem with its path and
 * never the value (a token pasted as a secret name, a URL with a password).
 */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/validate.js";
import { planRoutes } from "../../src/gateway/routes.js";

const PASTED = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc123";
const problems = (gateway: unknown) => checkConfig({ version: 1, gateway }).problems;

describe("gateway: in hush.yaml", () => {
  it("accepts the issue's example and the other auth styles", () => {
    const { config, problems: found } = checkConfig({
      version: 1,
      gateway: {
        routes: [
          { name: "stripe", upstream: "https://api.stripe.com", secret: "stripe_key", auth: "bearer", allow: ["GET /v1/charges*", "GET /v1/customers/*"], rateLimit: "60/min" },
          { name: "internal", upstream: "https://api.internal.example/base/", secret: "internal_token", auth: "header: X-Api-Key", maxRequestBytes: 1000, maxRequests: 50, caCert: "ca.pem" },
          { name: "legacy", upstream: "http://127.0.0.1:8080", secret: "legacy_key", auth: { basic: { username: "svc" } } },
          { name: "openai", upstream: "https://eu.api.openai.com" },
        ],
      },
    });
    expect(found).toEqual([]);
    const routes = config!.gateway!.routes;
    expect(routes[0]).toMatchObject({ auth: { kind: "bearer" }, rateLimit: { count: 60, perMs: 60_000 } });
    expect(routes[1]).toMatchObject({ upstream: "https://api.internal.example/base", auth: { kind: "header", header: "X-Api-Key" } });
    expect(routes[2]!.auth).toEqual({ kind: "basic", username: "svc" });
    const openai = planRoutes(routes).find((r) => r.name === "openai")!;
    expect(openai).toMatchObject({ upstream: "https://eu.api.openai.com", auth: { kind: "bearer" }, baseUrlPath: "/v1", builtIn: false, explicitSecret: false });
    expect(openai.keyVariables).toContain("OPENAI_API_KEY");
  });

  it("names each problem by its path, never echoing a value", () => {
    const found = problems({
      routes: [
        { name: "Bad Name", upstream: "https://x.example", secret: "k" },
        { name: "a", upstream: `https://user:${PASTED}@api.example.com`, secret: "k" },
        { name: "b", upstream: "http://api.example.com", secret: PASTED },
        { name: "c", upstream: "https://api.example.com", secret: "k", auth: "digest", rateLimit: "lots", allow: ["charges"] },
        { name: "d" },
        { name: "d", upstream: "https://api.example.com", secret: "k", token: PASTED },
      ],
      extra: 1,
    });
    const text = JSON.stringify(found);
    expect(text).not.toContain(PASTED);
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      "gateway.extra", "gateway.routes[0].name", "gateway.routes[1].upstream", "gateway.routes[2].upstream", "gateway.routes[2].secret",
      "gateway.routes[3].auth", "gateway.routes[3].rateLimit", "gateway.routes[3].allow", "gateway.routes[4].upstream", "gateway.routes[4].secret",
      "gateway.routes[5].name", "gateway.routes[5].token",
    ]));
  });

  it("refuses a gateway that is not a mapping, and routes that are not a list", () => {
    expect(problems("yes").map((p) => p.path)).toEqual(["gateway"]);
    expect(problems({ routes: { name: "x" } }).map((p) => p.path)).toEqual(["gateway.routes"]);
  });
});
