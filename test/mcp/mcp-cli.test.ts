// `hush mcp` end to end: the SDK's own Client over StdioClientTransport spawns the built CLI
// (dist/cli.js, built by test/global-setup.ts) in a temp project whose hush.yaml routes to a
// loopback fake upstream. The upstream gets the real key; no tool result, stderr line or audit
// record ever holds it; a path outside `allow` is a refused tool result and an audit record.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { readProjectAuditLog, type NamedAuditRecord } from "../../src/index.js";
import { EXIT_CODES } from "../../src/cli/exit-codes.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { baseEnv, buildCli, hushSet, NODE, REPO, runHushBinary, startHush, waitFor } from "../helpers/run-binary.js";

const KEY = "sk-live-mcp-canary-9Zr2Xp7Lm4Tt6Yv3Nb5Kd8Qw";
const CLI = join(REPO, "dist/cli.js"); // in place: the repo's node_modules has the MCP SDK

let upstream: FakeUpstream;
let project: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  project = realpathSync(mkdtempSync(join(tmpdir(), "hush-mcp-")));
  const init = await runHushBinary(CLI, ["init"], { cwd: project });
  expect(init.code, init.stderr).toBe(0);
  hushSet(CLI, project, "fake_key", KEY);
  appendFileSync(join(project, "hush.yaml"), `\ngateway:\n  routes:\n    - name: fake\n      upstream: ${upstream.url}\n      secret: fake_key\n      auth: bearer\n      allow: [GET /v1/*, GET /echo-key, POST /v1/echo]\n` +
    `    - name: tight\n      upstream: ${upstream.url}\n      secret: fake_key\n      auth: bearer\n      maxRequests: 1\n      maxRequestBytes: 16\n`);
});
afterAll(async () => {
  await upstream?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

async function connectClient(args: string[] = []) {
  // As docs/mcp.md configures a client: started in another folder, the project named by --cwd.
  const transport = new StdioClientTransport({ command: NODE, args: [CLI, "--cwd", project, "mcp", ...args], cwd: tmpdir(), env: baseEnv() as Record<string, string>, stderr: "pipe" });
  const stderr: Buffer[] = [];
  transport.stderr!.on("data", (c: Buffer) => stderr.push(c));
  const client = new Client({ name: "hush-e2e", version: "1.0.0" });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args });
    expect(JSON.stringify(result)).not.toContain(KEY);
    return { result, text: (result.content as { text: string }[]).map((c) => c.text).join("\n"), structured: result.structuredContent as Record<string, unknown> };
  };
  return { client, call, stderr: () => Buffer.concat(stderr).toString("utf8") };
}

async function auditRecords(): Promise<NamedAuditRecord[]> {
  const records: NamedAuditRecord[] = [];
  for await (const r of readProjectAuditLog({ cwd: project, env: baseEnv() })) records.push(r);
  return records;
}

