import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PassThrough, Readable } from "node:stream";
import { runHush } from "../helpers/cli.js";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliContext } from "../../src/cli/context.js";
import { FAKE } from "../scan/fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-cli-scan-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const MANAGED = "Tr0ub4dor&3-" + "zq8Lw2"; // a managed value in .env (git-ignored, as it should be)

function project(files: Record<string, string>): void {
  writeFileSync(join(dir, ".gitignore"), ".env\n.secrets/\n");
  writeFileSync(join(dir, ".env"), `DB_PASSWORD=${MANAGED}\n`);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}
const noValues = (s: string, ...values: string[]) => {
  for (const v of values) expect(s).not.toContain(v.slice(4));
};

describe("hush scan", () => {
  it("prints path:line:col, rule or secret name and a masked preview; exit 1", async () => {
    const key = FAKE["openai-api-key"]!();
    project({ "app.ts": `// config\nconst k = "${key}";\n`, "notes.md": `db password is ${MANAGED}\n` });
    const r = await runHush(["scan", "-C", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n").sort()).toEqual([`app.ts:2:12  openai-api-key  ${key.slice(0, 4)}…(${key.length} chars)  [high]`, "notes.md:1:16  managed:db_password  env:dev  [high]"]);
    expect(r.stderr).toMatch(/hush scan: 2 findings in 3 files/); // .env is git-ignored
    noValues(r.stdout + r.stderr, key, MANAGED);
  });

  it("--json and --format sarif carry no value", async () => {
    const key = FAKE["github-token"]!();
    project({ "a.yaml": `token: ${key}\npw: ${Buffer.from(MANAGED).toString("base64")}\n` });
    const json = await runHush(["scan", "-C", dir, "--json"]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.findings.map((f: { ruleId?: string; secretName?: string; encoding?: string }) => f.ruleId ?? `${f.secretName}/${f.encoding}`)).toEqual(["github-token", "db_password/base64"]);
    const sarif = await runHush(["scan", "-C", dir, "--format", "sarif"]);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results).toHaveLength(2);
    noValues(json.stdout + sarif.stdout + json.stderr + sarif.stderr, key, MANAGED, Buffer.from(MANAGED).toString("base64"));
  });

  it("exit 0 and nothing on stdout when clean; --no-managed skips managed values", async () => {
    project({ "a.md": `the password is ${MANAGED}\n` });
    const r = await runHush(["scan", "-C", dir, "--no-managed"]);
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).toMatch(/no secrets found/);
  });

  it("rejects a bad --format and --since without --git-history (usage, exit 2)", async () => {
    expect((await runHush(["scan", "-C", dir, "--format", "xml"])).code).toBe(2);
    expect((await runHush(["scan", "-C", dir, "--since", "HEAD~1"])).code).toBe(2);
  });
});

