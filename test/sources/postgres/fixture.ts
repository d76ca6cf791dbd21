/** One migrated schema per test file, sources made on it, and failure checks that look for leaks. */
import { afterAll, beforeAll, expect } from "vitest";
import { generateFernetKey, parseFernetKey, type FernetKey } from "../../../src/crypto/fernet.js";
import { HushError, type HushErrorCode } from "../../../src/errors.js";
import { createPostgresSource, type PostgresSource, type PostgresSourceOptions } from "../../../src/sources/postgres.js";
import { migrateSchema } from "../../../src/sources/postgres/migrate.js";
import { createAdmin, randomName, TEST_DATABASE_URL } from "../../helpers/postgres.js";

/** Sets up the file's schema; `source()` makes sources disposed at the end. */
export function postgresFixture() {
  const admin = createAdmin();
  const schema = admin.schema();
  const made: PostgresSource[] = [];
  beforeAll(() => migrateSchema(admin.pool, schema));
  afterAll(async () => {
    for (const s of made) await s.dispose();
    await admin.end();
  });
  return {
    admin,
    schema,
    /** A fresh environment name and key. */
    store(): { environment: string; key: FernetKey } {
      return { environment: randomName("env"), key: parseFernetKey(generateFernetKey()) };
    },
    source(options: Partial<PostgresSourceOptions> & { environment: string; key?: FernetKey }): PostgresSource {
      const s = createPostgresSource({ url: TEST_DATABASE_URL, schema, secretsDir: "/nonexistent", poolSize: 4, ...options });
      made.push(s);
      return s;
    },
    /** Runs SQL on the file's schema (`{s}` is replaced by the quoted schema). */
    sql(text: string, values?: unknown[]) {
      return admin.query(text.replaceAll("{s}", `"${schema}"`), values);
    },
  };
}

/** Awaits a call that must fail with `code` and checks that none of `values` leaked into the error. */
export async function expectFailure(call: Promise<unknown>, code: HushErrorCode, values: string[] = []): Promise<HushError> {
  const e = await call.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(HushError);
  const err = e as HushError;
  expect(err.code, err.message).toBe(code);
  const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.hint} ${err.stack ?? ""}`;
  for (const v of [...values, "CANARY"]) expect(text.includes(v), "a value leaked into an error").toBe(false);
  return err;
}
