// What is in the database: nothing readable (pg_dump), and ciphertexts bound to their row (FAULTS 20),
// checked by editing rows by hand with SQL.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { generateFernetKey, parseFernetKey } from "../../../src/crypto/fernet.js";
import { TEST_DATABASE_URL } from "../../helpers/postgres.js";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();
const VALUE_A = "sk-CANARY-value-a-0123456789";
const VALUE_B = "sk-CANARY-value-b-9876543210";

async function twoSecrets() {
  const { environment, key } = fx.store();
  const source = fx.source({ environment, key });
  await source.set("alpha_key", VALUE_A);
  await source.set("beta_key", VALUE_B);
  await source.set("alpha_key", `${VALUE_A}-v2`);
  const ids = await fx.sql("SELECT secret_id FROM {s}.secrets WHERE environment = $1 ORDER BY secret_id", [environment]);
  return { environment, key, source, alpha: ids.rows[0].secret_id as string, beta: ids.rows[1].secret_id as string };
}

describe("postgres envelope: ciphertexts are bound to their row", () => {
  it("a version's ciphertext copied to another secret does not decrypt (STORE_CORRUPT, no value in the error)", async () => {
    const { source, alpha, beta } = await twoSecrets();
    await fx.sql("UPDATE {s}.versions b SET box = a.box, wrapped_key = a.wrapped_key FROM {s}.versions a WHERE a.secret_id = $1 AND a.version = 1 AND b.secret_id = $2 AND b.version = 1", [alpha, beta]);
    await expectFailure(source.get("beta_key"), "STORE_CORRUPT", [VALUE_A, VALUE_B]);
    await expectFailure(source.getMany(["alpha_key", "beta_key"]), "STORE_CORRUPT", [VALUE_A, VALUE_B]);
    expect((await source.get("alpha_key"))?.value).toBe(`${VALUE_A}-v2`);
  });

  it("an old version's ciphertext copied into the current version does not decrypt", async () => {
    const { source, alpha } = await twoSecrets();
    await fx.sql("UPDATE {s}.versions v2 SET box = v1.box, wrapped_key = v1.wrapped_key FROM {s}.versions v1 WHERE v1.secret_id = $1 AND v1.version = 1 AND v2.secret_id = $1 AND v2.version = 2", [alpha]);
    await expectFailure(source.get("alpha_key"), "STORE_CORRUPT", [VALUE_A]);
    expect((await source.getVersion("alpha_key", 1))?.value, "the untouched version still opens").toBe(VALUE_A);
  });

  it("a row renumbered to another version, and a row moved to another secret, do not decrypt", async () => {
    const { source, alpha, beta } = await twoSecrets();
    await fx.sql("DELETE FROM {s}.versions WHERE secret_id = $1 AND version = 2", [alpha]);
    await fx.sql("UPDATE {s}.versions SET version = 2 WHERE secret_id = $1 AND version = 1", [alpha]);
    await expectFailure(source.get("alpha_key"), "STORE_CORRUPT", [VALUE_A]);
    await fx.sql("UPDATE {s}.versions SET secret_id = $2, version = 5 WHERE secret_id = $1", [alpha, beta]);
    await fx.sql("UPDATE {s}.secrets SET current_version = 5 WHERE secret_id = $1", [beta]);
    await expectFailure(source.get("beta_key"), "STORE_CORRUPT", [VALUE_A, VALUE_B]);
  });

  it("a ciphertext copied to another environment's store does not decrypt, even under the same key", async () => {
    const a = await twoSecrets();
    const otherEnv = fx.store().environment;
    const other = fx.source({ environment: otherEnv, key: a.key });
    await other.set("alpha_key", "other-CANARY-value");
    const otherId = (await fx.sql("SELECT secret_id FROM {s}.secrets WHERE environment = $1", [otherEnv])).rows[0].secret_id;
    await fx.sql("UPDATE {s}.versions o SET box = a.box, wrapped_key = a.wrapped_key FROM {s}.versions a WHERE a.secret_id = $1 AND a.version = 2 AND o.secret_id = $2", [a.alpha, otherId]);
    await expectFailure(other.get("alpha_key"), "STORE_CORRUPT", [VALUE_A]);
  });

  it("a name box moved to another row does not open (list fails; never a wrong name)", async () => {
    const { source, alpha, beta } = await twoSecrets();
    await fx.sql("UPDATE {s}.secrets b SET name_box = a.name_box FROM {s}.secrets a WHERE a.secret_id = $1 AND b.secret_id = $2", [alpha, beta]);
    await expectFailure(source.list(), "STORE_CORRUPT");
  });

  it("another key: WRONG_KEY for reads and writes, nothing written", async () => {
    const { environment, source } = await twoSecrets();
    const wrong = fx.source({ environment, key: parseFernetKey(generateFernetKey()) });
    await expectFailure(wrong.get("alpha_key"), "WRONG_KEY", [VALUE_A]);
    await expectFailure(wrong.set("alpha_key", "x-CANARY"), "WRONG_KEY");
    expect((await source.versions("alpha_key")).length).toBe(2);
  });
});

describe("postgres envelope: nothing readable in the database", () => {
  it("pg_dump of a store holding a canary name and value contains neither", async () => {
    const { environment, key } = fx.store();
    const source = fx.source({ environment, key });
    const name = "canary_name_q7x3";
    const value = "canary-value-Zk93hQ";
    await source.set(name, value);
    await source.set(name, `${value}-2`);
    await source.setMany([[`${name}_b`, value]]);
    const dump = execFileSync("pg_dump", ["--schema", fx.schema, "--data-only", TEST_DATABASE_URL], { encoding: "latin1", maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain(environment); // the dump is of this store
    for (const text of [name, value, name.toUpperCase()]) {
      expect(dump.includes(text)).toBe(false);
      expect(dump.includes(Buffer.from(text).toString("hex")), "not even as bytea hex").toBe(false);
    }
    expect((await source.get(name))?.value).toBe(`${value}-2`);
  });
});
