/**
 * `hush run` through the real binary: injection, exit codes, stdin, --only/--strict,
 * --clean-env, and the failures that must stop before anything runs (FAULTS 14, 15), each
 * checked for the canary value on stderr (FAULTS 22).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { baseEnv, buildCli, hushSet, NODE, RUN_CHILD, runHushBinary } from "../helpers/run-binary.js";
import { privateMallkuCopy } from "../helpers/mallku.js";

const HAS_SCRIPT = existsSync("/usr/bin/script"); // util-linux `script` gives the command a pseudo-terminal
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-"));
  hushSet(cli, project, "openai_api_key", CANARY);
  hushSet(cli, project, "db.password", "second-value-1234");
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

const run = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) => runHushBinary(cli, args, { cwd: options.cwd ?? project, env: options.env, input: options.input });

describe("hush run: injection", () => {
  it("gives the child every secret under its variable name", async () => {
    const r = await run(["run", "--", NODE, RUN_CHILD, "env", "OPENAI_API_KEY", "DB_PASSWORD"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ OPENAI_API_KEY: CANARY, DB_PASSWORD: "second-value-1234" }); // hush:allow (a test value)
    expect(r.stderr).not.toContain(CANARY);
  });

  it("takes options after the command as the command's (`hush run node -e ...` without --)", async () => {
    const r = await run(["run", "sh", "-c", 'echo "$@"', "sh", "--only", "x", "--", "--mask"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("--only x -- --mask\n");
  });

  it("--only injects just the names given; a missing one is a warning without --strict", async () => {
    const r = await run(["run", "--only", "DB_PASSWORD,missing_one", "--", NODE, RUN_CHILD, "env", "OPENAI_API_KEY", "DB_PASSWORD"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ OPENAI_API_KEY: null, DB_PASSWORD: "second-value-1234" }); // hush:allow (a test value)
    expect(r.stderr).toMatch(/warning: missing_one not injected/);
    expect(r.stderr).not.toContain(CANARY);
  });

  it("--strict refuses to start when a secret cannot be resolved", async () => {
    const marker = join(project, "strict-ran");
    const r = await run(["run", "--strict", "--only", "openai_api_key,missing_one", "--", NODE, RUN_CHILD, "touch", marker]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/missing_one/);
    expect(existsSync(marker)).toBe(false);
    expect(r.stderr).not.toContain(CANARY);
  });

  it("--clean-env keeps only PATH, HOME, LANG, LC_*, TZ and the like, plus the secrets", async () => {
    const env = baseEnv({ PARENT_ONLY: "x", LC_ALL: "C", TZ: "UTC", TERM: "dumb", AWS_PROFILE: "p" });
    const names = ["PATH", "HOME", "LC_ALL", "TZ", "TERM", "PARENT_ONLY", "AWS_PROFILE", "OPENAI_API_KEY"];
    const plain = JSON.parse((await run(["run", "--", NODE, RUN_CHILD, "env", ...names], { env })).stdout);
    expect(plain.PARENT_ONLY).toBe("x");
    const clean = JSON.parse((await run(["run", "--clean-env", "--", NODE, RUN_CHILD, "env", ...names], { env })).stdout);
    expect(clean).toEqual({ PATH: process.env.PATH, HOME: process.env.HOME, LC_ALL: "C", TZ: "UTC", TERM: "dumb", PARENT_ONLY: null, AWS_PROFILE: null, OPENAI_API_KEY: CANARY });
  });

  it("--help lists the variables --clean-env keeps and says why --mask is off by default", async () => {
    const r = await run(["run", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--clean-env keeps only PATH, HOME, USER, LOGNAME, SHELL, TERM, LANG, TZ, TMPDIR and LC_\*/);
    expect(r.stdout).toMatch(/--mask is off by default/);
  });
});

