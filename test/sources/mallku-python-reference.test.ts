// The Python reference, exactly (issue 10): a Python-made `.secrets/` shared with hush through
// the default chain, checked against real Python's `get_secret` (test/helpers/mallku.ts).
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecretsManager } from "../../src/manager.js";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { runHush } from "../helpers/cli.js";
import { MALLKU_FIXTURE } from "../helpers/fixtures.js";
import { privateMallkuCopy, pythonGetSecret, pythonReadMallku, pythonSetSecret, pythonWritePerKey } from "../helpers/mallku.js";

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

const CANARY = ["mallku-canary-", "9fQ2xV7kLp3Zr8Tw"].join("");
const expected = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8")).effective_values_reference_order as Record<string, unknown>;

function managerOn(dir: string, warnings: string[] = []) {
  return createSecretsManager({ secretsDir: dir, cwd: join(dir, ".."), env: {}, onWarning: (m) => warnings.push(m) });
}

function expectNoCanary(texts: unknown[]): void {
  for (const t of texts) expect(typeof t === "string" ? t : JSON.stringify(t)).not.toContain(CANARY);
}

describe("names keep their case in the Python layout", () => {
  it("hush set MOONSHOT_API_KEY stores that key, and Python's get_secret finds it", async () => {
    const dir = privateMallkuCopy(temps);
    await managerOn(dir).set("MOONSHOT_API_KEY", CANARY);
    expect(pythonGetSecret(dir, "MOONSHOT_API_KEY")).toBe(JSON.stringify(CANARY));
    expect(Object.keys(pythonReadMallku(dir))).toContain("MOONSHOT_API_KEY");
    expect(Object.keys(pythonReadMallku(dir))).not.toContain("moonshot_api_key");
  });

  it("a key Python stored capitalised is updated in place (no NAME_COLLISION), listed in its case, found in either case", async () => {
    const dir = privateMallkuCopy(temps);
    pythonSetSecret(dir, "AZURE_OPENAI_API_KEY", JSON.stringify("old-value"));
    const hush = managerOn(dir);
    await hush.set("AZURE_OPENAI_API_KEY", CANARY);
    expect(pythonGetSecret(dir, "AZURE_OPENAI_API_KEY")).toBe(JSON.stringify(CANARY));
    expect(Object.keys(pythonReadMallku(dir)).filter((k) => k.toLowerCase() === "azure_openai_api_key")).toEqual(["AZURE_OPENAI_API_KEY"]);
    await hush.set("azure_openai_api_key", `${CANARY}-2`); // the other spelling writes the same key
    expect(pythonGetSecret(dir, "AZURE_OPENAI_API_KEY")).toBe(JSON.stringify(`${CANARY}-2`));
    expect(await hush.get("azure_openai_api_key")).toBe(`${CANARY}-2`);
    expect((await hush.list()).map((l) => l.name)).toContain("AZURE_OPENAI_API_KEY");

    const cli = await runHush(["list", "--json", "--secrets-dir", dir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).map((l: { name: string }) => l.name)).toContain("AZURE_OPENAI_API_KEY");
    const set = await runHush(["set", "AZURE_OPENAI_API_KEY", "--secrets-dir", dir], { stdin: `${CANARY}-3` });
    expect(set.code, set.stderr).toBe(0);
    expect(pythonGetSecret(dir, "AZURE_OPENAI_API_KEY")).toBe(JSON.stringify(`${CANARY}-3`));
    expectNoCanary([cli.stdout, cli.stderr, set.stdout, set.stderr]);
  });

  it("two keys Python keeps apart by case are each found by their exact name", async () => {
    const dir = privateMallkuCopy(temps);
    pythonSetSecret(dir, "api_token", JSON.stringify("lower"));
    pythonSetSecret(dir, "API_TOKEN", JSON.stringify("upper"));
    const mallku = createMallkuSource({ secretsDir: dir, onWarning: () => undefined });
    expect((await mallku.get("api_token"))?.value).toBe("lower");
    expect((await mallku.get("API_TOKEN"))?.value).toBe("upper");
    await mallku.set!("API_TOKEN", "upper-2");
    expect(pythonGetSecret(dir, "API_TOKEN")).toBe(JSON.stringify("upper-2"));
    expect(pythonGetSecret(dir, "api_token")).toBe(JSON.stringify("lower"));
    await managerOn(dir).set("API_TOKEN", "upper-3"); // through the manager too: the exact key
    expect(pythonGetSecret(dir, "API_TOKEN")).toBe(JSON.stringify("upper-3"));
    expect(pythonGetSecret(dir, "api_token")).toBe(JSON.stringify("lower"));
    // For hush (and `hush run`) they are two values for one variable API_TOKEN: refused, naming both.
    const names = managerOn(dir).names();
    await expect(names).rejects.toMatchObject({ code: "NAME_COLLISION" });
    await expect(names).rejects.toThrow(/"api_token" and "API_TOKEN"|"API_TOKEN" and "api_token"/);
  });
});

