import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findConfigFile, hasContent, loadConfig, MAX_CONFIG_BYTES, parseConfigText } from "../../src/config/load.js";
import { configTemplate } from "../../src/config/template.js";
import { HushError } from "../../src/errors.js";

const CANARY = "sk-canary-9f8e7d6c5b4a39281706";
const dirs: string[] = [];
function project(yaml?: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-config-")));
  dirs.push(dir);
  if (yaml !== undefined) writeFileSync(join(dir, "hush.yaml"), yaml);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<HushError> {
  const e = await loadConfig(options).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(HushError);
  expect(String(e)).not.toContain(CANARY);
  expect(JSON.stringify(e)).not.toContain(CANARY);
  return e as HushError;
}

describe("loadConfig", () => {
  it("finds hush.yaml upward from a nested folder; the project is its folder", async () => {
    const root = project("version: 1\nenvironment: staging\nenvironments: [dev, staging]\n");
    const nested = join(root, "a", "b");
    mkdirSync(nested, { recursive: true });
    const loaded = await loadConfig({ cwd: nested, env: {} });
    expect(loaded.path).toBe(join(root, "hush.yaml"));
    expect(loaded.root).toBe(root);
    expect(loaded.environment).toBe("staging");
    expect(loaded.environmentOrigin).toBe("config");
    expect(findConfigFile(nested)).toBe(join(root, "hush.yaml"));
  });

  it("without hush.yaml: defaults, the working directory is the project", async () => {
    const dir = project();
    const loaded = await loadConfig({ cwd: dir, env: {} });
    if (findConfigFile(dir) !== undefined) return; // a hush.yaml above the temp folder would be found, rightly
    expect(loaded).toEqual({ path: undefined, root: dir, config: { version: 1, audit: "best-effort", secrets: {} }, environment: "dev", environmentOrigin: "default" });
  });

  it("picks the environment: --env, then HUSH_ENV, then hush.yaml, then dev", async () => {
    const root = project("version: 1\nenvironment: staging\n");
    expect((await loadConfig({ cwd: root, environment: "prod", env: { HUSH_ENV: "qa" } })).environmentOrigin).toBe("flag");
    expect(await loadConfig({ cwd: root, env: { HUSH_ENV: "qa" } })).toMatchObject({ environment: "qa", environmentOrigin: "HUSH_ENV" });
    expect(await loadConfig({ cwd: root, env: { HUSH_ENV: "" } })).toMatchObject({ environment: "staging", environmentOrigin: "config" });
  });

  it("refuses an environment hush.yaml does not list", async () => {
    const root = project("version: 1\nenvironments: [dev, prod]\n");
    const e = await loadError({ cwd: root, environment: "qa", env: {} });
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toContain('Environment "qa" (from flag) is not listed');
    expect(e.hint).toContain("dev, prod");
  });

  it("an invalid file: one CONFIG_INVALID with every path and its line", async () => {
    const root = project(["version: 1", "sources:", "  - type: env", "  - type: dotenv", "  - type: local", "    options:", "      address: x", "      token: " + CANARY, ""].join("\n"));
    const e = await loadError({ cwd: root, env: {} });
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toContain(`${join(root, "hush.yaml")} is invalid (2 problems)`);
    expect(e.message).toContain("line 7: sources[2].options.address: unknown key");
    expect(e.message).toContain("line 8: sources[2].options.token: looks like a credential");
  });

  it("a YAML syntax error gives its line, never the text of the line", async () => {
    const root = project(`version: 1\nsecrets:\n  a: {required: true\n  b: "${CANARY}\n`);
    const e = await loadError({ cwd: root, env: {} });
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toMatch(/line \d+: YAML syntax/);
  });

  it("duplicate keys, several documents and unknown tags are errors", async () => {
    expect((await parseConfigText("version: 1\nversion: 1\n")).problems[0]).toMatchObject({ line: 2, message: "YAML syntax: a key appears twice in the same mapping." });
    expect((await parseConfigText("version: 1\n---\nversion: 1\n")).problems[0]!.message).toContain("more than one YAML document");
    expect((await parseConfigText(`version: 1\nenvironment: !secret ${CANARY}\n`)).problems.length).toBeGreaterThan(0);
  });

  it("alias bombs are refused", async () => {
    const bomb = ["version: 1", "a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill("*" + String.fromCharCode(97 + i)).join(", ")}]`)].join("\n");
    const { problems } = await parseConfigText(bomb);
    expect(problems).toEqual([{ path: "", message: "the file expands too many YAML aliases (&anchor / *alias)." }]);
  });

  it("refuses a file over the size limit", async () => {
    const root = project("version: 1\n" + "#".repeat(MAX_CONFIG_BYTES));
    expect((await loadError({ cwd: root, env: {} })).message).toContain("larger than");
  });

  it("the template of `hush init` has no content: it loads as the default config", async () => {
    const text = configTemplate("dev");
    expect(hasContent(text)).toBe(false);
    expect(hasContent("# a\n\n   # b\r\n")).toBe(false);
    expect(hasContent("# a\nversion: 1\n")).toBe(true);
    expect(await parseConfigText(text)).toEqual({ config: { version: 1, audit: "best-effort", secrets: {} }, problems: [] });
  });

  it("the template, uncommented, is a valid config", async () => {
    const text = configTemplate("dev").split("\n").map((l) => l.replace(/^# ?(?=[a-z ]+:| {2}|version)/, "")).join("\n");
    const { config, problems } = await parseConfigText(text);
    expect(problems).toEqual([]);
    expect(config!.sources!.map((s) => s.type)).toEqual(["env", "dotenv", "local"]);
    expect(config!.secrets.openai_api_key).toMatchObject({ required: true, type: "llm-api-key", rotationDays: 90 });
  });
});
