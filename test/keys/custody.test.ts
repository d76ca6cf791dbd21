/**
 * Key custody end to end (issue 13): after `hush init` + `hush set`, nothing under the project
 * folder opens the store (a copy of the folder on a "new machine" reads nothing); a project whose
 * key file is in `.secrets/` keeps working; `hush run` and `hush-secrets/config` never hand a key
 * or passphrase to the program; the `env` provider reads HUSH_KEY_<ENV>.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { openToken, parseFernetKey } from "../../src/crypto/fernet.js";
import { copyTree } from "../helpers/copy-tree.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const CONFIG_REGISTER = fileURLToPath(new URL("../../dist/config.js", import.meta.url));
const RUN_CHILD = fileURLToPath(new URL("../helpers/run-child.mjs", import.meta.url));

/** Every file under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("key custody", () => {
  it("after init + set, a copy of the whole project folder under a new HOME opens nothing", async () => {
    const dir = tempProject();
    expect((await hushIn(dir, ["init"])).code).toBe(0);
    expect((await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY })).code).toBe(0);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    // A chain named in hush.yaml passes the key settings to its local store too.
    writeFileSync(join(dir, "hush.yaml"), `${readFileSync(join(dir, "hush.yaml"), "utf8")}sources:\n  - type: env\n  - type: local\n`);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);

    const elsewhere = mkdtempSync(join(tmpdir(), "hush-new-machine-"));
    try {
      const copy = join(elsewhere, "project");
      copyTree(dir, copy);
      const home = join(elsewhere, "home");
      const r = await hushIn(copy, ["get", "openai_api_key"], { env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config") } });
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`No key file at ${join(home, ".config", "hush", "keys")}`);
      expect(r.stderr).toContain("hush key import");
      expectNoCanary(r);
      // No file of the copy, nor any 44-character key-shaped text in one, opens the store.
      const store = readFileSync(join(copy, ".secrets", "dev.store"), "utf8");
      const token = store.trim().split("\n").pop()!;
      const project = /^project: (\S+)$/m.exec(readFileSync(join(dir, "hush.yaml"), "utf8"))![1]!;
      const realKey = parseFernetKey(readFileSync(join(process.env.XDG_CONFIG_HOME!, "hush", "keys", project, "dev.key")));
      expect(openToken(realKey, token).ok, "the user's key (outside the folder) opens it: the check below can tell").toBe(true);
      let candidates = 0;
      for (const file of filesUnder(copy)) {
        for (const text of [readFileSync(file, "latin1"), ...(readFileSync(file, "latin1").match(/[A-Za-z0-9_-]{43}=/g) ?? [])]) {
          let key;
          try {
            key = parseFernetKey(text);
          } catch {
            continue;
          }
          candidates++;
          expect(openToken(key, token).ok, `${file} opens the store`).toBe(false);
        }
      }
      expect(candidates, "the key-shaped texts tried (the store token's tail is one)").toBeGreaterThan(0);
      // The hint says what to do: bring the key, never make a new one beside the store.
      const init = await hushIn(copy, ["init"], { env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config") } });
      expect(init.code).toBe(5);
      expect(readdirSync(join(copy, ".secrets"))).not.toContain(".encryption.key");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("an existing project with its key file in .secrets/ and no keys: entry keeps using it (file)", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    // Even with a project id added later, the key file present decides.
    writeFileSync(join(dir, "hush.yaml"), "version: 1\nproject: later-added-id\n");
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    expect(statSync(join(dir, ".secrets", ".encryption.key")).mode & 0o777).toBe(0o600);
  });

  it("hush run and hush-secrets/config: the env provider's HUSH_KEY_DEV opens the store, and the program never sees it nor HUSH_PASSPHRASE", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const key = readFileSync(join(dir, ".secrets", ".encryption.key"), "utf8").trim();
    rmSync(join(dir, ".secrets", ".encryption.key"));
    writeFileSync(join(dir, "hush.yaml"), "version: 1\nkeys:\n  dev: { provider: env }\n");
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, HUSH_KEY_DEV: key, HUSH_KEY_PROD: key, HUSH_PASSPHRASE: "pass-CANARY-phrase" };
    const names = ["OPENAI_API_KEY", "HUSH_KEY_DEV", "HUSH_KEY_PROD", "HUSH_PASSPHRASE"];

    const run = spawnSync(process.execPath, [CLI, "run", "--", process.execPath, RUN_CHILD, "env", ...names], { cwd: dir, env, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ OPENAI_API_KEY: CANARY, HUSH_KEY_DEV: null, HUSH_KEY_PROD: null, HUSH_PASSPHRASE: null });
    expect(run.stderr).not.toContain(key.slice(0, 16));

    const probe = `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n] ?? null]))))`;
    const app = spawnSync(process.execPath, ["--import", CONFIG_REGISTER, "--input-type=module", "-e", probe], { cwd: dir, env, encoding: "utf8" });
    expect(app.status, app.stderr).toBe(0);
    expect(JSON.parse(app.stdout)).toEqual({ OPENAI_API_KEY: CANARY, HUSH_KEY_DEV: null, HUSH_KEY_PROD: null, HUSH_PASSPHRASE: null });

    const missing = spawnSync(process.execPath, [CLI, "get", "openai_api_key"], { cwd: dir, env: { ...env, HUSH_KEY_DEV: "" }, encoding: "utf8" });
    expect(missing.status).toBe(5);
    expect(missing.stderr).toContain("HUSH_KEY_DEV");
    expect(missing.stdout + missing.stderr).not.toContain(CANARY);
  });
});

describe("the audit names the key provider", () => {
  it("a new chain's start marker records which provider gave the key, under its MAC", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    const marker = JSON.parse(readFileSync(join(dir, ".secrets", "audit.dev.start"), "utf8"));
    expect(marker.keyProvider).toBe("user");
    const verify = await hushIn(dir, ["audit", "verify"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // The provider is covered by the MAC: naming another breaks verification.
    writeFileSync(join(dir, ".secrets", "audit.dev.start"), readFileSync(join(dir, ".secrets", "audit.dev.start"), "utf8").replace('"keyProvider":"user"', '"keyProvider":"file"'));
    expect((await hushIn(dir, ["audit", "verify"])).code).not.toBe(0);
  });
});

describe("createSecretsManager without a loaded config", () => {
  it("follows hush.yaml's project: (the user key made by hush init), and never makes a key in .secrets/", async () => {
    const { createSecretsManager } = await import("../../src/manager.js");
    const dir = tempProject();
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const env = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    const hush = createSecretsManager({ cwd: dir, env });
    try {
      expect(await hush.get("openai_api_key")).toBe(CANARY);
    } finally {
      await hush.dispose();
    }
    const prod = createSecretsManager({ cwd: dir, env, environment: "prod" });
    try {
      await prod.set("database_url", "postgres://x-CANARY");
      expect(readdirSync(join(dir, ".secrets"))).not.toContain("prod.key");
      expect((await hushIn(dir, ["get", "database_url", "--env", "prod"])).stdout).toBe("postgres://x-CANARY");
    } finally {
      await prod.dispose();
    }
  });
});
