// getSecret(), the headline API: the chain of the current folder, opened at the first call.
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "./helpers/cli.js";

const CANARY = "sk-CANARY-get-secret-0123456789";
const saved = { cwd: process.cwd(), HUSH_ENV: process.env.HUSH_ENV };
let dir: string;

/** A fresh copy of the module, so each test starts without an opened manager. */
async function freshGetSecret(): Promise<typeof import("../src/manager.js").getSecret> {
  vi.resetModules();
  return (await import("../src/manager.js")).getSecret;
}

beforeEach(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-get-secret-")));
  delete process.env.HUSH_ENV;
  expect((await runHush(["--cwd", dir, "init", "--key-provider", "file"])).code).toBe(0);
  expect((await runHush(["--cwd", dir, "set", "openai_api_key"], { stdin: CANARY })).code).toBe(0);
  writeFileSync(join(dir, ".env"), "FROM_DOTENV=dotenv-value\n");
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(saved.cwd);
  if (saved.HUSH_ENV === undefined) delete process.env.HUSH_ENV;
  else process.env.HUSH_ENV = saved.HUSH_ENV;
  rmSync(dir, { recursive: true, force: true });
});

describe("getSecret", () => {
  it("is typed Promise<string> with `required: true`, Promise<string | undefined> without (checked by tsc)", () => {
    type GetSecret = typeof import("../src/index.js").getSecret;
    const _required = (g: GetSecret) => g("openai_api_key", { required: true });
    const _optional = (g: GetSecret) => g("openai_api_key");
    expectTypeOf<ReturnType<typeof _required>>().toEqualTypeOf<Promise<string>>();
    expectTypeOf<ReturnType<typeof _optional>>().toEqualTypeOf<Promise<string | undefined>>();
  });

  it("reads through the default chain of the working directory (.env, then .secrets/), either spelling of the name", async () => {
    const getSecret = await freshGetSecret();
    expect(await getSecret("openai_api_key")).toBe(CANARY);
    expect(await getSecret("OPENAI_API_KEY")).toBe(CANARY);
    expect(await getSecret("from_dotenv", { required: true })).toBe("dotenv-value");
    expect(await getSecret("not_set_anywhere")).toBeUndefined();
  });

  it("required: a missing name throws NOT_FOUND, naming the sources, without any value", async () => {
    const getSecret = await freshGetSecret();
    const err = await getSecret("not_set_anywhere", { required: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "HushError", code: "NOT_FOUND", message: expect.stringContaining("env, dotenv, local") });
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toContain(CANARY);
  });

  it("a failed first open is not remembered: after hush.yaml is fixed, the next call works", async () => {
    writeFileSync(join(dir, "hush.yaml"), "version: 1\naudit: sometimes\n");
    const getSecret = await freshGetSecret();
    const err = await getSecret("openai_api_key").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CONFIG_INVALID" });
    expect(String(err)).not.toContain(CANARY);
    writeFileSync(join(dir, "hush.yaml"), "version: 1\naudit: best-effort\n");
    expect(await getSecret("openai_api_key")).toBe(CANARY);
  });
});
