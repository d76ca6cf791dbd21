// One name resolution everywhere (issues 10 and 11): a name finds the secret the chain holds
// under the same canonical name, else under the one name with the same env-var form, in every
// command: get, export --only, run --only, check, doctor, explain, set. And in one .env, two
// spellings of one variable are an error, whatever their case.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSecretsManager } from "../src/manager.js";
import { findHeldName } from "../src/names.js";
import { CANARY, expectNoCanary, hushIn, tempProject } from "./config/temp-project.js";

const OTHER = `${CANARY}-other`;

async function projectWith(names: string[]): Promise<string> {
  const dir = tempProject({});
  expect((await hushIn(dir, ["init", "--key-provider", "file"])).code).toBe(0);
  for (const name of names) expect((await hushIn(dir, ["set", name], { stdin: CANARY })).code).toBe(0);
  return dir;
}

describe("a name finds the secret under its other spellings", () => {
  it("findHeldName: the same string, else the same canonical name, else the one with its variable", () => {
    expect(findHeldName("API_KEY", ["api_key", "API_KEY"])).toBe("API_KEY");
    expect(findHeldName("Api_Key", ["API_KEY"])).toBe("API_KEY");
    expect(findHeldName("MY_KEY", ["other", "my-key"])).toBe("my-key");
    expect(findHeldName("DATABASE_CONFIG", ["database.config"])).toBe("database.config");
    expect(findHeldName("absent", ["other"])).toBeUndefined();
    expect(() => findHeldName("MY_KEY", ["my-key", "my.key"])).toThrow(/"my-key" and "my.key" -> MY_KEY/);
  });

  it("library: get, getRecord, resolve and explain find `database.config` and `my-key` by their variable names", async () => {
    const dir = await projectWith(["database.config", "my-key"]);
    const hush = createSecretsManager({ cwd: dir, env: {} });
    expect(await hush.get("DATABASE_CONFIG")).toBe(CANARY);
    expect(await hush.get("database_config")).toBe(CANARY);
    expect((await hush.getRecord("MY_KEY"))?.name).toBe("my-key");
    const { secrets, issues } = await hush.resolve(["DATABASE_CONFIG", "MY_KEY", "absent_name"]);
    expect(Object.keys(secrets).sort()).toEqual(["database_config", "my_key"]);
    expect(issues.map((i) => [i.name, i.code])).toEqual([["absent_name", "NOT_FOUND"]]);
    const explained = await hush.explain("DATABASE_CONFIG");
    expect(explained.name).toBe("database.config");
    expect(explained.winner).toBe("local");
  });

  it("library: set under the variable name updates the stored spelling, never a second secret", async () => {
    const dir = await projectWith(["database.config"]);
    const hush = createSecretsManager({ cwd: dir, env: {}, onWarning: () => undefined });
    const record = await hush.set("DATABASE_CONFIG", OTHER);
    expect(record.name).toBe("database.config");
    expect(await hush.names()).toEqual(["database.config"]);
    expect(await hush.get("database.config")).toBe(OTHER);
  });

  it("CLI: get, export --only, check and doctor after env-example agree with run --only", async () => {
    const dir = await projectWith(["database.config", "my-key"]);
    expect((await hushIn(dir, ["env-example"])).code).toBe(0);
    expect(readFileSync(join(dir, ".env.example"), "utf8")).toContain("DATABASE_CONFIG=");

    const get = await hushIn(dir, ["get", "DATABASE_CONFIG"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trimEnd()).toBe(CANARY);
    const getHyphen = await hushIn(dir, ["get", "MY_KEY"]);
    expect(getHyphen.code, getHyphen.stderr).toBe(0);
    expect(getHyphen.stdout.trimEnd()).toBe(CANARY);

    const exported = await hushIn(dir, ["export", "--format", "json", "--only", "DATABASE_CONFIG,MY_KEY"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ DATABASE_CONFIG: CANARY, MY_KEY: CANARY });

    const check = await hushIn(dir, ["check"]);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    expectNoCanary(check);
    const doctor = await hushIn(dir, ["doctor", "--json"]);
    expectNoCanary(doctor);
    const report = JSON.parse(doctor.stdout);
    expect(report.required.missing).toEqual([]);
    expect(JSON.stringify(report)).not.toContain("hush set database_config");
  });
});

describe("one .env, two spellings of one variable", () => {
  it("`a_key` and `A_KEY` are a NAME_COLLISION naming both, as `db.url` and `DB_URL` are; no value shown", async () => {
    const dir = tempProject({ ".env": `a_key=${CANARY}\nA_KEY=${OTHER}\n` });
    const hush = createSecretsManager({ cwd: dir, env: {}, secretsDir: join(dir, ".secrets") });
    const error = await hush.get("a_key").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NAME_COLLISION" });
    expect((error as Error).message).toContain(`"a_key" and "A_KEY"`);
    expect((error as Error).message).not.toContain(CANARY);
    const cli = await hushIn(dir, ["get", "A_KEY"]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`"a_key" and "A_KEY"`);
    expectNoCanary(cli);
  });
});
