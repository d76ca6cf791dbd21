// hush export through the CLI entry: --output FILE (0600, atomic, whatever the umask), --format
// yaml, CR through dotenv, and a value the shell format cannot carry refused by name.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { parse as parseYaml } from "yaml";
import { runHush } from "../helpers/cli.js";
import { createLocalSource } from "../../src/sources/local.js";

let dir: string;
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { stdin, env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME } });
const CR_VALUE = "a\rb\r\nc-CANARY";

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-export-"));
  expect((await hush(["set", "cr_value", "--keep-newline"], CR_VALUE)).code).toBe(0);
  expect((await hush(["set", "plain"], "plain-CANARY")).code).toBe(0);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("hush export", () => {
  it("dotenv keeps CR: the output reads back through dotenv's parser", async () => {
    const r = await hush(["export", "--format", "dotenv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseDotenv(r.stdout)).toEqual({ CR_VALUE, PLAIN: "plain-CANARY" });
  });

  it("--format yaml reads back through the yaml package", async () => {
    const r = await hush(["export", "--format", "yaml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseYaml(r.stdout)).toEqual({ CR_VALUE, PLAIN: "plain-CANARY" });
  });

  it("--output FILE: created 0600 under umask 000, an existing 0644 file replaced by a 0600 one, nothing on stdout", async () => {
    const out = join(dir, "out.env");
    const old = process.umask(0);
    try {
      const r = await hush(["export", "--output", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/wrote 2 secret\(s\) to .*out\.env \(mode 0600\)/);
      expect(r.stderr).not.toContain("CANARY");
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(parseDotenv(readFileSync(out, "utf8")).PLAIN).toBe("plain-CANARY");
      writeFileSync(join(dir, "old.json"), "{}", { mode: 0o644 });
      expect((await hush(["export", "--format", "json", "--output", join(dir, "old.json")])).code).toBe(0);
      expect(statSync(join(dir, "old.json")).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(join(dir, "old.json"), "utf8")).CR_VALUE).toBe(CR_VALUE);
    } finally {
      process.umask(old);
    }
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("--output to a folder or a missing folder fails clearly and writes nothing", async () => {
    mkdirSync(join(dir, "sub"));
    const folder = await hush(["export", "--output", join(dir, "sub")]);
    expect(folder.code).toBe(2);
    const missing = await hush(["export", "--output", join(dir, "nope", "out.env")]);
    expect(missing.code).toBe(7);
    for (const r of [folder, missing]) expect(r.stdout + r.stderr).not.toContain("CANARY");
    expect(readdirSync(join(dir, "sub"))).toEqual([]);
  });

  it("shell: a value with a NUL is refused by name (exit 2), nothing printed", async () => {
    await createLocalSource({ secretsDir: join(dir, ".secrets") }).set("nul_value", "x\0CANARY");
    const r = await hush(["export", "--format", "shell"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/"nul_value" holds a NUL byte, which the shell format cannot carry/);
    expect(r.stderr).not.toContain("CANARY");
  });
});
