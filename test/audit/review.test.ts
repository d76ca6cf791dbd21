import { describe, expect, it } from "vitest";
import { chainEntry, GENESIS_HASH, type AuditRecord } from "../../src/audit/record.js";
import { secretIdOf } from "../../src/audit/secret-id.js";
import { reviewAccess, type AccessReview } from "../../src/audit/review.js";
import { formatReviewMarkdown, formatReviewText } from "../../src/audit/review-format.js";
import { buildAccessReport, formatAccessReport } from "../../src/audit/report.js";

const idKey = Buffer.alloc(32, 7);
const idOf = (n: string) => secretIdOf(idKey, n);
const NOW = new Date("2026-06-30T12:00:00.000Z");

/** The fixture: a known log and config, with the review's answer written out below. */
function fixture(): AuditRecord[] {
  const raw: [string, string, string][] = []; // [time, name, user@host]
  const day = (d: Date) => d.toISOString().slice(0, 10);
  for (let t = Date.parse("2026-03-01T13:00:00Z"); t <= Date.parse("2026-06-30T13:00:00Z"); t += 86_400_000) {
    const reads = day(new Date(t)) === "2026-06-15" ? 80 : 10;
    for (let i = 0; i < reads; i++) raw.push([new Date(t + i * 1000).toISOString(), "openai_api_key", "alice@box"]);
  }
  raw.push(["2026-06-20T09:00:00.000Z", "openai_api_key", "mallory@evil"], ["2026-06-20T09:05:00.000Z", "openai_api_key", "mallory@evil"]);
  raw.push(["2026-05-01T08:00:00.000Z", "database_password", "alice@box"]);
  raw.push(["2026-02-01T08:00:00.000Z", "stripe_key", "bob@ci"]);
  for (let i = 0; i < 3; i++) raw.push([`2026-06-0${i + 1}T08:00:00.000Z`, "deleted_key", "bob@ci"]);
  raw.sort((a, b) => a[0].localeCompare(b[0]));
  let prev = GENESIS_HASH;
  return raw.map(([time, name, who], i) => {
    const [user, host] = who.split("@") as [string, string];
    const r = chainEntry({ time, env: "dev", secretId: idOf(name), action: "read", outcome: "served", source: "local", version: 1, errorCode: null, actor: { user, host, pid: 100 + (i % 3), command: "node agent.js" } }, i + 1, prev);
    prev = r.hash;
    return r;
  });
}

const META = {
  openai_api_key: { owner: "platform", description: "planner agent", type: "llm-api-key" },
  database_password: { owner: "data", type: "database-password" },
  legacy_token: { owner: "platform", description: "old CI token", type: "service-account" },
  never_rotated: { owner: "x", description: "y", type: "llm-api-key", rotationDays: null },
};
const LAST_ROTATION = {
  openai_api_key: new Date("2026-01-01T12:00:00.000Z"),
  database_password: new Date("2026-06-10T12:00:00.000Z"),
  never_rotated: new Date("2020-01-01T00:00:00.000Z"),
};

describe("quarterly access review", () => {
  it("finds exactly the known answer on the fixture", async () => {
    const review = await reviewAccess({ records: fixture(), secrets: ["openai_api_key", "database_password", "stripe_key"], secretsMeta: META, lastRotation: LAST_ROTATION, idOf, now: NOW, days: 90 });
    const expected: AccessReview = {
      window: { from: "2026-04-01T12:00:00.000Z", to: "2026-06-30T12:00:00.000Z", days: 90 },
      secrets: ["database_password", "legacy_token", "never_rotated", "openai_api_key", "stripe_key"],
      unused: [
        { name: "legacy_token", lastRead: undefined },
        { name: "never_rotated", lastRead: undefined },
        { name: "stripe_key", lastRead: "2026-02-01T08:00:00.000Z" },
      ],
      missingMetadata: [
        { name: "database_password", missing: ["description"] },
        { name: "stripe_key", missing: ["owner", "description"] },
      ],
      rotationOverdue: [{ name: "openai_api_key", type: "llm-api-key", policyDays: 90, lastRotation: "2026-01-01T12:00:00.000Z", daysOverdue: 90 }],
      rotationUnknown: [{ name: "legacy_token", type: "service-account", policyDays: 90 }],
      unusual: [
        { kind: "new-actor", name: "openai_api_key", actor: "mallory@evil", firstSeen: "2026-06-20T09:00:00.000Z" },
        { kind: "burst", name: "openai_api_key", day: "2026-06-15", count: 80, baseline: 10 },
      ],
      actors: { database_password: ["alice@box"], openai_api_key: ["alice@box", "mallory@evil"] },
      unknownIds: 3,
    };
    expect(review).toEqual(expected);
  });

  it("has no baseline for new actors without history before the window, nor bursts without 7 other days", async () => {
    const recs = fixture().filter((r) => r.time >= "2026-06-25");
    const review = await reviewAccess({ records: recs, secrets: ["openai_api_key"], idOf, now: NOW, days: 5 });
    expect(review.unusual).toEqual([]);
  });

  it("renders text and markdown with every section, and the report aggregates processes", async () => {
    const review = await reviewAccess({ records: fixture(), secrets: ["openai_api_key", "database_password", "stripe_key"], secretsMeta: META, lastRotation: LAST_ROTATION, idOf, now: NOW });
    const text = formatReviewText(review);
    expect(text).toContain("Rotation overdue (1)");
    expect(text).toMatch(/openai_api_key\s+burst\s+80 reads on 2026-06-15 \(baseline 10\/day\)/);
    expect(text).toMatch(/openai_api_key\s+new-actor\s+mallory@evil first seen 2026-06-20 09:00Z/);
    const md = formatReviewMarkdown(review);
    expect(md).toContain("| SECRET | TYPE | POLICY | LAST ROTATION | OVERDUE |");
    const names: Record<string, string> = Object.fromEntries(["openai_api_key", "database_password", "stripe_key"].map((n) => [idOf(n), n]));
    const rows = await buildAccessReport(fixture(), (id) => names[id]);
    expect(rows[0]).toMatchObject({ name: "openai_api_key", reads: 10 * 122 + 70 + 2, actors: ["alice@box", "mallory@evil"], processes: 5, sources: ["local"], firstAccess: "2026-03-01T13:00:00.000Z" });
    expect(rows.find((r) => r.name === undefined)).toMatchObject({ reads: 3 });
    expect(formatAccessReport(rows)).toMatch(/^SECRET\s+SOURCE\s+READS/);
  });
});
