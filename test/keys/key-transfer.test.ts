/**
 * `hush key export | import` and `hush member keygen | add | list | remove` through the CLI
 * (in-process): bundles 0600, never printed to a terminal, bound to their environment; import
 * stores through the provider, refuses a different key unless --force and then keeps the old one;
 * no key or passphrase in any output.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { runCli } from "../../src/cli/run-cli.js";
import { PassThrough, Readable } from "node:stream";
import { buildChildEnv } from "../../src/run/child-env.js";

const PASS = "bundle passphrase 42";
let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "hush-transfer-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function envFor(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return { PATH: process.env.PATH, HOME: home, USER: "tester", ...extra };
}

async function project(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = join(base, name);
  mkdirSync(dir);
  const r = await runHush(["--cwd", dir, "init", "--env", "prod", "--key-provider", "file"], { env });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

function keyTextOf(dir: string): string {
  const secrets = join(dir, ".secrets");
  const file = readdirSync(secrets).find((f) => f === "prod.key");
  if (file) return readFileSync(join(secrets, file), "utf8").trim();
  throw new Error("no file key in this project (the default provider changed?)");
}

function noLeak(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text).not.toContain(s);
}

describe("hush key export / import", () => {
  // Each CLI run here derives a scrypt key (64 MiB, the product's cost): seven of them took 21 s on
  // a loaded 2-core machine, the next test's eleven 29-30 s (timed out at the default 30 s).
  it("moves a key to a new project folder; again is unchanged; a different key needs --force, which keeps the old one", { timeout: 120_000 }, async () => {
    const env = envFor(join(base, "home"), { HUSH_PASSPHRASE: PASS });
    const a = await project("a", env);
    const key = keyTextOf(a);
    const bundle = join(base, "prod.hushkey");
    const exp = await runHush(["--cwd", a, "key", "export", "--env", "prod", "--output", bundle], { env });
    expect(exp.code, exp.stderr).toBe(0);
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    noLeak(readFileSync(bundle, "utf8") + exp.stdout + exp.stderr, [key, PASS]);
    const again = await runHush(["--cwd", a, "key", "export", "--env", "prod", "--output", bundle], { env });
    expect(again.code).not.toBe(0); // never over a file

    const b = await project("b", env); // another key for prod
    const refused = await runHush(["--cwd", b, "key", "import", bundle, "--env", "prod"], { env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("A different key for prod is stored");
    noLeak(refused.stdout + refused.stderr, [key, keyTextOf(b), PASS]);
    const oldB = keyTextOf(b);
    const forced = await runHush(["--cwd", b, "key", "import", bundle, "--env", "prod", "--force", "--json"], { env });
    expect(forced.code, forced.stderr).toBe(0);
    const r = JSON.parse(forced.stdout);
    expect(r.outcome).toBe("replaced");
    expect(existsSync(r.replaced.keptIn)).toBe(true);
    expect(keyTextOf(b)).toBe(key);
    noLeak(forced.stdout + forced.stderr, [key, oldB, PASS]);
    // The kept copy opens with the same passphrase and gives the old key back.
    const c = join(base, "c");
    mkdirSync(c);
    const back = await runHush(["--cwd", c, "key", "import", r.replaced.keptIn, "--env", "prod"], { env });
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(join(c, ".secrets", "prod.key"), "utf8").trim()).toBe(oldB);
    const same = await runHush(["--cwd", b, "key", "import", bundle, "--env", "prod", "--json"], { env });
    expect(JSON.parse(same.stdout).outcome).toBe("unchanged");
  });

  it("a wrong passphrase is WRONG_KEY; a bundle of another environment does not import; nothing is stored", async () => {
    const env = envFor(join(base, "home"), { HUSH_PASSPHRASE: PASS });
    const a = await project("a", env);
    const bundle = join(base, "prod.hushkey");
    expect((await runHush(["--cwd", a, "key", "export", "--env", "prod", "-o", bundle], { env })).code).toBe(0);
    const c = join(base, "c");
    mkdirSync(c);
    const wrong = await runHush(["--cwd", c, "key", "import", bundle, "--env", "prod"], { env: { ...env, HUSH_PASSPHRASE: "nope nope" } });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain("The passphrase does not open");
    const other = await runHush(["--cwd", c, "key", "import", bundle, "--env", "staging"], { env });
    expect(other.code).toBe(5);
    expect(other.stderr).toContain("not staging");
    expect(existsSync(join(c, ".secrets", "prod.key"))).toBe(false);
    noLeak(wrong.stderr + other.stderr, [keyTextOf(a), PASS]);
  });

  it("refuses to print a bundle to a terminal, and asks for no passphrase without one", async () => {
    const env = envFor(join(base, "home"));
    const a = await project("a", env);
    const tty = await runWithTtyStdout(["--cwd", a, "key", "export", "--env", "prod"], { ...env, HUSH_PASSPHRASE: PASS });
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain("terminal");
    const none = await runHush(["--cwd", a, "key", "export", "--env", "prod"], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("HUSH_PASSPHRASE");
    expect(none.stdout).toBe("");
  });
});

describe("passphrase provider through the store", () => {
  it("init wraps the new key under HUSH_PASSPHRASE; set/get work; a wrong passphrase is WRONG_KEY with no value shown", { timeout: 120_000 }, async () => {
    const env = envFor(join(base, "home"), { HUSH_PASSPHRASE: PASS });
    const dir = join(base, "pp");
    mkdirSync(dir);
    writeFileSync(join(dir, "hush.yaml"), "version: 1\nkeys:\n  prod: { provider: passphrase }\n");
    const init = await runHush(["--cwd", dir, "init", "--env", "prod"], { env });
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(dir, ".secrets", "prod.wrapped-key.json"))).toBe(true);
    expect(existsSync(join(dir, ".secrets", "prod.key"))).toBe(false);
    const value = "sk-passphrase-VALUE-abcdef0123456789";
    expect((await runHush(["--cwd", dir, "set", "api_key", "--env", "prod"], { env, stdin: value })).code).toBe(0);
    const got = await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env });
    expect(got.stdout.trim()).toBe(value);
    const wrong = await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env: { ...env, HUSH_PASSPHRASE: "wrong one" } });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain("does not open");
    noLeak(wrong.stdout + wrong.stderr + init.stderr, [value, PASS]);
    // A member removed from a passphrase environment re-keys it (hush key rotate: a new key wrapped
    // under the same passphrase); the store opens with the passphrase as before.
    const pub = (await runHush(["member", "keygen"], { env })).stdout.trim();
    expect((await runHush(["--cwd", dir, "member", "add", "dan", "--public-key", pub, "--env", "prod"], { env })).code).toBe(0);
    const wrappedBefore = readFileSync(join(dir, ".secrets", "prod.wrapped-key.json"));
    const removed = await runHush(["--cwd", dir, "member", "remove", "dan", "--env", "prod"], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).not.toContain("NOT RE-KEYED");
    expect(readFileSync(join(dir, ".secrets", "prod.wrapped-key.json")).equals(wrappedBefore), "a new key was wrapped").toBe(false);
    expect(existsSync(join(dir, ".secrets", "prod.wrapped-key.json.pending"))).toBe(false);
    expect((await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env })).stdout.trim()).toBe(value);
    noLeak(removed.stdout + removed.stderr, [value, PASS]);
    // The wrong passphrase: refused (WRONG_KEY, exit 5), never a silent success.
    expect((await runHush(["--cwd", dir, "member", "add", "dan", "--public-key", pub, "--env", "prod"], { env })).code).toBe(0);
    const failed = await runHush(["--cwd", dir, "member", "remove", "dan", "--env", "prod"], { env: { ...env, HUSH_PASSPHRASE: "wrong one" } });
    expect(failed.code, failed.stderr).toBe(5);
    expect(failed.stderr).not.toContain("removed");
    noLeak(failed.stdout + failed.stderr, [value, PASS]);
  });
});

describe("hush member", () => {
  it("keygen prints the public key; add, list, remove manage the file; errors leak nothing", async () => {
    const alice = envFor(join(base, "alice"));
    const bob = envFor(join(base, "bob"));
    const dir = await project("p", alice);
    const key = keyTextOf(dir);
    const ka = await runHush(["member", "keygen"], { env: alice });
    expect(ka.code).toBe(0);
    expect(ka.stdout.trim()).toMatch(/^hush-x25519:[A-Za-z0-9_-]{43}$/);
    const kb = await runHush(["member", "keygen", "--json"], { env: bob });
    const bobKey = JSON.parse(kb.stdout).publicKey as string;
    expect((await runHush(["--cwd", dir, "member", "add", "alice", "--public-key", ka.stdout.trim(), "--env", "prod"], { env: alice })).code).toBe(0);
    const add = await runHush(["--cwd", dir, "member", "add", "bob", "--public-key", bobKey, "--env", "prod"], { env: alice });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain("members.prod.json");
    const list = await runHush(["--cwd", dir, "member", "list", "--env", "prod", "--json"], { env: bob });
    expect(JSON.parse(list.stdout).members.map((m: { name: string }) => m.name)).toEqual(["alice", "bob"]);
    const bad = await runHush(["--cwd", dir, "member", "add", "carol", "--public-key", "hush-x25519:nope", "--env", "prod"], { env: alice });
    expect(bad.code).toBe(2);
    noLeak(ka.stdout + ka.stderr + kb.stdout + add.stdout + add.stderr + list.stdout + bad.stderr, [key]);
    expect(readFileSync(join(dir, ".hush", "members.prod.json"), "utf8")).not.toContain(key);
    const removed = await runHush(["--cwd", dir, "member", "remove", "bob", "--env", "prod", "--json"], { env: alice });
    expect(JSON.parse(removed.stdout)).toMatchObject({ name: "bob", remaining: 1, rekeyed: true });
    expect(removed.code, removed.stderr).toBe(0);
    // Re-keyed through `hush key rotate`'s function, and the members file re-wrapped to the new key:
    // adding someone checks its MAC under the environment's (new) key.
    expect(keyTextOf(dir)).not.toBe(key);
    const carol = await runHush(["--cwd", dir, "member", "add", "bob2", "--public-key", bobKey, "--env", "prod"], { env: alice });
    expect(carol.code, carol.stderr).toBe(0);
    const gone = await runHush(["--cwd", dir, "member", "remove", "bob", "--env", "prod"], { env: alice });
    expect(gone.code).toBe(4);
    noLeak(removed.stdout + removed.stderr + gone.stderr, [key]);
  });
});

it("hush run never passes HUSH_PASSPHRASE to the child", () => {
  const env = buildChildEnv({ HUSH_PASSPHRASE: PASS, KEEP: "1" }, {});
  expect(env).toEqual({ KEEP: "1" });
});

/** Runs the CLI with a stdout that says it is a terminal. */
async function runWithTtyStdout(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on("data", (c: Buffer) => chunks.out.push(c));
  stderr.on("data", (c: Buffer) => chunks.err.push(c));
  const code = await runCli(argv, { stdout, stderr, stdin: Readable.from([]), env, exitCode: 0, color: false });
  return { code, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() };
}
