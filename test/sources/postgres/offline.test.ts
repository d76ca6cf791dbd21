// The postgres source's offline cache (the remote toolkit's last-known-good copies): served with
// a warning and marked stale while PostgreSQL cannot answer, refused past maxStaleness.
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_DATABASE_URL } from "../../helpers/postgres.js";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();
const dir = mkdtempSync(join(tmpdir(), "hush-pg-offline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VALUE = "sk-CANARY-offline-0123456789abcdef";

describe("postgres offlineCache", () => {
  it("unreachable: the last-known-good copy is served with a warning and marked stale; too old: refused; never silent", async () => {
    let clock = Date.now();
    const warnings: string[] = [];
    const offline = join(dir, "offline");
    const s = fx.source({ ...fx.store(), statementTimeoutMs: 500, attempts: 1, onWarning: (m) => warnings.push(m), offlineCache: { maxStalenessMs: 3_600_000, dir: offline, now: () => clock } });
    await s.set("kept_offline", VALUE);
    expect((await s.get("kept_offline"))?.stale).toBeUndefined();
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`LOCK TABLE "${fx.schema}".versions IN ACCESS EXCLUSIVE MODE`);
      clock += 60_000;
      const served = await s.get("kept_offline");
      expect(served?.value).toBe(VALUE);
      expect(served?.stale).toBe(true);
      expect(warnings.join("\n")).toMatch(/serving the last-known-good copy of kept_offline/);
      expect(warnings.join("\n")).not.toContain(VALUE);
      clock += 2 * 3_600_000;
      await expectFailure(s.get("kept_offline"), "SOURCE_UNAVAILABLE", [VALUE]);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
    expect((await s.get("kept_offline"))?.stale, "served live again").toBeUndefined();
    await s.dispose();
    expect(statSync(offline).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(offline)) {
      expect(statSync(join(offline, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(offline, f), "latin1")).not.toContain(VALUE);
    }
    expect(readdirSync(offline).length).toBeGreaterThan(0);
  });
});
