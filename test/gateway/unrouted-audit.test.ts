/**
 * Refused requests that match no route are audited: one record each (route `-`, path `-`: the
 * sender's path is never written), rate-limited, then one roll-up per refusal code with a count.
 * The limiter on a fake clock; the HTTP front end with the project's real audit trail (the
 * roll-up in the JSONL file, `hush audit verify` and `report` read it); and `startGateway`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { openConfiguredManager } from "../../src/config/open.js";
import { activateRoute } from "../../src/gateway/active-route.js";
import { gatewayActor } from "../../src/gateway/audit.js";
import { createEngine } from "../../src/gateway/engine.js";
import { listenGateway } from "../../src/gateway/listen.js";
import { planRoutes } from "../../src/gateway/routes.js";
import { createUnroutedAudit, type UnroutedRecord } from "../../src/gateway/unrouted-audit.js";
import { startGateway } from "../../src/index.js";
import { buildCli, hushSet, runHushBinary } from "../helpers/run-binary.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { rawRequest, tempProject, testKey } from "./helpers.js";

const KEY = testKey();
const MARKER = "attacker-chosen-9f3k2";
let cli: string;
let cleanupCli: () => void;
let upstream: FakeUpstream;
let project: { dir: string; cleanup(): void };

beforeAll(async () => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  upstream = await startFakeUpstream();
  project = tempProject(`version: 1
gateway:
  routes:
    - name: api
      upstream: ${upstream.url}
      secret: api_key
`);
  hushSet(cli, project.dir, "api_key", KEY);
});

afterAll(async () => {
  await upstream?.close();
  project?.cleanup();
  cleanupCli?.();
});

type AuditLine = { action: string; outcome: string; source: string | null; errorCode: string | null; count?: number; last?: string; detail?: Record<string, unknown> };
const readLog = () => readFileSync(join(project.dir, ".secrets/audit.dev.jsonl"), "utf8");
const unroutedLines = (log: string) => log.trim().split("\n").map((l) => JSON.parse(l) as AuditLine).filter((r) => r.action === "gateway-request" && r.detail?.route === "-");

function raw(url: string, text: string): Promise<string> {
  const port = Number(new URL(url).port);
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => s.write(text));
    let out = "";
    s.on("data", (c) => (out += c.toString()));
    s.on("close", () => resolve(out));
    s.on("error", () => resolve(out));
  });
}

describe("the limiter of unrouted records", () => {
  it("writes perWindow records a window, then one roll-up per code with the count", () => {
    let clock = 0;
    const out: UnroutedRecord[] = [];
    const limiter = createUnroutedAudit((r) => out.push(r), { perWindow: 2, windowMs: 1000, now: () => clock });
    const refuse = (errorCode: string, status: number) => limiter.add({ status, errorCode, method: "GET", bytesOut: 10, latencyMs: 1 });
    for (let i = 0; i < 5; i++) refuse("no-such-route", 404);
    refuse("wrong-host", 421);
    expect(out).toHaveLength(2);
    clock = 999;
    refuse("no-such-route", 404);
    expect(out).toHaveLength(2);
    clock = 1000; // a new window: the last one's roll-ups first, then records again
    refuse("wrong-host", 421);
    expect(out.map((r) => [r.errorCode, r.rollup?.count, r.method, r.bytesOut])).toEqual([
      ["no-such-route", undefined, "GET", 10],
      ["no-such-route", undefined, "GET", 10],
      ["no-such-route", 4, "-", 40],
      ["wrong-host", 1, "-", 10],
      ["wrong-host", undefined, "GET", 10],
    ]);
    expect(out[2]!.rollup!.first.getTime()).toBe(0);
    expect(out[2]!.rollup!.last.getTime()).toBe(999);
    limiter.flush();
    expect(out).toHaveLength(5);
  });
});

describe("refused requests that match no route", () => {
  it("are audited over HTTP without their path, rate-limited into a roll-up; the log verifies and reports", async () => {
    const opened = await openConfiguredManager({ cwd: project.dir, env: {} });
    const plan = planRoutes([{ name: "api", upstream: upstream.url, secret: "api_key" }], ["api"])[0]!;
    const route = activateRoute(plan, KEY);
    const engine = createEngine({
      routes: new Map([["api", route]]), runId: "run-unrouted", environment: "dev", actor: gatewayActor("test"), revocations: undefined,
      record: (e) => opened.audit!.record(e), auditRequired: false, upstreamTimeoutMs: 5000, onWarning: () => undefined,
      unroutedAudit: { perWindow: 6, windowMs: 1e9 },
    });
    const listening = await listenGateway(engine, { port: 0 }, { headersTimeoutMs: 5000, requestTimeoutMs: 5000 });
    const url = listening.url;
    const host = new URL(url).host;
    try {
      expect((await rawRequest(url, { path: `/${MARKER}/v1/x?token=${MARKER}` })).status).toBe(404);
      expect((await rawRequest(url, { path: `/api/v1/x`, headers: { host: `${MARKER}.example` } })).status).toBe(421);
      expect((await rawRequest(url, { path: `http://${MARKER}.example/x` })).status).toBe(400);
      expect(await raw(url, `CONNECT ${MARKER}.example:443 HTTP/1.1\r\nhost: ${MARKER}.example:443\r\n\r\n`)).toMatch(/^HTTP\/1\.1 405/);
      expect(await raw(url, `GET /${MARKER} HTTP/1.1\r\nhost: ${host}\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n`)).toMatch(/^HTTP\/1\.1 501/);
      expect(await raw(url, `${MARKER} / HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
      for (let i = 0; i < 5; i++) expect((await rawRequest(url, { method: "POST", path: `/${MARKER}-${i}` })).status).toBe(404);
    } finally {
      await listening.close();
      route.agent.destroy();
    }
    engine.flushAudit();
    await opened.manager.dispose();
    const log = readLog();
    expect(log).not.toContain(MARKER);
    expect(log).not.toContain(KEY);
    const lines = unroutedLines(log);
    expect(lines.map((r) => [r.errorCode, r.detail!.status, r.detail!.method, r.count])).toEqual([
      ["no-such-route", 404, "GET", undefined],
      ["wrong-host", 421, "GET", undefined],
      ["absolute-target", 400, "GET", undefined],
      ["connect-refused", 405, "CONNECT", undefined],
      ["upgrade-refused", 501, "GET", undefined],
      ["bad-request", 400, "-", undefined],
      ["no-such-route", 404, "-", 5],
    ]);
    for (const r of lines) {
      expect(r).toMatchObject({ outcome: "denied", source: "gateway", detail: { route: "-", path: "-", runId: "run-unrouted", via: "http", bytesIn: 0 } });
    }
    expect(typeof lines.at(-1)!.last).toBe("string");
    const verify = await runHushBinary(cli, ["audit", "verify"], { cwd: project.dir });
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    const report = await runHushBinary(cli, ["audit", "report"], { cwd: project.dir });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/\n\s*-\s+id:[0-9a-f]+\s+11\s+11/);
    expect(report.stdout + report.stderr).not.toContain(MARKER);
  });

  it("are audited by a gateway that startGateway runs", async () => {
    const before = unroutedLines(readLog()).length;
    const gateway = await startGateway({ cwd: project.dir, env: {}, onWarning: () => undefined });
    try {
      expect((await rawRequest(gateway.url!, { path: `/${MARKER}/x` })).status).toBe(404);
      expect((await rawRequest(gateway.url!, { path: `/api/x`, headers: { host: "elsewhere.example" } })).status).toBe(421);
    } finally {
      await gateway.close();
    }
    const lines = unroutedLines(readLog()).slice(before);
    expect(lines.map((r) => [r.errorCode, r.detail!.status, r.detail!.runId === gateway.runId])).toEqual([
      ["no-such-route", 404, true],
      ["wrong-host", 421, true],
    ]);
    expect(readLog()).not.toContain(MARKER);
  });
});
