/**
 * The pipeline's audit: one record per request, served or refused, through the given hook; with
 * `audit: required`, a record that fails to be written stops further requests (503) until one is
 * written again. Driven through `callRoute` (what `Gateway.call` runs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activateRoute } from "../../src/gateway/active-route.js";
import { callRoute } from "../../src/gateway/call.js";
import { createEngine } from "../../src/gateway/engine.js";
import { planRoutes } from "../../src/gateway/routes.js";
import type { AccessEvent } from "../../src/types.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { testKey } from "./helpers.js";

const KEY = testKey();
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream?.close());

function engineWith(record: (e: AccessEvent) => Promise<void> | void, auditRequired: boolean) {
  const plan = planRoutes([{ name: "api", upstream: upstream.url, secret: "api_key", allow: ["GET /ok"] }], ["api"])[0]!;
  const route = activateRoute(plan, KEY);
  const warnings: string[] = [];
  const engine = createEngine({
    routes: new Map([["api", route]]), runId: "run-1", environment: "dev", actor: { user: "u", host: "h", pid: 1, command: "test" },
    revocations: undefined, record, auditRequired, upstreamTimeoutMs: 5000, onWarning: (m) => warnings.push(m),
  });
  return { engine, warnings, close: () => route.agent.destroy() };
}

describe("the pipeline's audit records", () => {
  it("records served and refused requests via mcp, without a key or a query", async () => {
    const events: AccessEvent[] = [];
    const { engine, close } = engineWith((e) => void events.push(e), false);
    try {
      expect((await callRoute(engine, { route: "api", method: "GET", path: "/ok?secret=1" }, 1024)).status).toBe(200);
      expect((await callRoute(engine, { route: "api", method: "POST", path: "/no" }, 1024)).status).toBe(403);
      expect(events.map((e) => [e.outcome, e.errorCode, e.detail?.status, e.detail?.via, e.detail?.path])).toEqual([
        ["served", undefined, 200, "mcp", "/ok"],
        ["denied", "not-allowed", 403, "mcp", "/no"],
      ]);
      expect(JSON.stringify(events)).not.toContain(KEY);
      expect(JSON.stringify(events)).not.toContain("secret=1");
      await callRoute(engine, { route: "api", method: "GET", path: `/v1/a.${KEY}.b/hush_h_abc` }, 1024);
      expect(events.at(-1)!.detail!.path).toBe("/v1/a.:key.b/:handle");
    } finally {
      close();
    }
  });

  it("audit: required refuses further requests (503) while records fail, and recovers", async () => {
    let failing = true;
    const { engine, warnings, close } = engineWith(() => (failing ? Promise.reject(new Error("disk full")) : Promise.resolve()), true);
    try {
      expect((await callRoute(engine, { route: "api", method: "GET", path: "/ok" }, 1024)).status).toBe(200);
      await new Promise((r) => setImmediate(r));
      const refused = await callRoute(engine, { route: "api", method: "GET", path: "/ok" }, 1024);
      expect(refused.status).toBe(503);
      expect(JSON.parse(Buffer.from(refused.body).toString()).error.code).toBe("audit-failed");
      expect(warnings).toHaveLength(1);
      failing = false;
      await callRoute(engine, { route: "api", method: "GET", path: "/ok" }, 1024); // its record is written: the gateway recovers
      await new Promise((r) => setImmediate(r));
      expect((await callRoute(engine, { route: "api", method: "GET", path: "/ok" }, 1024)).status).toBe(200);
    } finally {
      close();
    }
  });
});
