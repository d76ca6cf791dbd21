// The yaml package must not be imported for a missing or all-comment hush.yaml, nor for a text
// the parse cache holds (start-up cost of `hush run` / `get`): here importing it fails the test.
import { expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigText } from "../../src/config/load.js";
import { writeParsedConfig } from "../../src/config/parse-cache.js";
import { configTemplate } from "../../src/config/template.js";

vi.mock("yaml", () => {
  throw new Error("yaml was imported");
});

it("does not import yaml for the commented template", async () => {
  expect((await parseConfigText(configTemplate("prod"))).problems).toEqual([]);
  // A new project's template: `version: 1` and `project:` are read without the parser.
  expect((await parseConfigText(configTemplate("prod", "my-app-3f9a-c2d1"))).config?.project).toBe("my-app-3f9a-c2d1");
  expect((await parseConfigText("version: 1\r\nproject: a-1\r\n")).config?.project).toBe("a-1");
  expect((await parseConfigText("")).problems).toEqual([]);
  await expect(parseConfigText("version: 1\n")).rejects.toThrow();
});

it("does not import yaml for a text the parse cache holds", async () => {
  const cache = mkdtempSync(join(tmpdir(), "hush-lazy-yaml-"));
  try {
    const env = { XDG_CACHE_HOME: cache };
    const text = "version: 1\nenvironment: staging\n";
    await writeParsedConfig(text, { version: 1, environment: "staging" }, env);
    expect((await parseConfigText(text, env)).config?.environment).toBe("staging");
    await expect(parseConfigText("version: 1\nenvironment: prod\n", env)).rejects.toThrow(); // not cached: yaml
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