describe("a <name>.secret that fails to decrypt", () => {
  it("is passed over for the consolidated file, as Python does, with a warning naming it; list still works", async () => {
    const dir = privateMallkuCopy(temps);
    writeFileSync(join(dir, "service_token.secret"), "gAAAAA-not-a-token-at-all", { mode: 0o600 });
    expect(pythonGetSecret(dir, "service_token")).toBe(JSON.stringify("consolidated-file-value-SHADOWED-by-per-key-file"));
    const warnings: string[] = [];
    const hush = managerOn(dir, warnings);
    expect(await hush.get("service_token")).toBe("consolidated-file-value-SHADOWED-by-per-key-file");
    expect(warnings.join("\n")).toMatch(/"service_token".*service_token\.secret/);
    expect((await hush.list()).map((l) => l.name).sort()).toEqual(Object.keys(expected).sort());

    const cli = await runHush(["get", "service_token", "--secrets-dir", dir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe("consolidated-file-value-SHADOWED-by-per-key-file");
    expect(cli.stderr).toMatch(/warning: .*"service_token"/);
    const list = await runHush(["list", "--secrets-dir", dir]);
    expect(list.code, list.stderr).toBe(0);
  });

  it("with nothing to fall back to, get fails by name (never 'not found'), and list leaves it out with a warning", async () => {
    const dir = privateMallkuCopy(temps);
    writeFileSync(join(dir, "only_here.secret"), "gAAAAA-not-a-token-at-all", { mode: 0o600 });
    const warnings: string[] = [];
    const hush = managerOn(dir, warnings);
    await expect(hush.get("only_here")).rejects.toMatchObject({ code: "STORE_TRUNCATED" });
    expect((await hush.list()).map((l) => l.name)).not.toContain("only_here");
    expect(warnings.join("\n")).toMatch(/"only_here" is left out/);
  });
});

describe("a stored null is 'not found', as in Python", () => {
  it("in the consolidated file and in a per-key file", async () => {
    const dir = privateMallkuCopy(temps);
    pythonSetSecret(dir, "null_in_dict", "null");
    pythonSetSecret(dir, "shadowed_by_null", JSON.stringify("from-dict"));
    pythonWritePerKey(dir, "shadowed_by_null", "null");
    pythonWritePerKey(dir, "null_per_key", "null");
    for (const k of ["null_in_dict", "shadowed_by_null", "null_per_key"]) expect(pythonGetSecret(dir, k), k).toBeUndefined();
    const hush = managerOn(dir);
    for (const k of ["null_in_dict", "shadowed_by_null", "null_per_key"]) expect(await hush.get(k), k).toBeUndefined();
    const names = await hush.names();
    for (const k of ["null_in_dict", "null_per_key"]) expect(names).not.toContain(k);
    const cli = await runHush(["get", "null_in_dict", "--secrets-dir", dir]);
    expect(cli.code).not.toBe(0);
    expect(cli.stdout).toBe("");
    expect(cli.stderr).toMatch(/not found/);
  });
});

describe("Python maps only '.' to '_'; hush also maps '-'", () => {
  it("list --explain says which variable overrides a hyphenated name for each (checked against Python)", async () => {
    const dir = privateMallkuCopy(temps);
    pythonSetSecret(dir, "hyphen-name", JSON.stringify("from-file"));
    // The difference itself: $HYPHEN_NAME overrides for hush, not for Python.
    expect(pythonGetSecret(dir, "hyphen-name", { HYPHEN_NAME: "from-env" })).toBe(JSON.stringify("from-file"));
    const hush = createSecretsManager({ secretsDir: dir, cwd: join(dir, ".."), env: { HYPHEN_NAME: "from-env" }, onWarning: () => undefined });
    expect(await hush.get("hyphen-name")).toBe("from-env");
    const x = await hush.explain("hyphen-name");
    expect(x.winner).toBe("env");
    expect(x.notes?.join("\n")).toMatch(/\$HYPHEN-NAME.*\$HYPHEN_NAME/);
    expect((await hush.explain("ascii_api_key")).notes).toBeUndefined();

    const cli = await runHush(["list", "--explain", "hyphen-name", "--secrets-dir", dir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/note: The Python app reads this name's override from \$HYPHEN-NAME/);
    const json = await runHush(["list", "--explain", "hyphen-name", "--json", "--secrets-dir", dir]);
    expect(JSON.parse(json.stdout).notes).toHaveLength(1);
  });
});
