/**
 * `hush run --gateway` through the built CLI: the child gets handles and base URLs, none of the
 * routes' keys under any name, other secrets as usual; its request through the gateway reaches
 * the upstream with the real key; the run's gateway requests are in the audit log and in
 * `hush audit report`; `hush gateway revoke` reaches a running gateway in another process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { baseEnv, buildCli, hushSet, NODE, runHushBinary, startHush, waitFor } from "../helpers/run-binary.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { rawRequest, testKey } from "./helpers.js";

const AGENT = fileURLToPath(new URL("../helpers/gateway-agent.mjs", import.meta.url));
const OPENAI_KEY = testKey("sk-proj-");
const STRIPE_KEY = testKey("sk_live_");
let cli: string;
let cleanupCli: () => void;
let project: string;
let upstream: FakeUpstream;

beforeAll(async () => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  upstream = await startFakeUpstream();
  project = mkdtempSync(join(tmpdir(), "hush-run-gateway-"));
  writeFileSync(join(project, "hush.yaml"), `version: 1
gateway:
  routes:
    - name: openai
      upstream: ${upstream.url}
    - name: stripe
      upstream: ${upstream.url}
      secret: stripe_key
`);
  hushSet(cli, project, "openai_api_key", OPENAI_KEY);
  hushSet(cli, project, "stripe_key", STRIPE_KEY);
  hushSet(cli, project, "backup_copy", OPENAI_KEY); // the same key under another name
  hushSet(cli, project, "db_password", "not-a-route-secret-123");
});

afterAll(async () => {
  await upstream?.close();
  if (project) rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

describe("hush run --gateway", () => {
  it("gives the child handles and base URLs, no key under any name, and the call reaches the upstream with the key", async () => {
    const r = await runHushBinary(cli, ["run", "--gateway", "--", NODE, AGENT], { cwd: project, env: baseEnv({ OPENAI_KEY_FROM_PARENT: OPENAI_KEY }) });
    expect(r.code, r.stderr).toBe(0);
    for (const key of [OPENAI_KEY, STRIPE_KEY]) {
      expect(r.stdout).not.toContain(key);
      expect(r.stderr).not.toContain(key);
      expect(r.stdout).not.toContain(Buffer.from(key).toString("base64"));
    }
    const [envLine, callLine] = r.stdout.trim().split("\n");
    const env = JSON.parse(envLine!) as Record<string, string>;
    expect(env.OPENAI_API_KEY).toMatch(/^hush_h_/);
    expect(env.STRIPE_KEY).toMatch(/^hush_h_/);
    expect(env.OPENAI_API_KEY).not.toBe(env.STRIPE_KEY);
    expect(env.OPENAI_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openai\/v1$/);
    expect(env.STRIPE_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stripe$/);
    expect(env.DB_PASSWORD).toBe("not-a-route-secret-123");
    expect(env.BACKUP_COPY).toBeUndefined();
    expect(env.OPENAI_KEY_FROM_PARENT).toBeUndefined();
    expect(r.stderr).toContain("BACKUP_COPY");
    const call = JSON.parse(callLine!) as { status: number; body: string };
    expect(call.status).toBe(200);
    expect(JSON.parse(call.body)).toEqual({ ok: true, path: "/v1/models" });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("records the request in the audit log, shown per route by `hush audit report`, and the chain verifies", async () => {
    const log = readFileSync(join(project, ".secrets/audit.dev.jsonl"), "utf8");
    const records = log.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const gatewayRecords = records.filter((rec) => rec.action === "gateway-request");
    expect(gatewayRecords.length).toBeGreaterThanOrEqual(1);
    const rec = gatewayRecords.at(-1)!;
    expect(rec.source).toBe("gateway:openai");
    expect(rec.detail).toMatchObject({ route: "openai", method: "GET", path: "/v1/models", status: 200, via: "http" });
    expect(Object.keys(rec.detail as object)).toEqual(["route", "method", "path", "status", "bytesIn", "bytesOut", "latencyMs", "runId", "via"]);
    for (const key of [OPENAI_KEY, STRIPE_KEY]) expect(log).not.toContain(key);
    const report = await runHushBinary(cli, ["audit", "report"], { cwd: project });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/GATEWAY ROUTE\s+SECRET\s+REQUESTS\s+REFUSED\n\s*openai\s+openai_api_key\s+1\s+0/);
    const verify = await runHushBinary(cli, ["audit", "verify"], { cwd: project });
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
  });

  it("hush gateway revoke reaches a running gateway in another process at once", async () => {
    const envFile = join(project, "gw.env");
    const gw = startHush(cli, ["gateway", "--route", "stripe", "--env-out", envFile], { cwd: project });
    try {
      const text = await waitFor(() => (existsSync(envFile) ? readFileSync(envFile, "utf8") : undefined), "the env file");
      const vars = Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      const ask = () => rawRequest(vars.STRIPE_BASE_URL!, { path: "/stripe/v1/charges", headers: { authorization: `Bearer ${vars.STRIPE_KEY}` } });
      expect((await ask()).status).toBe(200);
      const revoke = await runHushBinary(cli, ["gateway", "revoke", "stripe"], { cwd: project });
      expect(revoke.code, revoke.stderr).toBe(0);
      const refused = await ask();
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error.code).toBe("revoked");
      expect((await runHushBinary(cli, ["gateway", "unrevoke", "stripe"], { cwd: project })).code).toBe(0);
      expect((await ask()).status).toBe(200);
    } finally {
      gw.child.kill("SIGTERM");
    }
    const end = await gw.done;
    expect(end.code, end.stderr).toBe(0);
    expect(existsSync(envFile)).toBe(false);
    for (const key of [OPENAI_KEY, STRIPE_KEY]) expect(end.stdout + end.stderr).not.toContain(key);
    // The refused request is on record too, flushed when the gateway stopped; no key in the log.
    const log = readFileSync(join(project, ".secrets/audit.dev.jsonl"), "utf8");
    const refused = log.trim().split("\n").map((l) => JSON.parse(l) as { action: string; outcome: string; errorCode: string | null; detail?: { status: number; route: string } }).filter((r) => r.action === "gateway-request" && r.outcome === "denied");
    expect(refused.at(-1)).toMatchObject({ errorCode: "revoked", detail: { status: 403, route: "stripe" } });
    for (const key of [OPENAI_KEY, STRIPE_KEY]) expect(log).not.toContain(key);
  });

  it("hush gateway: a SIGTERM sent as soon as the env file appears closes the gateway and removes the file", async () => {
    // The file says "ready": the process has its signal handlers by then (else it dies of the
    // signal, exit 143, and leaves the file of handles behind).
    const envFile = join(project, "gw-early.env");
    const gw = startHush(cli, ["gateway", "--route", "stripe", "--env-out", envFile], { cwd: project });
    try {
      await waitFor(() => (existsSync(envFile) ? true : undefined), "the env file");
    } finally {
      gw.child.kill("SIGTERM");
    }
    const end = await gw.done;
    expect(end.signal).toBeNull();
    expect(end.code, end.stderr).toBe(0);
    expect(existsSync(envFile)).toBe(false);
    expect(end.stdout + end.stderr).not.toContain(STRIPE_KEY);
  });

  it("hush gateway --json prints the URL, the routes and the handles on stdout, never a key", async () => {
    const gw = startHush(cli, ["gateway", "--json", "--route", "openai"], { cwd: project });
    let stdout = "";
    gw.child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    try {
      const info = await waitFor(() => {
        try {
          return JSON.parse(stdout) as { url: string; routes: { name: string }[]; environment: Record<string, string> };
        } catch (_e) {
          return undefined;
        }
      }, "the JSON on stdout");
      expect(info.routes.map((r) => r.name)).toEqual(["openai"]);
      expect(info.environment.OPENAI_API_KEY).toMatch(/^hush_h_/);
      expect(info.environment.OPENAI_BASE_URL).toBe(`${info.url}/openai/v1`);
      const r = await rawRequest(info.url, { path: "/openai/v1/models", headers: { authorization: `Bearer ${info.environment.OPENAI_API_KEY}` } });
      expect(r.status).toBe(200);
    } finally {
      gw.child.kill("SIGINT");
    }
    const end = await gw.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toContain("listening on http://127.0.0.1:");
    for (const key of [OPENAI_KEY, STRIPE_KEY]) expect(end.stdout + end.stderr).not.toContain(key);
  });

  it("hush gateway routes lists the routes without a key", async () => {
    const r = await runHushBinary(cli, ["gateway", "routes", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const routes = JSON.parse(r.stdout) as { name: string; active: boolean; upstream: string }[];
    expect(routes.find((x) => x.name === "openai")).toMatchObject({ active: true, upstream: upstream.url });
    expect(routes.find((x) => x.name === "anthropic")).toMatchObject({ active: false });
    for (const key of [OPENAI_KEY, STRIPE_KEY]) expect(r.stdout + r.stderr).not.toContain(key);
  });
});
