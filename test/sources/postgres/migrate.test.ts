import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { migrateSchema, readSchemaVersion, assertSchemaVersion } from "../../../src/sources/postgres/migrate.js";
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from "../../../src/sources/postgres/migrations.js";
import { HushError } from "../../../src/errors.js";
import { createAdmin, TEST_DATABASE_URL } from "../../helpers/postgres.js";

const admin = createAdmin();
afterAll(() => admin.end());

describe("postgres migrations", () => {
  it("creates the schema once; a second run applies nothing", async () => {
    const schema = admin.schema();
    expect(await readSchemaVersion(admin.pool, schema)).toBe(0);
    const first = await migrateSchema(admin.pool, schema);
    expect(first).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    expect(first.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const second = await migrateSchema(admin.pool, schema);
    expect(second).toMatchObject({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    expect(await readSchemaVersion(admin.pool, schema)).toBe(SCHEMA_VERSION);
  });

  it("two migrators at once, on separate connections: both succeed, each migration applied once", async () => {
    const schema = admin.schema();
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => migrateSchema(p, schema)));
      expect(results.flatMap((r) => r.applied).length).toBe(MIGRATIONS.length);
      const rows = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("a failing migration leaves the schema as it was (one transaction)", async () => {
    const schema = admin.schema();
    const broken: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: "broken", sql: (s) => `CREATE TABLE ${s}.extra (x int); SELECT no_such_function()` }];
    await expect(migrateSchema(admin.pool, schema, broken)).rejects.toBeDefined();
    expect(await readSchemaVersion(admin.pool, schema)).toBe(0);
    await migrateSchema(admin.pool, schema);
    await expect(migrateSchema(admin.pool, schema, broken)).rejects.toBeDefined();
    expect(await readSchemaVersion(admin.pool, schema)).toBe(SCHEMA_VERSION);
    expect((await admin.query("SELECT to_regclass($1) AS t", [`"${schema}".extra`])).rows[0].t).toBeNull();
  });

  it("a schema newer than this hush knows: migrate refuses, writes are refused, reads allowed", async () => {
    const schema = admin.schema();
    const newer: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: "from the future", sql: (s) => `CREATE TABLE ${s}.future (x int)` }];
    await migrateSchema(admin.pool, schema, newer);
    const e = await migrateSchema(admin.pool, schema).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("SCHEMA_MISMATCH");
    expect((e as HushError).message).toMatch(/newer than this hush knows/);
    const version = await readSchemaVersion(admin.pool, schema);
    expect(() => assertSchemaVersion(version, schema, true)).toThrow(/refuses to write/);
    expect(() => assertSchemaVersion(version, schema, false)).not.toThrow();
    const missing = (() => {
      try {
        assertSchemaVersion(0, schema, false);
      } catch (x) {
        return x as HushError;
      }
    })();
    expect(missing?.hint).toMatch(/hush db migrate/);
  });
});
