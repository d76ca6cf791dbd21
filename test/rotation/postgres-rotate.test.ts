/**
 * `hush rotate` (the library's rotateSecret) on the postgres source runs the rotate-on-a-staging-
 * source suite (./conformance/staging-source.ts): the new value is the pending version while reads
 * serve the old one, finish makes it current in one transaction, a second rotation during the first
 * is refused, a rotation cut after its stage is finished by --resume (revoking the OLD value).
 * SIGKILL-then-resume is in crash-resume.test.ts, --discard in discard.test.ts.
 */
import { afterAll } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import type { SecretSource } from "../../src/types.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";
import { describeRotateOnSource, ROTATE_NAME, ROTATE_VALUES } from "./conformance/staging-source.js";
import { withSource } from "../helpers/project-source.js";

const admin = createAdmin();
afterAll(() => admin.end());


describeRotateOnSource(
  "postgres",
  {
    async create() {
      const schema = admin.schema(); // a fresh schema per project: a store is tied to one key
      await migrateSchema(admin.pool, schema);
      const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-pg-rotate-")));
      mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
      writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: postgres\n    options: { url: "${TEST_DATABASE_URL}", schema: ${schema} }\n`);
      await withSource(dir, (s) => s.set!(ROTATE_NAME, ROTATE_VALUES.OLD));
      const valueOf = (s: SecretSource, version: number) => s.getVersion!(ROTATE_NAME, version).then((r) => r?.value);
      return {
        dir,
        served: () => withSource(dir, async (s) => (await s.get(ROTATE_NAME))?.value),
        backend: {
          state: () => withSource(dir, async (s) => ({ labels: (await s.versions!(ROTATE_NAME)).map((v) => [v.version, v.labels]), values: [await valueOf(s, 1), await valueOf(s, 2)] })),
          staged: (value) => ({ labels: [[2, ["pending"]], [1, ["current"]]], values: [ROTATE_VALUES.OLD, value] }),
          promoted: (value) => ({ labels: [[2, ["current"]], [1, ["previous"]]], values: [ROTATE_VALUES.OLD, value] }),
        },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    skips: {
      cutFinish: "finish is one transaction: no step to cut between (a lost COMMIT reply is answered by a retried promote: test/sources/postgres/staging.test.ts)",
      unreachable: "the suite's faults are an HTTP backend's; an unreachable PostgreSQL is in test/sources/postgres/faults.test.ts and crash-resume.test.ts",
    },
  },
);
