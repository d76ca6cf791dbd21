// FAULTS 22: a known value set in every store never appears in the output of any command but
// `get`, `export` and the child of `run`, nor in audit files, .env.example or --debug output.
// Each command must also end with the exit code it is meant to: a command that crashed early
// (exit 70, "hush: unexpected ...") prints no value either, and must not pass for that.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES, EXIT_FOUND, EXIT_USAGE } from "../../src/cli/exit-codes.js";
import { runHush, type CliRun } from "../helpers/cli.js";

const CANARY = "sk-proj-CANARYcanary0123456789abcdefABCDEF0123456789xyz";
const CANARY_ENV = "CANARY-from-env-0123456789abcdef";
const CANARY_DOTENV = "CANARY-from-dotenv-0123456789abcdef";
const canaries = [CANARY, CANARY_ENV, CANARY_DOTENV];
let dir: string;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, SERVICE_TOKEN: CANARY_ENV });
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { env: env(), stdin });

const OK = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-canary-"));
  writeFileSync(join(dir, ".env"), `DOTENV_SECRET=${CANARY_DOTENV}\n`);
  expectExit(await hush(["init"]), OK, "init");
  expectExit(await hush(["set", "openai_api_key"], CANARY), OK, "set");
  expectExit(await hush(["set", "openai_api_key"], CANARY + "2"), OK, "set");
  expectExit(await hush(["set", "service_token"], CANARY), OK, "set"); // shadowed by the env canary
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectNoCanary(text: string, what: string): void {
  for (const c of canaries) expect(text, what).not.toContain(c.slice(0, 20));
}

/** The run ended with `expected`; a crash is named as one. Call after expectNoCanary (stderr is quoted). */
function expectExit(r: CliRun, expected: number, what: string): void {
  expect(r.stderr, `hush ${what} crashed`).not.toMatch(/^hush: unexpected /m);
  expect(r.code, `exit code of hush ${what}; stderr: ${r.stderr}`).toBe(expected);
}

describe("canary (FAULTS 22)", () => {
  /** Each command and the exit code it must end with (src/cli/exit-codes.ts). */
  const commands: [string[], number][] = [
    [["list"], OK], [["list", "--json"], OK], [["list", "--explain", "openai_api_key"], OK], [["list", "--explain", "service_token", "--json"], OK],
    [["history", "openai_api_key"], OK], [["history", "openai_api_key", "--json"], OK], [["rollback", "openai_api_key", "--to", "1"], OK],
    [["doctor"], OK], [["doctor", "--json"], OK], [["check"], OK], [["check", "--json"], OK], [["env-example", "--stdout"], OK], [["providers"], OK], [["providers", "--json"], OK],
    [["audit", "log"], OK], [["audit", "log", "--json"], OK], [["audit", "report"], OK], [["audit", "report", "--json"], OK], [["audit", "verify"], OK], [["audit", "review"], OK], [["audit", "review", "--format", "json"], OK],
    [["scan", "."], OK], [["scan", ".", "--json"], OK], [["scan", ".", "--format", "sarif"], OK],
    [["get", "no_such_secret"], EXIT_CODES.NOT_FOUND], [["get", "no_such_secret", "--debug"], EXIT_CODES.NOT_FOUND], [["get", "../bad"], EXIT_CODES.INVALID_NAME], [["rm", "no_such_secret"], EXIT_CODES.NOT_FOUND],
    [["history", "nope"], EXIT_CODES.NOT_FOUND], [["rollback", "openai_api_key", "--to", "99"], EXIT_CODES.VERSION_NOT_FOUND], [["rollback", "openai_api_key", "--to", "99", "--debug"], EXIT_CODES.VERSION_NOT_FOUND],
    [["export", "--format", "nope"], EXIT_CODES.INVALID_ARGUMENT], [["import", "does-not-exist.env"], EXIT_CODES.READ_FAILED], [["run", "--", "/nonexistent/binary"], EXIT_CODES.SPAWN_FAILED],
  ];
  it.each(commands.map(([c, code]) => [c.join(" "), c, code] as const))("hush %s prints no value", async (label, args, code) => {
    const r = await hush(args);
    expectNoCanary(r.stdout, `stdout of ${label}`);
    expectNoCanary(r.stderr, `stderr of ${label}`);
    expectExit(r, code, label);
  });

  it("the exit-code check fails on a crash and on a wrong code", () => {
    const crash: CliRun = { code: EXIT_CODES.INTERNAL, stdout: "", stderr: "hush: unexpected TypeError; run with --debug for the stack.\n" };
    expect(() => expectExit(crash, OK, "list")).toThrow(/crashed/);
    expect(() => expectExit(crash, EXIT_CODES.INTERNAL, "list")).toThrow(/crashed/);
    expect(() => expectExit({ code: EXIT_FOUND, stdout: "", stderr: "" }, OK, "check")).toThrow(/exit code of hush check/);
    expect(() => expectExit({ code: EXIT_USAGE, stdout: "", stderr: "" }, EXIT_CODES.NOT_FOUND, "get x")).toThrow(/exit code/);
  });

  it("get, export and the child of run do print values (the control)", async () => {
    const got = await hush(["get", "openai_api_key"]);
    expect(got.stdout).toContain("CANARY");
    expectNoCanary(got.stderr, "stderr of get");
    expectExit(got, OK, "get openai_api_key");
    const exported = await hush(["export", "--format", "json"]);
    expect(exported.stdout).toContain(CANARY_DOTENV);
    expectNoCanary(exported.stderr, "stderr of export");
    expectExit(exported, OK, "export --format json");
  });

  it("no value in any file hush wrote: audit log, anchor, store, .env.example, hush.yaml", async () => {
    const written = await hush(["env-example"]);
    expectNoCanary(written.stdout + written.stderr, "output of env-example");
    expectExit(written, OK, "env-example");
    const files = [...readdirSync(join(dir, ".secrets")).map((f) => join(".secrets", f)), ".env.example", "hush.yaml", ".gitignore"];
    for (const f of files) expectNoCanary(readFileSync(join(dir, f), "latin1"), f);
    const audit = readdirSync(join(dir, ".secrets")).filter((f) => f.startsWith("audit."));
    expect(audit.length).toBeGreaterThan(0);
    for (const f of audit) expect(readFileSync(join(dir, ".secrets", f), "utf8")).not.toMatch(/openai_api_key|service_token|dotenv_secret/i);
  });
});
