// The per-user parse cache of hush.yaml (src/config/parse-cache.ts): what it writes, when it is
// used, and that a damaged, foreign or stale entry only means parsing again.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.js";
import { readParsedConfig, writeParsedConfig } from "../../src/config/parse-cache.js";
import { VERSION } from "../../src/version.js";
import { HushError } from "../../src/errors.js";

let root: string;
let env: NodeJS.ProcessEnv;
const entries = () => join(root, "cache", "hush", "config");
const entryOf = (text: string) => join(entries(), `${createHash("sha256").update(text).digest("hex")}.json`);

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-parse-cache-")));
  env = { XDG_CACHE_HOME: join(root, "cache") };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function project(text: string): string {
  writeFileSync(join(root, "hush.yaml"), text);
  return root;
}

describe("hush.yaml parse cache", () => {
  it("keeps the parsed form of a valid file, 0600 in a 0700 folder, named by the text's SHA-256", async () => {
    const text = "version: 1\nenvironment: staging\nsources: [{ type: env }, { type: local, options: { maxVersions: 3 } }]\n";
    const loaded = await loadConfig({ cwd: project(text), env });
    expect(loaded.environment).toBe("staging");
    const entry = JSON.parse(readFileSync(entryOf(text), "utf8"));
    expect(entry).toEqual({ format: 1, hush: VERSION, raw: { version: 1, environment: "staging", sources: [{ type: "env" }, { type: "local", options: { maxVersions: 3 } }] } });
    expect(statSync(entryOf(text)).mode & 0o777).toBe(0o600);
    expect(statSync(entries()).mode & 0o777).toBe(0o700);
    // The second load gives the same config from the entry.
    expect((await loadConfig({ cwd: root, env })).config).toEqual(loaded.config);
  });

  it("uses the entry: a text maps to what its entry holds (validated again)", async () => {
    const text = "version: 1\nenvironment: staging\n";
    await writeParsedConfig(text, { version: 1, environment: "from-cache" }, env);
    expect((await loadConfig({ cwd: project(text), env })).environment).toBe("from-cache");
    // An entry that does not validate is not trusted: the file is parsed again, with line numbers.
    await writeParsedConfig(text, { version: 1, environment: "Not Valid" }, env);
    expect((await loadConfig({ cwd: root, env })).environment).toBe("staging");
  });

  it("never caches a file with problems; reports them with their line as before", async () => {
    const text = "version: 1\nsources:\n  - type: local\n    options: { maxVersion: 3 }\n";
    const e = await loadConfig({ cwd: project(text), env }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).message).toContain("line 4: sources[0].options.maxVersion: unknown key");
    expect(existsSync(entryOf(text))).toBe(false);
  });

  it("ignores a damaged entry, another hush version's, and an oversized one", async () => {
    const text = "version: 1\nenvironment: staging\n";
    project(text);
    await loadConfig({ cwd: root, env }); // creates the folder and the entry
    for (const bad of ["{not json", JSON.stringify({ format: 1, hush: "0.0.1", raw: { version: 1, environment: "old" } }), JSON.stringify({ format: 99, hush: VERSION, raw: {} }), " ".repeat(300 * 1024)]) {
      writeFileSync(entryOf(text), bad);
      expect(readParsedConfig(text, env)).toBeUndefined();
      expect((await loadConfig({ cwd: root, env })).environment).toBe("staging");
    }
  });

  it("HUSH_NO_CACHE=1, no home, or a folder others can enter: no cache, same result", async () => {
    const text = "version: 1\nenvironment: staging\n";
    project(text);
    expect((await loadConfig({ cwd: root, env: { ...env, HUSH_NO_CACHE: "1" } })).environment).toBe("staging");
    expect(existsSync(entries())).toBe(false);
    expect((await loadConfig({ cwd: root, env: {} })).environment).toBe("staging");
    await writeParsedConfig(text, { version: 1, environment: "planted" }, env);
    const { chmodSync } = await import("node:fs");
    chmodSync(entries(), 0o777);
    expect((await loadConfig({ cwd: root, env })).environment).toBe("staging"); // the entry is not read
  });

  it("keeps at most 64 entries, the newest", async () => {
    for (let i = 0; i < 70; i++) {
      await writeParsedConfig(`version: 1\n# ${i}\n`, { version: 1 }, env);
      utimesSync(entryOf(`version: 1\n# ${i}\n`), new Date(), new Date(Date.now() - (70 - i) * 1000));
    }
    await writeParsedConfig("version: 1\n# last\n", { version: 1 }, env);
    const names = readdirSync(entries());
    expect(names.length).toBe(64);
    expect(names).toContain(entryOf("version: 1\n# last\n").split("/").pop());
    expect(names).not.toContain(entryOf("version: 1\n# 0\n").split("/").pop());
  });
});
