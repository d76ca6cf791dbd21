import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { hasContent } from "../../src/config/load.js";

const mode = (p: string) => statSync(p).mode & 0o777;

describe("hush init", () => {
  it("a new project: .secrets/ (0700), the key (0600) in the user's config folder, hush.yaml with the project id, .gitignore lines", async () => {
    const dir = tempProject();
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("created .secrets/ (0700)");
    const project = /^project: (\S+)$/m.exec(readFileSync(join(dir, "hush.yaml"), "utf8"))?.[1];
    expect(project).toMatch(/^hush-cli-[a-z0-9-]+-[0-9a-f]{4}-[0-9a-f]{4}$/);
    const key = join(process.env.XDG_CONFIG_HOME!, "hush", "keys", project!, "dev.key");
    expect(r.stderr).toContain(`created key for dev (user provider): ${key} (0600)`);
    expect(r.stderr).toContain("wrote a commented hush.yaml");
    expect(r.stderr).toContain("added .secrets/, .env, .env.*, !.env.example to .gitignore");
    expect(mode(join(dir, ".secrets"))).toBe(0o700);
    expect(mode(key)).toBe(0o600);
    expect(mode(join(key, ".."))).toBe(0o700);
    expect(existsSync(join(dir, ".secrets", ".encryption.key"))).toBe(false);
    expect(JSON.parse((await hushIn(dir, ["init", "--json"])).stdout)).toMatchObject({ keyProvider: "user", keyFile: key, created: { key: false } });
  });

  it("--key-provider file keeps the key in .secrets/ (the old layout) and writes a hush.yaml of comments only", async () => {
    const dir = tempProject();
    const r = await hushIn(dir, ["init", "--key-provider", "file"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("created key for dev (file provider): .secrets/.encryption.key (0600)");
    expect(mode(join(dir, ".secrets", ".encryption.key"))).toBe(0o600);
    expect(hasContent(readFileSync(join(dir, "hush.yaml"), "utf8"))).toBe(false);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("# hush: the secrets folder and plaintext env files\n.secrets/\n.env\n.env.*\n!.env.example\n");
  });

  it("is safe to run twice: the key, hush.yaml and .gitignore are kept as they are", async () => {
    const dir = tempProject({ ".gitignore": "node_modules" });
    await hushIn(dir, ["init", "--key-provider", "file"]);
    const key = readFileSync(join(dir, ".secrets", ".encryption.key"));
    writeFileSync(join(dir, "hush.yaml"), "version: 1\n");
    const gitignore = readFileSync(join(dir, ".gitignore"), "utf8");
    expect(gitignore).toBe("node_modules\n# hush: the secrets folder and plaintext env files\n.secrets/\n.env\n.env.*\n!.env.example\n");
    const r = await hushIn(dir, ["init", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.created).toEqual({ secretsDir: false, key: false, config: false });
    expect(json.gitignoreAdded).toEqual([]);
    expect(readFileSync(join(dir, ".secrets", ".encryption.key"))).toEqual(key);
    expect(readFileSync(join(dir, "hush.yaml"), "utf8")).toBe("version: 1\n");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(gitignore);
  });

  it("does not add what .gitignore already covers", async () => {
    const dir = tempProject({ ".gitignore": "/.secrets\n.env*\n!.env.example\n" });
    const r = await hushIn(dir, ["init", "--json"]);
    expect(JSON.parse(r.stdout).gitignoreAdded).toEqual([]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("/.secrets\n.env*\n!.env.example\n");
  });

  it("ignores .env.<environment> (which the dotenv source reads) but keeps .env.example", async () => {
    const dir = tempProject({ ".gitignore": ".env\n" });
    const r = await hushIn(dir, ["init", "--json"]);
    expect(JSON.parse(r.stdout).gitignoreAdded).toEqual([".secrets/", ".env.*", "!.env.example"]);
    const { default: ignore } = await import("ignore");
    const rules = ignore().add(readFileSync(join(dir, ".gitignore"), "utf8"));
    expect([".env", ".env.prod", ".env.dev", ".env.local"].every((p) => rules.ignores(p))).toBe(true);
    expect(rules.ignores(".env.example")).toBe(false);
  });

  it("refuses a .gitignore that is a symbolic link, before creating anything; its target is untouched", async () => {
    const dir = tempProject();
    const target = join(dir, "elsewhere.txt");
    writeFileSync(target, "someone else's file\n");
    symlinkSync(target, join(dir, ".gitignore"));
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(".gitignore is a symbolic link; hush init does not write through it, and created nothing.");
    expect(readFileSync(target, "utf8")).toBe("someone else's file\n");
    expect(existsSync(join(dir, ".secrets"))).toBe(false);
  });

  it("--env prod creates prod's key beside dev's; HUSH_ENV works too", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    const r = await hushIn(dir, ["init", "--env", "prod"]);
    expect(r.stderr).toContain("created key for prod (file provider): .secrets/prod.key (0600)");
    expect(mode(join(dir, ".secrets", "prod.key"))).toBe(0o600);
    await hushIn(dir, ["init"], { env: { HUSH_ENV: "staging" } });
    expect(existsSync(join(dir, ".secrets", "staging.key"))).toBe(true);
  });

  it("works from a sub-folder of a project that has hush.yaml", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nenvironment: staging\n" });
    mkdirSync(join(dir, "app"));
    const r = await hushIn(join(dir, "app"), ["init", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ root: dir, environment: "staging", environmentOrigin: "config", created: { config: false } });
    expect(existsSync(join(dir, ".secrets", "staging.key"))).toBe(true);
  });

  it("refuses a secrets folder others can read, with the chmod (FAULTS 8)", async () => {
    const dir = tempProject();
    mkdirSync(join(dir, ".secrets"), { mode: 0o700 });
    chmodSync(join(dir, ".secrets"), 0o755);
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("group or others can access it");
    expect(r.stderr).toContain(`chmod 700 ${join(dir, ".secrets")}`);
    expect(existsSync(join(dir, ".secrets", ".encryption.key"))).toBe(false);
  });

  it("refuses a key file others can read, and never rewrites it", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    const key = join(dir, ".secrets", ".encryption.key");
    const before = readFileSync(key);
    chmodSync(key, 0o644);
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`chmod 600 ${key}`);
    expect(readFileSync(key)).toEqual(before);
    expect(r.stderr).not.toContain(before.toString().trim());
  });

  it("reports an invalid hush.yaml with its path and exit 3, never echoing a pasted token", async () => {
    const dir = tempProject({ "hush.yaml": `version: 1\nsources:\n  - type: local\n    options: { token: ${CANARY} }\n` });
    const r = await hushIn(dir, ["init"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("line 4: sources[0].options.token: looks like a credential");
    expectNoCanary(r);
  });

  it("refuses an environment hush.yaml does not list (exit 2)", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nenvironments: [dev, prod]\n" });
    const r = await hushIn(dir, ["init", "--env", "qa"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Environment "qa" (from flag) is not listed');
    expect(existsSync(join(dir, ".secrets", "qa.key"))).toBe(false);
  });

  it("refuses an unsafe environment name (FAULTS 13): nothing created outside .secrets/", async () => {
    const dir = tempProject();
    const r = await hushIn(dir, ["init", "--env", "../x"]);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, "x.key"))).toBe(false);
    expect(existsSync(join(dir, ".secrets"))).toBe(false);
  });
});
