/**
 * The team, end to end through the CLI: two members with their own HOMEs, a project whose prod
 * key is `provider: team`. A copy of the project folder (as a clone on a new machine) opens for a
 * listed member with no key file anywhere; a non-member gets ACCESS_DENIED; a removed member is
 * refused; no value or key in any output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { copyTree } from "../helpers/copy-tree.js";

const VALUE = "sk-team-e2e-VALUE-0123456789abcdef";
let base: string;
const env: Record<string, NodeJS.ProcessEnv> = {};
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "hush-team-e2e-"));
  for (const who of ["alice", "bob", "carol"]) {
    const home = join(base, `home-${who}`);
    mkdirSync(home, { mode: 0o700 });
    env[who] = { PATH: process.env.PATH, HOME: home, USER: who };
  }
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Every file under `dir` (relative), for "no key file here" checks. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe("team provider end to end", () => {
  it("a listed member's new machine opens the store with no key file; a non-member and a removed member cannot", async () => {
    const project = join(base, "project");
    mkdirSync(project);
    writeFileSync(join(project, "hush.yaml"), "version: 1\nkeys:\n  prod: { provider: team }\n");
    const alicePub = (await runHush(["member", "keygen"], { env: env.alice })).stdout.trim();
    const bobPub = (await runHush(["member", "keygen"], { env: env.bob })).stdout.trim();
    expect((await runHush(["member", "keygen"], { env: env.carol })).code).toBe(0);

    const init = await runHush(["--cwd", project, "init", "--env", "prod"], { env: env.alice });
    expect(init.code, init.stderr).toBe(0);
    const set = await runHush(["--cwd", project, "set", "api_key", "--env", "prod"], { env: env.alice, stdin: VALUE });
    expect(set.code, set.stderr).toBe(0);
    const list = JSON.parse((await runHush(["--cwd", project, "member", "list", "--env", "prod", "--json"], { env: env.alice })).stdout);
    expect(list.members).toEqual([{ name: "alice", publicKey: alicePub }]);
    const add = await runHush(["--cwd", project, "member", "add", "bob", "--public-key", bobPub, "--env", "prod"], { env: env.alice });
    expect(add.code, add.stderr).toBe(0);

    // Bob's new machine: a copy of the project folder and his own HOME, no key file anywhere.
    const clone = join(base, "clone");
    copyTree(project, clone);
    expect(filesUnder(clone).filter((f) => /\.key$|encryption\.key|wrapped-key/.test(f))).toEqual([]);
    expect(filesUnder(env.bob!.HOME!)).toEqual([join(".config", "hush", "member", "x25519.pem")]);
    const got = await runHush(["--cwd", clone, "get", "api_key", "--env", "prod"], { env: env.bob });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.trim()).toBe(VALUE);

    const carol = await runHush(["--cwd", clone, "get", "api_key", "--env", "prod"], { env: env.carol });
    expect(carol.code).toBe(8); // ACCESS_DENIED
    expect(carol.stderr).toContain("not a member of prod");
    expect(carol.stdout + carol.stderr).not.toContain(VALUE);

    // Before removal, bob keeps a copy of the key he can open (a bundle): re-keying must make it useless.
    const kept = join(base, "bob-kept.hushkey");
    const exp = await runHush(["--cwd", clone, "key", "export", "--env", "prod", "--output", kept], { env: { ...env.bob, HUSH_PASSPHRASE: "bob's passphrase" } });
    expect(exp.code, exp.stderr).toBe(0);

    const removed = await runHush(["--cwd", project, "member", "remove", "bob", "--env", "prod"], { env: env.alice });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain("re-keyed prod");
    const clone2 = join(base, "clone2");
    copyTree(project, clone2);
    const bobAfter = await runHush(["--cwd", clone2, "get", "api_key", "--env", "prod"], { env: env.bob });
    expect(bobAfter.code).toBe(8);
    // Bob's kept key, put in place as a plain key file, does not open the re-keyed store.
    writeFileSync(join(clone2, "hush.yaml"), "version: 1\nkeys:\n  prod: { provider: file }\n");
    const imported = await runHush(["--cwd", clone2, "key", "import", kept, "--env", "prod"], { env: { ...env.bob, HUSH_PASSPHRASE: "bob's passphrase" } });
    expect(imported.code, imported.stderr).toBe(0);
    const withOld = await runHush(["--cwd", clone2, "get", "api_key", "--env", "prod"], { env: env.bob });
    expect(withOld.code).toBe(5); // WRONG_KEY
    expect(withOld.stderr).toContain("Wrong key");
    for (const r of [bobAfter, removed, withOld, imported, exp]) expect(r.stdout + r.stderr).not.toContain(VALUE);
    const alice = await runHush(["--cwd", project, "get", "api_key", "--env", "prod"], { env: env.alice });
    expect(alice.stdout.trim()).toBe(VALUE);
    expect(existsSync(join(project, ".hush", "members.prod.json.pending"))).toBe(false);
  });
});
