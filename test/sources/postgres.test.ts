// The postgres source against the real server (127.0.0.1:5432): the shared conformance suite, one
// fresh environment per case in one migrated schema of this file (dropped at the end).
import { afterAll, beforeAll } from "vitest";
import pg from "pg";
import { generateFernetKey, parseFernetKey } from "../../src/crypto/fernet.js";
import { createPostgresSource, type PostgresSource } from "../../src/sources/postgres.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, randomName, TEST_DATABASE_URL } from "../helpers/postgres.js";
import { describeSourceConformance } from "./conformance/suite.js";

const NOT_HTTP = "not an HTTP backend: the PostgreSQL protocol has no status codes, Retry-After, wire JSON or expiring tokens; its faults (terminated backend, 40001, full pool, statement timeout) are in test/sources/postgres/faults.test.ts";

const admin = createAdmin();
const schema = admin.schema();
beforeAll(() => migrateSchema(admin.pool, schema));
afterAll(() => admin.end());

describeSourceConformance(
  "postgres",
  {
    async create() {
      const key = parseFernetKey(generateFernetKey());
      const environment = randomName("conf");
      const make = (): PostgresSource => createPostgresSource({ url: TEST_DATABASE_URL, schema, environment, secretsDir: "/nonexistent", key, poolSize: 4, statementTimeoutMs: 1000 });
      let holder: pg.Client | undefined;
      const source = make();
      const writer = make();
      return {
        source,
        async seed(values) {
          await source.listening(); // a write made before the listener is in place is not a change it saw
          await writer.setMany(Object.entries(values));
        },
        async breakIt() {
          await admin.query(`UPDATE "${schema}".versions SET box = set_byte(box, 20, get_byte(box, 20) # 1) WHERE secret_id IN (SELECT secret_id FROM "${schema}".secrets WHERE environment = $1)`, [environment]);
        },
        faults: {
          /** The versions table locked by another transaction: every read waits past the statement timeout. */
          async slow() {
            holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
            await holder.connect();
            await holder.query("BEGIN");
            await holder.query(`LOCK TABLE "${schema}".versions IN ACCESS EXCLUSIVE MODE`);
          },
          async heal() {
            await holder?.query("ROLLBACK");
            await holder?.end();
            holder = undefined;
          },
        },
        async cleanup() {
          await holder?.end().catch(() => undefined);
          await Promise.all([source.dispose(), writer.dispose()]);
        },
      };
    },
  },
  {
    skips: {
      rateLimited: NOT_HTTP,
      serverErrors: NOT_HTTP,
      malformed: NOT_HTTP,
      tokenExpiry: NOT_HTTP,
      denied: "PostgreSQL grants are per table, not per secret: a role without access is ACCESS_DENIED for every read (test/sources/postgres/roles.test.ts)",
      deleted: "delete is soft and reads as absent (the write case requires it; `hush restore` undoes it); the version under the `current` label is never purged",
    },
  },
);
