// The parse cache must not keep what a hush.yaml no longer says (issue 11): a value pasted into
// a `description:` of a valid file is in the cached parse; once the file is fixed, that entry goes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.js";
import { CANARY } from "./temp-project.js";

let root: string;
let env: NodeJS.ProcessEnv;
const cacheDir = () => join(root, "cache", "hush", "config");
const cachedText = () => readdirSync(cacheDir()).map((f) => readFileSync(join(cacheDir(), f), "utf8")).join("\n");

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-parse-prune-")));
  env = { XDG_CACHE_HOME: join(root, "cache") };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("parse cache pruning", () => {
  it("drops the entry of a hush.yaml's old text once the file changes", async () => {
    writeFileSync(join(root, "hush.yaml"), `version: 1\nsecrets:\n  api_token:\n    description: "${CANARY}"\n`);
    await loadConfig({ cwd: root, env });
    expect(cachedText()).toContain(CANARY); // the mistake, cached
    writeFileSync(join(root, "hush.yaml"), `version: 1\nsecrets:\n  api_token:\n    description: "the API token"\n`);
    const loaded = await loadConfig({ cwd: root, env });
    expect(loaded.config.secrets?.api_token?.description).toBe("the API token");
    expect(cachedText()).not.toContain(CANARY);
  });

  it("also when the fixed file is only comments (nothing to cache)", async () => {
    writeFileSync(join(root, "hush.yaml"), `version: 1\nsecrets:\n  api_token:\n    description: "${CANARY}"\n`);
    await loadConfig({ cwd: root, env });
    writeFileSync(join(root, "hush.yaml"), "# nothing yet\n");
    await loadConfig({ cwd: root, env });
    expect(cachedText()).not.toContain(CANARY);
  });

  it("an unchanged file keeps its entry", async () => {
    writeFileSync(join(root, "hush.yaml"), "version: 1\nenvironment: staging\n");
    await loadConfig({ cwd: root, env });
    const before = readdirSync(cacheDir()).filter((f) => f.endsWith(".json"));
    await loadConfig({ cwd: root, env });
    expect(readdirSync(cacheDir()).filter((f) => f.endsWith(".json"))).toEqual(before);
  });
});
