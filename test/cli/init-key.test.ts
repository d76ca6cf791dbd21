/**
 * `hush init` never pairs a new key with an existing store (issue 11, FAULTS 26): with the key
 * lost, a fresh key beside a Python store makes the Python app overwrite it with an empty dict.
 */
import { describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { MALLKU_FIXTURE } from "../helpers/fixtures.js";

/** A project whose `.secrets/` holds the Python-made store, without its key. */
function pythonStoreWithoutKey(): string {
  const dir = tempProject();
  mkdirSync(join(dir, ".secrets"), { mode: 0o700 });
  for (const f of ["mallku-secrets.json.encrypted", "service_token.secret"]) copyFileSync(join(MALLKU_FIXTURE, ".secrets", f), join(dir, ".secrets", f));
  return dir;
}

/** A project with a hush store holding the canary, whose key was then lost. */
async function hushStoreWithoutKey(): Promise<string> {
  const dir = tempProject();
  await hushIn(dir, ["init", "--key-provider", "file"]);
  expect((await hushIn(dir, ["set", "api_token"], { stdin: CANARY })).code).toBe(0);
  // the key is lost: move it out of the folder (kept, to show it still opens the store)
  copyFileSync(join(dir, ".secrets", ".encryption.key"), join(dir, "lost.key"));
  const { unlinkSync } = await import("node:fs");
  unlinkSync(join(dir, ".secrets", ".encryption.key"));
  return dir;
}

describe("hush init with a store whose key is missing", () => {
  it("refuses when the user provider's key is lost (a new machine, a new HOME): no new key beside the store", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init"]);
    expect((await hushIn(dir, ["set", "api_token"], { stdin: CANARY })).code).toBe(0);
    const project = /^project: (\S+)$/m.exec(readFileSync(join(dir, "hush.yaml"), "utf8"))![1]!;
    const key = join(process.env.XDG_CONFIG_HOME!, "hush", "keys", project, "dev.key");
    const { renameSync } = await import("node:fs");
    renameSync(key, `${key}.lost`);
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("dev.store");
    expect(existsSync(key)).toBe(false);
    expectNoCanary(r);
    renameSync(`${key}.lost`, key);
    expect((await hushIn(dir, ["get", "api_token"])).stdout).toBe(CANARY);
  });

  it("refuses beside a Python store: no key made, the store byte-identical, the hint says restore", async () => {
    const dir = pythonStoreWithoutKey();
    const before = readFileSync(join(dir, ".secrets", "mallku-secrets.json.encrypted"));
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("is missing, but");
    expect(r.stderr).toContain("mallku-secrets.json.encrypted");
    expect(r.stderr).toContain("Restore the key from your backup");
    expect(existsSync(join(dir, ".secrets", ".encryption.key"))).toBe(false);
    expect(readFileSync(join(dir, ".secrets", "mallku-secrets.json.encrypted"))).toEqual(before);
  });

  it("refuses beside a hush store; the missing-key error of `get` does not suggest init", async () => {
    const dir = await hushStoreWithoutKey();
    const get = await hushIn(dir, ["get", "api_token"]);
    expect(get.code).toBe(5);
    expect(get.stderr).not.toContain("hush init");
    expect(get.stderr).toContain("restore it from your backup");
    expectNoCanary(get);
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("dev.store");
    expectNoCanary(r);
    expect(existsSync(join(dir, ".secrets", ".encryption.key"))).toBe(false);
    // putting the key back restores everything
    copyFileSync(join(dir, "lost.key"), join(dir, ".secrets", ".encryption.key"));
    const again = await hushIn(dir, ["get", "api_token"]);
    expect(again.stdout).toBe(CANARY);
  });

  it("--force-new-key moves the store aside (0700, never deleted) and makes a new key", async () => {
    const dir = pythonStoreWithoutKey();
    const before = readFileSync(join(dir, ".secrets", "mallku-secrets.json.encrypted"));
    const r = await hushIn(dir, ["init", "--force-new-key", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.created.key).toBe(true);
    expect(json.movedAside).toMatch(/orphaned-dev-/);
    expect(statSync(json.movedAside).mode & 0o777).toBe(0o700);
    expect(readdirSync(json.movedAside).sort()).toEqual(["mallku-secrets.json.encrypted", "service_token.secret"]);
    expect(readFileSync(join(json.movedAside, "mallku-secrets.json.encrypted"))).toEqual(before);
    expect(existsSync(join(dir, ".secrets", "mallku-secrets.json.encrypted"))).toBe(false);
    expect(statSync(join(dir, ".secrets", ".encryption.key")).mode & 0o777).toBe(0o600);
  });

  it("another environment's store does not block a key (prod.store is not dev's)", async () => {
    const dir = await hushStoreWithoutKey();
    const r = await hushIn(dir, ["init", "--env", "prod"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".secrets", "prod.key"))).toBe(true);
  });

  it("`hush doctor` on a store whose key is missing says restore it, never `hush init`", async () => {
    const dir = await hushStoreWithoutKey();
    const r = await hushIn(dir, ["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("restore");
    expect(r.stdout + r.stderr).not.toContain("fix: hush init");
    expectNoCanary(r);
  });
});
