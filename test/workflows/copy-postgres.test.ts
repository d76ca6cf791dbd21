/** `copySecrets` / `diffSources` with the postgres source (the real server): .env -> postgres -> local. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copySecrets, diffSources } from "../../src/index.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";
import { CANARY, hushIn, tempProject } from "../config/temp-project.js";

const admin = createAdmin();
const schema = admin.schema();
beforeAll(() => migrateSchema(admin.pool, schema));
afterAll(() => admin.end());

describe("copy and diff with the postgres source", () => {
  it("copies .env into PostgreSQL and PostgreSQL into the local store; diff finds them equal, never a value", async () => {
    const yaml = `version: 1\nsources:\n  - type: dotenv\n  - type: local\n  - type: postgres\n    options: { url: "${TEST_DATABASE_URL}", schema: ${schema} }\n`;
    const dir = tempProject({ "hush.yaml": yaml, ".env": `ONE=${CANARY}-1\nTWO=${CANARY}-2\n` });
    expect((await hushIn(dir, ["init"])).code).toBe(0);
    const up = await copySecrets({ cwd: dir, from: "dotenv", to: "postgres" });
    expect(up).toMatchObject({ copied: ["one", "two"], notCopied: [] });
    const down = await copySecrets({ cwd: dir, from: "postgres", to: "local" });
    expect(down.copied.sort()).toEqual(["one", "two"]);
    for (const [a, b] of [["dotenv", "postgres"], ["postgres", "local"]] as const) {
      expect(await diffSources({ cwd: dir, a, b })).toEqual({ a, b, onlyInA: [], onlyInB: [], differ: [], same: 2 });
    }
    const cli = await hushIn(dir, ["diff", "local", "postgres", "--json"]);
    expect(cli.code).toBe(0);
    expect(cli.stdout + cli.stderr).not.toContain(CANARY);
    expect(JSON.stringify([up, down])).not.toContain(CANARY);
  }, 30_000);
});
