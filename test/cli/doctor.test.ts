import { describe, expect, it } from "vitest";
import { readFileSync, chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";

describe("hush doctor", () => {
  it("a healthy project: config layers, each source's check, exit 0", async () => {
    const dir = tempProject({ ".env": `OTHER=${CANARY}\n` });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const r = await hushIn(dir, ["doctor"], { env: { HUSH_ENV: "dev" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`config       ${join(dir, "hush.yaml")}`);
    expect(r.stdout).toContain("environment  dev (from HUSH_ENV)");
    expect(r.stdout).toMatch(/ok env /);
    expect(r.stdout).toMatch(/ok dotenv /);
    expect(r.stdout).toMatch(/ok local /);
    expect(r.stdout).toContain("no problems found");
    expectNoCanary(r);
  });

  it("--json: the whole report; the environment's origin", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nenvironment: staging\nsources:\n  - type: env\n" });
    const r = await hushIn(dir, ["doctor", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: true, config: { path: join(dir, "hush.yaml"), environment: "staging", environmentOrigin: "config" }, permissions: [] });
    expect(json.sources.map((s: { name: string }) => s.name)).toEqual(["env"]);
  });

  it("an invalid hush.yaml: every problem with its path and line, exit 1, sources not checked", async () => {
    const dir = tempProject({ "hush.yaml": `version: 1\naudit: sometimes\nsources:\n  - type: consul\n    options:\n      token: ${CANARY}\n` });
    const r = await hushIn(dir, ["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("line 2: audit: expected one of best-effort, required, off.");
    expect(r.stdout).toContain("line 4: sources[0].type: unknown source type \"consul\"");
    expect(r.stdout).toContain("line 6: sources[0].options.token: looks like a credential");
    expect(r.stdout).toContain("sources not checked: fix hush.yaml first");
    expectNoCanary(r);
    const j = await hushIn(dir, ["doctor", "--json"]);
    expect(JSON.parse(j.stdout).config.problems).toHaveLength(3);
    expectNoCanary(j);
  });

  it("a YAML syntax error: its line, never the text of the line", async () => {
    const dir = tempProject({ "hush.yaml": `version: 1\nsecrets: {a: "${CANARY}\n` });
    const r = await hushIn(dir, ["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line \d+: YAML syntax/);
    expectNoCanary(r);
  });

  it("keys: each environment's provider and where its key lives; a warning for a key inside the project, a problem for a lax one", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["init", "--env", "prod"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const project = /^project: (\S+)$/m.exec(readFileSync(join(dir, "hush.yaml"), "utf8"))![1]!;
    const folder = join(process.env.XDG_CONFIG_HOME!, "hush", "keys", project);
    const json = JSON.parse((await hushIn(dir, ["doctor", "--json"])).stdout);
    expect(json.keys).toEqual([
      expect.objectContaining({ environment: "dev", provider: "user", implicit: true, where: join(folder, "dev.key"), insideProject: false, ok: true, warnings: [] }),
      expect.objectContaining({ environment: "prod", provider: "user", where: join(folder, "prod.key"), ok: true }),
    ]);
    expect(json.ok).toBe(true);
    chmodSync(join(folder, "prod.key"), 0o640);
    const lax = await hushIn(dir, ["doctor"]);
    expect(lax.code).toBe(1);
    expect(lax.stdout).toContain(`fix: chmod 600 ${join(folder, "prod.key")}`);
    expectNoCanary(lax);

    const old = tempProject();
    await hushIn(old, ["init", "--key-provider", "file"]);
    const text = (await hushIn(old, ["doctor"])).stdout;
    expect(text).toMatch(/~~ dev +file \(default\): .*\.encryption\.key/);
    expect(text).toContain("warning: the dev key sits inside the project folder");
    expect(text).toContain("hush key move --to user");
  });

  it("permission problems, each with its chmod (FAULTS 8)", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    chmodSync(join(dir, ".secrets"), 0o755);
    chmodSync(join(dir, ".secrets", ".encryption.key"), 0o644);
    const r = await hushIn(dir, ["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`fix: chmod 700 ${join(dir, ".secrets")}`);
    expect(r.stdout).toContain(`fix: chmod 600 ${join(dir, ".secrets", ".encryption.key")}`);
    expect(r.stdout).toMatch(/!! local /);
    expectNoCanary(r);
  });

  it("no key yet: says to run hush init", async () => {
    const dir = tempProject();
    const r = await hushIn(dir, ["doctor", "--env", "prod"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("fix: hush init --env prod");
  });

  it("two names that map to one variable across sources (FAULTS 14)", async () => {
    const dir = tempProject({ ".env": `DB_URL=${CANARY}\n` });
    await hushIn(dir, ["init"]);
    expect((await hushIn(dir, ["set", "db.url"], { stdin: CANARY })).code).toBe(0);
    const r = await hushIn(dir, ["doctor", "--json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.collisions).toEqual([["db_url", "db.url"]]);
    expectNoCanary(r);
  });

  it("a required secret nothing provides is a problem", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nsecrets:\n  openai_api_key: { required: true }\n" });
    await hushIn(dir, ["init"]);
    const r = await hushIn(dir, ["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("required     1 declared, 1 missing");
    expect(r.stdout).toContain("fix: hush set openai_api_key");
    writeFileSync(join(dir, ".env"), `OPENAI_API_KEY=${CANARY}\n`);
    const ok = await hushIn(dir, ["doctor"]);
    expect(ok.code).toBe(0);
    expectNoCanary(ok);
  });

  it("LLM provider keys: where each comes from, format checked, never the value", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nsources: [{ type: env }]\n" });
    const r = await hushIn(dir, ["doctor", "--json"], { env: { OPENAI_API_KEY: CANARY, ANTHROPIC_API_KEY: `not-a-key-${CANARY}` } });
    const json = JSON.parse(r.stdout);
    expect(json.providers.map((p: { provider: string; source: string }) => [p.provider, p.source])).toEqual(expect.arrayContaining([["openai", "env"], ["anthropic", "env"]]));
    expect(json.providers.find((p: { provider: string }) => p.provider === "anthropic").format).toBe("mismatch");
    expect(r.code).toBe(1);
    expectNoCanary(r);
    const text = await hushIn(dir, ["doctor"], { env: { OPENAI_API_KEY: CANARY } });
    expect(text.stdout).toMatch(/providers +1 LLM provider key found\n +ok openai +openai_api_key from env, sk-…\(\d+ chars\) \(format ok\)/);
    expectNoCanary(text);
  });
});
