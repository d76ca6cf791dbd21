// `hush set` on a new user's first hour: shadowing warnings, empty values, a value typed on
// the command line, and `hush help <command>`.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";

let dir: string;
const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
const hush = (args: string[], stdin?: string, env: NodeJS.ProcessEnv = baseEnv()) => runHush(["--cwd", dir, ...args], { stdin, env });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-set-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("hush set warns about every source that shadows the write", () => {
  it("warns when .env holds the name (not only when an environment variable does)", async () => {
    writeFileSync(join(dir, ".env"), "BAR=dotenv-CANARY-1\n", { mode: 0o600 });
    const r = await hush(["set", "bar"], "stored-CANARY-2");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: "bar" is also set in dotenv \(.*\.env:BAR\), which comes first and shadows the value just written in local/);
    expect(r.stderr + r.stdout).not.toMatch(/CANARY/);
  });

  it("warns once for each shadowing source: env and .env", async () => {
    writeFileSync(join(dir, ".env"), "BAR=dotenv-CANARY-1\n", { mode: 0o600 });
    const r = await hush(["set", "bar"], "stored-CANARY-2", { ...baseEnv(), BAR: "env-CANARY-3" });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/"bar" is also set in env \(\$BAR\)/);
    expect(r.stderr).toMatch(/"bar" is also set in dotenv/);
    expect(r.stderr + r.stdout).not.toMatch(/CANARY/);
  });

  it("says nothing when no source shadows it", async () => {
    const r = await hush(["set", "bar"], "stored-CANARY-2");
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).not.toMatch(/warning/);
  });
});

describe("hush set refuses an empty value unless --allow-empty", () => {
  it("an empty stdin (or only a newline) stores nothing and exits 2 with a hint", async () => {
    for (const stdin of ["", "\n", "\r\n"]) {
      const r = await hush(["set", "empty_one"], stdin);
      expect(r.code, JSON.stringify(stdin)).toBe(2);
      expect(r.stderr).toMatch(/The value for "empty_one" is empty \(stdin gave nothing\); nothing was stored\.\n {2}hint: .*--allow-empty/);
    }
    expect((await hush(["get", "empty_one"])).code).toBe(4);
    expect((await hush(["list", "--json"])).stdout).not.toMatch(/empty_one/);
  });

  it("an empty --from-file is refused too", async () => {
    writeFileSync(join(dir, "v.txt"), "");
    const r = await hush(["set", "empty_one", "--from-file", join(dir, "v.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is empty \(the file held nothing\)/);
  });

  it("--allow-empty stores it on purpose", async () => {
    expect((await hush(["set", "empty_one", "--allow-empty"], "")).code).toBe(0);
    expect(await hush(["get", "empty_one"])).toMatchObject({ code: 0, stdout: "" });
  });
});

describe("hush set KEY value", () => {
  it("reaches the message that says why values never come from argv, without repeating the value", async () => {
    const r = await hush(["set", "api_token", "tok-CANARY-argv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/never from the command line/);
    expect(r.stderr).toMatch(/hint: printf %s "\$VALUE" \| hush set NAME/);
    expect(r.stderr).not.toMatch(/too many arguments/);
    expect(r.stderr + r.stdout).not.toMatch(/CANARY/);
    expect((await hush(["get", "api_token"])).code).toBe(4);
  });
});

describe("hush help <command>", () => {
  it("hush help run prints run's real help, as hush run --help does", async () => {
    const help = await runHush(["help", "run"]);
    const flag = await runHush(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--only <names>/);
    expect(help.stdout).toMatch(/Signals: SIGINT, SIGTERM and SIGHUP/);
    expect(help.stdout).toBe(flag.stdout);
  });

  it("hush help set explains where the value comes from; hush help lists every command", async () => {
    expect((await runHush(["help", "set"])).stdout).toMatch(/--allow-empty[\s\S]*never from the command line/);
    const all = await runHush(["help"]);
    expect(all.stdout).toMatch(/run\s+run a command/);
    expect(all.stdout).toMatch(/set\s+store a secret/);
  });
});