describe("hush run: exit codes and stdin", () => {
  it("passes the child's exit code through", async () => {
    expect((await run(["run", "--", NODE, "-e", "process.exit(7)"])).code).toBe(7);
    expect((await run(["run", "--", NODE, "-e", "0"])).code).toBe(0);
  });

  it("returns 128 + n when the child dies of signal n", async () => {
    expect((await run(["run", "--", "sh", "-c", "kill -KILL $$"])).code).toBe(137);
    expect((await run(["run", "--", "sh", "-c", "kill -TERM $$"])).code).toBe(143);
  });

  it("passes stdin through to the child", async () => {
    const r = await run(["run", "--", NODE, RUN_CHILD, "stdin"], { input: "hello from stdin\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("HELLO FROM STDIN\n");
  });

  it.skipIf(!HAS_SCRIPT)("passes the terminal through: the child sees a TTY (and not with --mask, which pipes its output)", async () => {
    const probe = `${NODE} -e 'process.stdout.write(String(Boolean(process.stdin.isTTY)) + "," + String(Boolean(process.stdout.isTTY)))'`;
    const inTerminal = (args: string) => execFileSync("script", ["-qec", `${NODE} ${cli} run ${args} -- ${probe}`, "/dev/null"], { cwd: project, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] }).toString();
    expect(inTerminal("")).toContain("true,true");
    expect(inTerminal("--mask")).toContain("true,false");
  });

  it("127 for a command that does not exist, 126 for one that is not executable", async () => {
    const missing = await run(["run", "--", "hush-no-such-command-xyz"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/Cannot run "hush-no-such-command-xyz": command not found/);
    const file = join(project, "not-executable.sh");
    writeFileSync(file, "#!/bin/sh\necho hi\n");
    chmodSync(file, 0o644);
    const denied = await run(["run", "--", "./not-executable.sh"]);
    expect(denied.code).toBe(126);
    expect(denied.stderr).toMatch(/permission denied/);
    for (const r of [missing, denied]) expect(r.stderr).not.toContain(CANARY);
  });
});

describe("hush run: refused before spawn", () => {
  it("a value with a NUL byte fails only its own name, reported by name; --strict refuses before spawn (FAULTS 15)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-run-nul-"));
    try {
      hushSet(cli, dir, "binary_blob", `before\0${CANARY}`);
      hushSet(cli, dir, "plain_value", "plain-1234");
      const ok = await run(["run", "--", NODE, RUN_CHILD, "env", "PLAIN_VALUE", "BINARY_BLOB"], { cwd: dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ PLAIN_VALUE: "plain-1234", BINARY_BLOB: null });
      expect(ok.stderr).toMatch(/binary_blob not injected: .*NUL byte/);
      const marker = join(dir, "ran");
      const strict = await run(["run", "--strict", "--debug", "--", NODE, RUN_CHILD, "touch", marker], { cwd: dir });
      expect(strict.code).toBe(2);
      expect(strict.stderr).toMatch(/at /); // --debug: the stack is printed, and holds no value either
      expect(strict.stderr).toMatch(/binary_blob \(INVALID_VALUE\).*NUL byte/);
      expect(existsSync(marker)).toBe(false);
      for (const r of [ok, strict]) expect(r.stderr).not.toContain(CANARY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Python-made fixture (one value holds a NUL) runs, and names that value", async () => {
    const temps: string[] = [];
    try {
      const secretsDir = privateMallkuCopy(temps);
      const r = await run(["run", "--secrets-dir", secretsDir, "--", NODE, RUN_CHILD, "env", "ASCII_API_KEY", "SPECIAL_CHARS"], { cwd: join(secretsDir, "..") });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ASCII_API_KEY: "mallku-fixture-ascii-0123456789-ABCDEFGHIJ-abcdefghij", SPECIAL_CHARS: null }); // hush:allow (fixture value)
      expect(r.stderr).toMatch(/special_chars not injected: .*NUL byte/);
      expect(r.stderr).not.toContain("nul\0");
    } finally {
      for (const t of temps) rmSync(t, { recursive: true, force: true });
    }
  });

  it("two names for one variable: NAME_COLLISION naming both, nothing runs (FAULTS 14)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-run-collide-"));
    try {
      hushSet(cli, dir, "db.url", CANARY);
      writeFileSync(join(dir, ".env"), `DB_URL=${CANARY}-other\n`);
      const marker = join(dir, "ran");
      const r = await run(["run", "--debug", "--", NODE, RUN_CHILD, "touch", marker], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/"db\.url" and "db_url" -> DB_URL/);
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).not.toContain(CANARY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
