// Real roles: `hush db grant` read / write, and what each can do. A reader reads versions (and
// opens them only with the environment's key, never in the database) and nothing else.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { applyGrant } from "../../../src/sources/postgres/admin.js";
import { urlAs } from "../../helpers/postgres.js";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();
const VALUE = "sk-CANARY-roles-0123456789abcdef";

async function asRole(role: string, sql: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: urlAs(role) });
  await c.connect();
  try {
    await c.query(sql.replaceAll("{s}", `"${fx.schema}"`));
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  } finally {
    await c.end();
  }
}

describe("postgres roles", () => {
  it("a reader reads versions and nothing else; a writer writes but cannot change the schema; no role sees a plaintext", async () => {
    const [reader, writer, stranger] = [await fx.admin.role("hush_reader"), await fx.admin.role("hush_writer"), await fx.admin.role("hush_none")];
    await applyGrant(fx.admin.pool, fx.schema, reader, "read");
    await applyGrant(fx.admin.pool, fx.schema, writer, "write");
    const store = fx.store();
    const w = fx.source({ ...store, url: urlAs(writer) });
    await w.set("shared_key", VALUE);
    await w.set("shared_key", `${VALUE}-2`);

    const r = fx.source({ ...store, url: urlAs(reader) });
    expect((await r.get("shared_key"))?.value).toBe(`${VALUE}-2`);
    expect((await r.versions("shared_key")).length).toBe(2);
    expect((await r.getVersion("shared_key", 1))?.value).toBe(VALUE);
    expect(await r.list()).toEqual(["shared_key"]);
    await expectFailure(r.set("shared_key", "x-CANARY"), "ACCESS_DENIED", [VALUE]);
    await expectFailure(r.delete("shared_key"), "ACCESS_DENIED", [VALUE]);
    await expectFailure(r.rollback("shared_key", 1), "ACCESS_DENIED", [VALUE]);
    expect((await r.check()).detail).toMatch(/read-only/);
    for (const sql of [
      "INSERT INTO {s}.changes (environment, secret_id) VALUES ('x', 1)",
      "UPDATE {s}.versions SET version = version",
      "UPDATE {s}.secrets SET deleted_at = now()",
      "DELETE FROM {s}.versions",
      "DELETE FROM {s}.secrets",
      "TRUNCATE {s}.versions",
      "CREATE TABLE {s}.mine (x int)",
    ]) {
      expect(await asRole(reader, sql), `reader: ${sql}`).toBe("42501");
    }
    expect(await asRole(writer, "CREATE TABLE {s}.mine (x int)"), "a writer cannot change the schema").toBe("42501");
    expect(await asRole(writer, "TRUNCATE {s}.versions"), "a writer cannot truncate").toBe("42501");

    // Everything a reader can select, as text: no plaintext anywhere.
    const c = new pg.Client({ connectionString: urlAs(reader) });
    await c.connect();
    try {
      const tables = await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [fx.schema]);
      let seen = "";
      for (const { table_name } of tables.rows) seen += JSON.stringify((await c.query(`SELECT * FROM "${fx.schema}"."${table_name}"`)).rows);
      expect(seen.length).toBeGreaterThan(100);
      for (const text of [VALUE, "shared_key", Buffer.from(VALUE).toString("hex")]) expect(seen.includes(text)).toBe(false);
    } finally {
      await c.end();
    }

    const none = fx.source({ ...store, url: urlAs(stranger) });
    await expectFailure(none.get("shared_key"), "ACCESS_DENIED", [VALUE]);
    expect((await none.check()).ok).toBe(false);
  });
});

describe("postgres readUrl", () => {
  it("reads go to readUrl, writes to url: a read role that loses its access fails reads, writes still succeed", async () => {
    const [reader, writer] = [await fx.admin.role("hush_replica"), await fx.admin.role("hush_primary")];
    await applyGrant(fx.admin.pool, fx.schema, reader, "read");
    await applyGrant(fx.admin.pool, fx.schema, writer, "write");
    const s = fx.source({ ...fx.store(), url: urlAs(writer), readUrl: urlAs(reader) });
    await s.set("replicated", VALUE);
    expect((await s.get("replicated"))?.value).toBe(VALUE);
    await fx.sql(`REVOKE SELECT ON {s}.versions FROM "${reader}"`);
    await expectFailure(s.get("replicated"), "ACCESS_DENIED", [VALUE]);
    expect((await s.set("replicated", `${VALUE}-2`)).version).toBe(2);
  });
});
