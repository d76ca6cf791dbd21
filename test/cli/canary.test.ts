// FAULTS 22: a known value set in every store never appears in the output of any command but
// `get`, `export` and the child of `run`, nor in audit files, .env.example or --debug output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";

const CANARY = "sk-proj-CANARYcanary0123456789abcdefABCDEF0123456789xyz";
const CANARY_ENV = "CANARY-from-env-0123456789abcdef";
const CANARY_DOTENV = "CANARY-from-dotenv-0123456789abcdef";
const canaries = [CANARY, CANARY_ENV, CANARY_DOTENV];
let dir: string;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, SERVICE_TOKEN: CANARY_ENV });
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { env: env(), stdin });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-canary-"));
  writeFileSync(join(dir, ".env"), `DOTENV_SECRET=${CANARY_DOTENV}\n`);
  expect((await hush(["init"])).code).toBe(0);
  expect((await hush(["set", "openai_api_key"], CANARY)).code).toBe(0);
  expect((await hush(["set", "openai_api_key"], CANARY + "2")).code).toBe(0);
  expect((await hush(["set", "service_token"], CANARY)).code).toBe(0); // shadowed by the env canary
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectNoCanary(text: string, what: string): void {
  for (const c of canaries) expect(text, what).not.toContain(c.slice(0, 20));
}

describe("canary (FAULTS 22)", () => {
  const commands: string[][] = [
    ["list"], ["list", "--json"], ["list", "--explain", "openai_api_key"], ["list", "--explain", "service_token", "--json"],
    ["history", "openai_api_key"], ["history", "openai_api_key", "--json"], ["rollback", "openai_api_key", "--to", "1"],
    ["doctor"], ["doctor", "--json"], ["check"], ["check", "--json"], ["env-example", "--stdout"], ["providers"], ["providers", "--json"],
    ["audit", "log"], ["audit", "log", "--json"], ["audit", "report"], ["audit", "report", "--json"], ["audit", "verify"], ["audit", "review"], ["audit", "review", "--format", "json"],
    ["scan", "."], ["scan", ".", "--json"], ["scan", ".", "--format", "sarif"],
    ["get", "no_such_secret"], ["get", "no_such_secret", "--debug"], ["get", "../bad"], ["rm", "no_such_secret"],
    ["history", "nope"], ["rollback", "openai_api_key", "--to", "99"], ["rollback", "openai_api_key", "--to", "99", "--debug"],
    ["export", "--format", "nope"], ["import", "does-not-exist.env"], ["run", "--", "/nonexistent/binary"],
  ];
  it.each(commands.map((c) => [c.join(" "), c] as const))("hush %s prints no value", async (_label, args) => {
    const r = await hush(args);
    expectNoCanary(r.stdout, `stdout of ${args.join(" ")}`);
    expectNoCanary(r.stderr, `stderr of ${args.join(" ")}`);
  });

  it("get, export and the child of run do print values (the control)", async () => {
    expect((await hush(["get", "openai_api_key"])).stdout).toContain("CANARY");
    expect((await hush(["export", "--format", "json"])).stdout).toContain(CANARY_DOTENV);
  });

  it("no value in any file hush wrote: audit log, anchor, store, .env.example, hush.yaml", async () => {
    await hush(["env-example"]);
    const files = [...readdirSync(join(dir, ".secrets")).map((f) => join(".secrets", f)), ".env.example", "hush.yaml", ".gitignore"];
    for (const f of files) expectNoCanary(readFileSync(join(dir, f), "latin1"), f);
    const audit = readdirSync(join(dir, ".secrets")).filter((f) => f.startsWith("audit."));
    expect(audit.length).toBeGreaterThan(0);
    for (const f of audit) expect(readFileSync(join(dir, ".secrets", f), "utf8")).not.toMatch(/openai_api_key|service_token|dotenv_secret/i);
  });
});
