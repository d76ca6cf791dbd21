// The MCP server in process: the SDK's own Client over its in-memory transport, against a small
// implementation of hush's Gateway interface (test-gateway.ts). Every failure is a tool result
// with isError and a reason; no value or handle ever reaches a result.
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createMcpServer, type CreateMcpServerOptions } from "../../src/mcp/server.js";
import { HushError } from "../../src/errors.js";
import type { GatewayCallRequest } from "../../src/gateway/types.js";
import { createTestGateway, testRoute, type TestReply } from "./test-gateway.js";

const CANARY = "sk-canary-mcp-Qw7Zr2Xp9Lm4Tt6Yv3Nb5Kd8";
const HANDLE = "hush_h_canary-handle-4Gh7Kp2Zr9";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const ROUTES = [
  testRoute("stripe", { upstream: "https://api.stripe.com", secret: "stripe_key", policy: { allow: ["GET /v1/charges*", "POST /v1/customers"], rateLimit: { count: 60, perMs: 60_000 }, maxRequests: 100 } }),
  testRoute("anthropic", { upstream: "https://api.anthropic.com", secret: "anthropic_api_key", auth: "header", builtIn: true }),
];

type Handler = (request: GatewayCallRequest) => TestReply | Promise<TestReply>;

async function connect(handler: Handler = () => ({ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' }), options: Partial<CreateMcpServerOptions> = {}) {
  // A summary that grew a handle or a value by mistake: list_credentials must not copy it.
  const routes = ROUTES.map((r) => Object.assign({ ...r }, { handle: HANDLE, value: CANARY }));
  const gateway = createTestGateway(routes, handler);
  const server = await createMcpServer({ gateway, ...options });
  const client = new Client({ name: "test-client", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  closers.push(() => client.close(), () => server.close());
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join("\n");
    expect(JSON.stringify(result)).not.toContain(CANARY);
    expect(JSON.stringify(result)).not.toContain(HANDLE);
    return { result, text, structured: result.structuredContent as Record<string, unknown> | undefined };
  };
  return { client, gateway, call };
}

describe("list_credentials", () => {
  it("gives a capped route's caps and its usage so far through the SDK's client, and the tool's output schema declares them", async () => {
    const capped = testRoute("openai", { policy: { maxTokens: 5000, maxSpend: { usd: 2, prices: { "gpt-4o*": { input: 2.5, output: 10 } } } }, usage: { inputTokens: 90, outputTokens: 50, spendUsd: 0.000725, estimatedReplies: 1, usageUnknown: false } });
    const gateway = createTestGateway([capped], () => ({ status: 200, headers: {}, body: "" }));
    const server = await createMcpServer({ gateway });
    const client = new Client({ name: "test-client", version: "1.0.0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    closers.push(() => client.close(), () => server.close());
    const result = await client.callTool({ name: "list_credentials", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { routes: object[] }).routes[0]).toMatchObject({ maxTokens: 5000, maxSpendUsd: 2, usage: { inputTokens: 90, outputTokens: 50, spendUsd: 0.000725, estimatedReplies: 1, usageUnknown: false } });
    expect((result.content as { text: string }[])[0]!.text).toContain("at most 5000 tokens and $2 in this run, used so far 140 tokens (90 in, 50 out) ($0.0007)");
    const { tools } = await client.listTools();
    const item = (tools.find((t) => t.name === "list_credentials")!.outputSchema!.properties!.routes as { items: { properties: object } }).items;
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(["maxTokens", "maxSpendUsd", "usage"]));
  });


  it("lists the tools with their schemas", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["http_request", "list_credentials"]);
    const request = tools.find((t) => t.name === "http_request")!;
    expect(request.inputSchema.required).toEqual(expect.arrayContaining(["route", "method", "path"]));
    expect(Object.keys(request.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["headers", "body", "bodyEncoding"]));
  });

  it("gives names, upstreams, auth kinds and policies, never a value or a handle", async () => {
    const { call } = await connect();
    const { result, text, structured } = await call("list_credentials");
    expect(result.isError).toBeFalsy();
    expect(structured).toEqual({
      routes: [
        { route: "stripe", secret: "stripe_key", upstream: "https://api.stripe.com", auth: "bearer", allow: ["GET /v1/charges*", "POST /v1/customers"], rateLimit: { count: 60, perMs: 60_000 }, maxRequests: 100, revoked: false, builtIn: false },
        { route: "anthropic", secret: "anthropic_api_key", upstream: "https://api.anthropic.com", auth: "header", revoked: false, builtIn: true },
      ],
    });
    expect(text).toContain("- stripe: https://api.stripe.com; key stripe_key (bearer); allow GET /v1/charges*, POST /v1/customers; at most 60 requests per minute; at most 100 requests in this run");
    expect(text).toContain("- anthropic: https://api.anthropic.com; key anthropic_api_key (header); every method and path");
  });

  it("shows a revoked route as revoked, and only the routes given with `routes`", async () => {
    const { gateway, call } = await connect(undefined, { routes: ["stripe"] });
    gateway.revoke("stripe");
    const { text, structured } = await call("list_credentials");
    expect((structured!.routes as { route: string; revoked: boolean }[]).map((r) => [r.route, r.revoked])).toEqual([["stripe", true]]);
    expect(text).toContain("stripe (REVOKED: every request is refused)");
    expect(text).not.toContain("anthropic");
  });
});

describe("http_request", () => {
  it("calls the route through gateway.call() and returns status, headers and the body as text", async () => {
    const { gateway, call } = await connect(() => ({ status: 200, headers: { "content-type": "application/json", "request-id": "req_1" }, body: '{"data":[]}' }));
    const { result, text, structured } = await call("http_request", { route: "stripe", method: "GET", path: "/v1/charges?limit=2", headers: { Accept: "application/json", "Idempotency-Key": "k1" } });
    expect(result.isError).toBeFalsy();
    expect(gateway.calls).toEqual([{ route: "stripe", method: "GET", path: "/v1/charges?limit=2", headers: { accept: "application/json", "idempotency-key": "k1" } }]);
    expect(structured).toEqual({ status: 200, headers: { "content-type": "application/json", "request-id": "req_1" }, body: '{"data":[]}', bodyEncoding: "text", bytes: 11, truncated: false });
    expect(text.split("\n")).toEqual(["HTTP 200 OK (route stripe: GET /v1/charges?limit=2)", "content-type: application/json", "request-id: req_1", "", '{"data":[]}']);
  });

  it("passes a text or base64 body on as given", async () => {
    const { gateway, call } = await connect();
    await call("http_request", { route: "stripe", method: "POST", path: "/v1/customers", body: "email=a%40b.c", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    await call("http_request", { route: "anthropic", method: "POST", path: "/v1/files", body: Buffer.from([0, 1, 2, 255]).toString("base64"), bodyEncoding: "base64" });
    expect(gateway.calls[0]!.body).toBe("email=a%40b.c");
    expect([...(gateway.calls[1]!.body as Uint8Array)]).toEqual([0, 1, 2, 255]);
    const { result, text } = await call("http_request", { route: "anthropic", method: "POST", path: "/v1/files", body: "not base64!", bodyEncoding: "base64" });
    expect(result.isError).toBe(true);
    expect(text).toContain("not valid base64");
    expect(gateway.calls).toHaveLength(2);
  });

  it("a path outside the allow-list is refused by the policy: a tool result with isError and the reason", async () => {
    const { call } = await connect();
    const { result, text, structured } = await call("http_request", { route: "stripe", method: "DELETE", path: "/v1/customers/cus_1" });
    expect(result.isError).toBe(true);
    expect(text).toContain("HTTP 403 Forbidden (route stripe: DELETE /v1/customers/cus_1)");
    expect(text).toContain("The request was refused");
    expect(text).toContain("hush gateway: DELETE /v1/customers/cus_1 is not allowed on route stripe");
    expect(structured).toMatchObject({ status: 403 });
  });

  it("a revoked route is refused", async () => {
    const { gateway, call } = await connect();
    gateway.revoke("anthropic");
    const { result, text } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/models" });
    expect(result.isError).toBe(true);
    expect(text).toContain("route anthropic is revoked");
  });

  it.each([
    ["Authorization", `Bearer ${CANARY}`],
    ["authorization", "Basic eDp5"],
    ["Proxy-Authorization", "Basic eDp5"],
    ["Cookie", "session=1"],
    ["X-Api-Key", CANARY],
    ["x-goog-api-key", CANARY],
    ["api-key", CANARY],
    ["X-Auth-Token", CANARY],
    ["X-Amz-Security-Token", CANARY],
  ])("refuses the credential header %s: the agent cannot override the key", async (name, value) => {
    const { gateway, call } = await connect();
    const { result, text } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/models", headers: { [name]: value } });
    expect(result.isError).toBe(true);
    expect(text).toBe(`Refused: the header ${name} may carry credentials; hush adds the route's key itself, so remove it.`);
    expect(gateway.calls).toEqual([]);
  });

  it("drops the headers the gateway sets itself, and says so", async () => {
    const { gateway, call } = await connect();
    const { text } = await call("http_request", { route: "anthropic", method: "POST", path: "/v1/messages", body: "{}", headers: { Host: "evil.example", "Content-Length": "999", Connection: "close", "Content-Type": "application/json" } });
    expect(gateway.calls[0]!.headers).toEqual({ "content-type": "application/json" });
    expect(text).toContain("[dropped headers that the gateway sets itself: Host, Content-Length, Connection]");
  });

  it("returns a binary body as base64 and says so; leaves Set-Cookie out", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const { call } = await connect(() => ({ headers: { "content-type": "image/png", "set-cookie": "sid=abc" }, body: png }));
    const { text, structured } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/logo.png" });
    expect(structured).toMatchObject({ bodyEncoding: "base64", body: Buffer.from(png).toString("base64"), bytes: 12, headers: { "content-type": "image/png" } });
    expect(text).toContain("[the body is binary (image/png): base64 of its 12 bytes below]");
    expect(text).toContain("[Set-Cookie left out");
    expect(text).not.toContain("sid=abc");
  });

  it("cuts a long body at maxResponseBytes, at a character boundary, and says so", async () => {
    const body = "é".repeat(600); // 1200 bytes of UTF-8
    const { call } = await connect(() => ({ headers: { "content-type": "text/plain; charset=utf-8" }, body }), { maxResponseBytes: 1001 });
    const { text, structured } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/long" });
    expect(structured).toMatchObject({ bodyEncoding: "text", body: "é".repeat(500), bytes: 1200, truncated: true });
    expect(text).toContain("[truncated: only the first 1001 of 1200 bytes]");
  });

  it("says so when the gateway cut the body", async () => {
    const { call } = await connect(() => ({ body: "x".repeat(50), truncated: true }));
    const { text, structured } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/x" });
    expect(structured).toMatchObject({ truncated: true, bytes: 50 });
    expect(text).toContain("[truncated: the gateway cut the body at 50 bytes]");
  });

  it("an unknown route, or one left out with `routes`, is an error result naming the routes", async () => {
    const { gateway, call } = await connect(undefined, { routes: ["stripe"] });
    const { result, text } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/models" });
    expect(result.isError).toBe(true);
    expect(text).toBe('No route named "anthropic". Routes: stripe; list_credentials describes them.');
    expect(gateway.calls).toEqual([]);
  });

  it.each([
    ["https://evil.example/x", 'must start with "/"'],
    ["//evil.example/x", 'must not start with "//"'],
    ["/v1/../admin", "must not hold . or .. segments"],
    ["/v1/%2e%2e/admin", "must not hold . or .. segments"],
    ["/v1/a b", "must not hold whitespace"],
    ["/v1\\admin", "a backslash"],
  ])("refuses the path %s", async (path, reason) => {
    const { gateway, call } = await connect();
    const { result, text } = await call("http_request", { route: "anthropic", method: "GET", path });
    expect(result.isError).toBe(true);
    expect(text).toContain(reason);
    expect(gateway.calls).toEqual([]);
  });

  it("invalid arguments (method, header name or value) are error results from the schema", async () => {
    const { gateway, call } = await connect();
    for (const args of [
      { route: "anthropic", method: "BREW", path: "/" },
      { route: "anthropic", method: "GET", path: "/", headers: { "bad name": "x" } },
      { route: "anthropic", method: "GET", path: "/", headers: { "x-trace": "a\r\nInjected: 1" } },
      { route: "anthropic", method: "GET" },
    ]) {
      const { result } = await call("http_request", args);
      expect(result.isError).toBe(true);
    }
    expect(gateway.calls).toEqual([]);
  });

  it("a failure of the gateway is an error result: a HushError's code and message, a foreign error's code only", async () => {
    let failure: unknown = new HushError("SOURCE_UNAVAILABLE", "The secret stripe_key could not be read.");
    const { call } = await connect(() => {
      throw failure;
    });
    const first = await call("http_request", { route: "stripe", method: "GET", path: "/v1/charges" });
    expect(first.result.isError).toBe(true);
    expect(first.text).toContain("The request failed: SOURCE_UNAVAILABLE: The secret stripe_key could not be read.");
    failure = Object.assign(new Error(`upstream said ${CANARY}`), { code: "ECONNRESET" });
    const second = await call("http_request", { route: "stripe", method: "GET", path: "/v1/charges" });
    expect(second.result.isError).toBe(true);
    expect(second.text).toBe("The request failed (ECONNRESET).");
  });

  it("an upstream error status is an error result with the upstream's body", async () => {
    const { call } = await connect(() => ({ status: 500, headers: { "content-type": "application/json" }, body: '{"error":"boom"}' }));
    const { result, text } = await call("http_request", { route: "anthropic", method: "GET", path: "/v1/models" });
    expect(result.isError).toBe(true);
    expect(text).toContain("HTTP 500 Internal Server Error");
    expect(text).toContain('{"error":"boom"}');
  });
});