describe("hush mcp over stdio, through the SDK's client", () => {
  it("lists credentials without values, reaches the upstream with the real key, refuses and audits a path outside allow", async () => {
    const { client, call, stderr } = await connectClient(["--route", "fake"]);
    const seen = upstream.requests.length;

    const listing = await call("list_credentials");
    expect(listing.structured).toEqual({ routes: [expect.objectContaining({ route: "fake", secret: "fake_key", upstream: upstream.url, auth: "bearer", allow: ["GET /v1/*", "GET /echo-key", "POST /v1/echo"], revoked: false })] });

    const ok = await call("http_request", { route: "fake", method: "GET", path: "/v1/models?limit=2", headers: { Accept: "application/json" } });
    expect(ok.result.isError).toBeFalsy();
    expect(ok.structured).toMatchObject({ status: 200, bodyEncoding: "text", body: JSON.stringify({ ok: true, path: "/v1/models" }) });
    expect(upstream.requests.slice(seen).map((r) => [r.method, r.url, r.headers.authorization])).toEqual([["GET", "/v1/models?limit=2", `Bearer ${KEY}`]]);

    // The upstream echoes the key in headers and body: the gateway removes it before the tool sees it.
    const echo = await call("http_request", { route: "fake", method: "GET", path: "/echo-key" });
    expect(echo.structured).toMatchObject({ status: 200 });
    expect(echo.text).toContain("your key is");

    const refused = await call("http_request", { route: "fake", method: "DELETE", path: "/v1/customers/cus_1" });
    expect(refused.result.isError).toBe(true);
    expect(refused.structured).toMatchObject({ status: 403 });
    expect(refused.text).toContain("HTTP 403 Forbidden");
    expect(upstream.requests.slice(seen)).toHaveLength(2); // the refused request never left

    const credential = await call("http_request", { route: "fake", method: "GET", path: "/v1/models", headers: { Authorization: "Bearer sk-agent-own" } });
    expect(credential.result.isError).toBe(true);
    expect(upstream.requests.slice(seen)).toHaveLength(2);

    await client.close(); // ends stdin: the server closes the gateway and exits
    expect(stderr()).toContain("hush mcp: serving 1 route on stdio: fake");
    expect(stderr()).not.toContain(KEY);

    const gatewayRecords = (await auditRecords()).filter((r) => r.action === "gateway-request");
    const details = gatewayRecords.map((r) => ({ outcome: r.outcome, ...(r as { detail?: Record<string, unknown> }).detail }));
    expect(details).toEqual(expect.arrayContaining([
      expect.objectContaining({ outcome: "served", route: "fake", method: "GET", path: "/v1/models", status: 200, via: "mcp" }),
      expect.objectContaining({ outcome: "denied", route: "fake", method: "DELETE", status: 403, via: "mcp" }),
    ]));
    expect(gatewayRecords.every((r) => r.name === "fake_key")).toBe(true);
    expect(readFileSync(join(project, ".secrets", "audit.dev.jsonl"), "utf8")).not.toContain(KEY);
  });

  it("a body over the route's limit (413) and a request over its cap (429) are refused tool results", async () => {
    const { client, call, stderr } = await connectClient();
    const seen = upstream.requests.length;
    const listing = await call("list_credentials");
    expect((listing.structured.routes as { route: string }[]).map((r) => r.route)).toEqual(["fake", "tight"]);
    const large = await call("http_request", { route: "tight", method: "POST", path: "/v1/echo", body: "x".repeat(100) });
    expect(large.result.isError).toBe(true);
    expect(large.structured).toMatchObject({ status: 413 });
    const first = await call("http_request", { route: "tight", method: "GET", path: "/v1/models" });
    expect(first.structured).toMatchObject({ status: 200 });
    const second = await call("http_request", { route: "tight", method: "GET", path: "/v1/models" });
    expect(second.result.isError).toBe(true);
    expect(second.structured).toMatchObject({ status: 429 });
    expect(second.text).toContain("HTTP 429 Too Many Requests");
    expect(upstream.requests.slice(seen)).toHaveLength(1);
    await client.close();
    expect(stderr()).toContain("serving 2 routes on stdio: fake, tight");
    expect(stderr()).not.toContain(KEY);
  });

  // One server and three CLI runs: on a loaded 2-core machine that took over the default 30 s
  // (a second server, started only to see the unrevoke, is not needed: the running one sees it).
  it("`hush gateway revoke` from another process stops the route at once: a refused tool result", { timeout: 90_000 }, async () => {
    const { client, call } = await connectClient(["--route", "fake"]);
    const seen = upstream.requests.length;
    let revoked = false;
    try {
      const revoke = await runHushBinary(CLI, ["gateway", "revoke", "fake"], { cwd: project });
      revoked = true;
      expect(revoke.code, revoke.stderr).toBe(0);
      const refused = await call("http_request", { route: "fake", method: "GET", path: "/v1/models" });
      expect(refused.result.isError).toBe(true);
      expect(refused.structured).toMatchObject({ status: 403 });
      expect(refused.text).toContain('"code":"revoked"');
      expect(upstream.requests.length).toBe(seen);
      const listing = await call("list_credentials", {});
      expect(listing.structured).toEqual({ routes: [expect.objectContaining({ route: "fake", revoked: true })] });
      const unrevoke = await runHushBinary(CLI, ["gateway", "unrevoke", "fake"], { cwd: project });
      expect(unrevoke.code, unrevoke.stderr).toBe(0);
      revoked = false;
      expect((await call("http_request", { route: "fake", method: "GET", path: "/v1/models" })).structured).toMatchObject({ status: 200 });
    } finally {
      if (revoked) await runHushBinary(CLI, ["gateway", "unrevoke", "fake"], { cwd: project }); // for the next tests
      await client.close();
    }
  });

  it("stdout carries the protocol only, and the process ends when stdin closes", async () => {
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
    const run = startHush(CLI, ["mcp"], { cwd: project, input: JSON.stringify(initialize) + "\n" });
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "hush" } } });
    expect(stderr).toContain("hush mcp: serving");
    expect(stdout + stderr).not.toContain(KEY);
  });

  it("SIGTERM closes the gateway and writes the audit trail before the process exits", async () => {
    const child = spawn(NODE, [CLI, "mcp"], { cwd: project, env: baseEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const closed = once(child, "close");
    const messages = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "http_request", arguments: { route: "fake", method: "GET", path: "/v1/sigterm" } } },
    ];
    child.stdin.write(messages.map((m) => JSON.stringify(m) + "\n").join("")); // stdin stays open
    await waitFor(() => (stdout.includes('"id":2') ? true : undefined), "the reply of tools/call");
    child.kill("SIGTERM");
    const [code] = await closed;
    expect(code, stderr).toBe(0);
    expect(stdout + stderr).not.toContain(KEY);
    const records = (await auditRecords()).filter((r) => (r as { detail?: { path?: string } }).detail?.path === "/v1/sigterm");
    expect(records).toHaveLength(1);
  });

  it("--route with an unknown name fails before serving, naming the route, never a value", async () => {
    const r = await runHushBinary(CLI, ["mcp", "--route", "nope"], { cwd: project });
    expect(r.code).toBe(EXIT_CODES.INVALID_ARGUMENT);
    expect(r.stderr).toContain('"nope"');
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(KEY);
  });

  it("--help says how to configure an MCP client", async () => {
    const r = await runHushBinary(CLI, ["mcp", "--help"], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"mcpServers"');
    expect(r.stdout).toContain("npm install @modelcontextprotocol/sdk zod");
  });
});

describe("hush mcp without the MCP SDK", () => {
  it("is MISSING_DEPENDENCY with the install command, before the project is opened", async () => {
    const { cli, cleanup } = buildCli(); // dist/ copied where no node_modules is above it
    try {
      const r = await runHushBinary(cli, ["mcp"], { cwd: project });
      expect(r.code).toBe(EXIT_CODES.MISSING_DEPENDENCY);
      expect(r.stderr).toContain("npm install @modelcontextprotocol/sdk zod");
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toContain(KEY);
    } finally {
      cleanup();
    }
  });
});
