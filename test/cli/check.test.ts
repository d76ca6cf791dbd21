import { describe, expect, it } from "vitest";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";

const YAML = `version: 1
secrets:
  openai_api_key: { required: true, type: llm-api-key }
  database_url: { required: true, type: database-password }
  optional_thing: { required: false }
`;

describe("hush check", () => {
  it("exits 1 listing every required secret nothing provides", async () => {
    const dir = tempProject({ "hush.yaml": YAML });
    await hushIn(dir, ["init"]);
    const r = await hushIn(dir, ["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("missing 2 required secrets (dev):");
    expect(r.stdout).toContain("OPENAI_API_KEY  (openai_api_key; required by hush.yaml)");
    expect(r.stdout).toContain("DATABASE_URL  (database_url; required by hush.yaml)");
    expect(r.stdout).not.toContain("OPTIONAL_THING");
  });

  it("passes when every required secret is provided by some source; never prints a value", async () => {
    const dir = tempProject({ "hush.yaml": YAML, ".env": `DATABASE_URL=${CANARY}\n` });
    await hushIn(dir, ["init"]);
    expect((await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY })).code).toBe(0);
    const r = await hushIn(dir, ["check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok: all 2 required secrets are provided (dev)");
    expectNoCanary(r);
    const j = await hushIn(dir, ["check", "--json"], { env: { OPENAI_API_KEY: CANARY } });
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, environment: "dev", missing: [], errors: [] });
    expectNoCanary(j);
  });

  it("names in .env.example are required unless marked optional or declared required: false", async () => {
    const example = "# required\nAPI_TOKEN=\n\n# optional\nDEBUG_LEVEL=3\nOPTIONAL_THING=\nOPENAI_API_KEY=\n";
    const dir = tempProject({ "hush.yaml": YAML, ".env.example": example });
    const r = await hushIn(dir, ["check", "--json"], { env: { DATABASE_URL: CANARY } });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.missing).toEqual([
      { name: "openai_api_key", envName: "OPENAI_API_KEY", from: ["hush.yaml", ".env.example"] },
      { name: "api_token", envName: "API_TOKEN", from: [".env.example"] },
    ]);
    expectNoCanary(r);
  });

  it("without declarations: nothing is required", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\n" });
    const r = await hushIn(dir, ["check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no required secrets declared");
  });

  it("a source that fails is reported, not taken for 'missing' (exit 1)", async () => {
    const dir = tempProject({ "hush.yaml": YAML });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    writeFileSync(join(dir, ".secrets", ".encryption.key"), "A".repeat(43) + "=");
    const r = await hushIn(dir, ["check"], { env: { DATABASE_URL: "x" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cannot check openai_api_key: (WRONG_KEY|MALFORMED_KEY)/);
    expectNoCanary(r);
  });

  it("an invalid hush.yaml: exit 3 with the path of the problem", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nsecrets:\n  openai_api_key: { required: maybe }\n" });
    const r = await hushIn(dir, ["check"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("line 3: secrets.openai_api_key.required: expected true or false, got a string.");
  });
});
