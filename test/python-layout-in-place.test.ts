// Pointing hush at a Python-made `.secrets/` folder is enough to read it in place, through the
// default chain (library and CLI), including the read-only shared copy (0555/0444).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createSecretsManager } from "../src/manager.js";
import { HAS_SHARED_MALLKU, MALLKU_FIXTURE, SHARED_MALLKU } from "./helpers/fixtures.js";
import { runHush } from "./helpers/cli.js";

const manifest = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8"));
const expected: Record<string, unknown> = manifest.effective_values_reference_order;
const folders = [`${MALLKU_FIXTURE}.secrets`, ...(HAS_SHARED_MALLKU ? [`${SHARED_MALLKU}.secrets`] : [])];

describe.each(folders)("default chain on %s", (secretsDir) => {
  it("returns exactly the manifest's effective values; the per-key file wins", async () => {
    const warnings: string[] = [];
    const hush = createSecretsManager({ secretsDir, env: {}, onWarning: (m) => warnings.push(m) });
    for (const [name, value] of Object.entries(expected)) {
      const record = await hush.getRecord(name);
      expect(record?.source, name).toBe("mallku");
      if (typeof value === "string") expect(record!.value).toBe(value);
      else expect(JSON.parse(record!.value)).toEqual(value);
    }
    expect(await hush.get("service_token")).toBe("per-key-file-value-WINS");
    expect(await hush.get("not_in_the_folder")).toBeUndefined();
    expect((await hush.list()).map((l) => l.name).sort()).toEqual(Object.keys(expected).sort());
    for (const w of warnings) for (const v of Object.values(expected)) if (typeof v === "string" && v.length > 4) expect(w).not.toContain(v);
  });

  it("the CLI lists and gets in place", async () => {
    const list = await runHush(["list", "--json", "--secrets-dir", secretsDir]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((l: { name: string }) => l.name)).toContain("database.config");
    const get = await runHush(["get", "ascii_api_key", "--secrets-dir", secretsDir]);
    expect(get.stdout).toBe(expected.ascii_api_key);
    expect(get.stderr).not.toContain(String(expected.ascii_api_key));
  });
});
