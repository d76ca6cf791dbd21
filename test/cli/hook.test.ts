/**
 * The pre-commit hook fails closed (issue 10, issue 11): it finds a project-local hush that is
 * not on PATH during `git commit`, blocks the commit when hush cannot run, and takes a
 * `--command` path with a space in it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runHush } from "../helpers/cli.js";
import { FAKE } from "../scan/fakes.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
/** PATH as during a commit in a project that installed hush locally: git and sh, node, but no hush. */
const PATH = [...new Set(["/usr/bin", "/bin", dirname(process.execPath)])].join(":");

let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { PATH, HOME: dir } }).toString();
const commit = () => spawnSync("git", ["commit", "-m", "c"], { cwd: dir, encoding: "utf8", env: { PATH, HOME: dir } });
const shim = (path: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-hook-"));
  git("init", "-q");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  expect(spawnSync("sh", ["-c", "command -v hush"], { env: { PATH } }).status).not.toBe(0);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the pre-commit hook finds hush and fails closed", () => {
  it.skipIf(!existsSync(CLI))("a project-local install (node_modules/.bin, not on PATH) blocks a planted key", async () => {
    shim(join(dir, "node_modules", ".bin", "hush"));
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n");
    expect((await runHush(["hook", "install", "-C", dir])).code).toBe(0);
    const key = FAKE["anthropic-api-key"]!();
    writeFileSync(join(dir, "agent.ts"), `const key = "${key}";\n`);
    git("add", "agent.ts");
    const r = commit();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("agent.ts:1:14  anthropic-api-key");
    expect(r.stderr).toContain("commit blocked: secrets in the staged changes");
    expect(r.stderr + r.stdout).not.toContain(key.slice(4));
    expect(git("rev-list", "--all")).toBe(""); // nothing was committed
  });

  it.skipIf(!existsSync(CLI))("hush gone after install: the commit is blocked, and the message names git commit --no-verify", async () => {
    shim(join(dir, "node_modules", ".bin", "hush"));
    expect((await runHush(["hook", "install", "-C", dir])).code).toBe(0);
    rmSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "a.txt"), "hello\n");
    git("add", "a.txt");
    const r = commit();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("the pre-commit hook cannot run hush (it tried ./node_modules/.bin/hush, hush on PATH); the staged changes were not scanned, so the commit is blocked.");
    expect(r.stderr).toContain("git commit --no-verify");
    const deliberate = spawnSync("git", ["commit", "--no-verify", "-m", "c"], { cwd: dir, encoding: "utf8", env: { PATH, HOME: dir } });
    expect(deliberate.status).toBe(0);
  });

  it.skipIf(!existsSync(CLI))("--command with a space in the path is quoted and works", async () => {
    const program = join(dir, "my tools", "hush");
    shim(program);
    const r = await runHush(["hook", "install", "-C", dir, "--command", program]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, ".git", "hooks", "pre-commit"), "utf8")).toContain(`'${program}' "$@"`);
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `const t = "${key}";\n`);
    git("add", "a.ts");
    const blocked = commit();
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain("a.ts:1:12  github-token");
    writeFileSync(join(dir, "a.ts"), "const t = process.env.T;\n");
    git("add", "a.ts");
    expect(commit().status).toBe(0);
  });

  it.skipIf(!existsSync(CLI))("managed values it cannot read (wrong key) block the commit instead of passing it", async () => {
    shim(join(dir, "node_modules", ".bin", "hush"));
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n.secrets/\n");
    const value = "dev-Wq7rT2pX9mK4wL8z";
    expect((await runHush(["-C", dir, "init"])).code).toBe(0);
    expect((await runHush(["-C", dir, "set", "db_password"], { stdin: value })).code).toBe(0);
    expect((await runHush(["hook", "install", "-C", dir])).code).toBe(0);
    writeFileSync(join(dir, ".secrets", ".encryption.key"), randomBytes(32).toString("base64url") + "=", { mode: 0o600 });
    writeFileSync(join(dir, "notes.md"), `pw ${value}\n`);
    git("add", "notes.md");
    const r = commit();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Managed values of environment dev could not be read");
    expect(r.stderr).toContain("hush: the secrets scan failed (exit 5); commit blocked.");
    expect(r.stderr + r.stdout).not.toContain(value);
    expect(git("rev-list", "--all")).toBe("");
  });

  it("an existing hook is left as it was when the check fails", async () => {
    const hook = join(dir, ".git", "hooks", "pre-commit");
    writeFileSync(hook, "#!/usr/bin/env python3\nprint('old')\n", { mode: 0o755 });
    const r = await runHush(["hook", "install", "-C", dir, "--command", "/nonexistent/hush"]);
    expect(r.code).toBe(2);
    expect(readFileSync(hook, "utf8")).toBe("#!/usr/bin/env python3\nprint('old')\n");
    const r2 = await runHush(["hook", "install", "-C", dir, "--command", "no-such-hush-program"]);
    expect(r2.code).toBe(127);
    expect(readFileSync(hook, "utf8")).toBe("#!/usr/bin/env python3\nprint('old')\n");
    expect(existsSync(join(dir, ".git", "hooks", "pre-commit.pre-hush"))).toBe(false);
  });
});
