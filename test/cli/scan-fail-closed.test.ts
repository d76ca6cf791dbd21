/**
 * `hush scan` and `hush redact` never report "clean" for what they could not check (issue 10,
 * issue 11, FAULTS 30): a missing path, stdin, the values of other environments, values that
 * cannot be read (wrong key, lax store, audit denial), and the allow flags that took paths.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush, type CliRun } from "../helpers/cli.js";
import { FAKE } from "../scan/fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-scan-closed-"));
  writeFileSync(join(dir, ".gitignore"), ".secrets/\n");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const DEV_VALUE = "dev-Vq7rT2pX9mK4wL8z";
const PROD_VALUE = "prod-Hs3nB6yC1jR5dF0g";
const hush = (args: string[], stdin?: string) => runHush(["-C", dir, ...args], stdin === undefined ? {} : { stdin });
const noValues = (r: CliRun, ...values: string[]) => {
  for (const v of values) expect(r.stdout + r.stderr).not.toContain(v);
};

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
/** The built CLI in its own process: an in-process run may find an audit log already open. */
const spawnHush = (args: string[], stdin = ""): CliRun => {
  const r = spawnSync(process.execPath, [CLI, "-C", dir, ...args], { input: stdin, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

async function withStores(): Promise<void> {
  expect((await hush(["init"])).code).toBe(0);
  expect((await hush(["set", "db_password"], DEV_VALUE)).code).toBe(0);
  expect((await hush(["--env", "prod", "init"])).code).toBe(0);
  expect((await hush(["--env", "prod", "set", "db_password"], PROD_VALUE)).code).toBe(0);
}

describe("hush scan: inputs it cannot scan are not clean", () => {
  it("a missing path is SCAN_INCOMPLETE (exit 10), named on stderr", async () => {
    writeFileSync(join(dir, "a.txt"), "nothing\n");
    const r = await hush(["scan", "does-not-exist"]);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain("hush: does-not-exist: could not be read (ENOENT); skipped");
    expect(r.stderr).toContain("1 input was not scanned");
  });

  it("`-` scans stdin: a key on stdin is a finding (exit 1); clean stdin exits 0", async () => {
    const key = FAKE["github-token"]!();
    const found = await hush(["scan", "-"], `line one\ntoken = "${key}"\n`);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/^-:2:10 {2}github-token/m);
    expect(found.stdout + found.stderr).not.toContain(key.slice(4));
    const clean = await hush(["scan", "-"], "hello\n");
    expect(clean).toMatchObject({ code: 0, stdout: "" });
    expect(clean.stderr).toMatch(/no secrets found in 1 file/);
  });

  it("--allow-rule, --allow-path, --allow-secret take one value each: the paths after them are scanned", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `const t = "${key}";\n`);
    writeFileSync(join(dir, "c.ts"), `const t = "${key}";\n`);
    const r = await hush(["scan", "--json", "--allow-rule", "jwt", "--allow-path", "b/", "--allow-secret", "x", "a.ts"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { path: string }) => f.path)).toEqual(["a.ts"]);
    const twice = await hush(["scan", "--allow-rule", "jwt", "--allow-rule", "github-token", "a.ts"]);
    expect(twice).toMatchObject({ code: 0, stdout: "" });
  });
});

describe("hush scan: the values of every environment whose key is here", () => {
  it("finds a prod value from dev, and names the environment", async () => {
    await withStores();
    writeFileSync(join(dir, "notes.md"), `dev ${DEV_VALUE}\nprod ${PROD_VALUE}\n`);
    const r = await hush(["scan", "notes.md"]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n")).toEqual(["notes.md:1:5  managed:db_password  env:dev  [high]", "notes.md:2:6  managed:db_password  env:prod  [high]"]);
    const json = JSON.parse((await hush(["scan", "--json", "notes.md"])).stdout);
    expect(json.findings.map((f: { environment: string }) => f.environment)).toEqual(["dev", "prod"]);
    noValues(r, DEV_VALUE, PROD_VALUE);
  });
});

describe("hush scan and hush redact fail closed when the managed values cannot be read", () => {
  it("wrong key: scan exits 5 and says why; redact exits 5 and prints nothing", async () => {
    await withStores();
    writeFileSync(join(dir, "notes.md"), `prod ${PROD_VALUE}\n`);
    writeFileSync(join(dir, ".secrets", "prod.key"), randomBytes(32).toString("base64url") + "=", { mode: 0o600 });
    const r = await hush(["scan", "notes.md"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("Managed values of environment prod could not be read, so the scan cannot say that the files are clean");
    expect(r.stderr).toContain("--no-managed");
    expect(r.stderr).not.toContain("no secrets found");
    noValues(r, DEV_VALUE, PROD_VALUE);
    const red = await hush(["--env", "prod", "redact"], `pw ${PROD_VALUE}\n`);
    expect(red.code).toBe(5);
    expect(red.stdout).toBe("");
    noValues(red, PROD_VALUE);
  });

  it("a store others can read: scan exits 5 (INSECURE_PERMISSIONS)", async () => {
    await withStores();
    writeFileSync(join(dir, "notes.md"), `dev ${DEV_VALUE}\n`);
    chmodSync(join(dir, ".secrets", "dev.store"), 0o644);
    const r = await hush(["scan", "notes.md"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("could not be read");
    noValues(r, DEV_VALUE);
  });

  it("audit denial (audit: required, log unwritable): scan exits 9; redact exits 9 and never passes the text through", async () => {
    await withStores();
    writeFileSync(join(dir, "hush.yaml"), `${readFileSync(join(dir, "hush.yaml"), "utf8")}audit: required\n`); // keeps project: (the keys' folder)
    writeFileSync(join(dir, "notes.md"), `dev ${DEV_VALUE}\n`);
    rmSync(join(dir, ".secrets", "audit.dev.jsonl"), { force: true });
    mkdirSync(join(dir, ".secrets", "audit.dev.jsonl")); // a folder where the log goes: every append fails
    const r = spawnHush(["scan", "notes.md"]);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain("could not be read");
    noValues(r, DEV_VALUE);
    const red = spawnHush(["redact"], `pw ${DEV_VALUE}\n`);
    expect(red.code).toBe(9);
    expect(red.stdout).toBe("");
    noValues(red, DEV_VALUE);
  });

  it("a project with no key and no store has nothing to look for: patterns only, exit 0", async () => {
    writeFileSync(join(dir, "a.txt"), "hello\n");
    const r = await hush(["scan"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("hello\n");
  });
});
