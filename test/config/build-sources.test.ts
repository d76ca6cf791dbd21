import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSources } from "../../src/config/build-sources.js";
import { listSourceTypes } from "../../src/sources/registry.js";
import { openConfiguredManager, resolveSecretsDir } from "../../src/config/open.js";
import { loadConfig } from "../../src/config/load.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { HushError } from "../../src/errors.js";

const CANARY = "canary-value-0b1c2d3e4f5a6978";
const dirs: string[] = [];
function project(yaml?: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-build-")));
  dirs.push(dir);
  if (yaml !== undefined) writeFileSync(join(dir, "hush.yaml"), yaml);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const quiet = () => undefined;

describe("buildSources", () => {
  it("knows env, dotenv, local, mallku, vault and kubernetes", () => {
    expect(listSourceTypes().map((d) => d.type)).toEqual(["env", "dotenv", "local", "mallku", "vault", "kubernetes"]);
  });

  it("builds the chain in order, with options resolved against the project folder", async () => {
    const root = project();
    writeFileSync(join(root, "custom.env"), `FROM_FILE=${CANARY}\n`);
    const chain = await buildSources(
      [{ type: "dotenv", options: { files: ["custom.env"] } }, { type: "env", options: {} }, { type: "local", options: { dir: "vault-dir" } }],
      { root, secretsDir: join(root, ".secrets"), environment: "dev", env: { FROM_FILE: "from-env" }, onWarning: quiet },
    );
    expect(chain.map((s) => s.name)).toEqual(["dotenv", "env", "local"]);
    expect((await chain[0]!.get("from_file"))?.value).toBe(CANARY);
    expect((await chain[1]!.get("from_file"))?.value).toBe("from-env");
    expect((await chain[2]!.check!()).detail).toContain(join(root, "vault-dir"));
  });

  it("an unknown type is CONFIG_INVALID naming the known types", async () => {
    const e = await buildSources([{ type: "consul", options: {} }], { root: "/", secretsDir: "/x", environment: "dev", onWarning: quiet }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("CONFIG_INVALID");
    expect((e as HushError).message).toBe('sources[0].type: unknown source type "consul"; known types: env, dotenv, local, mallku, vault, kubernetes.');
  });
});

describe("openConfiguredManager", () => {
  it("uses hush.yaml's chain, environment and secrets folder", async () => {
    const root = project("version: 1\nenvironment: staging\nsources:\n  - type: local\n    options: { dir: store, maxVersions: 2 }\n  - type: env\n");
    createKeyFile(join(root, "store"), "staging");
    const { manager, loaded } = await openConfiguredManager({ cwd: root, env: { A_SECRET: "from-env" }, onWarning: quiet });
    expect(loaded.environment).toBe("staging");
    expect(manager.environment).toBe("staging");
    expect(manager.secretsDir).toBe(join(root, "store"));
    expect(manager.sources.map((s) => s.name)).toEqual(["local", "env"]);
    await manager.set("a_secret", CANARY);
    await manager.set("a_secret", CANARY + "2");
    await manager.set("a_secret", CANARY + "3");
    expect(await manager.get("A_SECRET")).toBe(CANARY + "3");
    expect((await manager.versions("a_secret")).length).toBe(2);
    await manager.dispose();
  });

  it("passes the local source's permissions and lockTimeoutMs on: `warn` opens a folder others can read, with a warning", async () => {
    const strictRoot = project("version: 1\nsources:\n  - type: local\n");
    createKeyFile(join(strictRoot, ".secrets"), "dev");
    chmodSync(join(strictRoot, ".secrets"), 0o755);
    const strict = await openConfiguredManager({ cwd: strictRoot, env: {}, onWarning: quiet });
    await expect(strict.manager.set("a_secret", CANARY)).rejects.toMatchObject({ code: "INSECURE_PERMISSIONS" });
    await strict.manager.dispose();

    const root = project("version: 1\nsources:\n  - type: local\n    options: { permissions: warn, lockTimeoutMs: 2000 }\n");
    createKeyFile(join(root, ".secrets"), "dev");
    chmodSync(join(root, ".secrets"), 0o755);
    const warnings: string[] = [];
    const { manager } = await openConfiguredManager({ cwd: root, env: {}, onWarning: (m) => warnings.push(m) });
    await manager.set("a_secret", CANARY);
    expect(await manager.get("a_secret")).toBe(CANARY);
    expect(warnings.join("\n")).toContain("chmod 700");
    expect(warnings.join("\n")).not.toContain(CANARY);
    await manager.dispose();
  });

  it("--secrets-dir wins over the config's dir; no sources: the default chain", async () => {
    const root = project("version: 1\n");
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(resolveSecretsDir(loaded, root)).toBe(join(root, ".secrets"));
    expect(resolveSecretsDir(loaded, root, "elsewhere")).toBe(join(root, "elsewhere"));
    const { manager } = await openConfiguredManager({ cwd: root, env: {}, onWarning: quiet });
    expect(manager.sources.map((s) => s.name)).toEqual(["env", "dotenv", "local"]);
    await manager.dispose();
  });
});
