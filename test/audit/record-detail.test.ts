/**
 * A gateway record's `detail` is written by the batched writer from its parts (record.ts,
 * encodeRecord): its bytes, which the chain hash covers, must be exactly JSON.stringify's for
 * every detail, odd ones included (quotes, control characters, non-ASCII, fractions, -0, 1e21,
 * NaN, a field of the wrong type or missing), and `verify` must accept them.
 */
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { encodeRecord, hashRecord, type AuditEntry } from "../../src/audit/record.js";
import type { GatewayRequestDetail } from "../../src/types.js";

const base: GatewayRequestDetail = { route: "openai", method: "GET", path: "/v1/models", status: 200, bytesIn: 0, bytesOut: 1234, latencyMs: 0.512, runId: "0b6f7c9e-3d2a-4f7e-9a51-8c2b1d3e4f5a", via: "http" };

const odd: Partial<Record<keyof GatewayRequestDetail, unknown>>[] = [
  {},
  { path: '/v1/"quoted"/back\\slash/\u0001ctl/\u2028/é/😀' },
  { method: "post", route: "my-route_2" },
  { latencyMs: 0.1 + 0.2, bytesOut: 2 ** 53 + 2, status: 0 },
  { latencyMs: -0, bytesIn: 1e21 },
  { latencyMs: Number.NaN, bytesOut: Number.POSITIVE_INFINITY },
  { status: "200" },
  { runId: undefined },
];

const entry = (detail: GatewayRequestDetail): AuditEntry => ({
  time: "2026-11-29T23:00:00.000Z",
  env: "dev",
  secretId: "s_abc",
  action: "gateway-request",
  outcome: "served",
  source: "gateway:openai",
  version: null,
  errorCode: null,
  actor: { user: "alice", host: "box", pid: 42, command: "hush gateway" },
  detail,
});

describe("encodeRecord: a gateway record's detail", () => {
  it.each(odd.map((o) => [JSON.stringify(o) ?? "{}", o] as const))("is JSON.stringify's bytes, hashed as such: %s", (_name, change) => {
    const detail = { ...base, ...change } as GatewayRequestDetail;
    const e = entry(detail);
    const prev = "ab".repeat(32);
    const { line, hash } = encodeRecord(e, 7, prev);
    const ordered = { route: detail.route, method: detail.method, path: detail.path, status: detail.status, bytesIn: detail.bytesIn, bytesOut: detail.bytesOut, latencyMs: detail.latencyMs, runId: detail.runId, via: detail.via };
    const record = { v: 2, seq: 7, prev, time: e.time, env: e.env, secretId: e.secretId, action: e.action, outcome: e.outcome, source: e.source, version: e.version, errorCode: e.errorCode, actor: e.actor, detail: ordered };
    const body = JSON.stringify(record).slice(0, -1);
    expect(line).toBe(`${body},"hash":"${createHash("sha256").update(body, "utf8").digest("hex")}"}`);
    // What verify recomputes from the parsed line.
    expect(hashRecord(JSON.parse(line) as object)).toBe(hash);
  });
});
