// Faults of the postgres source against the real server: a terminated backend, serialization
// failures (40001), a full pool, a statement timeout, an unreachable server. Each is a typed
// error or converges, and no value leaks. (A server restart is not tested here: the server is
// shared with other test sessions, and restarting it would break their tests.)
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { createPostgresSource } from "../../../src/sources/postgres.js";
import { randomName, TEST_DATABASE_URL } from "../../helpers/postgres.js";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();
const VALUE = "sk-CANARY-fault-0123456789abcdef";

afterEach(async () => {
  await fx.sql("DROP TRIGGER IF EXISTS fault ON {s}.versions");
});

/** A BEFORE INSERT trigger on versions that runs `body` (plpgsql) while `times` calls of the sequence are left. */
async function faultTrigger(body: string, times: number): Promise<void> {
  const seq = randomName("fault_seq");
  await fx.sql(`CREATE SEQUENCE {s}.${seq}`);
  await fx.sql(`CREATE OR REPLACE FUNCTION {s}.${seq}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF nextval('{s}.${seq}') <= ${times} THEN ${body}; END IF; RETURN NEW; END $$`);
  await fx.sql(`CREATE TRIGGER fault BEFORE INSERT ON {s}.versions FOR EACH ROW EXECUTE FUNCTION {s}.${seq}_fn()`);
}

describe("postgres faults", () => {
  it("terminated backends (idle pool connections): the next read converges", async () => {
    const app = randomName("hush_app");
    const s = fx.source({ ...fx.store(), applicationName: app });
    await s.set("survivor", VALUE);
    await Promise.all([s.get("survivor"), s.get("survivor"), s.get("survivor")]);
    const killed = await fx.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [app]);
    expect(killed.rowCount).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await s.get("survivor"))?.value).toBe(VALUE);
  });

  it("a backend terminated in the middle of a write: retried, exactly one new version", async () => {
    const s = fx.source(fx.store());
    await s.set("mid_write", "v1-CANARY");
    await faultTrigger("PERFORM pg_terminate_backend(pg_backend_pid())", 1);
    const r = await s.set("mid_write", VALUE);
    expect(r.version).toBe(2);
    expect((await s.versions("mid_write")).map((v) => v.version)).toEqual([2, 1]);
    expect((await s.get("mid_write"))?.value).toBe(VALUE);
  });

  it("serialization failures (40001): retried and one version; past the bounded attempts a typed conflict, nothing written", async () => {
    const s = fx.source(fx.store());
    await faultTrigger("RAISE EXCEPTION 'injected' USING ERRCODE = '40001'", 2);
    expect((await s.set("serial", VALUE)).version).toBe(1);
    expect((await s.versions("serial")).length).toBe(1);
    await fx.sql("DROP TRIGGER fault ON {s}.versions");
    await faultTrigger("RAISE EXCEPTION 'injected' USING ERRCODE = '40001'", 1000);
    const e = await expectFailure(s.set("serial", "v2-CANARY"), "CONCURRENT_MODIFICATION", [VALUE]);
    expect(e.message).toMatch(/after every retry/);
    expect((await s.versions("serial")).length).toBe(1);
  });

  it("a statement timeout and a full pool: SOURCE_UNAVAILABLE saying which, no value; then it recovers", async () => {
    const s = fx.source({ ...fx.store(), poolSize: 1, statementTimeoutMs: 800, connectTimeoutMs: 200, attempts: 2 });
    await s.set("locked", VALUE);
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`LOCK TABLE "${fx.schema}".versions IN ACCESS EXCLUSIVE MODE`);
      const [slow, queued] = await Promise.allSettled([s.get("locked"), s.get("locked")]);
      const timedOut = await expectFailure(Promise.reject((slow as PromiseRejectedResult).reason), "SOURCE_UNAVAILABLE", [VALUE]);
      expect(timedOut.message).toMatch(/timed out \(statement timeout\)/);
      const full = await expectFailure(Promise.reject((queued as PromiseRejectedResult).reason), "SOURCE_UNAVAILABLE", [VALUE]);
      expect(full.message).toMatch(/no connection was free/);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
    expect((await s.get("locked"))?.value).toBe(VALUE);
  });

  it("an unreachable server: SOURCE_UNAVAILABLE for reads and writes, never 'not found'", async () => {
    const s = createPostgresSource({ url: "postgres://postgres@127.0.0.1:1/test", schema: fx.schema, ...fx.store(), secretsDir: "/nonexistent", attempts: 2, connectTimeoutMs: 500 });
    try {
      await expectFailure(s.get("anything"), "SOURCE_UNAVAILABLE");
      await expectFailure(s.set("anything", VALUE), "SOURCE_UNAVAILABLE", [VALUE]);
      const check = await s.check();
      expect(check.ok).toBe(false);
    } finally {
      await s.dispose();
    }
  });

  it("a schema newer than this hush: reads are served, writes refused (also after a read), nothing written", async () => {
    const store = fx.store();
    const s = fx.source(store);
    await s.set("future_proof", VALUE);
    await fx.sql("INSERT INTO {s}.schema_migrations (version, name, hush_version) VALUES (99, 'from a newer hush', '9.9.9')");
    try {
      const fresh = fx.source(store);
      expect((await fresh.get("future_proof"))?.value).toBe(VALUE);
      const e = await expectFailure(fresh.set("future_proof", "v2-CANARY"), "SCHEMA_MISMATCH", [VALUE]);
      expect(e.message).toMatch(/newer than this hush knows/);
      expect((await s.versions("future_proof")).length).toBe(1);
    } finally {
      await fx.sql("DELETE FROM {s}.schema_migrations WHERE version = 99");
    }
  });

  it("a schema that was never migrated: SCHEMA_MISMATCH naming `hush db migrate`", async () => {
    const s = createPostgresSource({ url: TEST_DATABASE_URL, schema: randomName("hush_none"), ...fx.store(), secretsDir: "/nonexistent" });
    try {
      const e = await expectFailure(s.get("anything"), "SCHEMA_MISMATCH");
      expect(e.hint).toMatch(/hush db migrate/);
    } finally {
      await s.dispose();
    }
  });
});
