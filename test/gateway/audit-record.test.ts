/**
 * The `gateway-request` record: its shape (route, method, path template, status, bytes,
 * latency, run, via; never a query, a body or a key), its place in the v2 hash chain (the JSONL
 * file and PostgreSQL keep `detail` and verify), the fast reader, and the report per route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gatewayEvent, pathTemplate } from "../../src/gateway/audit.js";
import { toEntry } from "../../src/audit/auditor.js";
import { chainEntry, encodeRecord, formatRecordLine, GENESIS_HASH, hashRecord, isAuditRecord, type AuditEntry } from "../../src/audit/record.js";
import { forEachAuditEntry, sumAuditEntries } from "../../src/audit/read-entries.js";
import { buildAccessReport, formatAccessReport } from "../../src/audit/report.js";
import { createPostgresAuditSink } from "../../src/audit/postgres-sink.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";

const actor = { user: "svc", host: "box", pid: 7, command: "hush gateway" };
const facts = { route: "stripe", secret: "stripe_key", method: "get", path: "/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15?expand[]=customer&email=a@b.c", status: 200, outcome: "served" as const, bytesIn: 0, bytesOut: 512, latencyMs: 1.23456, runId: "run-1", via: "http" as const };
const ids = { idOf: (n: string) => (n === "stripe_key" ? "ab".repeat(32) : "cd".repeat(32)) };

describe("the gateway's access record", () => {
  it("holds a path template, never the query, the body or a key", () => {
    const event = gatewayEvent(facts, "dev", actor);
    expect(event).toMatchObject({ name: "stripe_key", action: "gateway-request", outcome: "served", source: "gateway:stripe" });
    expect(event.detail).toEqual({ route: "stripe", method: "GET", path: "/v1/charges/:id", status: 200, bytesIn: 0, bytesOut: 512, latencyMs: 1.235, runId: "run-1", via: "http" });
    expect(JSON.stringify(event)).not.toMatch(/expand|email|ch_3Mml/);
  });

  it("collapses ids but keeps words and model names", () => {
    expect(pathTemplate("/v1/customers/cus_NffrFeUfNV2Hib/sources/123")).toBe("/v1/customers/:id/sources/:id");
    expect(pathTemplate("/v1beta/models/gemini-1.5-flash:generateContent")).toBe("/v1beta/models/gemini-1.5-flash:generateContent");
    expect(pathTemplate("/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(pathTemplate("/v1/files/0f8fad5b-d9cb-469f-a165-70867728950e")).toBe("/v1/files/:id");
  });

  it("chains with its detail: both encoders agree, the hash verifies, and a change to the detail breaks it", () => {
    const entry = toEntry(gatewayEvent(facts, "dev", actor), ids);
    const { line, hash } = encodeRecord(entry, 1, GENESIS_HASH);
    expect(line).toBe(formatRecordLine(chainEntry(entry, 1, GENESIS_HASH)));
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(isAuditRecord(parsed)).toBe(true);
    expect(hashRecord(parsed)).toBe(hash);
    expect(line.indexOf('"detail":')).toBeGreaterThan(line.indexOf('"actor":'));
    const edited = JSON.parse(line.replace('"status":200', '"status":403')) as object;
    expect(hashRecord(edited)).not.toBe(hash);
  });
});

describe("reading gateway records back", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hush-gw-audit-"));
    let prev = GENESIS_HASH;
    const lines: string[] = [];
    const entries: AuditEntry[] = [
      toEntry(gatewayEvent(facts, "dev", actor), ids),
      toEntry(gatewayEvent({ ...facts, status: 403, outcome: "denied", errorCode: "not-allowed", latencyMs: 0.2 }, "dev", actor), ids),
      toEntry(gatewayEvent({ ...facts, route: "openai", secret: "openai_api_key" }, "dev", actor), ids),
    ];
    entries.forEach((e, i) => {
      const { line, hash } = encodeRecord(e, i + 1, prev);
      lines.push(line);
      prev = hash;
    });
    writeFileSync(join(dir, "audit.jsonl"), lines.join("\n") + "\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the fast reader keeps the detail; the report counts requests and refusals per route", async () => {
    const seen: AuditEntry[] = [];
    await forEachAuditEntry(join(dir, "audit.jsonl"), (e) => seen.push(e));
    expect(seen.map((e) => e.detail?.status)).toEqual([200, 403, 200]);
    const rows = await buildAccessReport(seen, (id) => (id === "ab".repeat(32) ? "stripe_key" : "openai_api_key"));
    const stripe = rows.find((r) => r.name === "stripe_key")!;
    expect(stripe.gateway).toEqual([{ route: "stripe", requests: 2, refused: 1 }]);
    expect(stripe.writes).toBe(0);
    expect(formatAccessReport(rows)).toMatch(/GATEWAY ROUTE\s+SECRET\s+REQUESTS\s+REFUSED\nopenai\s+openai_api_key\s+1\s+0\nstripe\s+stripe_key\s+2\s+1/);
    const sums = await sumAuditEntries(join(dir, "audit.jsonl"));
    expect((await buildAccessReport(sums)).flatMap((r) => r.gateway ?? []).sort((a, b) => a.route.localeCompare(b.route))).toEqual([
      { route: "openai", requests: 1, refused: 0 },
      { route: "stripe", requests: 2, refused: 1 },
    ]);
    expect(readFileSync(join(dir, "audit.jsonl"), "utf8")).not.toMatch(/expand|email/);
  });
});

describe("token counts on a capped route", () => {
  it("follow `via` in the record, chain and verify, and the report sums them per route", async () => {
    const counted = { ...facts, route: "openai", secret: "openai_api_key", tokens: { input: 9, output: 5, estimated: false } };
    const estimated = { ...counted, tokens: { input: 120, output: 256, estimated: true } };
    const entries = [toEntry(gatewayEvent(counted, "dev", actor), ids), toEntry(gatewayEvent(estimated, "dev", actor), ids), toEntry(gatewayEvent(facts, "dev", actor), ids)];
    const { line, hash } = encodeRecord(entries[1]!, 1, GENESIS_HASH);
    expect(line).toContain('"via":"http","inputTokens":120,"outputTokens":256,"tokensEstimated":true}');
    expect(line).toBe(formatRecordLine(chainEntry(entries[1]!, 1, GENESIS_HASH)));
    expect(hashRecord(JSON.parse(line) as object)).toBe(hash);
    expect(encodeRecord(entries[0]!, 1, GENESIS_HASH).line).toContain('"via":"http","inputTokens":9,"outputTokens":5}');
    const rows = await buildAccessReport(entries, (id) => (id === "ab".repeat(32) ? "stripe_key" : "openai_api_key"));
    expect(rows.flatMap((r) => r.gateway ?? []).sort((x, y) => x.route.localeCompare(y.route))).toEqual([
      { route: "openai", requests: 2, refused: 0, inputTokens: 129, outputTokens: 261 },
      { route: "stripe", requests: 1, refused: 0 },
    ]);
    expect(formatAccessReport(rows)).toMatch(/GATEWAY ROUTE\s+SECRET\s+REQUESTS\s+REFUSED\s+TOKENS IN\s+TOKENS OUT\n(.*\n)*openai\s+openai_api_key\s+2\s+0\s+129\s+261\n/);
    expect(formatAccessReport(rows)).toMatch(/stripe\s+stripe_key\s+1\s+0\s+-\s+-/);
  });
});

describe("the postgres sink", () => {
  const admin = createAdmin();
  const schema = admin.schema();
  beforeAll(() => migrateSchema(admin.pool, schema));
  afterAll(() => admin.end());

  it("keeps the detail of a gateway record, and the chain verifies", async () => {
    const sink = createPostgresAuditSink({ url: TEST_DATABASE_URL, schema, environment: "gw" });
    try {
      await sink.append([toEntry(gatewayEvent(facts, "gw", actor), ids)], { durable: true, nameOf: () => undefined });
      const read = [];
      for await (const r of sink.read!()) read.push(r);
      expect(read[0]!.detail).toMatchObject({ route: "stripe", path: "/v1/charges/:id", status: 200 });
      expect((await sink.verify()).ok).toBe(true);
    } finally {
      await sink.close?.();
    }
  });
});