describe("hush scan allow-lists in hush.yaml", () => {
  it("scan.allow paths, rules and secrets silence findings; flags add to them", async () => {
    const github = FAKE["github-token"]!();
    const openai = FAKE["openai-api-key"]!();
    project({
      "hush.yaml": "version: 1\nscan:\n  allow:\n    paths: [fixtures/]\n    rules: [github-token]\n    secrets: [DB_PASSWORD]\n",
      "app.ts": `const gh = "${github}";\nconst pw = "${MANAGED}";\n`,
      "llm.ts": `const k = "${openai}";\n`,
    });
    mkdirSync(join(dir, "fixtures"));
    writeFileSync(join(dir, "fixtures", "key.txt"), `${openai}\n`);
    const r = await runHush(["scan", "-C", dir, "--json"]);
    expect(r.code).toBe(1);
    const found = JSON.parse(r.stdout).findings.map((f: { path: string; ruleId?: string }) => `${f.path} ${f.ruleId}`);
    expect(found).toEqual(["llm.ts openai-api-key"]); // not fixtures/, not github-token, not db_password
    const more = await runHush(["scan", "-C", dir, "--allow-rule", "openai-api-key"]);
    expect(more).toMatchObject({ code: 0, stdout: "" });
    noValues(r.stdout + r.stderr + more.stdout + more.stderr, github, openai, MANAGED);
  });

  it("an unknown rule id is an error, in hush.yaml (CONFIG_INVALID, exit 3) or in --allow-rule (exit 2)", async () => {
    project({ "hush.yaml": "version: 1\nscan:\n  allow:\n    rules: [openai-key]\n" });
    const fromConfig = await runHush(["scan", "-C", dir]);
    expect(fromConfig.code).toBe(3);
    expect(fromConfig.stderr).toContain('scan.allow.rules: no rule has the id "openai-key"');
    expect(fromConfig.stderr).toContain("hush scan --list-rules");
    const pasted = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"; // a value pasted where a rule id goes: not echoed
    project({ "hush.yaml": `version: 1\nscan:\n  allow:\n    rules: [${pasted}]\n` });
    const echoed = await runHush(["scan", "-C", dir]);
    expect(echoed.code).toBe(3);
    expect(echoed.stderr).toContain("no rule has the id given (32 characters)");
    expect(echoed.stderr).not.toContain(pasted);
    project({ "hush.yaml": "version: 1\n" });
    const fromFlag = await runHush(["scan", "-C", dir, "--allow-rule", "no-such-rule"]);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain('--allow-rule: no rule has the id "no-such-rule"');
  });

  it("a malformed scan section is reported with its path", async () => {
    project({ "hush.yaml": "version: 1\nscan:\n  allow:\n    paths: fixtures/\n    rule: [jwt]\n" });
    const r = await runHush(["scan", "-C", dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("scan.allow.paths: expected a list, got a string.");
    expect(r.stderr).toContain('scan.allow.rule: unknown key; did you mean "rules"?');
  });

  it("--list-rules prints every rule id with what it finds; --json too", async () => {
    const human = await runHush(["scan", "--list-rules"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^openai-api-key +\S/m);
    expect(human.stdout).toMatch(/^private-key +high +Private key in PEM form$/m);
    expect(human.stdout).toMatch(/^generic-secret +medium +\S/m);
    const json = JSON.parse((await runHush(["scan", "--list-rules", "--json"])).stdout) as { id: string; description: string }[];
    expect(json.length).toBeGreaterThanOrEqual(20);
    expect(json.map((r) => r.id)).toContain("anthropic-api-key");
    expect(json.find((r) => r.id === "anthropic-api-key")).toMatchObject({ severity: "high" });
  });
});

describe("hush scan progress", () => {
  async function runWithTty(isTTY: boolean): Promise<string> {
    const stderr = Object.assign(new PassThrough(), { isTTY });
    const chunks: Buffer[] = [];
    stderr.on("data", (c: Buffer) => chunks.push(c));
    const stdout = new PassThrough();
    stdout.resume();
    const ctx: CliContext = { stdout, stderr, stdin: Readable.from([]), env: { PATH: process.env.PATH }, exitCode: 0, color: false };
    await runCli(["scan", "-C", dir, "--no-managed"], ctx);
    return Buffer.concat(chunks).toString("utf8");
  }

  it("draws a bar on a TTY for a large tree only, on stderr", async () => {
    mkdirSync(join(dir, "many"));
    for (let i = 0; i < 2100; i++) writeFileSync(join(dir, "many", `f${i}.txt`), "x\n");
    expect(await runWithTty(true)).toMatch(/\r\[#+-*\] \d+\/2100 files/);
    expect(await runWithTty(false)).not.toContain("[#");
    rmSync(join(dir, "many"), { recursive: true });
    writeFileSync(join(dir, "one.txt"), "x\n");
    expect(await runWithTty(true)).not.toContain("[#");
  });
});

describe("hush redact", () => {
  it("copies stdin to stdout with managed values replaced", async () => {
    project({});
    const input = `connecting with ${MANAGED}\nok\n`;
    const r = await runHush(["redact", "-C", dir], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("connecting with [REDACTED:db_password]\nok\n");
  });
});

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

describe("hush hook", () => {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();
  const hookPath = () => join(dir, ".git", "hooks", "pre-commit");
  beforeEach(() => {
    git("init", "-q");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    // A project-local install, as npm leaves it: the hook finds it there (install checks that it runs).
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(dir, "node_modules", ".bin", "hush"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  });

  it("installs a fresh hook, idempotently", async () => {
    expect((await runHush(["hook", "install", "-C", dir])).code).toBe(0);
    const first = readFileSync(hookPath(), "utf8");
    expect(first).toMatch(/^#!\/bin\/sh\n# >>> hush pre-commit/);
    expect(first).toContain("hush_run scan --staged");
    expect(first).toContain("./node_modules/.bin/hush");
    expect(statSync(hookPath()).mode & 0o777).toBe(0o755);
    await runHush(["hook", "install", "-C", dir]);
    expect(readFileSync(hookPath(), "utf8")).toBe(first);
    await runHush(["hook", "uninstall", "-C", dir]);
    expect(existsSync(hookPath())).toBe(false);
  });

  it("keeps an existing shell hook working: block inserted before its exit", async () => {
    const old = "#!/bin/bash\necho old-hook-ran\nexit 0\n";
    writeFileSync(hookPath(), old, { mode: 0o755 });
    await runHush(["hook", "install", "-C", dir]);
    const text = readFileSync(hookPath(), "utf8");
    expect(text.startsWith("#!/bin/bash\n# >>> hush pre-commit")).toBe(true);
    expect(text.endsWith("echo old-hook-ran\nexit 0\n")).toBe(true);
    await runHush(["hook", "uninstall", "-C", dir]);
    expect(readFileSync(hookPath(), "utf8")).toBe(old);
  });

  it("chains a hook in another language and restores it on uninstall", async () => {
    const old = "#!/usr/bin/env python3\nprint('old')\n";
    writeFileSync(hookPath(), old, { mode: 0o755 });
    await runHush(["hook", "install", "-C", dir]);
    expect(readFileSync(hookPath(), "utf8")).toContain('exec "$(dirname "$0")/pre-commit.pre-hush" "$@"');
    expect(readFileSync(join(dir, ".git", "hooks", "pre-commit.pre-hush"), "utf8")).toBe(old);
    await runHush(["hook", "uninstall", "-C", dir]);
    expect(readFileSync(hookPath(), "utf8")).toBe(old);
  });

  it.skipIf(!existsSync(CLI))("blocks a commit with a planted key and lets a clean one through (built CLI)", async () => {
    const existing = "#!/bin/sh\necho previous-hook >&2\n";
    writeFileSync(hookPath(), existing, { mode: 0o755 });
    expect((await runHush(["hook", "install", "-C", dir, "--command", `${process.execPath} ${CLI}`])).code).toBe(0);
    const key = FAKE["anthropic-api-key"]!();
    writeFileSync(join(dir, "agent.ts"), `const key = "${key}";\n`);
    git("add", "agent.ts");
    const blocked = spawnSync("git", ["commit", "-m", "add agent"], { cwd: dir, encoding: "utf8" });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain("agent.ts:1:14  anthropic-api-key");
    expect(blocked.stderr + blocked.stdout).not.toContain(key.slice(4));
    writeFileSync(join(dir, "agent.ts"), "const key = process.env.ANTHROPIC_API_KEY;\n");
    git("add", "agent.ts");
    const ok = spawnSync("git", ["commit", "-m", "add agent"], { cwd: dir, encoding: "utf8" });
    expect(ok.status, `git commit failed:\n${ok.stderr}${ok.stdout}`).toBe(0);
    expect(ok.stderr).toContain("previous-hook");
  });

  it("refuses a --command that cannot run hush, and installs nothing (exit 127)", async () => {
    const r = await runHush(["hook", "install", "-C", dir, "--command", "hush-not-installed-here"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("The pre-commit hook could not run hush (it tried hush-not-installed-here); nothing was installed.");
    expect(existsSync(hookPath())).toBe(false);
  });

  it("a hush that breaks after install blocks the commit (fail closed), naming --no-verify", async () => {
    const wrapper = join(dir, "hush-wrapper");
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    expect((await runHush(["hook", "install", "-C", dir, "--command", wrapper])).code).toBe(0);
    writeFileSync(wrapper, "#!/bin/sh\necho 'Error: Cannot find module' >&2\nexit 1\n", { mode: 0o755 });
    writeFileSync(join(dir, "a.txt"), "hello\n");
    git("add", "a.txt");
    const r = spawnSync("git", ["commit", "-m", "a"], { cwd: dir, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("hush: the pre-commit hook cannot run hush");
    expect(r.stderr).toContain("git commit --no-verify");
    expect(r.stderr).not.toContain("secrets in the staged changes");
  });

  it("refuses a --command with shell syntax", async () => {
    const r = await runHush(["hook", "install", "-C", dir, "--command", "hush; rm -rf /"]);
    expect(r.code).toBe(2);
    expect(existsSync(hookPath())).toBe(false);
  });
});
