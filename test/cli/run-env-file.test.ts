/**
 * `hush run -f/--env-file` through the real binary (the fast path, and commander for the
 * `--env-file=` form): repeatable, the first file wins, before the whole chain; a missing file
 * stops before anything runs. Every failure is checked for the values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, buildCli, hushSet, NODE, RUN_CHILD, runHushBinary } from "../helpers/run-binary.js";

let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-f-"));
  hushSet(cli, project, "stored_only", "stored-CANARY-1");
  hushSet(cli, project, "api_key", "stored-CANARY-2");
  writeFileSync(join(project, ".env"), "API_KEY=dotenv-CANARY-3\nFROM_DOTENV=d\n", { mode: 0o600 });
  writeFileSync(join(project, ".env.prod"), "API_KEY=prod-CANARY-4\nONLY_PROD=p\n", { mode: 0o600 });
  writeFileSync(join(project, ".env.extra"), "API_KEY=extra-CANARY-5\nONLY_PROD=e\nONLY_EXTRA=x\n", { mode: 0o600 });
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

const run = (args: string[], env?: NodeJS.ProcessEnv) => runHushBinary(cli, args, { cwd: project, env: env ?? baseEnv() });
const names = ["API_KEY", "ONLY_PROD", "ONLY_EXTRA", "STORED_ONLY", "FROM_DOTENV"];

describe("hush run -f / --env-file", () => {
  it("reads the file before the whole chain (env included); the rest resolves through the chain", async () => {
    const r = await run(["run", "-f", ".env.prod", "--", NODE, RUN_CHILD, "env", ...names], baseEnv({ API_KEY: "shell-CANARY-6" }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ API_KEY: "prod-CANARY-4", ONLY_PROD: "p", ONLY_EXTRA: null, STORED_ONLY: "stored-CANARY-1", FROM_DOTENV: "d" });
    expect(r.stderr).not.toMatch(/CANARY/);
  });

  it("is repeatable, and the first file given wins (as dotenvx)", async () => {
    const r = await run(["run", "-f", ".env.prod", "--env-file", ".env.extra", "--", NODE, RUN_CHILD, "env", ...names]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ API_KEY: "prod-CANARY-4", ONLY_PROD: "p", ONLY_EXTRA: "x" });
    const swapped = await run(["run", "--env-file=.env.extra", "-f", ".env.prod", "--", NODE, RUN_CHILD, "env", ...names]);
    expect(swapped.code).toBe(0);
    expect(JSON.parse(swapped.stdout)).toMatchObject({ API_KEY: "extra-CANARY-5", ONLY_PROD: "e", ONLY_EXTRA: "x" });
  });

  it("a file that does not exist stops before the command runs (exit 7), naming the path, never a value", async () => {
    const marker = join(project, "ran");
    const r = await run(["run", "-f", ".env.prd", "--", NODE, RUN_CHILD, "touch", marker]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/The env file .*\.env\.prd \(--env-file\) does not exist/);
    expect(existsSync(marker)).toBe(false);
    expect(r.stderr + r.stdout).not.toMatch(/CANARY/);
  });

  it("--help says where the files sit in precedence", async () => {
    const r = await run(["run", "--help"]);
    expect(r.stdout).toMatch(/-f, --env-file <path>/);
    expect(r.stdout).toMatch(/before the whole chain, env included: the\s+first file given wins/);
  });
});
